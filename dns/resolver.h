/* resolver.h — the in-sandbox DNS server and the name table behind the
 * proxy (dns/resolver.c; its parts: dns/resolver_internal.h).
 *
 * Runs on netbox's libevent loop, on the host side, serving sockets that
 * were created inside the sandbox's network namespace: UDP and TCP port 53
 * on every address (the sandbox routes every address to its loopback).
 *   - a name no rule allows: NXDOMAIN, never sent upstream (report_dns);
 *   - an allowed name: resolved upstream with c-ares (the host's
 *     resolv.conf); if it exists, A is answered with a fake address from
 *     198.18.0.0/15 (fakeip.c) bound to the name for the whole run, AAAA
 *     with no records (NODATA); NXDOMAIN upstream stays NXDOMAIN;
 *   - HTTPS/SVCB (types 64, 65) for allowed names: NODATA, as their address
 *     hints would lead clients past the fake addresses;
 *   - other types for allowed names: forwarded verbatim (ares_send), the
 *     answer relayed with the client's ID;
 *   - PTR for a fake address: the name it stands for.
 * The proxy asks it for the name behind a fake address and for the name's
 * real addresses (cached from the sandbox's own query; refreshed when the
 * cache has expired).
 */
#ifndef NETBOX_RESOLVER_H
#define NETBOX_RESOLVER_H

#include <event2/event.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct policy;
struct proxyconf;
struct report;
struct resolver;
struct resolver_req;

#define RESOLVER_MAX_ADDRS 16

/* Called once with the name's real addresses (n >= 1, err 0) or an error
 * (n 0, err: -ENOENT no such name, -ENODATA no addresses, -ETIMEDOUT,
 * -EIO other failure).  The request is finished when this runs: do not
 * cancel it from here.  May run before resolver_lookup() returns (cached). */
typedef void (*resolver_cb)(void *arg, const struct sockaddr_storage *addrs, int n, int err);

struct resolver *resolver_new(struct event_base *base, const struct policy *policy,
			      struct report *report);
void resolver_free(struct resolver *r);

/* The upstream proxies (common/proxyconf.h): a name the host cannot
 * resolve that one of them carries still gets a fake address, since the
 * proxy resolves it (by name).  Not owned; NULL: none. */
void resolver_set_upstream_proxies(struct resolver *r, const struct proxyconf *pc);

/* Serve a UDP socket bound to port 53 (IP_PKTINFO / IPV6_RECVPKTINFO set
 * by the caller) or a listening TCP socket.  The resolver owns @fd. */
int resolver_add_udp(struct resolver *r, int fd);
int resolver_add_tcp(struct resolver *r, int fd);

/* The name @addr stands for, or NULL if it is not a handed-out fake. */
const char *resolver_fake_name(const struct resolver *r, struct in_addr addr);

/* Real addresses of an allowed @name (normalised).  Returns 0 and sets *req
 * (NULL if @cb already ran), or -errno. */
int resolver_lookup(struct resolver *r, const char *name, resolver_cb cb, void *arg,
		    struct resolver_req **req);
/* Cancel a pending lookup: @cb will not run. */
void resolver_cancel(struct resolver_req *req);

/* More on the calls above:
 *  - resolver_add_udp()/resolver_add_tcp() close @fd when they fail too.
 *  - resolver_lookup() returns -EINVAL for a name policy_name_normalize()
 *    refuses, -EPERM for a name no rule lets resolve (the same gate as the
 *    sandbox's queries: nothing else goes upstream), -EAGAIN / -ENOMEM at
 *    the resolver's limits.  It never hands out a fake address.
 *  - resolver_free() drops pending lookups without calling their
 *    callbacks; their resolver_req pointers are invalid from then on.  Do
 *    not call resolver_free() from a resolver_cb. */

/* Tests only: ask @servers ("127.0.0.1:5353", ares_set_servers_ports_csv()
 * syntax) instead of the host's resolv.conf servers, with a per-try
 * timeout of @timeout_ms (<= 0: the default, 2000).  0 or -EINVAL. */
int resolver_set_upstream_for_test(struct resolver *r, const char *servers, int timeout_ms);

#endif
