/* fuzz_proxywire.c — libFuzzer target for the replies of an upstream proxy
 * (netproxy/proxywire.c): the HTTP head that answers CONNECT and the three
 * SOCKS5 replies, which the supervisor peeks from the proxy's socket.
 *
 * The first byte picks the parser (its low two bits); the rest is the
 * reply.  Checked, besides the sanitizers:
 *   - DONE takes at least the reply's fixed part and never more than it
 *     was given (nor more than PROXYWIRE_HTTP_MAX);
 *   - a reply is a reply whatever follows it: the DONE prefix alone parses
 *     the same (same length, same code), and every shorter prefix of it
 *     is NEED_MORE — so peeking more never changes what is consumed;
 *   - an HTTP status is 100..599, its reason phrase printable ASCII.
 * Seeds: fuzz/corpus/proxywire (tinyproxy's and squid's replies, a 407,
 * SOCKS5 replies of each address type).
 */
#include "fuzz.h"
#include "netproxy/proxywire.h"

#include <stdlib.h>
#include <string.h>

typedef enum proxywire_result (*parser)(const uint8_t *, size_t, struct proxywire_reply *);

static const parser parsers[] = {
	proxywire_http_reply, proxywire_socks_method, proxywire_socks_auth_reply, proxywire_socks_reply,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxywire_reply r, again;
	enum proxywire_result res;
	size_t which;
	uint8_t *copy;

	if (size < 1)
		return 0;
	which = data[0] & 3;
	data++;
	size--;
	/* A copy of exactly @size bytes: ASan sees any read past the end. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	res = parsers[which](copy, size, &r);
	if (res == PROXYWIRE_DONE) {
		CHECK(r.len >= 2 && r.len <= size && r.len <= PROXYWIRE_HTTP_MAX);
		CHECK(parsers[which](copy, r.len, &again) == PROXYWIRE_DONE);
		CHECK(again.len == r.len && again.code == r.code);
		for (size_t i = 0; i < r.len; i++)
			CHECK(parsers[which](copy, i, &again) == PROXYWIRE_NEED_MORE);
		if (which == 0) {
			CHECK(r.code >= 100 && r.code <= 599);
			for (const char *c = r.reason; *c; c++)
				CHECK(*c >= 0x20 && *c < 0x7f);
		} else {
			CHECK(r.code >= 0 && r.code <= 255);
		}
	} else if (res == PROXYWIRE_NEED_MORE) {
		CHECK(size < PROXYWIRE_HTTP_MAX);
	}
	free(copy);
	return 0;
}
