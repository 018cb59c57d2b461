/* report_summary.c — the exit summary on stderr and the --learn profile,
 * made from the counts report.c keeps.
 *
 * The summary has three parts: the table of destinations (a host by name
 * or address, a UDP destination, a refused socket), with the names a
 * wildcard rule let resolve folded into one line per rule — how many names
 * went upstream under it is how wide that DNS channel stayed open; then,
 * when attribution is on, who was refused what, by program and package.
 */
#include "report_internal.h"
#include "util.h"

#include <errno.h>
#include <string.h>

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
	return h->conns_denied || h->dns_denied || h->udp_denied;
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
struct report_host **report_sorted(struct report *r, size_t *n)
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

/* Is @rule a wildcard over many names ("*.npmjs.org", ".npmjs.org"), not
 * everything ("*", "*:*")? */
static bool report_wide_rule(const char *rule)
{
	return rule && (rule[0] == '.' || (rule[0] == '*' && rule[1] == '.'));
}

/* One row of the table. */
struct report_row {
	const char *verdict, *label, *reason;
	char ports[64];
	uint32_t dns, conns;
	uint64_t up, down;
	bool show_bytes;
	size_t names; /* > 1: names folded into this row (one rule) */
	const char *via; /* the upstream proxy that carried it, or NULL */
};

static void report_row_print(const struct report_row *w)
{
	char up[32], down[32], note[96] = "";

	report_bytes(w->up, up, sizeof(up));
	report_bytes(w->down, down, sizeof(down));
	if (w->names > 1)
		snprintf(note, sizeof(note), "  (%zu names sent upstream)", w->names);
	else if (w->via)
		snprintf(note, sizeof(note), "  (via %.80s)", w->via);
	fprintf(stderr, "  %-7s %-32s %-12s %5u %5u %10s %10s%s%s%s%s\n", w->verdict, w->label,
		w->ports, w->dns, w->conns, w->show_bytes ? up : "-", w->show_bytes ? down : "-",
		w->reason ? "  (" : "", w->reason ? w->reason : "", w->reason ? ")" : "", note);
}

static void report_row_of(const struct report_host *h, struct report_row *w)
{
	bool denied = report_denied(h), mixed = denied && h->conns_allowed;

	/* "partly": some connections allowed, some refused (another port, an
	 * SNI mismatch): both counted, bytes shown. */
	*w = (struct report_row){
		.verdict = mixed ? "partly" : denied ? "denied" : "allowed",
		.label = h->shown,
		.reason = denied ? (h->reason ? h->reason : "") : NULL,
		.dns = h->dns_allowed + h->dns_denied,
		.conns = h->conns_allowed + h->conns_denied + h->udp_denied,
		.up = h->bytes_up,
		.down = h->bytes_down,
		.show_bytes = !denied || mixed,
		.names = 1,
		.via = h->via,
	};
	report_port_list(h, true, w->ports, sizeof(w->ports));
}

/* The allowed names @all[@i...] resolved under the same wide rule as
 * @all[@i], folded into one row: "registry.npmjs.org and 11 names under
 * *.npmjs.org".  @done marks the hosts it took. */
static void report_row_fold(struct report_host **all, size_t n, size_t i, bool *done,
			    char *label, size_t len)
{
	struct report_row w;
	const char *rule = all[i]->dns_rule;
	size_t busiest = i, names = 0;
	uint32_t dns = 0, conns = 0;
	uint64_t up = 0, down = 0;

	for (size_t j = i; j < n; j++) {
		struct report_host *h = all[j];

		if (done[j] || report_denied(h) || h->kind != REPORT_NAME || !h->dns_rule ||
		    strcmp(h->dns_rule, rule) != 0)
			continue;
		done[j] = true;
		names++;
		dns += h->dns_allowed;
		conns += h->conns_allowed;
		up += h->bytes_up;
		down += h->bytes_down;
		if (h->conns_allowed > all[busiest]->conns_allowed)
			busiest = j;
	}
	report_row_of(all[busiest], &w);
	if (names > 1) {
		char shown_rule[300];

		util_escape(rule, shown_rule, sizeof(shown_rule));
		snprintf(label, len, "%s and %zu name%s under %s", all[busiest]->shown, names - 1,
			 names == 2 ? "" : "s", shown_rule);
		w.label = label;
		w.dns = dns;
		w.conns = conns;
		w.up = up;
		w.down = down;
		w.names = names;
	}
	report_row_print(&w);
}

/* Who was refused what: one line per program (and package). */
static void report_summary_progs(const struct report *r)
{
	if (!r->progs)
		return;
	fprintf(stderr, "netbox: refused, by program:\n");
	for (const struct report_prog *p = r->progs; p; p = p->next) {
		fprintf(stderr, "  %s: ", p->label);
		for (size_t i = 0; i < p->nitems; i++)
			fprintf(stderr, "%sdenied %s", i ? ", " : "", p->items[i]);
		if (p->more)
			fprintf(stderr, ", and %u more", p->more);
		fputc('\n', stderr);
	}
}

void report_summary(struct report *r)
{
	struct report_host **all;
	size_t n, nallowed = 0, ndenied = 0;
	bool *done;

	if (r->quiet || (r->nhosts == 0 && r->uncounted == 0))
		return;
	if (r->uncounted)
		fprintf(stderr, "netbox: out of memory during the run: %zu network decision%s not counted below\n",
			r->uncounted, r->uncounted == 1 ? "" : "s");
	all = report_sorted(r, &n);
	done = all ? calloc(n, sizeof(*done)) : NULL;
	if (!done) {
		if (r->nhosts)
			fprintf(stderr, "netbox: no network summary: out of memory\n");
		free(all);
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
	fprintf(stderr, "  %-7s %-32s %-12s %5s %5s %10s %10s\n", "verdict", "host", "ports",
		"dns", "conns", "sent", "received");
	for (size_t i = 0; i < n; i++) {
		char label[REPORT_SHOWN_MAX + 320];
		struct report_row w;

		if (done[i])
			continue;
		if (!report_denied(all[i]) && all[i]->kind == REPORT_NAME &&
		    report_wide_rule(all[i]->dns_rule)) {
			report_row_fold(all, n, i, done, label, sizeof(label));
			continue;
		}
		report_row_of(all[i], &w);
		report_row_print(&w);
	}
	free(done);
	free(all);
	report_summary_progs(r);
}

/* Can @seg stand in a learned rule's path as it is: no glob, no blank, no
 * byte a profile line would mangle? */
static bool report_learned_segment_ok(const char *seg)
{
	return strspn(seg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			   "-._~%@!$&'()+,;=:") == strlen(seg);
}

/* An inspected host's learned rules: the methods its allowed requests
 * used, on each first path segment they went to ("https://=registry.test/
 * lab-hello/" for what was below it, ".../lab-hello" for itself), or on
 * every path when there were too many or an odd one.  Returns how many. */
static size_t report_learned_requests(FILE *out, const struct report_host *h)
{
	const struct report_reqs *q = h->reqs;
	char methods[REPORT_REQ_METHODS * 24 + 2] = "*", base[400];
	bool all_paths = q->all_paths;
	size_t off = 0, n = 0;

	for (size_t i = 0; i < q->nmethods && !q->all_methods; i++)
		off += (size_t)snprintf(methods + off, sizeof(methods) - off, "%s%.20s", i ? "," : "",
					q->methods[i]);
	if (q->port == 80)
		snprintf(base, sizeof(base), "http://=%s", h->shown);
	else if (q->port == 443)
		snprintf(base, sizeof(base), "https://=%s", h->shown);
	else
		snprintf(base, sizeof(base), "https://=%s:%u", h->shown, q->port);
	for (size_t i = 0; i < q->nprefixes; i++)
		all_paths |= !q->prefixes[i].segment[0] || !report_learned_segment_ok(q->prefixes[i].segment);
	if (all_paths) {
		fprintf(out, "allow %s %s/\n", methods, base);
		return 1;
	}
	for (size_t i = 0; i < q->nprefixes; i++) {
		if (q->prefixes[i].below && ++n)
			fprintf(out, "allow %s %s/%s/\n", methods, base, q->prefixes[i].segment);
		if (q->prefixes[i].exact && ++n)
			fprintf(out, "allow %s %s/%s\n", methods, base, q->prefixes[i].segment);
	}
	return n;
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
		if (h->reqs && h->req_allowed && h->kind == REPORT_NAME) {
			fprintf(out, "# %s: %u request%s on %u connection%s, inspected\n", h->shown,
				h->req_allowed, h->req_allowed == 1 ? "" : "s", h->conns_allowed,
				h->conns_allowed == 1 ? "" : "s");
			nrules += report_learned_requests(out, h);
			continue;
		}
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
