/* upstream.c — the resolver's questions to the host's DNS servers: c-ares
 * (the host's resolv.conf) driven by the libevent loop, with one event per
 * c-ares socket (ARES_OPT_SOCK_STATE_CB) and one timer re-armed from
 * ares_timeout() after every call into c-ares.  Address lookups
 * (ares_getaddrinfo()) fill cache entries; other query types are forwarded
 * (ares_send()) and the answer relayed to the client.
 *
 * Part of the resolver (resolver_internal.h), in the supervisor, on its
 * event loop.  c-ares is set up at the first upstream query.
 *
 * Re-entrancy, the rules this file keeps:
 *   - ares_getaddrinfo() and ares_send() may call back before they return
 *     (/etc/hosts hits, errors): resolver_upstream_start() returns with the
 *     result possibly in the entry already, and callers add their waiter
 *     only while the entry is still pending; resolver_upstream_forward()
 *     links its request everywhere before ares_send(), which may free it.
 *   - ares_process_fd() may close a socket and free its struct asock (and
 *     event) from inside the socket's own event callback, so that callback
 *     is passed the resolver, never the asock.
 *   - A forwarded query cannot be cancelled on its own in c-ares 1.18: when
 *     its TCP client goes away it is detached (c.tc = NULL, tcp.c) and
 *     freed by its callback, which then sends nothing.
 *   - ares_destroy() (resolver_free()) calls every callback with
 *     ARES_EDESTRUCTION: they only free their own forward requests then.
 */
#include "dns/resolver_internal.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void resolver_upstream_rearm(struct resolver *r);

static void resolver_upstream_timer_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct resolver *r = arg;

	ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	resolver_upstream_rearm(r);
}

/* The single c-ares timer follows ares_timeout() after every call into
 * c-ares. */
static void resolver_upstream_rearm(struct resolver *r)
{
	struct timeval tv, *tvp;

	if (!r->channel || !r->ares_timer)
		return;
	tvp = ares_timeout(r->channel, NULL, &tv);
	if (tvp)
		evtimer_add(r->ares_timer, tvp);
	else
		evtimer_del(r->ares_timer);
}

/* Passed @r, not the struct asock: ares_process_fd() may close the socket
 * and free its asock (and event) from inside this callback. */
static void resolver_upstream_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;

	ares_process_fd(r->channel, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
			(what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	resolver_upstream_rearm(r);
}

/* ARES_OPT_SOCK_STATE_CB: c-ares wants to hear about @fd becoming readable
 * or writable, or (both 0) is about to close it. */
static void resolver_upstream_sock_state(void *data, ares_socket_t fd, int readable,
					 int writable)
{
	struct resolver *r = data;
	struct asock **pp = &r->asocks, *s;

	while ((s = *pp) && s->fd != fd)
		pp = &s->next;
	if (!readable && !writable) {
		if (s) {
			*pp = s->next;
			if (s->ev)
				event_free(s->ev);
			free(s);
		}
		return;
	}
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return;	/* the query times out */
		s->fd = fd;
		s->next = r->asocks;
		r->asocks = s;
	} else if (s->ev) {
		event_free(s->ev);
		s->ev = NULL;
	}
	s->ev = event_new(r->base, fd,
			  (short)((readable ? EV_READ : 0) | (writable ? EV_WRITE : 0) | EV_PERSIST),
			  resolver_upstream_sock_cb, r);
	if (s->ev)
		event_add(s->ev, NULL);
}

/* c-ares 1.18 sets FD_CLOEXEC itself (after socket(), in configure_socket);
 * set it again here so that no c-ares descriptor can reach the program
 * whatever the version.  netbox's loop is single-threaded, so the window
 * between socket() and this call is never seen by a fork.  0 or -errno
 * (c-ares closes the socket on any negative value). */
static int resolver_upstream_sock_create(ares_socket_t fd, int type UNUSED, void *data UNUSED)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* Set c-ares up at the first upstream query: startup does no work a run
 * without DNS does not need.  A failure is said once and tried again at the
 * next query.  0 or -EIO. */
static int resolver_upstream_init(struct resolver *r)
{
	struct ares_options o;
	int st;

	if (r->channel)
		return 0;
	if (!r->ares_lib) {
		st = ares_library_init(ARES_LIB_INIT_ALL);
		if (st != ARES_SUCCESS)
			goto fail;
		r->ares_lib = true;
	}
	if (!r->ares_timer &&
	    !(r->ares_timer = evtimer_new(r->base, resolver_upstream_timer_cb, r))) {
		st = ARES_ENOMEM;
		goto fail;
	}
	/* The host's resolv.conf servers, ndots and rotation, but no search
	 * domains (ndomains 0, NOSEARCH also skips HOSTALIASES): the sandbox's
	 * own resolver already expanded the name, so each name is asked
	 * exactly as the program asked it, once. */
	memset(&o, 0, sizeof(o));
	o.flags = ARES_FLAG_NOSEARCH;
	o.timeout = r->timeout_ms;
	o.tries = RESOLVER_UPSTREAM_TRIES;
	o.domains = NULL;
	o.ndomains = 0;
	o.sock_state_cb = resolver_upstream_sock_state;
	o.sock_state_cb_data = r;
	st = ares_init_options(&r->channel, &o,
			       ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
			       ARES_OPT_DOMAINS | ARES_OPT_SOCK_STATE_CB);
	if (st != ARES_SUCCESS) {
		r->channel = NULL;
		goto fail;
	}
	ares_set_socket_callback(r->channel, resolver_upstream_sock_create, r);
	if (r->test_servers) {
		st = ares_set_servers_ports_csv(r->channel, r->test_servers);
		if (st != ARES_SUCCESS)
			warn("bad upstream servers '%s': %s", r->test_servers, ares_strerror(st));
	}
	return 0;
fail:
	if (!r->warned_init)
		warn("cannot set up the upstream DNS resolver (c-ares): %s — allowed names get SERVFAIL",
		     ares_strerror(st));
	r->warned_init = true;
	return -EIO;
}

static const struct {
	int status, err;
} resolver_upstream_errors[] = {
	{ ARES_ENOTFOUND, -ENOENT },
	{ ARES_ENODATA, -ENODATA },
	{ ARES_ETIMEOUT, -ETIMEDOUT },
};

/* A c-ares failure as the -errno of resolver_cb: -EIO unless listed. */
static int resolver_upstream_errno(int status)
{
	for (size_t i = 0; i < sizeof(resolver_upstream_errors) / sizeof(resolver_upstream_errors[0]);
	     i++)
		if (resolver_upstream_errors[i].status == status)
			return resolver_upstream_errors[i].err;
	return -EIO;
}

static bool resolver_upstream_has(const struct in6_addr *list, unsigned int n,
				  const struct in6_addr *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (!memcmp(&list[i], a, sizeof(*a)))
			return true;
	return false;
}

/* Collect the addresses of @ai into e->addrs: unique, IPv6 and IPv4
 * interleaved (IPv6 first, RFC 8305), at most RESOLVER_MAX_ADDRS.  Returns
 * the smallest TTL seen. */
static long resolver_upstream_collect(struct rentry *e, const struct ares_addrinfo *ai)
{
	struct in6_addr v4[RESOLVER_MAX_ADDRS], v6[RESOLVER_MAX_ADDRS];
	unsigned int n4 = 0, n6 = 0, i4 = 0, i6 = 0;
	long ttl = LONG_MAX;

	for (const struct ares_addrinfo_node *n = ai->nodes; n; n = n->ai_next) {
		struct in6_addr a;

		if (n->ai_family == AF_INET && n->ai_addr &&
		    n->ai_addrlen >= (ares_socklen_t)sizeof(struct sockaddr_in)) {
			const struct sockaddr_in *s = (const struct sockaddr_in *)n->ai_addr;

			memset(&a, 0, sizeof(a));
			a.s6_addr[10] = a.s6_addr[11] = 0xff;
			memcpy(&a.s6_addr[12], &s->sin_addr, 4);
		} else if (n->ai_family == AF_INET6 && n->ai_addr &&
			   n->ai_addrlen >= (ares_socklen_t)sizeof(struct sockaddr_in6)) {
			a = ((const struct sockaddr_in6 *)n->ai_addr)->sin6_addr;
		} else {
			continue;
		}
		if (n->ai_ttl < ttl)
			ttl = n->ai_ttl;
		if (IN6_IS_ADDR_V4MAPPED(&a)) {
			if (n4 < RESOLVER_MAX_ADDRS && !resolver_upstream_has(v4, n4, &a))
				v4[n4++] = a;
		} else if (n6 < RESOLVER_MAX_ADDRS && !resolver_upstream_has(v6, n6, &a)) {
			v6[n6++] = a;
		}
	}
	for (const struct ares_addrinfo_cname *c = ai->cnames; c; c = c->next)
		if (c->ttl < ttl)
			ttl = c->ttl;

	e->naddrs = 0;
	while (e->naddrs < RESOLVER_MAX_ADDRS && (i4 < n4 || i6 < n6)) {
		if (i6 < n6)
			e->addrs[e->naddrs++] = v6[i6++];
		if (e->naddrs < RESOLVER_MAX_ADDRS && i4 < n4)
			e->addrs[e->naddrs++] = v4[i4++];
	}
	return ttl;
}

static void resolver_upstream_gai_cb(void *arg, int status, int timeouts UNUSED,
				     struct ares_addrinfo *ai)
{
	struct rentry *e = arg;
	struct resolver *r = e->r;
	long ttl = 0;

	r->ninflight--;
	if (r->freeing || status == ARES_EDESTRUCTION) {
		/* resolver_free(): the waiters are gone already. */
		ares_freeaddrinfo(ai);
		e->state = ENTRY_DONE;
		return;
	}
	e->naddrs = 0;
	if (status == ARES_SUCCESS && ai)
		ttl = resolver_upstream_collect(e, ai);
	ares_freeaddrinfo(ai);
	resolver_cache_complete(e, status == ARES_SUCCESS ? 0 : resolver_upstream_errno(status),
				ttl);
}

/* A name whose last label is all digits is no host name (RFC 3696 2), and
 * c-ares would take "1.2.3.4" for an address without asking anyone. */
static bool resolver_upstream_numeric_tld(const char *name)
{
	const char *last = strrchr(name, '.');

	last = last ? last + 1 : name;
	if (!*last)
		return false;
	for (; *last; last++)
		if (*last < '0' || *last > '9')
			return false;
	return true;
}

/* Start resolving @e (not pending).  The result may be in @e when this
 * returns (answered from /etc/hosts, or an error): callers look at
 * e->state afterwards, and add their waiter only while it is PENDING. */
void resolver_upstream_start(struct resolver *r, struct rentry *e)
{
	struct ares_addrinfo_hints hints = {
		/* No RFC 6724 sorting: it connect()s a socket per address,
		 * and resolver_upstream_collect() orders them itself. */
		.ai_flags = ARES_AI_NOSORT,
		.ai_family = AF_UNSPEC,
	};

	e->state = ENTRY_PENDING;
	if (resolver_upstream_numeric_tld(e->name)) {
		resolver_cache_complete(e, -ENOENT, 0);
		return;
	}
	if (resolver_upstream_init(r) < 0) {
		resolver_cache_complete(e, -EIO, 0);
		return;
	}
	r->ninflight++;
	ares_getaddrinfo(r->channel, e->name, NULL, &hints, resolver_upstream_gai_cb, e);
	resolver_upstream_rearm(r);
}

/* Give the client back its own question bytes (0x20 case randomisation):
 * ours was sent lower-cased, the same name.  buf[0..alen) is the answer. */
static void resolver_upstream_restore_question(uint8_t *buf, size_t alen,
					       const struct resolver_req *req)
{
	size_t qlen = req->q.question_len;

	if (!(buf[4] == 0 && buf[5] == 1) || alen < DNS_HDR_LEN + qlen)
		return;
	/* the name case-insensitively, type and class exactly */
	for (size_t i = 0; i < qlen; i++) {
		uint8_t a = buf[DNS_HDR_LEN + i], b = req->qbuf[i];

		if (i + 4 < qlen) {
			if (a >= 'A' && a <= 'Z')
				a = (uint8_t)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (uint8_t)(b - 'A' + 'a');
		}
		if (a != b)
			return;
	}
	memcpy(buf + DNS_HDR_LEN, req->qbuf, qlen);
}

static void resolver_upstream_fwd_cb(void *arg, int status, int timeouts UNUSED,
				     unsigned char *abuf, int alen)
{
	struct resolver_req *req = arg;
	struct resolver *r = req->r;
	struct tcp_client *tc = req->c.tc;
	ssize_t n = -EBADMSG;

	r->ninflight--;
	r->nwaiting--;
	if (tc)
		resolver_tcp_pending_del(tc, req);
	if (r->freeing || status == ARES_EDESTRUCTION || (!tc && !req->c.us)) {
		free(req);	/* resolver_free(), or the TCP client is gone */
		return;
	}
	if (status == ARES_SUCCESS && abuf && alen >= DNS_HDR_LEN && alen <= DNS_MAX_MSG) {
		uint8_t *buf = r->tx + 2;

		memcpy(buf, abuf, (size_t)alen);
		resolver_upstream_restore_question(buf, (size_t)alen, req);
		n = dns_fixup_forwarded(buf, (size_t)alen, req->q.id, req->max_size);
	}
	if (n > 0)
		resolver_query_send(r, &req->c, (size_t)n);
	else
		resolver_query_reply(r, &req->c, &req->q, DNS_RCODE_SERVFAIL, NULL, 0);
	if (tc)
		resolver_tcp_pending_done(tc);
	free(req);
}

/* Another type for an allowed @name: ask upstream a clean question (our
 * ID, RD, the same name, type and class; EDNS if the client used it) and
 * relay the answer with the client's ID, cut to the client's size. */
void resolver_upstream_forward(struct resolver *r, const struct rclient *c,
			       const struct dns_query *q, const char *name)
{
	unsigned char *qbuf = NULL;
	struct resolver_req *req;
	uint16_t id;
	int qlen;

	if (r->ninflight >= RESOLVER_MAX_INFLIGHT || r->nwaiting >= RESOLVER_MAX_WAITING ||
	    resolver_upstream_init(r) < 0) {
		resolver_query_reply(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
	/* ares_send() puts its own random ID in; ours is random too. */
	random_fill(&id, sizeof(id));
	if (ares_create_query(name, q->qclass, q->qtype, id, 1, &qbuf, &qlen,
			      q->edns ? DNS_EDNS_OURS : 0) != ARES_SUCCESS ||
	    !(req = resolver_query_req_new(r, REQ_FWD, c, q))) {
		if (qbuf)
			ares_free_string(qbuf);
		resolver_query_reply(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
	if (c->tc)
		resolver_tcp_pending_add(c->tc, req);
	r->nwaiting++;
	r->ninflight++;
	/* May call resolver_upstream_fwd_cb() (and free @req) before
	 * returning. */
	ares_send(r->channel, qbuf, qlen, resolver_upstream_fwd_cb, req);
	ares_free_string(qbuf);
	resolver_upstream_rearm(r);
}

/* Tests: other servers and timeout; applied now if c-ares is up, else at
 * its set-up.  0, -ENOMEM or -EINVAL. */
int resolver_upstream_set_servers(struct resolver *r, const char *servers, int timeout_ms)
{
	char *copy = NULL;

	if (servers && !(copy = strdup(servers)))
		return -ENOMEM;
	free(r->test_servers);
	r->test_servers = copy;
	if (timeout_ms > 0)
		r->timeout_ms = timeout_ms;
	if (r->channel && servers &&
	    ares_set_servers_ports_csv(r->channel, servers) != ARES_SUCCESS)
		return -EINVAL;
	return 0;
}

/* resolver_free(): after the TCP clients and the waiters are gone. */
void resolver_upstream_free(struct resolver *r)
{
	if (r->channel) {
		/* Calls the gai and forward callbacks with ARES_EDESTRUCTION
		 * (they free only their forward requests) and closes its
		 * sockets through resolver_upstream_sock_state(). */
		ares_destroy(r->channel);
		r->channel = NULL;
	}
	while (r->asocks) {
		struct asock *s = r->asocks;

		r->asocks = s->next;
		if (s->ev)
			event_free(s->ev);
		free(s);
	}
	if (r->ares_timer)
		event_free(r->ares_timer);
	r->ares_timer = NULL;
	if (r->ares_lib)
		ares_library_cleanup();
	r->ares_lib = false;
	free(r->test_servers);
	r->test_servers = NULL;
}
