/* proxyconf.c — upstream proxy URLs, NO_PROXY lists, and the choice of a
 * proxy for a connection (proxyconf.h).
 *
 * Pure functions, run by the launcher (parsing, before the sandbox exists:
 * launcher/upproxy.c) and by the supervisor (the choice, for each
 * connection and each name the resolver cannot resolve).  The URL syntax
 * is curl's, the subset that makes sense for a tunnel: an optional scheme
 * (http, socks5, socks5h), optional percent-encoded user:password@, a host
 * name or address ([v6] in brackets), an optional port; a path is ignored,
 * as curl does.
 */
#include "proxyconf.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROXYCONF_DEFAULT_PORT 1080

static const struct {
	const char *name;
	int scheme; /* enum proxyconf_scheme, or -1: refused */
	const char *why;
} proxyconf_schemes[] = {
	{ "http", PROXYCONF_HTTP, NULL },
	{ "socks5", PROXYCONF_SOCKS5, NULL },
	{ "socks5h", PROXYCONF_SOCKS5H, NULL },
	{ "https", -1, "TLS to the proxy is not supported (it would take the data path out of splice): use an http:// or socks5h:// proxy" },
	{ "socks4", -1, "SOCKS4 is not supported: use socks5:// or socks5h://" },
	{ "socks4a", -1, "SOCKS4a is not supported: use socks5h://" },
};

static int proxyconf_fail(char *err, size_t errlen, const char *fmt, ...) PRINTF(3, 4);
static int proxyconf_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int proxyconf_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode s[0..len) into @out (room for PROXYCONF_CRED_MAX bytes and
 * the NUL): 0, or -EINVAL (a bad escape, a NUL, too long). */
static int proxyconf_decode(const char *s, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < len ? proxyconf_hex(s[i + 1]) : -1;
			int lo = hi >= 0 ? proxyconf_hex(s[i + 2]) : -1;

			if (lo < 0)
				return -EINVAL;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || o == PROXYCONF_CRED_MAX)
			return -EINVAL;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* A host name as a proxy's: letters, digits, '-', '_', '.' */
static bool proxyconf_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return false;
	return true;
}

static int proxyconf_scheme(const char *url, size_t len, const char *source, char *err,
			    size_t errlen)
{
	for (size_t i = 0; i < ARRAY_SIZE(proxyconf_schemes); i++) {
		if (strlen(proxyconf_schemes[i].name) != len ||
		    strncasecmp(url, proxyconf_schemes[i].name, len) != 0)
			continue;
		if (proxyconf_schemes[i].scheme < 0)
			return proxyconf_fail(err, errlen, "%s: %s:// proxy: %s", source,
					      proxyconf_schemes[i].name, proxyconf_schemes[i].why);
		return proxyconf_schemes[i].scheme;
	}
	/* Shown only if it can be a scheme (RFC 3986: a letter, then letters,
	 * digits, '+', '-', '.'): "user:pw://x@proxy" must not show "user:pw". */
	for (size_t i = 0; i < len; i++)
		if (!(isalpha((unsigned char)url[i]) || (i && (isdigit((unsigned char)url[i]) ||
							     strchr("+-.", url[i])))))
			return proxyconf_fail(err, errlen,
					      "%s: the proxy URL does not start with a scheme (http://, socks5:// or socks5h://)",
					      source);
	return proxyconf_fail(err, errlen,
			      "%s: unknown proxy scheme '%.*s' (http://, socks5:// or socks5h://)",
			      source, (int)(len > 16 ? 16 : len), url);
}

/* host[:port] or [v6][:port] of s[0..len) into @out. */
static int proxyconf_hostport(const char *s, size_t len, const char *source,
			      struct proxyconf_proxy *out, char *err, size_t errlen)
{
	const char *host = s, *port = NULL;
	size_t hlen;
	bool v6 = false;

	if (len && s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (!close)
			return proxyconf_fail(err, errlen, "%s: the proxy URL has '[' without ']'", source);
		host = s + 1;
		hlen = (size_t)(close - host);
		v6 = true;
		if (close + 1 < s + len) {
			if (close[1] != ':')
				return proxyconf_fail(err, errlen, "%s: bytes after the proxy's ']'", source);
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', len);

		hlen = colon ? (size_t)(colon - s) : len;
		port = colon ? colon + 1 : NULL;
	}
	if (hlen == 0 || hlen >= sizeof(out->host))
		return proxyconf_fail(err, errlen, "%s: the proxy URL names no host", source);
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	for (char *p = out->host; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (v6) {
		struct in6_addr a;

		if (inet_pton(AF_INET6, out->host, &a) != 1)
			return proxyconf_fail(err, errlen, "%s: '[%s]' is not an IPv6 address", source,
					      out->host);
	} else if (!proxyconf_name_ok(out->host, hlen)) {
		return proxyconf_fail(err, errlen, "%s: the proxy's host is not a host name or address",
				      source);
	}
	out->port = PROXYCONF_DEFAULT_PORT;
	if (port) {
		size_t plen = (size_t)(s + len - port);
		unsigned long v = 0;

		if (plen == 0 || plen > 5 || strspn(port, "0123456789") < plen)
			return proxyconf_fail(err, errlen, "%s: the proxy's port is not a number", source);
		for (size_t i = 0; i < plen; i++)
			v = v * 10 + (unsigned long)(port[i] - '0');
		if (v == 0 || v > 65535)
			return proxyconf_fail(err, errlen, "%s: the proxy's port %lu is out of range",
					      source, v);
		out->port = (uint16_t)v;
	}
	snprintf(out->shown, sizeof(out->shown), v6 ? "[%s]:%u" : "%s:%u", out->host, out->port);
	return 0;
}

int proxyconf_parse_url(const char *url, const char *source, struct proxyconf_proxy *out,
			char *err, size_t errlen)
{
	const char *sep = strstr(url, "://"), *auth = url, *at = NULL;
	size_t alen;
	int scheme = PROXYCONF_HTTP;

	memset(out, 0, sizeof(*out));
	out->source = source;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return proxyconf_fail(err, errlen, "%s: the proxy URL holds a blank or control byte",
					      source);
	if (sep) {
		scheme = proxyconf_scheme(url, (size_t)(sep - url), source, err, errlen);
		if (scheme < 0)
			return scheme;
		auth = sep + 3;
	}
	out->scheme = (enum proxyconf_scheme)scheme;
	alen = strcspn(auth, "/?#");
	/* The userinfo ends at the last '@': a password may hold one. */
	for (const char *p = auth; p < auth + alen; p++)
		if (*p == '@')
			at = p;
	if (at) {
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		size_t ulen = colon ? (size_t)(colon - auth) : (size_t)(at - auth);

		if (ulen == 0 || proxyconf_decode(auth, ulen, out->user) < 0)
			return proxyconf_fail(err, errlen,
					      "%s: the proxy URL's user is empty, too long or badly %%-encoded",
					      source);
		if (colon && proxyconf_decode(colon + 1, (size_t)(at - colon - 1), out->pass) < 0)
			return proxyconf_fail(err, errlen,
					      "%s: the proxy URL's password is too long or badly %%-encoded",
					      source);
		out->auth = true;
		alen -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	return proxyconf_hostport(auth, alen, source, out, err, errlen);
}

/* ---- NO_PROXY -------------------------------------------------------------- */

/* @s (NUL-terminated, one entry) as an address or CIDR into @k: true. */
static bool proxyconf_skip_addr(char *s, struct proxyconf_skip *k)
{
	char *slash = strchr(s, '/');
	unsigned long prefix = 128;
	struct in_addr a4;
	size_t len;

	if (slash) {
		char *end;

		*slash = '\0';
		prefix = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end)
			return false;
	}
	len = strlen(s);
	if (len > 2 && s[0] == '[' && s[len - 1] == ']') {
		s[len - 1] = '\0';
		s++;
	}
	if (inet_pton(AF_INET, s, &a4) == 1) {
		if (prefix > 32 && slash)
			return false;
		memset(&k->addr, 0, sizeof(k->addr));
		k->addr.s6_addr[10] = k->addr.s6_addr[11] = 0xff;
		memcpy(&k->addr.s6_addr[12], &a4, 4);
		k->prefix = slash ? 96 + (unsigned)prefix : 128;
	} else if (inet_pton(AF_INET6, s, &k->addr) == 1) {
		if (prefix > 128)
			return false;
		k->prefix = (unsigned)prefix;
	} else {
		return false;
	}
	k->is_addr = true;
	return true;
}

/* @s as a name (".example.com", "example.com.", "example.com:8080": the
 * port is not looked at, as curl does not) into @k: true. */
static bool proxyconf_skip_name(const char *s, struct proxyconf_skip *k)
{
	size_t len;

	while (*s == '.')
		s++;
	len = strcspn(s, ":");
	while (len && s[len - 1] == '.')
		len--;
	if (!proxyconf_name_ok(s, len))
		return false;
	for (size_t i = 0; i < len; i++)
		k->name[i] = (char)tolower((unsigned char)s[i]);
	k->name[len] = '\0';
	k->is_addr = false;
	return true;
}

int proxyconf_parse_skip(struct proxyconf *pc, const char *list)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ", \t\n");
		char entry[300];
		struct proxyconf_skip k = { 0 };

		if (len && len < sizeof(entry)) {
			memcpy(entry, p, len);
			entry[len] = '\0';
			if (strcmp(entry, "*") == 0) {
				pc->skip_all = true;
			} else if (proxyconf_skip_addr(entry, &k) || proxyconf_skip_name(entry, &k)) {
				struct proxyconf_skip *n = realloc(pc->skip, (pc->nskip + 1) * sizeof(*n));

				if (!n)
					return -ENOMEM;
				pc->skip = n;
				pc->skip[pc->nskip++] = k;
			}
		}
		p += len;
		p += strspn(p, ", \t\n");
	}
	return 0;
}

static bool proxyconf_in_prefix(const struct in6_addr *a, const struct in6_addr *net, unsigned prefix)
{
	unsigned bytes = prefix / 8, bits = prefix % 8;

	if (memcmp(a->s6_addr, net->s6_addr, bytes) != 0)
		return false;
	if (!bits)
		return true;
	return ((a->s6_addr[bytes] ^ net->s6_addr[bytes]) & (0xff00 >> bits) & 0xff) == 0;
}

/* @name is @suffix or ends in ".@suffix". */
static bool proxyconf_name_under(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n < s || strcasecmp(name + n - s, suffix) != 0)
		return false;
	return n == s || name[n - s - 1] == '.';
}

static bool proxyconf_skipped(const struct proxyconf *pc, const char *name, const struct in6_addr *addr)
{
	if (pc->skip_all)
		return true;
	for (size_t i = 0; i < pc->nskip; i++) {
		const struct proxyconf_skip *k = &pc->skip[i];

		if (name && !k->is_addr && proxyconf_name_under(name, k->name))
			return true;
		if (!name && addr && k->is_addr && proxyconf_in_prefix(addr, &k->addr, k->prefix))
			return true;
	}
	return false;
}

const struct proxyconf_proxy *proxyconf_pick(const struct proxyconf *pc, const char *name,
					     const struct in6_addr *addr, uint16_t port)
{
	const struct proxyconf_proxy *p;

	if (!pc)
		return NULL;
	p = port == 80 ? pc->http : pc->https;
	if (!p)
		p = pc->all;
	if (!p || proxyconf_skipped(pc, name, addr))
		return NULL;
	return p;
}

bool proxyconf_name_is_address(const char *name)
{
	const char *last;
	size_t n;

	if (!name)
		return false;
	n = strlen(name);
	while (n && name[n - 1] == '.')
		n--;
	if (n == 0)
		return false;
	if ((n == 9 && strncasecmp(name, "localhost", 9) == 0) ||
	    (n > 10 && strncasecmp(name + n - 10, ".localhost", 10) == 0))
		return true;
	last = name + n;
	while (last > name && last[-1] != '.')
		last--;
	if (last + 1 < name + n && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
		for (const char *p = last + 2; p < name + n; p++)
			if (!isxdigit((unsigned char)*p))
				return false;
		return true;
	}
	for (const char *p = last; p < name + n; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

bool proxyconf_by_proxy(const struct proxyconf *pc, const char *name)
{
	return pc && (pc->http || pc->https || pc->all) && !proxyconf_name_is_address(name) &&
	       !proxyconf_skipped(pc, name, NULL);
}

void proxyconf_free(struct proxyconf *pc)
{
	if (!pc)
		return;
	if (pc->http != pc->all && pc->http != pc->https)
		free(pc->http);
	if (pc->https != pc->all)
		free(pc->https);
	free(pc->all);
	free(pc->skip);
	pc->http = pc->https = pc->all = NULL;
	pc->skip = NULL;
	pc->nskip = 0;
}
