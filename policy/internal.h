/* internal.h — what the files of policy/ share and nobody else sees: the
 * parsed rule, the name lookup of policy.c that request.c walks too, and
 * helpers of name.c, addr.c and parse.c.  The public API is policy.h.
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

/* The chains a table slot keeps, latest added first.  A deny request rule
 * has a chain of its own: it refuses requests, never a connection, so the
 * connection decisions never walk it. */
enum rule_chain {
	CHAIN_DENY,          /* plain deny rules */
	CHAIN_ALLOW,         /* allow rules, plain and request */
	CHAIN_DENY_REQUEST,  /* deny rules naming methods or a path */
	CHAIN_COUNT,
};

struct policy_rule {
	char *text;              /* as written */
	char *origin;
	bool allow;
	enum rule_kind kind;
	/* Request rules (name rules only): methods or a path named.  A rule
	 * naming any method and every path is plain, whatever its form. */
	bool request;
	char *methods;           /* "GET,HEAD" (tokens, checked); NULL: any */
	char *path;              /* the path glob, normalised as request paths
				  * are (policy_request_path()), '**' after a
				  * final '/'; NULL: any target */
	bool all_ports;          /* ":*" */
	size_t nports;           /* else: sorted, merged, disjoint ranges */
	struct port_range *ports;
	char *name;              /* name rules: the normalised domain */
	struct in6_addr net;     /* RULE_NET: the network, IPv4 mapped */
	unsigned plen;           /* RULE_NET: prefix length of @net in 128 bits */
	bool net_any;            /* RULE_NET: a /0 as written: public only */
	struct policy_rule *next; /* same table key and verdict, latest added first */
};

/* The chain @r is filed in. */
static inline enum rule_chain policy_rule_chain(const struct policy_rule *r)
{
	return r->allow ? CHAIN_ALLOW : r->request ? CHAIN_DENY_REQUEST : CHAIN_DENY;
}

/* ---- policy.c: the name table, for request.c ---------------------------- */

struct name_entry;

/* A table slot holding rules for a suffix of the name looked up. */
struct name_hit {
	const struct name_entry *slot;
	bool apex; /* the slot's key is the whole name, not a parent domain */
};

/* The slots of @name's suffixes, longest first; their number.  A name too
 * long to be normalised has none. */
size_t policy_name_hits(const struct policy *p, const char *name,
			struct name_hit hits[POLICY_NAME_MAX]);

/* Walks the rules of one chain matching a name (ports not checked): the
 * hits' chains in order (most specific name first, latest added first),
 * then, with @with_any, the '*' rules of the chain. */
struct name_iter {
	const struct policy *p;
	const struct name_hit *hits;
	size_t nhits, c;               /* current chain; c == nhits: '*' */
	const struct policy_rule *r;   /* next candidate in it */
	enum rule_chain chain;
	bool with_any;
};
void policy_name_iter_init(struct name_iter *it, const struct policy *p,
			   const struct name_hit *hits, size_t nhits, enum rule_chain chain,
			   bool with_any);
const struct policy_rule *policy_name_iter_next(struct name_iter *it);

/* ---- parse.c ---------------------------------------------------------------- */

/* the ports of a rule that names none */
extern const struct port_range policy_default_ports[2];

/* parse.c: fill @r (zeroed by the caller) from @spec, or return -1 with
 * the message in @err.  Owns nothing of @spec. */
int policy_rule_parse(struct policy_rule *r, const char *spec, char *err, size_t errlen);
/* Free what policy_rule_parse() allocated in @r. */
void policy_rule_release(struct policy_rule *r);
/* Does @r cover @port? */
bool policy_rule_port_match(const struct policy_rule *r, uint16_t port);

/* ---- request.c ------------------------------------------------------------ */

/* Room for a request path, normalised, and its NUL: longer ones match no
 * rule with a path (the proxy's parser takes request lines of 8 KiB). */
#define POLICY_PATH_MAX 8192
/* Rule paths (globs) longer than this are refused: matching costs their
 * length times the request path's. */
#define POLICY_GLOB_MAX 1024

/* What a request's path is to the rules. */
enum request_path {
	PATH_CLEAN,  /* an origin-form path, normalised */
	PATH_OTHER,  /* "*" (OPTIONS) or "" (CONNECT): only rules without a path match it */
	PATH_UNSAFE, /* a dot segment, a bad escape, a control byte, too long:
		      * no allow rule matches it, every deny rule does */
};

/* The escape %XX at @s (two hex digits follow the '%'), written at @out:
 * the character it encodes if unreserved (ALPHA DIGIT - . _ ~), else the
 * escape with its digits upper-cased.  Returns the bytes written, 1 or 3. */
size_t policy_request_unescape(const char *s, char *out);
/* Is the segment [s, s+len) (unescaped) "." or "..", alone or before a
 * ';' (servers that take "..;" for ".." exist)? */
bool policy_request_dot_segment(const char *s, size_t len);
/* Has the normalised path @s such a segment, between '/', '\', %2F or
 * %5C (servers that split at those exist too)? */
bool policy_request_has_dot_segment(const char *s);
/* Normalise the request path @in (escapes kept, no query; a '?' ends it)
 * into @out (POLICY_PATH_MAX bytes): %XX of unreserved characters decoded,
 * the hex digits of the others upper-cased.  Says which kind it is; @out
 * is set only for PATH_CLEAN, *@why (if @why is not NULL) only for
 * PATH_UNSAFE: the reason, a static string. */
enum request_path policy_request_path(const char *in, char out[POLICY_PATH_MAX],
				      const char **why);
/* Does @glob (a rule's normalised path) match the normalised @path? */
bool policy_request_glob(const char *glob, const char *path);
/* Does @r (a rule of any kind) match the request: @method in its methods,
 * the path @kind / @path (normalised) matched by its glob?  Ports and names
 * are the caller's. */
bool policy_request_match(const struct policy_rule *r, const char *method,
			  enum request_path kind, const char *path);

/* ---- name.c ----------------------------------------------------------------- */

/* policy_name_normalize() with the reason of a failure: what is
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

/* ---- addr.c ----------------------------------------------------------------- */

/* Is @a inside @prefix/@plen (plen 0-128)? */
bool policy_addr_in_prefix(const struct in6_addr *a, const struct in6_addr *prefix, unsigned plen);
/* @a with every bit after the first @plen cleared. */
void policy_addr_mask(const struct in6_addr *a, unsigned plen, struct in6_addr *out);
/* If @a carries an IPv4 address (IPv4-compatible, NAT64, 6to4 — not
 * IPv4-mapped, which is the IPv4 form itself), set @v4 to it (mapped) and
 * return true. */
bool policy_addr_embedded_v4(const struct in6_addr *a, struct in6_addr *v4);

#endif
