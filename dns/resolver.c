/* resolver.c — netbox's in-sandbox DNS server and the name table behind the
 * proxy (see resolver.h and DESIGN.md, "The network mechanism", point 4).
 *
 * Layout of this file:
 *   lists, hash               small intrusive helpers
 *   cache                     one entry per name: state, real addresses, the
 *                             waiters of a lookup in flight (coalescing)
 *   upstream                  c-ares on the libevent loop: one event per
 *                             c-ares socket (ARES_OPT_SOCK_STATE_CB), one
 *                             timer re-armed from ares_timeout()
 *   replies                   building and sending answers (UDP with the
 *                             query's pktinfo, TCP framed)
 *   decisions                 handle_query(): parse, policy, answer
 *   UDP, TCP                  the sockets handed over by the launcher
 *   API                       resolver_new() ... resolver_cancel()
 *
 * Everything runs on one libevent loop, never blocks, and never dies at run
 * time: allocation failures and limits give SERVFAIL (clients) or -EAGAIN /
 * -ENOMEM (resolver_lookup()).
 *
 * Re-entrancy, the rules every path below keeps:
 *   - A TCP client is freed only from its own event callbacks, from accept
 *     (evicting the oldest) and from resolver_free(); replying to it (from a
 *     c-ares callback, or synchronously while it is being served) only
 *     appends to its output buffer and (re)arms its events.
 *   - A lookup's waiters are moved to a local list before any of them is
 *     answered, and taken off that list one at a time: a user callback may
 *     cancel any other request (it unlinks itself from whichever list holds
 *     it), start lookups, and so evict cache entries — including the one
 *     being answered, so nothing of the entry is used once the first waiter
 *     has been served (the result is copied out first).
 *   - ares_getaddrinfo() and ares_send() may call back before they return
 *     (/etc/hosts hits, errors); lookups are started before a new waiter is
 *     added, so such a result is simply found in the entry afterwards.
 *   - A forwarded query (ares_send) cannot be cancelled on its own in c-ares
 *     1.18: when its TCP client goes away it is detached (c.tc = NULL) and
 *     freed by its callback, which then sends nothing.
 */
#include "dns/resolver.h"

#include "dns/dnscodec.h"
#include "dns/fakeip.h"
#include "list.h"
#include "policy/policy.h"
#include "report.h"
#include "siphash.h"
#include "util.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define RESOLVER_FAKE_TTL		60	/* TTL of fake A and PTR answers (s) */
#define RESOLVER_TTL_MIN		30	/* real addresses are cached for the */
#define RESOLVER_TTL_MAX		3600	/*   smallest TTL, clamped to these  */
#define RESOLVER_NEG_TTL		5	/* NXDOMAIN / NODATA cached (s) */
#define RESOLVER_MAX_NAMES		8192	/* cache entries */
#define RESOLVER_BUCKETS		8192	/* power of two */
/* Waiters of one name all share its single upstream lookup, so many cost
 * memory only (bounded by RESOLVER_MAX_WAITING): a program that opens
 * hundreds of connections at once asks for the same name hundreds of times
 * (A and AAAA each) while the first lookup is in flight, and must not get
 * SERVFAIL for it.  The per-name bound keeps one name from taking them all. */
#define RESOLVER_MAX_WAITERS_PER_NAME	1024
#define RESOLVER_MAX_WAITING		4096	/* waiters and forwards, all names */
#define RESOLVER_MAX_INFLIGHT		1024	/* c-ares lookups and sends */
#define RESOLVER_UDP_BURST		64	/* datagrams per readable event */
#define RESOLVER_ACCEPT_BURST		32
#define RESOLVER_TCP_MAX		256	/* TCP clients; the oldest goes */
#define RESOLVER_TCP_IDLE_S		10
#define RESOLVER_TCP_PIPELINE		8	/* queries in flight per connection */
#define RESOLVER_TCP_MAX_QUERY		4096	/* longer TCP messages: close */
#define RESOLVER_TCP_OUT_HIGH		65536	/* stop reading above this */
#define RESOLVER_UPSTREAM_TIMEOUT_MS	2000
#define RESOLVER_UPSTREAM_TRIES		2

/* ---- hash ------------------------------------------------------------------ */

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- types ---------------------------------------------------------------- */

struct udp_sock {
	struct resolver *r;
	int fd;
	struct event *ev;
	struct udp_sock *next;
};

struct tcp_listener {
	struct resolver *r;
	int fd;
	struct event *ev;
	struct event *retry;	/* re-enables accepting after EMFILE */
	struct tcp_listener *next;
};

/* A UDP client: where the query came from and the address it was sent to. */
struct udp_peer {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int pi_level;		/* 0 (no pktinfo), IPPROTO_IP or IPPROTO_IPV6 */
	union {
		struct in_pktinfo v4;
		struct in6_pktinfo v6;
	} pi;
};

struct tcp_client;

/* Where a reply goes: a UDP socket and peer, or a TCP connection (NULL
 * once the connection is gone: the reply is then dropped). */
struct rclient {
	struct udp_sock *us;
	struct udp_peer peer;
	struct tcp_client *tc;
};

enum req_kind {
	REQ_USER,	/* resolver_lookup(): cb(arg, ...) */
	REQ_CLIENT,	/* a DNS client waiting on a lookup */
	REQ_FWD,	/* a DNS client's query forwarded with ares_send() */
};

struct rentry;

struct resolver_req {
	struct resolver *r;
	enum req_kind kind;
	/* REQ_USER and REQ_CLIENT: in e->waiters, or on the local list of
	 * the lookup being answered (then e is NULL). */
	struct list elink;
	struct rentry *e;
	resolver_cb cb;
	void *arg;
	/* REQ_CLIENT and REQ_FWD */
	struct list clink;	/* in c.tc->pending for a TCP client */
	struct rclient c;
	struct dns_query q;	/* q.question points at qbuf */
	uint8_t qbuf[DNS_MAX_NAME_WIRE + 4];
	size_t max_size;
};

enum entry_state {
	ENTRY_NEW,	/* never looked up */
	ENTRY_PENDING,	/* ares_getaddrinfo() in flight */
	ENTRY_DONE,	/* result below, valid until expires */
};

struct rentry {
	struct resolver *r;
	struct rentry *hnext;	/* hash chain */
	struct list lru;	/* r->lru, least recently used first */
	struct list waiters;	/* struct resolver_req.elink */
	unsigned int nwaiters;
	enum entry_state state;
	int err;		/* 0, -ENOENT, -ENODATA, -ETIMEDOUT, -EIO */
	uint64_t expires;	/* now_ns() */
	unsigned int naddrs;
	struct in6_addr addrs[RESOLVER_MAX_ADDRS];	/* IPv4 mapped */
	uint64_t hash;
	size_t len;
	char name[];
};

struct asock {
	int fd;
	struct event *ev;
	struct asock *next;
};

struct tcp_client {
	struct resolver *r;
	struct list link;	/* r->tcp_clients, oldest first */
	int fd;
	struct event *rev, *wev, *tev;
	struct list pending;	/* struct resolver_req.clink */
	unsigned int npending;
	bool eof, reading;
	uint8_t *out;
	size_t outoff, outlen, outcap;
	size_t inlen;
	uint8_t in[2 + RESOLVER_TCP_MAX_QUERY];
};

struct resolver {
	struct event_base *base;
	const struct policy *policy;
	struct report *report;
	struct fakeip *fakeip;		/* created at the first fake answer */
	bool warned_full;

	struct udp_sock *udp;
	struct tcp_listener *listeners;
	struct list tcp_clients;
	unsigned int ntcp;

	struct rentry **buckets;
	struct list lru;
	unsigned int nentries;
	uint64_t hkey[2];
	unsigned int nwaiting;		/* requests waiting: lookup waiters, forwards */
	unsigned int ninflight;		/* c-ares operations */

	/* c-ares, set up at the first upstream query */
	ares_channel channel;
	bool ares_lib, warned_init;
	struct event *ares_timer;
	struct asock *asocks;
	char *test_servers;
	int timeout_ms;

	bool freeing;
	uint8_t rx[DNS_MAX_MSG + 1];	/* one UDP datagram */
	uint8_t tx[2 + DNS_MAX_MSG];	/* one reply, room for the TCP prefix */
};

static void tcp_append(struct tcp_client *tc, const uint8_t *data, size_t len);
static void tcp_pending_done(struct tcp_client *tc);
static void upstream_rearm(struct resolver *r);

/* ---- cache ---------------------------------------------------------------- */

static bool entry_fresh(const struct rentry *e)
{
	return e->state == ENTRY_DONE && now_ns() < e->expires;
}

static bool entry_evictable(const struct rentry *e)
{
	return e->state != ENTRY_PENDING && list_empty(&e->waiters);
}

static void entry_free(struct resolver *r, struct rentry *e)
{
	struct rentry **pp = &r->buckets[e->hash & (RESOLVER_BUCKETS - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	list_del(&e->lru);
	r->nentries--;
	free(e);
}

static struct rentry *entry_find(struct resolver *r, const char *name, size_t len, uint64_t hash)
{
	struct rentry *e = r->buckets[hash & (RESOLVER_BUCKETS - 1)];

	for (; e; e = e->hnext)
		if (e->hash == hash && e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

/* The entry of @name (normalised), created if need be and marked most
 * recently used; NULL when memory runs out or every entry is busy. */
static struct rentry *entry_get(struct resolver *r, const char *name)
{
	size_t len = strlen(name);
	uint64_t hash = siphash24(r->hkey, name, len);
	struct rentry *e = entry_find(r, name, len, hash);

	if (e) {
		list_del(&e->lru);
		list_add_tail(&r->lru, &e->lru);
		return e;
	}
	if (r->nentries >= RESOLVER_MAX_NAMES) {
		struct list *l;

		for (l = r->lru.next; l != &r->lru; l = l->next) {
			struct rentry *old = list_entry(l, struct rentry, lru);

			if (entry_evictable(old)) {
				entry_free(r, old);
				break;
			}
		}
		if (r->nentries >= RESOLVER_MAX_NAMES)
			return NULL;
	}
	e = calloc(1, sizeof(*e) + len + 1);
	if (!e)
		return NULL;
	e->r = r;
	e->hash = hash;
	e->len = len;
	memcpy(e->name, name, len + 1);
	list_init(&e->waiters);
	e->hnext = r->buckets[hash & (RESOLVER_BUCKETS - 1)];
	r->buckets[hash & (RESOLVER_BUCKETS - 1)] = e;
	list_add_tail(&r->lru, &e->lru);
	r->nentries++;
	return e;
}

/* Take a waiting request off its entry (or delivery list) and its TCP
 * client, and free it.  Its callback does not run. */
static void req_drop(struct resolver_req *req)
{
	struct resolver *r = req->r; /* NOLINT(clang-analyzer-unix.Malloc): see list_del() */

	list_del(&req->elink);
	if (req->e) {
		req->e->nwaiters--;
		req->e = NULL;
	}
	if (req->c.tc) {
		list_del(&req->clink);
		req->c.tc->npending--;
	}
	r->nwaiting--;
	free(req);
}

/* ---- replies -------------------------------------------------------------- */

static size_t client_max_size(const struct rclient *c, const struct dns_query *q)
{
	if (!c->us)
		return DNS_MAX_MSG;
	return q->edns ? q->edns_udp_size : DNS_UDP_PLAIN;
}

/* Send a reply from the source address the query was sent to: glibc (and
 * most stubs) drop an answer from any other address. */
static void udp_send(struct udp_sock *us, const struct udp_peer *p, const uint8_t *buf,
		     size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)&p->addr,
		.msg_namelen = p->addrlen,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	struct cmsghdr *cm;

	memset(&cbuf, 0, sizeof(cbuf));
	if (p->pi_level == IPPROTO_IP) {
		/* ipi_spec_dst picks the source; no interface, let the
		 * routing table pick (every address is on lo). */
		struct in_pktinfo pi = { .ipi_ifindex = 0, .ipi_spec_dst = p->pi.v4.ipi_addr };

		msg.msg_control = cbuf.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else if (p->pi_level == IPPROTO_IPV6) {
		struct in6_pktinfo pi = p->pi.v6;	/* ifindex kept: link-local */

		msg.msg_control = cbuf.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	/* A full socket buffer drops the reply: the client retries. */
	while (sendmsg(us->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* Send the reply in r->tx[2 .. 2 + len). */
static void client_send(struct resolver *r, const struct rclient *c, size_t len)
{
	if (c->us) {
		udp_send(c->us, &c->peer, r->tx + 2, len);
	} else if (c->tc) {
		if (dns_tcp_frame_put(r->tx, 2, len) == 0)
			tcp_append(c->tc, r->tx, len + 2);
	}
}

static void reply_rcode(struct resolver *r, const struct rclient *c, const struct dns_query *q,
			int rcode, const struct dns_rr *rrs, size_t nrr)
{
	ssize_t n = dns_build_reply(q, rcode, rrs, nrr, r->tx + 2, DNS_MAX_MSG,
				    client_max_size(c, q));

	if (n > 0)
		client_send(r, c, (size_t)n);
}

static int fake_addr(struct resolver *r, const char *name, struct in_addr *out)
{
	int rc;

	if (!r->fakeip && !(r->fakeip = fakeip_new()))
		return -ENOMEM;
	rc = fakeip_for_name(r->fakeip, name, out);
	if (rc == -ENOSPC && !r->warned_full) {
		warn("the fake address pool 198.18.0.0/15 is full: new names get SERVFAIL");
		r->warned_full = true;
	}
	return rc;
}

/* Answer an A/AAAA/ANY query for @name from a lookup's result. */
static void answer_lookup(struct resolver *r, const struct rclient *c, const struct dns_query *q,
			  const char *name, int err)
{
	struct dns_rr rr = { .type = DNS_TYPE_A, .ttl = RESOLVER_FAKE_TTL };
	struct in_addr fake;

	switch (err) {
	case 0:
		/* AAAA: the name exists, we have no IPv6 fakes (NODATA). */
		if (q->qtype == DNS_TYPE_AAAA) {
			reply_rcode(r, c, q, DNS_RCODE_NOERROR, NULL, 0);
			return;
		}
		if (fake_addr(r, name, &fake) < 0) {
			reply_rcode(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
			return;
		}
		memcpy(rr.addr, &fake.s_addr, 4);
		reply_rcode(r, c, q, DNS_RCODE_NOERROR, &rr, 1);
		return;
	case -ENOENT:
		reply_rcode(r, c, q, DNS_RCODE_NXDOMAIN, NULL, 0);
		return;
	case -ENODATA:
		reply_rcode(r, c, q, DNS_RCODE_NOERROR, NULL, 0);
		return;
	default:
		reply_rcode(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
}

/* ---- upstream (c-ares) ---------------------------------------------------- */

static void ares_timer_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct resolver *r = arg;

	ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	upstream_rearm(r);
}

/* The single c-ares timer follows ares_timeout() after every call into
 * c-ares. */
static void upstream_rearm(struct resolver *r)
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
static void ares_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver *r = arg;

	ares_process_fd(r->channel, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
			(what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	upstream_rearm(r);
}

/* ARES_OPT_SOCK_STATE_CB: c-ares wants to hear about @fd becoming readable
 * or writable, or (both 0) is about to close it. */
static void ares_sock_state(void *data, ares_socket_t fd, int readable, int writable)
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
			  ares_sock_cb, r);
	if (s->ev)
		event_add(s->ev, NULL);
}

/* c-ares 1.18 sets FD_CLOEXEC itself (after socket(), in configure_socket);
 * set it again here so that no c-ares descriptor can reach the program
 * whatever the version.  netbox's loop is single-threaded, so the window
 * between socket() and this call is never seen by a fork. */
static int ares_sock_create(ares_socket_t fd, int type UNUSED, void *data UNUSED)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

/* Set c-ares up at the first upstream query: startup does no work a run
 * without DNS does not need.  A failure is said once and tried again at the
 * next query.  0 or -EIO. */
static int upstream_init(struct resolver *r)
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
	if (!r->ares_timer && !(r->ares_timer = evtimer_new(r->base, ares_timer_cb, r))) {
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
	o.sock_state_cb = ares_sock_state;
	o.sock_state_cb_data = r;
	st = ares_init_options(&r->channel, &o,
			       ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
			       ARES_OPT_DOMAINS | ARES_OPT_SOCK_STATE_CB);
	if (st != ARES_SUCCESS) {
		r->channel = NULL;
		goto fail;
	}
	ares_set_socket_callback(r->channel, ares_sock_create, r);
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

static int ares_status_errno(int status)
{
	switch (status) {
	case ARES_ENOTFOUND:
		return -ENOENT;
	case ARES_ENODATA:
		return -ENODATA;
	case ARES_ETIMEOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

static bool in6_in(const struct in6_addr *list, unsigned int n, const struct in6_addr *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (!memcmp(&list[i], a, sizeof(*a)))
			return true;
	return false;
}

/* Collect the addresses of @ai into e->addrs: unique, IPv6 and IPv4
 * interleaved (IPv6 first, RFC 8305), at most RESOLVER_MAX_ADDRS.  Returns
 * the smallest TTL seen. */
static long collect_addrs(struct rentry *e, const struct ares_addrinfo *ai)
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
			if (n4 < RESOLVER_MAX_ADDRS && !in6_in(v4, n4, &a))
				v4[n4++] = a;
		} else if (n6 < RESOLVER_MAX_ADDRS && !in6_in(v6, n6, &a)) {
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

static void to_sockaddrs(const struct in6_addr *a, unsigned int n, struct sockaddr_storage *ss)
{
	for (unsigned int i = 0; i < n; i++) {
		memset(&ss[i], 0, sizeof(ss[i]));
		if (IN6_IS_ADDR_V4MAPPED(&a[i])) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss[i];

			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, &a[i].s6_addr[12], 4);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss[i];

			s6->sin6_family = AF_INET6;
			s6->sin6_addr = a[i];
		}
	}
}

/* Answer one waiter (taken off every list but its TCP client's) and free
 * it.  A user callback runs last, after the request is freed. */
static void deliver(struct resolver_req *req, const char *name, int err,
		    const struct sockaddr_storage *ss, unsigned int n)
{
	struct resolver *r = req->r;

	r->nwaiting--;
	if (req->kind == REQ_USER) {
		resolver_cb cb = req->cb;
		void *arg = req->arg;

		free(req);
		cb(arg, err ? NULL : ss, err ? 0 : (int)n, err);
		return;
	}
	if (req->c.tc) {
		struct tcp_client *tc = req->c.tc;

		list_del(&req->clink);
		tc->npending--;
		answer_lookup(r, &req->c, &req->q, name, err);
		tcp_pending_done(tc);
	} else if (req->c.us) {
		answer_lookup(r, &req->c, &req->q, name, err);
	}
	free(req);
}

/* A lookup ended: store the result in @e and answer its waiters. */
static void entry_complete(struct rentry *e, int err, long ttl)
{
	struct sockaddr_storage ss[RESOLVER_MAX_ADDRS];
	char name[DNS_MAX_NAME_TEXT + 1];
	unsigned int n;
	struct list todo;

	if (err == 0 && e->naddrs == 0)
		err = -ENODATA;
	if (err == 0) {
		if (ttl < RESOLVER_TTL_MIN)
			ttl = RESOLVER_TTL_MIN;
		if (ttl > RESOLVER_TTL_MAX)
			ttl = RESOLVER_TTL_MAX;
	} else if (err == -ENOENT || err == -ENODATA) {
		ttl = RESOLVER_NEG_TTL;
	} else {
		ttl = 0;	/* failures are not cached */
	}
	if (err)
		e->naddrs = 0;
	e->state = ENTRY_DONE;
	e->err = err;
	e->expires = now_ns() + (uint64_t)ttl * 1000000000ull;

	if (list_empty(&e->waiters))
		return;
	/* Copy everything out: from the first delivery on, @e may be gone. */
	list_move_all(&e->waiters, &todo);
	e->nwaiters = 0;
	n = e->naddrs;
	to_sockaddrs(e->addrs, n, ss);
	snprintf(name, sizeof(name), "%s", e->name);
	for (struct list *l = todo.next; l != &todo; l = l->next)
		list_entry(l, struct resolver_req, elink)->e = NULL;
	while (!list_empty(&todo)) {
		struct resolver_req *req = list_entry(todo.next, struct resolver_req, elink);

		list_del(&req->elink);
		deliver(req, name, err, ss, n);
	}
}

static void gai_cb(void *arg, int status, int timeouts UNUSED, struct ares_addrinfo *ai)
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
		ttl = collect_addrs(e, ai);
	ares_freeaddrinfo(ai);
	entry_complete(e, status == ARES_SUCCESS ? 0 : ares_status_errno(status), ttl);
}

/* A name whose last label is all digits is no host name (RFC 3696 2), and
 * c-ares would take "1.2.3.4" for an address without asking anyone. */
static bool numeric_tld(const char *name)
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
static void upstream_start(struct resolver *r, struct rentry *e)
{
	struct ares_addrinfo_hints hints = {
		/* No RFC 6724 sorting: it connect()s a socket per address,
		 * and collect_addrs() orders them itself. */
		.ai_flags = ARES_AI_NOSORT,
		.ai_family = AF_UNSPEC,
	};

	e->state = ENTRY_PENDING;
	if (numeric_tld(e->name)) {
		entry_complete(e, -ENOENT, 0);
		return;
	}
	if (upstream_init(r) < 0) {
		entry_complete(e, -EIO, 0);
		return;
	}
	r->ninflight++;
	ares_getaddrinfo(r->channel, e->name, NULL, &hints, gai_cb, e);
	upstream_rearm(r);
}

/* Copy the client's question into a request, to answer it later. */
static void req_set_query(struct resolver_req *req, const struct rclient *c,
			  const struct dns_query *q)
{
	req->c = *c;
	req->q = *q;
	memcpy(req->qbuf, q->question, q->question_len);
	req->q.question = req->qbuf;
	req->max_size = client_max_size(c, q);
}

/* An A / AAAA / ANY query for an allowed @name. */
static void query_lookup(struct resolver *r, const struct rclient *c, const struct dns_query *q,
			 const char *name)
{
	struct rentry *e = entry_get(r, name);
	struct resolver_req *req;

	if (!e) {
		reply_rcode(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
	if (e->state != ENTRY_PENDING && !entry_fresh(e)) {
		if (r->ninflight >= RESOLVER_MAX_INFLIGHT) {
			reply_rcode(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
			return;
		}
		upstream_start(r, e);
	}
	if (e->state == ENTRY_DONE) {
		/* Cached, or answered before ares_getaddrinfo() returned.
		 * No user code runs from here on: @e stays valid. */
		answer_lookup(r, c, q, e->name, e->err);
		return;
	}
	if (e->nwaiters >= RESOLVER_MAX_WAITERS_PER_NAME || r->nwaiting >= RESOLVER_MAX_WAITING ||
	    !(req = calloc(1, sizeof(*req)))) {
		reply_rcode(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
	req->r = r;
	req->kind = REQ_CLIENT;
	req_set_query(req, c, q);
	req->e = e;
	list_add_tail(&e->waiters, &req->elink);
	e->nwaiters++;
	r->nwaiting++;
	list_init(&req->clink);
	if (c->tc) {
		list_add_tail(&c->tc->pending, &req->clink);
		c->tc->npending++;
	}
}

static void fwd_cb(void *arg, int status, int timeouts UNUSED, unsigned char *abuf, int alen)
{
	struct resolver_req *req = arg;
	struct resolver *r = req->r;
	struct tcp_client *tc = req->c.tc;
	ssize_t n = -1;

	r->ninflight--;
	r->nwaiting--;
	if (tc) {
		list_del(&req->clink);
		tc->npending--;
	}
	if (r->freeing || status == ARES_EDESTRUCTION || (!tc && !req->c.us)) {
		free(req);	/* resolver_free(), or the TCP client is gone */
		return;
	}
	if (status == ARES_SUCCESS && abuf && alen >= DNS_HDR_LEN && alen <= DNS_MAX_MSG) {
		uint8_t *buf = r->tx + 2;
		size_t qlen = req->q.question_len;

		memcpy(buf, abuf, (size_t)alen);
		/* Give the client back its own question bytes (0x20 case
		 * randomisation): ours was sent lower-cased, the same name. */
		if (get16(buf + 4) == 1 && (size_t)alen >= DNS_HDR_LEN + qlen) {
			bool same = true;

			/* the name case-insensitively, type and class exactly */
			for (size_t i = 0; i < qlen && same; i++) {
				uint8_t a = buf[DNS_HDR_LEN + i], b = req->qbuf[i];

				if (i + 4 < qlen) {
					if (a >= 'A' && a <= 'Z')
						a = (uint8_t)(a - 'A' + 'a');
					if (b >= 'A' && b <= 'Z')
						b = (uint8_t)(b - 'A' + 'a');
				}
				same = a == b;
			}
			if (same)
				memcpy(buf + DNS_HDR_LEN, req->qbuf, qlen);
		}
		n = dns_fixup_forwarded(buf, (size_t)alen, req->q.id, req->max_size);
	}
	if (n > 0)
		client_send(r, &req->c, (size_t)n);
	else
		reply_rcode(r, &req->c, &req->q, DNS_RCODE_SERVFAIL, NULL, 0);
	if (tc)
		tcp_pending_done(tc);
	free(req);
}

/* Another type for an allowed @name: ask upstream a clean question (our
 * ID, RD, the same name, type and class; EDNS if the client used it) and
 * relay the answer with the client's ID, cut to the client's size. */
static void query_forward(struct resolver *r, const struct rclient *c, const struct dns_query *q,
			  const char *name)
{
	unsigned char *qbuf = NULL;
	struct resolver_req *req;
	uint16_t id;
	int qlen;

	if (r->ninflight >= RESOLVER_MAX_INFLIGHT || r->nwaiting >= RESOLVER_MAX_WAITING ||
	    upstream_init(r) < 0) {
		reply_rcode(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
	/* ares_send() puts its own random ID in; ours is random too. */
	random_fill(&id, sizeof(id));
	if (ares_create_query(name, q->qclass, q->qtype, id, 1, &qbuf, &qlen,
			      q->edns ? DNS_EDNS_OURS : 0) != ARES_SUCCESS ||
	    !(req = calloc(1, sizeof(*req)))) {
		if (qbuf)
			ares_free_string(qbuf);
		reply_rcode(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
	req->r = r;
	req->kind = REQ_FWD;
	req_set_query(req, c, q);
	list_init(&req->elink);
	list_init(&req->clink);
	if (c->tc) {
		list_add_tail(&c->tc->pending, &req->clink);
		c->tc->npending++;
	}
	r->nwaiting++;
	r->ninflight++;
	/* May call fwd_cb() (and free @req) before returning. */
	ares_send(r->channel, qbuf, qlen, fwd_cb, req);
	ares_free_string(qbuf);
	upstream_rearm(r);
}

/* ---- decisions ------------------------------------------------------------ */

/* One query from a client, in pkt[0..len).  @pkt is only read during the
 * call. */
static void handle_query(struct resolver *r, const struct rclient *c, const uint8_t *pkt,
			 size_t len)
{
	char name[POLICY_NAME_MAX];
	struct dns_query q;
	struct in_addr a;
	uint8_t abuf[16];
	const struct policy_rule *rule;
	bool allowed;
	int rc = dns_parse_query(pkt, len, &q);

	if (rc != DNS_OK) {
		int rcode = dns_parse_error_rcode(rc);
		ssize_t n;

		if (rcode < 0)
			return;	/* not a query: say nothing */
		n = dns_build_error(pkt, len, rcode, r->tx + 2, DNS_MAX_MSG);
		if (n > 0)
			client_send(r, c, (size_t)n);
		return;
	}
	if (q.edns && q.edns_version != 0) {
		reply_rcode(r, c, &q, DNS_RCODE_BADVERS, NULL, 0);
		return;
	}
	if (q.qclass != DNS_CLASS_IN) {
		reply_rcode(r, c, &q, DNS_RCODE_REFUSED, NULL, 0);
		return;
	}
	/* Reverse lookups of our own fake addresses never leave netbox. */
	if (q.qtype == DNS_TYPE_PTR && dns_ptr_name_parse(q.name, abuf) == 4 &&
	    (memcpy(&a.s_addr, abuf, 4), fakeip_in_range(a))) {
		const char *target = r->fakeip ? fakeip_name(r->fakeip, a) : NULL;
		ssize_t n;

		if (!target) {
			reply_rcode(r, c, &q, DNS_RCODE_NXDOMAIN, NULL, 0);
			return;
		}
		n = dns_build_ptr_reply(&q, target, RESOLVER_FAKE_TTL, r->tx + 2, DNS_MAX_MSG,
					client_max_size(c, &q));
		if (n > 0)
			client_send(r, c, (size_t)n);
		else
			reply_rcode(r, c, &q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
	if (policy_name_normalize(q.name, name, sizeof(name)) < 0) {
		if (r->report)
			report_dns(r->report, &(struct report_dns){ .name = q.name, .qtype = q.qtype,
								    .reason = "invalid name" });
		reply_rcode(r, c, &q, DNS_RCODE_REFUSED, NULL, 0);
		return;
	}
	/* The one rule that matters most: a name no rule allows never
	 * leaves netbox, so DNS cannot carry data out. */
	allowed = policy_name_may_resolve_rule(r->policy, name, &rule);
	if (r->report) {
		char reason[320] = "no rule";

		if (!allowed && rule)
			snprintf(reason, sizeof(reason), "rule '%s' (%s)", policy_rule_text(rule),
				 policy_rule_origin(rule));
		report_dns(r->report, &(struct report_dns){
			.name = name, .qtype = q.qtype, .allowed = allowed,
			.rule = rule ? policy_rule_text(rule) : NULL,
			.origin = rule ? policy_rule_origin(rule) : NULL,
			.reason = allowed ? NULL : reason });
	}
	if (!allowed) {
		reply_rcode(r, c, &q, DNS_RCODE_NXDOMAIN, NULL, 0);
		return;
	}

	switch (q.qtype) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
	case DNS_TYPE_ANY:	/* RFC 8482: a subset will do, the fake A */
		query_lookup(r, c, &q, name);
		return;
	case DNS_TYPE_SVCB:
	case DNS_TYPE_HTTPS:
		/* Their address hints would lead clients past the fakes. */
		reply_rcode(r, c, &q, DNS_RCODE_NOERROR, NULL, 0);
		return;
	case DNS_TYPE_OPT:
	case DNS_TYPE_IXFR:
	case DNS_TYPE_AXFR:
	case 253:	/* MAILB */
	case 254:	/* MAILA */
		reply_rcode(r, c, &q, DNS_RCODE_NOTIMP, NULL, 0);
		return;
	default:
		query_forward(r, c, &q, name);
		return;
	}
}

/* ---- UDP ------------------------------------------------------------------ */

static void udp_read_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct udp_sock *us = arg;
	struct resolver *r = us->r;

	for (int i = 0; i < RESOLVER_UDP_BURST; i++) {
		union {
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				 CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} cbuf;
		struct rclient c;
		struct iovec iov = { .iov_base = r->rx, .iov_len = sizeof(r->rx) };
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf.buf,
			.msg_controllen = sizeof(cbuf.buf),
		};
		ssize_t n;

		memset(&c, 0, sizeof(c));
		c.us = us;
		msg.msg_name = &c.peer.addr;
		msg.msg_namelen = sizeof(c.peer.addr);
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;	/* EAGAIN: drained */
		}
		if (msg.msg_flags & MSG_TRUNC)
			continue;
		c.peer.addrlen = msg.msg_namelen;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
			    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
				memcpy(&c.peer.pi.v4, CMSG_DATA(cm), sizeof(struct in_pktinfo));
				c.peer.pi_level = IPPROTO_IP;
			} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO &&
				   cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
				memcpy(&c.peer.pi.v6, CMSG_DATA(cm), sizeof(struct in6_pktinfo));
				c.peer.pi_level = IPPROTO_IPV6;
			}
		}
		handle_query(r, &c, r->rx, (size_t)n);
	}
}

/* ---- TCP ------------------------------------------------------------------ */

static void tcp_touch(struct tcp_client *tc)
{
	struct timeval tv = { .tv_sec = RESOLVER_TCP_IDLE_S };

	evtimer_add(tc->tev, &tv);
}

/* Free @tc, dropping its pending queries.  Only from its own callbacks,
 * accept and resolver_free() (see the top of the file). */
static void tcp_close(struct tcp_client *tc)
{
	struct resolver *r = tc->r; /* NOLINT(clang-analyzer-unix.Malloc): see list_del() */

	while (!list_empty(&tc->pending)) {
		struct resolver_req *req = list_entry(tc->pending.next, struct resolver_req, clink);

		list_del(&req->clink);
		if (req->kind == REQ_FWD) {
			req->c.tc = NULL;	/* fwd_cb() frees it */
		} else {
			req->c.tc = NULL;
			req_drop(req);
		}
	}
	tc->npending = 0;
	event_free(tc->rev);
	event_free(tc->wev);
	event_free(tc->tev);
	close(tc->fd);
	list_del(&tc->link);
	r->ntcp--;
	free(tc->out);
	free(tc);
}

static size_t tcp_unsent(const struct tcp_client *tc)
{
	return tc->outlen - tc->outoff;
}

/* A complete message waits in tc->in (or a bad prefix does). */
static bool tcp_has_frame(const struct tcp_client *tc)
{
	ssize_t fl = dns_tcp_frame_len(tc->in, tc->inlen);

	return fl < 0 || (fl > 0 && tc->inlen >= 2 + (size_t)fl);
}

static bool tcp_may_take(const struct tcp_client *tc)
{
	return tc->npending < RESOLVER_TCP_PIPELINE && tcp_unsent(tc) < RESOLVER_TCP_OUT_HIGH;
}

/* Read when there is room for more work; run the read callback at once
 * when complete messages are already buffered.  Never frees @tc. */
static void tcp_update_read(struct tcp_client *tc)
{
	bool want = !tc->eof && tcp_may_take(tc) && tc->inlen < sizeof(tc->in);

	if (want && !tc->reading)
		event_add(tc->rev, NULL);
	else if (!want && tc->reading)
		event_del(tc->rev);
	tc->reading = want;
	if (tcp_may_take(tc) && tcp_has_frame(tc))
		event_active(tc->rev, EV_READ, 0);
}

/* Queue @data for the client.  Never frees @tc: the write callback sends
 * it, and closes the connection on errors. */
static void tcp_append(struct tcp_client *tc, const uint8_t *data, size_t len)
{
	if (tc->outoff && tc->outcap - tc->outlen < len) {
		memmove(tc->out, tc->out + tc->outoff, tcp_unsent(tc));
		tc->outlen -= tc->outoff;
		tc->outoff = 0;
	}
	if (tc->outcap - tc->outlen < len) {
		size_t cap = tc->outlen + len + 4096;
		uint8_t *p = realloc(tc->out, cap);

		if (!p)
			return;	/* dropped: the client times out */
		tc->out = p;
		tc->outcap = cap;
	}
	memcpy(tc->out + tc->outlen, data, len);
	tc->outlen += len;
	event_add(tc->wev, NULL);
	tcp_touch(tc);
}

/* One of @tc's queries was answered (npending already counted down). */
static void tcp_pending_done(struct tcp_client *tc)
{
	tcp_update_read(tc);
	if (tc->eof && !tc->npending)
		event_active(tc->wev, EV_WRITE, 0);	/* may close there */
}

/* Handle the complete messages in tc->in, as many as the pipeline takes.
 * -1 when the connection must close (bad length prefix). */
static int tcp_process(struct tcp_client *tc)
{
	struct rclient c = { .tc = tc };

	while (tcp_may_take(tc)) {
		ssize_t fl = dns_tcp_frame_len(tc->in, tc->inlen);
		size_t used;

		if (fl == 0)
			return 0;
		if (fl < 0 || fl > RESOLVER_TCP_MAX_QUERY)
			return -1;
		if (tc->inlen < 2 + (size_t)fl)
			return 0;
		/* Replies only queue output here: @tc stays. */
		handle_query(tc->r, &c, tc->in + 2, (size_t)fl);
		used = 2 + (size_t)fl;
		memmove(tc->in, tc->in + used, tc->inlen - used);
		tc->inlen -= used;
	}
	return 0;
}

static void tcp_read_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct tcp_client *tc = arg;

	if (tc->reading && !tc->eof && tc->inlen < sizeof(tc->in)) {
		ssize_t n = read(fd, tc->in + tc->inlen, sizeof(tc->in) - tc->inlen);

		if (n > 0) {
			tc->inlen += (size_t)n;
			tcp_touch(tc);
		} else if (n == 0) {
			tc->eof = true;
		} else if (errno != EAGAIN && errno != EINTR) {
			tcp_close(tc);
			return;
		}
	}
	if (tcp_process(tc) < 0) {
		tcp_close(tc);
		return;
	}
	if (tc->eof && !tc->npending && !tcp_unsent(tc)) {
		tcp_close(tc);	/* nothing left to answer */
		return;
	}
	tcp_update_read(tc);
}

static void tcp_write_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct tcp_client *tc = arg;

	while (tcp_unsent(tc)) {
		ssize_t n = send(fd, tc->out + tc->outoff, tcp_unsent(tc), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			tcp_close(tc);
			return;
		}
		tc->outoff += (size_t)n;
		tcp_touch(tc);
	}
	tc->outoff = tc->outlen = 0;
	event_del(tc->wev);
	if (tc->eof && !tc->npending && !tcp_has_frame(tc)) {
		tcp_close(tc);
		return;
	}
	tcp_update_read(tc);
}

/* Idle for RESOLVER_TCP_IDLE_S: close, unless the client only waits for
 * upstream answers (bounded by the c-ares timeouts). */
static void tcp_timer_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct tcp_client *tc = arg;

	if (tc->npending && !tcp_unsent(tc)) {
		tcp_touch(tc);
		return;
	}
	tcp_close(tc);
}

static void tcp_accept_retry_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct tcp_listener *l = arg;

	event_add(l->ev, NULL);
}

static void tcp_accept_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct tcp_listener *l = arg;
	struct resolver *r = l->r;

	for (int i = 0; i < RESOLVER_ACCEPT_BURST; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct tcp_client *tc;

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* Out of descriptors: stop accepting for a
				 * second instead of spinning on the listener. */
				struct timeval tv = { .tv_sec = 1 };

				event_del(l->ev);
				evtimer_add(l->retry, &tv);
			}
			return;
		}
		if (r->ntcp >= RESOLVER_TCP_MAX)
			tcp_close(list_entry(r->tcp_clients.next, struct tcp_client, link));
		tc = calloc(1, sizeof(*tc));
		if (!tc) {
			close(cfd);
			continue;
		}
		tc->r = r;
		tc->fd = cfd;
		list_init(&tc->pending);
		tc->rev = event_new(r->base, cfd, EV_READ | EV_PERSIST, tcp_read_cb, tc);
		tc->wev = event_new(r->base, cfd, EV_WRITE | EV_PERSIST, tcp_write_cb, tc);
		tc->tev = evtimer_new(r->base, tcp_timer_cb, tc);
		if (!tc->rev || !tc->wev || !tc->tev) {
			if (tc->rev)
				event_free(tc->rev);
			if (tc->wev)
				event_free(tc->wev);
			if (tc->tev)
				event_free(tc->tev);
			close(cfd);
			free(tc);
			continue;
		}
		list_add_tail(&r->tcp_clients, &tc->link);
		r->ntcp++;
		tc->reading = true;
		event_add(tc->rev, NULL);
		tcp_touch(tc);
	}
}

/* ---- API ------------------------------------------------------------------ */

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
	while (!list_empty(&r->tcp_clients))
		tcp_close(list_entry(r->tcp_clients.next, struct tcp_client, link));
	/* Waiters go without a word: user callbacks do not run. */
	for (struct list *l = r->lru.next; l != &r->lru; l = l->next) {
		struct rentry *e = list_entry(l, struct rentry, lru);

		while (!list_empty(&e->waiters))
			req_drop(list_entry(e->waiters.next, struct resolver_req, elink));
	}
	if (r->channel) {
		/* Calls gai_cb() and fwd_cb() with ARES_EDESTRUCTION (they
		 * free only their forward requests) and closes its sockets
		 * through ares_sock_state(). */
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
	if (r->ares_lib)
		ares_library_cleanup();
	while (!list_empty(&r->lru))
		entry_free(r, list_entry(r->lru.next, struct rentry, lru));
	free(r->buckets);
	while (r->udp) {
		struct udp_sock *us = r->udp;

		r->udp = us->next;
		event_free(us->ev);
		close(us->fd);
		free(us);
	}
	while (r->listeners) {
		struct tcp_listener *l = r->listeners;

		r->listeners = l->next;
		event_free(l->ev);
		event_free(l->retry);
		close(l->fd);
		free(l);
	}
	fakeip_free(r->fakeip);
	free(r->test_servers);
	free(r);
}

static int sock_prepare(int fd, int want_type, int *family)
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
	struct udp_sock *us;
	int family = 0, one = 1, rc = sock_prepare(fd, SOCK_DGRAM, &family);

	if (rc < 0)
		goto fail;
	/* The launcher sets these; make sure, since without them replies
	 * leave from the wrong address and glibc drops them. */
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0) {
			rc = -errno;
			goto fail;
		}
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0) {
			rc = -errno;
			goto fail;
		}
		/* A dual-stack socket also sees IPv4 queries. */
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	}
	us = xcalloc(1, sizeof(*us));
	us->r = r;
	us->fd = fd;
	us->ev = event_new(r->base, fd, EV_READ | EV_PERSIST, udp_read_cb, us);
	if (!us->ev || event_add(us->ev, NULL) < 0) {
		if (us->ev)
			event_free(us->ev);
		free(us);
		rc = -ENOMEM;
		goto fail;
	}
	us->next = r->udp;
	r->udp = us;
	return 0;
fail:
	close(fd);
	return rc;
}

int resolver_add_tcp(struct resolver *r, int fd)
{
	struct tcp_listener *l;
	int family = 0, listening = 0, rc = sock_prepare(fd, SOCK_STREAM, &family);
	socklen_t len = sizeof(listening);

	if (rc < 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening) {
		rc = -EINVAL;
		goto fail;
	}
	l = xcalloc(1, sizeof(*l));
	l->r = r;
	l->fd = fd;
	l->ev = event_new(r->base, fd, EV_READ | EV_PERSIST, tcp_accept_cb, l);
	l->retry = evtimer_new(r->base, tcp_accept_retry_cb, l);
	if (!l->ev || !l->retry || event_add(l->ev, NULL) < 0) {
		if (l->ev)
			event_free(l->ev);
		if (l->retry)
			event_free(l->retry);
		free(l);
		rc = -ENOMEM;
		goto fail;
	}
	l->next = r->listeners;
	r->listeners = l;
	return 0;
fail:
	close(fd);
	return rc;
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
	e = entry_get(r, norm);
	if (!e)
		return -ENOMEM;
	if (e->state != ENTRY_PENDING && !entry_fresh(e)) {
		if (r->ninflight >= RESOLVER_MAX_INFLIGHT)
			return -EAGAIN;
		upstream_start(r, e);
	}
	if (e->state == ENTRY_DONE) {
		/* Cached, or answered before ares_getaddrinfo() returned.
		 * Copied out first: @cb may start lookups that evict @e. */
		struct sockaddr_storage ss[RESOLVER_MAX_ADDRS];
		unsigned int n = e->naddrs;
		int err = e->err;

		to_sockaddrs(e->addrs, n, ss);
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
	req->e = e;
	list_add_tail(&e->waiters, &req->elink);
	e->nwaiters++;
	r->nwaiting++;
	if (reqp)
		*reqp = req;
	return 0;
}

void resolver_cancel(struct resolver_req *req)
{
	if (!req || req->kind != REQ_USER)
		return;
	req_drop(req);
}

int resolver_set_upstream_for_test(struct resolver *r, const char *servers, int timeout_ms)
{
	free(r->test_servers);
	r->test_servers = servers ? xstrdup(servers) : NULL;
	if (timeout_ms > 0)
		r->timeout_ms = timeout_ms;
	if (r->channel && servers &&
	    ares_set_servers_ports_csv(r->channel, servers) != ARES_SUCCESS)
		return -EINVAL;
	return 0;
}
