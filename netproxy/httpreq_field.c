/* httpreq_field.c — what a request head means, for the per-request HTTP
 * parser (httpreq.h): the request-target's form, authority, path and query;
 * the header fields that frame or route a request (Host, Content-Length,
 * Transfer-Encoding, Connection, Upgrade, Expect); and the checks across
 * them once the head is complete.  httpreq.c calls these at the byte that
 * completes each part, on bytes it has already checked byte by byte (no
 * CR, LF, NUL or other control byte inside a line).  Runs in the
 * supervisor, on the proxy's loop.
 *
 * Host names follow the peek parser's rules (netproxy/peek_http.c), so that
 * a Host checked per request reads as the first request's did: labels of
 * [A-Za-z0-9_-], one trailing dot dropped, lowercased; IPv6 in brackets.
 */
#include "netproxy/http1.h"
#include "netproxy/httpreq_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

static bool bytes_eq(const uint8_t *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* A DNS name s[0..n) into @out, lowercased, without its trailing dot. */
static bool httpreq_field_dns(const uint8_t *s, size_t n, char *out)
{
	size_t label = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > HTTPREQ_HOST_MAX - 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
			label++;
		} else if (c >= 'A' && c <= 'Z') {
			c |= 0x20;
			label++;
		} else {
			return false;
		}
		if (label > 63)
			return false;
		out[i] = (char)c;
	}
	out[n] = '\0';
	return label > 0;
}

static bool httpreq_field_port(const uint8_t *s, size_t n, uint16_t *port)
{
	uint32_t v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* An IPv6 literal "[...]" at the start of s[0..n): into @hp, *@len its
 * length with the brackets. */
static bool httpreq_field_ipv6(const uint8_t *s, size_t n, struct httpreq_hostport *hp, size_t *len)
{
	char tmp[INET6_ADDRSTRLEN];
	struct in6_addr a;
	size_t i;

	for (i = 1; i < n && s[i] != ']'; i++)
		if (!(s[i] == ':' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
		      ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')))
			return false;	/* zone ids, IPvFuture */
	if (i == n || i == 1 || i - 1 >= sizeof(tmp))
		return false;
	memcpy(tmp, s + 1, i - 1);
	tmp[i - 1] = '\0';
	if (inet_pton(AF_INET6, tmp, &a) != 1 || !inet_ntop(AF_INET6, &a, hp->host, sizeof(hp->host)))
		return false;
	*len = i + 1;
	return true;
}

/* uri-host [":" port] (RFC 9110 7.2), the port required if @need_port. */
static bool httpreq_field_hostport(const uint8_t *s, size_t n, bool need_port,
				   struct httpreq_hostport *hp)
{
	size_t i;

	hp->host[0] = '\0';
	hp->port = 0;
	if (n == 0)
		return false;
	if (s[0] == '[') {
		if (!httpreq_field_ipv6(s, n, hp, &i))
			return false;
	} else {
		for (i = 0; i < n && s[i] != ':'; i++)
			;
		if (!httpreq_field_dns(s, i, hp->host))
			return false;
	}
	if (i == n)
		return !need_port;
	return s[i] == ':' && httpreq_field_port(s + i + 1, n - i - 1, &hp->port);
}

/* raw[start..+n) is a path with maybe a query: split it at the first '?'. */
static void httpreq_field_path(struct httpreq *p, size_t start, size_t n)
{
	const uint8_t *q = memchr(p->raw + start, '?', n);

	p->path_start = start;
	p->path_len = q ? (size_t)(q - (p->raw + start)) : n;
	p->has_query = q != NULL;
	if (q) {
		p->query_start = start + p->path_len + 1;
		p->query_len = n - p->path_len - 1;
	}
}

/* http[s]://authority[/path][?query], without userinfo. */
static int httpreq_field_absolute(struct httpreq *p, const uint8_t *t, size_t n, size_t skip)
{
	size_t end;

	for (end = skip; end < n && t[end] != '/' && t[end] != '?'; end++)
		if (t[end] == '@')
			return httpreq_fail(p, HTTPREQ_E_TARGET);
	if (!httpreq_field_hostport(t + skip, end - skip, false, &p->authority))
		return httpreq_fail(p, HTTPREQ_E_TARGET);
	p->has_authority = true;
	p->form = HTTPREQ_ABSOLUTE;
	httpreq_field_path(p, p->target_start + end, n - end);
	return 0;
}

static size_t httpreq_field_scheme(const uint8_t *t, size_t n)
{
	if (n >= 7 && strncasecmp((const char *)t, "http://", 7) == 0)
		return 7;
	if (n >= 8 && strncasecmp((const char *)t, "https://", 8) == 0)
		return 8;
	return 0;
}

int httpreq_field_target(struct httpreq *p)
{
	const uint8_t *t = p->raw + p->target_start;
	size_t n = p->target_len, skip = httpreq_field_scheme(t, n);
	struct httpreq_hostport hp;

	/* Methods are case-sensitive (RFC 9110 9.1): "connect" is not CONNECT. */
	if (bytes_eq(p->raw, p->method_len, "CONNECT")) {
		if (!httpreq_field_hostport(t, n, true, &p->authority))
			return httpreq_fail(p, HTTPREQ_E_TARGET_FORM);
		p->has_authority = true;
		p->form = HTTPREQ_AUTHORITY;
		return 0;
	}
	if (n == 1 && t[0] == '*') {
		if (!bytes_eq(p->raw, p->method_len, "OPTIONS"))
			return httpreq_fail(p, HTTPREQ_E_TARGET_FORM);
		p->form = HTTPREQ_ASTERISK;
		return 0;
	}
	if (t[0] == '/') {
		p->form = HTTPREQ_ORIGIN;
		httpreq_field_path(p, p->target_start, n);
		return 0;
	}
	if (skip)
		return httpreq_field_absolute(p, t, n, skip);
	/* host:port for another method than CONNECT is a form out of place;
	 * anything else is no target at all. */
	return httpreq_fail(p, httpreq_field_hostport(t, n, true, &hp) ? HTTPREQ_E_TARGET_FORM
									: HTTPREQ_E_TARGET);
}

static int httpreq_field_host(struct httpreq *p, const uint8_t *v, size_t n)
{
	if (p->has_host)
		return httpreq_fail(p, HTTPREQ_E_HOST_DUPLICATE);
	p->has_host = true;
	return httpreq_field_hostport(v, n, false, &p->host) ? 0
							      : httpreq_fail(p, HTTPREQ_E_HOST_INVALID);
}

/* 1*DIGIT; equal values may repeat (RFC 9112 6.3, 5), never differ. */
static int httpreq_field_length(struct httpreq *p, const uint8_t *v, size_t n)
{
	uint64_t val = 0;
	int r = http1_decimal(v, n, HTTPREQ_LENGTH_MAX, &val);

	if (r < 0)
		return httpreq_fail(p, r == -2 ? HTTPREQ_E_OVERFLOW : HTTPREQ_E_LENGTH_INVALID);
	if (p->has_length && val != p->length)
		return httpreq_fail(p, HTTPREQ_E_LENGTH_CONFLICT);
	p->has_length = true;
	p->length = val;
	return 0;
}

/* Exactly one "chunked": other codings, lists, parameters, a second line,
 * even "Chunked" (servers have compared it case-sensitively) are refused. */
static int httpreq_field_te(struct httpreq *p, const uint8_t *v, size_t n)
{
	if (p->chunked || !bytes_eq(v, n, "chunked"))
		return httpreq_fail(p, HTTPREQ_E_TE_UNSUPPORTED);
	p->chunked = true;
	return 0;
}

/* close, keep-alive; naming a framing or routing field is refused: a proxy
 * behind that drops the fields Connection names would reframe the
 * request. */
static int httpreq_field_connection(struct httpreq *p, const uint8_t *v, size_t n)
{
	static const char *const framing[] = { "content-length", "transfer-encoding", "host" };
	const uint8_t *e;
	size_t i = 0, elen;

	while (http1_list_next(v, n, &i, &e, &elen)) {
		if (http1_caseeq(e, elen, "close"))
			p->conn_close = true;
		else if (http1_caseeq(e, elen, "keep-alive"))
			p->conn_keep_alive = true;
		for (size_t k = 0; k < sizeof(framing) / sizeof(framing[0]); k++)
			if (http1_caseeq(e, elen, framing[k]))
				return httpreq_fail(p, HTTPREQ_E_CONNECTION_FIELD);
	}
	return 0;
}

/* Any Upgrade is flagged (a server may switch on it alone); "websocket"
 * or "websocket/<version>" among its protocols too. */
static int httpreq_field_upgrade(struct httpreq *p, const uint8_t *v, size_t n)
{
	const uint8_t *e, *slash;
	size_t i = 0, elen;

	p->head.upgrade = true;
	while (http1_list_next(v, n, &i, &e, &elen)) {
		slash = memchr(e, '/', elen);
		if (http1_caseeq(e, slash ? (size_t)(slash - e) : elen, "websocket"))
			p->head.websocket = true;
	}
	return 0;
}

static int httpreq_field_expect(struct httpreq *p, const uint8_t *v, size_t n)
{
	if (http1_caseeq(v, n, "100-continue"))
		p->expect = true;
	return 0;
}

static const struct {
	const char *name;
	int (*act)(struct httpreq *p, const uint8_t *v, size_t n);
} httpreq_field_acts[] = {
	{ "host", httpreq_field_host },
	{ "content-length", httpreq_field_length },
	{ "transfer-encoding", httpreq_field_te },
	{ "connection", httpreq_field_connection },
	{ "upgrade", httpreq_field_upgrade },
	{ "expect", httpreq_field_expect },
};

int httpreq_field_line(struct httpreq *p, size_t end)
{
	const uint8_t *name = p->raw + p->line_start, *v = p->raw + p->colon + 1;
	size_t nlen = p->colon - p->line_start, n = end - p->colon - 1;

	while (n > 0 && http1_is_ows(v[0]))
		v++, n--;
	while (n > 0 && http1_is_ows(v[n - 1]))
		n--;
	p->head.nfields++;
	for (size_t i = 0; i < sizeof(httpreq_field_acts) / sizeof(httpreq_field_acts[0]); i++)
		if (http1_caseeq(name, nlen, httpreq_field_acts[i].name))
			return httpreq_field_acts[i].act(p, v, n);
	return 0;
}

/* The host the request is for: the target's authority, which a Host
 * header must agree with (the same host, the same port if both give one),
 * else the Host header. */
static int httpreq_field_resolve_host(struct httpreq *p)
{
	struct httpreq_head *h = &p->head;
	const struct httpreq_hostport *a = &p->authority, *hh = &p->host;

	if (p->has_authority && p->has_host &&
	    (strcmp(a->host, hh->host) != 0 || (a->port && hh->port && a->port != hh->port)))
		return httpreq_fail(p, HTTPREQ_E_HOST_MISMATCH);
	if (p->has_authority) {
		memcpy(h->host, a->host, sizeof(h->host));
		h->port = a->port ? a->port : (p->has_host ? hh->port : 0);
	} else if (p->has_host) {
		memcpy(h->host, hh->host, sizeof(h->host));
		h->port = hh->port;
	}
	return 0;
}

static const char *httpreq_field_put(char **at, const void *s, size_t n)
{
	char *start = *at;

	memcpy(start, s, n);
	start[n] = '\0';
	*at += n + 1;
	return start;
}

/* method, target, path, query into p->text (their sum is under twice the
 * request line). */
static void httpreq_field_strings(struct httpreq *p)
{
	struct httpreq_head *h = &p->head;
	char *at = p->text;

	h->method = httpreq_field_put(&at, p->raw, p->method_len);
	h->target = httpreq_field_put(&at, p->raw + p->target_start, p->target_len);
	if (p->form == HTTPREQ_ASTERISK)
		h->path = httpreq_field_put(&at, "*", 1);
	else if (p->form == HTTPREQ_AUTHORITY)
		h->path = httpreq_field_put(&at, "", 0);
	else if (p->path_len == 0)
		h->path = httpreq_field_put(&at, "/", 1);
	else
		h->path = httpreq_field_put(&at, p->raw + p->path_start, p->path_len);
	h->query = p->has_query ? httpreq_field_put(&at, p->raw + p->query_start, p->query_len) : NULL;
}

int httpreq_field_finish(struct httpreq *p)
{
	struct httpreq_head *h = &p->head;

	if (p->chunked && h->minor == 0)
		return httpreq_fail(p, HTTPREQ_E_TE_HTTP10);
	if (p->chunked && p->has_length)
		return httpreq_fail(p, HTTPREQ_E_LENGTH_AND_CHUNKED);
	if (p->form == HTTPREQ_AUTHORITY && (p->chunked || p->length > 0))
		return httpreq_fail(p, HTTPREQ_E_CONNECT_BODY);
	if (!p->has_host && h->minor == 1)
		return httpreq_fail(p, HTTPREQ_E_HOST_MISSING);
	if (httpreq_field_resolve_host(p) < 0)
		return -1;
	httpreq_field_strings(p);
	h->form = p->form;
	h->keep_alive = !p->conn_close && (h->minor == 1 || p->conn_keep_alive);
	h->expect_continue = p->expect && h->minor == 1;
	if (p->chunked) {
		h->framing = HTTPREQ_BODY_CHUNKED;
		p->body = true;
		p->state = ST_CHUNK_SIZE;
	} else if (p->has_length) {
		h->framing = HTTPREQ_BODY_LENGTH;
		h->content_length = p->length;
		p->remaining = p->length;
		p->body = p->length > 0;
		p->state = p->length > 0 ? ST_LENGTH : ST_DONE;
	} else {
		p->state = ST_DONE;
	}
	return 0;
}
