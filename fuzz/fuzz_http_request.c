/* fuzz_http_request.c — libFuzzer target for the per-request HTTP/1.1
 * parser (netproxy/httpreq.c, httpreq_field.c), which will read every
 * request of an inspected connection: the program's decrypted bytes.
 *
 * The first two bytes seed the cuts; the rest is the stream.  Checked,
 * besides the sanitizers:
 *   - fed at once, byte by byte, and cut at random places, the events are
 *     the same (heads, where each request ends, the error and the offset of
 *     its byte), body events added up;
 *   - every head is well-formed: a token method, a target the path and
 *     query come from (origin-form: target = path [ "?" query ]), a valid
 *     host (empty only for HTTP/1.0), framing and length agreeing; its raw
 *     bytes are those fed, without the empty lines before them, ending with
 *     the empty line;
 *   - a Content-Length body is exactly that long; no event takes more
 *     bytes than it was given;
 *   - the first-request peek (netproxy/peek_http.c) reads every head this
 *     parser accepts the same way: the same host and port, or ABSENT for
 *     an HTTP/1.0 request without one.
 * Seeds: fuzz/corpus/http_request (pipelines, chunked bodies with
 * extensions and trailers, real clients' requests, smuggling attempts).
 */
#include "fuzz.h"
#include "netproxy/httpreq.h"
#include "netproxy/peek.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* What a run of the parser gave, folded: FNV-1a over the events. */
struct rec {
	uint64_t hash;
	uint64_t pending;	/* body bytes not folded in yet */
	size_t total;		/* bytes taken */
};

static void fold(struct rec *r, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		r->hash = (r->hash ^ b[i]) * 0x100000001b3ULL;
}

static void fold_str(struct rec *r, const char *s)
{
	fold(r, s ? s : "\x01(null)", s ? strlen(s) + 1 : 8);
}

static void fold_pending(struct rec *r)
{
	if (r->pending) {
		fold(r, "B", 1);
		fold(r, &r->pending, sizeof(r->pending));
		r->pending = 0;
	}
}

static bool is_tchar(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The head is what it says it is; the peek parser reads it alike. */
static void check_head(const struct httpreq *p, const struct httpreq_head *h)
{
	size_t rawlen, tlen = strlen(h->target), plen = strlen(h->path);
	const uint8_t *raw = httpreq_head_raw(p, &rawlen);
	char host[PEEK_HOST_MAX];
	struct peek_http_info info;
	enum peek_result r;

	CHECK(h->method[0] && tlen > 0 && h->minor <= 1);
	for (const char *m = h->method; *m; m++)
		CHECK(is_tchar((uint8_t)*m));
	CHECK(rawlen >= 16 && memcmp(raw, h->method, strlen(h->method)) == 0 &&
	      memcmp(raw + rawlen - 4, "\r\n\r\n", 4) == 0);
	if (h->form == HTTPREQ_ORIGIN) {
		CHECK(h->path[0] == '/' && strncmp(h->target, h->path, plen) == 0);
		CHECK(h->query ? h->target[plen] == '?' && strcmp(h->target + plen + 1, h->query) == 0
			       : plen == tlen);
	}
	if (h->form == HTTPREQ_ABSOLUTE)
		CHECK(h->path[0] == '/' && h->host[0]);
	if (h->form == HTTPREQ_AUTHORITY)
		CHECK(strcmp(h->method, "CONNECT") == 0 && h->port && h->path[0] == '\0');
	if (h->form == HTTPREQ_ASTERISK)
		CHECK(strcmp(h->method, "OPTIONS") == 0 && strcmp(h->path, "*") == 0);
	CHECK(h->host[0] || h->minor == 0);
	CHECK(h->framing == HTTPREQ_BODY_LENGTH || h->content_length == 0);
	CHECK(!h->websocket || h->upgrade);
	CHECK(!h->expect_continue || h->minor == 1);

	if (rawlen > PEEK_HTTP_MAX)
		return;
	r = peek_http_host_ex(raw, rawlen, host, sizeof(host), &info);
	if (h->host[0])
		CHECK(r == PEEK_FOUND && strcmp(host, h->host) == 0 && info.port == h->port &&
		      info.minor == h->minor && (int)info.target == (int)h->form);
	else
		CHECK(r == PEEK_ABSENT);
}

static void fold_head(struct rec *r, const struct httpreq *p)
{
	const struct httpreq_head *h = httpreq_head(p);
	uint8_t flags = (uint8_t)(h->keep_alive | h->upgrade << 1 | h->websocket << 2 |
				  h->expect_continue << 3);

	check_head(p, h);
	fold(r, "H", 1);
	fold_str(r, h->method);
	fold_str(r, h->target);
	fold_str(r, h->path);
	fold_str(r, h->query);
	fold_str(r, h->host);
	fold(r, &h->port, sizeof(h->port));
	fold(r, &h->minor, sizeof(h->minor));
	fold(r, &h->form, sizeof(h->form));
	fold(r, &h->framing, sizeof(h->framing));
	fold(r, &h->content_length, sizeof(h->content_length));
	fold(r, &flags, sizeof(flags));
	fold(r, &h->nfields, sizeof(h->nfields));
}

/* Feed one piece until it is all taken (or refused).  False after an error. */
static bool feed_piece(struct httpreq *p, struct rec *r, const uint8_t *b, size_t n)
{
	for (;;) {
		size_t used = (size_t)-1;
		enum httpreq_event ev = httpreq_feed(p, b, n, &used);

		CHECK(used <= n);
		b += used;
		n -= used;
		r->total += used;
		switch (ev) {
		case HTTPREQ_NEED_MORE:
			CHECK(n == 0);
			return true;
		case HTTPREQ_HEAD:
			fold_pending(r);
			fold_head(r, p);
			break;
		case HTTPREQ_BODY:
			CHECK(used > 0);
			r->pending += used;
			break;
		case HTTPREQ_END:
			r->pending += used;
			if (httpreq_head(p)->framing == HTTPREQ_BODY_LENGTH)
				CHECK(r->pending == httpreq_head(p)->content_length);
			fold_pending(r);
			fold(r, "E", 1);
			break;
		case HTTPREQ_ERROR: {
			enum httpreq_error e = httpreq_error(p);

			CHECK(e > HTTPREQ_E_NONE && e < HTTPREQ_E_COUNT);
			fold_pending(r);
			fold(r, "X", 1);
			fold(r, &e, sizeof(e));
			fold(r, &r->total, sizeof(r->total));
			return false;
		}
		default:
			CHECK(0);
		}
	}
}

/* Run the parser over data[0..size) cut before each of cuts[0..n)
 * (ascending). */
static uint64_t run(const uint8_t *data, size_t size, const size_t *cuts, size_t n)
{
	struct httpreq *p;
	struct rec r = { .hash = 0xcbf29ce484222325ULL };
	size_t start = 0;

	p = httpreq_new();
	CHECK(p);
	for (size_t c = 0; c <= n; c++) {
		size_t end = c < n ? cuts[c] : size;

		if (!feed_piece(p, &r, data + start, end - start))
			break;
		start = end;
	}
	fold_pending(&r);
	httpreq_free(p);
	return r.hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cuts[32], *each, n = 0;
	unsigned seed;
	uint64_t whole, other;

	if (size < 2)
		return 0;
	seed = (unsigned)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	whole = run(data, size, NULL, 0);

	each = malloc((size + 1) * sizeof(*each));
	CHECK(each);
	for (size_t i = 0; i < size; i++)
		each[i] = i + 1;
	other = run(data, size, each, size ? size - 1 : 0);
	free(each);
	CHECK(other == whole);

	if (size > 0) {
		n = 1 + seed % 31;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			cuts[i] = (seed >> 8) % (size + 1);
		}
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
				size_t t = cuts[j];

				cuts[j] = cuts[j - 1];
				cuts[j - 1] = t;
			}
		CHECK(run(data, size, cuts, n) == whole);
	}
	return 0;
}
