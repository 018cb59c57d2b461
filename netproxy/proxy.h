/* proxy.h — the transparent proxy (netproxy/proxy.c, proxy_listen.c,
 * relay.c, upstream.c, inspect.c).
 *
 * Accepts the sandbox's TCP connections on listeners created inside its
 * network namespace, recovers the original destination with getsockname()
 * (a fake address -> the host name, or a raw IP), decides with the policy,
 * peeks the TLS SNI / HTTP Host and refuses a mismatch, connects upstream
 * from the host's namespace (Happy Eyeballs), and relays with splice(2) —
 * or, for a name with request rules, checks every HTTP request (inspect.h).
 */
#ifndef NETBOX_PROXY_H
#define NETBOX_PROXY_H

#include <event2/event.h>

struct policy;
struct report;
struct resolver;
struct proxy;
struct proxyconf;
struct tlsca;

struct proxy *proxy_new(struct event_base *base, const struct policy *policy,
			struct resolver *resolver, struct report *report);
/* Serve a listening TCP socket (dual-stack, non-blocking).  Owns @fd. */
int proxy_add_listener(struct proxy *p, int fd);
/* The run's CA (netproxy/tlsca.c) for hosts whose connections are
 * inspected over TLS (policy_inspects()); NULL: none are.  Not owned.
 * Setup: it reads the host's trust store for the upstream side
 * (inspect_tls_new()), so call it before the supervisor isolates itself. */
void proxy_set_tlsca(struct proxy *p, struct tlsca *ca);
/* The upstream proxies (common/proxyconf.h) that carry the connections
 * they apply to; NULL: none.  Not owned: it lives as long as the proxy. */
void proxy_set_upstream_proxies(struct proxy *p, const struct proxyconf *pc);
/* Close every connection and listener. */
void proxy_free(struct proxy *p);

#endif
