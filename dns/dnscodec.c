/* dnscodec.c — parse DNS queries from the sandbox, build netbox's replies,
 * and read and write the reverse names of addresses (PTR).
 *
 * Part of netbox's resolver (DESIGN.md, "The network mechanism", point 4); see
 * dnscodec.h for the API.  Every byte comes from an untrusted program, so
 * every read is preceded by a check of the remaining length against the size
 * it needs (in the spirit of passt's packet_get() and OpenBSD's
 * IMSG_SIZE_CHECK), lengths are size_t, and subtraction only happens on the
 * side that cannot underflow.  No allocation, no global state except the
 * per-thread buffer of dns_type_name().
 */
#include "dns/dnscodec.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DNS_OPT_RR_LEN	11	/* root owner, type, class, ttl, rdlength */
#define DNS_RR_FIXED	10	/* type, class, ttl, rdlength after the owner */
#define DNS_PTR_MASK	0xc0

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A label byte we accept in a name we act on: printable ASCII, no space, and
 * neither '.' nor '\\', so the presentation form is unambiguous. */
static inline bool label_byte_ok(uint8_t c)
{
	return c >= 0x21 && c <= 0x7e && c != '.' && c != '\\';
}

/* Walk the domain name starting at pkt[*off], pkt being len bytes long.
 *
 * Compression pointers must point strictly before the start of the label
 * run that contains them, and not into the header: each jump lands strictly
 * lower than the previous one, which rules out every loop by construction;
 * DNS_MAX_PTR_CHAIN and the 255-byte limit bound the work further.  (For the
 * question at offset 12 this forbids pointers altogether, which is right: any
 * pointer there would target the header or loop into the name itself.)
 *
 * On success returns 0 and moves *off past the bytes the name occupies in
 * place (up to the root label or the first pointer).  If text is not NULL it
 * receives the lowercase presentation form (text_len its length, at most 253)
 * and *badname is set when a label holds a byte label_byte_ok() refuses.
 * Returns -EBADMSG for a malformed name. */
static int walk_name(const uint8_t *pkt, size_t len, size_t *off,
		     char *text, size_t *text_len, bool *badname)
{
	size_t pos = *off, limit = *off, end = 0, wire = 0, tlen = 0;
	unsigned int ptrs = 0;
	bool jumped = false;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return -EBADMSG;
		c = pkt[pos];
		if ((c & DNS_PTR_MASK) == DNS_PTR_MASK) {
			size_t target;

			if (len - pos < 2)
				return -EBADMSG;
			target = (size_t)(c & 0x3f) << 8 | pkt[pos + 1];
			if (!jumped) {
				end = pos + 2;
				jumped = true;
			}
			if (target >= limit || target < DNS_HDR_LEN)
				return -EBADMSG;
			if (++ptrs > DNS_MAX_PTR_CHAIN)
				return -EBADMSG;
			pos = limit = target;
			continue;
		}
		if (c & DNS_PTR_MASK)	/* 0x40 and 0x80: obsolete label types */
			return -EBADMSG;
		if (c == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		/* c bytes of label after the length byte */
		if (len - pos - 1 < c)
			return -EBADMSG;
		wire += 1 + (size_t)c;
		if (wire + 1 > DNS_MAX_NAME_WIRE)	/* + the root label */
			return -EBADMSG;
		if (text) {
			const uint8_t *l = pkt + pos + 1;

			/* wire <= 254 keeps tlen + 1 + c <= 253 */
			if (tlen)
				text[tlen++] = '.';
			for (size_t i = 0; i < c; i++) {
				uint8_t b = l[i];

				if (!label_byte_ok(b))
					*badname = true;
				if (b >= 'A' && b <= 'Z')
					b = (uint8_t)(b - 'A' + 'a');
				text[tlen++] = (char)b;
			}
		}
		pos += 1 + (size_t)c;
	}
	if (text) {
		text[tlen] = '\0';
		*text_len = tlen;
	}
	*off = end;
	return 0;
}

/* Check the options inside an OPT RR's RDATA: code, length, data, exactly
 * filling rdlen bytes.  0 or -EBADMSG. */
static int check_opt_options(const uint8_t *p, size_t rdlen)
{
	size_t o = 0;

	while (o < rdlen) {
		size_t olen;

		if (rdlen - o < 4)
			return -EBADMSG;
		olen = get16(p + o + 2);
		o += 4;
		if (rdlen - o < olen)
			return -EBADMSG;
		o += olen;
	}
	return 0;
}

/* Everything after the header checks: counts, question, additional
 * records, trailing bytes, name contents.  pkt holds at least a header. */
static int parse_body(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	uint16_t qdcount = get16(pkt + 4), ancount = get16(pkt + 6);
	uint16_t nscount = get16(pkt + 8), arcount = get16(pkt + 10);
	size_t off = DNS_HDR_LEN;
	bool badname = false;

	if (len > DNS_MAX_MSG)
		return DNS_EFORMERR;
	if (qdcount != 1 || ancount != 0 || nscount != 0)
		return DNS_EFORMERR;

	if (walk_name(pkt, len, &off, q->name, &q->name_len, &badname))
		return DNS_EFORMERR;
	if (len - off < 4)
		return DNS_EFORMERR;
	q->qtype = get16(pkt + off);
	q->qclass = get16(pkt + off + 2);
	off += 4;
	q->question = pkt + DNS_HDR_LEN;
	q->question_len = off - DNS_HDR_LEN;

	/* Additional section: at most one OPT; anything else is skipped,
	 * but must be well-formed.  Each record takes at least 11 bytes, so
	 * the loop is bounded by len as well as by arcount. */
	for (unsigned int i = 0; i < arcount; i++) {
		size_t owner = off, rdlen;
		uint16_t type, rclass;
		uint32_t ttl;

		if (walk_name(pkt, len, &off, NULL, NULL, NULL))
			return DNS_EFORMERR;
		if (len - off < DNS_RR_FIXED)
			return DNS_EFORMERR;
		type = get16(pkt + off);
		rclass = get16(pkt + off + 2);
		ttl = get32(pkt + off + 4);
		rdlen = get16(pkt + off + 8);
		off += DNS_RR_FIXED;
		if (len - off < rdlen)
			return DNS_EFORMERR;
		if (type == DNS_TYPE_OPT) {
			if (q->edns)
				return DNS_EFORMERR;	/* RFC 6891 6.1.1 */
			if (off - owner != 1 + DNS_RR_FIXED)	/* owner must be root */
				return DNS_EFORMERR;
			if (check_opt_options(pkt + off, rdlen))
				return DNS_EFORMERR;
			q->edns = true;
			q->edns_udp_size = rclass < DNS_EDNS_MIN ? DNS_EDNS_MIN :
					   rclass > DNS_EDNS_MAX ? DNS_EDNS_MAX :
					   rclass;
			q->edns_version = (uint8_t)(ttl >> 16);
			q->edns_do = ttl & 0x8000;
		}
		off += rdlen;
	}
	if (off != len)
		return DNS_EFORMERR;
	if (badname)
		return DNS_EBADNAME;
	return DNS_OK;
}

int dns_parse_query(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	uint16_t flags;

	if (!pkt || !q || len < DNS_HDR_LEN)
		return DNS_EDROP;
	flags = get16(pkt + 2);
	if (flags & DNS_FLAG_QR)
		return DNS_EDROP;

	memset(q, 0, sizeof(*q));
	q->id = get16(pkt);
	q->flags = flags;
	q->opcode = DNS_OPCODE(flags);
	if (q->opcode != DNS_OPCODE_QUERY)
		return DNS_ENOTIMP;
	return parse_body(pkt, len, q);
}

int dns_parse_error_rcode(int parse_result)
{
	switch (parse_result) {
	case DNS_EFORMERR:
		return DNS_RCODE_FORMERR;
	case DNS_ENOTIMP:
		return DNS_RCODE_NOTIMP;
	case DNS_EBADNAME:
		return DNS_RCODE_REFUSED;
	default:
		return -1;
	}
}

/* Reply header: QR and RA set, opcode, RD and CD copied from the query's
 * flags, AA/AD/TC clear unless tc. */
static void put_header(uint8_t *out, uint16_t id, uint16_t qflags, int rcode,
		       bool tc, uint16_t qd, uint16_t an, uint16_t ar)
{
	uint16_t flags = DNS_FLAG_QR | DNS_FLAG_RA |
			 (qflags & (0xf << 11 | DNS_FLAG_RD | DNS_FLAG_CD)) |
			 (uint16_t)(rcode & 0xf);

	if (tc)
		flags |= DNS_FLAG_TC;
	put16(out, id);
	put16(out + 2, flags);
	put16(out + 4, qd);
	put16(out + 6, an);
	put16(out + 8, 0);
	put16(out + 10, ar);
}

/* Our OPT RR: root owner, UDP size 1232, extended rcode, version 0, DO as
 * the client set it, no options. */
static void put_opt(uint8_t *out, int rcode, bool dnssec_ok)
{
	out[0] = 0;
	put16(out + 1, DNS_TYPE_OPT);
	put16(out + 3, DNS_EDNS_OURS);
	put32(out + 5, (uint32_t)(rcode >> 4) << 24 | (dnssec_ok ? 0x8000 : 0));
	put16(out + 9, 0);
}

/* Check the arguments every reply shares and work out its fixed part:
 * header, question and OPT.  0 and *base, or -EINVAL / -EMSGSIZE; clamps
 * *max_size to DNS_MAX_MSG. */
static int reply_base(const struct dns_query *q, int rcode, uint8_t *out, size_t *max_size,
		      size_t *base)
{
	if (!q || !out)
		return -EINVAL;
	if (rcode < 0 || rcode > 0xfff || (rcode > 0xf && !q->edns))
		return -EINVAL;
	/* smallest question: root (1) + type + class; largest 255 + 4 */
	if (!q->question || q->question_len < 5 ||
	    q->question_len > DNS_MAX_NAME_WIRE + 4)
		return -EINVAL;
	if (*max_size > DNS_MAX_MSG)
		*max_size = DNS_MAX_MSG;
	*base = DNS_HDR_LEN + q->question_len + (q->edns ? DNS_OPT_RR_LEN : 0);
	if (*base > *max_size)
		return -EMSGSIZE;
	return 0;
}

ssize_t dns_build_reply(const struct dns_query *q, int rcode,
			const struct dns_rr *answers, size_t nanswers,
			uint8_t *out, size_t outlen, size_t max_size)
{
	size_t base, total, rlen, off;
	bool tc;
	int rc;

	if (nanswers && !answers)
		return -EINVAL;
	rc = reply_base(q, rcode, out, &max_size, &base);
	if (rc < 0)
		return rc;
	total = base;
	for (size_t i = 0; i < nanswers; i++) {
		size_t rdlen;

		if (answers[i].type == DNS_TYPE_A)
			rdlen = 4;
		else if (answers[i].type == DNS_TYPE_AAAA)
			rdlen = 16;
		else
			return -EINVAL;
		if (total <= max_size)	/* stays far from overflow */
			total += 2 + DNS_RR_FIXED + rdlen;
	}
	tc = total > max_size;
	rlen = tc ? base : total;
	if (rlen > outlen)
		return -ENOSPC;

	/* out may be the query's own buffer: the question then moves onto
	 * itself, hence memmove. */
	memmove(out + DNS_HDR_LEN, q->question, q->question_len);
	put_header(out, q->id, q->flags, rcode, tc, 1,
		   tc ? 0 : (uint16_t)nanswers, q->edns ? 1 : 0);
	off = DNS_HDR_LEN + q->question_len;
	for (size_t i = 0; !tc && i < nanswers; i++) {
		size_t rdlen = answers[i].type == DNS_TYPE_A ? 4 : 16;

		put16(out + off, 0xc000 | DNS_HDR_LEN);	/* -> question name */
		put16(out + off + 2, answers[i].type);
		put16(out + off + 4, DNS_CLASS_IN);
		put32(out + off + 6, answers[i].ttl);
		put16(out + off + 10, (uint16_t)rdlen);
		memcpy(out + off + 12, answers[i].addr, rdlen);
		off += 12 + rdlen;
	}
	if (q->edns) {
		put_opt(out + off, rcode, q->edns_do);
		off += DNS_OPT_RR_LEN;
	}
	return (ssize_t)off;
}

/* @name (presentation form, see dns_build_ptr_reply()) in wire form into
 * out[0..DNS_MAX_NAME_WIRE).  Its length, or -EINVAL. */
static ssize_t name_to_wire(const char *name, uint8_t out[DNS_MAX_NAME_WIRE])
{
	const char *p = name;
	size_t wl = 0;

	if (!name)
		return -EINVAL;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t ll = dot ? (size_t)(dot - p) : strlen(p);

		if (ll == 0 || ll > DNS_MAX_LABEL || wl + 1 + ll + 1 > DNS_MAX_NAME_WIRE)
			return -EINVAL;
		out[wl++] = (uint8_t)ll;
		memcpy(out + wl, p, ll);
		wl += ll;
		p += ll;
		if (*p == '.')
			p++;
	}
	if (wl == 0)
		return -EINVAL;	/* the root names no host */
	out[wl++] = 0;
	return (ssize_t)wl;
}

ssize_t dns_build_ptr_reply(const struct dns_query *q, const char *target, uint32_t ttl,
			    uint8_t *out, size_t outlen, size_t max_size)
{
	uint8_t wire[DNS_MAX_NAME_WIRE];
	ssize_t wl = name_to_wire(target, wire);
	size_t base, rrlen, rlen, off;
	bool tc;
	int rc;

	if (wl < 0)
		return wl;
	rc = reply_base(q, DNS_RCODE_NOERROR, out, &max_size, &base);
	if (rc < 0)
		return rc;
	rrlen = 2 + DNS_RR_FIXED + (size_t)wl;
	tc = base + rrlen > max_size;
	rlen = tc ? base : base + rrlen;
	if (rlen > outlen)
		return -ENOSPC;

	memmove(out + DNS_HDR_LEN, q->question, q->question_len);
	put_header(out, q->id, q->flags, DNS_RCODE_NOERROR, tc, 1, tc ? 0 : 1,
		   q->edns ? 1 : 0);
	off = DNS_HDR_LEN + q->question_len;
	if (!tc) {
		put16(out + off, 0xc000 | DNS_HDR_LEN);	/* -> question name */
		put16(out + off + 2, DNS_TYPE_PTR);
		put16(out + off + 4, DNS_CLASS_IN);
		put32(out + off + 6, ttl);
		put16(out + off + 10, (uint16_t)wl);
		memcpy(out + off + 12, wire, (size_t)wl);
		off += rrlen;
	}
	if (q->edns) {
		put_opt(out + off, DNS_RCODE_NOERROR, q->edns_do);
		off += DNS_OPT_RR_LEN;
	}
	return (ssize_t)off;
}

/* ---- reverse names ------------------------------------------------------ */

static const char ptr_suffix_v4[] = "in-addr.arpa";
static const char ptr_suffix_v6[] = "ip6.arpa";
static const char hexdigits[] = "0123456789abcdef";

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -EINVAL;
}

/* "d.c.b.a." (the labels before the suffix, dot included) -> a.b.c.d.
 * One to three digits per label, no leading zero, at most 255. */
static int ptr_parse_v4(const char *p, size_t len, uint8_t addr[16])
{
	const char *end = p + len;

	for (int i = 3; i >= 0; i--) {
		unsigned int v = 0;
		size_t nd = 0;

		while (p < end && *p >= '0' && *p <= '9' && nd < 4) {
			v = v * 10 + (unsigned int)(*p - '0');
			p++;
			nd++;
		}
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && p[-(ptrdiff_t)nd] == '0'))
			return -EINVAL;
		if (p == end || *p != '.')
			return -EINVAL;
		addr[i] = (uint8_t)v;
		p++;
	}
	return p == end ? 4 : -EINVAL;
}

/* "n.n. ... n." (32 single-nibble labels, least significant first) -> 16
 * bytes. */
static int ptr_parse_v6(const char *p, size_t len, uint8_t addr[16])
{
	if (len != 32 * 2)
		return -EINVAL;
	memset(addr, 0, 16);
	for (int i = 31; i >= 0; i--, p += 2) {
		int v = hex_value(p[0]);

		if (v < 0 || p[1] != '.')
			return -EINVAL;
		addr[i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
	}
	return 16;
}

/* Does @name end in ".@suffix" (case-insensitively)?  Then *head is the
 * length of what comes before the suffix, its final dot included. */
static bool ptr_has_suffix(const char *name, size_t len, const char *suffix, size_t *head)
{
	size_t sl = strlen(suffix);

	if (len < sl + 1 || name[len - sl - 1] != '.' ||
	    strncasecmp(name + len - sl, suffix, sl) != 0)
		return false;
	*head = len - sl;
	return true;
}

int dns_ptr_name_parse(const char *name, uint8_t addr[16])
{
	size_t len, head;

	if (!name || !addr)
		return -EINVAL;
	len = strnlen(name, DNS_PTR_NAME_MAX);
	if (len >= DNS_PTR_NAME_MAX)
		return -EINVAL;
	if (ptr_has_suffix(name, len, ptr_suffix_v4, &head))
		return ptr_parse_v4(name, head, addr);
	if (ptr_has_suffix(name, len, ptr_suffix_v6, &head))
		return ptr_parse_v6(name, head, addr);
	return -EINVAL;
}

ssize_t dns_ptr_name_make(const uint8_t *addr, size_t addrlen, char *out, size_t outlen)
{
	size_t n = 0;
	int w;

	if (!addr || !out || (addrlen != 4 && addrlen != 16))
		return -EINVAL;
	if (addrlen == 4) {
		w = snprintf(out, outlen, "%u.%u.%u.%u.%s", addr[3], addr[2], addr[1], addr[0],
			     ptr_suffix_v4);
		if (w < 0 || (size_t)w >= outlen)
			return -ENOSPC;
		return w;
	}
	if (outlen < 32 * 2 + sizeof(ptr_suffix_v6))
		return -ENOSPC;
	for (int i = 15; i >= 0; i--) {
		out[n++] = hexdigits[addr[i] & 0xf];
		out[n++] = '.';
		out[n++] = hexdigits[addr[i] >> 4];
		out[n++] = '.';
	}
	memcpy(out + n, ptr_suffix_v6, sizeof(ptr_suffix_v6));
	return (ssize_t)(n + sizeof(ptr_suffix_v6) - 1);
}

ssize_t dns_build_error(const uint8_t *pkt, size_t len, int rcode,
			uint8_t *out, size_t outlen)
{
	struct dns_query q;
	uint16_t id, flags;
	size_t qlen = 0, rlen;
	bool edns = false, dnssec_ok = false;
	int r;

	if (!pkt || !out || len < DNS_HDR_LEN)
		return -EINVAL;
	flags = get16(pkt + 2);
	if (flags & DNS_FLAG_QR)
		return -EINVAL;
	if (rcode < 0 || rcode > 0xfff)
		return -EINVAL;
	id = get16(pkt);

	/* The whole query, opcode aside: gives the question and the OPT. */
	memset(&q, 0, sizeof(q));
	r = parse_body(pkt, len, &q);
	if (r == DNS_OK || r == DNS_EBADNAME) {
		qlen = q.question_len;
		edns = q.edns;
		dnssec_ok = q.edns_do;
	} else if (get16(pkt + 4) == 1) {
		/* Malformed elsewhere: echo the question if it stands. */
		size_t off = DNS_HDR_LEN, tl;
		bool bad = false;

		if (!walk_name(pkt, len, &off, q.name, &tl, &bad) &&
		    len - off >= 4)
			qlen = off + 4 - DNS_HDR_LEN;
	}
	if (rcode > 0xf && !edns)
		return -EINVAL;

	rlen = DNS_HDR_LEN + qlen + (edns ? DNS_OPT_RR_LEN : 0);
	if (rlen > outlen)
		return -ENOSPC;
	memmove(out + DNS_HDR_LEN, pkt + DNS_HDR_LEN, qlen);
	put_header(out, id, flags, rcode, false, qlen ? 1 : 0, 0, edns ? 1 : 0);
	if (edns)
		put_opt(out + DNS_HDR_LEN + qlen, rcode, dnssec_ok);
	return (ssize_t)rlen;
}

ssize_t dns_fixup_forwarded(uint8_t *buf, size_t len, uint16_t id,
			    size_t max_size)
{
	uint16_t flags, qdcount;
	size_t off = DNS_HDR_LEN;
	bool qok = false;

	if (max_size < DNS_HDR_LEN)
		return -EINVAL;
	if (!buf || len < DNS_HDR_LEN || len > DNS_MAX_MSG)
		return -EBADMSG;
	flags = get16(buf + 2);
	qdcount = get16(buf + 4);
	if (!(flags & DNS_FLAG_QR) || DNS_OPCODE(flags) != DNS_OPCODE_QUERY ||
	    qdcount > 1)
		return -EBADMSG;

	put16(buf, id);
	if (len <= max_size)
		return (ssize_t)len;

	if (qdcount == 1 && !walk_name(buf, len, &off, NULL, NULL, NULL) &&
	    len - off >= 4 && off + 4 <= max_size) {
		off += 4;
		qok = true;
	} else {
		off = DNS_HDR_LEN;
	}
	put16(buf + 2, flags | DNS_FLAG_TC);
	put16(buf + 4, qok ? 1 : 0);
	put16(buf + 6, 0);
	put16(buf + 8, 0);
	put16(buf + 10, 0);
	return (ssize_t)off;
}

ssize_t dns_tcp_frame_len(const uint8_t *buf, size_t avail)
{
	uint16_t n;

	if (!buf || avail < 2)
		return 0;
	n = get16(buf);
	if (n < DNS_HDR_LEN)
		return -EBADMSG;
	return n;
}

int dns_tcp_frame_put(uint8_t *out, size_t outlen, size_t msglen)
{
	if (msglen > DNS_MAX_MSG)
		return -EMSGSIZE;
	if (!out || outlen < 2)
		return -ENOSPC;
	put16(out, (uint16_t)msglen);
	return 0;
}

const char *dns_type_name(uint16_t type)
{
	static __thread char buf[sizeof("TYPE65535")];

	switch (type) {
	case DNS_TYPE_A:	return "A";
	case DNS_TYPE_NS:	return "NS";
	case DNS_TYPE_CNAME:	return "CNAME";
	case DNS_TYPE_SOA:	return "SOA";
	case DNS_TYPE_PTR:	return "PTR";
	case DNS_TYPE_MX:	return "MX";
	case DNS_TYPE_TXT:	return "TXT";
	case DNS_TYPE_AAAA:	return "AAAA";
	case DNS_TYPE_SRV:	return "SRV";
	case DNS_TYPE_NAPTR:	return "NAPTR";
	case DNS_TYPE_OPT:	return "OPT";
	case DNS_TYPE_DS:	return "DS";
	case DNS_TYPE_RRSIG:	return "RRSIG";
	case DNS_TYPE_DNSKEY:	return "DNSKEY";
	case DNS_TYPE_SVCB:	return "SVCB";
	case DNS_TYPE_HTTPS:	return "HTTPS";
	case DNS_TYPE_IXFR:	return "IXFR";
	case DNS_TYPE_AXFR:	return "AXFR";
	case DNS_TYPE_ANY:	return "ANY";
	case DNS_TYPE_CAA:	return "CAA";
	}
	snprintf(buf, sizeof(buf), "TYPE%u", (unsigned int)type);
	return buf;
}

const char *dns_rcode_name(int rcode)
{
	static __thread char buf[sizeof("RCODE-2147483648")];

	switch (rcode) {
	case DNS_RCODE_NOERROR:		return "NOERROR";
	case DNS_RCODE_FORMERR:		return "FORMERR";
	case DNS_RCODE_SERVFAIL:	return "SERVFAIL";
	case DNS_RCODE_NXDOMAIN:	return "NXDOMAIN";
	case DNS_RCODE_NOTIMP:		return "NOTIMP";
	case DNS_RCODE_REFUSED:		return "REFUSED";
	case DNS_RCODE_BADVERS:		return "BADVERS";
	}
	snprintf(buf, sizeof(buf), "RCODE%d", rcode);
	return buf;
}
