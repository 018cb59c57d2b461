/* fuzz_http_host.c — libFuzzer target for peek_http_host() in
 * netproxy/peek_http.c, the transparent proxy's HTTP/1.x request-head parser
 * (DESIGN.md, "The network mechanism", point 5).
 *
 * The input is what a sandboxed client sent first, on port 80 or a port a
 * rule names.  Checked, besides the sanitizers: a host found is a valid
 * lowercased DNS name without a trailing dot or an IPv6 literal in
 * inet_ntop() form; on any other result the host buffer is empty and the
 * info zeroed (but for ABSENT); decisions are stable (a prefix that decides
 * gives the same result, name and port as the whole), peek_detect()'s too;
 * a small host buffer gives INVALID, never a truncated name; an empty line
 * before the request changes nothing; and peek_detect() agrees with the
 * parser: whatever the parser finds a host in (FOUND, ABSENT) is detected as
 * HTTP, never as what the proxy would let through unchecked on a rule port;
 * what is detected as HTTP/0.9 the parser refuses; peek_detect_end()
 * decides everything and agrees with peek_detect() where that decided; a
 * line "GET <the input as one word>" is HTTP/0.9 with or without its CRLF;
 * and the host of an absolute-form request is the one its target names.
 * Seeds: fuzz/corpus/http_host (requests of curl, python, node, git and wget
 * captured on 127.0.0.1, and smuggling attempts).
 */
#include "fuzz.h"
#include "netproxy/peek.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void check_host(const char *h)
{
	size_t n = strlen(h), label = 0;

	CHECK(n >= 1 && n <= 253);
	if (strchr(h, ':')) {
		struct in6_addr a;
		char back[INET6_ADDRSTRLEN];

		CHECK(inet_pton(AF_INET6, h, &a) == 1);
		CHECK(inet_ntop(AF_INET6, &a, back, sizeof(back)) && strcmp(back, h) == 0);
		return;
	}
	CHECK(h[0] != '.' && h[n - 1] != '.');
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

static void check_result(enum peek_result r, const char *host, const struct peek_http_info *info)
{
	CHECK(r == PEEK_FOUND || r == PEEK_NEED_MORE || r == PEEK_ABSENT || r == PEEK_INVALID);
	if (r == PEEK_FOUND)
		check_host(host);
	else
		CHECK(host[0] == '\0');
	if (r == PEEK_INVALID || r == PEEK_NEED_MORE)
		CHECK(info->port == 0 && info->minor == 0 && info->target == 0);
	if (r == PEEK_ABSENT)
		CHECK(info->minor == 0 && info->port == 0);
	CHECK(info->minor <= 1);
}

static uint8_t crlf[PEEK_HTTP_MAX];
static uint8_t line[PEEK_HTTP_MAX];

/* The target of the request line in @data (after empty lines), or NULL. */
static const uint8_t *target_of(const uint8_t *data, size_t size, size_t *n)
{
	size_t i = 0, t;

	while (i + 1 < size && data[i] == '\r' && data[i + 1] == '\n')
		i += 2;
	while (i < size && data[i] != ' ')
		i++;
	t = ++i;
	while (i < size && data[i] != ' ')
		i++;
	*n = i - t;
	return t <= size ? data + t : NULL;
}

/* An absolute-form target names the host found: it follows "://". */
static void check_absolute(const uint8_t *data, size_t size, const char *host)
{
	size_t n, h = strlen(host);
	const uint8_t *t = target_of(data, size, &n);
	const uint8_t *a = t ? memmem(t, n, "://", 3) : NULL;

	CHECK(a);
	a += 3;
	n -= (size_t)(a - t);
	if (strchr(host, ':'))		/* an IPv6 literal: [host] in some spelling */
		CHECK(n > 0 && a[0] == '[');
	else
		CHECK(n >= h && strncasecmp((const char *)a, host, h) == 0 &&
		      (n == h || strchr(":/?#.", a[h])));
}

/* "GET " + the input's bytes that can be in a word (not blanks, control
 * bytes, or NEL and NBSP, which Python's http.server splits on): HTTP/0.9,
 * as a whole line and when the stream ends after it. */
static void check_http09(const uint8_t *data, size_t size)
{
	size_t n = 4;

	memcpy(line, "GET ", 4);
	for (size_t i = 0; i < size && n < 200; i++)
		if (data[i] > 0x20 && data[i] != 0x7f && data[i] != 0x85 && data[i] != 0xa0)
			line[n++] = data[i];
	if (n == 4 || (n >= 9 && strncasecmp((const char *)line + 4, "http/", 5) == 0))
		return;
	CHECK(peek_detect_end(line, n) == PEEK_PROTO_HTTP09);
	memcpy(line + n, "\r\n", 2);
	CHECK(peek_detect(line, n + 2) == PEEK_PROTO_HTTP09);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char host[PEEK_HOST_MAX], h2[PEEK_HOST_MAX];
	struct peek_http_info info, i2;
	enum peek_result r, r2;
	enum peek_proto p, p2;
	size_t cuts[4];

	p = peek_detect(data, size);
	r = peek_http_host_ex(data, size, host, sizeof(host), &info);
	check_result(r, host, &info);

	/* What the proxy does with it: it parses what is HTTP, lets what is
	 * UNKNOWN through unchecked on a rule port, and waits on NEED_MORE.  A
	 * request the parser reads (a server would serve) must be HTTP; with
	 * the stability of both (below), no longer stream of what was decided
	 * otherwise can become one.  (The parser may still say NEED_MORE for
	 * bytes detection has ruled out: it judges a line when it is whole.) */
	if (r == PEEK_FOUND || r == PEEK_ABSENT)
		CHECK(p == PEEK_PROTO_HTTP);
	if (p == PEEK_PROTO_NEED_MORE)
		CHECK(size < PEEK_HTTP_MAX);
	if (p == PEEK_PROTO_HTTP09)
		CHECK(r == PEEK_INVALID);
	p2 = peek_detect_end(data, size);
	CHECK(p2 != PEEK_PROTO_NEED_MORE && (p == PEEK_PROTO_NEED_MORE || p2 == p));
	if (r == PEEK_FOUND && info.target == PEEK_HTTP_ABSOLUTE)
		check_absolute(data, size, host);
	check_http09(data, size);

	/* An empty line first: the same request (RFC 9112, 2.2). */
	if (size + 2 < sizeof(crlf)) {
		memcpy(crlf, "\r\n", 2);
		memcpy(crlf + 2, data, size);
		r2 = peek_http_host_ex(crlf, size + 2, h2, sizeof(h2), &i2);
		CHECK(r2 == r && strcmp(h2, host) == 0 && i2.port == info.port && i2.minor == info.minor &&
		      i2.target == info.target);
	}

	/* Stability. */
	cuts[0] = size / 2;
	cuts[1] = size ? size - 1 : 0;
	cuts[2] = size ? (size_t)data[0] * 13 % size : 0;
	cuts[3] = size > 16 ? 16 : 0;
	for (size_t i = 0; i < 4; i++) {
		if (cuts[i] >= size)
			continue;
		p2 = peek_detect(data, cuts[i]);
		CHECK(p2 == PEEK_PROTO_NEED_MORE || p2 == p);
		r2 = peek_http_host_ex(data, cuts[i], h2, sizeof(h2), &i2);
		check_result(r2, h2, &i2);
		if (r2 != PEEK_NEED_MORE) {
			CHECK(r2 == r && strcmp(h2, host) == 0);
			CHECK(i2.port == info.port && i2.minor == info.minor &&
			      i2.target == info.target);
		}
	}

	/* A host buffer too small for the name. */
	r2 = peek_http_host(data, size, h2, 6);
	if (r == PEEK_FOUND)
		CHECK(strlen(host) < 6 ? r2 == PEEK_FOUND : r2 == PEEK_INVALID);
	else
		CHECK(r2 == r);
	return 0;
}
