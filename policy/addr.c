/* addr.c — addresses for the policy (policy/): the class of an address
 * (public, private, loopback, ...), prefixes, and conversion between
 * sockaddrs, text and the one form the policy uses, a struct in6_addr with
 * IPv4 as ::ffff:a.b.c.d.
 *
 * Classification is two tables: IPv6 ranges, some of which carry an IPv4
 * address (mapped, compatible, NAT64, 6to4) and defer to the IPv4 table.
 */
#include <arpa/inet.h>
#include <string.h>

#include "policy/internal.h"

#define EMBED_NONE 0 /* no IPv4 inside */

/* The IPv4 ranges that are not public.  Documentation ranges (192.0.2/24,
 * 198.51.100/24, 203.0.113/24) stay public: the test lab uses them. */
static const struct v4_range {
	uint8_t net[4];
	uint8_t plen;
	enum policy_addr_class cls;
} v4_ranges[] = {
	{ { 0, 0, 0, 0 }, 8, POLICY_ADDR_UNSPECIFIED },
	{ { 10, 0, 0, 0 }, 8, POLICY_ADDR_PRIVATE },
	{ { 100, 64, 0, 0 }, 10, POLICY_ADDR_PRIVATE },
	{ { 127, 0, 0, 0 }, 8, POLICY_ADDR_LOOPBACK },
	{ { 169, 254, 0, 0 }, 16, POLICY_ADDR_LINKLOCAL },
	{ { 172, 16, 0, 0 }, 12, POLICY_ADDR_PRIVATE },
	{ { 192, 168, 0, 0 }, 16, POLICY_ADDR_PRIVATE },
	{ { 198, 18, 0, 0 }, 15, POLICY_ADDR_PRIVATE },
	{ { 224, 0, 0, 0 }, 4, POLICY_ADDR_MULTICAST },
	{ { 240, 0, 0, 0 }, 4, POLICY_ADDR_RESERVED },
};

/* IPv6 ranges, first match wins.  embed: byte offset + 1 of an IPv4
 * address whose class the range takes (EMBED_NONE: use cls). */
static const struct v6_range {
	uint8_t net[16];
	uint8_t plen;
	uint8_t embed;
	enum policy_addr_class cls;
} v6_ranges[] = {
	{ { 0 }, 128, EMBED_NONE, POLICY_ADDR_UNSPECIFIED },                   /* :: */
	{ { [15] = 1 }, 128, EMBED_NONE, POLICY_ADDR_LOOPBACK },               /* ::1 */
	{ { [10] = 0xff, [11] = 0xff }, 96, 12 + 1, 0 },                       /* ::ffff:0:0/96 */
	{ { 0 }, 96, 12 + 1, 0 },                                              /* ::a.b.c.d */
	{ { [8] = 0xff, [9] = 0xff }, 96, 12 + 1, 0 },                         /* ::ffff:0:a.b.c.d (SIIT, RFC 2765) */
	{ { 0x00, 0x64, 0xff, 0x9b }, 96, 12 + 1, 0 },                         /* 64:ff9b::/96 */
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, 12 + 1, 0 },             /* 64:ff9b:1::/48 */
	{ { 0x20, 0x02 }, 16, 2 + 1, 0 },                                      /* 2002::/16 */
	{ { 0xfe, 0x80 }, 10, EMBED_NONE, POLICY_ADDR_LINKLOCAL },             /* fe80::/10 */
	/* AWS's instance metadata service over IPv6 lives in ULA space, not
	 * link-local: it is the same service as 169.254.169.254 and gets the
	 * same class, before fc00::/7 below would call it merely private. */
	{ { 0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54 }, 128, EMBED_NONE, POLICY_ADDR_LINKLOCAL }, /* fd00:ec2::254 */
	{ { 0xfe, 0xc0 }, 10, EMBED_NONE, POLICY_ADDR_PRIVATE },               /* fec0::/10 */
	{ { 0xfc }, 7, EMBED_NONE, POLICY_ADDR_PRIVATE },                      /* fc00::/7 */
	{ { 0xff }, 8, EMBED_NONE, POLICY_ADDR_MULTICAST },                    /* ff00::/8 */
};

static bool bytes_in_prefix(const uint8_t *a, const uint8_t *net, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	if (memcmp(a, net, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xFF << (8 - rest));
	return (a[full] & mask) == (net[full] & mask);
}

bool policy_addr_in_prefix(const struct in6_addr *a, const struct in6_addr *prefix, unsigned plen)
{
	return bytes_in_prefix(a->s6_addr, prefix->s6_addr, plen > 128 ? 128 : plen);
}

void policy_addr_mask(const struct in6_addr *a, unsigned plen, struct in6_addr *out)
{
	unsigned full = plen / 8, rest = plen % 8;

	if (plen >= 128) {
		*out = *a;
		return;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->s6_addr, a->s6_addr, full);
	if (rest)
		out->s6_addr[full] = a->s6_addr[full] & (uint8_t)(0xFF << (8 - rest));
}

static enum policy_addr_class v4_class(const uint8_t *v4)
{
	for (size_t i = 0; i < ARRAY_SIZE(v4_ranges); i++)
		if (bytes_in_prefix(v4, v4_ranges[i].net, v4_ranges[i].plen))
			return v4_ranges[i].cls;
	return POLICY_ADDR_PUBLIC;
}

static const struct v6_range *v6_range_of(const struct in6_addr *a)
{
	for (size_t i = 0; i < ARRAY_SIZE(v6_ranges); i++)
		if (bytes_in_prefix(a->s6_addr, v6_ranges[i].net, v6_ranges[i].plen))
			return &v6_ranges[i];
	return NULL;
}

enum policy_addr_class policy_addr_class(const struct in6_addr *addr)
{
	const struct v6_range *r = v6_range_of(addr);

	if (!r)
		return POLICY_ADDR_PUBLIC;
	if (r->embed != EMBED_NONE)
		return v4_class(addr->s6_addr + r->embed - 1);
	return r->cls;
}

bool policy_addr_embedded_v4(const struct in6_addr *a, struct in6_addr *v4)
{
	const struct v6_range *r = v6_range_of(a);

	if (!r || r->embed == EMBED_NONE || IN6_IS_ADDR_V4MAPPED(a))
		return false;
	memset(v4, 0, sizeof(*v4));
	v4->s6_addr[10] = v4->s6_addr[11] = 0xff;
	memcpy(v4->s6_addr + 12, a->s6_addr + r->embed - 1, 4);
	return true;
}

static const char *const class_names[] = {
	[POLICY_ADDR_PUBLIC] = "public",
	[POLICY_ADDR_PRIVATE] = "private",
	[POLICY_ADDR_LOOPBACK] = "loopback",
	[POLICY_ADDR_LINKLOCAL] = "link-local",
	[POLICY_ADDR_UNSPECIFIED] = "unspecified",
	[POLICY_ADDR_MULTICAST] = "multicast",
	[POLICY_ADDR_RESERVED] = "reserved",
};

const char *policy_addr_class_name(enum policy_addr_class c)
{
	if ((size_t)c >= ARRAY_SIZE(class_names) || !class_names[c])
		return "unknown";
	return class_names[c];
}

void policy_addr_from_v4(struct in_addr v4, struct in6_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->s6_addr[10] = addr->s6_addr[11] = 0xff;
	memcpy(addr->s6_addr + 12, &v4.s_addr, 4);
}

bool policy_addr_to_v4(const struct in6_addr *addr, struct in_addr *v4)
{
	if (!IN6_IS_ADDR_V4MAPPED(addr))
		return false;
	memcpy(&v4->s_addr, addr->s6_addr + 12, 4);
	return true;
}

int policy_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct in6_addr *addr,
			      uint16_t *port)
{
	if (!sa || len < (socklen_t)sizeof(sa_family_t))
		return -1;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		policy_addr_from_v4(sin.sin_addr, addr);
		if (port)
			*port = ntohs(sin.sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		*addr = sin6.sin6_addr;
		if (port)
			*port = ntohs(sin6.sin6_port);
		return 0;
	}
	return -1;
}

void policy_addr_to_sockaddr(const struct in6_addr *addr, uint16_t port,
			     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (IN6_IS_ADDR_V4MAPPED(addr)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		policy_addr_to_v4(addr, &sin->sin_addr);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = *addr;
		*len = sizeof(*sin6);
	}
}

const char *policy_addr_str(const struct in6_addr *addr, char *buf, size_t len)
{
	struct in_addr v4;
	const char *r;

	if (!buf || len == 0)
		return buf;
	if (policy_addr_to_v4(addr, &v4))
		r = inet_ntop(AF_INET, &v4, buf, (socklen_t)len);
	else
		r = inet_ntop(AF_INET6, addr, buf, (socklen_t)len);
	if (!r)
		buf[0] = '\0';
	return buf;
}

int policy_addr_parse(const char *s, struct in6_addr *addr)
{
	struct in_addr v4;

	if (!s)
		return -1;
	if (inet_pton(AF_INET, s, &v4) == 1) {
		policy_addr_from_v4(v4, addr);
		return 0;
	}
	return inet_pton(AF_INET6, s, addr) == 1 ? 0 : -1;
}
