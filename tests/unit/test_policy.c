/* test_policy.c — unit tests of policy/ (policy.h): name normalisation and
 * punycode, the rule language and its errors, matching, deny-wins, address
 * classes, the three kinds of connection decision, DNS and listener
 * questions, reporting, and flat cost with 10,000 rules.  TAP output.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bitmap.h"
#include "policy/policy.h"
#include "tap.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------ */

/* A policy from lines "allow SPEC" / "deny SPEC"; NULL-terminated. */
static struct policy *mk(const char *const *lines)
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
#define MK(...) mk((const char *const[]){ __VA_ARGS__, NULL })

static struct in6_addr A(const char *s)
{
	struct in6_addr a;

	if (policy_addr_parse(s, &a) < 0) {
		ok(0, "test address '%s' parses", s);
		memset(&a, 0, sizeof(a));
	}
	return a;
}

static enum policy_verdict dn(const struct policy *p, const char *name, uint16_t port)
{
	return policy_decide_name(p, name, port, NULL);
}

static enum policy_verdict da(const struct policy *p, const char *addr, uint16_t port)
{
	struct in6_addr a = A(addr);

	return policy_decide_addr(p, &a, port, NULL);
}

static enum policy_verdict dr(const struct policy *p, const char *name, const char *addr,
			      uint16_t port)
{
	struct in6_addr a = A(addr);

	return policy_decide_resolved(p, name, &a, port, NULL);
}

static const char *rtext(const struct policy_rule *r)
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

/* ---- address classes -------------------------------------------------------- */

static void test_classes(void)
{
	static const struct {
		const char *addr;
		enum policy_addr_class cls;
	} cases[] = {
		{ "8.8.8.8", POLICY_ADDR_PUBLIC },
		{ "142.250.1.1", POLICY_ADDR_PUBLIC },
		{ "192.0.2.1", POLICY_ADDR_PUBLIC },
		{ "198.51.100.1", POLICY_ADDR_PUBLIC },
		{ "203.0.113.1", POLICY_ADDR_PUBLIC },
		{ "2001:db8::1", POLICY_ADDR_PUBLIC },
		{ "2606:4700::1111", POLICY_ADDR_PUBLIC },
		{ "127.0.0.1", POLICY_ADDR_LOOPBACK },
		{ "127.255.255.254", POLICY_ADDR_LOOPBACK },
		{ "::1", POLICY_ADDR_LOOPBACK },
		{ "169.254.169.254", POLICY_ADDR_LINKLOCAL },
		{ "169.254.0.1", POLICY_ADDR_LINKLOCAL },
		{ "fe80::1", POLICY_ADDR_LINKLOCAL },
		{ "febf::1", POLICY_ADDR_LINKLOCAL },
		{ "0.0.0.0", POLICY_ADDR_UNSPECIFIED },
		{ "0.1.2.3", POLICY_ADDR_UNSPECIFIED },
		{ "::", POLICY_ADDR_UNSPECIFIED },
		{ "224.0.0.1", POLICY_ADDR_MULTICAST },
		{ "239.255.255.250", POLICY_ADDR_MULTICAST },
		{ "ff02::1", POLICY_ADDR_MULTICAST },
		{ "240.0.0.1", POLICY_ADDR_RESERVED },
		{ "255.255.255.255", POLICY_ADDR_RESERVED },
		{ "10.0.0.1", POLICY_ADDR_PRIVATE },
		{ "172.16.0.1", POLICY_ADDR_PRIVATE },
		{ "172.31.255.255", POLICY_ADDR_PRIVATE },
		{ "172.32.0.1", POLICY_ADDR_PUBLIC },
		{ "172.15.255.255", POLICY_ADDR_PUBLIC },
		{ "192.168.1.1", POLICY_ADDR_PRIVATE },
		{ "100.64.0.1", POLICY_ADDR_PRIVATE },
		{ "100.127.255.255", POLICY_ADDR_PRIVATE },
		{ "100.128.0.1", POLICY_ADDR_PUBLIC },
		{ "198.18.0.1", POLICY_ADDR_PRIVATE },
		{ "198.19.255.255", POLICY_ADDR_PRIVATE },
		{ "198.20.0.1", POLICY_ADDR_PUBLIC },
		{ "fc00::1", POLICY_ADDR_PRIVATE },
		{ "fd00:ec2::254", POLICY_ADDR_LINKLOCAL },
		{ "fd00:ec2::253", POLICY_ADDR_PRIVATE },
		{ "fd12:3456::1", POLICY_ADDR_PRIVATE },
		{ "fec0::1", POLICY_ADDR_PRIVATE },
		/* IPv4 inside IPv6 */
		{ "::ffff:127.0.0.1", POLICY_ADDR_LOOPBACK },
		{ "::127.0.0.1", POLICY_ADDR_LOOPBACK },
		{ "64:ff9b::127.0.0.1", POLICY_ADDR_LOOPBACK },
		{ "64:ff9b::7f00:1", POLICY_ADDR_LOOPBACK },
		{ "64:ff9b:1::7f00:1", POLICY_ADDR_LOOPBACK },
		{ "64:ff9b:1:ffff:ffff:ffff:7f00:1", POLICY_ADDR_LOOPBACK },
		{ "2002:7f00:1::", POLICY_ADDR_LOOPBACK },
		{ "2002:7f00:1:1234::5", POLICY_ADDR_LOOPBACK },
		{ "::ffff:169.254.169.254", POLICY_ADDR_LINKLOCAL },
		{ "::169.254.169.254", POLICY_ADDR_LINKLOCAL },
		{ "64:ff9b::a9fe:a9fe", POLICY_ADDR_LINKLOCAL },
		{ "64:ff9b:1::a9fe:a9fe", POLICY_ADDR_LINKLOCAL },
		{ "2002:a9fe:a9fe::1", POLICY_ADDR_LINKLOCAL },
		{ "64:ff9b::a00:1", POLICY_ADDR_PRIVATE },
		{ "2002:c0a8:101::1", POLICY_ADDR_PRIVATE },
		{ "64:ff9b::808:808", POLICY_ADDR_PUBLIC },
		{ "2002:808:808::1", POLICY_ADDR_PUBLIC },
		{ "::ffff:0.0.0.0", POLICY_ADDR_UNSPECIFIED },
		{ "::0.0.0.2", POLICY_ADDR_UNSPECIFIED },
		{ "64:ff9b::e000:1", POLICY_ADDR_MULTICAST },
		{ "::ffff:255.255.255.255", POLICY_ADDR_RESERVED },
		{ "64:ff9b:2::7f00:1", POLICY_ADDR_PUBLIC }, /* outside both NAT64 prefixes */
	};
	char buf[POLICY_ADDR_STRLEN];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct in6_addr a = A(cases[i].addr);

		is_str(policy_addr_class_name(policy_addr_class(&a)),
		       policy_addr_class_name(cases[i].cls), "class of %s", cases[i].addr);
	}
	is_str(policy_addr_class_name(POLICY_ADDR_LINKLOCAL), "link-local", "class name");

	/* Text and sockaddr conversions. */
	struct in6_addr a = A("192.0.2.1"), b;
	is_str(policy_addr_str(&a, buf, sizeof(buf)), "192.0.2.1", "IPv4 printed dotted");
	a = A("::ffff:10.0.0.1");
	is_str(policy_addr_str(&a, buf, sizeof(buf)), "10.0.0.1", "mapped printed dotted");
	a = A("2001:DB8::1");
	is_str(policy_addr_str(&a, buf, sizeof(buf)), "2001:db8::1", "IPv6 printed");
	ok(policy_addr_parse("1.2.3", &a) < 0, "1.2.3 does not parse");
	ok(policy_addr_parse("[::1]", &a) < 0, "[::1] does not parse");

	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(443) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(8443) };
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t port = 0;

	inet_pton(AF_INET, "169.254.169.254", &sin.sin_addr);
	is_int(policy_addr_from_sockaddr((struct sockaddr *)&sin, sizeof(sin), &a, &port), 0, "sockaddr_in");
	is_int(port, 443, "sockaddr_in port");
	ok(IN6_IS_ADDR_V4MAPPED(&a), "sockaddr_in gives a mapped address");
	is_str(policy_addr_str(&a, buf, sizeof(buf)), "169.254.169.254", "sockaddr_in address");
	is_int(policy_addr_class(&a), POLICY_ADDR_LINKLOCAL, "sockaddr_in class");
	policy_addr_to_sockaddr(&a, 80, &ss, &len);
	is_int(ss.ss_family, AF_INET, "back to AF_INET");
	is_int(len, sizeof(struct sockaddr_in), "AF_INET length");
	is_int(ntohs(((struct sockaddr_in *)&ss)->sin_port), 80, "AF_INET port");
	ok(((struct sockaddr_in *)&ss)->sin_addr.s_addr == sin.sin_addr.s_addr, "AF_INET address");

	inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6.sin6_addr);
	is_int(policy_addr_from_sockaddr((struct sockaddr *)&sin6, sizeof(sin6), &a, &port), 0, "sockaddr_in6");
	is_int(port, 8443, "sockaddr_in6 port");
	is_str(policy_addr_str(&a, buf, sizeof(buf)), "127.0.0.1", "dual-stack peer normalised");
	policy_addr_to_sockaddr(&a, 1, &ss, &len);
	is_int(ss.ss_family, AF_INET, "mapped goes out as AF_INET");
	inet_pton(AF_INET6, "2001:db8::5", &sin6.sin6_addr);
	policy_addr_from_sockaddr((struct sockaddr *)&sin6, sizeof(sin6), &a, NULL);
	policy_addr_to_sockaddr(&a, 2, &ss, &len);
	is_int(ss.ss_family, AF_INET6, "IPv6 goes out as AF_INET6");
	is_int(len, sizeof(struct sockaddr_in6), "AF_INET6 length");
	ok(memcmp(&((struct sockaddr_in6 *)&ss)->sin6_addr, &sin6.sin6_addr, 16) == 0, "AF_INET6 address");
	is_int(policy_addr_from_sockaddr((struct sockaddr *)&sin6, sizeof(sin6) - 1, &a, NULL), -1, "short sockaddr_in6");
	sin.sin_family = AF_UNIX;
	is_int(policy_addr_from_sockaddr((struct sockaddr *)&sin, sizeof(sin), &a, NULL), -1, "AF_UNIX refused");

	struct in_addr v4;
	inet_pton(AF_INET, "198.18.0.7", &v4);
	policy_addr_from_v4(v4, &b);
	is_str(policy_addr_str(&b, buf, sizeof(buf)), "198.18.0.7", "from_v4");
	struct in_addr back;
	ok(policy_addr_to_v4(&b, &back) && back.s_addr == v4.s_addr, "to_v4");
	b = A("2001:db8::1");
	ok(!policy_addr_to_v4(&b, &back), "to_v4 of IPv6 fails");
}

/* ---- resolved names ----------------------------------------------------------- */

static void test_resolved(void)
{
	const struct policy_rule *r;
	struct policy *p;
	struct in6_addr a;

	p = MK("allow example.com", "allow localdev.test", "allow localdev.test:3000",
	       "allow 127.0.0.1:3000", "allow 10.9.0.0/16");
	is_int(dr(p, "example.com", "192.0.2.1", 443), POLICY_ALLOW, "public address");
	is_int(dr(p, "example.com", "2001:db8::1", 443), POLICY_ALLOW, "public IPv6 address");
	is_int(dr(p, "example.com", "10.1.2.3", 443), POLICY_ALLOW, "private address, named rule");
	is_int(dr(p, "example.com", "fd00::1", 443), POLICY_ALLOW, "ULA, named rule");
	is_int(dr(p, "example.com", "192.0.2.1", 22), POLICY_DENY, "name not allowed on the port");
	is_int(dr(p, "other.test", "192.0.2.1", 443), POLICY_DENY, "name not allowed");

	a = A("127.0.0.1");
	is_int(policy_decide_resolved(p, "example.com", &a, 443, &r), POLICY_DENY_ADDR_CLASS,
	       "loopback refused");
	is_str(rtext(r), "example.com", "addr-class refusal reports the name rule");
	is_int(dr(p, "example.com", "::1", 443), POLICY_DENY_ADDR_CLASS, "::1 refused");
	is_int(dr(p, "example.com", "169.254.169.254", 80), POLICY_DENY_ADDR_CLASS, "metadata refused");
	is_int(dr(p, "example.com", "::ffff:169.254.169.254", 80), POLICY_DENY_ADDR_CLASS,
	       "mapped metadata refused");
	is_int(dr(p, "example.com", "64:ff9b::a9fe:a9fe", 80), POLICY_DENY_ADDR_CLASS,
	       "NAT64 metadata refused");
	is_int(dr(p, "example.com", "64:ff9b:1::a9fe:a9fe", 80), POLICY_DENY_ADDR_CLASS,
	       "NAT64 local-use metadata refused");
	is_int(dr(p, "example.com", "2002:a9fe:a9fe::", 80), POLICY_DENY_ADDR_CLASS,
	       "6to4 metadata refused");
	is_int(dr(p, "example.com", "::169.254.169.254", 80), POLICY_DENY_ADDR_CLASS,
	       "compatible metadata refused");
	is_int(dr(p, "example.com", "64:ff9b::7f00:1", 443), POLICY_DENY_ADDR_CLASS,
	       "NAT64 loopback refused");
	is_int(dr(p, "example.com", "2002:7f00:1::", 443), POLICY_DENY_ADDR_CLASS,
	       "6to4 loopback refused");
	is_int(dr(p, "example.com", "::ffff:127.0.0.1", 443), POLICY_DENY_ADDR_CLASS,
	       "mapped loopback refused");
	is_int(dr(p, "example.com", "0.0.0.0", 443), POLICY_DENY_ADDR_CLASS, "0.0.0.0 refused");
	is_int(dr(p, "example.com", "::", 443), POLICY_DENY_ADDR_CLASS, ":: refused");
	is_int(dr(p, "example.com", "224.0.0.1", 443), POLICY_DENY_ADDR_CLASS, "multicast refused");
	is_int(dr(p, "example.com", "255.255.255.255", 443), POLICY_DENY_ADDR_CLASS,
	       "broadcast refused");
	is_int(dr(p, "example.com", "fe80::1", 443), POLICY_DENY_ADDR_CLASS, "link-local refused");

	a = A("127.0.0.1");
	is_int(policy_decide_resolved(p, "localdev.test", &a, 3000, &r), POLICY_ALLOW,
	       "loopback allowed by an explicit IP rule");
	is_str(rtext(r), "127.0.0.1:3000", "explicit IP rule reported");
	is_int(dr(p, "localdev.test", "127.0.0.1", 443), POLICY_DENY_ADDR_CLASS,
	       "explicit IP rule's port only");
	is_int(dr(p, "localdev.test", "127.0.0.2", 3000), POLICY_DENY_ADDR_CLASS,
	       "explicit IP rule's address only");
	is_int(dr(p, "example.com", "10.9.3.4", 443), POLICY_ALLOW, "private, named and in CIDR");
	policy_free(p);

	/* '*' never reaches private, loopback or link-local addresses. */
	p = MK("allow *:*", "allow 10.9.0.0/16:*");
	is_int(dr(p, "any.test", "192.0.2.1", 443), POLICY_ALLOW, "*: public");
	is_int(dr(p, "any.test", "10.1.2.3", 443), POLICY_DENY_ADDR_CLASS, "*: private refused");
	is_int(dr(p, "any.test", "192.168.1.1", 443), POLICY_DENY_ADDR_CLASS, "*: 192.168 refused");
	is_int(dr(p, "any.test", "fd00::1", 443), POLICY_DENY_ADDR_CLASS, "*: ULA refused");
	is_int(dr(p, "any.test", "127.0.0.1", 443), POLICY_DENY_ADDR_CLASS, "*: loopback refused");
	is_int(dr(p, "any.test", "169.254.169.254", 80), POLICY_DENY_ADDR_CLASS, "*: metadata refused");
	is_int(dr(p, "any.test", "10.9.1.1", 443), POLICY_ALLOW, "*: private named by a CIDR");
	policy_free(p);

	/* ... and neither does a /0. */
	p = MK("allow *:*", "allow 0.0.0.0/0:*", "allow [::/0]:*");
	is_int(dr(p, "any.test", "127.0.0.1", 443), POLICY_DENY_ADDR_CLASS, "/0 is not explicit");
	is_int(dr(p, "any.test", "::1", 443), POLICY_DENY_ADDR_CLASS, "::/0 is not explicit");
	policy_free(p);

	/* Named and '*' together: the named rule lets private addresses in. */
	p = MK("allow *", "allow corp.test");
	is_int(dr(p, "git.corp.test", "10.0.0.5", 443), POLICY_ALLOW, "named rule beside *: private ok");
	is_int(dr(p, "other.test", "10.0.0.5", 443), POLICY_DENY_ADDR_CLASS, "only *: private refused");
	policy_free(p);

	/* Address deny rules apply to resolved names. */
	p = MK("allow example.com", "deny 192.0.2.0/24", "deny 127.0.0.0/8:*", "allow 127.0.0.1:3000");
	a = A("192.0.2.9");
	is_int(policy_decide_resolved(p, "example.com", &a, 443, &r), POLICY_DENY, "address deny");
	is_str(rtext(r), "192.0.2.0/24", "address deny rule reported");
	is_int(dr(p, "example.com", "198.51.100.1", 443), POLICY_ALLOW, "other address ok");
	is_int(dr(p, "example.com", "64:ff9b::c000:209", 443), POLICY_DENY, "NAT64 form denied");
	is_int(dr(p, "example.com", "127.0.0.1", 3000), POLICY_DENY, "deny beats explicit IP allow");
	policy_free(p);

	/* Name deny. */
	p = MK("allow example.com", "deny bad.example.com");
	a = A("192.0.2.9");
	is_int(policy_decide_resolved(p, "bad.example.com", &a, 443, &r), POLICY_DENY, "name deny");
	is_str(rtext(r), "bad.example.com", "name deny reported");
	policy_free(p);
	is_str(policy_verdict_name(POLICY_DENY_ADDR_CLASS), "deny-addr-class", "verdict name");
	is_str(policy_verdict_name(POLICY_ALLOW), "allow", "verdict name allow");
}

/* ---- DNS and listeners ---------------------------------------------------------- */

static bool bit(const uint8_t *bm, unsigned port)
{
	return bitmap_test(bm, port);
}

static unsigned bits(const uint8_t *bm)
{
	unsigned n = 0;

	for (unsigned port = 0; port < 65536; port++)
		n += bit(bm, port);
	return n;
}

static void test_dns_and_ports(void)
{
	static uint8_t bm[POLICY_PORT_BITMAP_SIZE];
	struct policy *p;
	bool any;

	p = MK("allow *:*", "deny evil.com");
	ok(policy_name_may_resolve(p, "evil.com"), "*:* minus evil.com:80,443 still resolves");
	ok(policy_name_may_resolve(p, "good.com"), "good.com resolves");
	policy_free(p);
	p = MK("allow *", "deny evil.com");
	ok(!policy_name_may_resolve(p, "evil.com"), "* (80,443) minus evil.com (80,443) does not resolve");
	policy_free(p);
	p = MK("allow *:*", "deny evil.com:*");
	ok(!policy_name_may_resolve(p, "evil.com"), "deny evil.com:* does not resolve");
	ok(!policy_name_may_resolve(p, "www.evil.com"), "nor its subdomains");
	ok(policy_name_may_resolve(p, "notevil.com"), "notevil.com resolves");
	policy_free(p);
	p = MK("allow example.com:443", "deny www.example.com:443", "allow =api.test:1-100",
	       "deny api.test:1-50", "deny api.test:51-100");
	ok(policy_name_may_resolve(p, "example.com"), "allowed name resolves");
	ok(policy_name_may_resolve(p, "x.example.com"), "allowed subdomain resolves");
	ok(!policy_name_may_resolve(p, "www.example.com"), "every allowed port denied");
	ok(!policy_name_may_resolve(p, "api.test"), "ranges together cover it");
	ok(!policy_name_may_resolve(p, "other.test"), "unknown name does not resolve");
	ok(!policy_name_may_resolve(p, ""), "empty name does not resolve");
	policy_free(p);
	p = MK("allow 192.0.2.1:*");
	ok(!policy_name_may_resolve(p, "example.com"), "IP rules do not make names resolve");
	policy_free(p);

	p = MK("allow a.test", "allow b.test:8000-8003,22", "deny c.test:9999", "allow 127.0.0.1:3000");
	memset(bm, 0xAA, sizeof(bm));
	policy_listen_ports(p, bm, &any);
	ok(!any, "no * ports");
	ok(bit(bm, 80) && bit(bm, 443) && bit(bm, 22) && bit(bm, 3000), "named ports set");
	ok(bit(bm, 8000) && bit(bm, 8001) && bit(bm, 8002) && bit(bm, 8003), "range expanded");
	ok(!bit(bm, 9999), "deny rule ports not set");
	is_int(bits(bm), 8, "exactly 8 ports");
	policy_free(p);
	p = MK("allow a.test:*", "allow b.test:1-65535");
	policy_listen_ports(p, bm, &any);
	ok(any, "* ports reported");
	is_int(bits(bm), 65535, "1-65535 expanded, port 0 not");
	policy_free(p);
	p = policy_new();
	policy_listen_ports(p, bm, NULL);
	is_int(bits(bm), 0, "empty policy: no port");
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

/* ---- scale -------------------------------------------------------------------------- */

#define NRULES 10000
#define NQUERIES 20000

static uint64_t time_queries(const struct policy *p)
{
	static const char *const names[] = { "www.host-17.example.com", "nothing.test",
					     "a.b.c.d.e.f.g.h.i.j.k.example.org", "host-9999.example.com" };
	struct in6_addr a[] = { A("10.1.2.3"), A("192.0.2.77"), A("2001:db8:7::1"), A("127.0.0.1") };
	uint64_t best = UINT64_MAX;
	unsigned sink = 0;

	for (int round = 0; round < 5; round++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < NQUERIES; i++) {
			sink += policy_decide_name(p, names[i % 4], 443, NULL);
			sink += policy_decide_addr(p, &a[i % 4], 443, NULL);
			sink += policy_decide_resolved(p, names[i % 4], &a[i % 4], 443, NULL);
			sink += policy_name_may_resolve(p, names[i % 4]);
		}
		uint64_t t = now_ns() - t0;
		if (t < best)
			best = t;
	}
	if (sink == 1)
		printf("# (sink)\n");
	return best;
}

static void test_scale(void)
{
	struct policy *small = MK("allow example.com"), *big = policy_new();
	char spec[128], err[256];
	int bad = 0;

	for (int i = 0; i < NRULES; i++) {
		bool allow = i % 7 != 0;

		switch (i % 4) {
		case 0:
			snprintf(spec, sizeof(spec), "host-%d.example.com:%d", i, 1 + i % 60000);
			break;
		case 1:
			snprintf(spec, sizeof(spec), "10.%d.%d.0/24", (i >> 8) & 0xff, i & 0xff);
			break;
		case 2:
			snprintf(spec, sizeof(spec), "[2001:db8:%x::]/48:443", i);
			break;
		default:
			snprintf(spec, sizeof(spec), "=h%d.example.org", i);
			break;
		}
		bad += policy_add(big, allow, spec, "generated", err, sizeof(err)) < 0;
	}
	policy_add(big, true, "host-17.example.com", "x", err, sizeof(err));
	is_int(bad, 0, "10,000 generated rules accepted");
	is_int(policy_count(big), NRULES + 1, "10,001 rules");

	/* Correctness at scale. */
	const struct policy_rule *r;
	is_int(policy_decide_name(big, "www.host-17.example.com", 443, &r), POLICY_ALLOW,
	       "name among 10,000 rules");
	is_str(rtext(r), "host-17.example.com", "the right rule found");
	is_int(dn(big, "host-28.example.com", 29), POLICY_DENY, "rule 28 is a deny (28 %% 7 == 0)");
	is_int(dn(big, "host-32.example.com", 33), POLICY_ALLOW, "rule 32 allows its port");
	is_int(dn(big, "host-32.example.com", 34), POLICY_DENY, "rule 32: other port");
	is_int(dn(big, "h9999.example.org", 443), POLICY_ALLOW, "exact rule 9999");
	is_int(dn(big, "x.h9999.example.org", 443), POLICY_DENY, "exact rule 9999: no subdomain");
	is_int(da(big, "10.0.5.9", 443), POLICY_ALLOW, "CIDR rule 5");
	is_int(da(big, "10.0.21.9", 443), POLICY_DENY, "CIDR rule 21 is a deny");
	is_int(da(big, "2001:db8:6:1::1", 443), POLICY_ALLOW, "IPv6 CIDR rule 6");
	is_int(da(big, "2001:db8:e:1::1", 443), POLICY_DENY, "IPv6 CIDR rule 14 is a deny");

	uint64_t t1 = time_queries(small), t2 = time_queries(big);
	double ratio = (double)t2 / (double)(t1 ? t1 : 1);
	printf("# %d queries: 1 rule %.1f ms, 10,001 rules %.1f ms (x%.2f)\n", NQUERIES * 4,
	       (double)t1 / 1e6, (double)t2 / 1e6, ratio);
	ok(ratio < 4.0, "decision cost flat from 1 to 10,000 rules (x%.2f)", ratio);
	policy_free(small);
	policy_free(big);
}

int main(void)
{
	test_names();
	test_patterns();
	test_deny_wins();
	test_classes();
	test_resolved();
	test_dns_and_ports();
	test_errors();
	test_reporting();
	test_scale();
	return tap_done();
}
