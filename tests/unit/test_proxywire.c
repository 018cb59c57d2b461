/* test_proxywire.c — the bytes netbox exchanges with an upstream proxy
 * (netproxy/proxywire.c): the requests built byte for byte, and the
 * replies parsed whole, in every prefix (NEED_MORE until the last byte),
 * with what follows them left alone (the tunnel's first bytes), and the
 * malformed ones refused.
 */
#include "netproxy/proxywire.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>

typedef enum proxywire_result (*parser)(const uint8_t *, size_t, struct proxywire_reply *);

/* @reply parses DONE taking exactly @len bytes, with @code, and every
 * proper prefix is NEED_MORE; with @extra bytes after it, the same. */
static void whole(parser p, const char *what, const void *reply, size_t len, int code)
{
	uint8_t buf[PROXYWIRE_HTTP_MAX + 64];
	struct proxywire_reply r;
	bool prefixes = true;

	memcpy(buf, reply, len);
	memcpy(buf + len, "\x16\x03\x01tunnel", 9);
	for (size_t i = 0; i < len; i++)
		if (p(buf, i, &r) != PROXYWIRE_NEED_MORE) {
			prefixes = false;
			printf("#   prefix of %zu bytes: not NEED_MORE\n", i);
			break;
		}
	ok(prefixes, "%s: each prefix needs more", what);
	is_int(p(buf, len, &r), PROXYWIRE_DONE, "%s: whole", what);
	is_int(r.len, len, "%s: takes %zu bytes", what, len);
	is_int(r.code, code, "%s: code", what);
	is_int(p(buf, len + 9, &r), PROXYWIRE_DONE, "%s: with the tunnel's bytes after it", what);
	is_int(r.len, len, "%s: ... which it leaves alone", what);
}

static void refused(parser p, const char *what, const void *reply, size_t len)
{
	struct proxywire_reply r;

	is_int(p(reply, len, &r), PROXYWIRE_INVALID, "refused: %s", what);
}

#define S(s) s, sizeof(s) - 1

static void test_http(void)
{
	uint8_t out[PROXYWIRE_REQUEST_MAX], big[PROXYWIRE_HTTP_MAX + 16];
	ssize_t n;
	struct proxywire_reply r;
	char user[256], pass[256];
	const char *got;

	n = proxywire_http_connect(out, sizeof(out), "registry.test", 443, NULL, NULL);
	ok(n > 0 && (size_t)n == strlen("CONNECT registry.test:443 HTTP/1.1\r\nHost: registry.test:443\r\n\r\n") &&
		   memcmp(out, "CONNECT registry.test:443 HTTP/1.1\r\nHost: registry.test:443\r\n\r\n", (size_t)n) == 0,
	   "CONNECT by name, no credentials");
	n = proxywire_http_connect(out, sizeof(out), "2001:db8::1", 8443, "Aladdin", "open sesame");
	out[n > 0 ? n : 0] = 0;
	got = (const char *)out;
	is_str(got,
	       "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n"
	       "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n",
	       "CONNECT to an IPv6 address, bracketed, with RFC 7617's example credentials");
	n = proxywire_http_connect(out, sizeof(out), "a.test", 80, "u", "");
	out[n > 0 ? n : 0] = 0;
	ok(strstr((char *)out, "Basic dTo=\r\n") != NULL, "an empty password: 'u:'");
	memset(user, 'u', 255);
	user[255] = 0;
	memset(pass, 'p', 255);
	pass[255] = 0;
	ok(proxywire_http_connect(out, sizeof(out), "a.test", 80, user, pass) > 0,
	   "the longest user and password fit PROXYWIRE_REQUEST_MAX");
	is_int(proxywire_http_connect(out, 40, "registry.test", 443, NULL, NULL), -ENOSPC, "no room: -ENOSPC");

	whole(proxywire_http_reply, "200 Connection established",
	      S("HTTP/1.1 200 Connection established\r\n\r\n"), 200);
	whole(proxywire_http_reply, "tinyproxy's 200 with fields",
	      S("HTTP/1.0 200 Connection established\r\nProxy-agent: tinyproxy/1.11.1\r\n\r\n"), 200);
	whole(proxywire_http_reply, "bare LF line ends", S("HTTP/1.1 200 OK\nVia: x\n\n"), 200);
	whole(proxywire_http_reply, "no reason phrase", S("HTTP/1.1 200\r\n\r\n"), 200);
	whole(proxywire_http_reply, "407",
	      S("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n"
		"Content-Length: 0\r\n\r\n"), 407);
	proxywire_http_reply((const uint8_t *)"HTTP/1.1 407 Proxy Auth\x1b[31m\r\n\r\n", 33, &r);
	is_str(r.reason, "Proxy Auth?[31m", "the reason phrase keeps printable ASCII only");

	refused(proxywire_http_reply, "not HTTP", S("SSH-2.0-OpenSSH\r\n"));
	refused(proxywire_http_reply, "HTTP/2", S("HTTP/2 200\r\n\r\n"));
	refused(proxywire_http_reply, "a status of 2 digits", S("HTTP/1.1 20 OK\r\n\r\n"));
	refused(proxywire_http_reply, "a status of 600", S("HTTP/1.1 600 X\r\n\r\n"));
	refused(proxywire_http_reply, "no space after the status", S("HTTP/1.1 200OK\r\n\r\n"));
	refused(proxywire_http_reply, "a field without a colon", S("HTTP/1.1 200 OK\r\nfoo\r\n\r\n"));
	refused(proxywire_http_reply, "obsolete folding", S("HTTP/1.1 200 OK\r\na: b\r\n c\r\n\r\n"));
	refused(proxywire_http_reply, "a NUL in a field", "HTTP/1.1 200 OK\r\na:\0b\r\n\r\n", 24);
	refused(proxywire_http_reply, "a bare CR in a field", S("HTTP/1.1 200 OK\r\na: b\rc\r\n\r\n"));
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'a', sizeof(big) - 20);
	refused(proxywire_http_reply, "a head past 8 KiB", big, sizeof(big));
	is_int(proxywire_http_reply(big, PROXYWIRE_HTTP_MAX - 1, &r), PROXYWIRE_NEED_MORE,
	       "... which may still end below it");
}

static void test_socks(void)
{
	uint8_t out[PROXYWIRE_REQUEST_MAX];
	struct in6_addr a;
	char name[300];

	is_int(proxywire_socks_greeting(out, sizeof(out), false), 3, "greeting without credentials");
	ok(memcmp(out, "\x05\x01\x00", 3) == 0, "... offers 'no authentication' only");
	proxywire_socks_greeting(out, sizeof(out), true);
	ok(memcmp(out, "\x05\x01\x02", 3) == 0, "with credentials: user/password only");
	is_int(proxywire_socks_auth(out, sizeof(out), "user", "pw"), 9, "RFC 1929 request");
	ok(memcmp(out, "\x01\x04user\x02pw", 9) == 0, "... VER 1, ULEN, USER, PLEN, PASS");
	is_int(proxywire_socks_auth(out, sizeof(out), "", "pw"), -ENOSPC, "an empty user: refused");

	is_int(proxywire_socks_connect(out, sizeof(out), "registry.test", NULL, 443), 20, "CONNECT by name");
	ok(memcmp(out, "\x05\x01\x00\x03\x0dregistry.test\x01\xbb", 20) == 0, "... ATYP 3, the port big-endian");
	inet_pton(AF_INET6, "::ffff:198.51.100.7", &a);
	is_int(proxywire_socks_connect(out, sizeof(out), NULL, &a, 80), 10, "CONNECT to an IPv4 address");
	ok(memcmp(out, "\x05\x01\x00\x01\xc6\x33\x64\x07\x00\x50", 10) == 0, "... ATYP 1");
	inet_pton(AF_INET6, "2001:db8::7", &a);
	is_int(proxywire_socks_connect(out, sizeof(out), NULL, &a, 80), 22, "CONNECT to an IPv6 address: ATYP 4");
	memset(name, 'a', 256);
	name[256] = 0;
	is_int(proxywire_socks_connect(out, sizeof(out), name, NULL, 80), -ENOSPC, "a name of 256 bytes: refused");

	whole(proxywire_socks_method, "method: none", S("\x05\x00"), 0);
	whole(proxywire_socks_method, "method: user/password", S("\x05\x02"), 2);
	whole(proxywire_socks_method, "method: none acceptable", S("\x05\xff"), 0xff);
	refused(proxywire_socks_method, "method reply of SOCKS4", S("\x04\x00"));
	whole(proxywire_socks_auth_reply, "auth: success", S("\x01\x00"), 0);
	whole(proxywire_socks_auth_reply, "auth: failure", S("\x01\x01"), 1);
	whole(proxywire_socks_auth_reply, "auth: success, version 5 (as some servers say)", S("\x05\x00"), 0);
	refused(proxywire_socks_auth_reply, "auth reply version 2", S("\x02\x00"));

	whole(proxywire_socks_reply, "reply: IPv4 bound", S("\x05\x00\x00\x01\x7f\x00\x00\x01\x1f\x90"), 0);
	whole(proxywire_socks_reply, "reply: IPv6 bound",
	      S("\x05\x00\x00\x04\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x50"), 0);
	whole(proxywire_socks_reply, "reply: a name bound", S("\x05\x00\x00\x03\x04x.te\x00\x50"), 0);
	whole(proxywire_socks_reply, "reply: connection refused", S("\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00"), 5);
	refused(proxywire_socks_reply, "reply: version 4", S("\x04\x00\x00\x01"));
	refused(proxywire_socks_reply, "reply: RSV not 0", S("\x05\x00\x01\x01"));
	refused(proxywire_socks_reply, "reply: ATYP 2", S("\x05\x00\x00\x02\x00\x00\x00\x00\x00\x00"));
	{
		struct proxywire_reply r;

		is_int(proxywire_socks_reply((const uint8_t *)"\x05\x02", 2, &r), PROXYWIRE_NEED_MORE,
		       "a refusal cut short needs more ...");
		is_int(r.code, 2, "... but its code is known");
	}
	is_str(proxywire_socks_error(2), "connection not allowed by ruleset", "reply code 2 in words");
	is_int(proxywire_socks_errno(5), ECONNREFUSED, "reply code 5: ECONNREFUSED");
	is_int(proxywire_socks_errno(99), EPROTO, "an unknown reply code: EPROTO");
}

int main(void)
{
	test_http();
	test_socks();
	return tap_done();
}
