/* cache.c — the resolver's name table: one entry per normalised name, with
 * its state (never looked up, lookup in flight, done), its real addresses or
 * error until the entry expires, and the requests waiting for the lookup in
 * flight: every client of one name shares one upstream lookup (coalescing).
 * Entries sit in a SipHash table and an LRU list; the least recently used
 * entry that nobody waits on goes when the table is full.
 *
 * Part of the resolver (resolver_internal.h), in the supervisor, on its
 * event loop.
 *
 * Re-entrancy, kept by resolver_cache_complete(): a lookup's waiters are
 * moved to a local list before any of them is answered, and taken off that
 * list one at a time, because a user callback (resolver_lookup()) may
 * cancel any other request (it unlinks itself from whichever list holds
 * it), start lookups, and so evict cache entries — including the one being
 * answered.  So nothing of the entry is used once the first waiter has been
 * served: the result is copied out first.
 */
#include "dns/resolver_internal.h"

#include "siphash.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool resolver_cache_fresh(const struct rentry *e)
{
	return e->state == ENTRY_DONE && now_ns() < e->expires;
}

static bool resolver_cache_evictable(const struct rentry *e)
{
	return e->state != ENTRY_PENDING && list_empty(&e->waiters);
}

static void resolver_cache_free(struct resolver *r, struct rentry *e)
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

static struct rentry *resolver_cache_find(struct resolver *r, const char *name, size_t len,
					  uint64_t hash)
{
	struct rentry *e = r->buckets[hash & (RESOLVER_BUCKETS - 1)];

	for (; e; e = e->hnext)
		if (e->hash == hash && e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

/* The entry of @name (normalised), created if need be and marked most
 * recently used; NULL when memory runs out or every entry is busy. */
struct rentry *resolver_cache_get(struct resolver *r, const char *name)
{
	size_t len = strlen(name);
	uint64_t hash = siphash24(r->hkey, name, len);
	struct rentry *e = resolver_cache_find(r, name, len, hash);

	if (e) {
		list_del(&e->lru);
		list_add_tail(&r->lru, &e->lru);
		return e;
	}
	if (r->nentries >= RESOLVER_MAX_NAMES) {
		struct list *l;

		for (l = r->lru.next; l != &r->lru; l = l->next) {
			struct rentry *old = list_entry(l, struct rentry, lru);

			if (resolver_cache_evictable(old)) {
				resolver_cache_free(r, old);
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

/* Make @req (REQ_USER or REQ_CLIENT) wait for @e's lookup in flight.  The
 * caller checked the limits. */
void resolver_cache_wait(struct rentry *e, struct resolver_req *req)
{
	req->e = e;
	list_add_tail(&e->waiters, &req->elink);
	e->nwaiters++;
	e->r->nwaiting++;
}

/* Take a waiting request off its entry (or delivery list) and its TCP
 * client, and free it.  Its callback does not run. */
void resolver_cache_drop_req(struct resolver_req *req)
{
	struct resolver *r = req->r; /* NOLINT(clang-analyzer-unix.Malloc): see list_del() */

	list_del(&req->elink);
	if (req->e) {
		req->e->nwaiters--;
		req->e = NULL;
	}
	if (req->c.tc)
		resolver_tcp_pending_del(req->c.tc, req);
	r->nwaiting--;
	free(req);
}

void resolver_cache_sockaddrs(const struct in6_addr *a, unsigned int n,
			      struct sockaddr_storage *ss)
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
static void resolver_cache_deliver(struct resolver_req *req, const char *name, int err,
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

		resolver_tcp_pending_del(tc, req);
		resolver_query_answer_lookup(r, &req->c, &req->q, name, err);
		resolver_tcp_pending_done(tc);
	} else if (req->c.us) {
		resolver_query_answer_lookup(r, &req->c, &req->q, name, err);
	}
	free(req);
}

/* A lookup ended: store the result in @e and answer its waiters.  From the
 * first answer on, @e may be gone (see the top of the file). */
void resolver_cache_complete(struct rentry *e, int err, long ttl)
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
	resolver_cache_sockaddrs(e->addrs, n, ss);
	snprintf(name, sizeof(name), "%s", e->name);
	for (struct list *l = todo.next; l != &todo; l = l->next)
		list_entry(l, struct resolver_req, elink)->e = NULL;
	while (!list_empty(&todo)) {
		struct resolver_req *req = list_entry(todo.next, struct resolver_req, elink);

		list_del(&req->elink);
		resolver_cache_deliver(req, name, err, ss, n);
	}
}

/* resolver_free(): waiters go without a word, user callbacks do not run. */
void resolver_cache_drop_waiters(struct resolver *r)
{
	for (struct list *l = r->lru.next; l != &r->lru; l = l->next) {
		struct rentry *e = list_entry(l, struct rentry, lru);

		while (!list_empty(&e->waiters))
			resolver_cache_drop_req(list_entry(e->waiters.next, struct resolver_req,
							   elink));
	}
}

/* resolver_free(), once c-ares is gone (its callbacks touch entries). */
void resolver_cache_clear(struct resolver *r)
{
	while (!list_empty(&r->lru))
		resolver_cache_free(r, list_entry(r->lru.next, struct rentry, lru));
}
