/* peek_http.c — the host an HTTP/1.x request head is for, for peek.h's
 * peek_http_host(): the supervisor's transparent proxy (netproxy/proxy.c)
 * calls it on the bytes it peeks at on 80 and on rule ports that speak HTTP.
 *
 * The bytes are untrusted (see peek.c for the rules all the peek parsers
 * keep): the head is cut at PEEK_HTTP_MAX bytes, then walked line by line
 * and byte by byte, each index compared with its line's length before the
 * byte is read.
 */
#include "netproxy/peek_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

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
		if (!peek_name_check(s, i, &hlen) || !peek_put_lower(hp->host, sizeof(hp->host), s, hlen))
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

	while (i < n && peek_is_tchar(s[i]))
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
	if (peek_bytes_eq(s + i, n - i, "HTTP/1.1"))
		rq->minor = 1;
	else if (peek_bytes_eq(s + i, n - i, "HTTP/1.0"))
		rq->minor = 0;
	else
		return false;

	target = s + t0;
	connect = peek_bytes_eq(s, m, "CONNECT");
	if (connect) {
		rq->target = PEEK_HTTP_AUTHORITY;
		rq->has_authority = true;
		return parse_hostport(target, tlen, true, &rq->authority);
	}
	if (peek_bytes_eq(target, tlen, "*")) {
		rq->target = PEEK_HTTP_ASTERISK;
		return peek_bytes_eq(s, m, "OPTIONS");
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
	while (i < n && peek_is_tchar(s[i]))
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

/* Copy a finished name to the caller's buffer. */
static enum peek_result found(char *host, size_t hostlen, const char *name)
{
	size_t n = strlen(name);

	if (hostlen <= n)
		return PEEK_INVALID;
	memcpy(host, name, n + 1);
	return PEEK_FOUND;
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

	peek_clear_host(host, hostlen);
	if (info)
		memset(info, 0, sizeof(*info));
	r = http_parse(buf, peek_min_size(len, PEEK_HTTP_MAX), host, hostlen, info);
	if (r == PEEK_NEED_MORE && len >= PEEK_HTTP_MAX)
		r = PEEK_INVALID;
	if (r != PEEK_FOUND)
		peek_clear_host(host, hostlen);
	if ((r == PEEK_INVALID || r == PEEK_NEED_MORE) && info)
		memset(info, 0, sizeof(*info));
	return r;
}

enum peek_result peek_http_host(const uint8_t *buf, size_t len, char *host, size_t hostlen)
{
	return peek_http_host_ex(buf, len, host, hostlen, NULL);
}
