/* proxywire.c — requests to and replies from an upstream proxy: HTTP
 * CONNECT (RFC 9110 9.3.6) and SOCKS5 (RFC 1928, RFC 1929), see
 * proxywire.h.
 *
 * Runs in the supervisor, for netproxy/upstream_proxy.c.  A proxy is the
 * user's, but what it sends back crosses a boundary all the same: every
 * length is checked against the buffer, a head longer than
 * PROXYWIRE_HTTP_MAX is refused, and the reason phrase kept for the
 * user's eyes holds printable ASCII only.
 */
#include "netproxy/proxywire.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char proxywire_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of in[0..n) into @out (room for 4 * ((n + 2) / 3) + 1). */
static void proxywire_base64(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = proxywire_b64[(v >> 18) & 63];
		out[o++] = proxywire_b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? proxywire_b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? proxywire_b64[v & 63] : '=';
	}
	out[o] = '\0';
}

ssize_t proxywire_http_connect(uint8_t *out, size_t cap, const char *host, uint16_t port,
			       const char *user, const char *pass)
{
	char target[300], cred[2 * 256 + 2], b64[700] = "";
	const char *br = strchr(host, ':') ? "[" : "", *ket = *br ? "]" : "";
	int n;

	if (strlen(host) > 255)
		return -ENOSPC;
	snprintf(target, sizeof(target), "%s%s%s:%u", br, host, ket, port);
	if (user) {
		size_t len = (size_t)snprintf(cred, sizeof(cred), "%s:%s", user, pass ? pass : "");

		if (len >= sizeof(cred))
			return -ENOSPC;
		proxywire_base64((const uint8_t *)cred, len, b64);
		explicit_bzero(cred, sizeof(cred));
	}
	n = snprintf((char *)out, cap, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s%s%s\r\n", target, target,
		     user ? "Proxy-Authorization: Basic " : "", b64, user ? "\r\n" : "");
	explicit_bzero(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}

/* The line at buf[off..n): its length without the line end in *@len, the
 * offset after its LF returned; 0 if no LF yet. */
static size_t proxywire_line(const uint8_t *buf, size_t n, size_t off, size_t *len)
{
	const uint8_t *lf = memchr(buf + off, '\n', n - off);
	size_t end;

	if (!lf)
		return 0;
	end = (size_t)(lf - buf);
	*len = end - off;
	if (*len && buf[end - 1] == '\r')
		(*len)--;
	return end + 1;
}

/* "HTTP/1.x SSS[ reason]" of s[0..len). */
static bool proxywire_status_line(const uint8_t *s, size_t len, struct proxywire_reply *out)
{
	size_t r = 0;

	if (len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
		return false;
	for (int i = 9; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	out->code = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (out->code < 100 || out->code > 599 || (len > 12 && s[12] != ' '))
		return false;
	for (size_t i = 13; i < len && r + 1 < sizeof(out->reason); i++)
		out->reason[r++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	out->reason[r] = '\0';
	return true;
}

enum proxywire_result proxywire_http_reply(const uint8_t *buf, size_t n, struct proxywire_reply *out)
{
	size_t off, len;

	memset(out, 0, sizeof(*out));
	out->code = -1;
	if (n == 0)
		return PROXYWIRE_NEED_MORE;
	if (n > PROXYWIRE_HTTP_MAX)
		n = PROXYWIRE_HTTP_MAX;
	/* What came so far must be able to start a status line. */
	if (memcmp(buf, "HTTP/1.", n < 7 ? n : 7) != 0)
		return PROXYWIRE_INVALID;
	off = proxywire_line(buf, n, 0, &len);
	if (!off)
		return n == PROXYWIRE_HTTP_MAX ? PROXYWIRE_INVALID : PROXYWIRE_NEED_MORE;
	if (!proxywire_status_line(buf, len, out))
		return PROXYWIRE_INVALID;
	for (;;) {
		size_t next = proxywire_line(buf, n, off, &len);

		if (!next)
			return n == PROXYWIRE_HTTP_MAX ? PROXYWIRE_INVALID : PROXYWIRE_NEED_MORE;
		if (len == 0) {
			out->len = next;
			return PROXYWIRE_DONE;
		}
		/* A field line: no NUL, no bare CR, not starting with a blank
		 * (obsolete folding), a colon somewhere. */
		if (buf[off] == ' ' || buf[off] == '\t' || !memchr(buf + off, ':', len) ||
		    memchr(buf + off, '\0', len) || memchr(buf + off, '\r', len))
			return PROXYWIRE_INVALID;
		off = next;
	}
}

ssize_t proxywire_socks_greeting(uint8_t *out, size_t cap, bool auth)
{
	if (cap < 4)
		return -ENOSPC;
	out[0] = 5;
	out[1] = 1;
	/* Only the method that will be used: a proxy that could skip
	 * authentication must not be asked to (the user gave a password). */
	out[2] = auth ? 2 : 0;
	return 3;
}

static enum proxywire_result proxywire_two(const uint8_t *buf, size_t n, struct proxywire_reply *out,
					   bool (*version_ok)(uint8_t))
{
	memset(out, 0, sizeof(*out));
	out->code = -1;
	if (n >= 1 && !version_ok(buf[0]))
		return PROXYWIRE_INVALID;
	if (n < 2)
		return PROXYWIRE_NEED_MORE;
	out->code = buf[1];
	out->len = 2;
	return PROXYWIRE_DONE;
}

static bool proxywire_v5(uint8_t v)
{
	return v == 5;
}

/* RFC 1929 says 1; some servers answer with the SOCKS version, 5 (curl
 * takes either). */
static bool proxywire_v1(uint8_t v)
{
	return v == 1 || v == 5;
}

enum proxywire_result proxywire_socks_method(const uint8_t *buf, size_t n, struct proxywire_reply *out)
{
	return proxywire_two(buf, n, out, proxywire_v5);
}

ssize_t proxywire_socks_auth(uint8_t *out, size_t cap, const char *user, const char *pass)
{
	size_t ul = strlen(user), pl = strlen(pass ? pass : "");

	if (ul == 0 || ul > 255 || pl > 255 || cap < 3 + ul + pl)
		return -ENOSPC;
	out[0] = 1;
	out[1] = (uint8_t)ul;
	memcpy(out + 2, user, ul);
	out[2 + ul] = (uint8_t)pl;
	memcpy(out + 3 + ul, pass ? pass : "", pl);
	return (ssize_t)(3 + ul + pl);
}

enum proxywire_result proxywire_socks_auth_reply(const uint8_t *buf, size_t n, struct proxywire_reply *out)
{
	return proxywire_two(buf, n, out, proxywire_v1);
}

ssize_t proxywire_socks_connect(uint8_t *out, size_t cap, const char *name, const struct in6_addr *addr,
				uint16_t port)
{
	size_t off = 4;

	if (cap < 4 + 1 + 255 + 2)
		return -ENOSPC;
	out[0] = 5;
	out[1] = 1; /* CONNECT */
	out[2] = 0;
	if (name) {
		size_t len = strlen(name);

		if (len == 0 || len > 255)
			return -ENOSPC;
		out[3] = 3;
		out[off++] = (uint8_t)len;
		memcpy(out + off, name, len);
		off += len;
	} else if (IN6_IS_ADDR_V4MAPPED(addr)) {
		out[3] = 1;
		memcpy(out + off, &addr->s6_addr[12], 4);
		off += 4;
	} else {
		out[3] = 4;
		memcpy(out + off, addr->s6_addr, 16);
		off += 16;
	}
	out[off++] = (uint8_t)(port >> 8);
	out[off++] = (uint8_t)(port & 0xff);
	return (ssize_t)off;
}

enum proxywire_result proxywire_socks_reply(const uint8_t *buf, size_t n, struct proxywire_reply *out)
{
	size_t need;

	memset(out, 0, sizeof(*out));
	out->code = -1;
	if (n >= 1 && buf[0] != 5)
		return PROXYWIRE_INVALID;
	if (n >= 2)
		out->code = buf[1];
	if (n >= 3 && buf[2] != 0)
		return PROXYWIRE_INVALID;
	if (n < 4)
		return PROXYWIRE_NEED_MORE;
	switch (buf[3]) {
	case 1:
		need = 4 + 4 + 2;
		break;
	case 4:
		need = 4 + 16 + 2;
		break;
	case 3:
		if (n < 5)
			return PROXYWIRE_NEED_MORE;
		need = 4 + 1 + (size_t)buf[4] + 2;
		break;
	default:
		return PROXYWIRE_INVALID;
	}
	if (n < need)
		return PROXYWIRE_NEED_MORE;
	out->len = need;
	return PROXYWIRE_DONE;
}

static const struct {
	int code;
	const char *text;
	int err;
} proxywire_socks_codes[] = {
	{ 1, "general SOCKS server failure", EPROTO },
	{ 2, "connection not allowed by ruleset", EACCES },
	{ 3, "network unreachable", ENETUNREACH },
	{ 4, "host unreachable", EHOSTUNREACH },
	{ 5, "connection refused", ECONNREFUSED },
	{ 6, "TTL expired", ETIMEDOUT },
	{ 7, "command not supported", EPROTO },
	{ 8, "address type not supported", EPROTO },
};

const char *proxywire_socks_error(int code)
{
	for (size_t i = 0; i < ARRAY_SIZE(proxywire_socks_codes); i++)
		if (proxywire_socks_codes[i].code == code)
			return proxywire_socks_codes[i].text;
	return "unknown reply code";
}

int proxywire_socks_errno(int code)
{
	for (size_t i = 0; i < ARRAY_SIZE(proxywire_socks_codes); i++)
		if (proxywire_socks_codes[i].code == code)
			return proxywire_socks_codes[i].err;
	return EPROTO;
}
