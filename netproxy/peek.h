/* peek.h — parsers for the first bytes a sandboxed client sends, so that the
 * transparent proxy (DESIGN.md, "The network mechanism", point 5) can learn
 * the name the client asks for before it connects upstream: the SNI of a TLS
 * ClientHello, the Host header of an HTTP/1.x request (on 443 and 80, and on
 * the ports rules name when the client speaks TLS or HTTP there).
 *
 * The caller recv()s with MSG_PEEK into a buffer of at least PEEK_TLS_MAX
 * bytes (PEEK_HTTP_MAX for HTTP) and calls these functions on whatever has
 * arrived; they are pure (no I/O, no allocation, no global state) and may be
 * called again with a longer buffer whenever more bytes arrive.
 *
 * Results:
 *   PEEK_FOUND      a valid name was written, lowercased, without a trailing
 *                   dot, NUL-terminated, to @host;
 *   PEEK_NEED_MORE  every byte so far is consistent with a valid message that
 *                   is not complete yet: peek again when more bytes arrive;
 *   PEEK_ABSENT     a complete, well-formed message that names no host (a
 *                   ClientHello without server_name, an HTTP/1.0 request
 *                   without Host);
 *   PEEK_INVALID    malformed, ambiguous (two names), or still incomplete at
 *                   the byte bound: refuse the connection.
 * Decisions are stable: once a prefix of the stream gives FOUND, ABSENT or
 * INVALID, every longer prefix gives the same result and the same name.  On
 * any result but FOUND, @host (if @hostlen > 0) holds the empty string.  A
 * @host buffer of PEEK_HOST_MAX bytes always suffices; a name that does not
 * fit a smaller one gives PEEK_INVALID.
 */
#ifndef NETBOX_PEEK_H
#define NETBOX_PEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest ClientHello handshake message accepted, its 4-byte handshake
 * header included; a bigger one is PEEK_INVALID. */
#define PEEK_TLS_HELLO_MAX 16384
/* Bytes to be willing to peek for TLS: the largest ClientHello plus room for
 * the headers of the records it may be fragmented into.  A ClientHello still
 * incomplete after this many bytes is PEEK_INVALID. */
#define PEEK_TLS_MAX (PEEK_TLS_HELLO_MAX + 256)
/* Bytes to be willing to peek for HTTP: the request line and the header
 * lines with the empty line that ends them must fit, or PEEK_INVALID. */
#define PEEK_HTTP_MAX 8192
/* A @host buffer this big holds any name the parsers accept (253 + NUL). */
#define PEEK_HOST_MAX 254

enum peek_result {
	PEEK_FOUND,
	PEEK_NEED_MORE,
	PEEK_ABSENT,
	PEEK_INVALID,
};

enum peek_proto {
	PEEK_PROTO_TLS,		/* a TLS handshake record (type 22, version 3.x) */
	PEEK_PROTO_HTTP,	/* what some server could read as an HTTP/1.x request */
	PEEK_PROTO_H2C,		/* the HTTP/2 prior-knowledge preface */
	PEEK_PROTO_HTTP09,	/* a request line without a version: HTTP/0.9 */
	PEEK_PROTO_UNKNOWN,	/* anything else */
	PEEK_PROTO_NEED_MORE,	/* too few bytes to tell */
};

/* What the first bytes are.  The proxy checks the name in what is TLS or
 * HTTP and lets only UNKNOWN through unchecked, so HTTP is what a lenient
 * server could take for a request line (RFC 9112, 2.2 and 3): any number of
 * empty lines and blanks, a method token (RFC 9110 tchar+, any case:
 * PROPFIND, get, M-SEARCH), a separator (SP, HTAB, VT, FF, bare CR; and
 * 0x1c-0x1f, 0x85, 0xa0, whitespace to Python's http.server), and a
 * later word of the line, of visible ASCII or obs-text bytes, that starts
 * with "HTTP/" in any case.  HTTP as soon as that word starts, UNKNOWN as
 * soon as a byte rules it out (a method byte that is no tchar, a control
 * byte, the line's LF before "HTTP/"), NEED_MORE before; still NEED_MORE
 * after PEEK_HTTP_MAX bytes is HTTP (and too long for peek_http_host(),
 * which refuses it).  Whatever peek_http_host() finds a host in (FOUND,
 * ABSENT) is HTTP here.
 * HTTP09: the line ends (LF) after the method and one more word, with no
 * version, and that word is a request-target ("/x", "*", "scheme://host/")
 * or the method is GET (case-sensitive, as the servers that still speak
 * HTTP/0.9 compare it): HTTP/0.9.  It carries no Host, yet nginx and
 * Apache take the virtual host from an absolute URL in it and Python's
 * http.server reads the header lines after it, so the proxy refuses it on
 * every port it checks.  Other two-word lines ("EHLO mail.test", "USER
 * bob", memcached's "get key") are UNKNOWN.
 * H2C: the stream starts with "PRI * HTTP/2.0\r\n" (h2c prior knowledge):
 * its authority lives in an HPACK-compressed HEADERS frame that these
 * parsers do not decode, so the proxy refuses it on every port it checks.
 * An SSLv2-style hello (first byte with the high bit set) is UNKNOWN: it
 * has no room for a server name (an SNI-less ClientHello passes anyway).
 * Decisions are stable: once a prefix gives TLS, HTTP, H2C, HTTP09 or
 * UNKNOWN, every longer prefix gives the same. */
enum peek_proto peek_detect(const uint8_t *buf, size_t len);

/* What buf[0..len) is when the client has shut its sending side after it,
 * never NEED_MORE: peek_detect()'s answer, or for bytes still undecided,
 * what they are with the stream's end as the line's end (a server reads a
 * last line without its LF): HTTP09, HTTP (a partial h2c preface), or
 * UNKNOWN. */
enum peek_proto peek_detect_end(const uint8_t *buf, size_t len);

/* Extra facts about a ClientHello, filled in on PEEK_FOUND and PEEK_ABSENT
 * (zeroed otherwise). */
struct peek_tls_info {
	/* The ClientHello carries encrypted_client_hello (0xfe0d): if the server
	 * accepts it, the SNI found is only the ECH public name and the host the
	 * client really wants is encrypted.  Chrome and Firefox send a GREASE
	 * (fake) ECH extension when they have no ECH config, on purpose
	 * indistinguishable from a real one, so this is set for most of their
	 * connections: refusing on it alone would refuse those browsers. */
	bool ech;
};

/* The server_name of the TLS ClientHello at the start of @buf.  Records
 * must all be handshake records (type 22, version 3.x, 1..16384 bytes); the
 * ClientHello may be fragmented across any number of them within
 * PEEK_TLS_MAX bytes.  The ClientHello must be well-formed down to its
 * extensions, which must fill it exactly, be at most 128 and all of
 * different types; server_name must hold exactly one host_name entry, a
 * valid DNS name (1..253 bytes, labels of 1..63 [A-Za-z0-9_-], one trailing
 * dot allowed and stripped).  Bytes after the ClientHello are ignored.
 * @info may be NULL. */
enum peek_result peek_tls_sni_ex(const uint8_t *buf, size_t len, char *host, size_t hostlen,
				 struct peek_tls_info *info);
enum peek_result peek_tls_sni(const uint8_t *buf, size_t len, char *host, size_t hostlen);

/* The form of an HTTP request-target (RFC 9112, 3.2). */
enum peek_http_target {
	PEEK_HTTP_ORIGIN,	/* /path?query */
	PEEK_HTTP_ABSOLUTE,	/* http://host[:port]/path, as sent to a proxy */
	PEEK_HTTP_AUTHORITY,	/* host:port, CONNECT only */
	PEEK_HTTP_ASTERISK,	/* *, OPTIONS only */
};

/* Extra facts about an HTTP request, filled in on PEEK_FOUND and PEEK_ABSENT
 * (zeroed otherwise). */
struct peek_http_info {
	/* The port the request names (the target's authority, else the Host
	 * header), 0 if none is given: compare it to the destination port. */
	uint16_t port;
	uint8_t minor;		/* HTTP/1.<minor>: 0 or 1 */
	enum peek_http_target target;
};

/* The host an HTTP/1.x request at the start of @buf is for.
 *
 * Lines end with CRLF only: a bare LF or a bare CR anywhere in the head is
 * PEEK_INVALID (RFC 9112 allows a recipient to accept a bare LF; refusing it
 * leaves no room for a server to split lines differently from netbox).
 * Empty lines (CRLF) before the request line are skipped (RFC 9112, 2.2).
 * Request line: METHOD SP request-target SP "HTTP/1.0"|"HTTP/1.1" CRLF, the
 * method any token, in any case.  Header lines up to the empty line, the whole head within
 * PEEK_HTTP_MAX bytes.  Control characters (but HTAB in a field value), a
 * field name that is not a token or has whitespace before its colon, and
 * obs-fold (a line starting with SP or HTAB) are PEEK_INVALID.  Exactly one
 * Host header (name case-insensitive; two are PEEK_INVALID, even if equal),
 * its value, trimmed of SP/HTAB, being host[:port] or [IPv6][:port] (port
 * 1..65535).  The host is returned lowercased without its trailing dot; an
 * IPv6 literal without brackets, in inet_ntop() form.
 *
 * absolute-form targets (http/https only, no userinfo) and CONNECT's
 * authority-form (port required) name the host themselves: a Host header
 * must then name the same host (and the same port if both give one), and the
 * target's host is returned.  The asterisk-form is accepted for OPTIONS only.
 * HTTP/1.1 without Host is PEEK_INVALID (RFC 9112, 3.2); HTTP/1.0 without
 * Host is PEEK_ABSENT, or PEEK_FOUND if the target names the host.
 * @info may be NULL. */
enum peek_result peek_http_host_ex(const uint8_t *buf, size_t len, char *host, size_t hostlen,
				   struct peek_http_info *info);
enum peek_result peek_http_host(const uint8_t *buf, size_t len, char *host, size_t hostlen);

/* "FOUND", "NEED_MORE", ... for logs and tests. */
const char *peek_result_name(enum peek_result r);

#endif
