/* fuzz_http_response.c — libFuzzer target for the response parser of
 * inspected connections (netproxy/httpresp.c), which reads every response
 * an allowed host sends back through the proxy.
 *
 * The first two bytes seed the cuts, the third says which requests the
 * responses answer (two bits each for the first four: any method, HEAD,
 * CONNECT, an upgrade; any method after those); the rest is the stream.
 * Checked, besides the sanitizers:
 *   - fed at once, byte by byte, and cut at random places, the events are
 *     the same (heads, where each response ends, the error and the offset
 *     of its byte, what the close says), body events added up;
 *   - every head is well-formed: a status of 100..599, HTTP/1.0 or 1.1, the
 *     framing RFC 9112 6.3 gives it (none for HEAD, 1xx, 204, 304; a
 *     tunnel only for 101 to an upgrade or any 2xx to CONNECT, 204
 *     included), no keep-alive for a body that ends with the connection;
 *   - a Content-Length body is exactly that long, END comes only after a
 *     final head, no event takes more bytes than it was given.
 * Seeds: fuzz/corpus/http_response (servers' heads, 1xx, chunked bodies
 * with extensions and trailers, framing conflicts).
 */
#include "fuzz.h"
#include "netproxy/httpresp.h"

#include <stdlib.h>
#include <string.h>

struct rec {
	uint64_t hash;
	uint64_t pending;	/* body bytes not folded in yet */
	size_t total;		/* bytes taken */
	unsigned exchange;	/* requests expected so far */
	uint8_t kinds;
	enum httpresp_for what;	/* of the current one */
	bool final;		/* a final head came in this exchange */
};

static void fold(struct rec *r, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		r->hash = (r->hash ^ b[i]) * 0x100000001b3ULL;
}

static void fold_pending(struct rec *r)
{
	if (r->pending) {
		fold(r, "B", 1);
		fold(r, &r->pending, sizeof(r->pending));
		r->pending = 0;
	}
}

static void check_head(const struct rec *r, const struct httpresp_head *h)
{
	CHECK(h->status >= 100 && h->status <= 599 && h->minor <= 1);
	CHECK(h->framing == HTTPRESP_BODY_LENGTH || h->content_length == 0);
	if (h->status < 200 && h->status != 101)
		CHECK(h->framing == HTTPRESP_BODY_NONE);
	if (h->framing == HTTPRESP_BODY_TUNNEL)
		CHECK((h->status == 101 && r->what == HTTPRESP_FOR_UPGRADE) ||
		      (h->status / 100 == 2 && r->what == HTTPRESP_FOR_CONNECT));
	if (h->status == 101)
		CHECK(h->framing == HTTPRESP_BODY_TUNNEL);
	/* (A 2xx to CONNECT, 204 included, is a tunnel: RFC 9110 9.3.6.) */
	if (h->status >= 200 && r->what != HTTPRESP_FOR_CONNECT &&
	    (r->what == HTTPRESP_FOR_HEAD || h->status == 204 || h->status == 304))
		CHECK(h->framing == HTTPRESP_BODY_NONE);
	if (h->framing == HTTPRESP_BODY_CLOSE || h->framing == HTTPRESP_BODY_TUNNEL)
		CHECK(!h->keep_alive);
}

static void fold_head(struct rec *r, const struct httpresp *p)
{
	const struct httpresp_head *h = httpresp_head(p);

	check_head(r, h);
	if (h->status >= 200 || h->status == 101)
		r->final = true;
	fold(r, "H", 1);
	fold(r, &h->status, sizeof(h->status));
	fold(r, &h->minor, sizeof(h->minor));
	fold(r, &h->framing, sizeof(h->framing));
	fold(r, &h->content_length, sizeof(h->content_length));
	fold(r, &h->keep_alive, sizeof(h->keep_alive));
	fold(r, &h->nfields, sizeof(h->nfields));
}

/* Between exchanges: the next request goes out. */
static void next_request(struct httpresp *p, struct rec *r)
{
	if (httpresp_busy(p))
		return;
	r->what = r->exchange < 4 ? (enum httpresp_for)((r->kinds >> (2 * r->exchange)) & 3)
				  : HTTPRESP_FOR_GET;
	r->exchange++;
	r->final = false;
	httpresp_expect(p, r->what);
}

/* Feed one piece until it is all taken (or refused).  False after an error. */
static bool feed_piece(struct httpresp *p, struct rec *r, const uint8_t *b, size_t n)
{
	for (;;) {
		size_t used = (size_t)-1;
		enum httpresp_event ev;

		if (n > 0)
			next_request(p, r);
		ev = httpresp_feed(p, b, n, &used);
		CHECK(used <= n);
		b += used;
		n -= used;
		r->total += used;
		switch (ev) {
		case HTTPRESP_NEED_MORE:
			CHECK(n == 0);
			return true;
		case HTTPRESP_HEAD:
			fold_pending(r);
			fold_head(r, p);
			break;
		case HTTPRESP_BODY:
			CHECK(used > 0 && r->final);
			r->pending += used;
			break;
		case HTTPRESP_END:
			CHECK(r->final);
			r->pending += used;
			if (httpresp_head(p)->framing == HTTPRESP_BODY_LENGTH)
				CHECK(r->pending == httpresp_head(p)->content_length);
			fold_pending(r);
			fold(r, "E", 1);
			break;
		case HTTPRESP_ERROR: {
			enum httpresp_error e = httpresp_error(p);

			CHECK(e > HTTPRESP_E_NONE && e < HTTPRESP_E_COUNT);
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

static uint64_t run(uint8_t kinds, const uint8_t *data, size_t size, const size_t *cuts, size_t n)
{
	struct httpresp *p = httpresp_new();
	struct rec r = { .hash = 0xcbf29ce484222325ULL, .kinds = kinds };
	size_t start = 0;
	bool alive = true;

	CHECK(p);
	for (size_t c = 0; c <= n && alive; c++) {
		size_t end = c < n ? cuts[c] : size;

		alive = feed_piece(p, &r, data + start, end - start);
		start = end;
	}
	fold_pending(&r);
	if (alive) {
		enum httpresp_event ev = httpresp_eof(p);

		CHECK(ev != HTTPRESP_END || r.final);
		CHECK(ev != HTTPRESP_ERROR || httpresp_error(p) == HTTPRESP_E_TRUNCATED ||
		      httpresp_error(p) == HTTPRESP_E_NO_RESPONSE);
		fold(&r, "C", 1);
		fold(&r, &ev, sizeof(ev));
	}
	httpresp_free(p);
	return r.hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cuts[32], *each, n = 0;
	unsigned seed;
	uint8_t kinds;
	uint64_t whole, other;

	if (size < 3)
		return 0;
	seed = (unsigned)data[0] << 8 | data[1];
	kinds = data[2];
	data += 3;
	size -= 3;
	whole = run(kinds, data, size, NULL, 0);

	each = malloc((size + 1) * sizeof(*each));
	CHECK(each);
	for (size_t i = 0; i < size; i++)
		each[i] = i + 1;
	other = run(kinds, data, size, each, size ? size - 1 : 0);
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
		CHECK(run(kinds, data, size, cuts, n) == whole);
	}
	return 0;
}
