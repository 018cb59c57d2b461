/* resolver_internal.h — the parts of netbox's in-sandbox DNS server (see
 * resolver.h and DESIGN.md, "The network mechanism", point 4) and what they
 * share.  Private to dns/: nothing outside includes it.
 *
 * Everything runs in the supervisor, on its one libevent loop, and every
 * function below is prefixed with its file's name:
 *   resolver.c   the public API, resolver_new() ... resolver_cancel(), and
 *                the wiring of the parts below
 *   cache.c      resolver_cache_*: one entry per name (state, real
 *                addresses), LRU eviction, the waiters of a lookup in flight
 *                (coalescing) and answering them
 *   upstream.c   resolver_upstream_*: c-ares on the libevent loop (one event
 *                per c-ares socket from ARES_OPT_SOCK_STATE_CB, one timer
 *                re-armed from ares_timeout()), lookups and forwarded queries
 *   query.c      resolver_query_*: one client query (parse, policy, answer)
 *                and sending the reply
 *   udp.c        resolver_udp_*: the UDP sockets, replies from the address
 *                the query was sent to (pktinfo)
 *   tcp.c        resolver_tcp_*: listeners, clients, framing, pipelining,
 *                idle timeouts
 *
 * Nothing blocks and nothing dies at run time: allocation failures and
 * limits give SERVFAIL (a UDP or TCP query), reset one TCP client, or make
 * resolver_lookup() return -EAGAIN / -ENOMEM.  Only resolver_new() may
 * die().  What can fail returns 0 or -errno, never -1 or a bare errno.
 *
 * Re-entrancy: replying, answering waiters and calling into c-ares can each
 * run code that frees what the caller holds.  The rules live where they are
 * kept: who may free a TCP client (tcp.c), answering a lookup's waiters
 * (cache.c), c-ares calling back before it returns and forwarded queries
 * outliving their TCP client (upstream.c).
 */
#ifndef NETBOX_RESOLVER_INTERNAL_H
#define NETBOX_RESOLVER_INTERNAL_H

#include "dns/dnscodec.h"
#include "dns/resolver.h"
#include "list.h"

#include <ares.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

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
	bool failed;		/* out of memory: reset at the next callback */
	uint8_t *out;
	size_t outoff, outlen, outcap;
	size_t inlen;
	uint8_t in[2 + RESOLVER_TCP_MAX_QUERY];
};

struct resolver {
	struct event_base *base;
	const struct policy *policy;
	struct report *report;
	const struct proxyconf *proxies;	/* upstream proxies, or NULL */
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

/* cache.c */
bool resolver_cache_fresh(const struct rentry *e);
struct rentry *resolver_cache_get(struct resolver *r, const char *name);
void resolver_cache_wait(struct rentry *e, struct resolver_req *req);
void resolver_cache_drop_req(struct resolver_req *req);
void resolver_cache_complete(struct rentry *e, int err, long ttl);
void resolver_cache_sockaddrs(const struct in6_addr *a, unsigned int n,
			      struct sockaddr_storage *ss);
void resolver_cache_drop_waiters(struct resolver *r);
void resolver_cache_clear(struct resolver *r);

/* upstream.c */
void resolver_upstream_start(struct resolver *r, struct rentry *e);
void resolver_upstream_forward(struct resolver *r, const struct rclient *c,
			       const struct dns_query *q, const char *name);
int resolver_upstream_set_servers(struct resolver *r, const char *servers, int timeout_ms);
void resolver_upstream_free(struct resolver *r);

/* query.c */
void resolver_query_handle(struct resolver *r, const struct rclient *c, const uint8_t *pkt,
			   size_t len);
struct resolver_req *resolver_query_req_new(struct resolver *r, enum req_kind kind,
					    const struct rclient *c, const struct dns_query *q);
void resolver_query_answer_lookup(struct resolver *r, const struct rclient *c,
				  const struct dns_query *q, const char *name, int err);
void resolver_query_reply(struct resolver *r, const struct rclient *c, const struct dns_query *q,
			  int rcode, const struct dns_rr *rrs, size_t nrr);
void resolver_query_send(struct resolver *r, const struct rclient *c, size_t len);

/* udp.c */
int resolver_udp_serve(struct resolver *r, int fd, int family);
void resolver_udp_send(struct udp_sock *us, const struct udp_peer *p, const uint8_t *buf,
		       size_t len);
void resolver_udp_free(struct resolver *r);

/* tcp.c */
int resolver_tcp_serve(struct resolver *r, int fd);
void resolver_tcp_append(struct tcp_client *tc, const uint8_t *data, size_t len);
void resolver_tcp_pending_add(struct tcp_client *tc, struct resolver_req *req);
void resolver_tcp_pending_del(struct tcp_client *tc, struct resolver_req *req);
void resolver_tcp_pending_done(struct tcp_client *tc);
void resolver_tcp_free(struct resolver *r);

#endif
