/* test_proxyconf.c — upstream proxy URLs, NO_PROXY and the choice of a
 * proxy per connection (common/proxyconf.c): curl's defaults (no scheme is
 * http://, no port is 1080), credentials percent-decoded and never in an
 * error, the refused schemes, NO_PROXY's names, addresses and ranges.
 */
#include "proxyconf.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>

static struct proxyconf_proxy parsed(const char *url)
{
	struct proxyconf_proxy p;
	char err[512] = "";

	if (proxyconf_parse_url(url, "HTTPS_PROXY", &p, err, sizeof(err)) < 0)
		printf("#   %s: %s\n", url, err);
	return p;
}

static void bad(const char *url, const char *want)
{
	struct proxyconf_proxy p;
	char err[512] = "";

	is_int(proxyconf_parse_url(url, "HTTPS_PROXY", &p, err, sizeof(err)), -EINVAL, "refused: %s", url);
	ok(strstr(err, want) != NULL, "... saying '%s' (%s)", want, err);
	ok(strstr(err, "HTTPS_PROXY") != NULL, "... naming the variable");
	ok(!strstr(err, "s3cret"), "... never the password");
}

static void test_urls(void)
{
	struct proxyconf_proxy p;

	p = parsed("http://proxy.test:3128");
	ok(p.scheme == PROXYCONF_HTTP && strcmp(p.host, "proxy.test") == 0 && p.port == 3128 && !p.auth,
	   "http://proxy.test:3128");
	is_str(p.shown, "proxy.test:3128", "shown as host:port");
	p = parsed("Proxy.Test");
	ok(p.scheme == PROXYCONF_HTTP && p.port == 1080 && strcmp(p.host, "proxy.test") == 0,
	   "no scheme: http, port 1080, host lower-cased");
	p = parsed("http://us%40er:p%3Ass@w@proxy.test:8080/");
	ok(p.auth && strcmp(p.user, "us@er") == 0 && strcmp(p.pass, "p:ss@w") == 0,
	   "user and password percent-decoded; the last '@' ends them");
	is_str(p.shown, "proxy.test:8080", "... and shown without them");
	p = parsed("user@proxy.test:3128");
	ok(p.auth && strcmp(p.user, "user") == 0 && p.pass[0] == 0, "a user without a password");
	p = parsed("socks5://[2001:db8::1]:1080");
	ok(p.scheme == PROXYCONF_SOCKS5 && strcmp(p.host, "2001:db8::1") == 0, "socks5:// to an IPv6 address");
	is_str(p.shown, "[2001:db8::1]:1080", "... shown bracketed");
	p = parsed("SOCKS5H://192.0.2.2");
	ok(p.scheme == PROXYCONF_SOCKS5H && p.port == 1080, "socks5h://, any case");

	bad("https://u:s3cret@proxy.test:443", "TLS to the proxy");
	bad("socks4://u:s3cret@proxy.test", "SOCKS4");
	bad("ftp://u:s3cret@proxy.test", "unknown proxy scheme");
	bad("http://u:s3cret@proxy.test:99999", "out of range");
	bad("http://u:s3cret@proxy.test:0", "out of range");
	bad("http://u:s3cret@proxy.test:80a", "not a number");
	bad("http://u:s3cret@", "names no host");
	bad("http://u:s3cret@pro xy.test", "blank or control");
	bad("http://u:s3cret@pro$xy.test", "not a host name");
	bad("http://u:s3cret%zz@proxy.test", "password");
	bad("http://u:s3cret%00@proxy.test", "password");
	bad("http://:s3cret@proxy.test", "user");
	bad("http://u:s3cret@[2001:db8::1", "without ']'");
	bad("http://u:s3cret@[proxy.test]", "not an IPv6 address");
	/* "://" inside the password is no scheme: never shown. */
	bad("u:s3cret://x@proxy.test:3128", "does not start with a scheme");
	bad("htp://u:s3cret@proxy.test:3128", "unknown proxy scheme");
}

static void test_address_names(void)
{
	static const char *const addrs[] = { "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.0.0.1",
					     "169.254.169.254", "10.0.0.1.", "0x7f.0x1", "localhost",
					     "foo.localhost", "LOCALHOST.", "x.0X0A", "0x" };
	static const char *const names[] = { "registry.test", "1.example.com", "127.0.0.1.nip.io",
					     "x.0xg1", "localhost.test", "mylocalhost", "a-1.b2" };
	struct proxyconf_proxy *p = calloc(1, sizeof(*p));
	struct proxyconf pc = { .all = p };

	*p = parsed("http://h.test:1");
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		ok(proxyconf_name_is_address(addrs[i]) && !proxyconf_by_proxy(&pc, addrs[i]),
		   "%s: an address to a proxy, never resolved by one", addrs[i]);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok(!proxyconf_name_is_address(names[i]) && proxyconf_by_proxy(&pc, names[i]),
		   "%s: a name", names[i]);
	proxyconf_free(&pc);
}

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;
	char m[64];

	if (strchr(s, ':')) {
		inet_pton(AF_INET6, s, &a);
	} else {
		snprintf(m, sizeof(m), "::ffff:%s", s);
		inet_pton(AF_INET6, m, &a);
	}
	return a;
}

static void test_pick(void)
{
	struct proxyconf_proxy *http = calloc(1, sizeof(*http)), *https = calloc(1, sizeof(*https));
	struct proxyconf pc = { .http = http, .https = https };
	struct in6_addr a = addr("198.51.100.7"), b = addr("203.0.113.9"), c6 = addr("2001:db8::5");

	*http = parsed("http://h.test:1");
	*https = parsed("http://s.test:2");
	ok(proxyconf_pick(&pc, "x.test", NULL, 80) == http, "port 80: http_proxy");
	ok(proxyconf_pick(&pc, "x.test", NULL, 443) == https, "port 443: https_proxy");
	ok(proxyconf_pick(&pc, "x.test", NULL, 8080) == https, "another port: https_proxy (as curl)");
	ok(proxyconf_pick(NULL, "x.test", NULL, 443) == NULL, "no proxies: direct");
	pc.https = NULL;
	pc.all = https;
	ok(proxyconf_pick(&pc, "x.test", NULL, 443) == https, "no https_proxy: all_proxy");
	is_int(proxyconf_parse_skip(&pc, " .direct.test,Local.Test. 198.51.100.0/24\t[2001:db8::5],bad$name,"
					 "x.test:8080"), 0, "NO_PROXY parsed");
	is_int(pc.nskip, 5, "... five entries (one skipped)");
	ok(proxyconf_pick(&pc, "direct.test", NULL, 443) == NULL, ".direct.test: the name itself");
	ok(proxyconf_pick(&pc, "a.b.direct.test", NULL, 443) == NULL, "... and its subdomains");
	ok(proxyconf_pick(&pc, "notdirect.test", NULL, 443) == https, "... not a name that merely ends so");
	ok(proxyconf_pick(&pc, "local.test", NULL, 443) == NULL, "a trailing dot and case do not matter");
	ok(proxyconf_pick(&pc, "x.test", NULL, 443) == NULL, "a port in an entry is not looked at");
	ok(proxyconf_pick(&pc, NULL, &a, 443) == NULL, "a raw address in a range: direct");
	ok(proxyconf_pick(&pc, NULL, &b, 443) == https, "one outside: the proxy");
	ok(proxyconf_pick(&pc, NULL, &c6, 443) == NULL, "an IPv6 entry in brackets");
	ok(proxyconf_pick(&pc, "198.51.100.7.test", NULL, 443) == https, "address entries do not match names");
	ok(proxyconf_by_proxy(&pc, "registry.test"), "the resolver: registry.test goes by proxy");
	ok(!proxyconf_by_proxy(&pc, "direct.test"), "... direct.test does not");
	is_int(proxyconf_parse_skip(&pc, "*"), 0, "NO_PROXY=*");
	ok(proxyconf_pick(&pc, "registry.test", NULL, 443) == NULL && !proxyconf_by_proxy(&pc, "registry.test"),
	   "... everything direct");
	proxyconf_free(&pc);
}

int main(void)
{
	test_urls();
	test_pick();
	test_address_names();
	return tap_done();
}
