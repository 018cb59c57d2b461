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
 * connection over once it is connected upstream, for a name
 * policy_inspects() names); each request is a log record
 * (report_request()).  inspect_tls_new() is
 * setup (it dies with a message); everything else returns -errno or NULL
 * and never exits.
 */
#ifndef NETBOX_INSPECT_H
#define NETBOX_INSPECT_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

struct report;
struct report_proc;
struct tlsca;
struct policy;

/* The run's part of inspection: the CA for the program's side and the TLS
 * context for the upstream side, whose trust store (the invoker's
 * SSL_CERT_FILE / SSL_CERT_DIR, else openssl's default file and directory)
 * is read whole now: the supervisor isolates itself into an empty root
 * soon after, where nothing could be read on demand.  Dies when openssl
 * cannot make the context; an empty trust store is only said. */
struct inspect_tls;
struct inspect_tls *inspect_tls_new(struct tlsca *ca);
void inspect_tls_free(struct inspect_tls *t);

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
