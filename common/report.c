/* report.c — denial lines, the JSON Lines log, the exit summary and the
 * learned profile (report.h).
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
#include "report.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#define REPORT_BUCKETS 256
#define REPORT_SHOWN_MAX 2048 /* util_escape() of a name (255 bytes at most) or a reason */

struct report_port {
	uint16_t port;
	uint32_t allowed, denied;
};

struct report_host {
	struct report_host *next;
	char *key;
	char *shown;  /* @key through util_escape(): what the text outputs print */
	bool is_addr;
	uint32_t dns_allowed, dns_denied;
	uint32_t conns_allowed, conns_denied;
	uint64_t bytes_up, bytes_down;
	struct report_port *ports;
	size_t nports;
	char *reason; /* the last denial's reason, through util_escape() */
};

struct report {
	bool quiet;
	FILE *log;
	struct report_host *buckets[REPORT_BUCKETS];
	size_t nhosts;
	size_t uncounted; /* decisions not counted: no memory for their host or port */
};

struct report *report_new(bool quiet, FILE *log)
{
	struct report *r = xcalloc(1, sizeof(*r));

	r->quiet = quiet;
	r->log = log;
	return r;
}

static void report_host_free(struct report_host *h)
{
	free(h->key);
	free(h->shown);
	free(h->reason);
	free(h->ports);
	free(h);
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
	free(r);
}

static uint32_t report_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* @key's host, added if new; NULL (counted in r->uncounted) out of memory. */
static struct report_host *report_host(struct report *r, const char *key, bool is_addr)
{
	uint32_t b = report_hash(key) % REPORT_BUCKETS;
	char shown[REPORT_SHOWN_MAX];
	struct report_host *h;

	for (h = r->buckets[b]; h; h = h->next)
		if (strcmp(h->key, key) == 0)
			return h;
	h = calloc(1, sizeof(*h));
	if (h) {
		h->key = strdup(key);
		h->shown = strdup(util_escape(key, shown, sizeof(shown)));
	}
	if (!h || !h->key || !h->shown) {
		if (h)
			report_host_free(h);
		r->uncounted++;
		return NULL;
	}
	h->is_addr = is_addr;
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

static void report_addr(const struct in6_addr *a, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
}

static const char *report_key(const struct report_conn *c, char *buf, size_t len)
{
	if (c->name)
		return c->name;
	report_addr(&c->dst, buf, len);
	return buf;
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

/* ---- the JSON Lines log ---------------------------------------------------- */

void report_json_escape(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;

	if (!outlen)
		return;
	for (; *p && o + 7 < outlen; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p;
		} else if (*p < 0x20 || *p >= 0x7f) {
			/* Names are ASCII once normalised; anything else (an
			 * invalid name as asked) is shown byte by byte, so the
			 * line stays valid UTF-8 whatever the program sent. */
			o += (size_t)snprintf(out + o, outlen - o, "\\u%04x", *p);
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
}

/* `"key":"value"` or `"key":null`, with a leading comma. */
static void report_json_str(FILE *f, const char *key, const char *value)
{
	char esc[1024];

	if (!value) {
		fprintf(f, ",\"%s\":null", key);
		return;
	}
	report_json_escape(value, esc, sizeof(esc));
	fprintf(f, ",\"%s\":\"%s\"", key, esc);
}

/* RFC 3339 UTC with milliseconds.  Wall-clock time on purpose: log lines are
 * read next to other logs; durations use CLOCK_MONOTONIC (now_ns()). */
static void report_json_start(FILE *f, const char *event)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"time\":\"%s.%03ldZ\",\"event\":\"%s\"", when, ts.tv_nsec / 1000000, event);
}

static const struct {
	uint16_t type;
	const char *name;
} report_qtypes[] = {
	{ 1, "A" },	{ 2, "NS" },	 { 5, "CNAME" }, { 6, "SOA" },	  { 12, "PTR" },
	{ 15, "MX" },	{ 16, "TXT" },	 { 28, "AAAA" }, { 33, "SRV" },	  { 64, "SVCB" },
	{ 65, "HTTPS" }, { 255, "ANY" },
};

static void report_log_dns(FILE *f, const struct report_dns *d)
{
	char qtype[16];

	snprintf(qtype, sizeof(qtype), "TYPE%u", d->qtype);
	for (size_t i = 0; i < ARRAY_SIZE(report_qtypes); i++)
		if (report_qtypes[i].type == d->qtype)
			snprintf(qtype, sizeof(qtype), "%s", report_qtypes[i].name);
	report_json_start(f, "dns");
	report_json_str(f, "name", d->name);
	report_json_str(f, "qtype", qtype);
	report_json_str(f, "verdict", d->allowed ? "allow" : "deny");
	report_json_str(f, "rule", d->rule);
	report_json_str(f, "rule_source", d->rule ? d->origin : NULL);
	report_json_str(f, "reason", d->allowed ? NULL : (d->reason ? d->reason : "no rule"));
	fputs("}\n", f);
}

static void report_log_conn(FILE *f, const struct report_conn *c)
{
	char ip[INET6_ADDRSTRLEN], fake[INET6_ADDRSTRLEN];

	report_json_start(f, "connection");
	report_json_str(f, "name", c->name);
	if (c->has_upstream)
		report_addr(&c->upstream, ip, sizeof(ip));
	else if (!c->name)
		report_addr(&c->dst, ip, sizeof(ip));
	report_json_str(f, "ip", c->has_upstream || !c->name ? ip : NULL);
	if (c->name)
		report_addr(&c->dst, fake, sizeof(fake));
	report_json_str(f, "fake_ip", c->name ? fake : NULL);
	fprintf(f, ",\"port\":%u", c->port);
	report_json_str(f, "verdict", c->allowed ? "allow" : "deny");
	report_json_str(f, "rule", c->rule);
	report_json_str(f, "rule_source", c->rule ? c->origin : NULL);
	report_json_str(f, "reason", c->allowed ? NULL : (c->reason ? c->reason : "no rule"));
	report_json_str(f, "sni", c->sni);
	fprintf(f, ",\"bytes_sent\":%llu,\"bytes_received\":%llu,\"duration_ms\":%.3f}\n",
		(unsigned long long)c->bytes_up, (unsigned long long)c->bytes_down,
		(double)c->duration_ns / 1e6);
}

/* ---- decisions ----------------------------------------------------------- */

void report_dns(struct report *r, const struct report_dns *d)
{
	struct report_host *h = report_host(r, d->name, false);
	char shown[REPORT_SHOWN_MAX], reason[REPORT_SHOWN_MAX];

	if (r->log)
		report_log_dns(r->log, d);
	if (d->allowed) {
		if (h)
			h->dns_allowed++;
		return;
	}
	/* Search-domain expansion and retries ask the same name many times:
	 * say it once (or each time, if it cannot be counted). */
	report_set_reason(h, d->reason, reason, sizeof(reason));
	if ((!h || h->dns_denied++ == 0) && !r->quiet) {
		util_escape(d->name, shown, sizeof(shown));
		if (d->reason && strcmp(d->reason, "no rule") != 0)
			fprintf(stderr, "netbox: denied DNS %s (%s)\n", shown, reason);
		else
			fprintf(stderr, "netbox: denied DNS %s\n", shown);
	}
}

void report_connection(struct report *r, const struct report_conn *c)
{
	char buf[INET6_ADDRSTRLEN], shown[REPORT_SHOWN_MAX], reason[REPORT_SHOWN_MAX];
	const char *key = report_key(c, buf, sizeof(buf));
	struct report_host *h = report_host(r, key, !c->name);
	struct report_port *pt = h ? report_port(r, h, c->port) : NULL;

	if (c->allowed) {
		/* Logged when it ends, with its byte counts. */
		if (pt) {
			h->conns_allowed++;
			pt->allowed++;
		}
		return;
	}
	if (r->log)
		report_log_conn(r->log, c);
	if (pt) {
		h->conns_denied++;
		pt->denied++;
	}
	report_set_reason(pt ? h : NULL, c->reason, reason, sizeof(reason));
	if (!r->quiet) {
		util_escape(key, shown, sizeof(shown));
		if (c->name || IN6_IS_ADDR_V4MAPPED(&c->dst))
			fprintf(stderr, "netbox: denied %s:%u (%s)\n", shown, c->port, reason);
		else
			fprintf(stderr, "netbox: denied [%s]:%u (%s)\n", shown, c->port, reason);
	}
}

void report_connection_end(struct report *r, const struct report_conn *c)
{
	char buf[INET6_ADDRSTRLEN];
	struct report_host *h = report_host(r, report_key(c, buf, sizeof(buf)), !c->name);

	if (r->log)
		report_log_conn(r->log, c);
	if (h) {
		h->bytes_up += c->bytes_up;
		h->bytes_down += c->bytes_down;
	}
}

/* ---- the exit summary and the learned profile ------------------------------ */

static void report_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static bool report_denied(const struct report_host *h)
{
	return h->conns_denied || h->dns_denied;
}

static int report_cmp(const void *a, const void *b)
{
	const struct report_host *x = *(const struct report_host *const *)a;
	const struct report_host *y = *(const struct report_host *const *)b;
	bool xd = report_denied(x), yd = report_denied(y);

	if (xd != yd)
		return xd - yd;
	return strcmp(x->key, y->key);
}

static int report_port_cmp(const void *a, const void *b)
{
	return (int)((const struct report_port *)a)->port - (int)((const struct report_port *)b)->port;
}

/* Every host, sorted (allowed first, then by name); NULL when there are none
 * or no memory to sort them (*@n 0 either way).  Each host's ports are
 * sorted too. */
static struct report_host **report_sorted(struct report *r, size_t *n)
{
	struct report_host **all;

	*n = 0;
	if (!r->nhosts)
		return NULL;
	all = calloc(r->nhosts, sizeof(*all));
	if (!all)
		return NULL;
	for (size_t i = 0; i < REPORT_BUCKETS; i++)
		for (struct report_host *h = r->buckets[i]; h; h = h->next) {
			if (h->nports) /* qsort(NULL, 0): UB (a host seen in DNS only) */
				qsort(h->ports, h->nports, sizeof(*h->ports), report_port_cmp);
			all[(*n)++] = h;
		}
	qsort(all, *n, sizeof(*all), report_cmp);
	return all;
}

/* "80,443" of the ports with allowed (or, if @denied, any) connections. */
static void report_port_list(const struct report_host *h, bool denied, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t p = 0; p < h->nports && off + 8 < len; p++) {
		if (!h->ports[p].allowed && !(denied && h->ports[p].denied))
			continue;
		off += (size_t)snprintf(out + off, len - off, "%s%u", off ? "," : "", h->ports[p].port);
	}
	if (!out[0])
		snprintf(out, len, "-");
}

void report_summary(struct report *r)
{
	struct report_host **all;
	size_t n, nallowed = 0, ndenied = 0;

	if (r->quiet || (r->nhosts == 0 && r->uncounted == 0))
		return;
	if (r->uncounted)
		fprintf(stderr, "netbox: out of memory during the run: %zu network decision%s not counted below\n",
			r->uncounted, r->uncounted == 1 ? "" : "s");
	all = report_sorted(r, &n);
	if (!all) {
		if (r->nhosts)
			fprintf(stderr, "netbox: no network summary: out of memory\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (report_denied(all[i]))
			ndenied++;
		else
			nallowed++;
	}
	fprintf(stderr, "netbox: network summary: %zu host%s allowed, %zu denied\n", nallowed,
		nallowed == 1 ? "" : "s", ndenied);
	fprintf(stderr, "  %-7s %-32s %-12s %5s %5s %10s %10s\n", "verdict", "host", "ports", "dns",
		"conns", "sent", "received");
	for (size_t i = 0; i < n; i++) {
		struct report_host *h = all[i];
		bool denied = report_denied(h), mixed = denied && h->conns_allowed;
		char ports[64], up[32], down[32];

		/* "partly": some connections allowed, some refused (another
		 * port, an SNI mismatch): both counted, bytes shown. */
		report_port_list(h, true, ports, sizeof(ports));
		report_bytes(h->bytes_up, up, sizeof(up));
		report_bytes(h->bytes_down, down, sizeof(down));
		fprintf(stderr, "  %-7s %-32s %-12s %5u %5u %10s %10s%s%s%s\n",
			mixed ? "partly" : denied ? "denied" : "allowed", h->shown, ports,
			h->dns_allowed + h->dns_denied, h->conns_allowed + h->conns_denied,
			denied && !mixed ? "-" : up, denied && !mixed ? "-" : down, denied ? "  (" : "",
			denied && h->reason ? h->reason : "", denied ? ")" : "");
	}
	free(all);
}

int report_learned(struct report *r, FILE *out, const char *command)
{
	struct report_host **all;
	size_t n, nrules = 0;
	char cmd[512];

	all = report_sorted(r, &n);
	if (!all) {
		if (r->nhosts)
			return -ENOMEM; /* a profile missing what ran is worse than none */
		n = 0;
	}
	util_escape(command, cmd, sizeof(cmd));
	fprintf(out,
		"# netbox profile learned with --learn from:\n"
		"#   %s\n"
		"# It allows exactly the hosts and ports that run connected to.\n"
		"# Replay: netbox --profile THIS-FILE -- COMMAND\n",
		cmd);
	for (size_t i = 0; i < n; i++) {
		struct report_host *h = all[i];
		char rule[1024], ports[512], up[32], down[32];

		if (!h->conns_allowed)
			continue;
		report_port_list(h, false, ports, sizeof(ports));
		if (!h->is_addr)
			snprintf(rule, sizeof(rule), "=%s:%s", h->shown, ports);
		else if (strchr(h->key, ':'))
			snprintf(rule, sizeof(rule), "[%s]:%s", h->shown, ports);
		else
			snprintf(rule, sizeof(rule), "%s:%s", h->shown, ports);
		report_bytes(h->bytes_up, up, sizeof(up));
		report_bytes(h->bytes_down, down, sizeof(down));
		fprintf(out, "allow %-44s # %u connection%s, %s sent, %s received\n", rule,
			h->conns_allowed, h->conns_allowed == 1 ? "" : "s", up, down);
		nrules++;
	}
	if (!nrules)
		fprintf(out, "# (no connection was made: this profile allows nothing)\n");
	if (r->uncounted)
		fprintf(out, "# incomplete: netbox ran out of memory and did not count %zu decision%s\n",
			r->uncounted, r->uncounted == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		struct report_host *h = all[i];
		char ports[512];

		if (h->conns_denied) {
			report_port_list(h, true, ports, sizeof(ports));
			fprintf(out, "# refused: %s:%s (%s)\n", h->shown, ports, h->reason ? h->reason : "");
		} else if (!h->conns_allowed && h->dns_allowed) {
			fprintf(out, "# resolved, never connected to: %s\n", h->shown);
		}
	}
	free(all);
	if (fflush(out) != 0 || ferror(out))
		return -(errno ? errno : EIO);
	return 0;
}
