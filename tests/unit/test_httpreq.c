/* test_httpreq.c — unit tests for the per-request HTTP/1.1 parser
 * (netproxy/httpreq.c, httpreq_field.c; the API is netproxy/httpreq.h):
 * what a head says (target forms, path and query, Host, framing,
 * keep-alive, upgrade, Expect), bodies by Content-Length and chunked (with
 * extensions and trailers), pipelined requests, and that every split of the
 * same bytes (byte by byte, at once, every step size, every pair of cuts)
 * gives the same events.  The refusals: test_httpreq_refuse.c.
 *
 * The requests of real clients are those captured for the peek tests
 * (tests/unit/test_peek.c): curl, git, node, python, wget.
 */
#include "netproxy/httpreq.h"
#include "tap.h"
#include "test_httpreq.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const form_names[] = { "origin", "absolute", "authority", "asterisk" };
static const char *const framing_names[] = { "none", "length", "chunked" };

static void put(char *out, size_t outlen, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *out, size_t outlen, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= outlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *at, outlen - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n;
}

static void put_head(const struct httpreq_head *h, char *out, size_t outlen, size_t *at)
{
	put(out, outlen, at, "HEAD %s %s %s path=%s query=%s host=%s:%u 1.%u %s cl=%" PRIu64 "%s%s%s%s f=%u | ",
	    h->method, h->target, form_names[h->form], h->path, h->query ? h->query : "-", h->host,
	    h->port, h->minor, framing_names[h->framing], h->content_length,
	    h->keep_alive ? " ka" : "", h->upgrade ? " up" : "", h->websocket ? " ws" : "",
	    h->expect_continue ? " 100" : "", h->nfields);
}

void transcript_cuts(const char *in, size_t len, const size_t *cuts, size_t ncuts, char *out,
		     size_t outlen)
{
	struct httpreq *p = httpreq_new();
	size_t at = 0, total = 0, start = 0;
	uint64_t body = 0;

	out[0] = '\0';
	for (size_t c = 0; c <= ncuts; c++) {
		size_t end = c < ncuts ? cuts[c] : len, used;
		const uint8_t *b = (const uint8_t *)in + start;
		size_t n = end - start;

		for (;;) {
			enum httpreq_event ev = httpreq_feed(p, b, n, &used);

			b += used;
			n -= used;
			total += used;
			if (ev == HTTPREQ_BODY || ev == HTTPREQ_END)
				body += used;
			if ((ev == HTTPREQ_END || ev == HTTPREQ_ERROR) && body) {
				put(out, outlen, &at, "B%" PRIu64 " | ", body);
				body = 0;
			}
			if (ev == HTTPREQ_HEAD)
				put_head(httpreq_head(p), out, outlen, &at);
			else if (ev == HTTPREQ_END)
				put(out, outlen, &at, "END | ");
			else if (ev == HTTPREQ_ERROR) {
				put(out, outlen, &at, "ERR %s@%zu",
				    httpreq_error_name(httpreq_error(p)), total);
				httpreq_free(p);
				return;
			} else if (ev == HTTPREQ_NEED_MORE)
				break;
		}
		start = end;
	}
	if (body)
		put(out, outlen, &at, "B%" PRIu64 " | ", body);
	httpreq_free(p);
}

void transcript(const char *in, size_t len, size_t step, char *out, size_t outlen)
{
	size_t ncuts = step ? len / step : 0;
	size_t *cuts = calloc(ncuts + 1, sizeof(*cuts));

	for (size_t i = 0; i < ncuts; i++)
		cuts[i] = (i + 1) * step;
	transcript_cuts(in, len, cuts, ncuts, out, outlen);
	free(cuts);
}

enum httpreq_error refusal(const char *in, size_t len, size_t *at)
{
	static char a[4096], b[4096];
	const char *e;

	transcript(in, len, 0, a, sizeof(a));
	transcript(in, len, 1, b, sizeof(b));
	if (strcmp(a, b) != 0 || !(e = strstr(a, "ERR ")))
		return HTTPREQ_E_COUNT;
	for (int i = 0; i < HTTPREQ_E_COUNT; i++) {
		size_t n = strlen(httpreq_error_name(i));

		if (strncmp(e + 4, httpreq_error_name(i), n) == 0 && e[4 + n] == '@') {
			*at = strtoul(e + 5 + n, NULL, 10);
			return i;
		}
	}
	return HTTPREQ_E_COUNT;
}

/* Every way of cutting @in agrees with feeding it at once: every step size,
 * and every pair of cuts when it is short. */
static bool splits_agree(const char *in, size_t len, const char *what)
{
	static char whole[16384], other[16384];
	size_t cuts[2];

	transcript(in, len, 0, whole, sizeof(whole));
	for (size_t step = 1; step <= len; step++) {
		transcript(in, len, step, other, sizeof(other));
		if (strcmp(whole, other) != 0)
			return ok(0, "%s: step %zu differs:\n#   %s\n#   %s", what, step, whole, other);
	}
	for (size_t i = 0; len <= 600 && i <= len; i++)
		for (size_t j = i; j <= len; j++) {
			cuts[0] = i;
			cuts[1] = j;
			transcript_cuts(in, len, cuts, 2, other, sizeof(other));
			if (strcmp(whole, other) != 0)
				return ok(0, "%s: cuts %zu,%zu differ:\n#   %s\n#   %s", what, i, j, whole,
					  other);
		}
	return ok(1, "%s: every split gives the same events", what);
}

struct head_case {
	const char *what;
	const char *req;
	const char *want;	/* the transcript */
};

#define H11(t, fields) "GET " t " HTTP/1.1\r\nHost: a.test\r\n" fields "\r\n"

static const struct head_case head_cases[] = {
	{ "curl", "GET /index.html HTTP/1.1\r\nHost: example.com:35859\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
	  "HEAD GET /index.html origin path=/index.html query=- host=example.com:35859 1.1 none cl=0 ka f=3 | END | " },
	{ "git", "GET /repo.git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: git.test:27269\r\nUser-Agent: git/2.39.5\r\nAccept: */*\r\nAccept-Encoding: deflate, gzip, br, zstd\r\nAccept-Language: C, *;q=0.9\r\nPragma: no-cache\r\nGit-Protocol: version=2\r\n\r\n",
	  "HEAD GET /repo.git/info/refs?service=git-upload-pack origin path=/repo.git/info/refs query=service=git-upload-pack host=git.test:27269 1.1 none cl=0 ka f=7 | END | " },
	{ "python urllib, Connection: close", "GET /py HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: 127.0.0.1:26858\r\nUser-Agent: Python-urllib/3.11\r\nConnection: close\r\n\r\n",
	  "HEAD GET /py origin path=/py query=- host=127.0.0.1:26858 1.1 none cl=0 f=4 | END | " },
	{ "wget, Connection: Keep-Alive", "GET /w HTTP/1.1\r\nHost: 127.0.0.1:21925\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\nAccept-Encoding: identity\r\nConnection: Keep-Alive\r\n\r\n",
	  "HEAD GET /w origin path=/w query=- host=127.0.0.1:21925 1.1 none cl=0 ka f=5 | END | " },
	{ "curl -0: HTTP/1.0 closes", "GET / HTTP/1.0\r\nHost: www.Example.ORG:25472\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
	  "HEAD GET / origin path=/ query=- host=www.example.org:25472 1.0 none cl=0 f=3 | END | " },
	{ "HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	  "HEAD GET / origin path=/ query=- host=:0 1.0 none cl=0 ka f=1 | END | " },
	{ "HTTP/1.0 without Host", "GET /x HTTP/1.0\r\n\r\n",
	  "HEAD GET /x origin path=/x query=- host=:0 1.0 none cl=0 f=0 | END | " },
	{ "close wins over keep-alive", H11("/", "Connection: keep-alive, close\r\n"),
	  "HEAD GET / origin path=/ query=- host=a.test:0 1.1 none cl=0 f=2 | END | " },
	{ "curl -x: absolute-form", "GET http://proxied.test/path HTTP/1.1\r\nHost: proxied.test\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nProxy-Connection: Keep-Alive\r\n\r\n",
	  "HEAD GET http://proxied.test/path absolute path=/path query=- host=proxied.test:0 1.1 none cl=0 ka f=4 | END | " },
	{ "absolute-form, no path, a query", "GET HTTPS://A.Test:8443?q HTTP/1.1\r\nHost: a.test\r\n\r\n",
	  "HEAD GET HTTPS://A.Test:8443?q absolute path=/ query=q host=a.test:8443 1.1 none cl=0 ka f=1 | END | " },
	{ "absolute-form IPv6", "GET http://[2001:DB8::1]:8080/v6 HTTP/1.1\r\nHost: [2001:db8:0::1]:8080\r\n\r\n",
	  "HEAD GET http://[2001:DB8::1]:8080/v6 absolute path=/v6 query=- host=2001:db8::1:8080 1.1 none cl=0 ka f=1 | END | " },
	{ "curl CONNECT", "CONNECT tunnel.test:443 HTTP/1.1\r\nHost: tunnel.test:443\r\nUser-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n",
	  "HEAD CONNECT tunnel.test:443 authority path= query=- host=tunnel.test:443 1.1 none cl=0 ka f=3 | END | " },
	{ "OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a.test\r\n\r\n",
	  "HEAD OPTIONS * asterisk path=* query=- host=a.test:0 1.1 none cl=0 ka f=1 | END | " },
	{ "any token method, as sent", "M-SEARCH /x?a=1&b=%2F HTTP/1.1\r\nHost: a.test.\r\n\r\n",
	  "HEAD M-SEARCH /x?a=1&b=%2F origin path=/x query=a=1&b=%2F host=a.test:0 1.1 none cl=0 ka f=1 | END | " },
	{ "npm's scoped name: %2f kept", H11("/@types%2fnode", ""),
	  "HEAD GET /@types%2fnode origin path=/@types%2fnode query=- host=a.test:0 1.1 none cl=0 ka f=1 | END | " },
	{ "empty query, second '?' in it", H11("/p??x", ""),
	  "HEAD GET /p??x origin path=/p query=?x host=a.test:0 1.1 none cl=0 ka f=1 | END | " },
	{ "websocket upgrade", H11("/ws", "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"),
	  "HEAD GET /ws origin path=/ws query=- host=a.test:0 1.1 none cl=0 ka up ws f=4 | END | " },
	{ "h2c upgrade: flagged, no websocket", H11("/", "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"),
	  "HEAD GET / origin path=/ query=- host=a.test:0 1.1 none cl=0 ka up f=4 | END | " },
	{ "Upgrade list, websocket/13", H11("/", "Upgrade: foo/2 ,  WebSocket/13\r\n"),
	  "HEAD GET / origin path=/ query=- host=a.test:0 1.1 none cl=0 ka up ws f=2 | END | " },
	{ "Expect: 100-continue", "PUT /x HTTP/1.1\r\nHost: a.test\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\nabc",
	  "HEAD PUT /x origin path=/x query=- host=a.test:0 1.1 length cl=3 ka 100 f=3 | B3 | END | " },
	{ "Expect in HTTP/1.0: ignored", "PUT /x HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
	  "HEAD PUT /x origin path=/x query=- host=:0 1.0 none cl=0 f=1 | END | " },
	{ "OWS around values, empty value", H11("/", "X-Empty:\r\nX-Pad: \t v \t\r\n"),
	  "HEAD GET / origin path=/ query=- host=a.test:0 1.1 none cl=0 ka f=3 | END | " },
	{ "obs-text in a value", H11("/", "X-Name: caf\xc3\xa9\r\n"),
	  "HEAD GET / origin path=/ query=- host=a.test:0 1.1 none cl=0 ka f=2 | END | " },
	{ "empty lines before the request", "\r\n\r\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n",
	  "HEAD GET / origin path=/ query=- host=a.test:0 1.1 none cl=0 ka f=1 | END | " },
	{ "equal Content-Lengths", "POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 2\r\ncontent-length: 02\r\n\r\nhi",
	  "HEAD POST / origin path=/ query=- host=a.test:0 1.1 length cl=2 ka f=3 | B2 | END | " },
	{ "Content-Length: 0", "POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 0\r\n\r\n",
	  "HEAD POST / origin path=/ query=- host=a.test:0 1.1 length cl=0 ka f=2 | END | " },
	{ "CONNECT with Content-Length: 0", "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test\r\nContent-Length: 0\r\n\r\n",
	  "HEAD CONNECT a.test:443 authority path= query=- host=a.test:443 1.1 length cl=0 ka f=2 | END | " },
	{ "a body in pieces not yet all there", "POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 10\r\n\r\nabc",
	  "HEAD POST / origin path=/ query=- host=a.test:0 1.1 length cl=10 ka f=2 | B3 | " },
};

static void test_heads(void)
{
	char got[4096];

	for (size_t i = 0; i < sizeof(head_cases) / sizeof(head_cases[0]); i++) {
		transcript(head_cases[i].req, strlen(head_cases[i].req), 0, got, sizeof(got));
		if (!ok(strcmp(got, head_cases[i].want) == 0, "%s", head_cases[i].what))
			printf("#   got  %s\n#   want %s\n", got, head_cases[i].want);
		splits_agree(head_cases[i].req, strlen(head_cases[i].req), head_cases[i].what);
	}
}

static const char chunked[] =
	"POST /upload HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n"
	"5\r\nhello\r\n"
	"0000A;name=value;q=\"a;b\"\r\n0123456789\r\n"
	"1;ext\r\n!\r\n"
	"0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";

static const char pipeline[] =
	"\r\nGET /one HTTP/1.1\r\nHost: a.test\r\n\r\n"
	"POST /two?x HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello"
	"\r\n"	/* a stray CRLF after a body, as old clients sent */
	"PUT /three HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
	"HEAD /four HTTP/1.1\r\nHost: b.test\r\nConnection: close\r\n\r\n";

static void test_bodies(void)
{
	struct httpreq *p = httpreq_new();
	const uint8_t *b = (const uint8_t *)chunked;
	size_t n = sizeof(chunked) - 1, used, raw_len;
	const uint8_t *raw;
	char got[4096];

	transcript(chunked, sizeof(chunked) - 1, 0, got, sizeof(got));
	ok(strstr(got, "HEAD POST /upload origin") && strstr(got, " chunked cl=0 ka f=2 | B") &&
	   strstr(got, "| END | ") && !strstr(got, "ERR"), "chunked: extensions, trailers: %s", got);
	ok(httpreq_feed(p, b, n, &used) == HTTPREQ_HEAD, "chunked: the head");
	raw = httpreq_head_raw(p, &raw_len);
	ok(raw_len == used && memcmp(raw, chunked, used) == 0, "the head's raw bytes are as sent");
	b += used, n -= used;
	ok(httpreq_feed(p, b, n, &used) == HTTPREQ_END && used == n,
	   "chunked: the body is every byte left (framing and trailers included)");
	is_int(httpreq_body_bytes(p), 16, "chunked: 16 bytes of chunk data");
	ok(httpreq_feed(p, b + n, 0, &used) == HTTPREQ_NEED_MORE && used == 0, "then waits");
	httpreq_free(p);
	splits_agree(chunked, sizeof(chunked) - 1, "chunked");

	transcript(pipeline, sizeof(pipeline) - 1, 0, got, sizeof(got));
	ok(strcmp(got,
		  "HEAD GET /one origin path=/one query=- host=a.test:0 1.1 none cl=0 ka f=1 | END | "
		  "HEAD POST /two?x origin path=/two query=x host=a.test:0 1.1 length cl=5 ka f=2 | B5 | END | "
		  "HEAD PUT /three origin path=/three query=- host=a.test:0 1.1 chunked cl=0 ka f=2 | B13 | END | "
		  "HEAD HEAD /four origin path=/four query=- host=b.test:0 1.1 none cl=0 f=2 | END | ") == 0,
	   "four pipelined requests, the last closing: %s", got);
	splits_agree(pipeline, sizeof(pipeline) - 1, "pipeline");
}

/* Byte by byte through a request, then its raw head and strings survive
 * until the next request's first byte. */
static void test_lifetimes(void)
{
	static const char two[] = "GET /a HTTP/1.1\r\nHost: a.test\r\n\r\n\r\nGET /b HTTP/1.1\r\nHost: a.test\r\n\r\n";
	struct httpreq *p = httpreq_new();
	const struct httpreq_head *h = httpreq_head(p);
	size_t used, i = 0, heads = 0, ends = 0;
	bool stable = true;

	for (; i < sizeof(two) - 1; i++) {
		enum httpreq_event ev;

		do {
			ev = httpreq_feed(p, (const uint8_t *)two + i, 1, &used);
			heads += ev == HTTPREQ_HEAD;
			ends += ev == HTTPREQ_END;
			/* The blank line after the first request (bytes 33, 34)
			 * starts nothing: the first head is still there. */
			if (ends == 1 && heads == 1 && i < 35 && strcmp(h->path, "/a") != 0)
				stable = false;
		} while (used == 0 && ev != HTTPREQ_NEED_MORE && ev != HTTPREQ_ERROR);
	}
	while (httpreq_feed(p, NULL, 0, &used) == HTTPREQ_END)
		ends++;
	ok(heads == 2 && ends == 2 && stable && strcmp(h->path, "/b") == 0,
	   "byte by byte: two heads, two ends, the first head readable until the second starts");
	httpreq_free(p);
}

/* A random split of a long pipeline agrees with the whole (a fixed seed). */
static void test_random_splits(void)
{
	static char big[64 * 1024], whole[32768], other[32768];
	size_t len = 0, cuts[64];
	unsigned seed = 12345;
	bool same = true;

	while (len + sizeof(pipeline) < sizeof(big) / 2) {
		memcpy(big + len, chunked, sizeof(chunked) - 1);
		len += sizeof(chunked) - 1;
	}
	memcpy(big + len, pipeline, sizeof(pipeline) - 1);
	len += sizeof(pipeline) - 1;
	transcript(big, len, 0, whole, sizeof(whole));
	for (int round = 0; round < 2000 && same; round++) {
		size_t n = 1 + (size_t)rand_r(&seed) % 63;

		for (size_t i = 0; i < n; i++)
			cuts[i] = (size_t)rand_r(&seed) % (len + 1);
		for (size_t i = 1; i < n; i++)	/* insertion sort */
			for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
				size_t t = cuts[j];

				cuts[j] = cuts[j - 1];
				cuts[j - 1] = t;
			}
		transcript_cuts(big, len, cuts, n, other, sizeof(other));
		same = strcmp(whole, other) == 0;
	}
	ok(same && !strstr(whole, "ERR"), "2000 random splits of %zu pipelined bytes agree", len);
}

int main(void)
{
	test_heads();
	test_bodies();
	test_lifetimes();
	test_random_splits();
	test_httpreq_refuse();
	return tap_done();
}
