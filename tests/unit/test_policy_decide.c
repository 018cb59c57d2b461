/* test_policy_decide.c — the policy's decisions, from its unit tests
 * (test_policy.c runs them): address classes, names checked against the
 * addresses they resolved to, the DNS and listener questions (port
 * bitmaps), and flat cost with 10,000 rules.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bitmap.h"
#include "policy/policy.h"
#include "tap.h"
#include "util.h"
#include "test_policy.h"

/* ---- address classes -------------------------------------------------------- */

void test_classes(void)
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
		{ "::ffff:0:127.0.0.1", POLICY_ADDR_LOOPBACK }, /* SIIT (red team 14b) */
		{ "::ffff:0:a9fe:a9fe", POLICY_ADDR_LINKLOCAL },
		{ "::ffff:0:a00:1", POLICY_ADDR_PRIVATE },
		{ "::ffff:0:808:808", POLICY_ADDR_PUBLIC },
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

void test_resolved(void)
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

/* policy_rule_is_catchall(): '*', --learn's '*:*' and a whole TLD ('com',
 * '*.com'), nothing that names a host (issue 14: a name only a catch-all allows is never left to an
 * upstream proxy to resolve). */
void test_catchall(void)
{
	static const struct {
		const char *rules[4];
		const char *name;
		uint16_t port;
		bool catchall; /* the deciding rule on @port, and the DNS one */
	} cases[] = {
		{ { "allow *" }, "evil.example", 443, true },
		{ { "allow *:*" }, "evil.example", 8080, true },
		{ { "allow *", "allow registry.npmjs.org" }, "registry.npmjs.org", 443, false },
		{ { "allow *", "allow *.npmjs.org" }, "registry.npmjs.org", 443, false },
		{ { "allow *", "allow =x.test" }, "x.test", 443, false },
		/* a whole TLD names no host: anyone registers evil.com */
		{ { "allow *", "allow com" }, "evil.com", 443, true },
		{ { "allow com" }, "evil.com", 443, true },
		{ { "allow *.com:*" }, "evil.com", 7777, true },
		{ { "allow *.xn--p1ai" }, "xn--e1afmkfd.xn--p1ai", 443, true },
		{ { "allow =com" }, "com", 443, false },
		{ { "allow com", "allow =evil.com" }, "evil.com", 443, false },
		{ { "allow co.uk" }, "evil.co.uk", 443, false }, /* (no public suffix list) */
		{ { "allow *", "allow x.test" }, "evil.example", 443, true },
		{ { "allow *:*", "allow GET https://x.test/a" }, "x.test", 443, false },
		/* the name rule's port does not cover 22: '*' decides there */
		{ { "allow *:*", "allow x.test:443" }, "x.test", 22, true },
	};
	const struct policy_rule *r;
	char what[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy *p = mk(cases[i].rules);

		snprintf(what, sizeof(what), "%s ... %s:%u", cases[i].rules[0], cases[i].name,
			 cases[i].port);
		r = NULL;
		is_int(policy_decide_name(p, cases[i].name, cases[i].port, &r), POLICY_ALLOW,
		       "%s: allowed", what);
		is_int(policy_rule_is_catchall(r), cases[i].catchall, "%s: %s decides, catch-all %d",
		       what, rtext(r), cases[i].catchall);
		if (cases[i].port != 22) {
			ok(policy_name_may_resolve_rule(p, cases[i].name, &r), "%s: resolves", what);
			is_int(policy_rule_is_catchall(r), cases[i].catchall, "%s: DNS by %s", what,
			       rtext(r));
		}
		policy_free(p);
	}
	ok(!policy_rule_is_catchall(NULL), "no rule is no catch-all");
	{
		struct policy *p = MK("allow 0.0.0.0/0", "allow ::/0");

		struct in6_addr a = A("203.0.113.7");

		r = NULL;
		is_int(policy_decide_addr(p, &a, 443, &r), POLICY_ALLOW, "a /0 allows a public address");
		ok(!policy_rule_is_catchall(r), "... and is an address rule, not a catch-all (%s)", rtext(r));
		policy_free(p);
	}
}

void test_dns_and_ports(void)
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

void test_scale(void)
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
