/* fuzz_dns.c — libFuzzer target for dns/dnscodec.c, the resolver's codec.
 *
 * The input is treated as a query from the sandbox: it is parsed, and every
 * reply the resolver could build from it (answers, NODATA, TC truncation at
 * several sizes, in place in the query's own buffer, error replies) is
 * built and checked for sanity; the input is also run through
 * dns_fixup_forwarded() as if it were an upstream answer, and through the
 * TCP framing helper.  Reverse names: a parsed query's name, the input as
 * text, and the input's first bytes followed by ".in-addr.arpa" and
 * ".ip6.arpa" go through dns_ptr_name_parse(); whatever it accepts must
 * re-encode (dns_ptr_name_make()) to the same name up to case and parse
 * back to the same address, and every address made from the input must
 * round-trip; PTR replies naming the query's own name are built at several
 * sizes, checked like the others, and their target read back.  Invariant
 * violations abort.  Seeds: fuzz/corpus/dns.
 */
#include "fuzz.h"
#include "dns/dnscodec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static uint8_t out[DNS_MAX_MSG + 64];

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void check_query(const uint8_t *data, size_t size,
			const struct dns_query *q)
{
	CHECK(q->question == data + DNS_HDR_LEN);
	CHECK(q->question_len >= 5 && q->question_len <= DNS_MAX_NAME_WIRE + 4);
	CHECK(DNS_HDR_LEN + q->question_len <= size);
	CHECK(q->name_len <= DNS_MAX_NAME_TEXT);
	CHECK(strlen(q->name) == q->name_len);
	for (size_t i = 0; i < q->name_len; i++) {
		char c = q->name[i];

		CHECK(c >= 0x21 && c <= 0x7e && c != '\\');
		CHECK(!(c >= 'A' && c <= 'Z'));
		if (c == '.')
			CHECK(i > 0 && i + 1 < q->name_len && q->name[i - 1] != '.');
	}
	CHECK(q->opcode == DNS_OPCODE_QUERY);
	if (q->edns)
		CHECK(q->edns_udp_size >= DNS_EDNS_MIN && q->edns_udp_size <= DNS_EDNS_MAX);
}

/* A reply we built must look like one, and pass dns_fixup_forwarded(). */
static void check_reply(const struct dns_query *q, const uint8_t *r, ssize_t n,
			size_t max_size, size_t nanswers)
{
	uint16_t flags;
	uint8_t *copy;

	CHECK(n >= (ssize_t)(DNS_HDR_LEN + q->question_len));
	CHECK((size_t)n <= max_size);
	flags = rd16(r + 2);
	CHECK(flags & DNS_FLAG_QR);
	CHECK(rd16(r) == q->id);
	CHECK(rd16(r + 4) == 1);
	CHECK(rd16(r + 6) == ((flags & DNS_FLAG_TC) ? 0 : nanswers));
	CHECK(rd16(r + 10) == (q->edns ? 1 : 0));
	CHECK(!memcmp(r + DNS_HDR_LEN, q->question, q->question_len));

	copy = malloc((size_t)n);
	CHECK(copy);
	memcpy(copy, r, (size_t)n);
	CHECK(dns_fixup_forwarded(copy, (size_t)n, 1, DNS_MAX_MSG) == n);
	CHECK(dns_fixup_forwarded(copy, (size_t)n, 1, DNS_UDP_PLAIN) > 0);
	free(copy);
}

static void replies(const uint8_t *data, size_t size, const struct dns_query *q)
{
	struct dns_rr rr[64];
	size_t nanswers = size % 64;
	size_t sizes[] = { DNS_UDP_PLAIN, q->edns_udp_size, DNS_MAX_MSG, 100,
			   DNS_HDR_LEN + q->question_len };
	ssize_t n;

	for (size_t i = 0; i < nanswers; i++) {
		memset(&rr[i], 0, sizeof(rr[i]));
		rr[i].type = (i & 1) ? DNS_TYPE_AAAA : DNS_TYPE_A;
		rr[i].ttl = (uint32_t)i;
		rr[i].addr[0] = data[i % size];
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		if (!sizes[s])
			continue;
		n = dns_build_reply(q, DNS_RCODE_NOERROR, rr, nanswers, out,
				    sizeof(out), sizes[s]);
		if (n == -EMSGSIZE) {
			CHECK(DNS_HDR_LEN + q->question_len + (q->edns ? 11 : 0) > sizes[s]);
			continue;
		}
		CHECK(n > 0);
		check_reply(q, out, n, sizes[s], nanswers);
	}
	n = dns_build_reply(q, DNS_RCODE_NXDOMAIN, NULL, 0, out, sizeof(out), 512);
	CHECK(n > 0);
	check_reply(q, out, n, 512, 0);
	n = dns_build_reply(q, DNS_RCODE_BADVERS, NULL, 0, out, sizeof(out), 512);
	CHECK(q->edns ? n > 0 : n == -EINVAL);

	/* in place, in a buffer of exactly the query's size */
	{
		uint8_t *buf = malloc(size);
		struct dns_query iq;

		CHECK(buf);
		memcpy(buf, data, size);
		CHECK(dns_parse_query(buf, size, &iq) == DNS_OK);
		n = dns_build_reply(&iq, DNS_RCODE_NOERROR, rr, nanswers > 2 ? 2 : nanswers,
				    buf, size, DNS_MAX_MSG);
		CHECK(n > 0 || n == -ENOSPC);
		free(buf);
	}
}

/* What dns_ptr_name_parse() accepts re-encodes to itself (up to case) and
 * parses back to the same address. */
static void ptr_name_check(const char *name)
{
	uint8_t a[16], b[16];
	char again[DNS_PTR_NAME_MAX];
	int n = dns_ptr_name_parse(name, a);
	ssize_t m;

	CHECK(n == 4 || n == 16 || n == -EINVAL);
	if (n < 0)
		return;
	m = dns_ptr_name_make(a, (size_t)n, again, sizeof(again));
	CHECK(m > 0 && (size_t)m == strlen(again));
	CHECK(strcasecmp(again, name) == 0);
	CHECK(dns_ptr_name_parse(again, b) == n && !memcmp(a, b, (size_t)n));
}

static void ptr_names(const uint8_t *data, size_t size)
{
	static const char *const suffixes[] = { "", ".in-addr.arpa", ".ip6.arpa" };
	char text[DNS_PTR_NAME_MAX + 16];
	size_t lens[] = { 4, 16 };

	/* The input as text (cut at a NUL), alone and with each suffix: the
	 * suffixes let the fuzzer reach the label parsers at once. */
	for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]); s++) {
		size_t sl = strlen(suffixes[s]);
		size_t n = size < sizeof(text) - 1 - sl ? size : sizeof(text) - 1 - sl;

		memcpy(text, data, n);
		text[n] = '\0';
		n = strlen(text);
		memcpy(text + n, suffixes[s], sl + 1);
		ptr_name_check(text);
	}
	/* Addresses from the input: make, then parse back. */
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t a[16];
		ssize_t m;

		if (size < lens[i])
			continue;
		m = dns_ptr_name_make(data, lens[i], text, sizeof(text));
		CHECK(m > 0 && (size_t)m == strlen(text) && (size_t)m < DNS_PTR_NAME_MAX);
		for (ssize_t j = 0; j < m; j++)
			CHECK(!(text[j] >= 'A' && text[j] <= 'Z'));
		CHECK(dns_ptr_name_parse(text, a) == (int)lens[i]);
		CHECK(!memcmp(a, data, lens[i]));
		CHECK(dns_ptr_name_make(data, lens[i], text, (size_t)m) == -ENOSPC);
	}
}

/* The PTR record's target in reply r[0..n), back in presentation form. */
static void ptr_target(const uint8_t *r, size_t n, size_t qlen, char *text, size_t textlen)
{
	size_t at = DNS_HDR_LEN + qlen, o = 0, rdlen;

	CHECK(n >= at + 12 && rd16(r + at) == (0xc000 | DNS_HDR_LEN));
	CHECK(rd16(r + at + 2) == DNS_TYPE_PTR && rd16(r + at + 4) == DNS_CLASS_IN);
	rdlen = rd16(r + at + 10);
	at += 12;
	CHECK(rdlen >= 2 && rdlen <= DNS_MAX_NAME_WIRE && n >= at + rdlen);
	for (size_t i = 0; r[at + i];) {
		size_t l = r[at + i++];

		CHECK(l <= DNS_MAX_LABEL && i + l < rdlen && o + l + 2 <= textlen);
		if (o)
			text[o++] = '.';
		memcpy(text + o, r + at + i, l);
		o += l;
		i += l;
	}
	text[o] = '\0';
}

/* PTR replies naming the query's own name (which is always a valid
 * target, except the root). */
static void ptr_replies(const struct dns_query *q)
{
	size_t sizes[] = { DNS_UDP_PLAIN, q->edns_udp_size, DNS_MAX_MSG,
			   DNS_HDR_LEN + q->question_len + (q->edns ? 11 : 0) + 12 + q->name_len + 1 };
	char back[DNS_MAX_NAME_TEXT + 2];

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		ssize_t n;

		if (!sizes[s])
			continue;
		n = dns_build_ptr_reply(q, q->name, 60, out, sizeof(out), sizes[s]);
		if (q->name_len == 0) {
			CHECK(n == -EINVAL);
			return;
		}
		if (n == -EMSGSIZE) {
			CHECK(DNS_HDR_LEN + q->question_len + (q->edns ? 11 : 0) > sizes[s]);
			continue;
		}
		CHECK(n > 0);
		check_reply(q, out, n, sizes[s], 1);
		if (rd16(out + 2) & DNS_FLAG_TC)
			continue;
		ptr_target(out, (size_t)n, q->question_len, back, sizeof(back));
		CHECK(strcmp(back, q->name) == 0);
	}
}

static void errors(const uint8_t *data, size_t size)
{
	static const int rcodes[] = { DNS_RCODE_FORMERR, DNS_RCODE_SERVFAIL,
				      DNS_RCODE_NOTIMP, DNS_RCODE_REFUSED };
	bool answerable = size >= DNS_HDR_LEN && !(data[2] & 0x80);

	for (size_t i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++) {
		ssize_t n = dns_build_error(data, size, rcodes[i], out, sizeof(out));

		if (!answerable) {
			CHECK(n == -EINVAL);
			continue;
		}
		CHECK(n >= DNS_HDR_LEN && n <= DNS_HDR_LEN + DNS_MAX_NAME_WIRE + 4 + 11);
		CHECK(rd16(out) == rd16(data));
		CHECK((out[3] & 0xf) == rcodes[i]);
		CHECK(!memcmp(out + DNS_HDR_LEN, data + DNS_HDR_LEN, (size_t)n - DNS_HDR_LEN -
			      (rd16(out + 10) ? 11 : 0)));
	}
	if (answerable) {
		/* exactly-sized output buffers */
		ssize_t n = dns_build_error(data, size, DNS_RCODE_FORMERR, out, sizeof(out));
		uint8_t *small = malloc((size_t)n);

		CHECK(small);
		CHECK(dns_build_error(data, size, DNS_RCODE_FORMERR, small, (size_t)n) == n);
		CHECK(dns_build_error(data, size, DNS_RCODE_FORMERR, small, (size_t)n - 1) == -ENOSPC);
		free(small);
	}
}

static void forwarded(const uint8_t *data, size_t size)
{
	size_t maxes[] = { DNS_HDR_LEN, DNS_UDP_PLAIN, 1232, DNS_MAX_MSG,
			   size > 2 ? rd16(data) : 0 };

	for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		uint8_t *copy = malloc(size ? size : 1);
		ssize_t n;

		CHECK(copy);
		if (size)
			memcpy(copy, data, size);
		n = dns_fixup_forwarded(copy, size, 0xabcd, maxes[i]);
		if (maxes[i] < DNS_HDR_LEN) {
			CHECK(n == -EINVAL);
		} else if (n >= 0) {
			CHECK(n >= DNS_HDR_LEN && (size_t)n <= size);
			CHECK((size_t)n <= maxes[i] || (size_t)n == size);
			CHECK(copy[0] == 0xab && copy[1] == 0xcd);
			if ((size_t)n < size)
				CHECK(copy[2] & (DNS_FLAG_TC >> 8));
		} else {
			CHECK(n == -EBADMSG);
		}
		free(copy);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_query q;
	int r = dns_parse_query(data, size, &q);
	ssize_t f;

	CHECK(r == DNS_OK || r == DNS_EDROP || r == DNS_EFORMERR ||
	      r == DNS_ENOTIMP || r == DNS_EBADNAME);
	if (r == DNS_EDROP)
		CHECK(size < DNS_HDR_LEN || (data[2] & 0x80));
	if (r == DNS_OK) {
		check_query(data, size, &q);
		replies(data, size, &q);
		ptr_name_check(q.name);
		ptr_replies(&q);
		(void)dns_type_name(q.qtype);
	}
	ptr_names(data, size);
	errors(data, size);
	forwarded(data, size);

	f = dns_tcp_frame_len(data, size);
	CHECK(size < 2 ? f == 0 : (f == -EBADMSG || (f >= DNS_HDR_LEN && f <= DNS_MAX_MSG)));
	return 0;
}
