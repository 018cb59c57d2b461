/* report.c — denial lines as they happen and the exit summary (report.h).
 *
 * Hosts are counted in a small chained hash table keyed by the name (or the
 * printed address for raw-IP destinations).  Only decisions and connection
 * ends reach this file, never the data path.
 */
#include "report.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define REPORT_BUCKETS 256
#define REPORT_PORTS 6

struct report_host {
	struct report_host *next;
	char *key;
	uint32_t dns_allowed, dns_denied;
	uint32_t conns_allowed, conns_denied;
	uint64_t bytes_up, bytes_down;
	uint16_t ports[REPORT_PORTS];
	int nports;
	char *reason; /* the last denial's reason */
};

struct report {
	bool quiet;
	struct report_host *buckets[REPORT_BUCKETS];
	size_t nhosts;
};

struct report *report_new(bool quiet)
{
	struct report *r = xcalloc(1, sizeof(*r));

	r->quiet = quiet;
	return r;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < REPORT_BUCKETS; i++) {
		struct report_host *h = r->buckets[i], *next;

		for (; h; h = next) {
			next = h->next;
			free(h->key);
			free(h->reason);
			free(h);
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

static struct report_host *report_host(struct report *r, const char *key)
{
	uint32_t b = report_hash(key) % REPORT_BUCKETS;
	struct report_host *h;

	for (h = r->buckets[b]; h; h = h->next)
		if (strcmp(h->key, key) == 0)
			return h;
	h = xcalloc(1, sizeof(*h));
	h->key = xstrdup(key);
	h->next = r->buckets[b];
	r->buckets[b] = h;
	r->nhosts++;
	return h;
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

static void report_set_reason(struct report_host *h, const char *reason)
{
	free(h->reason);
	h->reason = xstrdup(reason ? reason : "no rule");
}

void report_dns(struct report *r, const char *name, bool allowed, const char *reason)
{
	struct report_host *h = report_host(r, name);

	if (allowed) {
		h->dns_allowed++;
		return;
	}
	/* Search-domain expansion and retries ask the same name many times:
	 * say it once. */
	if (h->dns_denied++ == 0 && !r->quiet) {
		if (reason && strcmp(reason, "no rule") != 0)
			fprintf(stderr, "netbox: denied DNS %s (%s)\n", name, reason);
		else
			fprintf(stderr, "netbox: denied DNS %s\n", name);
	}
	report_set_reason(h, reason);
}

void report_connection(struct report *r, const struct report_conn *c)
{
	char buf[INET6_ADDRSTRLEN];
	const char *key = report_key(c, buf, sizeof(buf));
	struct report_host *h = report_host(r, key);
	int i;

	for (i = 0; i < h->nports && h->ports[i] != c->port; i++)
		;
	if (i == h->nports && h->nports < REPORT_PORTS)
		h->ports[h->nports++] = c->port;
	if (c->allowed) {
		h->conns_allowed++;
		return;
	}
	h->conns_denied++;
	report_set_reason(h, c->reason);
	if (!r->quiet) {
		if (c->name || IN6_IS_ADDR_V4MAPPED(&c->dst))
			fprintf(stderr, "netbox: denied %s:%u (%s)\n", key, c->port,
				c->reason ? c->reason : "no rule");
		else
			fprintf(stderr, "netbox: denied [%s]:%u (%s)\n", key, c->port,
				c->reason ? c->reason : "no rule");
	}
}

void report_connection_end(struct report *r, const struct report_conn *c)
{
	char buf[INET6_ADDRSTRLEN];
	struct report_host *h = report_host(r, report_key(c, buf, sizeof(buf)));

	h->bytes_up += c->bytes_up;
	h->bytes_down += c->bytes_down;
}

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

static int report_cmp(const void *a, const void *b)
{
	const struct report_host *x = *(const struct report_host *const *)a;
	const struct report_host *y = *(const struct report_host *const *)b;
	bool xd = x->conns_denied || x->dns_denied, yd = y->conns_denied || y->dns_denied;

	if (xd != yd)
		return xd - yd;
	return strcmp(x->key, y->key);
}

void report_summary(struct report *r)
{
	struct report_host **all;
	size_t n = 0, nallowed = 0, ndenied = 0;

	if (r->quiet || r->nhosts == 0)
		return;
	all = xcalloc(r->nhosts, sizeof(*all));
	for (size_t i = 0; i < REPORT_BUCKETS; i++)
		for (struct report_host *h = r->buckets[i]; h; h = h->next)
			all[n++] = h;
	qsort(all, n, sizeof(*all), report_cmp);
	for (size_t i = 0; i < n; i++) {
		if (all[i]->conns_denied || all[i]->dns_denied)
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
		bool denied = h->conns_denied || h->dns_denied;
		char ports[64] = "", up[32], down[32];
		size_t off = 0;

		for (int p = 0; p < h->nports && off < sizeof(ports) - 8; p++)
			off += (size_t)snprintf(ports + off, sizeof(ports) - off, "%s%u", p ? "," : "",
						h->ports[p]);
		if (!h->nports)
			snprintf(ports, sizeof(ports), "-");
		report_bytes(h->bytes_up, up, sizeof(up));
		report_bytes(h->bytes_down, down, sizeof(down));
		fprintf(stderr, "  %-7s %-32s %-12s %5u %5u %10s %10s%s%s%s\n", denied ? "denied" : "allowed",
			h->key, ports, h->dns_allowed + h->dns_denied,
			denied ? h->conns_denied : h->conns_allowed, denied ? "-" : up,
			denied ? "-" : down, denied ? "  (" : "", denied ? h->reason : "",
			denied ? ")" : "");
	}
	free(all);
}
