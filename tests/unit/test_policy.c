/* test_policy.c — unit tests of policy/ (policy.h): name normalisation and
 * punycode, the rule language and its errors, matching, deny-wins, address
 * classes, the three kinds of connection decision, DNS and listener
 * questions, reporting, and flat cost with 10,000 rules.  TAP output.
 *
 * This file: the helpers the two files share (test_policy.h), names, the
 * rule language (patterns, ports, errors), deny-wins, which rule is
 * credited, and reporting.
 * test_policy_decide.c: address classes, resolved names, DNS and listener
 * questions, and the cost at scale.  test_policy_request.c: request rules.
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "tap.h"
#include "util.h"
#include "test_policy.h"

/* ---- helpers ------------------------------------------------------------ */

/* A policy from lines "allow SPEC" / "deny SPEC"; NULL-terminated. */
struct policy *mk(const char *const *lines)
{
	struct policy *p = policy_new();
	char err[512];

	for (size_t i = 0; lines[i]; i++) {
		bool allow = strncmp(lines[i], "allow ", 6) == 0;
		const char *spec = lines[i] + (allow ? 6 : 5);

		if (policy_add(p, allow, spec, "test", err, sizeof(err)) < 0)
			ok(0, "rule '%s' accepted: %s", lines[i], err);
	}
	return p;
}

struct in6_addr A(const char *s)
{
	struct in6_addr a;

	if (policy_addr_parse(s, &a) < 0) {
		ok(0, "test address '%s' parses", s);
		memset(&a, 0, sizeof(a));
	}
	return a;
}

enum policy_verdict dn(const struct policy *p, const char *name, uint16_t port)
{
	return policy_decide_name(p, name, port, NULL);
}

enum policy_verdict da(const struct policy *p, const char *addr, uint16_t port)
{
	struct in6_addr a = A(addr);

	return policy_decide_addr(p, &a, port, NULL);
}

enum policy_verdict dr(const struct policy *p, const char *name, const char *addr,
			      uint16_t port)
{
	struct in6_addr a = A(addr);

	return policy_decide_resolved(p, name, &a, port, NULL);
}

const char *rtext(const struct policy_rule *r)
{
	return r ? policy_rule_text(r) : "(none)";
}

/* ---- names -------------------------------------------------------------- */

static void test_names(void)
{
	static const struct {
		const char *in, *out; /* out NULL: must fail */
	} cases[] = {
		{ "example.com", "example.com" },
		{ "Example.COM", "example.com" },
		{ "example.com.", "example.com" },
		{ "EXAMPLE.com.", "example.com" },
		{ "localhost", "localhost" },
		{ "_sip._tcp.example.com", "_sip._tcp.example.com" },
		{ "r3---sn-abc.googlevideo.com", "r3---sn-abc.googlevideo.com" },
		{ "xn--bcher-kva.example", "xn--bcher-kva.example" },
		{ "XN--BCHER-KVA.example", "xn--bcher-kva.example" },
		{ "bücher.example", "xn--bcher-kva.example" },
		{ "BÜCHER.example", "xn--bcher-kva.example" },
		{ "münchen.de", "xn--mnchen-3ya.de" },
		{ "München.DE.", "xn--mnchen-3ya.de" },
		{ "bücher-über.example", "xn--bcher-ber-q9af.example" },
		{ "straße.de", "xn--strae-oqa.de" },
		{ "ΕΛΛΗΝΙΚΆ.gr", "xn--hxargifdar.gr" },
		{ "ελληνικά.gr", "xn--hxargifdar.gr" },
		{ "παράδειγμα.δοκιμή", "xn--hxajbheg2az3al.xn--jxalpdlp" },
		{ "ИСПЫТАНИЕ.рф", "xn--80akhbyknj4f.xn--p1ai" },
		{ "почемужеонинеговорятпорусски.ru", "xn--b1abfaaepdrnnbgefbadotcwatmq2g4l.ru" },
		{ "他们为什么不说中文.cn", "xn--ihqwcrb4cv8a8dqg056pqjye.cn" },
		{ "İstanbul.tr", "xn--istanbul-o0e.tr" },
		{ "Ÿ.example", "xn--wda.example" },
		{ "Ĳ.example", "xn--efa.example" },
		{ "bücher。example", "xn--bcher-kva.example" },     /* U+3002 */
		{ "bücher．example", "xn--bcher-kva.example" },    /* U+FF0E */
		{ "a.b.c.d.e.f", "a.b.c.d.e.f" },
		/* errors */
		{ "", NULL },
		{ ".", NULL },
		{ "..", NULL },
		{ ".example.com", NULL },
		{ "example..com", NULL },
		{ "example.com..", NULL },
		{ "exa mple.com", NULL },
		{ "example.com/", NULL },
		{ "ex*ample.com", NULL },
		{ "exam:ple.com", NULL },
		{ "bü cher.example", NULL },
		{ "\xff.example", NULL },               /* invalid UTF-8 */
		{ "\xc3.example", NULL },               /* truncated */
		{ "\xc0\xaf.example", NULL },           /* overlong */
		{ "\xed\xa0\x80.example", NULL },       /* surrogate */
		{ "\xf4\x90\x80\x80.example", NULL },   /* above U+10FFFF */
		{ "a\xe2\x80\x8b" "b.example", NULL },  /* zero-width space */
		{ "a\xc2\xa0" "b.example", NULL },      /* no-break space */
		{ "a\xe2\x80\xae" "b.example", NULL },  /* right-to-left override */
	};
	char out[POLICY_NAME_MAX], lab[80], name[400];
	const char *got;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r = policy_name_normalize(cases[i].in, out, sizeof(out));

		got = r == 0 ? out : "(failed)";
		if (cases[i].out)
			is_str(got, cases[i].out, "normalise '%s'", cases[i].in);
		else
			is_int(r, -1, "normalise '%s' fails", cases[i].in);
	}

	/* Label and name length limits. */
	memset(lab, 'a', 63);
	lab[63] = '\0';
	snprintf(name, sizeof(name), "%s.com", lab);
	is_int(policy_name_normalize(name, out, sizeof(out)), 0, "63-byte label ok");
	snprintf(name, sizeof(name), "a%s.com", lab);
	is_int(policy_name_normalize(name, out, sizeof(out)), -1, "64-byte label refused");
	snprintf(name, sizeof(name), "%s.%s.%s.%.61s", lab, lab, lab, lab); /* 253 */
	is_int((int)strlen(name), 253, "253-byte name built");
	is_int(policy_name_normalize(name, out, sizeof(out)), 0, "253-byte name ok");
	snprintf(name, sizeof(name), "%s.%s.%s.%.61s.", lab, lab, lab, lab);
	is_int(policy_name_normalize(name, out, sizeof(out)), 0, "253-byte name + dot ok");
	snprintf(name, sizeof(name), "%s.%s.%s.%.62s", lab, lab, lab, lab); /* 254 */
	is_int(policy_name_normalize(name, out, sizeof(out)), -1, "254-byte name refused");
	/* A punycode label that grows past 63 bytes. */
	strcpy(name, "");
	for (int i = 0; i < 60; i++)
		strcat(name, "ü");
	strcat(name, ".de");
	is_int(policy_name_normalize(name, out, sizeof(out)), -1, "long IDN label refused");
	/* Small output buffer, aliasing. */
	is_int(policy_name_normalize("example.com", out, 11), -1, "too small buffer refused");
	is_int(policy_name_normalize("example.com", out, 12), 0, "exact buffer ok");
	strcpy(name, "BÜCHER.Example.");
	is_int(policy_name_normalize(name, name, sizeof(name)), 0, "in place");
	got = name;
	is_str(got, "xn--bcher-kva.example", "in place result");
	/* Idempotent. */
	policy_name_normalize("münchen.de", out, sizeof(out));
	policy_name_normalize(out, name, sizeof(name));
	ok(strcmp(name, out) == 0, "normalising twice changes nothing");
}

/* ---- pattern forms and ports --------------------------------------------- */

static void test_patterns(void)
{
	struct policy *p;

	p = MK("allow example.com");
	is_int(dn(p, "example.com", 443), POLICY_ALLOW, "domain: apex");
	is_int(dn(p, "www.example.com", 443), POLICY_ALLOW, "domain: subdomain");
	is_int(dn(p, "a.b.c.example.com", 80), POLICY_ALLOW, "domain: deep subdomain");
	is_int(dn(p, "example.org", 443), POLICY_DENY, "domain: other name");
	is_int(dn(p, "com", 443), POLICY_DENY, "domain: parent");
	is_int(dn(p, "evilexample.com", 443), POLICY_DENY, "domain: not a label suffix");
	is_int(dn(p, "example.com.evil.test", 443), POLICY_DENY, "domain: as a prefix");
	is_int(dn(p, "example.co", 443), POLICY_DENY, "domain: shorter");
	is_int(dn(p, "xexample.com", 443), POLICY_DENY, "domain: one more char");
	is_int(dn(p, "", 443), POLICY_DENY, "empty name");
	is_int(dn(p, NULL, 443), POLICY_DENY, "NULL name");
	policy_free(p);

	p = MK("allow allowed.test");
	is_int(dn(p, "allowed.test.evil.test", 443), POLICY_DENY, "allowed.test.evil.test denied");
	is_int(dn(p, "evilallowed.test", 443), POLICY_DENY, "evilallowed.test denied");
	is_int(dn(p, "allowed.test", 443), POLICY_ALLOW, "allowed.test allowed");
	is_int(dn(p, "x.allowed.test", 443), POLICY_ALLOW, "x.allowed.test allowed");
	policy_free(p);

	p = MK("allow =example.com");
	is_int(dn(p, "example.com", 443), POLICY_ALLOW, "exact: the name");
	is_int(dn(p, "www.example.com", 443), POLICY_DENY, "exact: no subdomain");
	policy_free(p);

	p = MK("allow *.example.com");
	is_int(dn(p, "example.com", 443), POLICY_DENY, "subdomains: not the apex");
	is_int(dn(p, "www.example.com", 443), POLICY_ALLOW, "subdomains: one level");
	is_int(dn(p, "a.b.example.com", 443), POLICY_ALLOW, "subdomains: two levels");
	is_int(dn(p, "wwwexample.com", 443), POLICY_DENY, "subdomains: not a label suffix");
	policy_free(p);

	p = MK("allow *");
	is_int(dn(p, "anything.test", 443), POLICY_ALLOW, "*: any name on 443");
	is_int(dn(p, "anything.test", 80), POLICY_ALLOW, "*: any name on 80");
	is_int(dn(p, "anything.test", 22), POLICY_DENY, "*: default ports only");
	is_int(da(p, "192.0.2.1", 443), POLICY_ALLOW, "*: public address");
	is_int(da(p, "2001:db8::1", 443), POLICY_ALLOW, "*: public IPv6 address");
	is_int(da(p, "10.1.2.3", 443), POLICY_DENY, "*: not a private address");
	is_int(da(p, "127.0.0.1", 443), POLICY_DENY, "*: not loopback");
	is_int(da(p, "169.254.169.254", 80), POLICY_DENY, "*: not link-local");
	is_int(da(p, "::1", 443), POLICY_DENY, "*: not ::1");
	is_int(da(p, "fd00::1", 443), POLICY_DENY, "*: not ULA");
	is_int(da(p, "64:ff9b::7f00:1", 443), POLICY_DENY, "*: not NAT64 loopback");
	is_int(da(p, "::ffff:0:7f00:1", 443), POLICY_DENY, "*: not SIIT loopback");
	policy_free(p);

	p = MK("allow BÜCHER.example.", "allow =München.de:8080");
	is_int(dn(p, "xn--bcher-kva.example", 443), POLICY_ALLOW, "IDN rule matches punycode name");
	is_int(dn(p, "www.xn--bcher-kva.example", 443), POLICY_ALLOW, "IDN rule covers subdomains");
	is_int(dn(p, "xn--mnchen-3ya.de", 8080), POLICY_ALLOW, "IDN exact rule with port");
	is_int(dn(p, "xn--mnchen-3ya.de", 443), POLICY_DENY, "IDN exact rule, other port");
	policy_free(p);

	p = MK("allow Example.COM.:8443");
	is_int(dn(p, "example.com", 8443), POLICY_ALLOW, "case and trailing dot in rule");
	policy_free(p);

	/* Ports. */
	p = MK("allow a.test", "allow b.test:443", "allow c.test:80,443,8080", "allow d.test:8000-8100",
	       "allow e.test:*", "allow f.test:22,1000-1002,65535", "allow g.test:5-5,3,4,1-2");
	is_int(dn(p, "a.test", 80), POLICY_ALLOW, "default ports: 80");
	is_int(dn(p, "a.test", 443), POLICY_ALLOW, "default ports: 443");
	is_int(dn(p, "a.test", 8080), POLICY_DENY, "default ports: not 8080");
	is_int(dn(p, "b.test", 443), POLICY_ALLOW, "single port");
	is_int(dn(p, "b.test", 80), POLICY_DENY, "single port: not 80");
	is_int(dn(p, "c.test", 8080), POLICY_ALLOW, "list: 8080");
	is_int(dn(p, "c.test", 81), POLICY_DENY, "list: not 81");
	is_int(dn(p, "d.test", 8000), POLICY_ALLOW, "range: low end");
	is_int(dn(p, "d.test", 8100), POLICY_ALLOW, "range: high end");
	is_int(dn(p, "d.test", 8050), POLICY_ALLOW, "range: inside");
	is_int(dn(p, "d.test", 7999), POLICY_DENY, "range: below");
	is_int(dn(p, "d.test", 8101), POLICY_DENY, "range: above");
	is_int(dn(p, "e.test", 1), POLICY_ALLOW, "*: port 1");
	is_int(dn(p, "e.test", 65535), POLICY_ALLOW, "*: port 65535");
	is_int(dn(p, "e.test", 0), POLICY_DENY, "*: not port 0");
	is_int(dn(p, "f.test", 1001), POLICY_ALLOW, "mixed list: range item");
	is_int(dn(p, "f.test", 65535), POLICY_ALLOW, "mixed list: 65535");
	is_int(dn(p, "f.test", 1003), POLICY_DENY, "mixed list: outside");
	for (uint16_t port = 1; port <= 5; port++)
		is_int(dn(p, "g.test", port), POLICY_ALLOW, "merged list: port %u", port);
	is_int(dn(p, "g.test", 6), POLICY_DENY, "merged list: port 6");
	policy_free(p);

	/* IP and CIDR rules. */
	p = MK("allow 192.0.2.10", "allow 10.0.0.0/8:5432", "allow [2001:db8::1]:8443",
	       "allow 2001:db8:1::/48", "allow [2001:db8:2::/64]:22", "allow [2001:db8:3::]/64:23",
	       "allow 127.0.0.1:3000", "allow ::1", "allow 198.51.100.0/24:*", "allow 203.0.113.7/32");
	is_int(da(p, "192.0.2.10", 443), POLICY_ALLOW, "IPv4 address, default port");
	is_int(da(p, "192.0.2.10", 22), POLICY_DENY, "IPv4 address, other port");
	is_int(da(p, "192.0.2.11", 443), POLICY_DENY, "IPv4 address, other address");
	is_int(da(p, "10.200.0.1", 5432), POLICY_ALLOW, "IPv4 CIDR");
	is_int(da(p, "11.0.0.1", 5432), POLICY_DENY, "outside IPv4 CIDR");
	is_int(da(p, "2001:db8::1", 8443), POLICY_ALLOW, "bracketed IPv6 with port");
	is_int(da(p, "2001:db8::1", 443), POLICY_DENY, "bracketed IPv6: only its port");
	is_int(da(p, "2001:db8:1:ffff::9", 443), POLICY_ALLOW, "unbracketed IPv6 CIDR");
	is_int(da(p, "2001:db8:2::5", 22), POLICY_ALLOW, "[CIDR]:port");
	is_int(da(p, "2001:db8:3::5", 23), POLICY_ALLOW, "[net]/len:port");
	is_int(da(p, "2001:db8:2:1::5", 22), POLICY_DENY, "outside IPv6 CIDR");
	is_int(da(p, "127.0.0.1", 3000), POLICY_ALLOW, "explicit loopback rule");
	is_int(da(p, "127.0.0.1", 3001), POLICY_DENY, "explicit loopback rule, other port");
	is_int(da(p, "::1", 80), POLICY_ALLOW, "explicit ::1 rule");
	is_int(da(p, "198.51.100.77", 1234), POLICY_ALLOW, "CIDR with * ports");
	is_int(da(p, "203.0.113.7", 443), POLICY_ALLOW, "/32 CIDR");
	is_int(da(p, "::ffff:192.0.2.10", 443), POLICY_ALLOW, "mapped form of an IPv4 rule");
	is_int(dn(p, "192.0.2.10", 443), POLICY_DENY, "IP rules do not match names");
	policy_free(p);

	/* IPv6 rules do not match IPv4; /0 rules are public only. */
	p = MK("allow ::/1", "allow 0.0.0.0/0:8080", "allow [::/0]:9090");
	is_int(da(p, "::ffff:10.0.0.1", 443), POLICY_DENY, "::/1 does not match IPv4");
	is_int(da(p, "192.0.2.1", 8080), POLICY_ALLOW, "0.0.0.0/0: public IPv4");
	is_int(da(p, "10.0.0.1", 8080), POLICY_DENY, "0.0.0.0/0: not private");
	is_int(da(p, "127.0.0.1", 8080), POLICY_DENY, "0.0.0.0/0: not loopback");
	is_int(da(p, "2001:db8::1", 8080), POLICY_DENY, "0.0.0.0/0: not IPv6");
	is_int(da(p, "2001:db8::1", 9090), POLICY_ALLOW, "::/0: public IPv6");
	is_int(da(p, "fe80::1", 9090), POLICY_DENY, "::/0: not link-local");
	is_int(da(p, "192.0.2.1", 9090), POLICY_DENY, "::/0: not IPv4");
	policy_free(p);

	p = MK("allow [::ffff:0:0/96]:7000", "allow [::ffff:10.0.0.0/104]:7001");
	is_int(da(p, "192.0.2.1", 7000), POLICY_ALLOW, "::ffff:0:0/96 is IPv4's /0: public");
	is_int(da(p, "127.0.0.1", 7000), POLICY_DENY, "::ffff:0:0/96 is IPv4's /0: not loopback");
	is_int(da(p, "10.1.1.1", 7001), POLICY_ALLOW, "mapped CIDR rule matches IPv4");
	policy_free(p);

	/* Unbracketed IPv6 has no port part. */
	p = MK("allow ::1:443");
	is_int(da(p, "::1:443", 80), POLICY_ALLOW, "::1:443 is an address");
	is_int(da(p, "::1", 443), POLICY_DENY, "::1:443 is not ::1 port 443");
	policy_free(p);
}

/* ---- deny wins, reported rule ---------------------------------------------- */

static void test_deny_wins(void)
{
	const struct policy_rule *r;
	struct policy *p;
	struct in6_addr a;

	p = MK("allow example.com", "deny ads.example.com", "allow =ads.example.com:8080",
	       "deny example.com:80");
	is_int(dn(p, "www.example.com", 443), POLICY_ALLOW, "allowed subdomain");
	is_int(policy_decide_name(p, "ads.example.com", 443, &r), POLICY_DENY, "denied subdomain");
	is_str(rtext(r), "ads.example.com", "deny rule reported");
	is_int(dn(p, "x.ads.example.com", 443), POLICY_DENY, "deny covers its subdomains");
	is_int(dn(p, "ads.example.com", 8080), POLICY_ALLOW, "deny rule's ports only");
	is_int(dn(p, "www.example.com", 80), POLICY_DENY, "deny on a port");
	is_int(policy_decide_name(p, "www.example.com", 443, &r), POLICY_ALLOW, "allowed");
	is_str(rtext(r), "example.com", "allow rule reported");
	is_str(policy_rule_origin(r), "test", "origin reported");
	is_int(policy_decide_name(p, "nothing.test", 443, &r), POLICY_DENY, "no rule");
	ok(r == NULL, "no rule reported");
	policy_free(p);

	/* Deny wins whatever the order; the most specific rule is reported. */
	p = MK("deny evil.com", "allow *", "allow www.evil.com", "allow =evil.com");
	is_int(dn(p, "evil.com", 443), POLICY_DENY, "deny before allows");
	is_int(dn(p, "www.evil.com", 443), POLICY_DENY, "deny beats a more specific allow");
	is_int(policy_decide_name(p, "good.com", 443, &r), POLICY_ALLOW, "* allows the rest");
	is_str(rtext(r), "*", "* reported");
	policy_free(p);
	p = MK("allow *", "allow www.good.com", "allow good.com");
	policy_decide_name(p, "www.good.com", 443, &r);
	is_str(rtext(r), "www.good.com", "longest matching name reported");
	policy_decide_name(p, "a.good.com", 443, &r);
	is_str(rtext(r), "good.com", "name rule before *");
	policy_free(p);

	p = MK("allow *", "deny *.evil.com:*");
	is_int(dn(p, "evil.com", 443), POLICY_ALLOW, "*.evil.com deny leaves the apex");
	is_int(dn(p, "a.evil.com", 443), POLICY_DENY, "*.evil.com deny");
	policy_free(p);

	/* Deny '*' denies every name and public address but not explicit IPs. */
	p = MK("deny *:*", "allow example.com", "allow 10.0.0.1", "allow 192.0.2.1");
	is_int(dn(p, "example.com", 443), POLICY_DENY, "deny * beats name allow");
	is_int(da(p, "10.0.0.1", 443), POLICY_ALLOW, "deny * leaves private addresses");
	is_int(da(p, "192.0.2.1", 443), POLICY_DENY, "deny * denies public addresses");
	policy_free(p);

	/* Address deny rules, including embedded IPv4. */
	p = MK("allow *:*", "allow 127.0.0.0/8:*", "deny 127.0.0.1:*", "deny 192.0.2.0/24",
	       "deny 2001:db8:bad::/48", "allow [64:ff9b::/96]:*", "allow [2002::/16]:*", "allow [::/96]:*");
	is_int(da(p, "127.0.0.2", 22), POLICY_ALLOW, "loopback allowed by CIDR");
	is_int(policy_decide_addr(p, (a = A("127.0.0.1"), &a), 22, &r), POLICY_DENY, "deny host in allowed CIDR");
	is_str(rtext(r), "127.0.0.1:*", "address deny rule reported");
	is_int(da(p, "64:ff9b::7f00:1", 22), POLICY_DENY, "deny covers NAT64 form");
	is_int(da(p, "64:ff9b:1::7f00:1", 22), POLICY_DENY, "deny covers NAT64 local-use form");
	is_int(da(p, "2002:7f00:1::1", 22), POLICY_DENY, "deny covers 6to4 form");
	is_int(da(p, "::127.0.0.1", 22), POLICY_DENY, "deny covers IPv4-compatible form");
	is_int(da(p, "64:ff9b::7f00:2", 22), POLICY_ALLOW, "NAT64 form of another loopback is allowed by its rule");
	is_int(da(p, "192.0.2.5", 443), POLICY_DENY, "deny public CIDR beats *");
	is_int(da(p, "64:ff9b::c000:205", 443), POLICY_DENY, "deny public CIDR, NAT64 form");
	is_int(da(p, "192.0.2.5", 22), POLICY_ALLOW, "deny CIDR default ports only");
	is_int(da(p, "2001:db8:bad:1::1", 443), POLICY_DENY, "deny IPv6 CIDR");
	is_int(da(p, "2001:db8:bad:1::1", 8443), POLICY_ALLOW, "deny IPv6 CIDR, other port");
	policy_free(p);
}

/* ---- the rule credited: the command line's over a profile's ------------------------ */

static void add(struct policy *p, bool allow, const char *spec, const char *origin)
{
	char err[512];

	if (policy_add(p, allow, spec, origin, err, sizeof(err)) < 0)
		ok(0, "rule '%s' accepted: %s", spec, err);
}

/* The origin of the rule a decision reports, "(none)" for none. */
static const char *rorigin(const struct policy_rule *r)
{
	return r ? policy_rule_origin(r) : "(none)";
}

static void test_credit(void)
{
	const struct policy_rule *r;
	struct policy *p = policy_new();
	struct in6_addr a = A("203.0.113.7");

	/* The launcher adds a profile's rules first, then the command line's. */
	add(p, true, "registry.npmjs.org", "npm.profile:5");
	add(p, true, "=registry.yarnpkg.com", "yarn.profile:6");
	add(p, true, "10.0.0.0/8:5432", "db.profile:1");
	add(p, true, "*:22", "ssh.profile:1");
	add(p, true, "registry.npmjs.org:8080", "npm.profile:9");
	add(p, true, "registry.npmjs.org", "command line");
	add(p, true, "registry.yarnpkg.com", "command line");
	add(p, true, "10.0.0.0/8:5432", "command line");
	add(p, true, "*:22", "command line");
	is_int(policy_decide_name(p, "registry.npmjs.org", 443, &r), POLICY_ALLOW, "allowed twice");
	is_str(rorigin(r), "command line", "the same rule twice: the later one credited");
	ok(policy_name_may_resolve_rule(p, "registry.npmjs.org", &r), "resolves");
	is_str(rorigin(r), "command line", "DNS: the later rule credited");
	is_int(policy_decide_resolved(p, "registry.npmjs.org", &a, 443, &r), POLICY_ALLOW, "resolved");
	is_str(rorigin(r), "command line", "resolved: the later rule credited");
	is_int(policy_decide_name(p, "registry.npmjs.org", 8080, &r), POLICY_ALLOW, "other port");
	is_str(rorigin(r), "npm.profile:9", "only the rule naming the port is credited");
	is_int(policy_decide_name(p, "registry.yarnpkg.com", 443, &r), POLICY_ALLOW, "exact and domain");
	is_str(rtext(r), "registry.yarnpkg.com", "=name and name are as specific: the later one");
	is_int(policy_decide_name(p, "x.registry.yarnpkg.com", 443, &r), POLICY_ALLOW, "subdomain");
	is_str(rorigin(r), "command line", "a subdomain: only the domain rule matches");
	is_int(policy_decide_addr(p, (a = A("10.1.2.3"), &a), 5432, &r), POLICY_ALLOW, "CIDR twice");
	is_str(rorigin(r), "command line", "the same network twice: the later one credited");
	is_int(policy_decide_name(p, "ssh.example", 22, &r), POLICY_ALLOW, "* twice");
	is_str(rorigin(r), "command line", "'*' twice: the later one credited");
	is_int(policy_decide_addr(p, (a = A("198.51.100.1"), &a), 22, &r), POLICY_ALLOW, "* address");
	is_str(rorigin(r), "command line", "'*' for an address: the later one credited");
	policy_free(p);

	/* Specificity first, as paths apply parents first: a profile's more
	 * specific rule is still the one reported. */
	p = policy_new();
	add(p, true, "=api.example.com", "tool.profile:2");
	add(p, true, "example.com", "command line");
	policy_decide_name(p, "api.example.com", 443, &r);
	is_str(rorigin(r), "tool.profile:2", "a more specific profile rule is credited");
	policy_decide_name(p, "www.example.com", 443, &r);
	is_str(rorigin(r), "command line", "the command line's covers the rest");
	policy_free(p);

	/* Deny still wins whatever the order; among denials, the later. */
	p = policy_new();
	add(p, false, "evil.test", "a.profile:1");
	add(p, true, "evil.test", "command line");
	add(p, false, "evil.test", "command line");
	is_int(policy_decide_name(p, "evil.test", 443, &r), POLICY_DENY, "deny wins over a later allow");
	is_str(rorigin(r), "command line", "the later deny credited");
	ok(!policy_name_may_resolve_rule(p, "evil.test", &r), "denied name does not resolve");
	is_str(rorigin(r), "command line", "DNS: the later deny credited");
	policy_free(p);
	p = policy_new();
	add(p, true, "evil.test", "a.profile:1");
	add(p, false, "evil.test", "a.profile:2");
	add(p, true, "evil.test", "command line");
	is_int(policy_decide_name(p, "evil.test", 443, &r), POLICY_DENY, "an allow after a deny: still denied");
	is_str(rorigin(r), "a.profile:2", "the deny credited");
	policy_free(p);
}

/* ---- errors ----------------------------------------------------------------------- */

static void test_errors(void)
{
	static const char *const bad[] = {
		"", ":", ":443", "example.com:", "example.com:0", "example.com:65536",
		"example.com:99999999999", "example.com:80,", "example.com:,80", "example.com:80,,443",
		"example.com:8100-8000", "example.com:-80", "example.com:80-", "example.com:http",
		"example.com:80,*", "example.com: 80", "example.com:+80", "example.com:80-90-100",
		"example..com", ".example.com", "example.com..", "exa mple.com", "ex*ample.com",
		"*example.com", "*.*.example.com", "**", "*.", "=", "=*.example.com", "a.*.b",
		"=1.2.3.4", "*.10.0.0.0", "1.2.3", "1.2.3.4.5", "256.1.1.1", "010.0.0.1",
		"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8",
		"10.0.0.0/x", "example.com/24", "2001:db8::1/32", "2001:db8::/129", "2001:db8::/",
		"[2001:db8::1", "[2001:db8::1]443", "[2001:db8::1]:", "[]:443", "[example.com]:443",
		"[10.0.0.1]:443", "2001:db8::g", "fe80::1%eth0", "example.com:80:443",
		"[2001:db8::1]:0", "[2001:db8::1]/129:443", "bü\xff.example", "a\xe2\x80\x8b.com",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
		"example.com\n", "\x01",
	};
	struct policy *p = policy_new();
	char err[512];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		int r = policy_add(p, i % 2, bad[i], "test", err, sizeof(err));
		ok(r == -1 && strncmp(err, "bad rule '", 10) == 0 && strstr(err, "': ") &&
			   strstr(err, " \xe2\x80\x94 "),
		   "bad spec %zu refused: %s", i, err);
	}
	is_int(policy_count(p), 0, "no bad rule was added");
	ok(policy_add(p, true, NULL, "test", err, sizeof(err)) == -1, "NULL spec refused");
	ok(policy_add(p, true, "", "test", NULL, 0) == -1, "no error buffer is fine");
	ok(policy_add(p, true, "example.com:0", "test", err, 8) == -1 && strlen(err) == 7,
	   "short error buffer truncated");
	ok(policy_add(NULL, true, "example.com", "test", err, sizeof(err)) == -1, "NULL policy");

	char longspec[600];
	memset(longspec, 'a', 590);
	strcpy(longspec + 590, ".com:0");
	ok(policy_add(p, true, longspec, "x", err, sizeof(err)) == -1 && strstr(err, "...'") &&
		   strlen(err) < 400, "long spec shortened in the message: %.60s...", err);
	policy_add(p, true, "a\xe2\x80\x8b.com", "x", err, sizeof(err));
	ok(strstr(err, "'a<U+200B>.com'") && strstr(err, ": U+200B"), "invisible character shown: %s", err);
	policy_add(p, true, "a b.com", "x", err, sizeof(err));
	ok(strstr(err, ": ' '") != NULL, "bad character shown: %s", err);
	policy_add(p, true, "2001:db8::/32:443", "x", err, sizeof(err));
	ok(strstr(err, "[2001:db8::/32]:443") != NULL, "IPv6 CIDR with port: brackets suggested: %s", err);
	policy_add(p, true, "10.0.0.1/8", "x", err, sizeof(err));
	ok(strstr(err, "10.0.0.0/8") != NULL, "host bits message suggests the network: %s", err);
	policy_add(p, true, "example.com:9000-8000", "x", err, sizeof(err));
	ok(strstr(err, "reversed") != NULL, "reversed range message: %s", err);

	/* Good specs that look odd. */
	static const char *const good[] = {
		"*", "*:*", "*:443", "com", "localhost", "_dmarc.example.com", "example.com.",
		"0.0.0.0/0", "::/0", "::", "[::]:80", "[::1]:443", "::ffff:1.2.3.4", "[2001:db8::]/32:443",
		"1.2.3.4/32", "example.com:1-65535", "example.com:443,80,443", "x.test:00443",
	};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		ok(policy_add(p, true, good[i], "test", err, sizeof(err)) == 0, "good spec '%s': %s",
		   good[i], err);
	is_int(policy_count(p), ARRAY_SIZE(good), "good specs counted");
	policy_free(p);
}

/* ---- reporting -------------------------------------------------------------------- */

struct walk {
	char text[256];
	int n, stop_at;
};

static int walk_cb(const struct policy_rule *r, void *arg)
{
	struct walk *w = arg;

	snprintf(w->text + strlen(w->text), sizeof(w->text) - strlen(w->text), "%s%s %s (%s)",
		 w->n ? "; " : "", policy_rule_is_allow(r) ? "allow" : "deny", policy_rule_text(r),
		 policy_rule_origin(r));
	return ++w->n == w->stop_at ? 42 : 0;
}

static void test_reporting(void)
{
	struct policy *p = policy_new();
	struct walk w = { .stop_at = 0 };
	char err[256];

	is_int(policy_count(p), 0, "new policy is empty");
	is_int(dn(p, "example.com", 443), POLICY_DENY, "empty policy denies");
	is_int(da(p, "192.0.2.1", 443), POLICY_DENY, "empty policy denies addresses");
	policy_add(p, true, "Example.COM:443", "command line", err, sizeof(err));
	policy_add(p, false, "10.0.0.0/8", "npm.profile:3", err, sizeof(err));
	policy_add(p, true, "*", NULL, err, sizeof(err));
	is_int(policy_count(p), 3, "three rules");
	is_int(policy_foreach_rule(p, walk_cb, &w), 0, "walk returns 0");
	is_str(w.text, "allow Example.COM:443 (command line); deny 10.0.0.0/8 (npm.profile:3); allow * ()",
	       "rules walked in order, text as written");
	w = (struct walk){ .stop_at = 2 };
	is_int(policy_foreach_rule(p, walk_cb, &w), 42, "walk stops on non-zero");
	is_int(w.n, 2, "walk stopped after 2");
	policy_free(p);
	policy_free(NULL);
}

int main(void)
{
	test_names();
	test_patterns();
	test_deny_wins();
	test_credit();
	test_classes();
	test_resolved();
	test_dns_and_ports();
	test_catchall();
	test_errors();
	test_reporting();
	test_request();
	test_scale();
	return tap_done();
}
