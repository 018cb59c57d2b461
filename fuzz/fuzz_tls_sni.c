/* fuzz_tls_sni.c — libFuzzer target for peek_tls_sni() in
 * netproxy/peek_tls.c, the transparent proxy's ClientHello parser (DESIGN.md,
 * "The network mechanism", point 5).
 *
 * The input is what a sandboxed client sent on port 443.  Checked, besides
 * the sanitizers: a name found is a valid lowercased DNS name; on any other
 * result the host buffer is empty; decisions are stable (a prefix that
 * decides gives the same result and name as the whole); a small host buffer
 * gives INVALID, never a truncated name; re-fragmenting the handshake
 * bytes into records of another size gives the same result; and what this
 * parser reads a ClientHello in, peek_detect() calls TLS.  Seeds:
 * fuzz/corpus/tls_sni (ClientHellos of curl, openssl, node, python, git,
 * wget captured on 127.0.0.1).
 */
#include "fuzz.h"
#include "netproxy/peek.h"

#include <stdlib.h>
#include <string.h>

static uint8_t hs[2 * PEEK_TLS_MAX];
static uint8_t rec[8 * PEEK_TLS_MAX];

static void check_name(const char *h)
{
	size_t n = strlen(h), label = 0;

	CHECK(n >= 1 && n <= 253 && h[0] != '.' && h[n - 1] != '.');
	for (size_t i = 0; i < n; i++) {
		char c = h[i];

		if (c == '.') {
			CHECK(label > 0);
			label = 0;
			continue;
		}
		CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
		CHECK(++label <= 63);
	}
}

static void check_result(enum peek_result r, const char *host, const struct peek_tls_info *info)
{
	CHECK(r == PEEK_FOUND || r == PEEK_NEED_MORE || r == PEEK_ABSENT || r == PEEK_INVALID);
	if (r == PEEK_FOUND)
		check_name(host);
	else
		CHECK(host[0] == '\0');
	if (info && r != PEEK_FOUND && r != PEEK_ABSENT)
		CHECK(!info->ech);
}

/* Gather the fragments of the leading handshake records, the last one
 * possibly cut short (the parser needs only the bytes up to the end of the
 * ClientHello). */
static size_t gather(const uint8_t *data, size_t size)
{
	size_t pos = 0, n = 0;

	while (size - pos >= 5 && data[pos] == 22 && data[pos + 1] == 3) {
		size_t rlen = (size_t)data[pos + 3] << 8 | data[pos + 4];

		if (rlen == 0 || rlen > 16384)
			break;
		if (size - pos - 5 < rlen)
			rlen = size - pos - 5;
		if (n + rlen > sizeof(hs))
			break;
		memcpy(hs + n, data + pos + 5, rlen);
		n += rlen;
		pos += 5 + rlen;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char host[PEEK_HOST_MAX], h2[PEEK_HOST_MAX];
	struct peek_tls_info info, i2;
	enum peek_result r, r2;
	enum peek_proto p;
	size_t cuts[4];

	p = peek_detect(data, size);
	r = peek_tls_sni_ex(data, size, host, sizeof(host), &info);
	check_result(r, host, &info);
	/* The proxy parses what is detected as TLS with this parser and lets
	 * UNKNOWN through unchecked on a rule port: a ClientHello this parser
	 * reads must never be anything but TLS there. */
	if (r == PEEK_FOUND || r == PEEK_ABSENT)
		CHECK(p == PEEK_PROTO_TLS);
	if (p != PEEK_PROTO_TLS && p != PEEK_PROTO_NEED_MORE)
		CHECK(r == PEEK_INVALID);

	/* Stability. */
	cuts[0] = size / 2;
	cuts[1] = size ? size - 1 : 0;
	cuts[2] = size ? (size_t)data[0] * 7 % size : 0;
	cuts[3] = size > 9 ? 9 : 0;
	for (size_t i = 0; i < 4; i++) {
		if (cuts[i] >= size)
			continue;
		r2 = peek_tls_sni_ex(data, cuts[i], h2, sizeof(h2), &i2);
		check_result(r2, h2, &i2);
		if (r2 != PEEK_NEED_MORE) {
			CHECK(r2 == r && strcmp(h2, host) == 0);
			CHECK(i2.ech == info.ech);
		}
	}

	/* A host buffer too small for the name. */
	r2 = peek_tls_sni(data, size, h2, 8);
	if (r == PEEK_FOUND)
		CHECK(strlen(host) < 8 ? r2 == PEEK_FOUND : r2 == PEEK_INVALID);
	else
		CHECK(r2 == r);

	/* Re-fragmenting a decided ClientHello changes nothing. */
	if (r == PEEK_FOUND || r == PEEK_ABSENT) {
		size_t n = gather(data, size), hello, k, o = 0;

		CHECK(n >= 4);
		hello = 4 + ((size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3]);
		CHECK(hello <= n && hello <= PEEK_TLS_HELLO_MAX);
		k = 1 + (size ? data[size - 1] : 0) % 97;
		for (size_t i = 0; i < hello; i += k) {
			size_t f = hello - i < k ? hello - i : k;

			rec[o] = 22;
			rec[o + 1] = 3;
			rec[o + 2] = 3;
			rec[o + 3] = (uint8_t)(f >> 8);
			rec[o + 4] = (uint8_t)f;
			memcpy(rec + o + 5, hs + i, f);
			o += 5 + f;
		}
		r2 = peek_tls_sni_ex(rec, o, h2, sizeof(h2), &i2);
		if (o <= PEEK_TLS_MAX) {
			CHECK(r2 == r && strcmp(h2, host) == 0 && i2.ech == info.ech);
			if (o > 1)
				CHECK(peek_tls_sni(rec, o - 1, h2, sizeof(h2)) == PEEK_NEED_MORE);
		} else {
			CHECK(r2 == PEEK_INVALID);
		}
	}
	return 0;
}
