/* inspect_http.c — what HTTP inspection (inspect.h) says about each
 * request, and to whom: the verdict on a head (Host, CONNECT, upgrades, the
 * request rules), netbox's own responses to the program (403 for a refused
 * request, 400 for a malformed one, 502 when the host cannot be reached
 * safely), and the log record of each exchange (report_request()).  Runs in the supervisor, on
 * the proxy's loop, for inspect.c.
 */
#include "netproxy/inspect_internal.h"
#include "policy/policy.h"

#include "report.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void inspect_http_refuse(struct inspect *in, const char *fmt, ...) PRINTF(2, 3);
static void inspect_http_refuse(struct inspect *in, const char *fmt, ...)
{
	va_list ap;

	in->ex.allowed = false;
	va_start(ap, fmt);
	vsnprintf(in->ex.reason, sizeof(in->ex.reason), fmt, ap);
	va_end(ap);
}

void inspect_http_decide(struct inspect *in, const struct httpreq_head *h)
{
	struct inspect_exchange *ex = &in->ex;
	const struct policy_rule *rule = NULL;

	ex->rule = ex->origin = NULL;
	ex->reason[0] = '\0';
	/* Not yet for any rule: a tunnel or another protocol would carry
	 * requests nobody checks. */
	if (h->form == HTTPREQ_AUTHORITY)
		return inspect_http_refuse(in, "CONNECT is not allowed on an inspected connection");
	if (h->upgrade)
		return inspect_http_refuse(in, "%s is not allowed on an inspected connection",
					   h->websocket ? "a WebSocket upgrade" : "a protocol upgrade");
	/* Every request must be for the host the connection was allowed
	 * for: another Host (domain fronting) would reach whatever the
	 * server behind the name serves under it. */
	if (!h->host[0])
		return inspect_http_refuse(in, "the request names no host (HTTP/1.0 without Host)");
	if (strcmp(h->host, in->name) != 0)
		return inspect_http_refuse(in, "Host %s is not %s, the host this connection is for",
					   h->host, in->name);
	if (h->port && h->port != in->port)
		return inspect_http_refuse(in, "Host %s:%u names another port than %u", h->host,
					   h->port, in->port);
	ex->allowed = policy_decide_request(in->policy, in->name, in->port, h->method, h->path,
					    &rule) == POLICY_ALLOW;
	/* An allow rule never decides a refusal. */
	if (rule && (ex->allowed || !policy_rule_is_allow(rule))) {
		ex->rule = policy_rule_text(rule);
		ex->origin = policy_rule_origin(rule);
	}
	if (ex->allowed)
		return;
	if (ex->rule)
		inspect_http_refuse(in, "rule '%s' (%s)", ex->rule, ex->origin);
	else
		inspect_http_refuse(in, "no rule allows %s on this path", h->method);
}

static const struct {
	int status;
	const char *phrase;
} inspect_http_phrases[] = {
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 502, "Bad Gateway" },
};

bool inspect_http_reply(struct inspect *in, int status, const char *text, bool close)
{
	const char *phrase = "Error";
	char head[256], body[INSPECT_REPLY_MAX - sizeof(head)];
	int hn, bn;

	for (size_t i = 0; i < ARRAY_SIZE(inspect_http_phrases); i++)
		if (inspect_http_phrases[i].status == status)
			phrase = inspect_http_phrases[i].phrase;
	bn = snprintf(body, sizeof(body), "%s\n", text);
	if (bn < 0)
		return false;
	if ((size_t)bn >= sizeof(body))
		bn = sizeof(body) - 1;
	/* One line of printable text: a rule's origin is a path. */
	for (int i = 0; i < bn - 1; i++)
		if ((unsigned char)body[i] < 0x20 || body[i] == 0x7f)
			body[i] = '?';
	body[bn - 1] = '\n';
	hn = snprintf(head, sizeof(head),
		      "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
		      "Content-Length: %d\r\nCache-Control: no-store\r\n%s\r\n",
		      status, phrase, bn, close ? "Connection: close\r\n" : "");
	if (hn < 0 || (size_t)hn >= sizeof(head))
		return false;
	/* A response to HEAD has no body, whatever its length says. */
	if (strcmp(in->ex.method, "HEAD") == 0)
		bn = 0;
	if (inspect_buf_room(&in->down) < (size_t)hn + (size_t)bn)
		return false;
	inspect_buf_add(&in->down, head, (size_t)hn);
	inspect_buf_add(&in->down, body, (size_t)bn);
	in->ex.status = status;
	in->ex.down += (uint64_t)hn + (uint64_t)bn;
	return true;
}

void inspect_http_report(struct inspect *in)
{
	struct inspect_exchange *ex = &in->ex;

	if (!ex->active)
		return;
	ex->active = false;
	/* A malformed request has no method or path the parser could give. */
	report_request(in->report, &(struct report_request){
		.name = in->name,
		.port = in->port,
		.method = ex->method,
		.path = ex->path,
		.query = ex->has_query ? ex->query : NULL,
		.status = ex->status,
		.allowed = ex->allowed,
		.rule = ex->rule,
		.origin = ex->origin,
		.reason = ex->reason[0] ? ex->reason : NULL,
		.bytes_up = ex->up,
		.bytes_down = ex->down,
		.duration_ns = now_ns() - ex->start_ns,
		.proc = in->proc,
	});
}
