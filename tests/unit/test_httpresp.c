/* test_httpresp.c — unit tests for the response parser of inspected
 * connections (netproxy/httpresp.c; the API is netproxy/httpresp.h): what a
 * head says (status, framing, keep-alive), the framing rules of RFC 9112
 * 6.3 (HEAD, 1xx, 204, 304, Content-Length, chunked, until the close, the
 * tunnels of 101 and CONNECT), exchanges one after another, that every
 * split of the same bytes gives the same events, every refusal at its byte,
 * and the bounds at and one past their value.
 *
 * The heads of real servers are those of the lab (python's http.server),
 * nginx, node and Go, as captured.
 */
#include "netproxy/httpresp.h"
#include "tap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const framing_names[] = { "none", "length", "chunked", "close", "tunnel" };

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

static enum httpresp_for for_of(char c)
{
	return c == 'H' ? HTTPRESP_FOR_HEAD : c == 'C' ? HTTPRESP_FOR_CONNECT
		: c == 'U' ? HTTPRESP_FOR_UPGRADE : HTTPRESP_FOR_GET;
}

/* What feeding in[0..len) cut at cuts[0..ncuts) gives, as one line: each
 * head ("HEAD 200 1.1 length cl=5 ka f=2"), body bytes ("B5"), "END", an
 * error with the offset of its byte ("ERR bare-cr@17"), then what the close
 * says ("EOF" and END, ERR or nothing).  @reqs: the requests answered, one
 * letter each (G any method, H HEAD, C CONNECT, U an upgrade), the next one
 * expected whenever the parser is between exchanges. */
static void transcript_cuts(const char *reqs, const char *in, size_t len, const size_t *cuts,
			    size_t ncuts, char *out, size_t outlen)
{
	struct httpresp *p = httpresp_new();
	size_t at = 0, total = 0, start = 0;
	uint64_t body = 0;
	bool failed = false;
	enum httpresp_event ev;

	out[0] = '\0';
	for (size_t c = 0; c <= ncuts && !failed; c++) {
		size_t end = c < ncuts ? cuts[c] : len, used;
		const uint8_t *b = (const uint8_t *)in + start;
		size_t n = end - start;

		while (!failed) {
			if (!httpresp_busy(p) && *reqs && n > 0)
				httpresp_expect(p, for_of(*reqs++));
			ev = httpresp_feed(p, b, n, &used);
			b += used;
			n -= used;
			total += used;
			if (ev == HTTPRESP_BODY || ev == HTTPRESP_END)
				body += used;
			if ((ev == HTTPRESP_END || ev == HTTPRESP_ERROR) && body) {
				put(out, outlen, &at, "B%" PRIu64 " | ", body);
				body = 0;
			}
			if (ev == HTTPRESP_HEAD) {
				const struct httpresp_head *h = httpresp_head(p);

				put(out, outlen, &at, "HEAD %u 1.%u %s cl=%" PRIu64 "%s f=%u | ", h->status,
				    h->minor, framing_names[h->framing], h->content_length,
				    h->keep_alive ? " ka" : "", h->nfields);
			} else if (ev == HTTPRESP_END) {
				put(out, outlen, &at, "END | ");
			} else if (ev == HTTPRESP_ERROR) {
				put(out, outlen, &at, "ERR %s@%zu", httpresp_error_name(httpresp_error(p)),
				    total);
				failed = true;
			} else if (ev == HTTPRESP_NEED_MORE) {
				break;
			}
		}
		start = end;
	}
	if (!failed) {
		if (body)
			put(out, outlen, &at, "B%" PRIu64 " | ", body);
		if (!httpresp_busy(p) && *reqs)
			httpresp_expect(p, for_of(*reqs));
		ev = httpresp_eof(p);
		put(out, outlen, &at, "EOF%s%s", ev == HTTPRESP_END ? " END" : "",
		    ev == HTTPRESP_ERROR ? " ERR " : "");
		if (ev == HTTPRESP_ERROR)
			put(out, outlen, &at, "%s", httpresp_error_name(httpresp_error(p)));
	}
	httpresp_free(p);
}

static void transcript(const char *reqs, const char *in, size_t len, size_t step, char *out,
		       size_t outlen)
{
	size_t ncuts = step ? len / step : 0;
	size_t *cuts = calloc(ncuts + 1, sizeof(*cuts));

	for (size_t i = 0; i < ncuts; i++)
		cuts[i] = (i + 1) * step;
	transcript_cuts(reqs, in, len, cuts, ncuts, out, outlen);
	free(cuts);
}

static bool splits_agree(const char *reqs, const char *in, size_t len, const char *what)
{
	static char whole[16384], other[16384];
	size_t cuts[2];

	transcript(reqs, in, len, 0, whole, sizeof(whole));
	for (size_t step = 1; step <= len; step++) {
		transcript(reqs, in, len, step, other, sizeof(other));
		if (strcmp(whole, other) != 0)
			return ok(0, "%s: step %zu differs:\n#   %s\n#   %s", what, step, whole, other);
	}
	for (size_t i = 0; len <= 400 && i <= len; i++)
		for (size_t j = i; j <= len; j++) {
			cuts[0] = i;
			cuts[1] = j;
			transcript_cuts(reqs, in, len, cuts, 2, other, sizeof(other));
			if (strcmp(whole, other) != 0)
				return ok(0, "%s: cuts %zu,%zu differ:\n#   %s\n#   %s", what, i, j,
					  whole, other);
		}
	return ok(1, "%s: every split gives the same events", what);
}

struct resp_case {
	const char *what;
	const char *reqs;
	const char *in;
	const char *want;
};

#define R200(fields, body) "HTTP/1.1 200 OK\r\n" fields "\r\n" body

static const struct resp_case cases[] = {
	{ "the lab (python http.server)", "G",
	  "HTTP/1.1 200 OK\r\nServer: netbox-lab/1\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
	  "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 26\r\n\r\nhello from www.google.com\n",
	  "HEAD 200 1.1 length cl=26 ka f=4 | B26 | END | EOF" },
	{ "nginx, chunked", "G",
	  "HTTP/1.1 200 OK\r\nServer: nginx\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
	  "5\r\nhello\r\n0\r\n\r\n",
	  "HEAD 200 1.1 chunked cl=0 ka f=3 | B15 | END | EOF" },
	{ "node, Connection: close", "G",
	  "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	  "HEAD 404 1.1 length cl=0 f=2 | END | EOF" },
	{ "Go, no reason phrase space", "G", "HTTP/1.1 204\r\nDate: x\r\n\r\n",
	  "HEAD 204 1.1 none cl=0 ka f=1 | END | EOF" },
	{ "empty reason", "G", "HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\nx",
	  "HEAD 200 1.1 length cl=1 ka f=1 | B1 | END | EOF" },
	{ "HEAD: no body whatever Content-Length says", "H", R200("Content-Length: 1000\r\n", ""),
	  "HEAD 200 1.1 none cl=0 ka f=1 | END | EOF" },
	{ "HEAD: chunked ignored", "H", R200("Transfer-Encoding: chunked\r\n", ""),
	  "HEAD 200 1.1 none cl=0 ka f=1 | END | EOF" },
	{ "304 with a Content-Length", "G", "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n",
	  "HEAD 304 1.1 none cl=0 ka f=1 | END | EOF" },
	{ "100 Continue then the answer", "G",
	  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
	  "HEAD 100 1.1 none cl=0 ka f=0 | HEAD 201 1.1 length cl=2 ka f=1 | B2 | END | EOF" },
	{ "103 Early Hints twice", "G",
	  "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n" R200("Content-Length: 0\r\n", ""),
	  "HEAD 103 1.1 none cl=0 ka f=1 | HEAD 103 1.1 none cl=0 ka f=0 | HEAD 200 1.1 length cl=0 ka f=1 | END | EOF" },
	{ "no length: until the close", "G", R200("Content-Type: text/html\r\n", "abc"),
	  "HEAD 200 1.1 close cl=0 f=1 | B3 | EOF END" },
	{ "HTTP/1.0 without a length", "G", "HTTP/1.0 200 OK\r\n\r\nabcdef",
	  "HEAD 200 1.0 close cl=0 f=0 | B6 | EOF END" },
	{ "HTTP/1.0 keep-alive with a length", "GG",
	  "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx"
	  "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\ny",
	  "HEAD 200 1.0 length cl=1 ka f=2 | B1 | END | HEAD 200 1.0 length cl=1 f=1 | B1 | END | EOF" },
	{ "gzip, chunked", "G", R200("Transfer-Encoding: gzip, chunked\r\n", "1\r\nz\r\n0\r\n\r\n"),
	  "HEAD 200 1.1 chunked cl=0 ka f=1 | B11 | END | EOF" },
	{ "Transfer-Encoding over two lines", "G",
	  R200("Transfer-Encoding: gzip\r\nTransfer-Encoding: CHUNKED\r\n", "0\r\n\r\n"),
	  "HEAD 200 1.1 chunked cl=0 ka f=2 | B5 | END | EOF" },
	{ "Transfer-Encoding without chunked: until the close", "G",
	  R200("Transfer-Encoding: gzip\r\n", "zz"), "HEAD 200 1.1 close cl=0 f=1 | B2 | EOF END" },
	{ "chunked: extensions and trailers", "G",
	  R200("Transfer-Encoding: chunked\r\n", "3;a=b\r\nabc\r\n0\r\nX-Sum: 1\r\nX-B: 2\r\n\r\n"),
	  "HEAD 200 1.1 chunked cl=0 ka f=1 | B35 | END | EOF" },
	{ "equal Content-Lengths", "G", R200("Content-Length: 2\r\ncontent-length: 002\r\n", "ok"),
	  "HEAD 200 1.1 length cl=2 ka f=2 | B2 | END | EOF" },
	{ "101 to an upgrade: a tunnel", "U",
	  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81z",
	  "HEAD 101 1.1 tunnel cl=0 f=2 | B2 | EOF END" },
	{ "200 to CONNECT: a tunnel", "C", "HTTP/1.1 200 Connection established\r\n\r\nxyz",
	  "HEAD 200 1.1 tunnel cl=0 f=0 | B3 | EOF END" },
	{ "204 to CONNECT: a tunnel too", "C", "HTTP/1.1 204 OK\r\n\r\nxyz",
	  "HEAD 204 1.1 tunnel cl=0 f=0 | B3 | EOF END" },
	{ "407 to CONNECT: a body as usual", "C",
	  "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 1\r\n\r\nx",
	  "HEAD 407 1.1 length cl=1 ka f=1 | B1 | END | EOF" },
	{ "three exchanges", "GHG",
	  R200("Content-Length: 1\r\n", "a") R200("Content-Length: 9\r\n", "")
	  R200("Transfer-Encoding: chunked\r\n", "0\r\n\r\n"),
	  "HEAD 200 1.1 length cl=1 ka f=1 | B1 | END | HEAD 200 1.1 none cl=0 ka f=1 | END | "
	  "HEAD 200 1.1 chunked cl=0 ka f=1 | B5 | END | EOF" },
	{ "a body not all there: truncated", "G", R200("Content-Length: 10\r\n", "abc"),
	  "HEAD 200 1.1 length cl=10 ka f=1 | B3 | EOF ERR truncated" },
	{ "a head cut: truncated", "G", "HTTP/1.1 200 OK\r\nContent-Le",
	  "EOF ERR truncated" },
	{ "closed before responding", "G", "", "EOF ERR no-response" },
	{ "nothing asked, nothing said: a clean close", "", "", "EOF" },
	{ "OWS around values, empty values", "G", R200("X-A:\r\nContent-Length: \t 1 \t\r\n", "z"),
	  "HEAD 200 1.1 length cl=1 ka f=2 | B1 | END | EOF" },
	{ "obs-text in a reason and a value", "G", "HTTP/1.1 200 \xc3\xa9\r\nX: \xff\r\nContent-Length: 0\r\n\r\n",
	  "HEAD 200 1.1 length cl=0 ka f=2 | END | EOF" },
};

static void test_heads(void)
{
	char got[4096];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct resp_case *c = &cases[i];

		transcript(c->reqs, c->in, strlen(c->in), 0, got, sizeof(got));
		if (!ok(strcmp(got, c->want) == 0, "%s", c->what))
			printf("#   got  %s\n#   want %s\n", got, c->want);
		splits_agree(c->reqs, c->in, strlen(c->in), c->what);
	}
}

struct refuse_case {
	const char *what;
	const char *reqs;
	const char *in;
	size_t len;
	enum httpresp_error want;
	size_t at;	/* the offending byte's offset, or (size_t)-1: not checked */
};

#define ANY ((size_t)-1)
#define REFUSE(what, reqs, s, e, at) { what, reqs, s, sizeof(s) - 1, HTTPRESP_E_##e, at }
#define CHUNKED(body) R200("Transfer-Encoding: chunked\r\n", body)

static const struct refuse_case refusals[] = {
	REFUSE("bytes with no request", "", "HTTP/1.1 200 OK\r\n", UNSOLICITED, 0),
	REFUSE("a second response to one request", "G", R200("Content-Length: 0\r\n", "") "HTTP/1.1 200", UNSOLICITED, 38),
	REFUSE("bytes after a HEAD response's head", "H", R200("Content-Length: 3\r\n", "abc"), UNSOLICITED, 38),
	REFUSE("HTTP/2", "G", "HTTP/2 200\r\n\r\n", VERSION, 5),
	REFUSE("HTTP/1.2", "G", "HTTP/1.2 200 OK\r\n\r\n", VERSION, 7),
	REFUSE("lowercase", "G", "http/1.1 200 OK\r\n\r\n", VERSION, 0),
	REFUSE("HTTP/0.9 (a body at once)", "G", "<html>", VERSION, 0),
	REFUSE("two spaces after the version", "G", "HTTP/1.1  200 OK\r\n\r\n", STATUS, 9),
	REFUSE("a tab after the version", "G", "HTTP/1.1\t200 OK\r\n\r\n", VERSION, 8),
	REFUSE("a two-digit status", "G", "HTTP/1.1 20 OK\r\n\r\n", STATUS, 11),
	REFUSE("a four-digit status", "G", "HTTP/1.1 2000 OK\r\n\r\n", STATUS, 12),
	REFUSE("status 600", "G", "HTTP/1.1 600 X\r\n\r\n", STATUS, 9),
	REFUSE("status 099", "G", "HTTP/1.1 099 X\r\n\r\n", STATUS, 9),
	REFUSE("101 without an upgrade", "G", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", SWITCH, ANY),
	REFUSE("Content-Length and Transfer-Encoding", "G", R200("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", ""), LENGTH_AND_TE, ANY),
	REFUSE("Transfer-Encoding gzip and Content-Length", "G", R200("Transfer-Encoding: gzip\r\nContent-Length: 3\r\n", ""), LENGTH_AND_TE, ANY),
	REFUSE("two Content-Lengths", "G", R200("Content-Length: 3\r\nContent-Length: 4\r\n", ""), LENGTH_CONFLICT, ANY),
	REFUSE("a Content-Length list", "G", R200("Content-Length: 3, 3\r\n", ""), LENGTH_INVALID, ANY),
	REFUSE("a signed Content-Length", "G", R200("Content-Length: +3\r\n", ""), LENGTH_INVALID, ANY),
	REFUSE("an empty Content-Length", "G", R200("Content-Length:\r\n", ""), LENGTH_INVALID, ANY),
	REFUSE("Content-Length 2^63", "G", R200("Content-Length: 9223372036854775808\r\n", ""), OVERFLOW, ANY),
	REFUSE("chunked, gzip", "G", R200("Transfer-Encoding: chunked, gzip\r\n", ""), TE_UNSUPPORTED, ANY),
	REFUSE("chunked twice", "G", R200("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", ""), TE_UNSUPPORTED, ANY),
	REFUSE("an empty Transfer-Encoding", "G", R200("Transfer-Encoding: ,\r\n", ""), TE_UNSUPPORTED, ANY),
	REFUSE("Transfer-Encoding in HTTP/1.0", "G", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", TE_HTTP10, ANY),
	REFUSE("obs-fold", "G", R200("X-A: b\r\n c\r\n", ""), OBS_FOLD, 25),
	REFUSE("space before the colon", "G", R200("Content-Length : 1\r\n", ""), SPACE_BEFORE_COLON, 31),
	REFUSE("a header without a colon", "G", R200("X-A\r\n", ""), FIELD_NAME, 20),
	REFUSE("bare LF ending the status line", "G", "HTTP/1.1 200 OK\nX: y\r\n\r\n", BARE_LF, 15),
	REFUSE("bare LF in a value", "G", R200("X-A: b\n", ""), BARE_LF, 23),
	REFUSE("bare CR in a value", "G", R200("X-A: b\rc\r\n", ""), BARE_CR, 24),
	REFUSE("bare LF ending the head", "G", "HTTP/1.1 200 OK\r\nX: y\r\n\n", BARE_LF, 23),
	REFUSE("NUL in the reason", "G", "HTTP/1.1 200 O\0K\r\n\r\n", NUL, 14),
	REFUSE("a control byte in a value", "G", R200("X-A: \x01\r\n", ""), CTL, 22),
	REFUSE("an empty line before the status line", "G", "\r\nHTTP/1.1 200 OK\r\n\r\n", VERSION, 0),
	REFUSE("a chunk size not hex", "G", CHUNKED("x\r\n"), CHUNK_SIZE, ANY),
	REFUSE("a space after the chunk size", "G", CHUNKED("5 \r\nhello\r\n"), CHUNK_SIZE, ANY),
	REFUSE("chunk data longer than its size", "G", CHUNKED("3\r\nabcd\r\n"), CHUNK_DATA_END, ANY),
	REFUSE("a chunk size of 2^63", "G", CHUNKED("8000000000000000\r\n"), OVERFLOW, ANY),
	REFUSE("a trailer Content-Length", "G", CHUNKED("0\r\nContent-Length: 5\r\n\r\n"), TRAILER_FIELD, ANY),
	REFUSE("a trailer Transfer-Encoding", "G", CHUNKED("0\r\nTransfer-Encoding: chunked\r\n\r\n"), TRAILER_FIELD, ANY),
};

/* The error of feeding @c at once and byte by byte, if both agree. */
static void test_refusals(void)
{
	static char a[4096], b[4096];

	for (size_t i = 0; i < ARRAY_LEN(refusals); i++) {
		const struct refuse_case *c = &refusals[i];
		char want[128];
		const char *e;
		size_t n;

		transcript(c->reqs, c->in, c->len, 0, a, sizeof(a));
		transcript(c->reqs, c->in, c->len, 1, b, sizeof(b));
		n = (size_t)snprintf(want, sizeof(want), "ERR %s@", httpresp_error_name(c->want));
		e = strstr(a, "ERR ");
		if (!ok(strcmp(a, b) == 0 && e && strncmp(e, want, n) == 0 &&
				(c->at == ANY || strtoul(e + n, NULL, 10) == c->at),
			"refused, %s: %s", httpresp_error_name(c->want), c->what))
			printf("#   at once:      %s\n#   byte by byte: %s\n#   want %s%zu\n", a, b, want,
			       c->at);
	}
}

/* @n bytes of @fill between @head and @tail. */
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

static bool refused_with(const char *reqs, const char *in, size_t len, enum httpresp_error e)
{
	static char got[4096];
	char want[64];

	transcript(reqs, in, len, 0, got, sizeof(got));
	snprintf(want, sizeof(want), "ERR %s@", httpresp_error_name(e));
	return strstr(got, want) != NULL;
}

/* Each bound: at its value accepted, one past refused. */
static void test_limits(void)
{
	static const char line_head[] = "HTTP/1.1 200 ";
	char *b;
	size_t len, n;

	/* The status line with its CRLF: HTTPRESP_LINE_MAX bytes. */
	n = HTTPRESP_LINE_MAX - strlen(line_head) - 2;
	b = build(line_head, n, 'r', "\r\nContent-Length: 0\r\n\r\n", &len);
	ok(!refused_with("G", b, len, HTTPRESP_E_LINE_TOO_LONG), "a status line of 8 KiB");
	free(b);
	b = build(line_head, n + 1, 'r', "\r\nContent-Length: 0\r\n\r\n", &len);
	ok(refused_with("G", b, len, HTTPRESP_E_LINE_TOO_LONG), "a status line of 8 KiB + 1: refused");
	free(b);

	/* The head: HTTPRESP_HEAD_MAX bytes, the empty line included. */
	n = HTTPRESP_HEAD_MAX - strlen("HTTP/1.1 200 OK\r\nX: ") - 2 - 2;
	b = build("HTTP/1.1 200 OK\r\nX: ", n, 'v', "\r\n\r\n", &len);
	ok(!refused_with("G", b, len, HTTPRESP_E_HEAD_TOO_LONG) && len == HTTPRESP_HEAD_MAX,
	   "a head of 64 KiB");
	free(b);
	b = build("HTTP/1.1 200 OK\r\nX: ", n + 1, 'v', "\r\n\r\n", &len);
	ok(refused_with("G", b, len, HTTPRESP_E_HEAD_TOO_LONG), "a head of 64 KiB + 1: refused");
	free(b);

	/* A framing field's value: HTTPRESP_VALUE_MAX bytes. */
	b = build("HTTP/1.1 200 OK\r\nConnection: ", HTTPRESP_VALUE_MAX, 'k', "\r\n\r\n", &len);
	ok(!refused_with("G", b, len, HTTPRESP_E_FIELD_TOO_LONG), "a Connection value of 1 KiB");
	free(b);
	b = build("HTTP/1.1 200 OK\r\nConnection: ", HTTPRESP_VALUE_MAX + 1, 'k', "\r\n\r\n", &len);
	ok(refused_with("G", b, len, HTTPRESP_E_FIELD_TOO_LONG), "a Connection value of 1 KiB + 1: refused");
	free(b);
	b = build("HTTP/1.1 200 OK\r\nX-Other: ", 4 * HTTPRESP_VALUE_MAX, 'k', "\r\nContent-Length: 0\r\n\r\n", &len);
	ok(!refused_with("G", b, len, HTTPRESP_E_FIELD_TOO_LONG), "other fields: not bound by it");
	free(b);

	/* HTTPRESP_FIELDS_MAX lines. */
	{
		char *fields = calloc(HTTPRESP_FIELDS_MAX + 2, 8);
		size_t at = 0;

		for (int i = 0; i < HTTPRESP_FIELDS_MAX; i++)
			at += (size_t)sprintf(fields + at, "X: y\r\n");
		b = build("HTTP/1.1 200 OK\r\n", 0, 0, fields, &len);
		free(fields);
		fields = malloc(len + 32);
		sprintf(fields, "%s\r\n", b);
		ok(!refused_with("G", fields, len + 2, HTTPRESP_E_TOO_MANY_FIELDS), "256 header lines");
		sprintf(fields, "%sX: y\r\n\r\n", b);
		ok(refused_with("G", fields, len + 8, HTTPRESP_E_TOO_MANY_FIELDS), "257 header lines: refused");
		free(fields);
		free(b);
	}

	/* A chunk-size line: HTTPRESP_CHUNK_LINE_MAX bytes with its CRLF. */
	n = HTTPRESP_CHUNK_LINE_MAX - strlen("1;") - 2;
	b = build(CHUNKED("1;"), n, 'e', "\r\nx\r\n0\r\n\r\n", &len);
	ok(!refused_with("G", b, len, HTTPRESP_E_CHUNK_LINE_TOO_LONG), "a chunk-size line of 4 KiB");
	free(b);
	b = build(CHUNKED("1;"), n + 1, 'e', "\r\nx\r\n0\r\n\r\n", &len);
	ok(refused_with("G", b, len, HTTPRESP_E_CHUNK_LINE_TOO_LONG), "a chunk-size line of 4 KiB + 1: refused");
	free(b);

	/* The largest length is taken. */
	ok(!refused_with("G", R200("Content-Length: 9223372036854775807\r\n", ""),
			 sizeof(R200("Content-Length: 9223372036854775807\r\n", "")) - 1, HTTPRESP_E_OVERFLOW),
	   "Content-Length 2^63-1");
}

/* The API around the events. */
static void test_api(void)
{
	static const char two[] = R200("Content-Length: 2\r\n", "ab");
	struct httpresp *p = httpresp_new();
	size_t used;

	ok(!httpresp_busy(p), "new: not busy");
	httpresp_expect(p, HTTPRESP_FOR_GET);
	ok(httpresp_busy(p), "a request sent: busy");
	httpresp_expect(p, HTTPRESP_FOR_HEAD);	/* ignored: one at a time */
	ok(httpresp_feed(p, (const uint8_t *)two, sizeof(two) - 1, &used) == HTTPRESP_HEAD &&
	   used == sizeof(two) - 3, "the head (a second expect was ignored: the body follows)");
	ok(httpresp_feed(p, (const uint8_t *)two + used, 2, &used) == HTTPRESP_END && used == 2,
	   "the body's two bytes end it");
	is_int(httpresp_body_bytes(p), 2, "two body bytes");
	ok(!httpresp_busy(p), "after END: not busy");
	ok(httpresp_eof(p) == HTTPRESP_NEED_MORE, "a close between exchanges is clean");
	ok(httpresp_feed(p, (const uint8_t *)"H", 1, &used) == HTTPRESP_ERROR && used == 0 &&
	   httpresp_error(p) == HTTPRESP_E_UNSOLICITED, "then a byte: unsolicited");
	ok(httpresp_feed(p, (const uint8_t *)"H", 1, &used) == HTTPRESP_ERROR, "the error stays");
	ok(!httpresp_busy(p) && httpresp_eof(p) == HTTPRESP_ERROR, "not busy, EOF an error");
	ok(strcmp(httpresp_error_name(HTTPRESP_E_COUNT), "?") == 0, "an unknown error's name");
	for (int e = 0; e < HTTPRESP_E_COUNT; e++)
		if (!httpresp_error_name(e) || !httpresp_error_text(e) || !httpresp_error_text(e)[0]) {
			ok(0, "error %d has a name and a text", e);
			break;
		}
	httpresp_free(p);
}

/* Random splits of a long run of exchanges agree with the whole. */
static void test_random_splits(void)
{
	static const char one[] =
		"HTTP/1.1 100 Continue\r\n\r\n"
		R200("Transfer-Encoding: chunked\r\n", "a;x=1\r\n0123456789\r\n0\r\nT: 1\r\n\r\n")
		R200("Content-Length: 5\r\n", "hello");
	static char big[64 * 1024], reqs[4096], whole[65536], other[65536];
	size_t len = 0, cuts[64], nreq = 0;
	unsigned seed = 4242;
	bool same = true;

	while (len + sizeof(one) < sizeof(big)) {
		memcpy(big + len, one, sizeof(one) - 1);
		len += sizeof(one) - 1;
		reqs[nreq++] = 'G';
		reqs[nreq++] = 'G';
	}
	reqs[nreq] = '\0';
	transcript(reqs, big, len, 0, whole, sizeof(whole));
	for (int round = 0; round < 500 && same; round++) {
		size_t n = 1 + (size_t)rand_r(&seed) % 63;

		for (size_t i = 0; i < n; i++)
			cuts[i] = (size_t)rand_r(&seed) % (len + 1);
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
				size_t t = cuts[j];

				cuts[j] = cuts[j - 1];
				cuts[j - 1] = t;
			}
		transcript_cuts(reqs, big, len, cuts, n, other, sizeof(other));
		same = strcmp(whole, other) == 0;
	}
	ok(same && !strstr(whole, "ERR"), "500 random splits of %zu bytes of exchanges agree", len);
}

int main(void)
{
	test_heads();
	test_refusals();
	test_limits();
	test_api();
	test_random_splits();
	return tap_done();
}
