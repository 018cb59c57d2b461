/* report_log.c — the --log file: one JSON object per line (JSON Lines),
 * written by the supervisor as decisions are made (report.c calls in).
 *
 * Every record has "v" (REPORT_SCHEMA_VERSION), "time" and "event"; the
 * fields of each event are docs/log.schema.json's, against which the suite
 * checks every record it makes (tests/lib.sh t_done, meson test logschema).  A record that names a
 * process has "proc": its pid as the sandbox sees it, executable, arguments
 * and, for an npm/yarn/pnpm lifecycle script, the package.  What comes
 * from the program (names as asked, SNI, arguments, environment) goes
 * through report_json_escape(): the file stays valid UTF-8 JSON, a line a
 * record, whatever the program sent.
 *
 * Each record is made whole in memory and written with one write()
 * (report_rec_*): stdio's line buffer wrote a long record in pieces, and a
 * write that failed half way — the disk full, which the program can do to
 * the one the log is on — left a cut line the next record continued
 * (invalid JSON, records silently gone).  A record that cannot be written
 * whole is cut off again (or, where the log is not a file, its line
 * ended), counted in the end record's records_lost, and said once.
 */
#include "report_internal.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* One record being made: @f writes into @buf. */
struct report_rec {
	FILE *f;
	char *buf;
	size_t len;
};

static void report_rec_lost(struct report *r, int err)
{
	r->log_lost++;
	if (!r->log_said)
		warn("cannot write the --log file (%s): records are missing from it (the end record "
		     "counts them)", strerror(err));
	r->log_said = true;
}

/* The memory stream for a record, or NULL (counted). */
static FILE *report_rec_open(struct report *r, struct report_rec *rec)
{
	*rec = (struct report_rec){ 0 };
	rec->f = open_memstream(&rec->buf, &rec->len);
	if (!rec->f)
		report_rec_lost(r, ENOMEM);
	return rec->f;
}

/* Write @rec whole to the log, or nothing of it. */
static void report_rec_write(struct report *r, struct report_rec *rec)
{
	int fd = fileno(r->log), err = 0;
	struct stat st;
	bool file = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	size_t off = 0;

	if (fclose(rec->f) != 0)
		err = ENOMEM;
	if (!err && fd < 0) {
		/* a stream with no descriptor (the unit tests' memory ones) */
		if (fwrite(rec->buf, 1, rec->len, r->log) != rec->len || fflush(r->log) != 0)
			err = EIO;
		off = rec->len;
	}
	while (!err && off < rec->len) {
		ssize_t n = write(fd, rec->buf + off, rec->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? errno : EIO;
		else
			off += (size_t)n;
	}
	/* Only netbox writes the file (it is covered in the sandbox): its
	 * size before is where the record began. */
	if (err && off > 0 && (!file || ftruncate(fd, st.st_size) < 0) &&
	    write(fd, "\n", 1) < 0)
		err = errno;
	if (err)
		report_rec_lost(r, err);
	free(rec->buf);
}

/* `"key":"value"` or `"key":null`, with a leading comma (@key none: a bare
 * array member). */
static void report_json_str(FILE *f, const char *key, const char *value)
{
	char esc[1024];

	if (key)
		fprintf(f, ",\"%s\":", key);
	if (!value) {
		fputs("null", f);
		return;
	}
	report_json_escape(value, esc, sizeof(esc));
	fprintf(f, "\"%s\"", esc);
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
	fprintf(f, "{\"v\":%d,\"time\":\"%s.%03ldZ\",\"event\":\"%s\"", REPORT_SCHEMA_VERSION, when,
		ts.tv_nsec / 1000000, event);
}

/* ,"proc":{...} or ,"proc":null */
static void report_json_proc(FILE *f, const struct report_proc *p)
{
	bool first = true;

	if (!p) {
		fputs(",\"proc\":null", f);
		return;
	}
	fprintf(f, ",\"proc\":{\"pid\":%d", p->pid);
	report_json_str(f, "exe", p->exe[0] ? p->exe : NULL);
	fputs(",\"argv\":[", f);
	for (size_t off = 0; off < p->argv_len && off < sizeof(p->argv);) {
		const char *a = p->argv + off;
		size_t l = strnlen(a, sizeof(p->argv) - off);

		if (!first)
			fputc(',', f);
		first = false;
		report_json_str(f, NULL, a);
		off += l + 1;
	}
	fprintf(f, "],\"argv_truncated\":%s", p->argv_truncated ? "true" : "false");
	if (p->pkg_name[0]) {
		fputs(",\"package\":{\"name\":", f);
		report_json_str(f, NULL, p->pkg_name);
		report_json_str(f, "version", p->pkg_version[0] ? p->pkg_version : NULL);
		report_json_str(f, "script", p->pkg_script[0] ? p->pkg_script : NULL);
		fputs("}}", f);
	} else {
		fputs(",\"package\":null}", f);
	}
}

static void report_json_end(struct report *r, struct report_rec *rec, const struct report_proc *p)
{
	report_json_proc(rec->f, p);
	fputs("}\n", rec->f);
	report_rec_write(r, rec);
}

static const struct {
	uint16_t type;
	const char *name;
} report_qtypes[] = {
	{ 1, "A" },	{ 2, "NS" },	 { 5, "CNAME" }, { 6, "SOA" },	  { 12, "PTR" },
	{ 15, "MX" },	{ 16, "TXT" },	 { 28, "AAAA" }, { 33, "SRV" },	  { 64, "SVCB" },
	{ 65, "HTTPS" }, { 255, "ANY" },
};

void report_log_dns(struct report *r, const struct report_dns *d)
{
	struct report_rec rec;
	FILE *f = report_rec_open(r, &rec);
	char qtype[16];

	if (!f)
		return;
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
	report_json_end(r, &rec, d->proc);
}

void report_log_conn(struct report *r, const struct report_conn *c)
{
	struct report_rec rec;
	FILE *f = report_rec_open(r, &rec);
	char ip[INET6_ADDRSTRLEN], fake[INET6_ADDRSTRLEN];

	if (!f)
		return;
	report_json_start(f, "connection");
	report_json_str(f, "protocol", c->proto == IPPROTO_UDP ? "udp" : "tcp");
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
	fprintf(f, ",\"bytes_sent\":%llu,\"bytes_received\":%llu,\"duration_ms\":%.3f",
		(unsigned long long)c->bytes_up, (unsigned long long)c->bytes_down,
		(double)c->duration_ns / 1e6);
	/* Only through an upstream proxy: a record without one is as before. */
	if (c->via)
		report_json_str(f, "via", c->via);
	if (c->via_error)
		report_json_str(f, "via_error", c->via_error);
	report_json_end(r, &rec, c->proc);
}

void report_log_socket(struct report *r, const struct report_socket *s, const char *reason)
{
	struct report_rec rec;
	FILE *f = report_rec_open(r, &rec);

	if (!f)
		return;
	report_json_start(f, "socket");
	report_json_str(f, "family", report_socket_family(s->family));
	report_json_str(f, "type", report_socket_type(s->type));
	fprintf(f, ",\"protocol\":%d", s->protocol);
	report_json_str(f, "verdict", "deny");
	report_json_str(f, "reason", reason);
	report_json_str(f, "error", s->err > 0 && strerrorname_np(s->err) ? strerrorname_np(s->err)
								      : "EPERM");
	report_json_end(r, &rec, s->proc);
}

void report_log_unix(struct report *r, const struct report_unix *u)
{
	struct report_rec rec;
	FILE *f = report_rec_open(r, &rec);

	if (!f)
		return;
	report_json_start(f, "unix");
	report_json_str(f, "path", u->path);
	report_json_str(f, "verdict", "deny");
	report_json_str(f, "reason", u->reason ? u->reason : "hidden by netbox");
	report_json_end(r, &rec, u->proc);
}

void report_log_request(struct report *r, const struct report_request *q)
{
	struct report_rec rec;
	FILE *f = report_rec_open(r, &rec);

	if (!f)
		return;
	report_json_start(f, "request");
	report_json_str(f, "name", q->name);
	fprintf(f, ",\"port\":%u", q->port);
	report_json_str(f, "method", q->method);
	report_json_str(f, "path", q->path);
	report_json_str(f, "query", r->log_query ? q->query : NULL);
	fprintf(f, ",\"status\":%d", q->status);
	report_json_str(f, "verdict", q->allowed ? "allow" : "deny");
	report_json_str(f, "rule", q->rule);
	report_json_str(f, "rule_source", q->rule ? q->origin : NULL);
	report_json_str(f, "reason", q->allowed ? NULL : (q->reason ? q->reason : "no rule"));
	fprintf(f, ",\"bytes_sent\":%llu,\"bytes_received\":%llu,\"duration_ms\":%.3f",
		(unsigned long long)q->bytes_up, (unsigned long long)q->bytes_down,
		(double)q->duration_ns / 1e6);
	report_json_end(r, &rec, q->proc);
}

void report_start(struct report *r, char *const *argv)
{
	struct report_rec rec;
	FILE *f;

	if (!r->log || !(f = report_rec_open(r, &rec)))
		return;
	report_json_start(f, "start");
	report_json_str(f, "netbox", NETBOX_VERSION);
	fputs(",\"command\":[", f);
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			fputc(',', f);
		report_json_str(f, NULL, argv[i]);
	}
	fprintf(f, "],\"attribution\":%s}\n", r->attrib ? "true" : "false");
	report_rec_write(r, &rec);
}

void report_end(struct report *r, int status)
{
	struct report_rec rec;
	FILE *f;

	if (!r->log || !(f = report_rec_open(r, &rec)))
		return;
	report_json_start(f, "end");
	fprintf(f, ",\"exit\":%d,\"dns_allowed\":%u,\"dns_denied\":%u,\"connections_allowed\":%u,"
		   "\"connections_denied\":%u,\"sockets_denied\":%u,\"unix_denied\":%u,"
		   "\"requests_allowed\":%u,\"requests_denied\":%u,\"records_lost\":%u}\n",
		status, r->n_dns[1], r->n_dns[0], r->n_conns[1], r->n_conns[0], r->sockets_denied,
		r->unix_denied, r->n_requests[1], r->n_requests[0], r->log_lost);
	report_rec_write(r, &rec);
}
