/* inspect.h — HTTP inspection of the connections to hosts with request
 * rules (issue 13): every request the program sends is parsed (httpreq.h)
 * and checked — Host is the name the connection was allowed for, method
 * and path pass policy_decide_request() — before it goes upstream; each
 * response is parsed (httpresp.h) to know where it ends.  Over TLS the
 * program's side is terminated with a leaf of the run's CA (tlsca.h) and
 * netbox opens its own TLS to the host, verified against the host's trust
 * store; on port 80 (plain HTTP) the same without TLS.
 *
 * Runs in the supervisor, on the proxy's loop (netproxy/proxy.c hands a
 * connection over once it is connected upstream).  inspect_tls_new() is
 * setup (it dies with a message); everything else returns -errno or NULL
 * and never exits.
 */
#ifndef NETBOX_INSPECT_H
#define NETBOX_INSPECT_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

struct policy;
struct report;
struct report_proc;
struct tlsca;

/* One request on an inspected connection, as the log will show it: the
 * lead wires inspect_report() (inspect_http.c) to report_request(). */
struct inspect_record {
	const char *name;	/* the host the connection is for */
	uint16_t port;
	const char *method;	/* as sent; NULL when none was read (a failed
				 * handshake, a malformed request) */
	const char *path;	/* as sent, the query dropped */
	bool query_dropped;	/* the request had a query (not logged) */
	int status;		/* the status the program got (0: none, the connection failed) */
	uint64_t bytes_up;	/* the request as forwarded, head and body */
	uint64_t bytes_down;	/* the response as relayed (or netbox's own), head and body */
	uint64_t duration_ns;	/* from the request's first byte to the response's last */
	bool allowed;
	const char *rule;	/* the deciding rule as written, or NULL */
	const char *origin;	/* where it came from ("command line", "npm.profile:3") */
	const char *reason;	/* refusals: why ("no rule allows PUT", "Host evil.test is not ...") */
	const struct report_proc *proc;	/* who connected, or NULL */
};

/* The run's part of inspection: the CA for the program's side and the TLS
 * context for the upstream side, whose trust store (the invoker's
 * SSL_CERT_FILE / SSL_CERT_DIR, else openssl's default file and directory)
 * is read whole now: the supervisor isolates itself into an empty root
 * soon after, where nothing could be read on demand.  Dies on failure. */
struct inspect_tls;
struct inspect_tls *inspect_tls_new(struct tlsca *ca);
void inspect_tls_free(struct inspect_tls *t);

/* Must the connections to @name (normalised) on @port be inspected?
 * policy_inspects(); in builds with test hooks also the names of
 * NETBOX_TEST_INSPECT (inspect_http.c). */
bool inspect_wanted(const struct policy *policy, const char *name, uint16_t port);

struct inspect_params {
	struct event_base *base;
	struct inspect_tls *tls;	/* the run's; needed when @use_tls */
	bool use_tls;			/* the program speaks TLS (else plain HTTP) */
	const struct policy *policy;
	struct report *report;
	const char *name;		/* copied */
	uint16_t port;
	int client, upstream;		/* connected, non-blocking; borrowed */
	const struct report_proc *proc;
};

/* The connection is over: @err 0 when it ended cleanly (the caller closes
 * both sockets), else -errno (the caller resets them).  Runs once, from the
 * loop, never from inspect_start(); it may free the struct inspect. */
typedef void (*inspect_done_fn)(void *arg, int err);

struct inspect;

/* Inspect the connection of @prm from now on.  NULL with errno (ENOMEM,
 * or EINVAL when TLS is asked without the run's CA). */
struct inspect *inspect_start(const struct inspect_params *prm, inspect_done_fn done, void *arg);
void inspect_free(struct inspect *in);
/* Bytes delivered so far: to the upstream, to the program (plaintext). */
void inspect_bytes(const struct inspect *in, uint64_t *up, uint64_t *down);

#endif
