/* policy.h — netbox's network policy: the --allow/--deny rules (from the
 * command line and profiles) and every network decision made on them.
 *
 * Sources: policy/policy.c (rule tables, decisions, reporting), parse.c (the
 * rule language), request.c (request rules: inspection, each request's
 * verdict), name.c (host name normalisation, punycode), addr.c
 * (address classes, sockaddr conversion), suggest.c (the fix for a denial:
 * the shipped profile or the --allow that allows it).  Users: the launcher
 * builds the policy and asks which ports to listen on; dns/ asks whether a
 * name may be resolved; netproxy/ decides every connection; the supervisor
 * asks for the fix of a denial.
 *
 * Rule language (one rule per policy_add() call; spec = "[METHODS ]TARGET",
 * TARGET = "PATTERN[:PORTS]" or a URL):
 *   example.com      the domain and all its subdomains (as NO_PROXY does)
 *   =example.com     exactly that name
 *   *.example.com    subdomains only, at any depth (not example.com itself)
 *   192.0.2.1        an IPv4 address
 *   2001:db8::1      an IPv6 address; without brackets it has NO port part
 *   [2001:db8::1]    the same; brackets are required before ":PORTS"
 *   10.0.0.0/8       a CIDR (host bits set is an error); IPv6 CIDRs as
 *                    2001:db8::/32 or [2001:db8::/32]:443
 *   *                every name and every PUBLIC address
 *   PORTS            443 | 80,443 | 8000-8100 | * (1-65535); omitted: 80,443
 *
 * Request rules (HTTP: methods and paths on a host), for host names only:
 *   METHODS          GET,HEAD: HTTP method tokens separated by commas,
 *                    compared case-sensitively (lower case is refused), or
 *                    '*' for any; a blank (or several) before TARGET
 *   https://PATTERN[:PORT]/PATH   port 443 unless given (one port);
 *   http://PATTERN[:PORT]/PATH    port 80 unless given.  PATTERN as above
 *                    (a host name: no address, no '*'); no user@, no
 *                    query, no fragment.  The scheme gives the port only.
 *   PATH             a glob on the request's path (escapes kept, query
 *                    excluded): '*' any run of characters but '/', '**'
 *                    any run ('/', '**', '/' also matches one '/'); ending
 *                    in '/' it matches that prefix (as if followed by
 *                    '**'); else the whole path.  "/" or none:
 *                    every path.  Compared after decoding %XX of unreserved
 *                    characters only (%2F stays distinct from '/'); a path
 *                    with a dot segment never matches an allow rule
 *                    (request.c says which paths are refused so).
 *   GET,HEAD registry.npmjs.org        any path, ports 80 and 443
 *   GET,HEAD https://registry.npmjs.org/   any path, port 443
 *   POST https://github.com/OWNER/REPO/git-upload-pack   with '*' for
 *                    OWNER and for REPO: every repository's fetch
 * A rule naming any method and every path is a plain rule: '* example.com'
 * is 'example.com', 'https://example.com/' is 'example.com:443'.
 *
 * Names: compared case-insensitively, without the trailing dot, in IDNA
 * (punycode) form — see policy_name_normalize().
 *
 * Addresses: a struct in6_addr everywhere; an IPv4 address is carried as
 * the IPv4-mapped ::ffff:a.b.c.d (policy_addr_from_sockaddr() makes it so).
 * An IPv4 destination is matched only by IPv4 rules (and IPv6 rules inside
 * ::ffff:0:0/96); a /0 (0.0.0.0/0, ::/0, ::ffff:0:0/96) behaves like '*'
 * and matches only PUBLIC addresses.
 *
 * Verdicts: deny wins.  If a deny rule matches (pattern and port), DENY with
 * that rule; else if an allow rule matches, ALLOW with that rule; else DENY
 * with no rule.  When several rules match, the one reported is the most
 * specific (longest matching name or prefix, '*' last), then the latest
 * added: the launcher adds a profile's rules before the command line's, so
 * `--allow x` is credited, not the profile's `allow x` (as for paths, the
 * later option wins).  Which rule is reported never changes a verdict.
 *
 * Requests: an allow request rule allows the connection like a plain rule
 * (DNS, ports, policy_decide_name()); a deny request rule never refuses a
 * connection, only requests.  A connection is inspected (policy_inspects())
 * when allowed and either no plain rule allows it whole (an allow request
 * rule does) or a deny request rule names it — so that a deny request rule
 * is never silently moot under a plain allow.  On an inspected connection a
 * request is allowed iff an allow rule matches it (a plain one matches
 * every safe request) and no deny rule does; credited as above.
 *
 * Decisions never allocate and never modify the policy: a built policy may
 * be read from several threads.  Their cost does not grow with the number
 * of rules (hash tables keyed by name and by prefix).  The library never
 * exits: bad input gives -1 and a message.
 */
#ifndef NETBOX_POLICY_H
#define NETBOX_POLICY_H

#include "bitmap.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct policy;
struct policy_rule;

/* Room for a normalised name and its NUL (names are at most 253 bytes). */
#define POLICY_NAME_MAX 254
/* Room for policy_addr_str()'s text and its NUL. */
#define POLICY_ADDR_STRLEN INET6_ADDRSTRLEN
/* Bytes of the bitmap policy_listen_ports() fills: one bit per port. */
#define POLICY_PORT_BITMAP_SIZE BITMAP_BYTES(65536)

enum policy_verdict {
	POLICY_DENY = 0,           /* a deny rule matched, or no rule did */
	POLICY_ALLOW = 1,
	/* policy_decide_resolved() only: the name is allowed but its address
	 * is of a class the rules do not reach (loopback, link-local, ...,
	 * or private under '*'); policy_addr_class() says which. */
	POLICY_DENY_ADDR_CLASS = 2,
};

enum policy_addr_class {
	POLICY_ADDR_PUBLIC,       /* everything else, including documentation ranges */
	POLICY_ADDR_PRIVATE,      /* 10/8 172.16/12 192.168/16 100.64/10 198.18/15 fc00::/7 fec0::/10 */
	POLICY_ADDR_LOOPBACK,     /* 127/8 ::1 */
	POLICY_ADDR_LINKLOCAL,    /* 169.254/16 fe80::/10 */
	POLICY_ADDR_UNSPECIFIED,  /* 0/8 :: */
	POLICY_ADDR_MULTICAST,    /* 224/4 ff00::/8 */
	POLICY_ADDR_RESERVED,     /* 240/4, including 255.255.255.255 */
};

/* ---- building and inspecting a policy ---------------------------------- */

/* An empty policy, or NULL when memory runs out. */
struct policy *policy_new(void);
void policy_free(struct policy *p);

/* Add one rule.  @spec is "PATTERN[:PORTS]" as the user wrote it, kept for
 * reports; @origin says where it came from ("command line",
 * "npm.profile:3"; NULL = "").  Returns 0, or -1 with @err (if not NULL)
 * set to "bad rule 'SPEC': <what> — <how to fix>" (or "... out of memory
 * ..."); the policy is then unchanged.  Never exits: the supervisor builds
 * policies at run time too (suggest.c). */
int policy_add(struct policy *p, bool allow, const char *spec, const char *origin,
	       char *err, size_t errlen);

/* Number of rules added. */
size_t policy_count(const struct policy *p);

/* Call @cb for every rule in the order they were added.  A non-zero return
 * from @cb stops the walk and is returned; otherwise 0. */
typedef int (*policy_rule_cb)(const struct policy_rule *r, void *arg);
int policy_foreach_rule(const struct policy *p, policy_rule_cb cb, void *arg);

/* The rule as written ("example.com:443"), where it came from, and
 * whether it allows (true) or denies. */
const char *policy_rule_text(const struct policy_rule *r);
const char *policy_rule_origin(const struct policy_rule *r);
bool policy_rule_is_allow(const struct policy_rule *r);
/* Does @r name methods or a path?  Its methods as written ("GET,HEAD"; "*"
 * for any); its path glob as matched, for --check: "/-/v1/login"; a path
 * written with a final '/' has '**' appended; every path is '/' then '**'. */
bool policy_rule_is_request(const struct policy_rule *r);
const char *policy_rule_methods(const struct policy_rule *r);
const char *policy_rule_path(const struct policy_rule *r);
/* Is @r a catch-all: '*' (also --learn's '*:*'), or a whole top-level
 * domain ('com', '*.com': one label), which allows names anyone can
 * register without naming a host?  A name it alone allows may be the
 * program's own, DNS and all: its resolution is never left to an upstream
 * proxy (dns/query.c, netproxy/proxy_via.c).  False for NULL, for '=com',
 * for every pattern of two labels or more ('*.example.com', 'co.uk': no
 * public suffix list) and for address rules (a /0 included). */
bool policy_rule_is_catchall(const struct policy_rule *r);

/* ---- decisions ---------------------------------------------------------- */

/* A connection to host @name (normalised: policy_name_normalize()) on
 * @port.  Name and '*' rules apply; IP/CIDR rules do not.  *rule (if @rule
 * is not NULL) is set to the deciding rule, or NULL when no rule matched.
 * An over-long or unnormalised name simply matches nothing but '*'. */
enum policy_verdict policy_decide_name(const struct policy *p, const char *name, uint16_t port,
				       const struct policy_rule **rule);

/* A connection to the raw address @addr on @port (no name known).  Only
 * IP/CIDR rules match, and '*' (or a /0) only if @addr is PUBLIC.  Deny
 * rules also catch an IPv4 address hidden in an IPv4-compatible, NAT64 or
 * 6to4 address (deny 127.0.0.0/8 denies 64:ff9b::7f00:1); allow rules
 * match the address as it is. */
enum policy_verdict policy_decide_addr(const struct policy *p, const struct in6_addr *addr,
				       uint16_t port, const struct policy_rule **rule);

/* A connection to host @name whose real address (resolved by netbox) is
 * @addr.  ALLOW iff the name is allowed on @port, no deny rule matches
 * @addr (as in policy_decide_addr()), and @addr is PUBLIC, or PRIVATE with
 * the name allowed by a rule other than '*', or contained in an allow
 * IP/CIDR rule (not a /0) for @port.  *rule is then the name rule, or the
 * IP/CIDR rule that let a non-public address through.  Otherwise DENY
 * (*rule: the deny rule or NULL) or POLICY_DENY_ADDR_CLASS (*rule: the
 * allow rule that matched the name), so the caller can say "evil.test
 * resolves to loopback address 127.0.0.1". */
enum policy_verdict policy_decide_resolved(const struct policy *p, const char *name,
					   const struct in6_addr *addr, uint16_t port,
					   const struct policy_rule **rule);

/* May a DNS question for @name (normalised) be answered?  True iff
 * policy_decide_name() would allow @name on at least one port: with
 * "--allow '*:*' --deny evil.com" evil.com still resolves (port 22 is
 * allowed), with "--deny evil.com:*" it does not. */
bool policy_name_may_resolve(const struct policy *p, const char *name);
/* The same, and *rule (if @rule is not NULL) is the rule that decided: the
 * allow rule matching @name (most specific, then latest added) when true,
 * the deny rule when false, or NULL when no rule names it. */
bool policy_name_may_resolve_rule(const struct policy *p, const char *name,
				  const struct policy_rule **rule);

/* Clear @bitmap, then set the bit of every port an allow rule names:
 * listed ports, ranges expanded, and 80 and 443 for rules without ports.
 * Port N is bit (N % 8) of byte N / 8.  '*' ports are not expanded; instead
 * *any_port (if not NULL) tells whether some allow rule has them. */
void policy_listen_ports(const struct policy *p, uint8_t bitmap[POLICY_PORT_BITMAP_SIZE],
			 bool *any_port);

/* ---- requests (HTTP rules: issue 13) ------------------------------------- */

/* Does any rule name methods or a path (a request rule)?  Only such runs
 * make a CA and inspect. */
bool policy_has_request_rules(const struct policy *p);
/* Must connections to @name (normalised) on @port be inspected?  True iff
 * the connection is allowed (no plain deny rule matches, an allow rule
 * does) and either no plain allow rule allows it whole (so an allow request
 * rule does) or a deny request rule matches @name:@port.  False for every
 * name when policy_has_request_rules() is false: the fast path. */
bool policy_inspects(const struct policy *p, const char *name, uint16_t port);
/* One request on an inspected connection to @name:@port: @method as sent
 * (compared case-sensitively), @path the request's path as sent (escapes
 * kept, without the query: a '?' ends it; "*" for OPTIONS *, "" for
 * CONNECT, which only rules without a path match).  DENY with the rule
 * when a plain deny rule matches @name:@port, or a deny request rule
 * matches the request; else ALLOW with the first allow rule (plain or
 * request; most specific, then latest) matching it; else DENY with NULL.
 * A path policy_request_path_unsafe() refuses matches no allow rule and
 * every deny rule (of its methods). */
enum policy_verdict policy_decide_request(const struct policy *p, const char *name,
					  uint16_t port, const char *method, const char *path,
					  const struct policy_rule **rule);

/* NULL if @path (a request's, as for policy_decide_request()) is one the
 * rules can judge; else why it is refused whatever the rules say, for the
 * refusal's text: "the path has a '.' or '..' segment" (also behind a ';',
 * %2F, %5C or '\', which some servers read as '/'), a malformed escape, a
 * control, blank or non-ASCII byte, over 8 KiB, not a path. */
const char *policy_request_path_unsafe(const char *path);

/* "allow", "deny", "deny-addr-class". */
const char *policy_verdict_name(enum policy_verdict v);

/* ---- the fix for a denial (suggest.c) ------------------------------------ */

/* The fix for the denied @name (as asked; normalised here) on @port (0: a
 * DNS question), into @out of @len bytes: when shipped profiles (profiles/,
 * compiled in) allow it, "the yarn profile allows it: --profile yarn" or
 * "the npm, pnpm and yarn profiles allow it: --profile npm" (profiles that
 * include another, npx, pip3 and npm-publish, are not named: the one they
 * extend is); else "--allow NAME" (DNS) or "--allow NAME:PORT".  A profile
 * allows a name when it allows its connections, by request rules too.  False when none can be told: an invalid
 * name, @out too small.  The first call builds the shipped profiles'
 * policies; if memory runs out meanwhile there is no profile to name (the
 * next call tries again).  Not thread-safe. */
bool policy_suggest(const char *name, uint16_t port, char *out, size_t len);

/* policy_suggest() for a denial under @run, the run's policy: false when
 * @run allows @name on @port (it was refused for another reason: its SNI,
 * its address's class) or a deny rule of @run refused it (the user's
 * choice, and deny wins over any --allow). */
bool policy_suggest_denied(const struct policy *run, const char *name, uint16_t port, char *out,
			   size_t len);

/* Does netbox ship a profile @name with network rules (npm, npx, yarn,
 * pip, ...; not default)?  A compiled-in list: no file is read. */
bool policy_suggest_shipped(const char *name);

/* ---- names -------------------------------------------------------------- */

/* Normalise a host name, from a rule or from the wire (DNS question, SNI,
 * Host header): lower case, one trailing dot dropped, each label with
 * non-ASCII characters converted to IDNA "xn--" form (punycode, RFC 3492)
 * of its lower-cased form.  Labels are separated by '.' (and the IDNA dots
 * U+3002, U+FF0E, U+FF61).  The result has labels of 1-63 bytes made of
 * [a-z0-9-_], at most 253 bytes in all.  Returns 0, or -1 for an invalid
 * name (bad UTF-8, empty label, bad character, too long) or when @outlen is
 * too small (POLICY_NAME_MAX always suffices).  @in and @out may be the
 * same buffer.
 *
 * Limits (not a full UTS #46): lower-casing covers ASCII, Latin-1
 * Supplement, Latin Extended-A, Greek and Cyrillic (İ becomes i + U+0307,
 * ß and final sigma are kept); other scripts are taken as they are.  No
 * Unicode normalisation (NFC), no bidi or contextual rules; fullwidth
 * forms are not mapped to ASCII.  Invisible and spacing characters (C1
 * controls, NBSP, soft hyphen, zero-width and bidi controls, private use,
 * noncharacters) are refused. */
int policy_name_normalize(const char *in, char *out, size_t outlen);

/* ---- addresses ---------------------------------------------------------- */

/* The class of @addr.  IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96
 * except :: and ::1), NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4
 * (2002::/16) addresses have the class of the IPv4 address inside. */
enum policy_addr_class policy_addr_class(const struct in6_addr *addr);
/* "public", "private", "loopback", "link-local", "unspecified",
 * "multicast", "reserved". */
const char *policy_addr_class_name(enum policy_addr_class c);

/* AF_INET or AF_INET6 @sa (of @len bytes) -> @addr (IPv4 mapped) and, if
 * @port is not NULL, its port in host order.  0, or -1 for another family
 * or a short @len. */
int policy_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct in6_addr *addr,
			      uint16_t *port);
/* @addr and @port -> an AF_INET (IPv4-mapped @addr) or AF_INET6 sockaddr in
 * @ss, its length in *len. */
void policy_addr_to_sockaddr(const struct in6_addr *addr, uint16_t port,
			     struct sockaddr_storage *ss, socklen_t *len);
/* Printable @addr ("192.0.2.1" for a mapped address, "2001:db8::1"), in
 * @buf of @len bytes (POLICY_ADDR_STRLEN suffices); returns @buf. */
const char *policy_addr_str(const struct in6_addr *addr, char *buf, size_t len);
/* "192.0.2.1" or "2001:db8::1" (no brackets, no port) -> @addr.  0 / -1. */
int policy_addr_parse(const char *s, struct in6_addr *addr);
/* IPv4 <-> mapped.  policy_addr_to_v4() returns false if @addr is not
 * IPv4-mapped. */
void policy_addr_from_v4(struct in_addr v4, struct in6_addr *addr);
bool policy_addr_to_v4(const struct in6_addr *addr, struct in_addr *v4);

#endif
