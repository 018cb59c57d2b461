/* internal.h — what the files of policy/ share and nobody else sees: the
 * parsed rule, and helpers of name.c, addr.c and parse.c used by policy.c.
 * The public API is policy.h.
 */
#ifndef NETBOX_POLICY_INTERNAL_H
#define NETBOX_POLICY_INTERNAL_H

#include "policy/policy.h"
#include "util.h"

/* Names have at most 253 bytes, so at most 127 labels. */
#define POLICY_MAX_LABELS 127

enum rule_kind {
	RULE_DOMAIN,     /* example.com: the name and its subdomains */
	RULE_EXACT,      /* =example.com */
	RULE_SUBDOMAINS, /* *.example.com */
	RULE_NET,        /* an address or CIDR */
	RULE_ANY,        /* * */
	RULE_NKINDS,
};

struct port_range {
	uint16_t lo, hi;
};

struct policy_rule {
	char *text;              /* as written */
	char *origin;
	bool allow;
	enum rule_kind kind;
	bool all_ports;          /* ":*" */
	size_t nports;           /* else: sorted, merged, disjoint ranges */
	struct port_range *ports;
	char *name;              /* name rules: the normalised domain */
	struct in6_addr net;     /* RULE_NET: the network, IPv4 mapped */
	unsigned plen;           /* RULE_NET: prefix length of @net in 128 bits */
	bool net_any;            /* RULE_NET: a /0 as written: public only */
	struct policy_rule *next; /* same table key and verdict, latest added first */
};

/* parse.c: the ports of a rule that names none */
extern const struct port_range policy_default_ports[2];

/* parse.c: fill @r (zeroed by the caller) from @spec, or return -1 with
 * the message in @err.  Owns nothing of @spec. */
int policy_rule_parse(struct policy_rule *r, const char *spec, char *err, size_t errlen);
/* Free what policy_rule_parse() allocated in @r. */
void policy_rule_release(struct policy_rule *r);
/* Does @r cover @port? */
bool policy_rule_port_match(const struct policy_rule *r, uint16_t port);

/* name.c: policy_name_normalize() with the reason of a failure: what is
 * wrong and how to fix it (static strings), and the offending character
 * (0 if none). */
struct name_error {
	const char *what, *fix;
	uint32_t cp;
};
int policy_name_check(const char *in, char *out, size_t outlen, struct name_error *e);
/* The same without its ASCII fast path (for fuzz_policy.c to compare). */
int policy_name_check_slow(const char *in, char *out, size_t outlen, struct name_error *e);
/* Decode the UTF-8 code point at *pp (NUL-terminated) and advance; -1 if
 * invalid (overlong, surrogate, above U+10FFFF, truncated). */
int policy_utf8_next(const unsigned char **pp, uint32_t *cp);
/* Is @c (non-ASCII) an invisible, spacing, control or private-use
 * character, refused in names? */
bool policy_char_invisible(uint32_t c);

/* addr.c */
/* Is @a inside @prefix/@plen (plen 0-128)? */
bool policy_addr_in_prefix(const struct in6_addr *a, const struct in6_addr *prefix, unsigned plen);
/* @a with every bit after the first @plen cleared. */
void policy_addr_mask(const struct in6_addr *a, unsigned plen, struct in6_addr *out);
/* If @a carries an IPv4 address (IPv4-compatible, NAT64, 6to4 — not
 * IPv4-mapped, which is the IPv4 form itself), set @v4 to it (mapped) and
 * return true. */
bool policy_addr_embedded_v4(const struct in6_addr *a, struct in6_addr *v4);

#endif
