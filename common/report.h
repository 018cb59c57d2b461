/* report.h — what the user learns about the network while the program runs
 * and when it ends.
 *
 * The resolver and the proxy call report_dns() and report_connection() for
 * every decision.  Three outputs, all off the data path (the proxy reports a
 * connection when it is decided and once more when it ends):
 *   - stderr: each denial as it happens (`netbox: denied evil.test:443 (no
 *     rule)`, `netbox: denied DNS evil.test`, each denied name once) and the
 *     per-host summary at exit; --quiet silences both;
 *   - the --log file: one JSON object per DNS decision and per connection
 *     (when it ends, or when it is refused); the schema is in README.md;
 *   - --learn: at exit, the profile that allows exactly the hosts and ports
 *     the program connected to (report_learned()).
 */
#ifndef NETBOX_REPORT_H
#define NETBOX_REPORT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct report;

struct report_dns {
	const char *name;    /* normalised, or as asked when it is invalid */
	uint16_t qtype;
	bool allowed;
	const char *rule;    /* the deciding rule as written, or NULL */
	const char *origin;  /* where the rule came from ("command line", "npm.profile:3") */
	const char *reason;  /* denials: "no rule", "invalid name", "rule 'x' (origin)" */
};

struct report_conn {
	const char *name;           /* the host name, or NULL for a raw address */
	struct in6_addr dst;        /* the destination the program used (v4 mapped) */
	struct in6_addr upstream;   /* the address netbox connected to, if has_upstream */
	bool has_upstream;
	uint16_t port;
	bool allowed;
	const char *rule;           /* the deciding rule as written, or NULL */
	const char *origin;         /* where that rule came from */
	const char *reason;         /* denials: "no rule", "SNI evil.test does not match ..." */
	const char *sni;            /* SNI or Host seen, or NULL */
	uint64_t bytes_up;          /* program -> upstream */
	uint64_t bytes_down;        /* upstream -> program */
	uint64_t duration_ns;
};

/* @log: the --log stream (line-buffered JSON Lines) or NULL. */
struct report *report_new(bool quiet, FILE *log);
void report_free(struct report *r);

/* A DNS question was answered: allowed (resolved upstream) or denied
 * (NXDOMAIN without going upstream). */
void report_dns(struct report *r, const struct report_dns *d);

/* A connection was decided (bytes 0) ... */
void report_connection(struct report *r, const struct report_conn *c);
/* ... and, if it was allowed, ended. */
void report_connection_end(struct report *r, const struct report_conn *c);

/* The exit summary on stderr (unless quiet). */
void report_summary(struct report *r);

/* --learn: write to @out a profile allowing exactly the hosts and ports the
 * program connected to, most specific form (=name:port), sorted, each with
 * its counts; @command is quoted in the header.  0 or -errno. */
int report_learned(struct report *r, FILE *out, const char *command);

/* JSON string body of @s (no quotes) into @out: quote, backslash, control
 * and non-UTF-8 bytes escaped.  Truncates to fit; always terminated. */
void report_json_escape(const char *s, char *out, size_t outlen);

#endif
