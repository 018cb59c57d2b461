/* bitmap.h — fixed-size bit sets over bytes: port sets (policy, listeners,
 * on-demand), descriptor sets (relay).  Bit N is bit (N % 8) of byte N / 8,
 * the layout policy_port_bitmap() documents; callers own the storage and
 * the bound check (every index here must be below the map's bit count). */
#ifndef NETBOX_BITMAP_H
#define NETBOX_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BITMAP_BYTES(bits) (((bits) + 7) / 8)

static inline bool bitmap_test(const uint8_t *map, size_t bit)
{
	return map[bit / 8] & (1u << (bit % 8));
}

static inline void bitmap_set(uint8_t *map, size_t bit)
{
	map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static inline void bitmap_clear(uint8_t *map, size_t bit)
{
	map[bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

static inline void bitmap_assign(uint8_t *map, size_t bit, bool on)
{
	if (on)
		bitmap_set(map, bit);
	else
		bitmap_clear(map, bit);
}

/* The byte holding @bit: lets a sweep skip eight clear bits at once. */
static inline uint8_t bitmap_byte(const uint8_t *map, size_t bit)
{
	return map[bit / 8];
}

#endif
