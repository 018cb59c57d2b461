/* peek.c — find the host name in the first bytes of a sandboxed client's
 * connection: the SNI of a TLS ClientHello, the Host of an HTTP/1.x request.
 *
 * Part of netbox's transparent proxy (DESIGN.md, "The network mechanism",
 * point 5); the proxy peeks (MSG_PEEK) at the stream and refuses a name that
 * does not match the host the destination address stands for.  See peek.h for
 * the API and the decisions.  Every byte comes from an untrusted program:
 * reads go through a bounds-checked cursor (get_u8/u16/u24/bytes/sub), lengths
 * are size_t, and the work is bounded by PEEK_TLS_MAX / PEEK_HTTP_MAX.  No
 * allocation and no global state: the one scratch buffer, for reassembling a
 * ClientHello fragmented across records, is on the stack.
 */
#include "netproxy/peek.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#define TLS_RECORD_HDR		5
#define TLS_RECORD_MAX		16384	/* 2^14, RFC 8446 5.1 */
#define TLS_CT_HANDSHAKE	22
#define TLS_HS_HDR		4
#define TLS_HS_CLIENT_HELLO	1
#define TLS_RANDOM_LEN		32
#define TLS_SESSION_ID_MAX	32
#define TLS_EXT_SERVER_NAME	0x0000
#define TLS_EXT_ECH		0xfe0d
#define TLS_SNI_HOST_NAME	0
#define TLS_MAX_EXTENSIONS	128	/* real clients send about 20 */

#define DNS_NAME_MAX		253
#define DNS_LABEL_MAX		63

/* ---- bounds-checked reader ----------------------------------------------- */

struct cursor {
	const uint8_t *p;
	size_t len;
	size_t off;	/* always <= len */
};

static void cur_init(struct cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->off = 0;
}

static size_t cur_left(const struct cursor *c)
{
	return c->len - c->off;
}

static bool get_bytes(struct cursor *c, size_t n, const uint8_t **v)
{
	if (cur_left(c) < n)
		return false;
	*v = c->p + c->off;
	c->off += n;
	return true;
}

static bool skip(struct cursor *c, size_t n)
{
	const uint8_t *v;

	return get_bytes(c, n, &v);
}

static bool get_u8(struct cursor *c, uint8_t *v)
{
	const uint8_t *p;

	if (!get_bytes(c, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static bool get_u16(struct cursor *c, uint16_t *v)
{
	const uint8_t *p;

	if (!get_bytes(c, 2, &p))
		return false;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return true;
}

static bool get_u24(struct cursor *c, uint32_t *v)
{
	const uint8_t *p;

	if (!get_bytes(c, 3, &p))
		return false;
	*v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	return true;
}

/* The next @n bytes as a cursor of their own. */
static bool get_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	const uint8_t *p;

	if (!get_bytes(c, n, &p))
		return false;
	cur_init(sub, p, n);
	return true;
}

static inline size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* ---- names --------------------------------------------------------------- */

static bool name_char_ok(uint8_t ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

static char lower(uint8_t ch)
{
	return (char)(ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch);
}

/* Is s[0..n) a host name we act on: 1..253 bytes once one trailing dot is
 * dropped, labels of 1..63 bytes of [A-Za-z0-9_-]?  *@outlen is its length
 * without the trailing dot. */
static bool name_check(const uint8_t *s, size_t n, size_t *outlen)
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

/* Copy s[0..n), lowercased, NUL-terminated, into dst[dstlen]. */
static bool put_lower(char *dst, size_t dstlen, const uint8_t *s, size_t n)
{
	if (dstlen <= n)
		return false;
	for (size_t i = 0; i < n; i++)
		dst[i] = lower(s[i]);
	dst[n] = '\0';
	return true;
}

static void clear_host(char *host, size_t hostlen)
{
	if (hostlen > 0)
		host[0] = '\0';
}

/* Copy a finished name to the caller's buffer. */
static enum peek_result found(char *host, size_t hostlen, const char *name)
{
	size_t n = strlen(name);

	if (hostlen <= n)
		return PEEK_INVALID;
	memcpy(host, name, n + 1);
	return PEEK_FOUND;
}

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

/* ---- detect -------------------------------------------------------------- */

static bool bytes_eq(const uint8_t *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* The first line of the HTTP/2 prior-knowledge preface (RFC 9113, 3.4). */
static const char h2c_line[] = "PRI * HTTP/2.0\r\n";

/* tchar, RFC 9110 5.6.2 */
static bool is_tchar(uint8_t ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

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
	return words == 1 && (bytes_eq(method, mlen, "GET") || is_request_target(target, tlen));
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
	if (i < len && !is_tchar(buf[i]))
		return PEEK_PROTO_UNKNOWN;
	m0 = i;
	while (i < len && is_tchar(buf[i]))
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
	if (memcmp(buf, h2c_line, min_size(len, sizeof(h2c_line) - 1)) == 0)
		return len >= sizeof(h2c_line) - 1 ? PEEK_PROTO_H2C : PEEK_PROTO_NEED_MORE;
	p = detect_http(buf, min_size(len, PEEK_HTTP_MAX), false);
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
	p = detect_http(buf, min_size(len, PEEK_HTTP_MAX), true);
	return p == PEEK_PROTO_NEED_MORE ? PEEK_PROTO_UNKNOWN : p;
}

/* ---- TLS ----------------------------------------------------------------- */

/* Gather the first handshake message from the records in buf[0..len) into
 * hs[PEEK_TLS_HELLO_MAX].  PEEK_FOUND with *@hslen set once it is complete;
 * PEEK_NEED_MORE while the records so far are well-formed but do not hold it
 * all; PEEK_INVALID for a record that is not a handshake record or a message
 * that is not a ClientHello of at most PEEK_TLS_HELLO_MAX bytes.  Bytes after
 * the message are not looked at. */
static enum peek_result tls_reassemble(const uint8_t *buf, size_t len, uint8_t *hs, size_t *hslen)
{
	size_t pos = 0, have = 0, need = 0;	/* need: 0 until the header is in */

	for (;;) {
		size_t rlen, avail, end;

		if (len - pos < TLS_RECORD_HDR) {
			/* Judge the part of the record header we have. */
			if (len - pos > 0 && buf[pos] != TLS_CT_HANDSHAKE)
				return PEEK_INVALID;
			if (len - pos > 1 && buf[pos + 1] != 3)
				return PEEK_INVALID;
			if (len - pos > 3 && buf[pos + 3] > (TLS_RECORD_MAX >> 8))
				return PEEK_INVALID;
			return PEEK_NEED_MORE;
		}
		if (buf[pos] != TLS_CT_HANDSHAKE || buf[pos + 1] != 3)
			return PEEK_INVALID;
		rlen = (size_t)buf[pos + 3] << 8 | buf[pos + 4];
		/* Zero-length handshake fragments are forbidden (RFC 8446 5.1):
		 * refusing them also bounds the number of records. */
		if (rlen == 0 || rlen > TLS_RECORD_MAX)
			return PEEK_INVALID;
		pos += TLS_RECORD_HDR;
		end = pos + rlen;	/* may lie beyond len */
		avail = min_size(rlen, len - pos);

		while (avail > 0) {
			size_t want = need ? need - have : TLS_HS_HDR - have;
			size_t n = min_size(avail, want);

			memcpy(hs + have, buf + pos, n);
			have += n;
			pos += n;
			avail -= n;
			if (hs[0] != TLS_HS_CLIENT_HELLO)
				return PEEK_INVALID;
			if (have >= 2 && hs[1] != 0)	/* >= 64 KiB */
				return PEEK_INVALID;
			if (!need && have == TLS_HS_HDR) {
				need = TLS_HS_HDR +
				       ((size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3]);
				if (need > PEEK_TLS_HELLO_MAX)
					return PEEK_INVALID;
			}
			if (need && have == need) {
				*hslen = have;
				return PEEK_FOUND;
			}
		}
		if (end > len)
			return PEEK_NEED_MORE;
		pos = end;
	}
}

/* server_name (RFC 6066, 3): a list holding exactly one host_name. */
static bool tls_server_name(struct cursor *ext, const uint8_t **name, size_t *namelen)
{
	uint16_t list_len, n;
	uint8_t type;
	const uint8_t *p;

	if (!get_u16(ext, &list_len) || list_len != cur_left(ext))
		return false;
	if (!get_u8(ext, &type) || type != TLS_SNI_HOST_NAME)
		return false;
	if (!get_u16(ext, &n) || !get_bytes(ext, n, &p))
		return false;
	if (cur_left(ext) != 0)		/* a second entry */
		return false;
	if (!name_check(p, n, namelen))
		return false;
	*name = p;
	return true;
}

/* The ClientHello (RFC 8446 4.1.2; 5246 7.4.1.2) in hs[0..n), complete. */
static enum peek_result tls_client_hello(const uint8_t *hs, size_t n, char *host, size_t hostlen,
					 struct peek_tls_info *info)
{
	struct cursor c, exts;
	uint16_t version, cs_len, ext_len, types[TLS_MAX_EXTENSIONS];
	uint8_t type, sid_len, cm_len;
	uint32_t body;
	const uint8_t *name = NULL;
	size_t name_len = 0, next = 0;
	bool ech = false;

	cur_init(&c, hs, n);
	if (!get_u8(&c, &type) || type != TLS_HS_CLIENT_HELLO)
		return PEEK_INVALID;
	if (!get_u24(&c, &body) || body != cur_left(&c))
		return PEEK_INVALID;
	if (!get_u16(&c, &version) || version >> 8 != 3)
		return PEEK_INVALID;
	if (!skip(&c, TLS_RANDOM_LEN))
		return PEEK_INVALID;
	if (!get_u8(&c, &sid_len) || sid_len > TLS_SESSION_ID_MAX || !skip(&c, sid_len))
		return PEEK_INVALID;
	if (!get_u16(&c, &cs_len) || cs_len < 2 || cs_len % 2 || !skip(&c, cs_len))
		return PEEK_INVALID;
	if (!get_u8(&c, &cm_len) || cm_len < 1 || !skip(&c, cm_len))
		return PEEK_INVALID;
	if (cur_left(&c) == 0) {
		/* No extensions at all (SSL 3.0 / TLS 1.0 style): no SNI. */
		if (info)
			info->ech = false;
		return PEEK_ABSENT;
	}
	if (!get_u16(&c, &ext_len) || ext_len != cur_left(&c) || !get_sub(&c, ext_len, &exts))
		return PEEK_INVALID;

	while (cur_left(&exts) > 0) {
		struct cursor ext;
		uint16_t etype, elen;

		if (!get_u16(&exts, &etype) || !get_u16(&exts, &elen) ||
		    !get_sub(&exts, elen, &ext))
			return PEEK_INVALID;
		if (next == TLS_MAX_EXTENSIONS)
			return PEEK_INVALID;
		/* "There MUST NOT be more than one extension of the same type"
		 * (RFC 8446 4.2): a server might act on another one than us. */
		for (size_t i = 0; i < next; i++)
			if (types[i] == etype)
				return PEEK_INVALID;
		types[next++] = etype;

		if (etype == TLS_EXT_SERVER_NAME) {
			if (!tls_server_name(&ext, &name, &name_len))
				return PEEK_INVALID;
		} else if (etype == TLS_EXT_ECH) {
			ech = true;
		}
	}
	if (!name) {
		if (info)
			info->ech = ech;
		return PEEK_ABSENT;
	}
	if (!put_lower(host, hostlen, name, name_len))
		return PEEK_INVALID;
	if (info)
		info->ech = ech;
	return PEEK_FOUND;
}

enum peek_result peek_tls_sni_ex(const uint8_t *buf, size_t len, char *host, size_t hostlen,
				 struct peek_tls_info *info)
{
	uint8_t hs[PEEK_TLS_HELLO_MAX];
	size_t n = min_size(len, PEEK_TLS_MAX), hslen = 0;
	enum peek_result r;

	clear_host(host, hostlen);
	if (info)
		memset(info, 0, sizeof(*info));
	r = tls_reassemble(buf, n, hs, &hslen);
	if (r == PEEK_NEED_MORE && len >= PEEK_TLS_MAX)
		return PEEK_INVALID;
	if (r != PEEK_FOUND)
		return r;
	r = tls_client_hello(hs, hslen, host, hostlen, info);
	if (r != PEEK_FOUND)
		clear_host(host, hostlen);
	if (r == PEEK_INVALID && info)
		memset(info, 0, sizeof(*info));
	return r;
}

enum peek_result peek_tls_sni(const uint8_t *buf, size_t len, char *host, size_t hostlen)
{
	return peek_tls_sni_ex(buf, len, host, hostlen, NULL);
}

/* ---- HTTP ---------------------------------------------------------------- */

/* A host and port as the parser normalised them. */
struct hostport {
	char host[PEEK_HOST_MAX];
	uint16_t port;		/* 0: none given */
};

static bool is_ows(uint8_t ch)
{
	return ch == ' ' || ch == '\t';
}

static bool bytes_caseeq(const uint8_t *s, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp((const char *)s, lit, n) == 0;
}

/* The next line of buf[*off..n).  PEEK_FOUND: the line is
 * [*line, *line + *linelen), its CRLF excluded, and *off is past the CRLF.
 * PEEK_NEED_MORE: no CRLF yet, nothing wrong so far.  PEEK_INVALID: a bare CR
 * or LF, or a control character other than HTAB. */
static enum peek_result http_line(const uint8_t *buf, size_t n, size_t *off,
				  const uint8_t **line, size_t *linelen)
{
	for (size_t i = *off; i < n; i++) {
		uint8_t ch = buf[i];

		if (ch == '\r') {
			if (i + 1 == n)
				return PEEK_NEED_MORE;
			if (buf[i + 1] != '\n')
				return PEEK_INVALID;
			*line = buf + *off;
			*linelen = i - *off;
			*off = i + 2;
			return PEEK_FOUND;
		}
		if (ch == '\t')
			continue;
		if (ch < 0x20 || ch == 0x7f)	/* NUL, bare LF, ... */
			return PEEK_INVALID;
	}
	return PEEK_NEED_MORE;
}

static bool parse_port(const uint8_t *s, size_t n, uint16_t *port)
{
	uint32_t v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* host[:port] or [IPv6][:port] (uri-host [":" port], RFC 9110 7.2), with
 * the host a DNS name or an IPv6 literal; the port required if @need_port. */
static bool parse_hostport(const uint8_t *s, size_t n, bool need_port, struct hostport *hp)
{
	const uint8_t *rest;
	size_t i, hlen, rn;

	hp->host[0] = '\0';
	hp->port = 0;
	if (n == 0)
		return false;
	if (s[0] == '[') {
		char tmp[INET6_ADDRSTRLEN];
		struct in6_addr a;

		for (i = 1; i < n && s[i] != ']'; i++)
			if (!(s[i] == ':' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
			      (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
				return false;	/* zone ids, IPvFuture */
		if (i == n)
			return false;
		hlen = i - 1;
		if (hlen == 0 || hlen >= sizeof(tmp))
			return false;
		memcpy(tmp, s + 1, hlen);
		tmp[hlen] = '\0';
		if (inet_pton(AF_INET6, tmp, &a) != 1)
			return false;
		if (!inet_ntop(AF_INET6, &a, hp->host, sizeof(hp->host)))
			return false;
		rest = s + i + 1;
		rn = n - i - 1;
	} else {
		for (i = 0; i < n && s[i] != ':'; i++)
			;
		if (!name_check(s, i, &hlen) || !put_lower(hp->host, sizeof(hp->host), s, hlen))
			return false;
		rest = s + i;
		rn = n - i;
	}
	if (rn == 0)
		return !need_port;
	if (rest[0] != ':')
		return false;
	return parse_port(rest + 1, rn - 1, &hp->port);
}

/* absolute-form: http[s]://authority[/?#...], without userinfo. */
static bool parse_absolute(const uint8_t *t, size_t n, struct hostport *hp)
{
	size_t skip_len, end;

	if (n >= 7 && strncasecmp((const char *)t, "http://", 7) == 0)
		skip_len = 7;
	else if (n >= 8 && strncasecmp((const char *)t, "https://", 8) == 0)
		skip_len = 8;
	else
		return false;
	t += skip_len;
	n -= skip_len;
	for (end = 0; end < n && t[end] != '/' && t[end] != '?' && t[end] != '#'; end++)
		if (t[end] == '@')
			return false;
	return parse_hostport(t, end, false, hp);
}

struct http_req {
	uint8_t minor;
	enum peek_http_target target;
	bool has_authority;		/* the target names the host */
	struct hostport authority;
	bool has_host;			/* a Host header was seen */
	struct hostport host;
};

/* METHOD SP request-target SP HTTP-version */
static bool http_request_line(const uint8_t *s, size_t n, struct http_req *rq)
{
	size_t i = 0, m, t0, tlen;
	const uint8_t *target;
	bool connect;

	while (i < n && is_tchar(s[i]))
		i++;
	m = i;
	if (m == 0 || i == n || s[i] != ' ')
		return false;
	t0 = ++i;
	while (i < n && s[i] > 0x20 && s[i] < 0x7f)
		i++;
	tlen = i - t0;
	if (tlen == 0 || i == n || s[i] != ' ')
		return false;
	i++;
	if (bytes_eq(s + i, n - i, "HTTP/1.1"))
		rq->minor = 1;
	else if (bytes_eq(s + i, n - i, "HTTP/1.0"))
		rq->minor = 0;
	else
		return false;

	target = s + t0;
	connect = bytes_eq(s, m, "CONNECT");
	if (connect) {
		rq->target = PEEK_HTTP_AUTHORITY;
		rq->has_authority = true;
		return parse_hostport(target, tlen, true, &rq->authority);
	}
	if (bytes_eq(target, tlen, "*")) {
		rq->target = PEEK_HTTP_ASTERISK;
		return bytes_eq(s, m, "OPTIONS");
	}
	if (target[0] == '/') {
		rq->target = PEEK_HTTP_ORIGIN;
		return true;
	}
	rq->target = PEEK_HTTP_ABSOLUTE;
	rq->has_authority = true;
	return parse_absolute(target, tlen, &rq->authority);
}

/* field-name ":" OWS field-value OWS; the line has no CR, LF or other
 * control character but HTAB (http_line() saw to it). */
static bool http_header_line(const uint8_t *s, size_t n, struct http_req *rq)
{
	size_t i = 0, v0, v1;

	if (is_ows(s[0]))		/* obs-fold, or space before the first field */
		return false;
	while (i < n && is_tchar(s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ':')	/* not a token, or space before ':' */
		return false;
	if (!bytes_caseeq(s, i, "host"))
		return true;
	if (rq->has_host)		/* two Host headers: request smuggling */
		return false;
	rq->has_host = true;
	v0 = i + 1;
	v1 = n;
	while (v0 < v1 && is_ows(s[v0]))
		v0++;
	while (v1 > v0 && is_ows(s[v1 - 1]))
		v1--;
	return parse_hostport(s + v0, v1 - v0, false, &rq->host);
}

/* The head is complete: pick the name. */
static enum peek_result http_decide(struct http_req *rq, char *host, size_t hostlen,
				    struct peek_http_info *info)
{
	const struct hostport *hp;
	uint16_t port;

	if (rq->has_authority) {
		if (rq->has_host) {
			if (strcmp(rq->authority.host, rq->host.host) != 0)
				return PEEK_INVALID;
			if (rq->authority.port && rq->host.port &&
			    rq->authority.port != rq->host.port)
				return PEEK_INVALID;
		} else if (rq->minor == 1) {
			return PEEK_INVALID;
		}
		hp = &rq->authority;
		port = rq->authority.port ? rq->authority.port : rq->host.port;
	} else if (rq->has_host) {
		hp = &rq->host;
		port = rq->host.port;
	} else if (rq->minor == 1) {
		return PEEK_INVALID;	/* RFC 9112 3.2: 400 */
	} else {
		hp = NULL;
		port = 0;
	}
	if (info) {
		info->port = port;
		info->minor = rq->minor;
		info->target = rq->target;
	}
	return hp ? found(host, hostlen, hp->host) : PEEK_ABSENT;
}

static enum peek_result http_parse(const uint8_t *buf, size_t n, char *host, size_t hostlen,
				   struct peek_http_info *info)
{
	struct http_req rq;
	const uint8_t *line;
	size_t off = 0, linelen;
	enum peek_result r;

	memset(&rq, 0, sizeof(rq));
	/* RFC 9112, 2.2: a server SHOULD ignore an empty line (CRLF) before the
	 * request line; many ignore any number of them, so netbox does too. */
	do {
		r = http_line(buf, n, &off, &line, &linelen);
		if (r != PEEK_FOUND)
			return r;
	} while (linelen == 0);
	if (!http_request_line(line, linelen, &rq))
		return PEEK_INVALID;
	for (;;) {
		r = http_line(buf, n, &off, &line, &linelen);
		if (r != PEEK_FOUND)
			return r;
		if (linelen == 0)
			return http_decide(&rq, host, hostlen, info);
		if (!http_header_line(line, linelen, &rq))
			return PEEK_INVALID;
	}
}

enum peek_result peek_http_host_ex(const uint8_t *buf, size_t len, char *host, size_t hostlen,
				   struct peek_http_info *info)
{
	enum peek_result r;

	clear_host(host, hostlen);
	if (info)
		memset(info, 0, sizeof(*info));
	r = http_parse(buf, min_size(len, PEEK_HTTP_MAX), host, hostlen, info);
	if (r == PEEK_NEED_MORE && len >= PEEK_HTTP_MAX)
		r = PEEK_INVALID;
	if (r != PEEK_FOUND)
		clear_host(host, hostlen);
	if ((r == PEEK_INVALID || r == PEEK_NEED_MORE) && info)
		memset(info, 0, sizeof(*info));
	return r;
}

enum peek_result peek_http_host(const uint8_t *buf, size_t len, char *host, size_t hostlen)
{
	return peek_http_host_ex(buf, len, host, hostlen, NULL);
}
