/* test_dnscodec_ptr.c — the reverse-name half of dnscodec's unit tests
 * (test_dnscodec.c runs them): dns_ptr_name_parse() on good names (round
 * trips of IPv4 and IPv6 addresses) and malformed ones, and PTR replies
 * (dns_build_ptr_reply()).
 */
#include "dns/dnscodec.h"

#include <errno.h>
#include <string.h>

#include "tap.h"
#include "test_dnscodec.h"

/* ---- reverse names and PTR replies -------------------------------------- */

/* Parse @name from a heap copy of exactly its bytes and the NUL. */
static int ptr_parse(const char *name, uint8_t addr[16])
{
	return dns_ptr_name_parse((const char *)exact(name, strlen(name) + 1), addr);
}

void test_ptr_names(void)
{
	static const char *const bad[] = {
		"", ".", "arpa", "in-addr.arpa", ".in-addr.arpa", "ip6.arpa", ".ip6.arpa",
		"18.198.in-addr.arpa", "0.18.198.in-addr.arpa",	/* zones, not hosts */
		"5.1.0.18.198.in-addr.arpa",			/* five labels */
		"01.0.18.198.in-addr.arpa", "1.00.18.198.in-addr.arpa",	/* leading zeros */
		"256.0.18.198.in-addr.arpa", "1.0.18.1000.in-addr.arpa",
		"1..18.198.in-addr.arpa", "1.0.18.198..in-addr.arpa",
		"1.0.18.198.in-addr.arpa.",			/* trailing dot */
		"1.0.18.198in-addr.arpa", "1.0.18.198.xin-addr.arpa",
		"1.0.18.198.in-addr.arpa.com", "1.0.18.198.in-addr.arp",
		"-1.0.18.198.in-addr.arpa", "+1.0.18.198.in-addr.arpa",
		" 1.0.18.198.in-addr.arpa", "1 .0.18.198.in-addr.arpa",
		"a.0.18.198.in-addr.arpa", "0x1.0.18.198.in-addr.arpa",
		"1.0.18.198.ip6.arpa", "1.0.18.198.in-addr.arpa.ip6",
		/* 31 and 33 nibbles, a two-digit nibble, a non-hex one, no dot */
		"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"00.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"0..0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
		"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0ip6.arpa",
		"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.in-addr.arpa",
	};
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [12] = 0x05, 0x67, 0x89, 0xab };
	/* RFC 3596 2.5's example, 2001:db8::567:89ab */
	static const char v6name[] =
		"b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
	uint8_t a[16], b[16];
	char name[DNS_PTR_NAME_MAX], big[300];
	const char *np = name, *v6p = v6name;	/* is_str() wants pointers */
	uint32_t x = 0x9e3779b9;
	bool all = true;

	is_int(DNS_PTR_NAME_MAX, sizeof(v6name), "DNS_PTR_NAME_MAX: the ip6.arpa name and its NUL");
	is_int(dns_ptr_name_make((const uint8_t[]){ 198, 18, 0, 1 }, 4, name, sizeof(name)), 23,
	       "198.18.0.1: make");
	is_str(np, "1.0.18.198.in-addr.arpa", "  least significant octet first");
	is_int(ptr_parse(name, a), 4, "  parses back: 4 bytes");
	ok(!memcmp(a, (const uint8_t[]){ 198, 18, 0, 1 }, 4), "  the same address");
	dns_ptr_name_make((const uint8_t[]){ 0, 0, 0, 0 }, 4, name, sizeof(name));
	is_str(np, "0.0.0.0.in-addr.arpa", "0.0.0.0: single zeros are no leading zeros");
	is_int(ptr_parse(name, a), 4, "  and parse");
	dns_ptr_name_make((const uint8_t[]){ 255, 255, 255, 255 }, 4, name, sizeof(name));
	is_int(ptr_parse(name, a), 4, "255.255.255.255 round trip");
	ok(a[0] == 255 && a[3] == 255, "  the same address");

	is_int(dns_ptr_name_make(v6, 16, name, sizeof(name)), (long long)sizeof(v6name) - 1,
	       "2001:db8::567:89ab: make");
	is_str(np, v6p, "  RFC 3596's nibble form");
	is_int(ptr_parse(v6name, a), 16, "  parses back: 16 bytes");
	ok(!memcmp(a, v6, 16), "  the same address");

	/* Case: DNS names compare case-insensitively, and 0x20 randomisation
	 * may hand us any mix. */
	is_int(ptr_parse("1.0.18.198.IN-ADDR.Arpa", a), 4, "upper-case in-addr.arpa suffix");
	is_int(ptr_parse("B.A.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.IP6.ARPA",
			 b), 16, "upper-case nibbles and suffix");
	ok(!memcmp(b, v6, 16), "  the same address");

	/* Round trips over many addresses, both ways. */
	for (int i = 0; i < 2000; i++) {
		size_t len = i % 2 ? 16 : 4;
		ssize_t n;

		for (size_t j = 0; j < len; j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			a[j] = (uint8_t)x;
		}
		n = dns_ptr_name_make(a, len, name, sizeof(name));
		if (n <= 0 || (size_t)n != strlen(name) || dns_ptr_name_parse(name, b) != (int)len ||
		    memcmp(a, b, len) != 0)
			all = false;
	}
	ok(all, "2000 random addresses: make then parse gives them back");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(ptr_parse(bad[i], a), -EINVAL, "not a complete reverse name: '%s'", bad[i]);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	memcpy(big + sizeof(big) - 1 - 13, ".in-addr.arpa", 13);
	is_int(ptr_parse(big, a), -EINVAL, "a 299-byte name: -EINVAL");
	memcpy(big + sizeof(big) - 1 - 28, "1.0.18.198.in-addr.arpa", 23);
	is_int(ptr_parse(big, a), -EINVAL, "  ... even ending in a valid reverse name");
	is_int(dns_ptr_name_parse(NULL, a), -EINVAL, "NULL name: -EINVAL");
	is_int(dns_ptr_name_parse("1.0.18.198.in-addr.arpa", NULL), -EINVAL, "NULL addr: -EINVAL");

	is_int(dns_ptr_name_make(v6, 5, name, sizeof(name)), -EINVAL, "addrlen 5: -EINVAL");
	is_int(dns_ptr_name_make(v6, 0, name, sizeof(name)), -EINVAL, "addrlen 0: -EINVAL");
	is_int(dns_ptr_name_make(NULL, 4, name, sizeof(name)), -EINVAL, "NULL address: -EINVAL");
	is_int(dns_ptr_name_make((const uint8_t[]){ 198, 18, 0, 1 }, 4, name, 23), -ENOSPC,
	       "v4 name into 23 bytes (no room for the NUL): -ENOSPC");
	is_int(dns_ptr_name_make((const uint8_t[]){ 198, 18, 0, 1 }, 4, name, 24), 23,
	       "  into 24: fits");
	is_int(dns_ptr_name_make(v6, 16, name, DNS_PTR_NAME_MAX - 1), -ENOSPC,
	       "v6 name into DNS_PTR_NAME_MAX - 1: -ENOSPC");
	is_int(dns_ptr_name_make(v6, 16, name, 0), -ENOSPC, "  into 0: -ENOSPC");
}

/* The target name in the PTR record of reply r[0..n), in presentation form. */
static bool ptr_target(const uint8_t *r, size_t n, size_t qlen, char *out, size_t outlen)
{
	size_t at = DNS_HDR_LEN + qlen, o = 0, rdlen;

	if (n < at + 12 || r[at] != 0xc0 || r[at + 1] != 0x0c || r[at + 3] != DNS_TYPE_PTR)
		return false;
	rdlen = (size_t)(r[at + 10] << 8 | r[at + 11]);
	at += 12;
	if (n < at + rdlen)
		return false;
	for (size_t i = 0; i < rdlen && r[at + i];) {
		size_t l = r[at + i++];

		if (i + l > rdlen || o + l + 2 > outlen)
			return false;
		if (o)
			out[o++] = '.';
		memcpy(out + o, r + at + i, l);
		o += l;
		i += l;
	}
	out[o] = 0;
	return true;
}

void test_ptr_reply(void)
{
	static const uint8_t want[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 1,
		1, '1', 1, '0', 2, '1', '8', 3, '1', '9', '8', 7, 'i', 'n', '-', 'a', 'd', 'd', 'r',
		4, 'a', 'r', 'p', 'a', 0, 0, 12, 0, 1,
		0xc0, 0x0c, 0, 12, 0, 1, 0, 0, 0, 60, 0, 13,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0,
	};
	char l63[64], longest[256], toolong[258], target[300];
	struct dns_query q;
	struct pb p;
	uint8_t out[1024];
	ssize_t n;
	size_t full;

	simple_query(&p, "1.0.18.198.in-addr.arpa", DNS_TYPE_PTR, true);
	is_int(parse(&p, &q), DNS_OK, "PTR query");
	n = dns_build_ptr_reply(&q, "example.com", 60, out, sizeof(out), 512);
	is_int(n, sizeof(want), "PTR reply length");
	ok(n == sizeof(want) && !memcmp(out, want, sizeof(want)),
	   "PTR reply bytes: C00C owner, type 12, TTL 60, wire-form target, OPT last");
	full = (size_t)n;
	{
		uint8_t *copy = exact(out, (size_t)n);

		is_int(dns_fixup_forwarded(copy, (size_t)n, 1, 512), n,
		       "  passes dns_fixup_forwarded");
	}
	n = dns_build_ptr_reply(&q, "example.com.", 60, out, sizeof(out), 512);
	ok(n == (ssize_t)full && !memcmp(out, want, sizeof(want)), "a trailing dot changes nothing");

	/* TC and sizes: the record is 12 + 13 bytes */
	n = dns_build_ptr_reply(&q, "example.com", 60, out, sizeof(out), full);
	ok(n == (ssize_t)full && !(out[2] & 2), "exactly max_size: no TC");
	n = dns_build_ptr_reply(&q, "example.com", 60, out, sizeof(out), full - 1);
	ok(n == (ssize_t)(full - 25) && (out[2] & 2) && out[7] == 0 && out[11] == 1,
	   "one byte over: TC, no answer, OPT kept");
	is_int(dns_build_ptr_reply(&q, "example.com", 60, out, sizeof(out), full - 26), -EMSGSIZE,
	       "max_size below header + question + OPT: -EMSGSIZE");
	is_int(dns_build_ptr_reply(&q, "example.com", 60, out, full - 1, 512), -ENOSPC,
	       "outlen one short: -ENOSPC");
	is_int(dns_build_ptr_reply(&q, "example.com", 60, out, full, (size_t)1 << 40), full,
	       "huge max_size clamped; outlen exact");

	/* plain query: no OPT */
	simple_query(&p, "1.0.18.198.in-addr.arpa", DNS_TYPE_PTR, false);
	is_int(parse(&p, &q), DNS_OK, "plain PTR query");
	n = dns_build_ptr_reply(&q, "a.example", 7, out, sizeof(out), DNS_UDP_PLAIN);
	is_int(n, 12 + q.question_len + 12 + 11, "plain PTR reply: no OPT");
	ok(n > 0 && out[7] == 1 && out[11] == 0, "  ANCOUNT 1, ARCOUNT 0");
	ok(ptr_target(out, (size_t)n, q.question_len, target, sizeof(target)) &&
	   !strcmp(target, "a.example"), "  target read back");

	/* target names at and past the limits */
	memset(l63, 'a', 63);
	l63[63] = 0;
	snprintf(longest, sizeof(longest), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	n = dns_build_ptr_reply(&q, longest, 1, out, sizeof(out), DNS_MAX_MSG);
	ok(n > 0 && ptr_target(out, (size_t)n, q.question_len, target, sizeof(target)) &&
	   !strcmp(target, longest), "a 255-byte wire name: fits, read back");
	snprintf(toolong, sizeof(toolong), "%s.%s.%s.%.62s", l63, l63, l63, l63);
	is_int(dns_build_ptr_reply(&q, toolong, 1, out, sizeof(out), DNS_MAX_MSG), -EINVAL,
	       "a 256-byte wire name: -EINVAL");
	n = dns_build_ptr_reply(&q, l63, 1, out, sizeof(out), DNS_MAX_MSG);
	ok(n > 0, "a 63-byte label: fine");
	snprintf(toolong, sizeof(toolong), "%sa.example", l63);
	is_int(dns_build_ptr_reply(&q, toolong, 1, out, sizeof(out), DNS_MAX_MSG), -EINVAL,
	       "a 64-byte label: -EINVAL");
	is_int(dns_build_ptr_reply(&q, "", 1, out, sizeof(out), 512), -EINVAL, "root target: -EINVAL");
	is_int(dns_build_ptr_reply(&q, ".", 1, out, sizeof(out), 512), -EINVAL, "'.' target: -EINVAL");
	is_int(dns_build_ptr_reply(&q, "a..b", 1, out, sizeof(out), 512), -EINVAL,
	       "empty label: -EINVAL");
	is_int(dns_build_ptr_reply(&q, ".a", 1, out, sizeof(out), 512), -EINVAL,
	       "leading dot: -EINVAL");
	is_int(dns_build_ptr_reply(&q, "a.b..", 1, out, sizeof(out), 512), -EINVAL,
	       "two trailing dots: -EINVAL");
	is_int(dns_build_ptr_reply(&q, NULL, 1, out, sizeof(out), 512), -EINVAL, "NULL target: -EINVAL");
	is_int(dns_build_ptr_reply(NULL, "a", 1, out, sizeof(out), 512), -EINVAL, "NULL query: -EINVAL");
}
