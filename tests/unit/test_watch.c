/* test_watch.c — unit tests for the watch's packets: the parser
 * (netproxy/watch_parse.c, API in netproxy/watch.h) on real packets,
 * truncated and damaged ones, and its agreement with the kernel filters
 * (common/watchfilter.c, run by tests/unit/cbpf.h): whatever the parser reports, the filter passes;
 * whatever it calls no attempt, the filter drops.
 *
 * The packets were captured in a network namespace routed as the
 * sandbox's (local 0.0.0.0/0 and ::/0 on lo) from raw sockets with these
 * very filters: the kernel's resets of SYNs to unserved ports (one answering
 * a SYN with a record-route option: a 28-byte IPv4 header), datagrams to
 * non-DNS ports (one with IP options), and, without the filters, a SYN and
 * datagrams to the loopback.
 */
#include "netproxy/watch.h"
#include "tap.h"
#include "cbpf.h"
#include "util.h"
#include "watchfilter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

/* IPv4: the kernel's reset from 198.51.100.30:4444 to 198.51.100.30:55500. */
static const uint8_t rst4[] = {
	0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xe6, 0x2c,
	0xc6, 0x33, 0x64, 0x1e, 0xc6, 0x33, 0x64, 0x1e, 0x11, 0x5c, 0xd8, 0xcc,
	0x00, 0x00, 0x00, 0x00, 0x72, 0xcd, 0xd0, 0xb4, 0x50, 0x14, 0x00, 0x00,
	0x2d, 0x82, 0x00, 0x00,
};
/* The same to a SYN that carried a record-route option, echoed: IHL 7. */
static const uint8_t rst4_opts[] = {
	0x47, 0x00, 0x00, 0x30, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x81, 0xf1,
	0xc6, 0x33, 0x64, 0x1f, 0xc6, 0x33, 0x64, 0x1f, 0x07, 0x07, 0x08, 0xc6,
	0x33, 0x64, 0x1f, 0x00, 0x11, 0x5d, 0x83, 0xe0, 0x00, 0x00, 0x00, 0x00,
	0xb1, 0x51, 0x5e, 0x6e, 0x50, 0x14, 0x00, 0x00, 0xb6, 0x2d, 0x00, 0x00,
};
/* From 127.0.0.1:4447: the sandbox's own loopback. */
static const uint8_t rst4_lo[] = {
	0x45, 0x00, 0x00, 0x28, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x3c, 0xce,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x11, 0x5f, 0x81, 0xac,
	0x00, 0x00, 0x00, 0x00, 0xee, 0xc8, 0x72, 0x08, 0x50, 0x14, 0x00, 0x00,
	0xbd, 0xf1, 0x00, 0x00,
};
/* The SYN a program sends (with its options): no attempt to report. */
static const uint8_t syn4[] = {
	0x45, 0x00, 0x00, 0x3c, 0xc1, 0xbf, 0x40, 0x00, 0x40, 0x06, 0x24, 0x59,
	0xc6, 0x33, 0x64, 0x1e, 0xc6, 0x33, 0x64, 0x1e, 0xb5, 0xb8, 0x11, 0x5c,
	0x3c, 0xb2, 0xbf, 0x45, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xff, 0xd7,
	0x54, 0xd2, 0x00, 0x00, 0x02, 0x04, 0xff, 0xd7, 0x04, 0x02, 0x08, 0x0a,
	0x06, 0xd4, 0xfc, 0x23, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
};
/* "hello" from 198.51.100.30:39987 to 198.51.100.30:5555. */
static const uint8_t udp4[] = {
	0x45, 0x00, 0x00, 0x21, 0x83, 0x20, 0x40, 0x00, 0x40, 0x11, 0x63, 0x08,
	0xc6, 0x33, 0x64, 0x1e, 0xc6, 0x33, 0x64, 0x1e, 0x9c, 0x33, 0x15, 0xb3,
	0x00, 0x0d, 0x54, 0xc2, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};
/* With IP options (NOP NOP NOP EOL): IHL 6. */
static const uint8_t udp4_opts[] = {
	0x46, 0x00, 0x00, 0x25, 0x07, 0x55, 0x40, 0x00, 0x40, 0x11, 0xdb, 0xca,
	0xc6, 0x33, 0x64, 0x20, 0xc6, 0x33, 0x64, 0x20, 0x01, 0x01, 0x01, 0x00,
	0x9e, 0xde, 0x15, 0xb4, 0x00, 0x0d, 0x54, 0xc6, 0x68, 0x65, 0x6c, 0x6c,
	0x6f,
};
/* "hi" to 127.0.0.1:5555: the program's own business. */
static const uint8_t udp4_lo[] = {
	0x45, 0x00, 0x00, 0x1e, 0x50, 0x76, 0x40, 0x00, 0x40, 0x11, 0xec, 0x56,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0xb3, 0xe9, 0x15, 0xb3,
	0x00, 0x0a, 0xfe, 0x1d, 0x68, 0x69,
};
/* IPv6 (the socket reads from the transport header): the reset from
 * [2001:db8::1]:4446 to [::1]:44924, a SYN, and datagrams from [::1]:40598
 * to [2001:db8::2]:5558 and from [::1]:44652 to [::1]:5555. */
static const uint8_t rst6[] = {
	0x11, 0x5e, 0xaf, 0x7c, 0x00, 0x00, 0x00, 0x00, 0x14, 0x7e, 0x8a, 0xb9,
	0x50, 0x14, 0x00, 0x00, 0x2d, 0xd5, 0x00, 0x00,
};
static const uint8_t syn6[] = {
	0xd6, 0x0a, 0x11, 0x5c, 0xac, 0x9c, 0xca, 0xc9, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xff, 0xc4, 0x2d, 0xe9, 0x00, 0x00, 0x02, 0x04, 0xff, 0xc4,
	0x04, 0x02, 0x08, 0x0a, 0x59, 0xbc, 0xc3, 0x7e, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x0a,
};
static const uint8_t udp6[] = {
	0x9e, 0x96, 0x15, 0xb6, 0x00, 0x0d, 0x2d, 0xda, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};
static const uint8_t udp6_lo[] = {
	0xae, 0x6c, 0x15, 0xb3, 0x00, 0x0a, 0x00, 0x1d, 0x68, 0x69,
};

struct pkt_case {
	const char *what;
	int family, proto;
	const uint8_t *pkt;
	size_t len;
	const char *src6, *dst6;  /* IPv6: the packet's addresses */
	int want;
	const char *dst;          /* want 0: the attempt */
	uint16_t port;
	const char *client;
	uint16_t client_port;
	size_t min;               /* shorter prefixes are -EINVAL */
};

#define PKT(p) p, sizeof(p)
static const struct pkt_case cases[] = {
	{ "IPv4 reset", AF_INET, IPPROTO_TCP, PKT(rst4), NULL, NULL, 0,
	  "::ffff:198.51.100.30", 4444, "::ffff:198.51.100.30", 55500, 40 },
	{ "IPv4 reset with options (IHL 7)", AF_INET, IPPROTO_TCP, PKT(rst4_opts), NULL, NULL, 0,
	  "::ffff:198.51.100.31", 4445, "::ffff:198.51.100.31", 33760, 48 },
	{ "IPv4 reset from the loopback", AF_INET, IPPROTO_TCP, PKT(rst4_lo), NULL, NULL, 0,
	  "::ffff:127.0.0.1", 4447, "::ffff:127.0.0.1", 33196, 40 },
	{ "IPv4 SYN", AF_INET, IPPROTO_TCP, PKT(syn4), NULL, NULL, -ENOENT, NULL, 0, NULL, 0, 40 },
	{ "IPv4 datagram", AF_INET, IPPROTO_UDP, PKT(udp4), NULL, NULL, 0,
	  "::ffff:198.51.100.30", 5555, "::ffff:198.51.100.30", 39987, 28 },
	{ "IPv4 datagram with options (IHL 6)", AF_INET, IPPROTO_UDP, PKT(udp4_opts), NULL, NULL, 0,
	  "::ffff:198.51.100.32", 5556, "::ffff:198.51.100.32", 40670, 32 },
	{ "IPv4 datagram to the loopback", AF_INET, IPPROTO_UDP, PKT(udp4_lo), NULL, NULL, -ENOENT,
	  NULL, 0, NULL, 0, 28 },
	{ "IPv6 reset", AF_INET6, IPPROTO_TCP, PKT(rst6), "2001:db8::1", "::1", 0,
	  "2001:db8::1", 4446, "::1", 44924, 20 },
	{ "IPv6 SYN", AF_INET6, IPPROTO_TCP, PKT(syn6), "::1", "2001:db8::1", -ENOENT,
	  NULL, 0, NULL, 0, 20 },
	{ "IPv6 datagram", AF_INET6, IPPROTO_UDP, PKT(udp6), "::1", "2001:db8::2", 0,
	  "2001:db8::2", 5558, "::1", 40598, 8 },
	{ "IPv6 datagram to ::1", AF_INET6, IPPROTO_UDP, PKT(udp6_lo), "::1", "::1", -ENOENT,
	  NULL, 0, NULL, 0, 8 },
	{ "IPv6 datagram to ::1 from elsewhere", AF_INET6, IPPROTO_UDP, PKT(udp6), "2001:db8::2", "::1",
	  -ENOENT, NULL, 0, NULL, 0, 8 },
	{ "IPv6 datagram to ::2", AF_INET6, IPPROTO_UDP, PKT(udp6), "::1", "::2", 0,
	  "::2", 5558, "::1", 40598, 8 },
	/* wrong protocol: what the other socket reads */
	{ "an IPv4 datagram read as TCP", AF_INET, IPPROTO_TCP, PKT(udp4), NULL, NULL, -EINVAL,
	  NULL, 0, NULL, 0, 0 },
	{ "an IPv4 reset read as UDP", AF_INET, IPPROTO_UDP, PKT(rst4), NULL, NULL, -EINVAL,
	  NULL, 0, NULL, 0, 0 },
	{ "an IPv4 reset read as IPv6", AF_INET6, IPPROTO_TCP, PKT(rst4), "::1", "::1", -ENOENT,
	  NULL, 0, NULL, 0, 20 },
	{ "an IPv4 reset, ICMP", AF_INET, IPPROTO_ICMP, PKT(rst4), NULL, NULL, -EINVAL,
	  NULL, 0, NULL, 0, 0 },
	{ "an IPv4 reset, AF_UNIX", AF_UNIX, IPPROTO_TCP, PKT(rst4), NULL, NULL, -EINVAL,
	  NULL, 0, NULL, 0, 0 },
	{ "IPv6 without its destination", AF_INET6, IPPROTO_TCP, PKT(rst6), "2001:db8::1", NULL,
	  -EINVAL, NULL, 0, NULL, 0, 0 },
	{ "IPv6 from a mapped address", AF_INET6, IPPROTO_TCP, PKT(rst6), "::ffff:198.51.100.1", "::1",
	  -EINVAL, NULL, 0, NULL, 0, 0 },
};

/* Field by field: the struct has padding. */
static bool same_attempt(const struct watch_attempt *a, const struct watch_attempt *b)
{
	return a->proto == b->proto && a->port == b->port && a->client_port == b->client_port &&
	       IN6_ARE_ADDR_EQUAL(&a->dst, &b->dst) && IN6_ARE_ADDR_EQUAL(&a->client, &b->client);
}

/* @a as text (IPv6 notation, mapped for IPv4). */
static const char *addr_str(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* What the kernel filter of @c's socket says of its first @len bytes. */
static uint32_t filter(const struct pkt_case *c, const uint8_t *pkt, size_t len)
{
	struct sock_fprog prog;
	uint8_t net6[40] = { 0x60 };
	struct cbpf_pkt p = { pkt, len, pkt, len };

	if (watchfilter_prog(c->family, c->proto, &prog) < 0)
		return 0;
	if (c->family == AF_INET6) {
		net6[6] = (uint8_t)c->proto;
		if (c->src6)
			inet_pton(AF_INET6, c->src6, net6 + 8);
		if (c->dst6)
			inet_pton(AF_INET6, c->dst6, net6 + 24);
		p.net = net6;
		p.netlen = sizeof(net6);
	}
	return cbpf_run(&prog, &p);
}

static int parse(const struct pkt_case *c, const uint8_t *pkt, size_t len, struct watch_attempt *a)
{
	struct in6_addr s6, d6;

	if (c->src6)
		inet_pton(AF_INET6, c->src6, &s6);
	if (c->dst6)
		inet_pton(AF_INET6, c->dst6, &d6);
	return watch_parse(c->family, c->proto, pkt, len, c->src6 ? &s6 : NULL, c->dst6 ? &d6 : NULL, a);
}

static void test_case(const struct pkt_case *c)
{
	struct watch_attempt a;
	char b1[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN];
	int r = parse(c, c->pkt, c->len, &a);
	bool prefixes = true;

	is_int(r, c->want, "%s: %d", c->what, c->want);
	if (r == 0) {
		is_str(addr_str(&a.dst, b1), c->dst, "%s: tried %s", c->what, c->dst);
		is_int(a.port, c->port, "%s: port %u", c->what, c->port);
		is_str(addr_str(&a.client, b2), c->client, "%s: from %s", c->what, c->client);
		is_int(a.client_port, c->client_port, "%s: from port %u", c->what, c->client_port);
		is_int(a.proto, c->proto, "%s: protocol", c->what);
	}
	if (r == 0)
		is_int(filter(c, c->pkt, c->len), WATCHFILTER_SNAP, "%s: the filter passes it", c->what);
	if (r == -ENOENT)
		is_int(filter(c, c->pkt, c->len), 0, "%s: the filter drops it", c->what);
	/* Truncated: too short for the headers is malformed; longer prefixes
	 * (a packet the filter cut at WATCHFILTER_SNAP) read the same. */
	for (size_t n = 0; n < c->len && c->min; n++) {
		struct watch_attempt b;
		int rn = parse(c, c->pkt, n, &b);

		if (n < c->min ? rn != -EINVAL : rn != r || (r == 0 && !same_attempt(&a, &b)))
			prefixes = false;
	}
	if (c->min)
		ok(prefixes, "%s: under %zu bytes malformed, over it the same", c->what, c->min);
}

/* @base with byte @at set to @v. */
static int damaged(const uint8_t *base, size_t len, size_t at, uint8_t v, int proto)
{
	uint8_t p[64];
	struct watch_attempt a;

	memcpy(p, base, len);
	p[at] = v;
	return watch_parse(AF_INET, proto, p, len, NULL, NULL, &a);
}

static void test_damaged(void)
{
	uint8_t p[64];
	struct watch_attempt a;
	struct pkt_case c = { "", AF_INET, IPPROTO_TCP, p, sizeof(rst4), NULL, NULL, 0, NULL, 0, NULL, 0, 0 };

	is_int(damaged(PKT(rst4), 0, 0x44, IPPROTO_TCP), -EINVAL, "IHL 4: malformed");
	is_int(damaged(PKT(rst4), 0, 0x4f, IPPROTO_TCP), -EINVAL, "IHL 15 in a 40-byte packet: malformed");
	is_int(damaged(PKT(rst4), 0, 0x65, IPPROTO_TCP), -EINVAL, "version 6 on the IPv4 socket: malformed");
	is_int(damaged(PKT(rst4), 3, 0x13, IPPROTO_TCP), -EINVAL, "total length under the IP header: malformed");
	is_int(damaged(PKT(rst4), 3, 0x27, IPPROTO_TCP), -EINVAL, "total length 39: no whole TCP header");
	is_int(damaged(PKT(udp4), 3, 0x1c, IPPROTO_UDP), 0, "total length 28 (padding after it): the datagram");
	is_int(damaged(PKT(udp4), 3, 0x1b, IPPROTO_UDP), -EINVAL, "total length 27: no whole UDP header");
	is_int(damaged(PKT(rst4), 7, 0x01, IPPROTO_TCP), -EINVAL, "a later fragment: malformed");
	is_int(damaged(PKT(rst4), 6, 0x60, IPPROTO_TCP), 0, "DF and MF set, offset 0: read");
	is_int(damaged(PKT(rst4), 32, 0x40, IPPROTO_TCP), -EINVAL, "TCP data offset 4: malformed");
	is_int(damaged(PKT(udp4), 25, 0x07, IPPROTO_UDP), -EINVAL, "UDP length 7: malformed");

	/* Not the kernel's answer to a SYN: the filter drops them too. */
	memcpy(p, rst4, sizeof(rst4));
	p[27] = 1;
	is_int(watch_parse(AF_INET, IPPROTO_TCP, p, sizeof(rst4), NULL, NULL, &a), -ENOENT,
	       "a reset with a sequence number (the proxy's, a program's): not an attempt");
	is_int(filter(&c, p, sizeof(rst4)), 0, "... and the filter drops it");
	memcpy(p, rst4, sizeof(rst4));
	p[33] = 0x04;
	is_int(watch_parse(AF_INET, IPPROTO_TCP, p, sizeof(rst4), NULL, NULL, &a), -ENOENT,
	       "RST without ACK: not an attempt");
	is_int(filter(&c, p, sizeof(rst4)), 0, "... and the filter drops it");
	memcpy(p, rst4, sizeof(rst4));
	p[33] = 0xd4; /* CWR and ECE do not count */
	is_int(watch_parse(AF_INET, IPPROTO_TCP, p, sizeof(rst4), NULL, NULL, &a), 0, "RST+ACK with ECN bits: an attempt");
	is_int(filter(&c, p, sizeof(rst4)), WATCHFILTER_SNAP, "... and the filter passes it");

	c = (struct pkt_case){ "", AF_INET, IPPROTO_UDP, p, sizeof(udp4), NULL, NULL, 0, NULL, 0, NULL, 0, 0 };
	for (int side = 0; side < 2; side++) {
		memcpy(p, udp4, sizeof(udp4));
		p[20 + 2 * side] = 0;
		p[21 + 2 * side] = 53;
		is_int(watch_parse(AF_INET, IPPROTO_UDP, p, sizeof(udp4), NULL, NULL, &a), -ENOENT,
		       "UDP %s port 53: DNS, not an attempt", side ? "to" : "from");
		is_int(filter(&c, p, sizeof(udp4)), 0, "... and the filter drops it");
	}
	/* Only the destination tells the loopback. */
	memcpy(p, udp4_lo, sizeof(udp4_lo));
	memcpy(p + 16, udp4 + 16, 4);
	c.len = sizeof(udp4_lo);
	is_int(watch_parse(AF_INET, IPPROTO_UDP, p, sizeof(udp4_lo), NULL, NULL, &a), 0,
	       "UDP from 127.0.0.1 to 198.51.100.30: an attempt");
	is_int(filter(&c, p, sizeof(udp4_lo)), WATCHFILTER_SNAP, "... and the filter passes it");
	memcpy(p, udp4, sizeof(udp4));
	memcpy(p + 16, udp4_lo + 16, 4);
	c.len = sizeof(udp4);
	is_int(watch_parse(AF_INET, IPPROTO_UDP, p, sizeof(udp4), NULL, NULL, &a), -ENOENT,
	       "UDP from 198.51.100.30 to 127.0.0.1: not an attempt");
	is_int(filter(&c, p, sizeof(udp4)), 0, "... and the filter drops it");
	memcpy(p, udp4_opts, sizeof(udp4_opts));
	p[26] = 0;
	p[27] = 53;
	c.len = sizeof(udp4_opts);
	is_int(watch_parse(AF_INET, IPPROTO_UDP, p, sizeof(udp4_opts), NULL, NULL, &a), -ENOENT,
	       "UDP to port 53 behind IP options: not an attempt");
	is_int(filter(&c, p, sizeof(udp4_opts)), 0, "... and the filter finds the port behind them");
	is_int(watch_parse(AF_INET, IPPROTO_UDP, NULL, 0, NULL, NULL, &a), -EINVAL, "no packet");
}

static void test_kinds(void)
{
	static const struct {
		enum channel_listener_kind kind;
		int family, proto;
	} kinds[] = {
		{ LISTENER_WATCH_TCP4, AF_INET, IPPROTO_TCP },
		{ LISTENER_WATCH_UDP4, AF_INET, IPPROTO_UDP },
		{ LISTENER_WATCH_TCP6, AF_INET6, IPPROTO_TCP },
		{ LISTENER_WATCH_UDP6, AF_INET6, IPPROTO_UDP },
	};
	struct sock_fprog prog;
	int family, proto;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		ok(watchfilter_kind(kinds[i].kind, &family, &proto) == 0 && family == kinds[i].family &&
			   proto == kinds[i].proto,
		   "kind %d: family %d, protocol %d", kinds[i].kind, kinds[i].family, kinds[i].proto);
		ok(watchfilter_prog(family, proto, &prog) == 0 && prog.len > 0 && prog.len < 20,
		   "kind %d: a filter of a few instructions", kinds[i].kind);
	}
	is_int(watchfilter_kind(LISTENER_PROXY, &family, &proto), -EINVAL, "a listener is no watch");
	is_int(watchfilter_prog(AF_INET, IPPROTO_ICMP, &prog), -EINVAL, "no filter for ICMP");
}

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		test_case(&cases[i]);
	test_damaged();
	test_kinds();
	return tap_done();
}
