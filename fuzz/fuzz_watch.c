/* fuzz_watch.c — libFuzzer target for watch_parse() in
 * netproxy/watch_parse.c, which reads the packets the supervisor's raw
 * watch sockets take from the sandbox (netproxy/watch.h).
 *
 * Input: one byte (bit 0: IPv6, bit 1: UDP), for IPv6 the packet's source
 * and destination addresses (16 bytes each), then the packet as the raw
 * socket reads it.  Checked, besides the sanitizers: the result is one of
 * the three; an attempt has the socket's protocol and family (IPv4 mapped
 * for IPv4, never for IPv6) and its ports and addresses where the packet
 * has them, and is never DNS nor a datagram to the loopback; the kernel
 * filter (common/watchfilter.c, run by tests/unit/cbpf.h) passes every attempt and drops what the
 * parser calls no attempt; what the filter keeps (WATCHFILTER_SNAP bytes) reads
 * the same as the whole.  Seeds: fuzz/corpus/watch (the unit test's
 * captured packets).
 */
#include "fuzz.h"
#include "netproxy/watch.h"
#include "tests/unit/cbpf.h"
#include "watchfilter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Field by field: the struct has padding. */
static bool same_attempt(const struct watch_attempt *a, const struct watch_attempt *b)
{
	return a->proto == b->proto && a->port == b->port && a->client_port == b->client_port &&
	       IN6_ARE_ADDR_EQUAL(&a->dst, &b->dst) && IN6_ARE_ADDR_EQUAL(&a->client, &b->client);
}

static bool mapped(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

static void check_attempt(int family, int proto, const uint8_t *pkt, const struct in6_addr *src,
			  const struct in6_addr *dst, const struct watch_attempt *a)
{
	size_t t = family == AF_INET ? (size_t)(pkt[0] & 0xf) * 4 : 0;
	uint16_t sport = (uint16_t)(pkt[t] << 8 | pkt[t + 1]);
	uint16_t dport = (uint16_t)(pkt[t + 2] << 8 | pkt[t + 3]);

	CHECK(a->proto == proto);
	CHECK(family == AF_INET ? mapped(&a->dst) && mapped(&a->client) : !mapped(&a->dst) && !mapped(&a->client));
	if (family == AF_INET) {
		CHECK(memcmp(&a->dst.s6_addr[12], pkt + (proto == IPPROTO_TCP ? 12 : 16), 4) == 0);
		CHECK(memcmp(&a->client.s6_addr[12], pkt + (proto == IPPROTO_TCP ? 16 : 12), 4) == 0);
	} else {
		CHECK(IN6_ARE_ADDR_EQUAL(&a->dst, proto == IPPROTO_TCP ? src : dst));
		CHECK(IN6_ARE_ADDR_EQUAL(&a->client, proto == IPPROTO_TCP ? dst : src));
	}
	if (proto == IPPROTO_TCP) {
		CHECK(a->port == sport && a->client_port == dport);
		CHECK((pkt[t + 13] & 0x3f) == 0x14);
	} else {
		CHECK(a->port == dport && a->client_port == sport);
		CHECK(a->port != 53 && a->client_port != 53);
		CHECK(!IN6_IS_ADDR_LOOPBACK(&a->dst) && !(mapped(&a->dst) && a->dst.s6_addr[12] == 127));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in6_addr src = { 0 }, dst = { 0 };
	uint8_t net6[40] = { 0x60 };
	struct watch_attempt a, b;
	struct sock_fprog prog;
	struct cbpf_pkt cp;
	int family, proto, r, r2;
	uint32_t kept;

	if (size < 1)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	proto = data[0] & 2 ? IPPROTO_UDP : IPPROTO_TCP;
	data++;
	size--;
	if (family == AF_INET6) {
		if (size < 32)
			return 0;
		memcpy(&src, data, 16);
		memcpy(&dst, data + 16, 16);
		memcpy(net6 + 8, data, 32);
		net6[6] = (uint8_t)proto;
		data += 32;
		size -= 32;
	}
	r = watch_parse(family, proto, data, size, &src, &dst, &a);
	CHECK(r == 0 || r == -EINVAL || r == -ENOENT);
	if (r == 0)
		check_attempt(family, proto, data, &src, &dst, &a);

	/* The filter and the parser agree. */
	CHECK(watchfilter_prog(family, proto, &prog) == 0);
	cp = (struct cbpf_pkt){ data, size, family == AF_INET ? data : net6,
				family == AF_INET ? size : sizeof(net6) };
	kept = cbpf_run(&prog, &cp);
	CHECK(kept == 0 || kept == WATCHFILTER_SNAP);
	if (r == 0)
		CHECK(kept == WATCHFILTER_SNAP);
	if (r == -ENOENT)
		CHECK(kept == 0);

	/* What the filter keeps reads as the whole. */
	if (size > WATCHFILTER_SNAP) {
		r2 = watch_parse(family, proto, data, WATCHFILTER_SNAP, &src, &dst, &b);
		CHECK(r2 == r);
		if (r == 0)
			CHECK(same_attempt(&a, &b));
	}
	return 0;
}
