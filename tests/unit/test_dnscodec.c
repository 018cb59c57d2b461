/* test_dnscodec.c — unit tests for dns/dnscodec.c, the resolver's DNS codec.
 *
 * This file: the helpers the three files share (test_dnscodec.h), reply
 * building and TC truncation, error replies, fix-up of relayed upstream
 * answers, TCP framing and names for logs.  test_dnscodec_query.c parses
 * queries, captured from glibc (getent ahosts against a loopback listener,
 * with and without `options edns0`, and with mixed case) or built here,
 * down every error path; test_dnscodec_ptr.c covers reverse names (round
 * trips, malformed names) and PTR replies.  Every packet is parsed from a
 * heap copy of exactly its length, so a sanitizer build catches any read
 * past the end.
 */
#include "dns/dnscodec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "test_dnscodec.h"

/* ---- helpers ---------------------------------------------------------- */

static void *allocs[4096];
static size_t nallocs;

/* A heap copy of exactly n bytes, freed at the end. */
uint8_t *exact(const void *p, size_t n)
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

size_t unhex(const char *hex, uint8_t *out, size_t outlen)
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

void pb_u8(struct pb *p, unsigned int v)
{
	p->b[p->n++] = (uint8_t)v;
}

void pb_u16(struct pb *p, unsigned int v)
{
	pb_u8(p, v >> 8);
	pb_u8(p, v);
}

void pb_u32(struct pb *p, uint32_t v)
{
	pb_u16(p, v >> 16);
	pb_u16(p, v & 0xffff);
}

void pb_raw(struct pb *p, const void *d, size_t n)
{
	if (n)
		memcpy(p->b + p->n, d, n);
	p->n += n;
}

/* "www.example.com" -> labels and the root; "" -> the root alone. */
void pb_name(struct pb *p, const char *dotted)
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

void pb_hdr(struct pb *p, unsigned int id, unsigned int flags,
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

void pb_q(struct pb *p, const char *name, unsigned int type)
{
	pb_name(p, name);
	pb_u16(p, type);
	pb_u16(p, DNS_CLASS_IN);
}

void pb_opt(struct pb *p, unsigned int udp, uint32_t ttl,
		   const void *rdata, size_t rdlen)
{
	pb_u8(p, 0);
	pb_u16(p, DNS_TYPE_OPT);
	pb_u16(p, udp);
	pb_u32(p, ttl);
	pb_u16(p, (unsigned int)rdlen);
	pb_raw(p, rdata, rdlen);
}

int parse(const struct pb *p, struct dns_query *q)
{
	return dns_parse_query(exact(p->b, p->n), p->n, q);
}

int parse_hex(const char *hex, struct dns_query *q, const uint8_t **pkt,
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
void simple_query(struct pb *p, const char *name, unsigned int type,
			 bool edns)
{
	pb_hdr(p, 0x1234, DNS_FLAG_RD, 1, 0, 0, edns ? 1 : 0);
	pb_q(p, name, type);
	if (edns)
		pb_opt(p, 1232, 0, NULL, 0);
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

/* ---- error replies ------------------------------------------------------ */

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
