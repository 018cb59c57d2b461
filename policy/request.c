/* request.c — request rules (policy/): which connections are inspected,
 * and the verdict on each HTTP request of an inspected connection (its
 * method and path).  Runs in the supervisor, on the proxy's loop, for every
 * request: it never allocates and never modifies the policy.
 *
 * Paths are compared in one normal form, the rule's (parse.c) and the
 * request's alike: %XX of an unreserved character decoded (%7E is ~, %41
 * is A), every other escape kept with upper-case hex (%2f is %2F, still not
 * '/').  A request path that a server could read as another one — a dot
 * segment, also behind a ';', an escaped slash or a backslash; a malformed
 * escape; a control or non-ASCII byte — is "unsafe": no allow rule matches
 * it and every deny rule does, so it is refused.  Honest clients never send
 * one (they remove dot segments before sending, RFC 3986 5.2.4).
 *
 * A glob is matched by simulating its automaton: one pass over the path,
 * each step over the glob's positions, so the cost is at most their
 * product (8 KiB by 1 KiB) whatever the stars, with no backtracking.
 */
#include <string.h>

#include "policy/internal.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

size_t policy_request_unescape(const char *s, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	int v = hex_value(s[1]) * 16 + hex_value(s[2]);

	if (is_unreserved((unsigned char)v)) {
		out[0] = (char)v;
		return 1;
	}
	out[0] = '%';
	out[1] = digits[v >> 4];
	out[2] = digits[v & 15];
	return 3;
}

bool policy_request_dot_segment(const char *s, size_t len)
{
	const char *semi = memchr(s, ';', len);

	if (semi)
		len = (size_t)(semi - s);
	return (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.');
}

/* The length of a segment boundary at @s ('/', '\', %2F, %5C; normalised
 * text), 0 if none. */
static size_t boundary_len(const char *s)
{
	if (*s == '/' || *s == '\\')
		return 1;
	if (s[0] == '%' && ((s[1] == '2' && s[2] == 'F') || (s[1] == '5' && s[2] == 'C')))
		return 3;
	return 0;
}

bool policy_request_has_dot_segment(const char *s)
{
	const char *seg = s;

	for (;;) {
		size_t b = *s ? boundary_len(s) : 1;

		if (b) {
			if (policy_request_dot_segment(seg, (size_t)(s - seg)))
				return true;
			if (!*s)
				return false;
			s += b;
			seg = s;
		} else {
			s++;
		}
	}
}

enum request_path policy_request_path(const char *in, char out[POLICY_PATH_MAX],
				      const char **why)
{
	size_t o = 0;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (strcmp(in, "*") == 0 || !*in)
		return PATH_OTHER;
	if (in[0] != '/') {
		*why = "the request target is not a path";
		return PATH_UNSAFE;
	}
	for (const char *c = in; *c && *c != '?'; c++) {
		unsigned char u = (unsigned char)*c;

		if (o + 4 > POLICY_PATH_MAX) {
			*why = "the path is too long to be checked";
			return PATH_UNSAFE;
		}
		if (u <= 0x20 || u >= 0x7f || u == '#') {
			*why = "the path has a byte that does not belong in one";
			return PATH_UNSAFE;
		}
		if (u == '%') {
			if (hex_value(c[1]) < 0 || hex_value(c[2]) < 0) {
				*why = "the path has a malformed %-escape";
				return PATH_UNSAFE;
			}
			o += policy_request_unescape(c, out + o);
			c += 2;
			continue;
		}
		out[o++] = *c;
	}
	out[o] = '\0';
	if (policy_request_has_dot_segment(out)) {
		*why = "the path has a '.' or '..' segment";
		return PATH_UNSAFE;
	}
	return PATH_CLEAN;
}

const char *policy_request_path_unsafe(const char *path)
{
	char buf[POLICY_PATH_MAX];
	const char *why;

	if (!path)
		return "no path";
	return policy_request_path(path, buf, &why) == PATH_UNSAFE ? why : NULL;
}

/* ---- globs ----------------------------------------------------------------- */

/* Add to @set the positions reachable from its own without a character:
 * past a star (which may match nothing).  Stars only lead forward: one
 * pass does it. */
static void glob_close(const char *glob, size_t m, bool *set)
{
	for (size_t i = 0; i < m; i++)
		if (set[i] && glob[i] == '*')
			set[i + (glob[i + 1] == '*' ? 2 : 1)] = true;
}

bool policy_request_glob(const char *glob, const char *path)
{
	bool a[POLICY_GLOB_MAX + 3], b[POLICY_GLOB_MAX + 3], *cur = a, *next = b;
	size_t m = strlen(glob);
	bool alive = true;

	if (m > POLICY_GLOB_MAX + 2) /* parse.c makes none */
		return false;
	memset(a, 0, (m + 1) * sizeof(bool));
	a[0] = true;
	glob_close(glob, m, cur);
	for (const char *c = path; *c && alive; c++) {
		bool *t;

		memset(next, 0, (m + 1) * sizeof(bool));
		alive = false;
		for (size_t i = 0; i < m; i++) {
			if (!cur[i])
				continue;
			if (glob[i] == '*') {
				/* ** matches anything; * anything but '/' */
				if (glob[i + 1] == '*' || *c != '/')
					alive = next[i] = true;
			} else if (glob[i] == *c) {
				alive = next[i + 1] = true;
				/* One '/' matches "/" "**" "/" whole, as in other
				 * globs: "/a/" "**" "/z" matches "/a/z". */
				if (*c == '/' && strncmp(glob + i + 1, "**/", 3) == 0)
					next[i + 4] = true;
			}
		}
		glob_close(glob, m, next);
		t = cur;
		cur = next;
		next = t;
		if (!alive)
			return false;
	}
	return cur[m];
}

/* ---- matching a rule --------------------------------------------------------- */

/* Is @method one of the comma-separated @methods (case-sensitive)? */
static bool method_in(const char *methods, const char *method)
{
	size_t len = strlen(method);

	for (const char *m = methods;;) {
		size_t n = strcspn(m, ",");

		if (n == len && memcmp(m, method, len) == 0)
			return true;
		if (!m[n])
			return false;
		m += n + 1;
	}
}

bool policy_request_match(const struct policy_rule *r, const char *method,
			  enum request_path kind, const char *path)
{
	if (r->methods && !method_in(r->methods, method))
		return false;
	/* What a server could read otherwise is refused: no allow rule
	 * matches it, any deny rule does (whatever its path). */
	if (kind == PATH_UNSAFE)
		return !r->allow;
	if (!r->path)
		return true;
	if (kind == PATH_OTHER)
		return !r->allow;
	return policy_request_glob(r->path, path);
}

/* ---- decisions ------------------------------------------------------------------- */

static enum policy_verdict request_verdict(enum policy_verdict v, const struct policy_rule *r,
					   const struct policy_rule **out)
{
	if (out)
		*out = r;
	return v;
}

bool policy_inspects(const struct policy *p, const char *name, uint16_t port)
{
	struct name_hit hits[POLICY_NAME_MAX];
	const struct policy_rule *r;
	bool plain = false, request = false;
	struct name_iter it;
	size_t n;

	if (!policy_has_request_rules(p) || !name || !*name)
		return false;
	n = policy_name_hits(p, name, hits);
	policy_name_iter_init(&it, p, hits, n, CHAIN_DENY, true);
	while ((r = policy_name_iter_next(&it)))
		if (policy_rule_port_match(r, port))
			return false; /* refused whole */
	/* --learn's '*:*' does not count as allowing whole: a host a request
	 * rule names is inspected in a learning run too, every request
	 * allowed by that rule, so that the learned profile can say which
	 * requests the run made (report_learned()). */
	policy_name_iter_init(&it, p, hits, n, CHAIN_ALLOW, true);
	while ((r = policy_name_iter_next(&it)) && !plain)
		if (policy_rule_port_match(r, port)) {
			request |= r->request;
			plain |= !r->request && strcmp(r->origin, "--learn") != 0;
		}
	if (!plain)
		return request;
	/* Allowed whole, but a deny request rule must still see requests. */
	policy_name_iter_init(&it, p, hits, n, CHAIN_DENY_REQUEST, false);
	while ((r = policy_name_iter_next(&it)))
		if (policy_rule_port_match(r, port))
			return true;
	return false;
}

enum policy_verdict policy_decide_request(const struct policy *p, const char *name,
					  uint16_t port, const char *method, const char *path,
					  const struct policy_rule **rule)
{
	static const struct {
		enum rule_chain chain;
		bool with_any;
		enum policy_verdict v;
	} order[] = { /* deny wins */
		{ CHAIN_DENY, true, POLICY_DENY },
		{ CHAIN_DENY_REQUEST, false, POLICY_DENY },
		{ CHAIN_ALLOW, true, POLICY_ALLOW },
	};
	struct name_hit hits[POLICY_NAME_MAX];
	char norm[POLICY_PATH_MAX];
	enum request_path kind;
	size_t n;

	if (!p || !name || !*name || !method || !*method || !path)
		return request_verdict(POLICY_DENY, NULL, rule);
	kind = policy_request_path(path, norm, NULL);
	n = policy_name_hits(p, name, hits);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const struct policy_rule *r;
		struct name_iter it;

		policy_name_iter_init(&it, p, hits, n, order[i].chain, order[i].with_any);
		while ((r = policy_name_iter_next(&it)))
			if (policy_rule_port_match(r, port) &&
			    (order[i].chain == CHAIN_DENY || policy_request_match(r, method, kind, norm)))
				return request_verdict(order[i].v, r, rule);
	}
	return request_verdict(POLICY_DENY, NULL, rule);
}
