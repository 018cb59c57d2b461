/* test_dnscodec_query.c — the query half of dnscodec's unit tests
 * (test_dnscodec.c runs them): dns_parse_query() on queries captured from
 * glibc 2.36 (getent ahosts against a loopback listener, with and without
 * `options edns0`, and with mixed case) and on packets built here, good
 * ones (names, EDNS) and malformed ones down every error path (header,
 * truncation, compression pointers).
 */
#include "dns/dnscodec.h"

#include <errno.h>
#include <string.h>

#include "tap.h"
#include "test_dnscodec.h"

/* ---- parsing good queries --------------------------------------------- */

void test_glibc_queries(void)
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

void test_names(void)
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

void test_badname(void)
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

void test_edns(void)
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

void test_header_errors(void)
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

void test_truncated(void)
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

void test_pointers(void)
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
