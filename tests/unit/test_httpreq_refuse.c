/* test_httpreq_refuse.c — every refusal of the per-request HTTP parser
 * (netproxy/httpreq.h, enum httpreq_error), each fed at once and byte by
 * byte (the two must agree, at the same offset), the request-smuggling
 * shapes first; then the bounds (HTTPREQ_LINE_MAX, HTTPREQ_HEAD_MAX,
 * HTTPREQ_FIELDS_MAX, HTTPREQ_CHUNK_LINE_MAX, HTTPREQ_LENGTH_MAX) at and
 * one past their value.
 */
#include "netproxy/httpreq.h"
#include "tap.h"
#include "test_httpreq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct refuse_case {
	const char *what;
	const char *in;
	size_t len;
	enum httpreq_error want;
};

#define CASE(what, s, e) { what, s, sizeof(s) - 1, HTTPREQ_E_##e }
#define GET(fields) "GET / HTTP/1.1\r\nHost: a.test\r\n" fields "\r\n"
#define POST(fields, body) "POST / HTTP/1.1\r\nHost: a.test\r\n" fields "\r\n" body
#define CHUNKED(body) POST("Transfer-Encoding: chunked\r\n", body)

static const struct refuse_case cases[] = {
	/* Framing: what two servers could read as different requests. */
	CASE("Content-Length and Transfer-Encoding", POST("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", ""), LENGTH_AND_CHUNKED),
	CASE("Transfer-Encoding and Content-Length", POST("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", ""), LENGTH_AND_CHUNKED),
	CASE("two different Content-Lengths", POST("Content-Length: 5\r\nContent-Length: 6\r\n", ""), LENGTH_CONFLICT),
	CASE("a Content-Length list", POST("Content-Length: 5, 5\r\n", ""), LENGTH_INVALID),
	CASE("Content-Length with a sign", POST("Content-Length: +5\r\n", ""), LENGTH_INVALID),
	CASE("negative Content-Length", POST("Content-Length: -1\r\n", ""), LENGTH_INVALID),
	CASE("Content-Length in hex", POST("Content-Length: 0x5\r\n", ""), LENGTH_INVALID),
	CASE("Content-Length with a space inside", POST("Content-Length: 1 2\r\n", ""), LENGTH_INVALID),
	CASE("empty Content-Length", POST("Content-Length:\r\n", ""), LENGTH_INVALID),
	CASE("Content-Length 2^63", POST("Content-Length: 9223372036854775808\r\n", ""), OVERFLOW),
	CASE("Content-Length of 20 digits", POST("Content-Length: 99999999999999999999\r\n", ""), OVERFLOW),
	CASE("Transfer-Encoding not ending in chunked", POST("Transfer-Encoding: chunked, gzip\r\n", ""), TE_UNSUPPORTED),
	CASE("Transfer-Encoding gzip, chunked", POST("Transfer-Encoding: gzip, chunked\r\n", ""), TE_UNSUPPORTED),
	CASE("Transfer-Encoding identity", POST("Transfer-Encoding: identity\r\n", ""), TE_UNSUPPORTED),
	CASE("Transfer-Encoding Chunked (case)", POST("Transfer-Encoding: Chunked\r\n", ""), TE_UNSUPPORTED),
	CASE("Transfer-Encoding with a parameter", POST("Transfer-Encoding: chunked;q=1\r\n", ""), TE_UNSUPPORTED),
	CASE("chunked twice", POST("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", ""), TE_UNSUPPORTED),
	CASE("Transfer-Encoding empty", POST("Transfer-Encoding:\r\n", ""), TE_UNSUPPORTED),
	CASE("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", TE_HTTP10),
	CASE("Connection: Content-Length", GET("Connection: Content-Length\r\n"), CONNECTION_FIELD),
	CASE("Connection: close, transfer-encoding", GET("Connection: close, transfer-encoding\r\n"), CONNECTION_FIELD),
	CASE("Connection: Host", GET("Connection: keep-alive,Host\r\n"), CONNECTION_FIELD),
	CASE("CONNECT with Content-Length", "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\n", CONNECT_BODY),
	CASE("CONNECT chunked", "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n", CONNECT_BODY),
	/* Lines. */
	CASE("obs-fold", GET("X-A: b\r\n c\r\n"), OBS_FOLD),
	CASE("obs-fold with a tab", GET("X-A: b\r\n\tc\r\n"), OBS_FOLD),
	CASE("whitespace before the first header", "GET / HTTP/1.1\r\n Host: a.test\r\n\r\n", OBS_FOLD),
	CASE("space before the colon", "GET / HTTP/1.1\r\nHost : a.test\r\n\r\n", SPACE_BEFORE_COLON),
	CASE("tab before the colon", GET("Transfer-Encoding\t: chunked\r\n"), SPACE_BEFORE_COLON),
	CASE("a header without a colon", GET("X-A b\r\n"), SPACE_BEFORE_COLON),
	CASE("a header line without a colon", GET("X-A\r\n"), FIELD_NAME),
	CASE("a non-token header name", GET("X(A): b\r\n"), FIELD_NAME),
	CASE("an empty header name", GET(": b\r\n"), FIELD_NAME),
	CASE("bare CR in a value", GET("X-A: b\rc\r\n"), BARE_CR),
	CASE("bare CR ending a value", GET("X-A: b\r"), BARE_CR),
	CASE("bare LF in a value", GET("X-A: b\nX-B: c\r\n"), BARE_LF),
	CASE("bare LF ending the head", "GET / HTTP/1.1\r\nHost: a.test\r\n\n", BARE_LF),
	CASE("bare LF ending the request line", "GET / HTTP/1.1\nHost: a.test\r\n\r\n", BARE_LF),
	CASE("CR CR LF ending the head", "GET / HTTP/1.1\r\nHost: a.test\r\n\r\r\n", BARE_CR),
	CASE("bare CR after the request line", "GET / HTTP/1.1\rHost: a.test\r\n\r\n", BARE_CR),
	CASE("bare CR before a request", "\rGET / HTTP/1.1\r\n", BARE_CR),
	CASE("bare LF before a request", "\nGET / HTTP/1.1\r\n", BARE_LF),
	CASE("NUL in a value", GET("X-A: b\0c\r\n"), NUL),
	CASE("NUL in a name", GET("X\0A: b\r\n"), NUL),
	CASE("NUL in the target", "GET /\0 HTTP/1.1\r\n", NUL),
	CASE("NUL first", "\0GET / HTTP/1.1\r\n", NUL),
	CASE("a control byte in a value", GET("X-A: b\x01\r\n"), CTL),
	CASE("DEL in a value", GET("X-A: b\x7f\r\n"), CTL),
	CASE("ESC in the method", "GE\x1bT / HTTP/1.1\r\n", CTL),
	/* Request line. */
	CASE("a non-token method", "GE(T / HTTP/1.1\r\nHost: a.test\r\n\r\n", METHOD),
	CASE("a space before the method", " GET / HTTP/1.1\r\n", METHOD),
	CASE("a tab after the method", "GET\t/ HTTP/1.1\r\n", METHOD),
	CASE("no target", "GET\r\n", METHOD),
	CASE("two spaces after the method", "GET  / HTTP/1.1\r\n", TARGET),
	CASE("a fragment", "GET /a#b HTTP/1.1\r\n", TARGET),
	CASE("a backslash", "GET /a\\..\\b HTTP/1.1\r\n", TARGET),
	CASE("a bad %-escape", "GET /%zz HTTP/1.1\r\n", TARGET),
	CASE("a cut %-escape", "GET /%4 HTTP/1.1\r\n", TARGET),
	CASE("obs-text in the target", "GET /caf\xc3\xa9 HTTP/1.1\r\n", TARGET),
	CASE("DEL in the target", "GET /\x7f HTTP/1.1\r\n", CTL),
	CASE("a relative target", "GET index.html HTTP/1.1\r\n", TARGET),
	CASE("an ftp target", "GET ftp://a.test/ HTTP/1.1\r\n", TARGET),
	CASE("userinfo in the target", "GET http://u:p@a.test/ HTTP/1.1\r\n", TARGET),
	CASE("an empty authority", "GET http:///x HTTP/1.1\r\n", TARGET),
	CASE("a bad port in the authority", "GET http://a.test:99999/ HTTP/1.1\r\n", TARGET),
	CASE("authority-form for GET", "GET a.test:443 HTTP/1.1\r\n", TARGET_FORM),
	CASE("asterisk-form for GET", "GET * HTTP/1.1\r\n", TARGET_FORM),
	CASE("origin-form for CONNECT", "CONNECT / HTTP/1.1\r\n", TARGET_FORM),
	CASE("CONNECT without a port", "CONNECT a.test HTTP/1.1\r\n", TARGET_FORM),
	CASE("CONNECT to a URL", "CONNECT http://a.test:443/ HTTP/1.1\r\n", TARGET_FORM),
	CASE("HTTP/0.9", "GET /\r\n", VERSION),
	CASE("HTTP/2.0", "GET / HTTP/2.0\r\n", VERSION),
	CASE("HTTP/1.2", "GET / HTTP/1.2\r\n", VERSION),
	CASE("HTTP/1.10", "GET / HTTP/1.10\r\n", VERSION),
	CASE("lowercase http", "GET / http/1.1\r\n", VERSION),
	CASE("a space after the version", "GET / HTTP/1.1 \r\n", VERSION),
	CASE("a third word", "GET / x HTTP/1.1\r\n", VERSION),
	/* Host. */
	CASE("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", HOST_MISSING),
	CASE("two equal Hosts", GET("Host: a.test\r\n"), HOST_DUPLICATE),
	CASE("two Hosts", GET("host: b.test\r\n"), HOST_DUPLICATE),
	CASE("an empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", HOST_INVALID),
	CASE("userinfo in Host", "GET / HTTP/1.1\r\nHost: u@a.test\r\n\r\n", HOST_INVALID),
	CASE("port 0", "GET / HTTP/1.1\r\nHost: a.test:0\r\n\r\n", HOST_INVALID),
	CASE("two ports", "GET / HTTP/1.1\r\nHost: a.test:80:80\r\n\r\n", HOST_INVALID),
	CASE("a space in Host", "GET / HTTP/1.1\r\nHost: a test\r\n\r\n", HOST_INVALID),
	CASE("an empty label", "GET / HTTP/1.1\r\nHost: a..test\r\n\r\n", HOST_INVALID),
	CASE("an IPv6 zone", "GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n", HOST_INVALID),
	CASE("an unclosed IPv6", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", HOST_INVALID),
	CASE("Host differs from the URL", "GET http://a.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n", HOST_MISMATCH),
	CASE("Host's port differs from the URL's", "GET http://a.test:81/ HTTP/1.1\r\nHost: a.test:82\r\n\r\n", HOST_MISMATCH),
	CASE("Host differs from CONNECT's", "CONNECT a.test:443 HTTP/1.1\r\nHost: b.test:443\r\n\r\n", HOST_MISMATCH),
	/* Chunked bodies. */
	CASE("a chunk size not hex", CHUNKED("x\r\n"), CHUNK_SIZE),
	CASE("an empty chunk size", CHUNKED("\r\n"), CHUNK_SIZE),
	CASE("a space before the chunk size", CHUNKED(" 5\r\nhello\r\n"), CHUNK_SIZE),
	CASE("a space after the chunk size", CHUNKED("5 \r\nhello\r\n"), CHUNK_SIZE),
	CASE("a space before an extension", CHUNKED("5 ;a\r\nhello\r\n"), CHUNK_SIZE),
	CASE("0x in a chunk size", CHUNKED("0x5\r\nhello\r\n"), CHUNK_SIZE),
	CASE("a negative chunk size", CHUNKED("-1\r\n"), CHUNK_SIZE),
	CASE("an extension without a size", CHUNKED(";a\r\n"), CHUNK_SIZE),
	CASE("a chunk size ended by LF", CHUNKED("5\nhello\r\n"), BARE_LF),
	CASE("a chunk size ended by CR", CHUNKED("5\rhello\r\n"), BARE_CR),
	CASE("LF in an extension", CHUNKED("5;a\nb\r\nhello\r\n"), BARE_LF),
	CASE("a control byte in an extension", CHUNKED("5;a\x01\r\nhello\r\n"), CTL),
	CASE("a chunk size of 2^63", CHUNKED("8000000000000000\r\n"), OVERFLOW),
	CASE("a chunk size of 18 hex digits", CHUNKED("ffffffffffffffffff\r\n"), OVERFLOW),
	CASE("chunk data longer than its size", CHUNKED("3\r\nabcd\r\n"), CHUNK_DATA_END),
	CASE("chunk data ended by LF", CHUNKED("3\r\nabc\n0\r\n\r\n"), CHUNK_DATA_END),
	CASE("chunk data ended by CR", CHUNKED("3\r\nabc\rX"), CHUNK_DATA_END),
	CASE("a trailer Content-Length", CHUNKED("0\r\nContent-Length: 5\r\n\r\n"), TRAILER_FIELD),
	CASE("a trailer Transfer-Encoding", CHUNKED("0\r\ntransfer-ENCODING: chunked\r\n\r\n"), TRAILER_FIELD),
	CASE("a trailer Host", CHUNKED("0\r\nHost: b.test\r\n\r\n"), TRAILER_FIELD),
	CASE("an obs-folded trailer", CHUNKED("0\r\nX-A: b\r\n c\r\n\r\n"), OBS_FOLD),
	CASE("a trailer with a space before its colon", CHUNKED("0\r\nX-A : b\r\n\r\n"), SPACE_BEFORE_COLON),
	CASE("a trailer ended by LF", CHUNKED("0\r\nX-A: b\n\r\n"), BARE_LF),
	CASE("NUL in a trailer", CHUNKED("0\r\nX-A: \0\r\n\r\n"), NUL),
	/* After the last request. */
	CASE("a request after Connection: close", GET("Connection: close\r\n") GET(""), AFTER_CLOSE),
	CASE("a request after an HTTP/1.0 one", "GET / HTTP/1.0\r\n\r\n" GET(""), AFTER_CLOSE),
	CASE("a second request smuggled in a body", POST("Content-Length: 0\r\nConnection: close\r\n", "GET /admin HTTP/1.1\r\n"), AFTER_CLOSE),
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct refuse_case *c = &cases[i];
		size_t at = 0;
		enum httpreq_error e = refusal(c->in, c->len, &at);

		if (!ok(e == c->want && at < c->len, "refused, %s: %s", httpreq_error_name(c->want),
			c->what))
			printf("#   got %s at %zu\n", e < HTTPREQ_E_COUNT ? httpreq_error_name(e) : "(none, or the splits differ)", at);
	}
}

/* A few offsets: the byte that is refused, not a later one. */
static void test_offsets(void)
{
	static const struct {
		const char *in;
		size_t at;
	} offs[] = {
		{ "GET / HTTP/1.1\r\nX-A: b\rc", 23 },			/* the 'c' */
		{ "GET /a#b HTTP/1.1\r\n", 6 },				/* the '#' */
		{ CHUNKED("5 \r\n"), sizeof(CHUNKED("5")) - 1 },	/* the space */
	};
	size_t at;

	is_int(refusal(offs[0].in, strlen(offs[0].in), &at), HTTPREQ_E_BARE_CR, "bare CR");
	is_int(at, offs[0].at, "  at the byte after the CR");
	is_int(refusal(offs[1].in, strlen(offs[1].in), &at), HTTPREQ_E_TARGET, "fragment");
	is_int(at, offs[1].at, "  at the '#'");
	is_int(refusal(offs[2].in, strlen(offs[2].in), &at), HTTPREQ_E_CHUNK_SIZE, "chunk size");
	is_int(at, offs[2].at, "  at the space");
}

/* @n bytes of @fill, with @head before and @tail after, all in one buffer. */
static char *build(const char *head, size_t n, char fill, const char *tail, size_t *len)
{
	size_t h = strlen(head), t = strlen(tail);
	char *b = malloc(h + n + t + 1);

	memcpy(b, head, h);
	memset(b + h, fill, n);
	memcpy(b + h + n, tail, t + 1);
	*len = h + n + t;
	return b;
}

static void expect(char *in, size_t len, enum httpreq_error want, size_t want_at, const char *what)
{
	size_t at = 0;
	enum httpreq_error e = refusal(in, len, &at);

	if (want == HTTPREQ_E_NONE) {
		static char got[8192];

		transcript(in, len, 0, got, sizeof(got));
		ok(!strstr(got, "ERR") && strstr(got, "HEAD "), "%s", what);
	} else if (!ok(e == want && at == want_at, "%s", what)) {
		printf("#   got %s at %zu, want %s at %zu\n",
		       e < HTTPREQ_E_COUNT ? httpreq_error_name(e) : "?", at, httpreq_error_name(want),
		       want_at);
	}
	free(in);
}

static void test_limits(void)
{
	/* "GET /" + n + " HTTP/1.1\r\n" is n + 16 bytes. */
	static const char line_tail[] = " HTTP/1.1\r\nHost: a.test\r\n\r\n";
	/* The head: 30 bytes of GET(""), less its last CRLF, then "X: " pad CRLF CRLF. */
	static const char head_start[] = "GET / HTTP/1.1\r\nHost: a.test\r\nX: ";
	size_t len, fields = HTTPREQ_FIELDS_MAX, k;
	char *b, *many;

	b = build("GET /", HTTPREQ_LINE_MAX - 16, 'a', line_tail, &len);
	expect(b, len, HTTPREQ_E_NONE, 0, "a request line of exactly 8 KiB");
	b = build("GET /", HTTPREQ_LINE_MAX - 15, 'a', line_tail, &len);
	expect(b, len, HTTPREQ_E_LINE_TOO_LONG, HTTPREQ_LINE_MAX, "one byte more: line-too-long");
	b = build(head_start, HTTPREQ_HEAD_MAX - (sizeof(head_start) - 1) - 4, 'v', "\r\n\r\n", &len);
	expect(b, len, HTTPREQ_E_NONE, 0, "a head of exactly 16 KiB");
	b = build(head_start, HTTPREQ_HEAD_MAX - (sizeof(head_start) - 1) - 3, 'v', "\r\n\r\n", &len);
	expect(b, len, HTTPREQ_E_HEAD_TOO_LONG, HTTPREQ_HEAD_MAX, "one byte more: head-too-long");
	b = build("", HTTPREQ_HEAD_MAX + 2, '\r', "GET / HTTP/1.1\r\n", &len);
	for (k = 1; k < HTTPREQ_HEAD_MAX + 2; k += 2)
		b[k] = '\n';
	expect(b, len, HTTPREQ_E_HEAD_TOO_LONG, HTTPREQ_HEAD_MAX, "16 KiB of empty lines first");

	for (int extra = 0; extra <= 1; extra++) {
		size_t n = fields - 1 + (size_t)extra;	/* Host is one */

		b = build("GET / HTTP/1.1\r\nHost: a.test\r\n", n * 6, 'x', "\r\n", &len);
		for (k = 0; k < n; k++)
			memcpy(b + 30 + k * 6, "X: y\r\n", 6);
		expect(b, len, extra ? HTTPREQ_E_TOO_MANY_FIELDS : HTTPREQ_E_NONE, 30 + (fields - 1) * 6,
		       extra ? "101 header lines: too-many-fields" : "100 header lines");
	}
	for (int extra = 0; extra <= 1; extra++) {
		static const char start[] = CHUNKED("0\r\n");
		size_t n = fields + (size_t)extra, s = sizeof(start) - 1;

		many = build(start, n * 6, 'x', "\r\n", &len);
		for (k = 0; k < n; k++)
			memcpy(many + s + k * 6, "X: y\r\n", 6);
		expect(many, len, extra ? HTTPREQ_E_TOO_MANY_FIELDS : HTTPREQ_E_NONE, s + fields * 6,
		       extra ? "101 trailer lines: too-many-fields" : "100 trailer lines");
	}
	b = build(CHUNKED("1;"), HTTPREQ_CHUNK_LINE_MAX - 4, 'e', "\r\nx\r\n0\r\n\r\n", &len);
	expect(b, len, HTTPREQ_E_NONE, 0, "a chunk line of exactly 4 KiB");
	b = build(CHUNKED("1;"), HTTPREQ_CHUNK_LINE_MAX - 3, 'e', "\r\nx\r\n0\r\n\r\n", &len);
	expect(b, len, HTTPREQ_E_CHUNK_LINE_TOO_LONG, sizeof(CHUNKED("")) - 1 + HTTPREQ_CHUNK_LINE_MAX,
	       "one byte more: chunk-line-too-long");
	b = build(CHUNKED("0\r\nX: "), HTTPREQ_HEAD_MAX, 't', "\r\n\r\n", &len);
	expect(b, len, HTTPREQ_E_HEAD_TOO_LONG, sizeof(CHUNKED("0\r\n")) - 1 + HTTPREQ_HEAD_MAX,
	       "trailers over 16 KiB: head-too-long");
	b = build(POST("Content-Length: 9223372036854775807\r\n", ""), 0, 0, "", &len);
	expect(b, len, HTTPREQ_E_NONE, 0, "Content-Length 2^63-1");
	b = build(CHUNKED("000000000007fffffffffffffff\r\n"), 0, 0, "", &len);
	expect(b, len, HTTPREQ_E_NONE, 0, "a chunk size of 2^63-1, leading zeros");
}

void test_httpreq_refuse(void)
{
	struct httpreq *p = httpreq_new();
	size_t used;

	test_cases();
	test_offsets();
	test_limits();
	ok(httpreq_feed(p, (const uint8_t *)"GET /\r\n", 7, &used) == HTTPREQ_ERROR && used == 5 &&
	   httpreq_feed(p, (const uint8_t *)"x", 1, &used) == HTTPREQ_ERROR && used == 0 &&
	   httpreq_error(p) == HTTPREQ_E_VERSION, "an error stays, later bytes are not taken");
	for (int e = 0; e < HTTPREQ_E_COUNT; e++)
		if (!httpreq_error_name(e) || !httpreq_error_text(e) || !*httpreq_error_text(e))
			ok(0, "error %d has a name and a text", e);
	ok(strcmp(httpreq_error_name(HTTPREQ_E_COUNT), "?") == 0, "an unknown error is '?'");
	httpreq_free(p);
}
