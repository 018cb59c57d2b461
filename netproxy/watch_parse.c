/* watch_parse.c — in the supervisor: reads the packets the watch sockets
 * take (watch.h), what their kernel filters (common/watchfilter.c) pass
 * and what came before those were attached.  Pure, and checks every length
 * itself; the unit test and the fuzzer check that it agrees with the
 * filters (tests/unit/cbpf.h runs them).
 */
#include "netproxy/watch.h"
#include "watchfilter.h"

#include <errno.h>
#include <string.h>

#define WATCH_IP4_MIN 20
#define WATCH_TCP_MIN 20
#define WATCH_UDP_MIN 8

static uint16_t watch_parse_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t watch_parse_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void watch_parse_v4(const uint8_t *p, struct in6_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[10] = a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], p, 4);
}

/* The sandbox's own loopback: 127.0.0.0/8 (mapped) or ::1. */
static bool watch_parse_loopback(const struct in6_addr *a)
{
	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

/* The transport header at @t, @len bytes of it there, of a packet from @src
 * to @dst. */
static int watch_parse_transport(int proto, const uint8_t *t, size_t len, const struct in6_addr *src,
				 const struct in6_addr *dst, struct watch_attempt *out)
{
	uint16_t sport, dport;

	if (len < (proto == IPPROTO_TCP ? WATCH_TCP_MIN : WATCH_UDP_MIN))
		return -EINVAL;
	sport = watch_parse_u16(t);
	dport = watch_parse_u16(t + 2);
	if (proto == IPPROTO_TCP) {
		if (t[12] >> 4 < WATCH_TCP_MIN / 4) /* data offset */
			return -EINVAL;
		if ((t[13] & WATCHFILTER_TCP_FLAGS) != WATCHFILTER_RST_ACK || watch_parse_u32(t + 4) != 0)
			return -ENOENT;
		/* The reset comes back from where the program tried to go. */
		*out = (struct watch_attempt){ .proto = proto, .dst = *src, .port = sport,
					       .client = *dst, .client_port = dport };
		return 0;
	}
	if (watch_parse_u16(t + 4) < WATCH_UDP_MIN) /* the UDP length */
		return -EINVAL;
	if (sport == WATCHFILTER_DNS_PORT || dport == WATCHFILTER_DNS_PORT || watch_parse_loopback(dst))
		return -ENOENT;
	*out = (struct watch_attempt){ .proto = proto, .dst = *dst, .port = dport, .client = *src,
				       .client_port = sport };
	return 0;
}

static int watch_parse_ip4(int proto, const uint8_t *pkt, size_t len, struct watch_attempt *out)
{
	struct in6_addr src, dst;
	size_t hlen, total;

	if (len < WATCH_IP4_MIN || pkt[0] >> 4 != 4)
		return -EINVAL;
	hlen = (size_t)(pkt[0] & 0xf) * 4;
	total = watch_parse_u16(pkt + 2);
	/* The filter keeps WATCHFILTER_SNAP bytes: @len may be less than the total
	 * length, never more than the kernel checked it against. */
	if (hlen < WATCH_IP4_MIN || hlen > len || total < hlen)
		return -EINVAL;
	if (total < len)
		len = total;
	/* A later fragment has no transport header (raw sockets get
	 * reassembled packets: this one is not from the kernel). */
	if (pkt[9] != proto || (watch_parse_u16(pkt + 6) & 0x1fff))
		return -EINVAL;
	watch_parse_v4(pkt + 12, &src);
	watch_parse_v4(pkt + 16, &dst);
	return watch_parse_transport(proto, pkt + hlen, len - hlen, &src, &dst, out);
}

int watch_parse(int family, int proto, const uint8_t *pkt, size_t len, const struct in6_addr *src6,
		const struct in6_addr *dst6, struct watch_attempt *out)
{
	if (!pkt || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return -EINVAL;
	if (family == AF_INET)
		return watch_parse_ip4(proto, pkt, len, out);
	/* IPv4 travels as IPv4 on the wire, never as a mapped address. */
	if (family != AF_INET6 || !src6 || !dst6 || IN6_IS_ADDR_V4MAPPED(src6) ||
	    IN6_IS_ADDR_V4MAPPED(dst6))
		return -EINVAL;
	return watch_parse_transport(proto, pkt, len, src6, dst6, out);
}
