/* test_dns_fakeip.c — unit tests for dns/fakeip.c, the resolver's fake
 * 198.18.0.0/15 address pool: stable 1:1 mapping, canonical names, reverse
 * lookup, range checks, exhaustion of all 131070 addresses, and the SipHash
 * reference vectors.
 */
#include "dns/fakeip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

/* Not in fakeip.h: exported from fakeip.c for this test only. */
#include "siphash.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		a.s_addr = 0;
	return a;
}

static const char *str(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

static void test_siphash(void)
{
	/* Reference vectors from the SipHash paper / reference code:
	 * key 00..0f, message 00..(n-1). */
	static const uint64_t want[] = {
		0x726fdb47dd0e0e31ULL,	/* n = 0 */
		0x74f839c593dc67fdULL,	/* n = 1 */
		0x0d6c8009d9a94f5aULL,	/* n = 2 */
		0x85676696d7fb7e2dULL,	/* n = 3 */
		0xcf2794e0277187b7ULL,	/* n = 4 */
		0x18765564cd99a68dULL,	/* n = 5 */
		0xcbc9466e58fee3ceULL,	/* n = 6 */
		0xab0200f58b01d137ULL,	/* n = 7 */
		0x93f5f5799a932462ULL,	/* n = 8 */
		0x9e0082df0ba9e4b0ULL,	/* n = 9 */
	};
	uint8_t kb[16], msg[64];
	uint64_t key[2] = { 0, 0 };

	for (int i = 0; i < 16; i++)
		kb[i] = (uint8_t)i;
	for (int i = 7; i >= 0; i--) {
		key[0] = key[0] << 8 | kb[i];
		key[1] = key[1] << 8 | kb[8 + i];
	}
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	for (size_t n = 0; n < sizeof(want) / sizeof(want[0]); n++)
		ok(siphash24(key, msg, n) == want[n], "siphash-2-4 vector %zu", n);
	/* n = 63, last vector in the reference table */
	ok(siphash24(key, msg, 63) == 0x958a324ceb064572ULL, "siphash-2-4 vector 63");
}

static void test_basic(void)
{
	struct fakeip *pool = fakeip_new();
	struct in_addr a, b, c;

	ok(pool != NULL, "fakeip_new");
	is_int(fakeip_count(pool), 0, "empty pool");

	is_int(fakeip_for_name(pool, "example.com", &a), 0, "first name");
	is_str(str(a), "198.18.0.1", "  gets 198.18.0.1 (network address skipped)");
	is_int(fakeip_for_name(pool, "www.example.com", &b), 0, "second name");
	is_str(str(b), "198.18.0.2", "  gets 198.18.0.2");
	is_int(fakeip_for_name(pool, "example.com", &c), 0, "first name again");
	ok(c.s_addr == a.s_addr, "  same address");
	is_int(fakeip_for_name(pool, "EXAMPLE.Com.", &c), 0, "uppercase with trailing dot");
	ok(c.s_addr == a.s_addr, "  same address (canonical form)");
	is_int(fakeip_count(pool), 2, "two names handed out");

	is_str(fakeip_name(pool, a), "example.com", "reverse of 198.18.0.1");
	is_str(fakeip_name(pool, b), "www.example.com", "reverse of 198.18.0.2");
	ok(fakeip_name(pool, ip("198.18.0.3")) == NULL, "198.18.0.3 not handed out: NULL");
	ok(fakeip_name(pool, ip("198.18.0.0")) == NULL, "network address: NULL");
	ok(fakeip_name(pool, ip("198.19.255.255")) == NULL, "last address: NULL");
	ok(fakeip_name(pool, ip("10.0.0.1")) == NULL, "outside the range: NULL");
	ok(fakeip_name(NULL, a) == NULL, "NULL pool: NULL");

	ok(fakeip_in_range(ip("198.18.0.0")), "198.18.0.0 in range");
	ok(fakeip_in_range(ip("198.19.255.255")), "198.19.255.255 in range");
	ok(fakeip_in_range(ip("198.19.7.7")), "198.19.7.7 in range");
	ok(!fakeip_in_range(ip("198.17.255.255")), "198.17.255.255 not in range");
	ok(!fakeip_in_range(ip("198.20.0.0")), "198.20.0.0 not in range");
	ok(!fakeip_in_range(ip("127.0.0.1")), "127.0.0.1 not in range");

	is_int(fakeip_for_name(pool, "", &c), -EINVAL, "empty name: -EINVAL");
	is_int(fakeip_for_name(pool, ".", &c), -EINVAL, "root: -EINVAL");
	is_int(fakeip_for_name(pool, NULL, &c), -EINVAL, "NULL name: -EINVAL");
	is_int(fakeip_for_name(pool, "x", NULL), -EINVAL, "NULL out: -EINVAL");
	is_int(fakeip_for_name(NULL, "x", &c), -EINVAL, "NULL pool: -EINVAL");
	{
		char n[300];

		memset(n, 'a', sizeof(n));
		n[253] = '\0';
		is_int(fakeip_for_name(pool, n, &c), 0, "253-character name");
		is_int(strlen(fakeip_name(pool, c)), 253, "  reverse has all 253");
		n[253] = '.';
		n[254] = '\0';
		is_int(fakeip_for_name(pool, n, &b), 0, "253 + trailing dot");
		ok(b.s_addr == c.s_addr, "  same address");
		n[253] = 'a';
		is_int(fakeip_for_name(pool, n, &c), -EINVAL, "254 characters: -EINVAL");
		memset(n, 'a', sizeof(n));
		n[299] = '\0';
		is_int(fakeip_for_name(pool, n, &c), -EINVAL, "299 characters: -EINVAL");
	}
	is_int(fakeip_count(pool), 3, "failures hand nothing out");
	fakeip_free(pool);
	fakeip_free(NULL);
	ok(1, "fakeip_free(NULL) is harmless");
}

static void test_exhaustion(void)
{
	struct fakeip *pool = fakeip_new();
	struct in_addr a, last = { 0 };
	char name[64];
	int bad = 0;

	for (unsigned int i = 0; i < FAKEIP_CAPACITY; i++) {
		snprintf(name, sizeof(name), "h%u.Example.NET", i);
		if (fakeip_for_name(pool, name, &a) != 0 ||
		    ntohl(a.s_addr) != FAKEIP_NET + 1 + i) {
			bad++;
			break;
		}
		last = a;
	}
	is_int(bad, 0, "131070 names get consecutive addresses");
	is_str(str(last), "198.19.255.254", "last one is 198.19.255.254");
	is_int(fakeip_count(pool), FAKEIP_CAPACITY, "count 131070");
	is_int(fakeip_for_name(pool, "one-too-many.example", &a), -ENOSPC, "pool full: -ENOSPC");
	is_int(fakeip_for_name(pool, "h77.example.net", &a), 0, "known name still answered");
	is_str(str(a), "198.18.0.78", "  with its address");

	bad = 0;
	for (unsigned int i = 0; i < FAKEIP_CAPACITY; i++) {
		struct in_addr x = { .s_addr = htonl(FAKEIP_NET + 1 + i) };
		const char *n = fakeip_name(pool, x);

		snprintf(name, sizeof(name), "h%u.example.net", i);
		if (!n || strcmp(n, name)) {
			bad++;
			break;
		}
	}
	is_int(bad, 0, "every address maps back to its name");
	fakeip_free(pool);
}

static void test_two_pools(void)
{
	struct fakeip *p1 = fakeip_new(), *p2 = fakeip_new();
	struct in_addr a, b;

	fakeip_for_name(p1, "a.example", &a);
	fakeip_for_name(p2, "b.example", &b);
	ok(a.s_addr == b.s_addr, "pools are independent");
	ok(fakeip_name(p1, b) && !strcmp(fakeip_name(p1, b), "a.example"), "  each keeps its own names");
	fakeip_free(p1);
	fakeip_free(p2);
}

int main(void)
{
	test_siphash();
	test_basic();
	test_exhaustion();
	test_two_pools();
	return tap_done();
}
