/* fuzz_policy.c — libFuzzer target for policy/ (rule parsing, name
 * normalisation, matching, address classes, request rules).
 *
 * The input is lines: "SPEC" adds an allow rule, "!SPEC" a deny rule
 * ("GET,HEAD https://x.test/a/" a request rule).  Every line is also
 * normalised as a host name and used as a query (name, and an address made
 * of its bytes), and as a request (its first word the method, the rest the
 * path, on the host of the first line), and these properties are checked:
 *   - a refused rule has a "bad rule '...': ... — ..." message;
 *   - a normalised name is short, made of [a-z0-9-_.], and normalising it
 *     again changes nothing; the ASCII fast path and the full way agree;
 *   - a name allowed on some port may be resolved, and a resolved-address
 *     decision never allows what the name decision refuses;
 *   - an address prints and parses back to itself, and its NAT64, 6to4 and
 *     compatible forms have the class of its IPv4 form;
 *   - the input's first bytes as a sockaddr (what netbox reads from the
 *     program's memory on connect()) parse or are refused, and round-trip;
 *   - a request is allowed only on an allowed connection, by an allow rule,
 *     never with an unsafe path; a connection that is allowed and not
 *     inspected allows every safe request; only runs with request rules
 *     inspect; the verdict and the rule are the same with an unreserved
 *     character escaped (%61 for a) and with a query added to a path;
 *   - a rule's path glob matches the normalised paths of short lines as a
 *     naive backtracking matcher does.
 */
#include "fuzz.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"
#include "policy/policy.h"

static const uint16_t ports[] = { 1, 22, 80, 443, 8080, 65535 };

/* The reference glob: '*' any run but '/', '**' any run, and "/" "**" "/"
 * also one '/' (request.c).  Exponential: for short globs and paths only. */
static bool ref_glob(const char *start, const char *g, const char *s)
{
	if (!*g)
		return !*s;
	if (g[0] == '*' && g[1] == '*') {
		if (g > start && g[-1] == '/' && g[2] == '/' && ref_glob(start, g + 3, s))
			return true;
		for (size_t k = 0;; k++) {
			if (ref_glob(start, g + 2, s + k))
				return true;
			if (!s[k])
				return false;
		}
	}
	if (g[0] == '*') {
		for (size_t k = 0;; k++) {
			if (ref_glob(start, g + 1, s + k))
				return true;
			if (!s[k] || s[k] == '/')
				return false;
		}
	}
	return *s == *g && ref_glob(start, g + 1, s + 1);
}

struct glob_check {
	const char *path; /* normalised */
};

static int check_glob_rule(const struct policy_rule *r, void *arg)
{
	const struct glob_check *gc = arg;
	size_t stars = 0;

	if (!r->path || strlen(r->path) > 24)
		return 0;
	for (const char *c = r->path; *c; c++)
		stars += *c == '*';
	if (stars <= 6)
		CHECK(policy_request_glob(r->path, gc->path) == ref_glob(r->path, r->path, gc->path));
	return 0;
}

/* The first lower-case letter of @path outside a %XX escape, or NULL. */
static char *first_plain_letter(char *path)
{
	for (char *c = path; *c; c++) {
		if (*c == '%' && c[1] && c[2])
			c += 2;
		else if (*c >= 'a' && *c <= 'z')
			return c;
	}
	return NULL;
}

/* @line as a request to @name: the first word the method, the rest the
 * path (or "/" + the line). */
static void check_request(const struct policy *p, const char *name, const char *line)
{
	char method[64], path[1200], alt[1300], norm[POLICY_PATH_MAX];
	const char *blank = strchr(line, ' ');
	size_t mlen = blank ? (size_t)(blank - line) : 0;
	bool safe;

	if (mlen == 0 || mlen >= sizeof(method)) {
		snprintf(method, sizeof(method), "GET");
		snprintf(path, sizeof(path), "/%s", line);
	} else {
		memcpy(method, line, mlen);
		method[mlen] = '\0';
		snprintf(path, sizeof(path), "%s", blank + 1);
	}
	safe = policy_request_path_unsafe(path) == NULL;
	if (!policy_has_request_rules(p))
		CHECK(!policy_inspects(p, name, 443));
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		const struct policy_rule *r, *r2;
		enum policy_verdict v = policy_decide_request(p, name, ports[i], method, path, &r);
		enum policy_verdict vn = policy_decide_name(p, name, ports[i], NULL);
		bool inspected = policy_inspects(p, name, ports[i]);
		char *a;

		CHECK(v == POLICY_ALLOW || v == POLICY_DENY);
		CHECK(v == POLICY_ALLOW ? r != NULL && policy_rule_is_allow(r) :
					  r == NULL || !policy_rule_is_allow(r));
		if (v == POLICY_ALLOW)
			CHECK(vn == POLICY_ALLOW && safe);
		if (inspected)
			CHECK(vn == POLICY_ALLOW);
		if (!inspected && vn == POLICY_ALLOW && safe)
			CHECK(v == POLICY_ALLOW);
		/* The same with a query, and with an unreserved letter escaped. */
		snprintf(alt, sizeof(alt), "%s?q=1", path);
		if (path[0] == '/')
			CHECK(policy_decide_request(p, name, ports[i], method, alt, &r2) == v && r2 == r);
		if (path[0] == '/' && policy_request_path(path, norm, NULL) == PATH_CLEAN &&
		    (a = first_plain_letter(path)) && !strchr(path, '?')) {
			snprintf(alt, sizeof(alt), "%.*s%%%02X%s", (int)(a - path), path, *a, a + 1);
			CHECK(policy_decide_request(p, name, ports[i], method, alt, &r2) == v && r2 == r);
		}
	}
	if (path[0] == '/' && strlen(path) <= 48 && policy_request_path(path, norm, NULL) == PATH_CLEAN) {
		struct glob_check gc = { norm };

		policy_foreach_rule(p, check_glob_rule, &gc);
	}
}

static void check_name(const char *line)
{
	char out[POLICY_NAME_MAX], again[POLICY_NAME_MAX], slow[POLICY_NAME_MAX];
	int r = policy_name_normalize(line, out, sizeof(out));
	size_t len;

	CHECK(r == policy_name_check_slow(line, slow, sizeof(slow), NULL));
	if (r < 0)
		return;
	CHECK(strcmp(out, slow) == 0);
	len = strlen(out);
	CHECK(len >= 1 && len <= 253);
	CHECK(strspn(out, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == len);
	CHECK(out[0] != '.' && out[len - 1] != '.' && !strstr(out, ".."));
	CHECK(policy_name_normalize(out, again, sizeof(again)) == 0);
	CHECK(strcmp(out, again) == 0);
}

static void check_decisions(const struct policy *p, const char *line, const struct in6_addr *a)
{
	char name[POLICY_NAME_MAX];
	const struct policy_rule *r;
	bool any_allowed = false;

	if (policy_name_normalize(line, name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "%.100s", line); /* raw names must not crash either */
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		enum policy_verdict vn = policy_decide_name(p, name, ports[i], &r);
		enum policy_verdict vr = policy_decide_resolved(p, name, a, ports[i], NULL);
		enum policy_verdict va = policy_decide_addr(p, a, ports[i], NULL);

		CHECK(vn == POLICY_ALLOW || vn == POLICY_DENY);
		CHECK(va == POLICY_ALLOW || va == POLICY_DENY);
		CHECK(vn == POLICY_ALLOW ? r != NULL && policy_rule_is_allow(r) :
					   r == NULL || !policy_rule_is_allow(r));
		if (vr == POLICY_ALLOW)
			CHECK(vn == POLICY_ALLOW);
		any_allowed |= vn == POLICY_ALLOW;
	}
	if (any_allowed)
		CHECK(policy_name_may_resolve(p, name));
}

static void check_addr(const struct in6_addr *a)
{
	char buf[POLICY_ADDR_STRLEN];
	struct in6_addr back, v6;
	struct in_addr v4;

	policy_addr_str(a, buf, sizeof(buf));
	CHECK(policy_addr_parse(buf, &back) == 0);
	CHECK(memcmp(&back, a, sizeof(back)) == 0);
	CHECK(strlen(policy_addr_class_name(policy_addr_class(a))) > 0);

	/* The forms carrying an IPv4 address classify as it does. */
	memcpy(&v4, a->s6_addr + 12, 4);
	policy_addr_from_v4(v4, &v6);
	enum policy_addr_class c4 = policy_addr_class(&v6);
	memset(&v6, 0, sizeof(v6));
	v6.s6_addr[1] = 0x64, v6.s6_addr[2] = 0xff, v6.s6_addr[3] = 0x9b;
	memcpy(v6.s6_addr + 12, &v4, 4);
	CHECK(policy_addr_class(&v6) == c4);
	memset(&v6, 0, sizeof(v6));
	v6.s6_addr[0] = 0x20, v6.s6_addr[1] = 0x02;
	memcpy(v6.s6_addr + 2, &v4, 4);
	memcpy(v6.s6_addr + 6, a->s6_addr, 10);
	CHECK(policy_addr_class(&v6) == c4);
}

/* The input's first bytes as the sockaddr netbox reads from the program's
 * memory (supervisor/ondemand.c): parsed, or refused; and back again. */
static void check_sockaddr(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss = { 0 }, back;
	size_t n = size < sizeof(ss) ? size : sizeof(ss);
	struct in6_addr a, a2;
	uint16_t port, port2;
	socklen_t blen;

	memcpy(&ss, data, n);
	if (policy_addr_from_sockaddr((struct sockaddr *)&ss, (socklen_t)n, &a, &port) < 0)
		return;
	policy_addr_to_sockaddr(&a, port, &back, &blen);
	CHECK(policy_addr_from_sockaddr((struct sockaddr *)&back, blen, &a2, &port2) == 0);
	CHECK(memcmp(&a, &a2, sizeof(a)) == 0 && port == port2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p = policy_new();
	char line[1100], err[512], host[POLICY_NAME_MAX] = "";
	uint8_t bm[POLICY_PORT_BITMAP_SIZE];
	size_t off = 0;
	bool any;

	check_sockaddr(data, size);
	/* Pass 1: every line is a rule. */
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data - off) : size - off;
		size_t n = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
		bool deny;

		memcpy(line, data + off, n);
		line[n] = '\0';
		off += len + 1;
		deny = line[0] == '!';
		err[0] = '\0';
		if (policy_add(p, !deny, line + deny, "fuzz", err, sizeof(err)) < 0) {
			CHECK(strncmp(err, "bad rule '", 10) == 0);
			CHECK(strstr(err, " \xe2\x80\x94 ") != NULL);
		}
		/* The requests' host: the first line's name (or its URL's). */
		if (!host[0]) {
			const char *h = strstr(line, "://");

			h = h ? h + 3 : strrchr(line, ' ') ? strrchr(line, ' ') + 1 : line + deny;
			h += *h == '=' ? 1 : *h == '*' && h[1] == '.' ? 2 : 0;
			snprintf(host, sizeof(host), "%.*s", (int)strcspn(h, ":/ "), h);
			if (policy_name_normalize(host, host, sizeof(host)) < 0)
				snprintf(host, sizeof(host), "x.test");
		}
		check_name(line);
	}
	/* Pass 2: every line is a query against the whole policy. */
	off = 0;
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data - off) : size - off;
		size_t n = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
		struct in6_addr a = { 0 };

		memcpy(line, data + off, n);
		line[n] = '\0';
		off += len + 1;
		if (policy_addr_parse(line, &a) < 0)
			memcpy(&a, line, n < sizeof(a) ? n : sizeof(a));
		check_addr(&a);
		check_decisions(p, line[0] == '!' ? line + 1 : line, &a);
		check_request(p, host[0] ? host : "x.test", line);
	}
	policy_listen_ports(p, bm, &any);
	CHECK(!(bm[0] & 1)); /* port 0 is never a port */
	policy_free(p);
	return 0;
}
