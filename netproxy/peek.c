/* peek.c — the first bytes of a sandboxed client's connection: what
 * protocol they are (peek_detect), and the host-name checks that the TLS
 * and HTTP parsers share (peek_tls.c finds the SNI of a ClientHello,
 * peek_http.c the Host of an HTTP/1.x request).
 *
 * Part of netbox's transparent proxy (DESIGN.md, "The network mechanism",
 * point 5), run by the supervisor: netproxy/proxy.c peeks (MSG_PEEK) at the
 * stream and refuses a name that does not match the host the destination
 * address stands for.  See peek.h for the API and the decisions.  Every byte
 * comes from an untrusted program, and all three files keep to the same
 * rules: lengths are size_t, no byte is read before its index is checked
 * against the length (peek_tls.c reads through a bounds-checked cursor), the
 * work is bounded by PEEK_TLS_MAX / PEEK_HTTP_MAX, and there is no
 * allocation and no global state.
 */
#include "netproxy/peek_internal.h"

#include <string.h>

#define DNS_NAME_MAX		253
#define DNS_LABEL_MAX		63

const char *peek_result_name(enum peek_result r)
{
	switch (r) {
	case PEEK_FOUND:
		return "FOUND";
	case PEEK_NEED_MORE:
		return "NEED_MORE";
	case PEEK_ABSENT:
		return "ABSENT";
	case PEEK_INVALID:
		return "INVALID";
	}
	return "?";
}

/* ---- shared with peek_tls.c and peek_http.c (see peek_internal.h) -------- */

static bool name_char_ok(uint8_t ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

static char lower(uint8_t ch)
{
	return (char)(ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch);
}

bool peek_name_check(const uint8_t *s, size_t n, size_t *outlen)
{
	size_t label = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > DNS_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (name_char_ok(s[i])) {
			if (++label > DNS_LABEL_MAX)
				return false;
		} else {
			return false;
		}
	}
	if (label == 0)
		return false;
	*outlen = n;
	return true;
}

bool peek_put_lower(char *dst, size_t dstlen, const uint8_t *s, size_t n)
{
	if (dstlen <= n)
		return false;
	for (size_t i = 0; i < n; i++)
		dst[i] = lower(s[i]);
	dst[n] = '\0';
	return true;
}

void peek_clear_host(char *host, size_t hostlen)
{
	if (hostlen > 0)
		host[0] = '\0';
}

bool peek_bytes_eq(const uint8_t *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

bool peek_is_tchar(uint8_t ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* ---- detect -------------------------------------------------------------- */

/* The first line of the HTTP/2 prior-knowledge preface (RFC 9113, 3.4). */
static const char h2c_line[] = "PRI * HTTP/2.0\r\n";

/* What separates the words of a request line: SP, what RFC 9112 (3) lets
 * a recipient take for it (HTAB, VT, FF, a bare CR), and what else Python's
 * http.server (and wsgiref, which builds on it) splits the line on: it
 * decodes the line as Latin-1 and calls str.split(), for which the
 * information separators 0x1c-0x1f, NEL (0x85) and NBSP (0xa0) are
 * whitespace too ("GET\xa0/\xa0HTTP/1.1" is a request there). */
static bool is_line_sep(uint8_t ch)
{
	return ch == ' ' || ch == '\t' || ch == '\v' || ch == '\f' || ch == '\r' || (ch >= 0x1c && ch <= 0x1f) ||
	       ch == 0x85 || ch == 0xa0;
}

/* A byte of a request line's other words: visible ASCII or obs-text (nginx
 * takes UTF-8 in a target).  Control bytes are refused there by RFC 9112
 * and by the servers that pick virtual hosts (nginx, Apache, Go, Node), and
 * ruling them out lets binary protocols through at their first one. */
static bool is_word_byte(uint8_t ch)
{
	return ch > 0x20 && ch != 0x7f;
}

/* Is s[0..n) a request-target that servers route on (RFC 9112, 3.2): the
 * origin-form ("/path"), the asterisk-form, or an absolute-form
 * ("scheme://host/...": nginx and Apache pick the virtual host from it)? */
static bool is_request_target(const uint8_t *s, size_t n)
{
	size_t i = 1;

	if (n == 0)
		return false;
	if (s[0] == '/' || s[0] == '*')
		return true;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), RFC 3986 */
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			 (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	return n - i >= 3 && memcmp(s + i, "://", 3) == 0;
}

/* A request line that ended without a version: HTTP/0.9 ("GET /\r\n"), if
 * it is a method and one more word, and that word is a request-target or
 * the method is GET.  nginx, Apache and Python's http.server still serve
 * HTTP/0.9, GET only (compared case-sensitively), and Python takes any
 * word for its target and reads header lines after it, Host included.
 * Other two-word lines stay UNKNOWN: "EHLO mail.test", "USER bob",
 * memcached's "get key". */
static bool is_http09(const uint8_t *method, size_t mlen, const uint8_t *target, size_t tlen, unsigned words)
{
	return words == 1 && (peek_bytes_eq(method, mlen, "GET") || is_request_target(target, tlen));
}

/* Could buf[0..len) be the start of an HTTP/1.x request line as a lenient
 * server reads one: empty lines and blanks, a method token, a separator,
 * and a later word that starts with "HTTP/" in any case, before the line
 * ends (LF)?  HTTP as soon as that word is seen, HTTP09 at the line's end
 * for a line without one that is_http09(), UNKNOWN as soon as a byte rules
 * both out, NEED_MORE until then.  @end: the stream ends after @len bytes,
 * which ends the line too (Python's http.server reads a last line without
 * its LF). */
static enum peek_proto detect_http(const uint8_t *buf, size_t len, bool end)
{
	static const char version[] = "http/";
	size_t i = 0, matched = 0;	/* of version, in the current word */
	size_t m0, m1, t0 = 0, t1 = 0;	/* the method; the first word after it */
	unsigned words = 0;		/* after the method */
	bool mismatch = false;		/* the current word is not a version */
	bool in_word = false;

	while (i < len && (buf[i] == '\n' || is_line_sep(buf[i])))
		i++;
	if (i < len && !peek_is_tchar(buf[i]))
		return PEEK_PROTO_UNKNOWN;
	m0 = i;
	while (i < len && peek_is_tchar(buf[i]))
		i++;
	m1 = i;
	if (i < len && !is_line_sep(buf[i]))
		return PEEK_PROTO_UNKNOWN;
	for (; i <= len; i++) {
		if (i == len && !end)
			break;
		if (i < len && is_line_sep(buf[i])) {
			if (in_word && words == 1)
				t1 = i;
			in_word = false;
			matched = 0;
			mismatch = false;
		} else if (i == len || buf[i] == '\n') {
			if (in_word && words == 1)
				t1 = i;
			return is_http09(buf + m0, m1 - m0, buf + t0, t1 - t0, words) ? PEEK_PROTO_HTTP09
										  : PEEK_PROTO_UNKNOWN;
		} else if (!is_word_byte(buf[i])) {
			return PEEK_PROTO_UNKNOWN;
		} else {
			if (!in_word && ++words == 1)
				t0 = i;
			in_word = true;
			if (!mismatch && lower(buf[i]) == version[matched]) {
				if (++matched == sizeof(version) - 1)
					return PEEK_PROTO_HTTP;
			} else {
				mismatch = true;
			}
		}
	}
	return PEEK_PROTO_NEED_MORE;
}

enum peek_proto peek_detect(const uint8_t *buf, size_t len)
{
	enum peek_proto p;

	if (len == 0)
		return PEEK_PROTO_NEED_MORE;
	if (buf[0] == TLS_CT_HANDSHAKE) {
		if (len < 2)
			return PEEK_PROTO_NEED_MORE;
		return buf[1] == 3 ? PEEK_PROTO_TLS : PEEK_PROTO_UNKNOWN;
	}
	if (memcmp(buf, h2c_line, peek_min_size(len, sizeof(h2c_line) - 1)) == 0)
		return len >= sizeof(h2c_line) - 1 ? PEEK_PROTO_H2C : PEEK_PROTO_NEED_MORE;
	p = detect_http(buf, peek_min_size(len, PEEK_HTTP_MAX), false);
	/* Still a request line in the making at the bound: too long for the
	 * Host parser, which refuses it; so it is HTTP, not "anything else". */
	if (p == PEEK_PROTO_NEED_MORE && len >= PEEK_HTTP_MAX)
		return PEEK_PROTO_HTTP;
	return p;
}

enum peek_proto peek_detect_end(const uint8_t *buf, size_t len)
{
	enum peek_proto p = peek_detect(buf, len);

	if (p != PEEK_PROTO_NEED_MORE)
		return p;
	p = detect_http(buf, peek_min_size(len, PEEK_HTTP_MAX), true);
	return p == PEEK_PROTO_NEED_MORE ? PEEK_PROTO_UNKNOWN : p;
}
