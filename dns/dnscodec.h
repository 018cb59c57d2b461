/* dnscodec.h — bounds-checked DNS message codec for netbox's resolver.
 *
 * netbox answers every DNS query the sandbox makes (DESIGN.md, "The network
 * mechanism", point 4).  This codec is the only code that reads those
 * untrusted packets: it parses one query into a struct dns_query, builds the
 * replies netbox synthesises (fake A answers, PTR answers for fake addresses,
 * NXDOMAIN, NODATA, errors), fixes up answers relayed verbatim from
 * upstream, handles the 2-byte TCP length framing, and reads and writes the
 * reverse names of addresses (in-addr.arpa, ip6.arpa).  It never allocates
 * and never reads outside the buffer it is given; the event loop around it
 * lives elsewhere (the resolver server, dns/resolver.c and its parts).
 */
#ifndef NETBOX_DNSCODEC_H
#define NETBOX_DNSCODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DNS_HDR_LEN		12
#define DNS_MAX_NAME_WIRE	255	/* uncompressed wire form, RFC 1035 */
#define DNS_MAX_NAME_TEXT	253	/* presentation form, no trailing dot */
#define DNS_MAX_LABEL		63
#define DNS_MAX_MSG		65535	/* TCP limit; also the largest max_size */
#define DNS_UDP_PLAIN		512	/* max_size for UDP without EDNS0 */
#define DNS_EDNS_MIN		512	/* client EDNS sizes are clamped to this */
#define DNS_EDNS_MAX		4096	/*   ... and this */
#define DNS_EDNS_OURS		1232	/* the UDP size we advertise (DNS flag day 2020) */
#define DNS_MAX_PTR_CHAIN	16	/* compression pointers followed per name */

/* Header flag bits (the 16-bit word after the ID). */
#define DNS_FLAG_QR		0x8000
#define DNS_FLAG_AA		0x0400
#define DNS_FLAG_TC		0x0200
#define DNS_FLAG_RD		0x0100
#define DNS_FLAG_RA		0x0080
#define DNS_FLAG_AD		0x0020
#define DNS_FLAG_CD		0x0010
#define DNS_OPCODE(flags)	(((flags) >> 11) & 0xf)
#define DNS_RCODE(flags)	((flags) & 0xf)

#define DNS_OPCODE_QUERY	0

/* RCODEs.  Values above 15 need an OPT RR (extended RCODE). */
#define DNS_RCODE_NOERROR	0
#define DNS_RCODE_FORMERR	1
#define DNS_RCODE_SERVFAIL	2
#define DNS_RCODE_NXDOMAIN	3
#define DNS_RCODE_NOTIMP	4
#define DNS_RCODE_REFUSED	5
#define DNS_RCODE_BADVERS	16

/* TYPEs and CLASSes. */
#define DNS_TYPE_A		1
#define DNS_TYPE_NS		2
#define DNS_TYPE_CNAME		5
#define DNS_TYPE_SOA		6
#define DNS_TYPE_PTR		12
#define DNS_TYPE_MX		15
#define DNS_TYPE_TXT		16
#define DNS_TYPE_AAAA		28
#define DNS_TYPE_SRV		33
#define DNS_TYPE_NAPTR		35
#define DNS_TYPE_DS		43
#define DNS_TYPE_OPT		41
#define DNS_TYPE_RRSIG		46
#define DNS_TYPE_DNSKEY		48
#define DNS_TYPE_SVCB		64
#define DNS_TYPE_HTTPS		65
#define DNS_TYPE_IXFR		251
#define DNS_TYPE_AXFR		252
#define DNS_TYPE_ANY		255
#define DNS_TYPE_CAA		257

#define DNS_CLASS_IN		1
#define DNS_CLASS_CH		3
#define DNS_CLASS_ANY		255

/* dns_parse_query() results: what the caller must do with the packet. */
enum dns_parse_result {
	DNS_OK = 0,		/* a well-formed query: look at struct dns_query */
	DNS_EDROP = -1,		/* shorter than a header, or a response: send nothing */
	DNS_EFORMERR = -2,	/* malformed: dns_build_error(FORMERR) */
	DNS_ENOTIMP = -3,	/* opcode is not QUERY: dns_build_error(NOTIMP) */
	DNS_EBADNAME = -4,	/* a label with bytes we refuse: dns_build_error(REFUSED) */
};

/* One parsed query.  question points into the packet given to
 * dns_parse_query(), which must outlive the struct. */
struct dns_query {
	uint16_t id;
	uint16_t flags;		/* the raw header flags word (RD, CD, AD, ...) */
	uint8_t opcode;
	uint16_t qtype;
	uint16_t qclass;
	/* QNAME in presentation form: lowercase, no trailing dot, root = "".
	 * Every label byte is 0x21-0x7e and neither '.' nor '\\', so no escape
	 * is ever needed. */
	char name[DNS_MAX_NAME_TEXT + 1];
	size_t name_len;
	/* The question section exactly as sent (QNAME, QTYPE, QCLASS), so a
	 * reply echoes the client's 0x20 case randomisation. */
	const uint8_t *question;
	size_t question_len;
	/* EDNS0 (RFC 6891) */
	bool edns;		/* an OPT RR was present */
	uint16_t edns_udp_size;	/* its UDP payload size, clamped 512..4096 */
	uint8_t edns_version;	/* 0; anything else deserves BADVERS */
	bool edns_do;		/* the DNSSEC OK bit, echoed in replies */
};

/* An answer record built by netbox: owner is the question name. */
struct dns_rr {
	uint16_t type;		/* DNS_TYPE_A (4-byte addr) or DNS_TYPE_AAAA (16) */
	uint32_t ttl;
	uint8_t addr[16];	/* network byte order; A uses the first 4 bytes */
};

/* Parse the query in pkt[0..len).  Returns DNS_OK and fills *q, or one of
 * the DNS_E* results (then *q is unspecified).  Checked, in this order:
 * header present and QR clear (else DROP), opcode QUERY (else NOTIMP),
 * QDCOUNT 1, ANCOUNT and NSCOUNT 0, a well-formed question (label lengths,
 * compression pointers only strictly backwards, at most DNS_MAX_PTR_CHAIN,
 * name <= 255 wire bytes), additional records well-formed (at most one OPT,
 * with the root as owner and well-formed options; other records are skipped),
 * no trailing bytes (else FORMERR), and finally label contents (else
 * BADNAME). */
int dns_parse_query(const uint8_t *pkt, size_t len, struct dns_query *q);

/* The RCODE to answer a dns_parse_query() error with, or -1 for DNS_EDROP
 * (and for DNS_OK). */
int dns_parse_error_rcode(int parse_result);

/* Build a reply to q in out[0..outlen): header (QR, RA, opcode/RD/CD copied,
 * AA and AD clear, rcode), the question echoed byte for byte, the answers
 * (owner: pointer to the question name, class IN), and an OPT RR (UDP size
 * 1232, DO copied, no options) if the query had one.  rcode > 15 needs the
 * query to have had an OPT.  If the reply would exceed max_size (512 for
 * plain UDP, q->edns_udp_size for EDNS UDP, 65535 for TCP; larger values are
 * clamped to 65535) the answers are dropped and TC is set.  Returns the
 * length, or -EINVAL (bad rcode or answer type), -EMSGSIZE (max_size below
 * header+question+OPT) or -ENOSPC (outlen too small). */
ssize_t dns_build_reply(const struct dns_query *q, int rcode,
			const struct dns_rr *answers, size_t nanswers,
			uint8_t *out, size_t outlen, size_t max_size);

/* Build an error reply (FORMERR, NOTIMP, REFUSED, SERVFAIL, ...) to the query
 * in pkt[0..len), for queries dns_parse_query() did not accept.  Copies ID,
 * opcode, RD and CD; echoes the question if it is one well-formed question
 * (QDCOUNT 0 otherwise); adds an OPT RR only if the whole query parsed with
 * one.  The reply is at most 12 + 259 + 11 bytes, so it always fits 512.
 * Returns the length, -EINVAL (no header, a response, or rcode out of range)
 * or -ENOSPC. */
ssize_t dns_build_error(const uint8_t *pkt, size_t len, int rcode,
			uint8_t *out, size_t outlen);

/* Fix up an answer relayed from upstream in buf[0..len) for the client:
 * check it is a response (QR set, opcode QUERY, QDCOUNT <= 1), set the
 * client's id, and if len > max_size truncate it to header + question with TC
 * set and the other counts zeroed (header only, QDCOUNT 0, if the question
 * does not parse).  Returns the new length, or -EBADMSG (not a sane
 * response), -EINVAL (max_size < 12). */
ssize_t dns_fixup_forwarded(uint8_t *buf, size_t len, uint16_t id,
			    size_t max_size);

/* A reply to q carrying one PTR record (owner: the question name, class
 * IN) that names target, with the given TTL: otherwise as dns_build_reply()
 * (NOERROR, the question echoed, OPT if the query had one; TC and no answer
 * when the record does not fit max_size).  target is a name in presentation
 * form (labels of 1..63 bytes, '.' between them, one trailing '.' allowed,
 * at most 255 bytes on the wire, not the root).  Returns the length, or
 * -EINVAL (bad target or query), -EMSGSIZE, -ENOSPC as dns_build_reply(). */
ssize_t dns_build_ptr_reply(const struct dns_query *q, const char *target, uint32_t ttl,
			    uint8_t *out, size_t outlen, size_t max_size);

/* Reverse-mapping names (RFC 1035 3.5 "in-addr.arpa", RFC 3596 2.5
 * "ip6.arpa"), in the presentation form struct dns_query.name uses (no
 * trailing dot).  The longest is the ip6.arpa one: 32 nibbles, 72 chars. */
#define DNS_PTR_NAME_MAX	(32 * 2 + sizeof("ip6.arpa"))	/* with the NUL */

/* The address whose complete reverse name is @name: four decimal labels
 * 0..255 without leading zeros then "in-addr.arpa" give 4 bytes, 32
 * one-hex-digit labels then "ip6.arpa" give 16, into addr[] in network
 * byte order (the name lists them least significant first).  Letters may
 * be of either case.  Returns 4 or 16, or -EINVAL for every other name:
 * partial (zone) names such as "19.198.in-addr.arpa", extra labels, empty
 * labels, leading zeros ("01"), octets over 255, non-hex nibbles, a
 * trailing dot. */
int dns_ptr_name_parse(const char *name, uint8_t addr[16]);

/* The reverse name of the @addrlen-byte address @addr (4: in-addr.arpa, 16:
 * ip6.arpa), lowercase and NUL-terminated in out[0..outlen).  Returns its
 * length without the NUL, or -EINVAL (another addrlen) or -ENOSPC.  For
 * every address, dns_ptr_name_parse() of the result gives it back; for every
 * name dns_ptr_name_parse() accepts, this gives the name back up to case. */
ssize_t dns_ptr_name_make(const uint8_t *addr, size_t addrlen, char *out, size_t outlen);

/* TCP framing (RFC 1035 4.2.2): a 2-byte big-endian length before each
 * message.  dns_tcp_frame_len() returns 0 while fewer than 2 bytes are in
 * buf[0..avail), -EBADMSG if the prefix announces less than a DNS header,
 * else the message length (12..65535, without the prefix); the message is
 * complete once avail >= 2 + that length. */
ssize_t dns_tcp_frame_len(const uint8_t *buf, size_t avail);
/* Write the prefix for a msglen-byte message.  0, -EMSGSIZE or -ENOSPC. */
int dns_tcp_frame_put(uint8_t *out, size_t outlen, size_t msglen);

/* Names for logs.  Unknown types come out as "TYPE65280" (RFC 3597) in a
 * per-thread buffer valid until the next call; unknown rcodes as "RCODE23". */
const char *dns_type_name(uint16_t type);
const char *dns_rcode_name(int rcode);

#endif
