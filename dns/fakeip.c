/* fakeip.c — the 198.18.0.0/15 fake address pool of netbox's resolver.
 *
 * See fakeip.h.  Addresses are handed out sequentially and never recycled,
 * so address -> name is a plain array indexed by the offset in the /15 (the
 * perfect hash), grown by doubling.  Name -> address is an open-addressing
 * table with linear probing, kept at most half full, keyed with SipHash-2-4
 * under a random key so a sandboxed program choosing names (under a
 * `*.example.com` rule) cannot force collisions.  Runtime errors are
 * returned as -errno, never fatal.
 */
#include "dns/fakeip.h"
#include "siphash.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FAKEIP_SLOTS_MIN	1024	/* power of two */
#define FAKEIP_ADDRS_MIN	256

struct fakeip_entry {
	uint64_t hash;
	size_t len;
	char name[];
};

struct fakeip_slot {
	uint32_t hash;	/* low bits of the entry's hash, to skip most compares */
	uint32_t idx;	/* index in by_addr + 1; 0 = empty */
};

struct fakeip {
	struct fakeip_entry **by_addr;	/* [i]: address FAKEIP_NET + 1 + i */
	size_t count, addr_cap;
	struct fakeip_slot *slots;
	size_t nslots;			/* power of two */
	uint64_t key[2];
};

struct fakeip *fakeip_new(void)
{
	struct fakeip *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return NULL;
	pool->nslots = FAKEIP_SLOTS_MIN;
	pool->slots = calloc(pool->nslots, sizeof(*pool->slots));
	if (!pool->slots) {
		free(pool);
		errno = ENOMEM;
		return NULL;
	}
	random_fill(pool->key, sizeof(pool->key));
	return pool;
}

void fakeip_free(struct fakeip *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; i < pool->count; i++)
		free(pool->by_addr[i]);
	free(pool->by_addr);
	free(pool->slots);
	free(pool);
}

/* Lowercase name into buf without one trailing dot.  Its length, or
 * -EINVAL. */
static ssize_t canonical(const char *name, char buf[FAKEIP_MAX_NAME + 1])
{
	size_t n = strnlen(name, FAKEIP_MAX_NAME + 2);

	if (n && name[n - 1] == '.')
		n--;
	if (n == 0 || n > FAKEIP_MAX_NAME)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		buf[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

/* The slot holding name, or the empty slot where it would go. */
static struct fakeip_slot *find_slot(const struct fakeip *pool, uint64_t hash,
				     const char *name, size_t len)
{
	size_t mask = pool->nslots - 1, i = (size_t)(hash >> 32) & mask;

	/* Never more than half full: the probe ends at an empty slot. */
	for (;;) {
		struct fakeip_slot *s = &pool->slots[i];

		if (!s->idx)
			return s;
		if (s->hash == (uint32_t)hash) {
			const struct fakeip_entry *e = pool->by_addr[s->idx - 1];

			if (e->len == len && !memcmp(e->name, name, len))
				return s;
		}
		i = (i + 1) & mask;
	}
}

static int grow_slots(struct fakeip *pool)
{
	size_t n = pool->nslots * 2, mask = n - 1;
	struct fakeip_slot *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t k = 0; k < pool->count; k++) {
		const struct fakeip_entry *e = pool->by_addr[k];
		size_t i = (size_t)(e->hash >> 32) & mask;

		while (slots[i].idx)
			i = (i + 1) & mask;
		slots[i].hash = (uint32_t)e->hash;
		slots[i].idx = (uint32_t)k + 1;
	}
	free(pool->slots);
	pool->slots = slots;
	pool->nslots = n;
	return 0;
}

static int grow_addrs(struct fakeip *pool)
{
	size_t n = pool->addr_cap ? pool->addr_cap * 2 : FAKEIP_ADDRS_MIN;
	struct fakeip_entry **a;

	if (n > FAKEIP_CAPACITY)
		n = FAKEIP_CAPACITY;
	a = realloc(pool->by_addr, n * sizeof(*a));
	if (!a)
		return -ENOMEM;
	pool->by_addr = a;
	pool->addr_cap = n;
	return 0;
}

static struct in_addr addr_of(size_t idx)
{
	struct in_addr a = { .s_addr = htonl(FAKEIP_NET + 1 + (uint32_t)idx) };

	return a;
}

int fakeip_for_name(struct fakeip *pool, const char *name, struct in_addr *out)
{
	char buf[FAKEIP_MAX_NAME + 1];
	struct fakeip_entry *e;
	struct fakeip_slot *s;
	uint64_t hash;
	ssize_t len;

	if (!pool || !name || !out)
		return -EINVAL;
	len = canonical(name, buf);
	if (len < 0)
		return (int)len;
	hash = siphash24(pool->key, buf, (size_t)len);

	s = find_slot(pool, hash, buf, (size_t)len);
	if (s->idx) {
		*out = addr_of(s->idx - 1);
		return 0;
	}
	if (pool->count >= FAKEIP_CAPACITY)
		return -ENOSPC;
	if ((pool->count + 1) * 2 > pool->nslots) {
		if (grow_slots(pool))
			return -ENOMEM;
		s = find_slot(pool, hash, buf, (size_t)len);
	}
	if (pool->count == pool->addr_cap && grow_addrs(pool))
		return -ENOMEM;
	e = malloc(sizeof(*e) + (size_t)len + 1);
	if (!e)
		return -ENOMEM;
	e->hash = hash;
	e->len = (size_t)len;
	memcpy(e->name, buf, (size_t)len + 1);

	pool->by_addr[pool->count] = e;
	s->hash = (uint32_t)hash;
	s->idx = (uint32_t)pool->count + 1;
	*out = addr_of(pool->count);
	pool->count++;
	return 0;
}

bool fakeip_in_range(struct in_addr addr)
{
	uint32_t a = ntohl(addr.s_addr);

	return (a >> (32 - FAKEIP_PREFIX)) == (FAKEIP_NET >> (32 - FAKEIP_PREFIX));
}

const char *fakeip_name(const struct fakeip *pool, struct in_addr addr)
{
	uint32_t a = ntohl(addr.s_addr);
	size_t idx;

	if (!pool || !fakeip_in_range(addr) || a == FAKEIP_NET)
		return NULL;
	idx = a - FAKEIP_NET - 1;
	if (idx >= pool->count)
		return NULL;
	return pool->by_addr[idx]->name;
}

size_t fakeip_count(const struct fakeip *pool)
{
	return pool ? pool->count : 0;
}
