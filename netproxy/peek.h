/* peek.h — parsers for the first bytes a sandboxed client sends, so that the
 * transparent proxy (DESIGN.md, "The network mechanism", point 5) can learn
 * the name the client asks for before it connects upstream: the SNI of a TLS
 * ClientHello on 443, the Host header of an HTTP/1.x request on 80.
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
	PEEK_PROTO_HTTP,	/* an HTTP/1.x request line with a known method */
	PEEK_PROTO_UNKNOWN,	/* anything else */
	PEEK_PROTO_NEED_MORE,	/* too few bytes to tell */
};

/* What the first bytes are.  HTTP means the stream starts with one of the
 * methods GET HEAD POST PUT DELETE OPTIONS PATCH CONNECT TRACE (case-
 * sensitive) followed by a space.  The HTTP/2 prior-knowledge preface
 * ("PRI * HTTP/2.0", h2c) is PEEK_PROTO_UNKNOWN: its authority lives in an
 * HPACK-compressed HEADERS frame that these parsers do not decode, so on
 * port 80 the caller refuses it as not HTTP/1.x and elsewhere it is as opaque
 * as any other protocol.  Other methods (WebDAV's PROPFIND...) are UNKNOWN too.
 * An SSLv2-style hello (first byte with the high bit set) is UNKNOWN. */
enum peek_proto peek_detect(const uint8_t *buf, size_t len);

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
 * Request line: METHOD SP request-target SP "HTTP/1.0"|"HTTP/1.1" CRLF, the
 * method any token.  Header lines up to the empty line, the whole head within
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
