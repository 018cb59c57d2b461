/* report_internal.h — what report.c, report_log.c and report_summary.c
 * share: the run's counts, by host and by program.  Not for other files.
 */
#ifndef NETBOX_REPORT_INTERNAL_H
#define NETBOX_REPORT_INTERNAL_H

#include "report.h"

#define REPORT_BUCKETS 1024
#define REPORT_HOSTS_MAX 16384 /* destinations counted and said; past that, logged only */
#define REPORT_SHOWN_MAX 2048 /* util_escape() of a name (255 bytes at most) or a reason */
#define REPORT_PROG_ITEMS 24  /* refusals named per program in the summary */
#define REPORT_REQ_METHODS 8  /* methods learned per host */
#define REPORT_REQ_PREFIXES 16 /* first path segments learned per host (then: every path) */

/* What --learn keeps of a host's allowed requests: the methods, and the
 * first segment of each path ("/lab-hello", asked as such and/or with more
 * below it). */
struct report_reqs {
	char *methods[REPORT_REQ_METHODS];
	size_t nmethods;
	bool all_methods;               /* more than REPORT_REQ_METHODS */
	struct {
		char *segment;          /* "lab-hello" ("" for "/") */
		bool exact, below;      /* "/lab-hello" seen; "/lab-hello/..." seen */
	} prefixes[REPORT_REQ_PREFIXES];
	size_t nprefixes;
	bool all_paths;                 /* more than REPORT_REQ_PREFIXES */
	uint16_t port;
};

struct report_port {
	uint16_t port;
	uint32_t allowed, denied;
	uint32_t failed;  /* at the upstream proxy (report_connection_failed()) */
};

/* What a line of the summary counts: a host by name or by address, or a
 * refusal that is not a TCP connection (keyed apart: "udp 1.2.3.4",
 * "socket inet raw 1", "unix /run/docker.sock"). */
enum report_kind { REPORT_NAME, REPORT_ADDR, REPORT_UDP, REPORT_SOCKET, REPORT_UNIX };

struct report_host {
	struct report_host *next;
	char *key;
	char *shown;  /* what the text outputs print, through util_escape() */
	enum report_kind kind;
	bool is_addr; /* REPORT_ADDR or REPORT_UDP */
	uint32_t dns_allowed, dns_denied;
	uint32_t conns_allowed, conns_denied;
	uint32_t udp_denied;
	uint32_t req_allowed, req_denied; /* HTTP requests on inspected connections */
	struct report_reqs *reqs;         /* for --learn: what the allowed ones were */
	uint64_t bytes_up, bytes_down;
	struct report_port *ports;
	size_t nports;
	char *reason;   /* the last denial's reason, through util_escape() */
	char *dns_rule; /* the rule that let its name resolve, as written */
	char *via;      /* the upstream proxy that carried its connections, or NULL */
};

/* The refusals of one program (an executable, in one package's script):
 * the summary groups them so the user sees who tried what. */
struct report_prog {
	struct report_prog *next;
	char *label;                    /* "node (postinstall of evil@1.0.0)", escaped */
	char *items[REPORT_PROG_ITEMS]; /* "DNS attacker.example", "198.51.100.30:4444" */
	size_t nitems;
	uint32_t more;                  /* refusals past the items named */
};

struct report {
	bool quiet;
	bool log_query;     /* --log-query */
	FILE *log;
	report_attrib_fn attrib;
	void *attrib_ctx;
	report_hint_fn hinter;
	void *hinter_ctx;
	char *hint;         /* said once with the first denial, then freed */
	struct report_host *buckets[REPORT_BUCKETS];
	size_t nhosts;
	struct report_prog *progs;
	uint32_t sockets_denied, unix_denied;
	uint32_t n_dns[2], n_conns[2]; /* [allowed] decisions, for the log's end record */
	uint32_t n_requests[2];
	size_t uncounted; /* decisions not counted: no memory for their host or port */
	bool hosts_full;  /* REPORT_HOSTS_MAX reached: said once */
	bool last_full;   /* the last report_host() found no room: say nothing of it */
	uint32_t log_lost; /* log records that could not be written whole */
	bool log_said;     /* ... said once on stderr */
};

void report_addr(const struct in6_addr *a, char *buf, size_t len);

/* report_log.c: one JSON line per record (r->log not NULL). */
void report_log_dns(struct report *r, const struct report_dns *d);
void report_log_conn(struct report *r, const struct report_conn *c);
void report_log_socket(struct report *r, const struct report_socket *s, const char *reason);
void report_log_unix(struct report *r, const struct report_unix *u);
void report_log_request(struct report *r, const struct report_request *q);

/* "raw", "dgram", ... and "inet", "inet6", "packet", ... for both outputs. */
const char *report_socket_type(int type);
const char *report_socket_family(int family);

/* report_summary.c: sorting, for the summary and the learned profile. */
struct report_host **report_sorted(struct report *r, size_t *n);

#endif
