/* report.h — what the user learns about the network while the program runs
 * and when it ends.
 *
 * The resolver, the proxy and the watchers of refused attempts
 * (netproxy/watch.c, supervisor/notify.c) call report_*() for every
 * decision.  Three outputs, all off the data path (the proxy reports a
 * connection when it is decided and once more when it ends):
 *   - stderr: each denial as it happens (`netbox: denied evil.test:443 (no
 *     rule)`, `netbox: denied DNS evil.test`, each denied destination once,
 *     with the fix when one is known) and the summary at exit; --quiet
 *     silences both;
 *   - the --log file: one JSON object per decision (a connection when it
 *     ends, or when it is refused), each naming the process that made it
 *     when attribution is on; the schema is docs/log.schema.json (README.md
 *     shows it);
 *   - --learn: at exit, the profile that allows exactly the hosts and ports
 *     the program connected to (report_learned()).
 * Split by output: report.c (decisions, counting), report_log.c (the JSON
 * Lines), report_summary.c (the exit summary and the learned profile).
 */
#ifndef NETBOX_REPORT_H
#define NETBOX_REPORT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct report;

/* The log's schema version ("v" of every record): bumped when a field
 * changes meaning or goes away (new fields do not bump it). */
#define REPORT_SCHEMA_VERSION 1

/* Who made an attempt: a process of the sandbox (attribution: supervisor/
 * attrib.c).  Records are kept for the whole run, so a pointer stays
 * valid until report_free(). */
#define REPORT_PROC_ARGV_MAX 512
struct report_proc {
	int pid;                        /* as the sandbox sees it */
	char exe[256];                  /* the executable's path ("" unknown) */
	char argv[REPORT_PROC_ARGV_MAX]; /* arguments, each NUL-terminated, truncated */
	size_t argv_len;                /* bytes used in argv */
	bool argv_truncated;
	/* An npm/yarn/pnpm lifecycle script: npm_package_name,
	 * npm_package_version, npm_lifecycle_event of its environment
	 * ("" when absent). */
	char pkg_name[215];             /* npm's limit on a package name is 214 */
	char pkg_version[64];
	char pkg_script[64];
};

/* Who made the attempt from @client (the program's end: its address and
 * port) with @proto (IPPROTO_TCP or IPPROTO_UDP), or NULL when it cannot be
 * told (attribution off, or the socket is gone). */
typedef const struct report_proc *(*report_attrib_fn)(void *ctx, int proto,
						      const struct in6_addr *client,
						      uint16_t client_port);

struct report_dns {
	const char *name;    /* normalised, or as asked when it is invalid */
	uint16_t qtype;
	bool allowed;
	const char *rule;    /* the deciding rule as written, or NULL */
	const char *origin;  /* where the rule came from ("command line", "npm.profile:3") */
	const char *reason;  /* denials: "no rule", "invalid name", "rule 'x' (origin)" */
	const struct report_proc *proc; /* who asked, or NULL */
};

struct report_conn {
	int proto;                  /* IPPROTO_TCP (0 means TCP too) or IPPROTO_UDP */
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
	const struct report_proc *proc; /* who connected, or NULL */
	const char *via;            /* the upstream proxy that carried it ("host:port"), or NULL */
	const char *via_error;      /* report_connection_failed(): why the proxy refused it */
};

/* A socket netbox refused to create: raw, packet, ICMP. */
struct report_socket {
	int family, type, protocol;     /* as asked (type without its flags) */
	int err;                        /* the errno the program got */
	const struct report_proc *proc;
};

/* A unix socket the program could not reach: netbox hides the host's. */
struct report_unix {
	const char *path;               /* as asked */
	const char *reason;
	const struct report_proc *proc;
};

/* @log: the --log stream (line-buffered JSON Lines) or NULL. */
struct report *report_new(bool quiet, FILE *log);
void report_free(struct report *r);

/* Attribution: @fn tells who made an attempt (see report_attrib_fn). */
void report_set_attrib(struct report *r, report_attrib_fn fn, void *ctx);
/* What @fn says, or NULL without one. */
const struct report_proc *report_attribute(struct report *r, int proto,
					   const struct in6_addr *client, uint16_t client_port);

/* A fix for a denied name: "the yarn profile allows it: --profile yarn",
 * "--allow evil.test:8080" into @out (@port 0: a DNS question), or false
 * when none is known (policy/suggest.c). */
typedef bool (*report_hint_fn)(void *ctx, const char *name, uint16_t port, char *out,
			       size_t len);
void report_set_hinter(struct report *r, report_hint_fn fn, void *ctx);

/* A hint printed once, on stderr, with the first denial of the run (the
 * launcher's "the default profile allows no network: ..."); copied. */
void report_set_first_denial_hint(struct report *r, const char *hint);

/* The log's first and last records: the run's command and its end. */
void report_start(struct report *r, char *const *argv);
void report_end(struct report *r, int status);

/* A DNS question was answered: allowed (resolved upstream) or denied
 * (NXDOMAIN without going upstream). */
void report_dns(struct report *r, const struct report_dns *d);

/* A connection was decided (bytes 0) ... */
void report_connection(struct report *r, const struct report_conn *c);
/* ... and, if it was allowed, ended ... */
void report_connection_end(struct report *r, const struct report_conn *c);
/* ... or failed at its upstream proxy (c->via_error, a whole sentence
 * naming the proxy as host:port): logged, and said once per destination. */
void report_connection_failed(struct report *r, const struct report_conn *c);

/* One HTTP request on an inspected connection (netproxy/inspect.c). */
struct report_request {
	const char *name;               /* the host (= SNI, = Host) */
	uint16_t port;
	const char *method;             /* as sent */
	const char *path;               /* as sent, without the query */
	const char *query;              /* the query, or NULL; logged only with --log-query */
	int status;                     /* the status the program got (403: netbox refused), 0: none */
	bool allowed;
	const char *rule;               /* the deciding rule as written, or NULL */
	const char *origin;             /* where it came from */
	const char *reason;             /* refusals: "no rule allows PUT", "Host x is not y" */
	uint64_t bytes_up, bytes_down;  /* bodies and heads, each way */
	uint64_t duration_ns;
	const struct report_proc *proc;
};
void report_request(struct report *r, const struct report_request *q);
/* Log the requests' query strings (--log-query; they may hold tokens,
 * so by default they are dropped). */
void report_set_log_query(struct report *r, bool on);

/* A refused socket() (raw, packet, ICMP) or unix connect(). */
void report_socket(struct report *r, const struct report_socket *s);
void report_unix(struct report *r, const struct report_unix *u);

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
