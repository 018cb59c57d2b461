/* fakeip.h — the fake IPv4 address pool of netbox's resolver.
 *
 * An allowed name that resolves upstream is answered with an address from
 * 198.18.0.0/15 (RFC 2544 benchmarking space, as the fake-ip mode of Clash
 * and sing-box), mapped 1:1 to the name for the whole run, so netproxy can
 * turn the destination of an accepted connection back into the host name
 * (DESIGN.md, "The network mechanism", points 4 and 5).  No IPv6 pool: AAAA
 * queries for allowed names get an empty answer.
 *
 * Handed out in order from 198.18.0.1 to 198.19.255.254 (131070 addresses;
 * the first and last of the /15 are skipped); never recycled.  Lookups both
 * ways are O(1): a keyed hash table (SipHash, random key) from name to
 * address, and an array indexed by address offset back to the name.
 * Not thread-safe: one event loop owns the pool.
 */
#ifndef NETBOX_FAKEIP_H
#define NETBOX_FAKEIP_H

#include "fakenet.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define FAKEIP_CAPACITY		((1u << (32 - FAKEIP_PREFIX)) - 2)	/* 131070 */
#define FAKEIP_MAX_NAME		253

struct fakeip;

/* A new, empty pool; NULL with errno set (ENOMEM) on failure. */
struct fakeip *fakeip_new(void);
void fakeip_free(struct fakeip *pool);

/* The fake address of name, handing out the next free one the first time a
 * name is seen.  The name is compared in canonical form: ASCII lowercase,
 * one trailing dot ignored; it must be 1..253 characters then.  Returns 0
 * with *out set (network byte order), -EINVAL (NULL, empty or too long
 * name), -ENOSPC (pool exhausted: every address is taken for this run) or
 * -ENOMEM. */
int fakeip_for_name(struct fakeip *pool, const char *name, struct in_addr *out);

/* The canonical name addr was handed out for, or NULL if it never was.  The
 * string lives as long as the pool. */
const char *fakeip_name(const struct fakeip *pool, struct in_addr addr);

/* Whether addr lies anywhere in 198.18.0.0/15, handed out or not.  A
 * connection to such an address that fakeip_name() does not know must be
 * refused, never relayed to the raw address. */
bool fakeip_in_range(struct in_addr addr);

/* How many addresses have been handed out. */
size_t fakeip_count(const struct fakeip *pool);

#endif
