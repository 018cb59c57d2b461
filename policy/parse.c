/* parse.c — the rule language of the policy (policy/): one
 * "[METHODS ]TARGET" spec to a struct policy_rule, or an error message
 * "bad rule 'SPEC': <what> — <how to fix>".  policy.c files the result.
 * Runs in netbox (options, profiles) and in the supervisor (suggest.c).
 *
 * METHODS is the first blank-separated word when it looks like methods
 * (upper case, commas, or a method's name in any case, or '*'); otherwise
 * the spec is one TARGET, so that "exa mple.com" is still a bad host name.
 * TARGET is a URL (http:// or https://: one host name, one port, a path
 * glob) or PATTERN[:PORTS].  For PATTERN[:PORTS], the order of the checks:
 * brackets ([IPv6]:PORTS), then an unbracketed IPv6 address or CIDR (two
 * colons or more: no port part), then PATTERN:PORTS split at the last
 * colon; the pattern is '*', an IPv4 address or CIDR, or a host name with
 * an optional '=' or '*.' in front.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

#define FIX_PATTERN "give a host name (example.com, =example.com, *.example.com), an IP address, a CIDR or '*'"
#define FIX_PORTS "write a port (443), a list (80,443), a range (8000-8100) or '*'"
#define FIX_REQUEST_HOST "request rules name hosts: write a host name (example.com, =example.com, *.example.com), or drop the methods and path to allow an address or '*' whole"
#define FIX_METHODS "write methods as GET,HEAD (upper case, separated by commas, no blanks) or '*' for any"

/* The spec as shown in messages: what fits in @outlen (at least 16), then
 * "..."; control bytes and invalid UTF-8 as '?', invisible characters as
 * <U+XXXX>. */
static void spec_quote(const char *spec, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)spec;
	size_t o = 0, limit = outlen > 16 ? outlen - 16 : 0; /* room: <U+10FFFF>... */

	if (outlen == 0)
		return;
	while (*s) {
		const unsigned char *start = s;
		uint32_t c;

		if (o >= limit) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (policy_utf8_next(&s, &c) < 0) {
			out[o++] = '?';
			s = start + 1;
		} else if (c < 0x20 || c == 0x7f) {
			out[o++] = '?';
		} else if (c >= 0x80 && policy_char_invisible(c)) {
			o += (size_t)snprintf(out + o, outlen - o, "<U+%04X>", (unsigned)c);
		} else {
			memcpy(out + o, start, (size_t)(s - start));
			o += (size_t)(s - start);
		}
	}
	out[o] = '\0';
}

/* "bad rule 'SPEC': WHAT — FIX"; returns -1. */
PRINTF(5, 6)
static int fail(char *err, size_t errlen, const char *spec, const char *fix, const char *fmt, ...)
{
	char what[256], quoted[128];
	va_list ap;

	if (!err || errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	spec_quote(spec, quoted, sizeof(quoted));
	snprintf(err, errlen, "bad rule '%s': %s — %s", quoted, what, fix);
	return -1;
}

/* ---- ports -------------------------------------------------------------- */

/* A decimal port 1-65535 in [s, e). */
static int parse_port(const char *s, const char *e, uint16_t *port, const char *spec,
		      char *err, size_t errlen)
{
	unsigned long v = 0;

	if (s == e)
		return fail(err, errlen, spec, "separate ports with single commas, as in 80,443",
			    "empty item in the port list");
	for (const char *c = s; c < e; c++) {
		if (*c < '0' || *c > '9')
			return fail(err, errlen, spec, FIX_PORTS, "'%.*s' is not a port number",
				    (int)(e - s > 20 ? 20 : e - s), s);
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*c - '0');
	}
	if (v == 0)
		return fail(err, errlen, spec, "ports are 1-65535", "port 0 is not a port");
	if (v > 65535)
		return fail(err, errlen, spec, "ports are 1-65535", "port '%.*s' is out of range",
			    (int)(e - s > 20 ? 20 : e - s), s);
	*port = (uint16_t)v;
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct port_range *x = a, *y = b;

	return (int)x->lo - (int)y->lo;
}

/* Sort and merge overlapping or adjacent ranges. */
static void ranges_normalise(struct policy_rule *r)
{
	size_t o = 0;

	qsort(r->ports, r->nports, sizeof(r->ports[0]), range_cmp);
	for (size_t i = 0; i < r->nports; i++) {
		if (o > 0 && (unsigned)r->ports[i].lo <= (unsigned)r->ports[o - 1].hi + 1) {
			if (r->ports[i].hi > r->ports[o - 1].hi)
				r->ports[o - 1].hi = r->ports[i].hi;
			continue;
		}
		r->ports[o++] = r->ports[i];
	}
	r->nports = o;
}

const struct port_range policy_default_ports[2] = { { 80, 80 }, { 443, 443 } };

static int parse_ports(struct policy_rule *r, const char *ports, const char *spec, char *err,
		       size_t errlen)
{
	size_t n = 1;

	if (!ports) {
		/* the common case: shared, never freed (policy_rule_release) */
		r->ports = (struct port_range *)policy_default_ports;
		r->nports = 2;
		return 0;
	}
	if (!*ports)
		return fail(err, errlen, spec, FIX_PORTS ", or leave out ':' for ports 80 and 443",
			    "no port after ':'");
	if (strcmp(ports, "*") == 0) {
		r->all_ports = true;
		return 0;
	}
	for (const char *c = ports; *c; c++)
		n += *c == ',';
	r->ports = calloc(n, sizeof(*r->ports));
	if (!r->ports)
		return fail(err, errlen, spec, "free some memory", "out of memory");
	for (const char *s = ports;;) {
		const char *e = s + strcspn(s, ","), *dash = memchr(s, '-', (size_t)(e - s));
		struct port_range pr;

		if (dash) {
			if (dash == s || dash + 1 == e)
				return fail(err, errlen, spec, "write a range as 8000-8100",
					    "port range '%.*s' lacks an end", (int)(e - s > 20 ? 20 : e - s), s);
			if (parse_port(s, dash, &pr.lo, spec, err, errlen) < 0 ||
			    parse_port(dash + 1, e, &pr.hi, spec, err, errlen) < 0)
				return -1;
			if (pr.lo > pr.hi)
				return fail(err, errlen, spec, "write the lower port first",
					    "port range %u-%u is reversed", pr.lo, pr.hi);
		} else {
			if (e - s == 1 && *s == '*')
				return fail(err, errlen, spec, "write '*' alone for every port",
					    "'*' inside a port list");
			if (parse_port(s, e, &pr.lo, spec, err, errlen) < 0)
				return -1;
			pr.hi = pr.lo;
		}
		r->ports[r->nports++] = pr;
		if (!*e)
			break;
		s = e + 1;
	}
	ranges_normalise(r);
	return 0;
}

bool policy_rule_port_match(const struct policy_rule *r, uint16_t port)
{
	size_t lo = 0, hi = r->nports;

	if (r->all_ports)
		return port != 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (port < r->ports[mid].lo)
			hi = mid;
		else if (port > r->ports[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* ---- patterns ----------------------------------------------------------- */

/* "ADDR" or "ADDR/PLEN" of family @af in @pat (modified: the '/' is cut). */
static int parse_net(struct policy_rule *r, char *pat, int af, const char *spec, char *err,
		     size_t errlen)
{
	char *slash = strchr(pat, '/');
	unsigned max = af == AF_INET ? 32 : 128, plen = max;
	struct in6_addr a;

	if (slash) {
		*slash = '\0';
		const char *s = slash + 1;
		unsigned long v = 0;

		if (!*s || strlen(s) > 3 || strspn(s, "0123456789") != strlen(s))
			return fail(err, errlen, spec,
				    af == AF_INET ? "write the prefix length as a number, as in 10.0.0.0/8" :
				    "write the prefix length as a number; with ports, in brackets: [2001:db8::/32]:443",
				    "'/%.12s' is not a prefix length", s);
		v = strtoul(s, NULL, 10);
		if (v > max)
			return fail(err, errlen, spec,
				    af == AF_INET ? "IPv4 prefixes are 0-32" : "IPv6 prefixes are 0-128",
				    "prefix length %lu is out of range", v);
		plen = (unsigned)v;
	}
	if (af == AF_INET) {
		struct in_addr v4;

		if (inet_pton(AF_INET, pat, &v4) != 1)
			return fail(err, errlen, spec,
				    "write four numbers 0-255 without leading zeros, as in 192.0.2.1",
				    "'%s' is not an IPv4 address", pat);
		policy_addr_from_v4(v4, &a);
		plen += 96;
	} else if (inet_pton(AF_INET6, pat, &a) != 1) {
		if (strspn(pat, "0123456789abcdefABCDEF:./") != strlen(pat))
			return fail(err, errlen, spec,
				    "write one ':' before the ports (example.com:80,443) and IPv6 addresses in brackets ([2001:db8::1]:443)",
				    "'%s' is neither a pattern with ports nor an IPv6 address", pat);
		return fail(err, errlen, spec,
			    "write an IPv6 address as 2001:db8::1, in brackets before a port: [2001:db8::1]:443",
			    "'%s' is not an IPv6 address", pat);
	}
	policy_addr_mask(&a, plen, &r->net);
	if (memcmp(&r->net, &a, sizeof(a)) != 0) {
		char net[POLICY_ADDR_STRLEN];

		return fail(err, errlen, spec, "write the network address", "host bits set in %s/%u; did you mean %s/%u?",
			    pat, plen - (af == AF_INET ? 96 : 0),
			    policy_addr_str(&r->net, net, sizeof(net)), plen - (af == AF_INET ? 96 : 0));
	}
	/* Back in the 128-bit space, an IPv6 prefix inside ::ffff:0:0/96 is
	 * IPv4; ::ffff:0:0/96 itself is IPv4's /0. */
	r->kind = RULE_NET;
	r->plen = plen;
	r->net_any = plen == 0 || (plen == 96 && IN6_IS_ADDR_V4MAPPED(&r->net));
	return 0;
}

static bool all_digits_and_dots(const char *s)
{
	return *s && strspn(s, "0123456789.") == strlen(s);
}

static int parse_name(struct policy_rule *r, const char *pat, const char *spec, char *err,
		      size_t errlen)
{
	char name[POLICY_NAME_MAX];
	struct name_error e;
	struct in6_addr a;

	r->kind = RULE_DOMAIN;
	if (pat[0] == '=') {
		r->kind = RULE_EXACT;
		pat++;
	} else if (pat[0] == '*' && pat[1] == '.') {
		r->kind = RULE_SUBDOMAINS;
		pat += 2;
	}
	if (strchr(pat, '*'))
		return fail(err, errlen, spec, "write '*' alone, or '*.' before a domain: *.example.com",
			    "'*' in the middle of a pattern");
	if (r->kind != RULE_DOMAIN &&
	    (policy_addr_parse(pat, &a) == 0 || all_digits_and_dots(pat) || strchr(pat, '/')))
		return fail(err, errlen, spec, "write the address without it",
			    "'%s' only goes before a host name", r->kind == RULE_EXACT ? "=" : "*.");
	if (all_digits_and_dots(pat))
		return fail(err, errlen, spec,
			    "write four numbers 0-255 without leading zeros, as in 192.0.2.1",
			    "not an IPv4 address");
	if (pat[0] == '.')
		return fail(err, errlen, spec,
			    "write example.com (it covers the subdomains) or *.example.com (subdomains only)",
			    "a leading dot");
	if (policy_name_check(pat, name, sizeof(name), &e) < 0) {
		if (e.cp >= 0x20 && e.cp < 0x7f)
			return fail(err, errlen, spec, e.fix, "%s: '%c'", e.what, (char)e.cp);
		if (e.cp)
			return fail(err, errlen, spec, e.fix, "%s: U+%04X", e.what, (unsigned)e.cp);
		return fail(err, errlen, spec, e.fix, "%s", e.what);
	}
	r->name = strdup(name);
	if (!r->name)
		return fail(err, errlen, spec, "free some memory", "out of memory");
	return 0;
}

/* Split @target (PATTERN[:PORTS], in @spec) into a pattern (copied into
 * @pat) and ports (pointer into @target, NULL if none); tell whether the
 * pattern is bracketed IPv6. */
static int split_spec(const char *spec, const char *target, char *pat, size_t patlen,
		      const char **ports, bool *v6, char *err, size_t errlen)
{
	const char *colon;
	size_t len;

	*ports = NULL;
	*v6 = false;
	if (target[0] == '[') {
		const char *close = strchr(target, ']');

		if (!close)
			return fail(err, errlen, spec, "write [2001:db8::1]:443", "missing ']'");
		len = (size_t)(close - target - 1);
		if (len == 0 || len >= patlen)
			return fail(err, errlen, spec, "write [2001:db8::1]:443",
				    "no IPv6 address between the brackets");
		memcpy(pat, target + 1, len);
		pat[len] = '\0';
		close++;
		if (*close == '/' && !strchr(pat, '/')) { /* [2001:db8::]/32 */
			size_t plen = strcspn(close, ":");

			if (len + plen >= patlen)
				return fail(err, errlen, spec, FIX_PATTERN, "pattern too long");
			memcpy(pat + len, close, plen);
			pat[len + plen] = '\0';
			close += plen;
		}
		if (*close == ':')
			*ports = close + 1;
		else if (*close)
			return fail(err, errlen, spec, "write [ADDRESS]:PORTS, as in [2001:db8::1]:443",
				    "'%c' after ']'", *close);
		if (!strchr(pat, ':'))
			return fail(err, errlen, spec, "brackets are only for IPv6 addresses",
				    "'%s' in brackets is not an IPv6 address", pat);
		*v6 = true;
		return 0;
	}
	colon = strchr(target, ':');
	if (colon && strchr(colon + 1, ':')) { /* unbracketed IPv6: no ports */
		*v6 = true;
		colon = NULL;
	}
	len = colon ? (size_t)(colon - target) : strlen(target);
	if (len >= patlen)
		return fail(err, errlen, spec, "check the pattern; host names have at most 253 bytes",
			    "pattern too long");
	memcpy(pat, target, len);
	pat[len] = '\0';
	if (colon)
		*ports = colon + 1;
	return 0;
}

/* ---- request rules: methods ------------------------------------------------ */

/* A tchar of RFC 9110's token. */
static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *const known_methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
};

/* Is the word [s, s+len) meant as METHODS: '*', or a word without the
 * characters of host patterns ('.', ':', '[', ']', '/', '=') that has a
 * comma, an upper-case letter, or is a method's name in any case?  Else it
 * is read as a host, so that "exa mple.com" is still a bad host name. */
static bool methods_like(const char *s, size_t len)
{
	bool marked = false;

	if (len == 1 && *s == '*')
		return true;
	for (size_t i = 0; i < len; i++) {
		if (s[i] && strchr(".:[]/=", s[i]))
			return false;
		marked |= s[i] == ',' || (s[i] >= 'A' && s[i] <= 'Z');
	}
	if (marked)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(known_methods); i++)
		if (strlen(known_methods[i]) == len && strncasecmp(known_methods[i], s, len) == 0)
			return true;
	return false;
}

/* METHODS, the word [s, s+len): '*' (any: r->methods stays NULL) or
 * comma-separated tokens without lower case, kept as written. */
static int parse_methods(struct policy_rule *r, const char *s, size_t len, const char *spec,
			 char *err, size_t errlen)
{
	if (len == 1 && *s == '*')
		return 0;
	for (const char *m = s, *end = s + len; m <= end;) {
		const char *e = memchr(m, ',', (size_t)(end - m));
		size_t n = e ? (size_t)(e - m) : (size_t)(end - m);

		if (n == 0)
			return fail(err, errlen, spec, FIX_METHODS, "an empty method in '%.*s'",
				    (int)(len > 40 ? 40 : len), s);
		if (n == 1 && *m == '*')
			return fail(err, errlen, spec, "write '*' alone for any method",
				    "'*' inside a method list");
		for (size_t i = 0; i < n; i++) {
			if (!is_tchar((unsigned char)m[i]))
				return fail(err, errlen, spec, FIX_METHODS, "'%.*s' is not a method",
					    (int)(n > 40 ? 40 : n), m);
			if (m[i] >= 'a' && m[i] <= 'z')
				return fail(err, errlen, spec,
					    "methods are compared case-sensitively: write them in upper case (GET)",
					    "method '%.*s' has lower case", (int)(n > 40 ? 40 : n), m);
		}
		if (!e)
			break;
		m = e + 1;
	}
	r->methods = strndup(s, len);
	if (!r->methods)
		return fail(err, errlen, spec, "free some memory", "out of memory");
	return 0;
}

/* ---- request rules: the URL -------------------------------------------------- */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A path character that needs no escape: unreserved, sub-delims, ':', '@'
 * (RFC 3986 pchar), and '/'.  '*' is one (a sub-delim): in a rule it is the
 * glob's. */
static bool is_path_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-._~!$&'()*+,;=:@/", c));
}

/* The URL's path (from its first '/') as a glob in r->path, normalised as
 * request paths are; NULL when it covers every path ("/", or "/" and two stars). */
static int parse_path(struct policy_rule *r, const char *path, const char *spec, char *err,
		      size_t errlen)
{
	char out[POLICY_GLOB_MAX + 3];
	size_t o = 0;

	for (const char *c = path; *c; c++) {
		if (o + 3 > POLICY_GLOB_MAX)
			return fail(err, errlen, spec, "shorten the path, or end it with '/' to match a prefix",
				    "path longer than %d bytes", POLICY_GLOB_MAX);
		if (*c == '%') {
			if (!is_hex(c[1]) || !is_hex(c[2]))
				return fail(err, errlen, spec, "write '%' as %25, and an escape as %XX with two hex digits",
					    "a bad escape '%.3s' in the path", c);
			o += policy_request_unescape(c, out + o);
			c += 2;
			continue;
		}
		if ((unsigned char)*c >= 0x80)
			return fail(err, errlen, spec, "percent-encode the bytes of a non-ASCII character (é is %C3%A9)",
				    "a non-ASCII character in the path");
		if (!is_path_char((unsigned char)*c))
			return fail(err, errlen, spec, "percent-encode it in the path",
				    "'%c' in the path", *c >= 0x20 && *c < 0x7f ? *c : '?');
		if (*c == '*' && c[1] == '*' && c[2] == '*')
			return fail(err, errlen, spec,
				    "write * (any run of characters but '/') or ** (any run, '/' included)",
				    "'***' in the path");
		out[o++] = *c;
	}
	out[o] = '\0';
	if (policy_request_has_dot_segment(out))
		return fail(err, errlen, spec,
			    "write the path without '.' and '..' segments (requests that have them are refused anyway)",
			    "a dot segment in the path");
	if (o > 0 && out[o - 1] == '/') { /* a prefix */
		out[o++] = '*';
		out[o++] = '*';
	}
	out[o] = '\0';
	if (strcmp(out, "/**") == 0)
		return 0;
	r->path = strdup(out);
	if (!r->path)
		return fail(err, errlen, spec, "free some memory", "out of memory");
	return 0;
}

/* A host name for a request rule: not '*', an address or a CIDR. */
static int parse_request_host(struct policy_rule *r, const char *host, const char *spec,
			      char *err, size_t errlen)
{
	struct in6_addr a;

	if (!*host)
		return fail(err, errlen, spec, "write https://HOST/PATH", "no host in the URL");
	if (strcmp(host, "*") == 0 || host[0] == '[' || strchr(host, '/') ||
	    policy_addr_parse(host, &a) == 0 || all_digits_and_dots(host))
		return fail(err, errlen, spec, FIX_REQUEST_HOST, "'%.60s' is not a host name", host);
	return parse_name(r, host, spec, err, errlen);
}

/* http[s]://HOST[:PORT][/PATH]: one port (443 or 80 by default). */
static int parse_url(struct policy_rule *r, const char *url, size_t scheme_len, uint16_t port,
		     const char *spec, char *err, size_t errlen)
{
	const char *auth = url + scheme_len, *path = auth + strcspn(auth, "/");
	char host[POLICY_NAME_MAX + 8];
	const char *colon;
	size_t alen = (size_t)(path - auth);

	if (strchr(url, '?'))
		return fail(err, errlen, spec, "drop the '?...': rules match the path, any query goes",
			    "a query in the URL");
	if (strchr(url, '#'))
		return fail(err, errlen, spec, "drop the '#...': requests carry no fragment",
			    "a fragment in the URL");
	if (memchr(auth, '@', alen))
		return fail(err, errlen, spec, "drop the 'user@': a rule holds no credentials",
			    "userinfo in the URL");
	colon = memchr(auth, ':', alen);
	if (colon && !memchr(auth, '[', alen)) {
		if (colon + 1 == path)
			return fail(err, errlen, spec, "write one port after ':', or none for the scheme's",
				    "no port after ':'");
		if (strcspn(colon + 1, ",-*") < (size_t)(path - colon - 1))
			return fail(err, errlen, spec,
				    "a URL names one port: write one rule per port, or METHODS HOST:PORTS for any path",
				    "several ports in a URL");
		if (parse_port(colon + 1, path, &port, spec, err, errlen) < 0)
			return -1;
		alen = (size_t)(colon - auth);
	}
	if (alen >= sizeof(host))
		return fail(err, errlen, spec, "check the host; host names have at most 253 bytes",
			    "host too long");
	memcpy(host, auth, alen);
	host[alen] = '\0';
	if (parse_request_host(r, host, spec, err, errlen) < 0)
		return -1;
	r->ports = calloc(1, sizeof(*r->ports));
	if (!r->ports)
		return fail(err, errlen, spec, "free some memory", "out of memory");
	r->ports[0] = (struct port_range){ port, port };
	r->nports = 1;
	return parse_path(r, *path ? path : "/", spec, err, errlen);
}

/* ---- the rule ---------------------------------------------------------------- */

/* TARGET: a URL, or PATTERN[:PORTS]. */
static int parse_target(struct policy_rule *r, const char *target, const char *spec, char *err,
			size_t errlen)
{
	char pat[1024] = ""; /* (clang-analyzer does not follow the variadic fail()) */
	const char *ports, *sep = strstr(target, "://");
	bool v6;

	if (strncasecmp(target, "https://", 8) == 0)
		return parse_url(r, target, 8, 443, spec, err, errlen);
	if (strncasecmp(target, "http://", 7) == 0)
		return parse_url(r, target, 7, 80, spec, err, errlen);
	if (sep && (size_t)(sep - target) == strspn(target, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."))
		return fail(err, errlen, spec, "write an http:// or https:// URL, or HOST[:PORTS]",
			    "'%.*s' URLs are not HTTP", (int)(sep - target > 20 ? 20 : sep - target), target);
	if (split_spec(spec, target, pat, sizeof(pat), &ports, &v6, err, errlen) < 0)
		return -1;
	if (!pat[0])
		return fail(err, errlen, spec, FIX_PATTERN, "no pattern before ':'");
	if (v6) {
		if (parse_net(r, pat, AF_INET6, spec, err, errlen) < 0)
			return -1;
	} else if (strcmp(pat, "*") == 0) {
		r->kind = RULE_ANY;
	} else if (strchr(pat, '/') || policy_addr_parse(pat, &r->net) == 0) {
		if (parse_net(r, pat, AF_INET, spec, err, errlen) < 0)
			return -1;
	} else if (parse_name(r, pat, spec, err, errlen) < 0) {
		return -1;
	}
	return parse_ports(r, ports, spec, err, errlen);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int policy_rule_parse(struct policy_rule *r, const char *spec, char *err, size_t errlen)
{
	const char *blank, *target = spec;

	if (!spec || !*spec)
		return fail(err, errlen, spec ? spec : "", FIX_PATTERN, "empty rule");
	blank = spec + strcspn(spec, " \t");
	if (*blank && methods_like(spec, (size_t)(blank - spec))) {
		if (parse_methods(r, spec, (size_t)(blank - spec), spec, err, errlen) < 0)
			return -1;
		for (target = blank; is_blank(*target); target++)
			;
		if (!*target)
			return fail(err, errlen, spec, "write METHODS HOST or METHODS URL: GET,HEAD https://example.com/",
				    "methods without a host");
		if (target[strcspn(target, " \t")])
			return fail(err, errlen, spec, "write [METHODS ]HOST or [METHODS ]URL, percent-encoding blanks in a path (%20)",
				    "more than two words");
	} else if (*blank) {
		const char *last = spec + strlen(spec);

		while (last > spec && !is_blank(last[-1]))
			last--;
		if (*last && methods_like(last, strlen(last)))
			return fail(err, errlen, spec, "write the methods first: GET,HEAD https://example.com/",
				    "methods after the host");
	} else if (strchr(spec, ',') && methods_like(spec, strlen(spec))) {
		return fail(err, errlen, spec, "write METHODS HOST or METHODS URL: GET,HEAD https://example.com/",
			    "methods without a host");
	}
	if (parse_target(r, target, spec, err, errlen) < 0)
		return -1;
	r->request = r->methods || r->path;
	if (r->request && r->kind != RULE_DOMAIN && r->kind != RULE_EXACT && r->kind != RULE_SUBDOMAINS)
		return fail(err, errlen, spec, FIX_REQUEST_HOST, "methods on an address or '*'");
	return 0;
}

void policy_rule_release(struct policy_rule *r)
{
	free(r->text);
	free(r->origin);
	free(r->name);
	free(r->methods);
	free(r->path);
	if (r->ports != policy_default_ports)
		free(r->ports);
	r->text = r->origin = r->name = r->methods = r->path = NULL;
	r->ports = NULL;
}
