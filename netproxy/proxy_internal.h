/* proxy_internal.h — what the proxy's two files share, and nothing else
 * includes: proxy.c (one connection, from accept to close) and
 * proxy_listen.c (the listeners that accept them).
 */
#ifndef NETBOX_PROXY_INTERNAL_H
#define NETBOX_PROXY_INTERNAL_H

#include "proxy.h"

#include <stddef.h>

struct conn;
struct proxy_listener;

struct proxy {
	struct event_base *base;
	const struct policy *policy;
	struct resolver *resolver;
	struct report *report;
	struct proxy_listener *listeners;
	struct conn *conns;
	size_t nconns;
	struct inspect_tls *tls; /* inspection's TLS, with the CA (proxy_set_tlsca) */
	const struct proxyconf *proxies; /* upstream proxies, or NULL (proxy_set_upstream_proxies) */
};

/* proxy.c: take the connection @fd accepted (owned from now on). */
void proxy_accept_one(struct proxy *p, int fd);
/* proxy.c: out of memory for a connection: said once a run. */
void proxy_oom(const struct proxy *p);
/* proxy_listen.c: close every listener. */
void proxy_listen_free(struct proxy *p);

#endif
