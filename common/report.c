/* report.c — the decisions of the run (report.h): the denial lines on
 * stderr, the counts the summary and the learned profile are made of
 * (report_summary.c), and the log records (report_log.c).
 *
 * Hosts are counted in a small chained hash table keyed by the name (or the
 * printed address for raw-IP destinations), each with the ports it was
 * reached on.  Only decisions and connection ends reach this file, never
 * the data path.
 *
 * A name as asked and a reason quoting an SNI or a Host are the program's
 * bytes: the stderr lines, the summary and the learned profile print them
 * through util_escape() (a newline in a reason would start a live profile
 * line after "# refused:"), the log through report_json_escape().
 *
 * The resolver and the proxy report from the supervisor's loop, which must
 * never die: out of memory, a decision is still logged and still said on
 * stderr, only not counted (the summary and the learned profile say how
 * many were not).
 */
#include "report_internal.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

struct report *report_new(bool quiet, FILE *log)
{
	struct report *r = xcalloc(1, sizeof(*r));

	r->quiet = quiet;
	r->log = log;
	return r;
}

void report_set_attrib(struct report *r, report_attrib_fn fn, void *ctx)
{
	r->attrib = fn;
	r->attrib_ctx = ctx;
}

const struct report_proc *report_attribute(struct report *r, int proto,
					   const struct in6_addr *client, uint16_t client_port)
{
	return r && r->attrib ? r->attrib(r->attrib_ctx, proto, client, client_port) : NULL;
}

void report_set_hinter(struct report *r, report_hint_fn fn, void *ctx)
{
	r->hinter = fn;
	r->hinter_ctx = ctx;
}

void report_set_first_denial_hint(struct report *r, const char *hint)
{
	free(r->hint);
	r->hint = hint ? strdup(hint) : NULL;
}

/* The run's hint, before its first denial line. */
static void report_say_hint(struct report *r)
{
	if (r->hint && !r->quiet)
		fprintf(stderr, "netbox: %s\n", r->hint);
	free(r->hint);
	r->hint = NULL;
}

static void report_reqs_free(struct report_reqs *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nmethods; i++)
		free(q->methods[i]);
	for (size_t i = 0; i < q->nprefixes; i++)
		free(q->prefixes[i].segment);
	free(q);
}

static void report_host_free(struct report_host *h)
{
	report_reqs_free(h->reqs);
	free(h->key);
	free(h->shown);
	free(h->reason);
	free(h->dns_rule);
	free(h->via);
	free(h->ports);
	free(h);
}

static void report_prog_free(struct report_prog *p)
{
	for (size_t i = 0; i < p->nitems; i++)
		free(p->items[i]);
	free(p->label);
	free(p);
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < REPORT_BUCKETS; i++) {
		struct report_host *h = r->buckets[i], *next;

		for (; h; h = next) {
			next = h->next;
			report_host_free(h);
		}
	}
	while (r->progs) {
		struct report_prog *p = r->progs;

		r->progs = p->next;
		report_prog_free(p);
	}
	free(r->hint);
	free(r);
}

static uint32_t report_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* @key's host, added if new; NULL (counted in r->uncounted) out of memory.
 * @shown: what the text outputs print (NULL: @key, escaped). */
static struct report_host *report_host(struct report *r, const char *key, enum report_kind kind,
				       const char *shown_as)
{
	uint32_t b = report_hash(key) % REPORT_BUCKETS;
	char shown[REPORT_SHOWN_MAX];
	struct report_host *h;

	r->last_full = false;
	for (h = r->buckets[b]; h; h = h->next)
		if (strcmp(h->key, key) == 0)
			return h;
	/* A program that tries a million destinations must not make the loop
	 * crawl through long chains nor print a million lines: past the cap
	 * the log still has every record; stderr and the summary say so. */
	if (r->nhosts >= REPORT_HOSTS_MAX) {
		if (!r->hosts_full && !r->quiet)
			fprintf(stderr, "netbox: over %d destinations: the others are in the log only, "
					"neither said nor counted\n", REPORT_HOSTS_MAX);
		r->hosts_full = r->last_full = true;
		r->uncounted++;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h) {
		h->key = strdup(key);
		h->shown = strdup(util_escape(shown_as ? shown_as : key, shown, sizeof(shown)));
	}
	if (!h || !h->key || !h->shown) {
		if (h)
			report_host_free(h);
		r->uncounted++;
		return NULL;
	}
	h->kind = kind;
	h->is_addr = kind == REPORT_ADDR || kind == REPORT_UDP;
	h->next = r->buckets[b];
	r->buckets[b] = h;
	r->nhosts++;
	return h;
}

/* @h's counts for @port, added if new; NULL (counted) out of memory. */
static struct report_port *report_port(struct report *r, struct report_host *h, uint16_t port)
{
	struct report_port *ports;

	for (size_t i = 0; i < h->nports; i++)
		if (h->ports[i].port == port)
			return &h->ports[i];
	ports = realloc(h->ports, (h->nports + 1) * sizeof(*h->ports));
	if (!ports) {
		r->uncounted++;
		return NULL;
	}
	h->ports = ports;
	h->ports[h->nports] = (struct report_port){ .port = port };
	return &h->ports[h->nports++];
}

void report_addr(const struct in6_addr *a, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
}

/* A connection's line in the summary: its name, its address, or for UDP
 * "udp ADDR" (shown "UDP ADDR"). */
static struct report_host *report_conn_host(struct report *r, const struct report_conn *c)
{
	char addr[INET6_ADDRSTRLEN], key[INET6_ADDRSTRLEN + 300], shown[INET6_ADDRSTRLEN + 300];

	if (c->proto == IPPROTO_UDP) {
		if (c->name)
			snprintf(addr, sizeof(addr), "%s", "");
		else
			report_addr(&c->dst, addr, sizeof(addr));
		snprintf(key, sizeof(key), "udp %s", c->name ? c->name : addr);
		snprintf(shown, sizeof(shown), "UDP %s", c->name ? c->name : addr);
		return report_host(r, key, REPORT_UDP, shown);
	}
	if (c->name)
		return report_host(r, c->name, REPORT_NAME, NULL);
	report_addr(&c->dst, addr, sizeof(addr));
	return report_host(r, addr, REPORT_ADDR, NULL);
}

/* @reason ("no rule" if NULL) through util_escape() into @shown, and kept
 * as @h's last (@h may be NULL; out of memory it keeps none). */
static const char *report_set_reason(struct report_host *h, const char *reason, char *shown,
				     size_t len)
{
	util_escape(reason ? reason : "no rule", shown, len);
	if (h) {
		free(h->reason);
		h->reason = strdup(shown);
	}
	return shown;
}

/* ---- who: refusals by program -------------------------------------------- */

/* "node (postinstall of evil-pkg@1.0.0)", escaped: the executable's name,
 * and the package whose lifecycle script ran it. */
static void report_prog_label(const struct report_proc *p, char *out, size_t len)
{
	const char *base = strrchr(p->exe, '/');
	char raw[sizeof(p->argv) + sizeof(p->pkg_name) + sizeof(p->pkg_version) + sizeof(p->pkg_script) + 16];

	base = base ? base + 1 : p->exe;
	if (!*base)
		base = p->argv_len ? p->argv : "?";
	if (p->pkg_name[0])
		snprintf(raw, sizeof(raw), "%s (%s of %s%s%s)", base,
			 p->pkg_script[0] ? p->pkg_script : "a script", p->pkg_name,
			 p->pkg_version[0] ? "@" : "", p->pkg_version);
	else
		snprintf(raw, sizeof(raw), "%s", base);
	util_escape(raw, out, len);
}

/* Remember for the summary that @proc was refused @what (escaped). */
static void report_prog_add(struct report *r, const struct report_proc *proc, const char *what)
{
	char label[REPORT_SHOWN_MAX];
	struct report_prog *p, **tail = &r->progs;

	if (!proc)
		return;
	report_prog_label(proc, label, sizeof(label));
	for (p = r->progs; p; p = p->next)
		if (strcmp(p->label, label) == 0)
			break;
	if (!p) {
		/* Kept in the order of first refusal: the summary tells the
		 * story as it happened. */
		char *copy = strdup(label);

		p = copy ? calloc(1, sizeof(*p)) : NULL;
		if (!p) {
			free(copy);
			r->uncounted++;
			return;
		}
		p->label = copy;
		while (*tail)
			tail = &(*tail)->next;
		*tail = p;
	}
	for (size_t i = 0; i < p->nitems; i++)
		if (strcmp(p->items[i], what) == 0)
			return;
	if (p->nitems == REPORT_PROG_ITEMS || !(p->items[p->nitems] = strdup(what))) {
		p->more++;
		return;
	}
	p->nitems++;
}

/* " by LABEL" for a denial line, or "". */
static const char *report_by(const struct report_proc *proc, char *out, size_t len)
{
	size_t n;

	out[0] = '\0';
	if (!proc)
		return out;
	n = (size_t)snprintf(out, len, " by ");
	if (n < len)
		report_prog_label(proc, out + n, len - n);
	return out;
}

/* One denial line on stderr: "netbox: denied WHAT (REASON) by WHO — FIX".
 * The first of the run comes after the run's hint. */
static void report_say(struct report *r, const char *what, const char *reason,
		       const struct report_proc *proc, const char *fix)
{
	char by[REPORT_SHOWN_MAX];

	if (r->quiet || r->last_full)
		return;
	report_say_hint(r);
	fprintf(stderr, "netbox: denied %s%s%s%s%s%s%s\n", what, reason ? " (" : "",
		reason ? reason : "", reason ? ")" : "", report_by(proc, by, sizeof(by)),
		fix ? " \u2014 " : "", fix ? fix : "");
}

/* The fix for a denied @name on @port (0: DNS), escaped, or NULL. */
static const char *report_fix(struct report *r, const char *name, uint16_t port, char *out,
			      size_t len)
{
	char raw[512];

	if (!r->hinter || !name || !r->hinter(r->hinter_ctx, name, port, raw, sizeof(raw)))
		return NULL;
	return util_escape(raw, out, len);
}

/* ---- decisions ----------------------------------------------------------- */

void report_dns(struct report *r, const struct report_dns *d)
{
	struct report_host *h = report_host(r, d->name, REPORT_NAME, NULL);
	char shown[REPORT_SHOWN_MAX], reason[REPORT_SHOWN_MAX], what[REPORT_SHOWN_MAX + 8];
	char fix[REPORT_SHOWN_MAX];

	r->n_dns[d->allowed]++;
	if (r->log)
		report_log_dns(r, d);
	if (d->allowed) {
		if (h) {
			h->dns_allowed++;
			if (!h->dns_rule && d->rule)
				h->dns_rule = strdup(d->rule);
		}
		return;
	}
	util_escape(d->name, shown, sizeof(shown));
	snprintf(what, sizeof(what), "DNS %s", shown);
	report_prog_add(r, d->proc, what);
	/* Search-domain expansion and retries ask the same name many times:
	 * say it once (or each time, if it cannot be counted). */
	report_set_reason(h, d->reason, reason, sizeof(reason));
	if (!h || h->dns_denied++ == 0)
		report_say(r, what, d->reason && strcmp(d->reason, "no rule") != 0 ? reason : NULL,
			   d->proc, report_fix(r, d->name, 0, fix, sizeof(fix)));
}

void report_connection(struct report *r, const struct report_conn *c)
{
	char shown[REPORT_SHOWN_MAX + 16], reason[REPORT_SHOWN_MAX], fix[REPORT_SHOWN_MAX];
	struct report_host *h = report_conn_host(r, c);
	struct report_port *pt = h ? report_port(r, h, c->port) : NULL;
	bool first;

	r->n_conns[c->allowed]++;
	if (c->allowed) {
		/* Logged when it ends, with its byte counts. */
		if (pt) {
			h->conns_allowed++;
			pt->allowed++;
		}
		return;
	}
	if (r->log)
		report_log_conn(r, c);
	/* Each destination once on stderr (a retry loop must not flood it). */
	first = !pt || pt->denied == 0;
	if (pt) {
		if (c->proto == IPPROTO_UDP)
			h->udp_denied++;
		else
			h->conns_denied++;
		pt->denied++;
	}
	report_set_reason(pt ? h : NULL, c->reason, reason, sizeof(reason));
	if (h && (h->kind == REPORT_ADDR || (h->kind == REPORT_UDP && !c->name)) &&
	    !IN6_IS_ADDR_V4MAPPED(&c->dst))
		snprintf(shown, sizeof(shown), "%s[%s]:%u", c->proto == IPPROTO_UDP ? "UDP " : "",
			 h->shown + (h->kind == REPORT_UDP ? 4 : 0), c->port);
	else if (h)
		snprintf(shown, sizeof(shown), "%s:%u", h->shown, c->port);
	else
		snprintf(shown, sizeof(shown), "%s:%u", c->name ? "(a name)" : "(an address)", c->port);
	report_prog_add(r, c->proc, shown);
	if (first)
		report_say(r, shown, reason, c->proc,
			   c->proto == IPPROTO_UDP ? NULL : report_fix(r, c->name, c->port, fix, sizeof(fix)));
}

void report_connection_end(struct report *r, const struct report_conn *c)
{
	struct report_host *h = report_conn_host(r, c);

	if (r->log)
		report_log_conn(r, c);
	if (h) {
		h->bytes_up += c->bytes_up;
		h->bytes_down += c->bytes_down;
		if (c->via && !h->via)
			h->via = strdup(c->via); /* (out of memory: the summary does without) */
	}
}

void report_connection_failed(struct report *r, const struct report_conn *c)
{
	struct report_host *h = report_conn_host(r, c);
	struct report_port *pt = h ? report_port(r, h, c->port) : NULL;
	char shown[REPORT_SHOWN_MAX];

	if (r->log)
		report_log_conn(r, c);
	/* Each destination once: a client's retries must not flood stderr. */
	if (r->quiet || r->last_full || (pt && pt->failed++))
		return;
	fprintf(stderr, "netbox: %s\n", util_escape(c->via_error, shown, sizeof(shown)));
}

static const struct {
	int value;
	const char *name;
} report_families[] = {
	{ AF_UNIX, "unix" }, { AF_INET, "inet" }, { AF_INET6, "inet6" }, { AF_PACKET, "packet" },
	{ AF_NETLINK, "netlink" },
}, report_types[] = {
	{ SOCK_STREAM, "stream" }, { SOCK_DGRAM, "dgram" }, { SOCK_RAW, "raw" },
	{ SOCK_SEQPACKET, "seqpacket" }, { SOCK_PACKET, "packet" },
};

const char *report_socket_family(int family)
{
	for (size_t i = 0; i < ARRAY_SIZE(report_families); i++)
		if (report_families[i].value == family)
			return report_families[i].name;
	return "other";
}

const char *report_socket_type(int type)
{
	for (size_t i = 0; i < ARRAY_SIZE(report_types); i++)
		if (report_types[i].value == (type & 0xf))
			return report_types[i].name;
	return "other";
}

void report_socket(struct report *r, const struct report_socket *s)
{
	char key[96], shown[96];
	const char *reason = s->type == SOCK_RAW || s->family == AF_PACKET
				     ? "raw sockets reach past the proxy"
				     : "ICMP is not proxied";
	struct report_host *h;

	snprintf(key, sizeof(key), "socket %s %s %d", report_socket_family(s->family),
		 report_socket_type(s->type), s->protocol);
	if (s->type == SOCK_DGRAM)
		snprintf(shown, sizeof(shown), "ICMP socket (%s)", report_socket_family(s->family));
	else
		snprintf(shown, sizeof(shown), "%s socket (%s, protocol %d)",
			 report_socket_type(s->type), report_socket_family(s->family), s->protocol);
	h = report_host(r, key, REPORT_SOCKET, shown);
	r->sockets_denied++;
	if (r->log)
		report_log_socket(r, s, reason);
	report_set_reason(h, reason, key, sizeof(key));
	report_prog_add(r, s->proc, shown);
	if (!h || h->conns_denied++ == 0)
		report_say(r, shown, reason, s->proc, NULL);
}

/* No fix is suggested: the attempt is the program's, and sharing a host
 * daemon's socket (docker's, the ssh agent's) hands it what that daemon
 * can do — a copy-paste --allow-unix on a hostile package's denial line
 * would be netbox talking the user into it. */
void report_unix(struct report *r, const struct report_unix *u)
{
	char key[REPORT_SHOWN_MAX], shown[REPORT_SHOWN_MAX], reason[REPORT_SHOWN_MAX];
	struct report_host *h;

	snprintf(key, sizeof(key), "unix %s", u->path);
	snprintf(shown, sizeof(shown), "unix socket %s", u->path);
	h = report_host(r, key, REPORT_UNIX, shown);
	r->unix_denied++;
	if (r->log)
		report_log_unix(r, u);
	report_set_reason(h, u->reason ? u->reason : "hidden by netbox", reason, sizeof(reason));
	util_escape(h ? h->shown : "unix socket", shown, sizeof(shown));
	report_prog_add(r, u->proc, shown);
	if (!h || h->conns_denied++ == 0)
		report_say(r, shown, reason, u->proc, NULL);
}

/* Keep @q's method and first path segment in @h for the learned profile. */
static void report_reqs_add(struct report *r, struct report_host *h, const struct report_request *q)
{
	struct report_reqs *rq = h->reqs;
	const char *path = q->path && q->path[0] == '/' ? q->path + 1 : "";
	size_t seglen = strcspn(path, "/");
	size_t i;

	if (!rq && !(rq = h->reqs = calloc(1, sizeof(*rq)))) {
		r->uncounted++;
		return;
	}
	rq->port = q->port;
	for (i = 0; i < rq->nmethods && strcmp(rq->methods[i], q->method ? q->method : "") != 0; i++)
		;
	if (i == rq->nmethods) {
		if (rq->nmethods == REPORT_REQ_METHODS || !q->method ||
		    !(rq->methods[rq->nmethods] = strdup(q->method)))
			rq->all_methods = true;
		else
			rq->nmethods++;
	}
	for (i = 0; i < rq->nprefixes; i++)
		if (strlen(rq->prefixes[i].segment) == seglen &&
		    strncmp(rq->prefixes[i].segment, path, seglen) == 0)
			break;
	if (i == rq->nprefixes) {
		if (rq->nprefixes == REPORT_REQ_PREFIXES ||
		    !(rq->prefixes[i].segment = strndup(path, seglen))) {
			rq->all_paths = true;
			return;
		}
		rq->nprefixes++;
	}
	if (path[seglen] == '/')
		rq->prefixes[i].below = true;
	else
		rq->prefixes[i].exact = true;
}

void report_set_log_query(struct report *r, bool on)
{
	r->log_query = on;
}

void report_request(struct report *r, const struct report_request *q)
{
	struct report_host *h = report_host(r, q->name, REPORT_NAME, NULL);
	char what[REPORT_SHOWN_MAX], raw[REPORT_SHOWN_MAX], reason[REPORT_SHOWN_MAX];
	bool first;

	r->n_requests[q->allowed]++;
	if (r->log)
		report_log_request(r, q);
	if (q->allowed) {
		if (h) {
			h->req_allowed++;
			report_reqs_add(r, h, q);
		}
		return;
	}
	/* Each host, method and path once on stderr. */
	first = !h || h->req_denied == 0 || !h->reason || !q->method || !q->method[0] ||
		!strstr(h->reason, q->method);
	if (h)
		h->req_denied++;
	snprintf(raw, sizeof(raw), "%s %s%s", q->method && q->method[0] ? q->method : "a request to",
		 q->name ? q->name : "?", q->path ? q->path : "");
	util_escape(raw, what, sizeof(what));
	report_set_reason(h, q->reason ? q->reason : "no rule", reason, sizeof(reason));
	report_prog_add(r, q->proc, what);
	if (first)
		report_say(r, what, reason, q->proc, NULL);
}
