/* proxy_internal.h — what the proxy's files share, and nothing else
 * includes: proxy.c (one connection, from accept to close), proxy_listen.c
 * (the listeners that accept them) and proxy_via.c (what an upstream proxy
 * is told).
 */
#ifndef NETBOX_PROXY_INTERNAL_H
#define NETBOX_PROXY_INTERNAL_H

#include "proxy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn;
struct policy_rule;
struct proxy_listener;
struct proxyconf_proxy;

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

/* proxy_via.c: the host could not resolve @name (normalised), which @rule
 * allowed on @port, and a proxy would carry it.  NULL when the proxy may
 * resolve it (by name); else why not (a whole reason, into @why): an
 * address dressed as a name, or a name only a catch-all allows. */
const char *proxy_via_unresolved(const char *name, uint16_t port, const struct policy_rule *rule,
				 char *why, size_t len);
/* proxy_via.c: does the tunnel through @via to a name @rule allowed name
 * it (true), or give the address netbox checked?  @resolved: the host
 * resolved it and the address passed (else it goes by name). */
bool proxy_via_by_name(const struct proxyconf_proxy *via, const struct policy_rule *rule,
		       bool resolved);

#endif
