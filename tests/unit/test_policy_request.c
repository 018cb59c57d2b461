/* test_policy_request.c — unit tests of request rules (policy/parse.c,
 * policy/request.c): the METHODS and URL forms and their errors, method and
 * path matching (globs, prefixes, escapes, dot segments), which connections
 * are inspected, each request's verdict (deny wins) and the rule credited.
 * Part of the program policy (test_policy.c has main()).
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "tap.h"
#include "util.h"
#include "test_policy.h"

/* policy_decide_request() on port 443 without the rule. */
static enum policy_verdict rq(const struct policy *p, const char *name, const char *method,
			      const char *path)
{
	return policy_decide_request(p, name, 443, method, path, NULL);
}

/* The one rule of a policy made of @spec, or NULL (and a failed check). */
struct one {
	struct policy *p;
	const struct policy_rule *r;
};

static int one_cb(const struct policy_rule *r, void *arg)
{
	((struct one *)arg)->r = r;
	return 0;
}

static struct one one(const char *spec)
{
	struct one o = { policy_new(), NULL };
	char err[512];

	if (policy_add(o.p, true, spec, "test", err, sizeof(err)) < 0)
		ok(0, "rule '%s' accepted: %s", spec, err);
	policy_foreach_rule(o.p, one_cb, &o);
	return o;
}

/* ---- the language ------------------------------------------------------------ */

static void test_request_parse(void)
{
	static const struct {
		const char *spec, *methods, *path;
		bool request;
	} cases[] = {
		{ "GET,HEAD https://registry.npmjs.org/", "GET,HEAD", "/**", true },
		{ "GET,HEAD registry.npmjs.org", "GET,HEAD", "/**", true },
		{ "GET,HEAD\t  registry.npmjs.org:8080", "GET,HEAD", "/**", true },
		{ "POST https://github.com/*/*/git-upload-pack", "POST", "/*/*/git-upload-pack", true },
		{ "https://example.com/api/", "*", "/api/**", true },
		{ "PUT https://Registry.NPMJS.org/@scope%2fname", "PUT", "/@scope%2Fname", true },
		{ "GET https://x.test/%7euser/%41b%2e", "GET", "/~user/Ab.", true },
		{ "GET https://x.test/a/**/b.tgz", "GET", "/a/**/b.tgz", true },
		{ "GET https://x.test", "GET", "/**", true },
		{ "GET https://=x.test:8443/", "GET", "/**", true },
		{ "GET https://*.x.test/a", "GET", "/a", true },
		{ "M-SEARCH http://x.test/", "M-SEARCH", "/**", true },
		{ "HTTPS://X.TEST/A", "*", "/A", true },
		/* any method and every path: a plain rule */
		{ "* example.com", "*", "/**", false },
		{ "https://example.com/", "*", "/**", false },
		{ "* http://example.com/**", "*", "/**", false },
		{ "* 10.0.0.0/8", "*", "/**", false },
		{ "* *", "*", "/**", false },
		{ "example.com", "*", "/**", false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct one o = one(cases[i].spec);

		if (!o.r)
			continue;
		is_str(policy_rule_text(o.r), cases[i].spec, "'%s': the text as written", cases[i].spec);
		is_int(policy_rule_is_request(o.r), cases[i].request, "'%s': %s", cases[i].spec,
		       cases[i].request ? "a request rule" : "a plain rule");
		is_str(policy_rule_methods(o.r), cases[i].methods, "'%s': methods", cases[i].spec);
		is_str(policy_rule_path(o.r), cases[i].path, "'%s': path", cases[i].spec);
		is_int(policy_has_request_rules(o.p), cases[i].request, "'%s': has request rules",
		       cases[i].spec);
		policy_free(o.p);
	}

	/* Ports: https 443, http 80, or the one given. */
	struct policy *p = MK("allow GET https://a.test/", "allow GET http://b.test/x",
			      "allow GET https://c.test:8443/", "allow GET d.test:22,8000-8001");
	is_int(dn(p, "a.test", 443), POLICY_ALLOW, "https: port 443");
	is_int(dn(p, "a.test", 80), POLICY_DENY, "https: not port 80");
	is_int(dn(p, "b.test", 80), POLICY_ALLOW, "http: port 80");
	is_int(dn(p, "b.test", 443), POLICY_DENY, "http: not port 443");
	is_int(dn(p, "c.test", 8443), POLICY_ALLOW, "an explicit port");
	is_int(dn(p, "c.test", 443), POLICY_DENY, "an explicit port only");
	is_int(dn(p, "d.test", 8001), POLICY_ALLOW, "METHODS HOST:PORTS: its ports");
	uint8_t bm[POLICY_PORT_BITMAP_SIZE];
	bool any;
	policy_listen_ports(p, bm, &any);
	ok((bm[443 / 8] & (1 << (443 % 8))) && (bm[8443 / 8] & (1 << (8443 % 8))) &&
		   (bm[22 / 8] & (1 << (22 % 8))) && !any,
	   "listen ports: request rules' ports");
	policy_free(p);
}

static void test_request_errors(void)
{
	static const struct {
		const char *spec, *what;
	} cases[] = {
		{ "get https://x.test/", "lower case" },
		{ "Get,HEAD x.test", "lower case" },
		{ "GET,,HEAD x.test", "empty method" },
		{ ",GET x.test", "empty method" },
		{ "GET, x.test", "empty method" },
		{ "GET,* x.test", "'*' inside a method list" },
		{ "GET,HE(AD x.test", "is not a method" },
		{ "GET\x01 x.test", "is not a method" },
		{ "Exa mple.com", "lower case" },
		{ "exa mple.com", "not allowed in a host name" },
		{ "[2001:db8::7]:80,443 x", "is not a port number" },
		{ "GET,HEAD", "methods without a host" },
		{ "GET,HEAD   ", "methods without a host" },
		{ "x.test GET,HEAD", "methods after the host" },
		{ "GET https://x.test/ HEAD", "more than two words" },
		{ "GET https://x.test/a?b=1", "a query" },
		{ "GET https://x.test/?", "a query" },
		{ "GET https://x.test/a#top", "a fragment" },
		{ "GET https://user@x.test/", "userinfo" },
		{ "GET https://user:pw@x.test/", "userinfo" },
		{ "GET https:///a", "no host" },
		{ "GET https://x.test:/a", "no port after" },
		{ "GET https://x.test:0/a", "port 0" },
		{ "GET https://x.test:70000/", "out of range" },
		{ "GET https://x.test:80,443/", "several ports" },
		{ "GET https://x.test:*/", "several ports" },
		{ "GET https://x.test:8a/", "not a port" },
		{ "GET ftp://x.test/", "not HTTP" },
		{ "GET wss://x.test/", "not HTTP" },
		{ "GET https://192.0.2.1/", "not a host name" },
		{ "GET https://[2001:db8::1]/", "not a host name" },
		{ "GET https://*/", "not a host name" },
		{ "GET https://10.0.0.0/8", "not a host name" },
		{ "GET 192.0.2.1", "methods on an address or '*'" },
		{ "GET 10.0.0.0/8:443", "methods on an address or '*'" },
		{ "GET *", "methods on an address or '*'" },
		{ "GET *:*", "methods on an address or '*'" },
		{ "GET https://x.test/a%zz", "bad escape" },
		{ "GET https://x.test/a%2", "bad escape" },
		{ "GET https://x.test/a/../b", "dot segment" },
		{ "GET https://x.test/a/./b", "dot segment" },
		{ "GET https://x.test/a/%2e%2E/b", "dot segment" },
		{ "GET https://x.test/a/..;x/b", "dot segment" },
		{ "GET https://x.test/..", "dot segment" },
		{ "GET https://x.test/a/***", "'***'" },
		{ "GET https://x.test/a\"b", "in the path" },
		{ "GET https://x.test/a<b", "in the path" },
		{ "GET https://x.test/a\\b", "in the path" },
		{ "GET https://x.test/a{b}", "in the path" },
		{ "GET https://x.test/b\xc3\xbc", "non-ASCII" },
		{ "GET https://x..test/", "empty label" },
		{ "GET https://ex ample.test/", "more than two words" },
	};
	struct policy *p = policy_new();
	char err[512];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		int r = policy_add(p, i % 2, cases[i].spec, "test", err, sizeof(err));
		ok(r == -1 && strncmp(err, "bad rule '", 10) == 0 && strstr(err, " \xe2\x80\x94 ") &&
			   strstr(err, cases[i].what),
		   "'%s' refused (%s): %s", cases[i].spec, cases[i].what, err);
	}
	is_int(policy_count(p), 0, "no bad rule was added");
	is_int(policy_has_request_rules(p), 0, "... and no request rule");
	/* A long path: refused with its length, not cut. */
	char spec[1200] = "GET https://x.test/";
	memset(spec + strlen(spec), 'a', 1100);
	ok(policy_add(p, true, spec, "test", err, sizeof(err)) == -1 && strstr(err, "longer than"),
	   "a path over 1024 bytes: %.80s", err);
	/* What did not change: one word is a pattern, as before. */
	policy_add(p, true, "a b.com", "x", err, sizeof(err));
	ok(strstr(err, ": ' '") != NULL, "'a b.com' is still a bad host name: %s", err);
	policy_add(p, true, "get", "x", err, sizeof(err));
	is_int(policy_count(p), 1, "'get' alone is a host name");
	policy_free(p);
}

/* ---- matching ------------------------------------------------------------------- */

static void test_request_match(void)
{
	struct policy *p;

	p = MK("allow GET,HEAD https://reg.test/", "allow POST https://reg.test/-/npm/v1/security/audits/quick",
	       "allow PUT https://reg.test/*", "allow DELETE https://reg.test/a/**/z",
	       "allow PATCH https://reg.test/p/*.tgz", "allow OPTIONS https://reg.test/x%7E/%2fy");
	is_int(rq(p, "reg.test", "GET", "/"), POLICY_ALLOW, "GET /");
	is_int(rq(p, "reg.test", "HEAD", "/a/b/c"), POLICY_ALLOW, "HEAD under the prefix");
	is_int(rq(p, "reg.test", "get", "/a"), POLICY_DENY, "methods are case-sensitive");
	is_int(rq(p, "reg.test", "GETX", "/a"), POLICY_DENY, "a method is a whole word");
	is_int(rq(p, "reg.test", "GE", "/a"), POLICY_DENY, "... not a prefix of one");
	is_int(rq(p, "reg.test", "POST", "/-/npm/v1/security/audits/quick"), POLICY_ALLOW, "POST: the exact path");
	is_int(rq(p, "reg.test", "POST", "/-/npm/v1/security/audits/quick?x=1"), POLICY_ALLOW,
	       "POST: a query left on is ignored");
	is_int(rq(p, "reg.test", "POST", "/-/npm/v1/security/audits/quick/"), POLICY_DENY,
	       "POST: the exact path only (no '/' after)");
	is_int(rq(p, "reg.test", "POST", "/-/npm/v1/security/audits"), POLICY_DENY, "POST: not a parent");
	is_int(rq(p, "reg.test", "POST", "/-/npm/v1/security/audits/quickx"), POLICY_DENY, "POST: not a longer name");
	is_int(rq(p, "reg.test", "PUT", "/pkg"), POLICY_ALLOW, "*: one segment");
	is_int(rq(p, "reg.test", "PUT", "/@scope%2fpkg"), POLICY_ALLOW, "*: an escaped slash is no '/'");
	is_int(rq(p, "reg.test", "PUT", "/pkg/-rev/1"), POLICY_DENY, "*: not across '/'");
	is_int(rq(p, "reg.test", "PUT", "/"), POLICY_ALLOW, "*: matches nothing too");
	is_int(rq(p, "reg.test", "DELETE", "/a/z"), POLICY_ALLOW, "/**/: one '/' too");
	is_int(rq(p, "reg.test", "DELETE", "/a//z"), POLICY_ALLOW, "/**/: nothing between the slashes");
	is_int(rq(p, "reg.test", "DELETE", "/a/bz"), POLICY_DENY, "/**/: after a run, the '/' is still needed");
	is_int(rq(p, "reg.test", "DELETE", "/az"), POLICY_DENY, "/**/: one '/' at least");
	is_int(rq(p, "reg.test", "DELETE", "/a/b/c/d/z"), POLICY_ALLOW, "**: across segments");
	is_int(rq(p, "reg.test", "DELETE", "/a/b/z/y"), POLICY_DENY, "**: the end must match");
	is_int(rq(p, "reg.test", "DELETE", "/b/a/z"), POLICY_DENY, "**: the start must match");
	is_int(rq(p, "reg.test", "PATCH", "/p/x-1.0.tgz"), POLICY_ALLOW, "*.tgz");
	is_int(rq(p, "reg.test", "PATCH", "/p/x/y.tgz"), POLICY_DENY, "*.tgz: one segment");
	is_int(rq(p, "reg.test", "PATCH", "/p/.tgz"), POLICY_ALLOW, "*.tgz: '*' empty");
	is_int(rq(p, "reg.test", "OPTIONS", "/x~/%2Fy"), POLICY_ALLOW, "escapes: %%7E is ~, %%2f is %%2F");
	is_int(rq(p, "reg.test", "OPTIONS", "/x%7e/%2fy"), POLICY_ALLOW, "escapes: the request's decoded too");
	is_int(rq(p, "reg.test", "OPTIONS", "/x~//y"), POLICY_DENY, "escapes: %%2F is not '/'");
	is_int(rq(p, "reg.test", "OPTIONS", "*"), POLICY_DENY, "OPTIONS *: only rules without a path");
	is_int(rq(p, "reg.test", "GET", "%2F"), POLICY_DENY, "not a path");
	is_int(rq(p, "other.test", "GET", "/"), POLICY_DENY, "another host");
	is_int(rq(p, "sub.reg.test", "GET", "/"), POLICY_ALLOW, "a subdomain (reg.test covers it)");
	is_int(policy_decide_request(p, "reg.test", 80, "GET", "/", NULL), POLICY_DENY, "https: not on port 80");
	policy_free(p);

	/* Letters in paths are case-sensitive; escapes' hex digits are not. */
	p = MK("allow GET https://x.test/Readme");
	is_int(rq(p, "x.test", "GET", "/Readme"), POLICY_ALLOW, "the path as written");
	is_int(rq(p, "x.test", "GET", "/readme"), POLICY_DENY, "paths are case-sensitive");
	is_int(rq(p, "x.test", "GET", "/%52eadme"), POLICY_ALLOW, "%%52 is R");
	policy_free(p);

	/* Dot segments never match an allow rule, a plain one included. */
	p = MK("allow GET https://x.test/pub/", "allow y.test", "deny PUT https://y.test/a");
	static const char *const dots[] = {
		"/pub/../priv", "/pub/./a", "/pub/%2e%2e/priv", "/pub/%2E./priv", "/pub/..;/priv",
		"/pub/.;x/a", "/pub/..", "/pub/a%2f..%2fpriv", "/pub/a%5C..%5Cpriv", "/pub/a\\..\\priv",
		"/pub/%zz", "/pub/%4", "/pub/a b", "/pub/\x01", "/pub/\xc3\xa9", "/pub/#x",
	};
	for (size_t i = 0; i < ARRAY_SIZE(dots); i++) {
		is_int(rq(p, "x.test", "GET", dots[i]), POLICY_DENY, "unsafe '%s': refused", dots[i]);
		is_int(rq(p, "y.test", "GET", dots[i]), POLICY_DENY, "unsafe '%s': a plain allow too", dots[i]);
		ok(policy_request_path_unsafe(dots[i]) != NULL, "'%s' is unsafe: %s", dots[i],
		   policy_request_path_unsafe(dots[i]));
	}
	static const char *const fine[] = { "/pub/a", "/pub/...", "/pub/.a", "/pub/a..", "/pub/..a;x", "/pub/%2e%2e%2e" };
	for (size_t i = 0; i < ARRAY_SIZE(fine); i++) {
		is_int(rq(p, "x.test", "GET", fine[i]), POLICY_ALLOW, "'%s' is no dot segment", fine[i]);
		ok(policy_request_path_unsafe(fine[i]) == NULL, "'%s' is safe", fine[i]);
	}
	is_str(policy_request_path_unsafe("/a/../b"), "the path has a '.' or '..' segment", "the reason");
	ok(policy_request_path_unsafe("*") == NULL && policy_request_path_unsafe("") == NULL,
	   "'*' and '' are judged by the rules");
	char longpath[9000];
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	is_int(rq(p, "x.test", "GET", longpath), POLICY_DENY, "a path over 8 KiB: refused");
	is_int(rq(p, "y.test", "GET", "*"), POLICY_ALLOW, "a plain rule: any target");
	is_int(rq(p, "y.test", "PUT", "*"), POLICY_DENY, "a deny rule with a path: '*' is refused under it");
	is_int(rq(p, "y.test", "PUT", "/pub/../a"), POLICY_DENY, "... and so is an unsafe path");
	policy_free(p);

	/* The automaton: many stars, long paths, no blow-up. */
	p = MK("allow GET https://x.test/*a*a*a*a*a*a*a*a*a*a*a*a*b", "allow GET https://y.test/**a**a**a**a**a**b");
	memset(longpath, 'a', 8000);
	longpath[0] = '/';
	longpath[8000] = '\0';
	is_int(rq(p, "x.test", "GET", longpath), POLICY_DENY, "stars: a long miss is quick");
	is_int(rq(p, "y.test", "GET", longpath), POLICY_DENY, "double stars: a long miss is quick");
	longpath[7999] = 'b';
	is_int(rq(p, "x.test", "GET", longpath), POLICY_ALLOW, "stars: a long hit");
	is_int(rq(p, "y.test", "GET", longpath), POLICY_ALLOW, "double stars: a long hit");
	policy_free(p);
}

/* ---- inspection, verdicts, credit ------------------------------------------------------- */

static void test_request_inspects(void)
{
	const struct policy_rule *r;
	struct policy *p;

	p = MK("allow plain.test", "allow GET,HEAD https://req.test/", "allow GET https://both.test/",
	       "allow both.test", "allow GET https://sub.test/", "allow =x.sub.test:443",
	       "allow GET https://denied.test/",
	       "deny denied.test", "allow watched.test", "deny PUT https://watched.test/",
	       "deny DELETE https://nowhere.test/");
	ok(policy_has_request_rules(p), "request rules");
	ok(!policy_inspects(p, "plain.test", 443), "a plain rule only: the fast path");
	ok(policy_inspects(p, "req.test", 443), "a request rule only: inspected");
	ok(policy_inspects(p, "a.req.test", 443), "... its subdomains too");
	ok(!policy_inspects(p, "req.test", 80), "... not a port it does not name");
	ok(!policy_inspects(p, "both.test", 443), "a plain rule allows it whole: not inspected");
	ok(!policy_inspects(p, "x.sub.test", 443), "a more specific plain rule: not inspected");
	ok(policy_inspects(p, "y.sub.test", 443), "... a sibling is");
	ok(!policy_inspects(p, "denied.test", 443), "a plain deny: refused, not inspected");
	ok(policy_inspects(p, "watched.test", 443), "a deny request rule under a plain allow: inspected");
	ok(!policy_inspects(p, "watched.test", 80), "... on its port only");
	ok(!policy_inspects(p, "nowhere.test", 8080), "a deny request rule on a refused connection: no");
	ok(!policy_inspects(p, "", 443) && !policy_inspects(p, NULL, 443) && !policy_inspects(NULL, "x", 443),
	   "no name, no policy: no");

	/* Connections: an allow request rule allows, a deny request rule does not deny. */
	is_int(policy_decide_name(p, "req.test", 443, &r), POLICY_ALLOW, "connection allowed by a request rule");
	is_str(rtext(r), "GET,HEAD https://req.test/", "... credited to it");
	is_int(dn(p, "watched.test", 443), POLICY_ALLOW, "a deny request rule does not refuse the connection");
	ok(policy_name_may_resolve(p, "req.test"), "DNS: a name allowed by a request rule resolves");
	ok(policy_name_may_resolve(p, "watched.test"), "DNS: a deny request rule does not stop it");
	is_int(dn(p, "denied.test", 443), POLICY_DENY, "a plain deny still refuses");
	policy_free(p);

	p = MK("allow GET https://star.test/", "allow *");
	ok(!policy_inspects(p, "star.test", 443), "'*' allows it whole: not inspected");
	policy_free(p);
	p = MK("allow GET https://star.test/", "allow *", "deny POST https://star.test/");
	ok(policy_inspects(p, "star.test", 443), "... unless a deny request rule names it");
	ok(!policy_inspects(p, "other.test", 443), "... and only that host");
	is_int(rq(p, "star.test", "POST", "/"), POLICY_DENY, "POST refused");
	is_int(rq(p, "star.test", "PUT", "/"), POLICY_ALLOW, "PUT allowed by '*'");
	policy_free(p);

	p = MK("allow GET x.test");
	ok(!policy_inspects(p, "x.test", 22), "not a port of the rule");
	ok(policy_inspects(p, "x.test", 80) && policy_inspects(p, "x.test", 443), "METHODS HOST: ports 80 and 443");
	policy_free(p);
	p = MK("allow x.test");
	ok(!policy_has_request_rules(p) && !policy_inspects(p, "x.test", 443), "no request rule: nothing inspected");
	policy_free(p);

	/* --learn's '*:*' does not allow a host whole: a learning run still
	 * inspects what a request rule names, and learns its requests. */
	p = MK("allow GET https://learn.test/");
	ok(policy_add(p, true, "*:*", "--learn", NULL, 0) == 0, "--learn's rule added");
	ok(policy_inspects(p, "learn.test", 443), "--learn: a host a request rule names is inspected");
	ok(!policy_inspects(p, "other.test", 443), "... other hosts are not");
	is_int(rq(p, "learn.test", "PUT", "/x"), POLICY_ALLOW, "... and every request is allowed (learning)");
	policy_free(p);
	p = MK("allow GET https://learn.test/");
	ok(policy_add(p, true, "*:*", "command line", NULL, 0) == 0, "the same rule from the command line");
	ok(!policy_inspects(p, "learn.test", 443), "... allows the host whole: not inspected");
	policy_free(p);
}

static void test_request_verdicts(void)
{
	const struct policy_rule *r;
	struct policy *p;

	/* Deny wins, plain or request, whatever the order and the specificity. */
	p = MK("deny PUT,DELETE https://reg.test/", "allow * https://reg.test/x/",
	       "allow PUT https://a.reg.test/p", "allow GET,PUT reg.test", "deny evil.reg.test",
	       "deny POST https://reg.test/-/", "allow POST reg.test");
	is_int(policy_decide_request(p, "reg.test", 443, "PUT", "/x/1", &r), POLICY_DENY, "a deny request rule wins");
	is_str(rtext(r), "PUT,DELETE https://reg.test/", "... and is credited");
	is_int(policy_decide_request(p, "a.reg.test", 443, "PUT", "/p", &r), POLICY_DENY,
	       "over a more specific allow too");
	is_int(policy_decide_request(p, "reg.test", 443, "GET", "/x/1", &r), POLICY_ALLOW, "GET: allowed");
	is_str(rtext(r), "GET,PUT reg.test", "... credited to the latest added matching rule of the name (paths do not rank)");
	is_int(policy_decide_request(p, "reg.test", 443, "GET", "/y", &r), POLICY_ALLOW, "GET elsewhere");
	is_str(rtext(r), "GET,PUT reg.test", "... by the methods-only rule");
	is_int(policy_decide_request(p, "reg.test", 443, "PATCH", "/x/1", &r), POLICY_ALLOW, "'*' methods");
	is_int(policy_decide_request(p, "reg.test", 443, "PATCH", "/y", &r), POLICY_DENY, "no rule: denied");
	ok(r == NULL, "... with no rule");
	is_int(policy_decide_request(p, "reg.test", 443, "POST", "/-/v1/login", &r), POLICY_DENY,
	       "a deny request rule on a prefix");
	is_str(rtext(r), "POST https://reg.test/-/", "... credited");
	is_int(policy_decide_request(p, "reg.test", 443, "POST", "/pkg", &r), POLICY_ALLOW, "POST elsewhere");
	is_int(policy_decide_request(p, "evil.reg.test", 443, "GET", "/", &r), POLICY_DENY, "a plain deny");
	is_str(rtext(r), "evil.reg.test", "... credited");
	is_int(policy_decide_request(p, "reg.test", 443, "", "/", &r), POLICY_DENY, "an empty method");
	is_int(policy_decide_request(p, "reg.test", 443, NULL, "/", &r), POLICY_DENY, "no method");
	is_int(policy_decide_request(p, "reg.test", 443, "GET", NULL, &r), POLICY_DENY, "no path");
	is_int(policy_decide_request(NULL, "reg.test", 443, "GET", "/", &r), POLICY_DENY, "no policy");
	policy_free(p);

	/* Credit: the most specific name, then the latest added (a profile's
	 * rules come before the command line's). */
	p = policy_new();
	char err[256];
	policy_add(p, true, "GET,HEAD https://registry.npmjs.org/", "npm.profile:5", err, sizeof(err));
	policy_add(p, true, "POST https://registry.npmjs.org/-/npm/v1/security/*", "npm.profile:6", err, sizeof(err));
	policy_add(p, true, "GET https://=api.npmjs.org/", "npm.profile:7", err, sizeof(err));
	policy_add(p, true, "GET https://npmjs.org/", "command line", err, sizeof(err));
	policy_add(p, true, "GET https://registry.npmjs.org/", "command line", err, sizeof(err));
	is_int(policy_decide_request(p, "registry.npmjs.org", 443, "GET", "/a", &r), POLICY_ALLOW, "GET");
	is_str(policy_rule_origin(r), "command line", "the same name twice: the later rule credited");
	is_int(policy_decide_request(p, "registry.npmjs.org", 443, "HEAD", "/a", &r), POLICY_ALLOW, "HEAD");
	is_str(policy_rule_origin(r), "npm.profile:5", "only the rule naming the method is");
	is_int(policy_decide_request(p, "registry.npmjs.org", 443, "POST", "/-/npm/v1/security/audits", &r),
	       POLICY_ALLOW, "POST");
	is_str(policy_rule_origin(r), "npm.profile:6", "only the rule naming the path is");
	is_int(policy_decide_request(p, "api.npmjs.org", 443, "GET", "/", &r), POLICY_ALLOW, "GET api");
	is_str(policy_rule_origin(r), "npm.profile:7", "a more specific name first, however early");
	is_int(policy_decide_request(p, "www.npmjs.org", 443, "GET", "/", &r), POLICY_ALLOW, "GET www");
	is_str(policy_rule_origin(r), "command line", "the domain rule for the rest");
	policy_free(p);
}

void test_request(void)
{
	test_request_parse();
	test_request_errors();
	test_request_match();
	test_request_inspects();
	test_request_verdicts();
}
