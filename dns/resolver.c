/* resolver.c — netbox's in-sandbox DNS server and the name table behind the
 * proxy (see resolver.h and DESIGN.md, "The network mechanism", point 4):
 * the public API, resolver_new() ... resolver_cancel(), wiring the parts
 * together.  The parts, what each does and the re-entrancy rules they keep
 * are described in resolver_internal.h.
 *
 * Runs in the supervisor, on its libevent loop.  resolver_new() is set-up
 * and may die(); everything else returns -errno and keeps serving.
 */
#include "dns/resolver.h"

#include "dns/fakeip.h"
#include "dns/resolver_internal.h"
#include "policy/policy.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

struct resolver *resolver_new(struct event_base *base, const struct policy *policy,
			      struct report *report)
{
	struct resolver *r = xcalloc(1, sizeof(*r));

	r->base = base;
	r->policy = policy;
	r->report = report;
	r->buckets = xcalloc(RESOLVER_BUCKETS, sizeof(*r->buckets));
	list_init(&r->lru);
	list_init(&r->tcp_clients);
	r->timeout_ms = RESOLVER_UPSTREAM_TIMEOUT_MS;
	random_fill(r->hkey, sizeof(r->hkey));
	return r;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	r->freeing = true;
	/* In this order: clients drop their waiting queries and detach their
	 * forwarded ones; the remaining waiters go without a word (user
	 * callbacks do not run); c-ares calls back with ARES_EDESTRUCTION,
	 * which still touches cache entries; then the entries go. */
	resolver_tcp_free(r);
	resolver_cache_drop_waiters(r);
	resolver_upstream_free(r);
	resolver_cache_clear(r);
	free(r->buckets);
	resolver_udp_free(r);
	fakeip_free(r->fakeip);
	free(r);
}

/* Check @fd is an IPv4 or IPv6 socket of @want_type, and make it
 * non-blocking and close-on-exec.  0 and *family, or -errno. */
static int resolver_sock_prepare(int fd, int want_type, int *family)
{
	int type = 0, fl;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	if (type != want_type)
		return -EINVAL;
	len = sizeof(*family);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, family, &len) < 0)
		return -errno;
	if (*family != AF_INET && *family != AF_INET6)
		return -EAFNOSUPPORT;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

int resolver_add_udp(struct resolver *r, int fd)
{
	int family = 0, rc = resolver_sock_prepare(fd, SOCK_DGRAM, &family);

	if (rc == 0)
		rc = resolver_udp_serve(r, fd, family);
	if (rc < 0)
		close(fd);
	return rc;
}

int resolver_add_tcp(struct resolver *r, int fd)
{
	int family = 0, rc = resolver_sock_prepare(fd, SOCK_STREAM, &family);

	if (rc == 0)
		rc = resolver_tcp_serve(r, fd);
	if (rc < 0)
		close(fd);
	return rc;
}

void resolver_set_upstream_proxies(struct resolver *r, const struct proxyconf *pc)
{
	r->proxies = pc;
}

const char *resolver_fake_name(const struct resolver *r, struct in_addr addr)
{
	if (!r || !r->fakeip)
		return NULL;
	return fakeip_name(r->fakeip, addr);
}

int resolver_lookup(struct resolver *r, const char *name, resolver_cb cb, void *arg,
		    struct resolver_req **reqp)
{
	char norm[POLICY_NAME_MAX];
	struct resolver_req *req;
	struct rentry *e;

	if (reqp)
		*reqp = NULL;
	if (!r || !name || !cb)
		return -EINVAL;
	if (policy_name_normalize(name, norm, sizeof(norm)) < 0)
		return -EINVAL;
	/* The proxy decided already; this keeps every path to upstream
	 * behind the same gate as the sandbox's own queries. */
	if (!policy_name_may_resolve(r->policy, norm))
		return -EPERM;
	e = resolver_cache_get(r, norm);
	if (!e)
		return -ENOMEM;
	if (e->state != ENTRY_PENDING && !resolver_cache_fresh(e)) {
		if (r->ninflight >= RESOLVER_MAX_INFLIGHT)
			return -EAGAIN;
		resolver_upstream_start(r, e);
	}
	if (e->state == ENTRY_DONE) {
		/* Cached, or answered before ares_getaddrinfo() returned.
		 * Copied out first: @cb may start lookups that evict @e. */
		struct sockaddr_storage ss[RESOLVER_MAX_ADDRS];
		unsigned int n = e->naddrs;
		int err = e->err;

		resolver_cache_sockaddrs(e->addrs, n, ss);
		cb(arg, err ? NULL : ss, err ? 0 : (int)n, err);
		return 0;
	}
	if (e->nwaiters >= RESOLVER_MAX_WAITERS_PER_NAME || r->nwaiting >= RESOLVER_MAX_WAITING)
		return -EAGAIN;
	req = calloc(1, sizeof(*req));
	if (!req)
		return -ENOMEM;
	req->r = r;
	req->kind = REQ_USER;
	req->cb = cb;
	req->arg = arg;
	list_init(&req->clink);
	resolver_cache_wait(e, req);
	if (reqp)
		*reqp = req;
	return 0;
}

void resolver_cancel(struct resolver_req *req)
{
	if (!req || req->kind != REQ_USER)
		return;
	resolver_cache_drop_req(req);
}

int resolver_set_upstream_for_test(struct resolver *r, const char *servers, int timeout_ms)
{
	return resolver_upstream_set_servers(r, servers, timeout_ms);
}
