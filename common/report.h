/* report.h — what the user learns about the network while the program runs
 * and when it ends.
 *
 * The resolver and the proxy call report_dns() and report_connection() for
 * every decision.  Denials print one line on stderr as they happen
 * (`netbox: denied evil.test:443 (no rule)`, `netbox: denied DNS evil.test`,
 * each denied DNS name once); report_summary() prints the per-host counts
 * at exit.  --quiet silences both.  Nothing here runs on the data path:
 * the proxy reports a connection once, when it is decided, and its byte
 * counts once, when it ends.
 */
#ifndef NETBOX_REPORT_H
#define NETBOX_REPORT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct report;

struct report_conn {
	const char *name;           /* the host name, or NULL for a raw address */
	struct in6_addr dst;        /* the destination the program used (v4 mapped) */
	uint16_t port;
	bool allowed;
	const char *reason;         /* "no rule", "rule 'x' (origin)", "SNI evil.test ≠ google.com", ... */
	const char *sni;            /* SNI or Host seen, or NULL */
	uint64_t bytes_up;          /* program -> upstream */
	uint64_t bytes_down;        /* upstream -> program */
	uint64_t duration_ns;
};

struct report *report_new(bool quiet);
void report_free(struct report *r);

/* A DNS question for @name was answered: allowed (resolved upstream) or
 * denied (NXDOMAIN without going upstream). */
void report_dns(struct report *r, const char *name, bool allowed, const char *reason);

/* A connection was decided (bytes 0) ... */
void report_connection(struct report *r, const struct report_conn *c);
/* ... and, if it was allowed, ended. */
void report_connection_end(struct report *r, const struct report_conn *c);

/* The exit summary on stderr (unless quiet). */
void report_summary(struct report *r);

#endif
