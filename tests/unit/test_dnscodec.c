/* test_dnscodec.c — unit tests for dns/dnscodec.c, the resolver's DNS codec.
 *
 * Queries captured from glibc (getent ahosts against a loopback listener,
 * with and without `options edns0`, and with mixed case) plus packets built
 * here: every parse error path, reply building and TC truncation, PTR
 * replies and reverse names (round trips, malformed names), error replies,
 * fix-up of relayed upstream answers and TCP framing.  Every packet
 * is parsed from a heap copy of exactly its length, so a sanitizer build
 * catches any read past the end.
 */
#include "dns/dnscodec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* ---- helpers ---------------------------------------------------------- */

static void *allocs[4096];
static size_t nallocs;

/* A heap copy of exactly n bytes, freed at the end. */
static uint8_t *exact(const void *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (!c)
		abort();
	memcpy(c, p, n);
	if (nallocs == sizeof(allocs) / sizeof(allocs[0]))
		abort();
	allocs[nallocs++] = c;
	return c;
}

static size_t unhex(const char *hex, uint8_t *out, size_t outlen)
{
	size_t n = 0;

	while (hex[0] && hex[1] && n < outlen) {
		unsigned int v;

		if (sscanf(hex, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* Captured from glibc 2.36 (Debian 12). */
#define GLIBC_EDNS_A \
	"23c401200001000000000001076578616d706c6503636f6d000001000100002904b0000000000000"
#define GLIBC_EDNS_AAAA \
	"73c801200001000000000001076578616d706c6503636f6d00001c000100002904b0000000000000"
#define GLIBC_EDNS_MIXED_A \
	"ab4b01200001000000000001074578416d506c4503436f4d000001000100002904b0000000000000"
#define GLIBC_PLAIN_A \
	"56ba0100000100000000000003777777076578616d706c65036f72670000010001"

/* A packet builder. */
struct pb {
	uint8_t b[8192];
	size_t n;
};

static void pb_u8(struct pb *p, unsigned int v)
{
	p->b[p->n++] = (uint8_t)v;
}

static void pb_u16(struct pb *p, unsigned int v)
{
	pb_u8(p, v >> 8);
	pb_u8(p, v);
}

static void pb_u32(struct pb *p, uint32_t v)
{
	pb_u16(p, v >> 16);
	pb_u16(p, v & 0xffff);
}

static void pb_raw(struct pb *p, const void *d, size_t n)
{
	if (n)
		memcpy(p->b + p->n, d, n);
	p->n += n;
}

/* "www.example.com" -> labels and the root; "" -> the root alone. */
static void pb_name(struct pb *p, const char *dotted)
{
	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);

		pb_u8(p, (unsigned int)l);
		pb_raw(p, dotted, l);
		dotted += l + (dot ? 1 : 0);
	}
	pb_u8(p, 0);
}

static void pb_hdr(struct pb *p, unsigned int id, unsigned int flags,
		   unsigned int qd, unsigned int an, unsigned int ns,
		   unsigned int ar)
{
	p->n = 0;
	pb_u16(p, id);
	pb_u16(p, flags);
	pb_u16(p, qd);
	pb_u16(p, an);
	pb_u16(p, ns);
	pb_u16(p, ar);
}

static void pb_q(struct pb *p, const char *name, unsigned int type)
{
	pb_name(p, name);
	pb_u16(p, type);
	pb_u16(p, DNS_CLASS_IN);
}

static void pb_opt(struct pb *p, unsigned int udp, uint32_t ttl,
		   const void *rdata, size_t rdlen)
{
	pb_u8(p, 0);
	pb_u16(p, DNS_TYPE_OPT);
	pb_u16(p, udp);
	pb_u32(p, ttl);
	pb_u16(p, (unsigned int)rdlen);
	pb_raw(p, rdata, rdlen);
}

static int parse(const struct pb *p, struct dns_query *q)
{
	return dns_parse_query(exact(p->b, p->n), p->n, q);
}

static int parse_hex(const char *hex, struct dns_query *q, const uint8_t **pkt,
		     size_t *len)
{
	uint8_t tmp[1024];
	size_t n = unhex(hex, tmp, sizeof(tmp));
	const uint8_t *c = exact(tmp, n);

	if (pkt)
		*pkt = c;
	if (len)
		*len = n;
	return dns_parse_query(c, n, q);
}

/* Fill a query built by hand with one question and an optional OPT. */
static void simple_query(struct pb *p, const char *name, unsigned int type,
			 bool edns)
{
	pb_hdr(p, 0x1234, DNS_FLAG_RD, 1, 0, 0, edns ? 1 : 0);
	pb_q(p, name, type);
	if (edns)
		pb_opt(p, 1232, 0, NULL, 0);
}

/* ---- parsing good queries --------------------------------------------- */

static void test_glibc_queries(void)
{
	struct dns_query q;
	const uint8_t *pkt;
	size_t len;

	is_int(parse_hex(GLIBC_EDNS_A, &q, &pkt, &len), DNS_OK, "glibc EDNS0 A query parses");
	is_int(q.id, 0x23c4, "  id");
	is_int(q.flags, DNS_FLAG_RD | DNS_FLAG_AD, "  flags RD|AD (trust-ad)");
	is_int(q.opcode, 0, "  opcode QUERY");
	is_int(q.qtype, DNS_TYPE_A, "  qtype A");
	is_int(q.qclass, DNS_CLASS_IN, "  qclass IN");
	is_str(q.name, "example.com", "  name");
	is_int(q.name_len, 11, "  name_len");
	ok(q.question == pkt + 12, "  question points into the packet");
	is_int(q.question_len, 17, "  question_len");
	ok(q.edns, "  EDNS0 present");
	is_int(q.edns_udp_size, 1200, "  EDNS UDP size 1200");
	ok(!q.edns_do, "  DO clear");
	is_int(q.edns_version, 0, "  EDNS version 0");

	is_int(parse_hex(GLIBC_EDNS_AAAA, &q, NULL, NULL), DNS_OK, "glibc EDNS0 AAAA query parses");
	is_int(q.qtype, DNS_TYPE_AAAA, "  qtype AAAA");

	is_int(parse_hex(GLIBC_EDNS_MIXED_A, &q, &pkt, &len), DNS_OK, "mixed-case query parses");
	is_str(q.name, "example.com", "  name lowercased");
	ok(memcmp(q.question, "\7ExAmPlE\3CoM", 13) == 0, "  raw question keeps the case");

	is_int(parse_hex(GLIBC_PLAIN_A, &q, &pkt, &len), DNS_OK, "glibc plain query parses");
	is_str(q.name, "www.example.org", "  name");
	ok(!q.edns, "  no EDNS0");
	is_int(q.question_len, len - 12, "  question is the rest of the packet");
}

static void test_names(void)
{
	struct dns_query q;
	struct pb p;
	char longname[300];

	simple_query(&p, "", DNS_TYPE_NS, false);
	is_int(parse(&p, &q), DNS_OK, "root query parses");
	is_str(q.name, "", "  root name is empty");
	is_int(q.name_len, 0, "  name_len 0");
	is_int(q.question_len, 5, "  question_len 5");

	simple_query(&p, "_443._tcp.Foo-Bar.example.com", DNS_TYPE_SRV, false);
	is_int(parse(&p, &q), DNS_OK, "underscore/hyphen name parses");
	is_str(q.name, "_443._tcp.foo-bar.example.com", "  lowercase presentation form");

	simple_query(&p, "a~b!c{d}e|f@g#h", DNS_TYPE_A, false);
	is_int(parse(&p, &q), DNS_OK, "printable punctuation accepted");

	/* 63+1 * 3 + 61+1 + root = 255 wire bytes, 253 characters */
	memset(longname, 'a', sizeof(longname));
	longname[63] = longname[127] = longname[191] = '.';
	longname[253] = '\0';
	simple_query(&p, longname, DNS_TYPE_A, false);
	is_int(parse(&p, &q), DNS_OK, "255-byte name parses");
	is_int(q.name_len, 253, "  253 characters");
	is_int(strlen(q.name), 253, "  NUL-terminated");

	longname[253] = 'a';
	longname[254] = '\0';
	simple_query(&p, longname, DNS_TYPE_A, false);
	is_int(parse(&p, &q), DNS_EFORMERR, "256-byte name: FORMERR");

	memset(longname, 'a', 64);
	longname[64] = '\0';
	simple_query(&p, longname, DNS_TYPE_A, false);	/* length byte 0x40 */
	is_int(parse(&p, &q), DNS_EFORMERR, "64-byte label (0x40 label type): FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 0);
	pb_u8(&p, 0x80);
	pb_u8(&p, 0);
	pb_u16(&p, 1);
	pb_u16(&p, 1);
	is_int(parse(&p, &q), DNS_EFORMERR, "0x80 label type: FORMERR");
}

static void test_badname(void)
{
	static const char *bad[] = { "a b", "a.b", "a\\b", "a\x7f", "\x80xyz",
				     "tab\there", "nul\0x", "\xff" };
	static const size_t badlen[] = { 3, 3, 3, 2, 4, 8, 5, 1 };
	struct dns_query q;
	struct pb p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pb_hdr(&p, 7, DNS_FLAG_RD, 1, 0, 0, 0);
		pb_u8(&p, (unsigned int)badlen[i]);
		pb_raw(&p, bad[i], badlen[i]);
		pb_name(&p, "example.com");
		pb_u16(&p, DNS_TYPE_A);
		pb_u16(&p, DNS_CLASS_IN);
		is_int(parse(&p, &q), DNS_EBADNAME, "label with refused byte #%zu: BADNAME", i);
	}
	is_int(dns_parse_error_rcode(DNS_EBADNAME), DNS_RCODE_REFUSED, "BADNAME -> REFUSED");
	is_int(dns_parse_error_rcode(DNS_EFORMERR), DNS_RCODE_FORMERR, "FORMERR -> FORMERR");
	is_int(dns_parse_error_rcode(DNS_ENOTIMP), DNS_RCODE_NOTIMP, "NOTIMP -> NOTIMP");
	is_int(dns_parse_error_rcode(DNS_EDROP), -1, "DROP -> no answer");
	is_int(dns_parse_error_rcode(DNS_OK), -1, "OK -> no error rcode");

	/* structure errors win over name contents */
	pb_hdr(&p, 7, 0, 1, 0, 0, 0);
	pb_q(&p, "a b", DNS_TYPE_A);
	pb_u8(&p, 0);
	is_int(parse(&p, &q), DNS_EFORMERR, "bad name plus trailing byte: FORMERR first");
}

static void test_edns(void)
{
	static const uint8_t cookie[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t bad_opt[] = { 0, 10, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t short_opt[] = { 0, 10, 0 };
	struct dns_query q;
	struct pb p;

	/* dig-style: AD, cookie, 1232 */
	pb_hdr(&p, 0xbeef, DNS_FLAG_RD | DNS_FLAG_AD, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_opt(&p, 1232, 0, cookie, sizeof(cookie));
	is_int(parse(&p, &q), DNS_OK, "EDNS with a cookie option parses");
	is_int(q.edns_udp_size, 1232, "  UDP size 1232");

	pb_hdr(&p, 1, 0, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_opt(&p, 100, 0x8000, NULL, 0);
	is_int(parse(&p, &q), DNS_OK, "EDNS size 100, DO set");
	is_int(q.edns_udp_size, 512, "  clamped up to 512");
	ok(q.edns_do, "  DO bit seen");

	pb_hdr(&p, 1, 0, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_opt(&p, 65000, 0x00010000, NULL, 0);
	is_int(parse(&p, &q), DNS_OK, "EDNS size 65000, version 1");
	is_int(q.edns_udp_size, 4096, "  clamped down to 4096");
	is_int(q.edns_version, 1, "  version 1 reported");

	pb_hdr(&p, 1, 0, 1, 0, 0, 2);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_opt(&p, 1232, 0, NULL, 0);
	pb_opt(&p, 1232, 0, NULL, 0);
	is_int(parse(&p, &q), DNS_EFORMERR, "two OPT RRs: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_name(&p, "x");
	pb_u16(&p, DNS_TYPE_OPT);
	pb_u16(&p, 1232);
	pb_u32(&p, 0);
	pb_u16(&p, 0);
	is_int(parse(&p, &q), DNS_EFORMERR, "OPT with a non-root owner: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_u16(&p, 0xc00c);	/* owner as a pointer, even to a valid name */
	pb_u16(&p, DNS_TYPE_OPT);
	pb_u16(&p, 1232);
	pb_u32(&p, 0);
	pb_u16(&p, 0);
	is_int(parse(&p, &q), DNS_EFORMERR, "OPT owner as a pointer: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_opt(&p, 1232, 0, bad_opt, sizeof(bad_opt));
	is_int(parse(&p, &q), DNS_EFORMERR, "OPT option overrunning RDATA: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_opt(&p, 1232, 0, short_opt, sizeof(short_opt));
	is_int(parse(&p, &q), DNS_EFORMERR, "OPT with a partial option header: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_opt(&p, 1232, 0, NULL, 0);
	p.b[p.n - 1] = 4;	/* RDLENGTH 4, no RDATA */
	is_int(parse(&p, &q), DNS_EFORMERR, "OPT RDLENGTH past the end: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_opt(&p, 1232, 0, NULL, 0);
	p.n -= 3;
	is_int(parse(&p, &q), DNS_EFORMERR, "OPT cut short: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 1);
	pb_q(&p, "example.net", DNS_TYPE_A);
	is_int(parse(&p, &q), DNS_EFORMERR, "ARCOUNT 1 but no record: FORMERR");

	/* a TSIG-like record before the OPT is skipped */
	pb_hdr(&p, 1, 0, 1, 0, 0, 2);
	pb_q(&p, "example.net", DNS_TYPE_A);
	pb_u16(&p, 0xc00c);
	pb_u16(&p, DNS_TYPE_TXT);
	pb_u16(&p, DNS_CLASS_IN);
	pb_u32(&p, 0);
	pb_u16(&p, 3);
	pb_raw(&p, "\2hi", 3);
	pb_opt(&p, 1400, 0, NULL, 0);
	is_int(parse(&p, &q), DNS_OK, "other additional record skipped");
	ok(q.edns && q.edns_udp_size == 1400, "  OPT after it still seen");
}

/* ---- malformed queries ------------------------------------------------ */

static void test_header_errors(void)
{
	struct dns_query q;
	struct pb p;
	uint8_t buf[64];
	size_t n = unhex(GLIBC_EDNS_A, buf, sizeof(buf));

	is_int(dns_parse_query(exact(buf, 0), 0, &q), DNS_EDROP, "empty packet: DROP");
	is_int(dns_parse_query(exact(buf, 11), 11, &q), DNS_EDROP, "11 bytes: DROP");
	is_int(dns_parse_query(NULL, 40, &q), DNS_EDROP, "NULL packet: DROP");

	buf[2] |= 0x80;
	is_int(dns_parse_query(exact(buf, n), n, &q), DNS_EDROP, "QR set (a response): DROP");
	is_int(dns_parse_query(exact(buf, 12), 12, &q), DNS_EDROP, "bare response header: DROP");
	buf[2] &= 0x7f;

	for (unsigned int op = 1; op < 16; op++) {
		buf[2] = (uint8_t)((buf[2] & 0x87) | op << 3);
		if (!ok(dns_parse_query(exact(buf, n), n, &q) == DNS_ENOTIMP,
			"opcode %u: NOTIMP", op))
			break;
	}
	buf[2] &= 0x87;
	is_int(dns_parse_query(exact(buf, n), n, &q), DNS_OK, "opcode 0 again: OK");

	pb_hdr(&p, 1, 0, 0, 0, 0, 0);
	is_int(parse(&p, &q), DNS_EFORMERR, "header only, QDCOUNT 0: FORMERR");
	pb_hdr(&p, 1, 0, 2, 0, 0, 0);
	pb_q(&p, "a.example", 1);
	pb_q(&p, "b.example", 1);
	is_int(parse(&p, &q), DNS_EFORMERR, "QDCOUNT 2: FORMERR");
	pb_hdr(&p, 1, 0, 1, 1, 0, 0);
	pb_q(&p, "a.example", 1);
	pb_u16(&p, 0xc00c);
	pb_u16(&p, 1);
	pb_u16(&p, 1);
	pb_u32(&p, 0);
	pb_u16(&p, 4);
	pb_u32(&p, 0x7f000001);
	is_int(parse(&p, &q), DNS_EFORMERR, "ANCOUNT 1: FORMERR");
	pb_hdr(&p, 1, 0, 1, 0, 1, 0);
	pb_q(&p, "a.example", 1);
	is_int(parse(&p, &q), DNS_EFORMERR, "NSCOUNT 1: FORMERR");
	pb_hdr(&p, 1, 0, 1, 0, 0, 0);
	pb_q(&p, "a.example", 1);
	pb_raw(&p, "junk", 4);
	is_int(parse(&p, &q), DNS_EFORMERR, "trailing garbage: FORMERR");

	/* more than any transport carries: 65536 bytes, well-formed otherwise */
	{
		static uint8_t big[65536];
		size_t fixed;

		pb_hdr(&p, 1, 0, 1, 0, 0, 1);
		pb_q(&p, "a.example", 1);
		pb_u8(&p, 0);			/* root owner */
		pb_u16(&p, DNS_TYPE_TXT);
		pb_u16(&p, DNS_CLASS_IN);
		pb_u32(&p, 0);
		fixed = p.n + 2;
		pb_u16(&p, (unsigned int)(65535 - fixed));
		memcpy(big, p.b, p.n);
		is_int(dns_parse_query(exact(big, 65535), 65535, &q), DNS_OK,
		       "65535-byte message: OK");
		big[fixed - 1]++;		/* one more RDATA byte */
		is_int(dns_parse_query(exact(big, 65536), 65536, &q), DNS_EFORMERR,
		       "65536-byte message: FORMERR");
		is_int(dns_parse_query(exact(big, 65535), 65535, &q), DNS_EFORMERR,
		       "RDATA one byte past the end: FORMERR");
	}
}

static void test_truncated(void)
{
	struct dns_query q;
	uint8_t buf[64];
	size_t n = unhex(GLIBC_PLAIN_A, buf, sizeof(buf));
	int bad = 0;

	/* every proper prefix of a valid query is refused, none read past */
	for (size_t i = 0; i < n; i++) {
		int r = dns_parse_query(exact(buf, i), i, &q);

		if (r != (i < 12 ? DNS_EDROP : DNS_EFORMERR))
			bad++;
	}
	is_int(bad, 0, "every truncation of a plain query: DROP or FORMERR");

	n = unhex(GLIBC_EDNS_MIXED_A, buf, sizeof(buf));
	bad = 0;
	for (size_t i = 0; i < n; i++) {
		int r = dns_parse_query(exact(buf, i), i, &q);

		if (r != (i < 12 ? DNS_EDROP : DNS_EFORMERR))
			bad++;
	}
	is_int(bad, 0, "every truncation of an EDNS query: DROP or FORMERR");
}

static void test_pointers(void)
{
	struct dns_query q;
	struct pb p;

	pb_hdr(&p, 1, 0, 1, 0, 0, 0);
	pb_u16(&p, 0xc00c);	/* question name points at itself */
	pb_u16(&p, 1);
	pb_u16(&p, 1);
	is_int(parse(&p, &q), DNS_EFORMERR, "self-pointer loop: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 0);
	pb_raw(&p, "\1a", 2);
	pb_u16(&p, 0xc00c);	/* a, then back to a: loop */
	pb_u16(&p, 1);
	pb_u16(&p, 1);
	is_int(parse(&p, &q), DNS_EFORMERR, "two-step loop: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 0);
	pb_u16(&p, 0xc002);	/* into the header */
	pb_u16(&p, 1);
	pb_u16(&p, 1);
	is_int(parse(&p, &q), DNS_EFORMERR, "pointer into the header: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 0);
	pb_u16(&p, 0xc012);	/* forward, to the root byte below */
	pb_u16(&p, 1);
	pb_u16(&p, 1);
	pb_u8(&p, 0);
	is_int(parse(&p, &q), DNS_EFORMERR, "forward pointer: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 0);
	pb_raw(&p, "\1a", 2);
	pb_u8(&p, 0xc0);	/* half a pointer at the end */
	is_int(parse(&p, &q), DNS_EFORMERR, "pointer cut in half: FORMERR");

	pb_hdr(&p, 1, 0, 1, 0, 0, 0);
	pb_u16(&p, 0xffff);
	pb_u16(&p, 1);
	pb_u16(&p, 1);
	is_int(parse(&p, &q), DNS_EFORMERR, "pointer beyond the packet: FORMERR");

	/* additional records whose owners chain back: record k points at
	 * record k-1, so record k's name follows k pointers */
	for (unsigned int chain = 15; chain <= 17; chain++) {
		size_t prev = 12;

		pb_hdr(&p, 1, 0, 1, 0, 0, chain);
		pb_q(&p, "example.com", DNS_TYPE_A);
		for (unsigned int k = 0; k < chain; k++) {
			size_t here = p.n;

			pb_raw(&p, "\1x", 2);
			pb_u16(&p, 0xc000 | (unsigned int)prev);
			pb_u16(&p, DNS_TYPE_TXT);
			pb_u16(&p, DNS_CLASS_IN);
			pb_u32(&p, 0);
			pb_u16(&p, 0);
			prev = here;
		}
		is_int(parse(&p, &q), chain <= DNS_MAX_PTR_CHAIN ? DNS_OK : DNS_EFORMERR,
		       "pointer chain of %u: %s", chain,
		       chain <= DNS_MAX_PTR_CHAIN ? "OK" : "FORMERR");
	}

	/* a chain whose names add up past 255 bytes */
	{
		size_t prev = 12;
		char label[64];

		memset(label, 'z', 63);
		label[0] = 63;
		pb_hdr(&p, 1, 0, 1, 0, 0, 4);
		pb_q(&p, "example.com", DNS_TYPE_A);
		for (unsigned int k = 0; k < 4; k++) {
			size_t here = p.n;

			pb_raw(&p, label, 64);
			pb_u16(&p, 0xc000 | (unsigned int)prev);
			pb_u16(&p, DNS_TYPE_TXT);
			pb_u16(&p, DNS_CLASS_IN);
			pb_u32(&p, 0);
			pb_u16(&p, 0);
			prev = here;
		}
		is_int(parse(&p, &q), DNS_EFORMERR, "compressed name over 255 bytes: FORMERR");
	}
}

/* ---- replies ------------------------------------------------------------ */

static void test_reply_a(void)
{
	static const uint8_t want[] = {
		0xab, 0x4b, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 1,
		7, 'E', 'x', 'A', 'm', 'P', 'l', 'E', 3, 'C', 'o', 'M', 0, 0, 1, 0, 1,
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 1,
		0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0,
	};
	struct dns_rr rr = { .type = DNS_TYPE_A, .ttl = 60, .addr = { 198, 18, 0, 1 } };
	struct dns_query q;
	uint8_t out[512];
	ssize_t n;

	is_int(parse_hex(GLIBC_EDNS_MIXED_A, &q, NULL, NULL), DNS_OK, "mixed-case A query");
	n = dns_build_reply(&q, DNS_RCODE_NOERROR, &rr, 1, out, sizeof(out), q.edns_udp_size);
	is_int(n, sizeof(want), "A reply length");
	ok(n == sizeof(want) && !memcmp(out, want, sizeof(want)),
	   "A reply bytes: QR RD RA, AD clear, 0x20 case echoed, C00C owner, OPT 1232");

	/* the reply is itself a sane response */
	{
		uint8_t *copy = exact(out, (size_t)n);

		is_int(dns_fixup_forwarded(copy, (size_t)n, 0x4242, 512), n,
		       "our reply passes dns_fixup_forwarded");
	}

	/* plain query: no OPT */
	is_int(parse_hex(GLIBC_PLAIN_A, &q, NULL, NULL), DNS_OK, "plain A query");
	n = dns_build_reply(&q, DNS_RCODE_NOERROR, &rr, 1, out, sizeof(out), DNS_UDP_PLAIN);
	is_int(n, 12 + q.question_len + 16, "plain reply: no OPT");
	is_int(out[11], 0, "  ARCOUNT 0");
	is_int(out[3], 0x80, "  RA, NOERROR");
	ok(!memcmp(out + 12, q.question, q.question_len), "  question echoed");
}

static void test_reply_misc(void)
{
	struct dns_rr rr6 = { .type = DNS_TYPE_AAAA, .ttl = 5,
			      .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct dns_rr rrbad = { .type = DNS_TYPE_MX };
	struct dns_rr many[300];
	struct dns_query q;
	const uint8_t *pkt;
	uint8_t out[70000], inplace[64];
	size_t len, base, need;
	ssize_t n;

	/* NODATA for AAAA: NOERROR, no answers */
	is_int(parse_hex(GLIBC_EDNS_AAAA, &q, &pkt, &len), DNS_OK, "AAAA query");
	n = dns_build_reply(&q, DNS_RCODE_NOERROR, NULL, 0, out, sizeof(out), q.edns_udp_size);
	is_int(n, 12 + 17 + 11, "NODATA reply: header, question, OPT");
	ok(out[3] == 0x80 && out[7] == 0 && out[11] == 1, "  NOERROR, ANCOUNT 0, ARCOUNT 1");
	ok(out[0] == 0x73 && out[1] == 0xc8, "  client's ID");

	n = dns_build_reply(&q, DNS_RCODE_NXDOMAIN, NULL, 0, out, sizeof(out), 512);
	ok(n > 0 && (out[3] & 0xf) == DNS_RCODE_NXDOMAIN, "NXDOMAIN reply");

	n = dns_build_reply(&q, DNS_RCODE_NOERROR, &rr6, 1, out, sizeof(out), 512);
	is_int(n, 12 + 17 + 28 + 11, "AAAA answer: 28-byte record");
	ok(out[29 + 3] == 28 && out[29 + 11] == 16 && out[29 + 12] == 0x20 &&
	   out[29 + 27] == 1, "  type 28, rdlength 16, address");

	/* BADVERS: extended rcode in the OPT */
	n = dns_build_reply(&q, DNS_RCODE_BADVERS, NULL, 0, out, sizeof(out), 512);
	ok(n == 40 && (out[3] & 0xf) == 0 && out[29 + 5] == 1,
	   "BADVERS: header rcode 0, OPT extended rcode 1");

	/* DO copied */
	{
		struct pb p;

		pb_hdr(&p, 9, DNS_FLAG_RD | DNS_FLAG_CD, 1, 0, 0, 1);
		pb_q(&p, "example.org", DNS_TYPE_A);
		pb_opt(&p, 4096, 0x8000, NULL, 0);
		is_int(parse(&p, &q), DNS_OK, "DO+CD query");
		n = dns_build_reply(&q, 0, NULL, 0, out, sizeof(out), 4096);
		ok(n > 0 && (out[n - 4] & 0x80) && out[n - 8] == 0x04 && out[n - 7] == 0xd0,
		   "  DO echoed, our size 1232");
		ok(out[3] & DNS_FLAG_CD, "  CD copied");
		ok(out[2] & 1, "  RD copied");

		pb_hdr(&p, 9, 0, 1, 0, 0, 0);
		pb_q(&p, "example.org", DNS_TYPE_A);
		is_int(parse(&p, &q), DNS_OK, "RD-clear query");
		n = dns_build_reply(&q, 0, NULL, 0, out, sizeof(out), 512);
		ok(n > 0 && !(out[2] & 1), "  RD stays clear");
		is_int(dns_build_reply(&q, DNS_RCODE_BADVERS, NULL, 0, out, sizeof(out), 512),
		       -EINVAL, "  BADVERS without OPT: -EINVAL");
	}

	/* argument errors */
	is_int(parse_hex(GLIBC_EDNS_A, &q, &pkt, &len), DNS_OK, "A query again");
	is_int(dns_build_reply(&q, -1, NULL, 0, out, sizeof(out), 512), -EINVAL, "rcode -1: -EINVAL");
	is_int(dns_build_reply(&q, 4096, NULL, 0, out, sizeof(out), 512), -EINVAL, "rcode 4096: -EINVAL");
	is_int(dns_build_reply(&q, 0, &rrbad, 1, out, sizeof(out), 512), -EINVAL, "MX answer: -EINVAL");
	is_int(dns_build_reply(&q, 0, NULL, 1, out, sizeof(out), 512), -EINVAL, "NULL answers: -EINVAL");
	is_int(dns_build_reply(&q, 0, NULL, 0, out, 39, 512), -ENOSPC, "outlen 39: -ENOSPC");
	is_int(dns_build_reply(&q, 0, NULL, 0, out, 40, 512), 40, "outlen 40: fits");
	is_int(dns_build_reply(&q, 0, NULL, 0, out, sizeof(out), 39), -EMSGSIZE, "max_size 39: -EMSGSIZE");
	{
		struct dns_query zero;

		memset(&zero, 0, sizeof(zero));
		is_int(dns_build_reply(&zero, 0, NULL, 0, out, sizeof(out), 512), -EINVAL,
		       "query without a question: -EINVAL");
		is_int(dns_build_reply(NULL, 0, NULL, 0, out, sizeof(out), 512), -EINVAL,
		       "NULL query: -EINVAL");
	}

	/* TC: 12 + 17 + 11 = 40 base, 16 per A */
	for (size_t i = 0; i < 300; i++) {
		many[i].type = DNS_TYPE_A;
		many[i].ttl = 1;
		memcpy(many[i].addr, (uint8_t[4]){ 198, 18, (uint8_t)(i >> 8), (uint8_t)i }, 4);
	}
	base = 40;
	need = base + 30 * 16;	/* 520 */
	n = dns_build_reply(&q, 0, many, 30, out, sizeof(out), need);
	ok(n == (ssize_t)need && !(out[2] & 2) && out[7] == 30, "30 answers in exactly max_size: no TC");
	n = dns_build_reply(&q, 0, many, 30, out, sizeof(out), need - 1);
	ok(n == (ssize_t)base && (out[2] & 2) && out[7] == 0 && out[11] == 1,
	   "one byte over: TC, no answers, OPT kept");
	n = dns_build_reply(&q, 0, many, 30, out, sizeof(out), DNS_UDP_PLAIN);
	ok(n == (ssize_t)base && (out[2] & 2), "30 answers over plain UDP 512: TC");
	n = dns_build_reply(&q, 0, many, 300, out, sizeof(out), DNS_MAX_MSG);
	ok(n == (ssize_t)(base + 300 * 16) && !(out[2] & 2) && out[6] == 1 && out[7] == 300 - 256,
	   "300 answers over TCP: no TC, ANCOUNT 300");
	n = dns_build_reply(&q, 0, many, 300, out, sizeof(out), (size_t)1 << 40);
	is_int(n, base + 300 * 16, "huge max_size clamped, still fine");
	is_int(dns_build_reply(&q, 0, many, 300, out, 100, DNS_MAX_MSG), -ENOSPC,
	       "300 answers into 100 bytes: -ENOSPC, not TC");

	/* in place: the reply overwrites the query it came from */
	len = unhex(GLIBC_EDNS_MIXED_A, inplace, sizeof(inplace));
	is_int(dns_parse_query(inplace, len, &q), DNS_OK, "in-place query");
	n = dns_build_reply(&q, 0, many, 1, inplace, sizeof(inplace), 512);
	ok(n == 56 && inplace[0] == 0xab && !memcmp(inplace + 12, "\7ExAmPlE\3CoM", 13) &&
	   inplace[41] == 198 && inplace[44] == 0, "reply built in the query's own buffer");
}

/* ---- reverse names and PTR replies -------------------------------------- */

/* Parse @name from a heap copy of exactly its bytes and the NUL. */
static int ptr_parse(const char *name, uint8_t addr[16])
{
	return dns_ptr_name_parse((const char *)exact(name, strlen(name) + 1), addr);
}

static void test_ptr_names(void)
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

static void test_ptr_reply(void)
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

static void test_build_error(void)
{
	struct dns_query q;
	struct pb p;
	uint8_t out[600];
	ssize_t n;

	/* FORMERR: question fine, trailing junk: question echoed, no OPT */
	pb_hdr(&p, 0x5151, DNS_FLAG_RD, 1, 0, 0, 1);
	pb_q(&p, "Example.COM", DNS_TYPE_A);
	pb_opt(&p, 1232, 0, NULL, 0);
	pb_u8(&p, 0);
	is_int(parse(&p, &q), DNS_EFORMERR, "query with junk after the OPT");
	n = dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_FORMERR, out, sizeof(out));
	is_int(n, 12 + 17, "FORMERR: header + question");
	ok(out[0] == 0x51 && out[1] == 0x51 && out[2] == 0x81 && out[3] == 0x81 &&
	   out[5] == 1 && out[7] == 0 && out[11] == 0, "  ID, QR RD, RA FORMERR, QD 1, AR 0");
	ok(!memcmp(out + 12, "\7Example\3COM", 13), "  question as sent");

	/* FORMERR: question cut: QDCOUNT 0 */
	pb_hdr(&p, 0x5252, 0, 1, 0, 0, 0);
	pb_raw(&p, "\7exa", 4);
	n = dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_FORMERR, out, sizeof(out));
	ok(n == 12 && out[5] == 0 && out[3] == 0x81 && !(out[2] & 1),
	   "FORMERR for a cut question: header only, QD 0, RD clear as sent");

	pb_hdr(&p, 0x5353, DNS_FLAG_RD, 2, 0, 0, 0);
	pb_q(&p, "a.example", 1);
	pb_q(&p, "b.example", 1);
	n = dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_FORMERR, out, sizeof(out));
	ok(n == 12 && out[5] == 0, "FORMERR for QDCOUNT 2: QD 0");

	pb_hdr(&p, 0x5454, 0, 1, 0, 0, 0);
	pb_u16(&p, 0xc00c);
	pb_u16(&p, 1);
	pb_u16(&p, 1);
	n = dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_FORMERR, out, sizeof(out));
	ok(n == 12 && out[5] == 0, "FORMERR for a pointer loop: QD 0");

	/* REFUSED for BADNAME with EDNS: question and OPT */
	pb_hdr(&p, 0x5555, DNS_FLAG_RD, 1, 0, 0, 1);
	pb_q(&p, "bad name.example", DNS_TYPE_A);
	pb_opt(&p, 1232, 0x8000, NULL, 0);
	is_int(parse(&p, &q), DNS_EBADNAME, "BADNAME query with EDNS");
	n = dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_REFUSED, out, sizeof(out));
	is_int(n, 12 + 22 + 11, "REFUSED: header, question, OPT");
	ok(out[3] == 0x85 && out[5] == 1 && out[11] == 1 && (out[n - 4] & 0x80),
	   "  REFUSED, QD 1, AR 1, DO echoed");

	/* NOTIMP for opcode STATUS, opcode copied */
	pb_hdr(&p, 0x5656, 2 << 11 | DNS_FLAG_RD, 1, 0, 0, 0);
	pb_q(&p, "example.com", DNS_TYPE_A);
	is_int(parse(&p, &q), DNS_ENOTIMP, "opcode STATUS query");
	n = dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_NOTIMP, out, sizeof(out));
	ok(n == 29 && out[2] == (0x80 | 2 << 3 | 1) && out[3] == 0x84,
	   "NOTIMP: opcode and RD copied, question echoed");

	/* SERVFAIL on a good query */
	pb_hdr(&p, 0x5757, DNS_FLAG_RD, 1, 0, 0, 0);
	pb_q(&p, "example.com", DNS_TYPE_MX);
	n = dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_SERVFAIL, out, sizeof(out));
	ok(n == 29 && out[3] == 0x82, "SERVFAIL with the question");

	is_int(dns_build_error(exact(p.b, 11), 11, DNS_RCODE_FORMERR, out, sizeof(out)),
	       -EINVAL, "11 bytes: -EINVAL");
	is_int(dns_build_error(exact(p.b, p.n), p.n, 4096, out, sizeof(out)),
	       -EINVAL, "rcode 4096: -EINVAL");
	is_int(dns_build_error(exact(p.b, p.n), p.n, -1, out, sizeof(out)),
	       -EINVAL, "rcode -1: -EINVAL");
	is_int(dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_BADVERS, out, sizeof(out)),
	       -EINVAL, "BADVERS without OPT: -EINVAL");
	is_int(dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_SERVFAIL, out, 28),
	       -ENOSPC, "outlen 28: -ENOSPC");
	p.b[2] |= 0x80;
	is_int(dns_build_error(exact(p.b, p.n), p.n, DNS_RCODE_FORMERR, out, sizeof(out)),
	       -EINVAL, "never answer a response: -EINVAL");
}

/* ---- relayed answers ---------------------------------------------------- */

/* An upstream answer: header, question, n TXT records with compressed
 * owners, an OPT. */
static void upstream_txt(struct pb *p, unsigned int n, size_t txtlen)
{
	char txt[256];

	memset(txt, 't', sizeof(txt));
	pb_hdr(p, 0x0101, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA, 1, n, 0, 1);
	pb_q(p, "Example.com", DNS_TYPE_TXT);
	for (unsigned int i = 0; i < n; i++) {
		pb_u16(p, 0xc00c);
		pb_u16(p, DNS_TYPE_TXT);
		pb_u16(p, DNS_CLASS_IN);
		pb_u32(p, 300);
		pb_u16(p, (unsigned int)txtlen + 1);
		pb_u8(p, (unsigned int)txtlen);
		pb_raw(p, txt, txtlen);
	}
	pb_opt(p, 1232, 0, NULL, 0);
}

static void test_fixup(void)
{
	struct pb p;
	uint8_t *b;
	ssize_t n;

	upstream_txt(&p, 2, 20);
	b = exact(p.b, p.n);
	n = dns_fixup_forwarded(b, p.n, 0xcafe, 512);
	ok(n == (ssize_t)p.n && b[0] == 0xca && b[1] == 0xfe && !memcmp(b + 2, p.b + 2, p.n - 2),
	   "small answer: only the ID changes");

	upstream_txt(&p, 10, 200);	/* ~2.3 kB */
	b = exact(p.b, p.n);
	n = dns_fixup_forwarded(b, p.n, 0xcafe, 1232);
	ok(n == 12 + 17 && (b[2] & 2) && b[5] == 1 && b[7] == 0 && b[9] == 0 && b[11] == 0,
	   "big answer over 1232: TC, header + question, counts zeroed");
	ok(!memcmp(b + 12, "\7Example\3com\0\0\x10\0\1", 17), "  question kept as sent");
	ok(b[3] == 0x80 && (b[2] & 0x81) == 0x81, "  QR RD RA kept");

	upstream_txt(&p, 10, 200);
	b = exact(p.b, p.n);
	is_int(dns_fixup_forwarded(b, p.n, 1, DNS_MAX_MSG), p.n, "same answer over TCP: untouched");

	/* unparseable question and too big: header only */
	upstream_txt(&p, 10, 200);
	p.b[12] = 0xc0;
	p.b[13] = 0x0c;
	b = exact(p.b, p.n);
	n = dns_fixup_forwarded(b, p.n, 1, 512);
	ok(n == 12 && (b[2] & 2) && b[5] == 0, "loop in the question: header only, QD 0, TC");

	upstream_txt(&p, 0, 0);
	p.b[4] = 0;
	p.b[5] = 0;	/* QDCOUNT 0 */
	b = exact(p.b, p.n);
	n = dns_fixup_forwarded(b, p.n, 1, 12);
	ok(n == 12 && (b[2] & 2), "QDCOUNT 0, max 12: header only");

	upstream_txt(&p, 1, 10);
	p.b[2] &= 0x7f;
	is_int(dns_fixup_forwarded(exact(p.b, p.n), p.n, 1, 512), -EBADMSG, "a query: -EBADMSG");
	p.b[2] |= 0x80 | 4 << 3;
	is_int(dns_fixup_forwarded(exact(p.b, p.n), p.n, 1, 512), -EBADMSG, "opcode NOTIFY: -EBADMSG");
	upstream_txt(&p, 1, 10);
	p.b[5] = 2;
	is_int(dns_fixup_forwarded(exact(p.b, p.n), p.n, 1, 512), -EBADMSG, "QDCOUNT 2: -EBADMSG");
	is_int(dns_fixup_forwarded(exact(p.b, 11), 11, 1, 512), -EBADMSG, "11 bytes: -EBADMSG");
	is_int(dns_fixup_forwarded(exact(p.b, p.n), p.n, 1, 11), -EINVAL, "max_size 11: -EINVAL");

	/* the truncation of every prefix-cut answer stays in bounds */
	upstream_txt(&p, 4, 200);
	{
		int bad = 0;

		for (size_t i = 12; i < p.n; i++) {
			uint8_t *c = exact(p.b, i);
			ssize_t r = dns_fixup_forwarded(c, i, 7, 512);

			if (r < 12 || (size_t)r > (i > 512 ? 512 : i))
				bad++;
		}
		is_int(bad, 0, "fix-up of every cut of an 850-byte answer stays in bounds");
	}
}

static void test_tcp(void)
{
	uint8_t b[4] = { 0, 40, 1, 2 };
	uint8_t o[2];

	is_int(dns_tcp_frame_len(b, 0), 0, "frame: 0 bytes, need more");
	is_int(dns_tcp_frame_len(b, 1), 0, "frame: 1 byte, need more");
	is_int(dns_tcp_frame_len(b, 2), 40, "frame: length 40");
	b[1] = 11;
	is_int(dns_tcp_frame_len(b, 4), -EBADMSG, "frame: length 11 < header: -EBADMSG");
	b[0] = 0xff;
	b[1] = 0xff;
	is_int(dns_tcp_frame_len(b, 4), 65535, "frame: length 65535");
	is_int(dns_tcp_frame_put(o, 2, 300), 0, "put 300");
	ok(o[0] == 1 && o[1] == 44, "  big-endian");
	is_int(dns_tcp_frame_len(o, 2), 300, "  reads back");
	is_int(dns_tcp_frame_put(o, 2, 65536), -EMSGSIZE, "put 65536: -EMSGSIZE");
	is_int(dns_tcp_frame_put(o, 1, 40), -ENOSPC, "put into 1 byte: -ENOSPC");
}

static void test_names_for_logs(void)
{
	is_str(dns_type_name(DNS_TYPE_A), "A", "type name A");
	is_str(dns_type_name(DNS_TYPE_AAAA), "AAAA", "type name AAAA");
	is_str(dns_type_name(DNS_TYPE_HTTPS), "HTTPS", "type name HTTPS");
	is_str(dns_type_name(65280), "TYPE65280", "unknown type, RFC 3597 form");
	is_str(dns_rcode_name(DNS_RCODE_NXDOMAIN), "NXDOMAIN", "rcode name NXDOMAIN");
	is_str(dns_rcode_name(23), "RCODE23", "unknown rcode");
	{
		int bad = 0;

		for (unsigned int t = 0; t < 65536; t++) {
			const char *n = dns_type_name((uint16_t)t);

			if (!n || !*n || strlen(n) > 9)
				bad++;
		}
		is_int(bad, 0, "every type has a short non-empty name");
		for (int r = 0; r < 24; r++)
			if (!dns_rcode_name(r) || !*dns_rcode_name(r))
				bad++;
		is_int(bad, 0, "every rcode has a name");
	}
}

int main(void)
{
	test_glibc_queries();
	test_names();
	test_badname();
	test_edns();
	test_header_errors();
	test_truncated();
	test_pointers();
	test_reply_a();
	test_reply_misc();
	test_ptr_names();
	test_ptr_reply();
	test_build_error();
	test_fixup();
	test_tcp();
	test_names_for_logs();

	for (size_t i = 0; i < nallocs; i++)
		free(allocs[i]);
	return tap_done();
}
