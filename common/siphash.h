/* siphash.h — keyed hashing for the hash tables whose keys the sandbox
 * chooses (the resolver's cache, the fake address pool): SipHash-2-4 under
 * a random key (random_fill()), so that no set of names can be made to collide. */
#ifndef NETBOX_SIPHASH_H
#define NETBOX_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 (Aumasson and Bernstein), the reference algorithm. */
uint64_t siphash24(const uint64_t key[2], const void *data, size_t len);

#endif
