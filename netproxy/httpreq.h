/* httpreq.h — an incremental, strict HTTP/1.1 request parser for the
 * proxy's per-request checks under TLS inspection (issue 13): the client's
 * decrypted bytes go in, in any split; each request's head comes out
 * (method, target, path and query, Host, framing, upgrade), then where its
 * body ends, so that every pipelined request is seen and checked.
 * Runs in the supervisor, on the proxy's loop: it never allocates after
 * httpreq_new(), never exits, and its work is linear in the bytes fed.
 *
 * Fed by inspect.c, one request at a time; also by tests/unit/
 * test_httpreq.c and fuzz/fuzz_http_request.c.
 *
 * Strict on purpose: a proxy that reads a request differently from the
 * server behind it lets a second request through unchecked (request
 * smuggling).  So whatever two servers could frame differently is refused
 * (see enum httpreq_error), even where RFC 9112 lets a recipient be lenient:
 * lines end with CRLF only; no obs-fold, no whitespace before a colon, no
 * NUL or other control bytes; Transfer-Encoding only as exactly one
 * "chunked" (lowercase) and never with Content-Length; Content-Length
 * values all equal; chunk sizes of hex digits only, with no whitespace; a
 * Connection header may not name framing or routing fields.  The head is
 * forwarded as it came (httpreq_head_raw()), so what was checked is what the
 * server reads.
 *
 * Use:
 *	struct httpreq *p = httpreq_new();
 *	while (len > 0) {
 *		size_t used;
 *		switch (httpreq_feed(p, buf, len, &used)) {
 *		case HTTPREQ_HEAD:  check httpreq_head(p), then send
 *				    httpreq_head_raw(p) on (or refuse);
 *		case HTTPREQ_BODY:
 *		case HTTPREQ_END:   send (or drop, if refused) buf[0..used);
 *		case HTTPREQ_NEED_MORE: ...;
 *		case HTTPREQ_ERROR: refuse with httpreq_error_text(httpreq_error(p));
 *		}
 *		buf += used, len -= used;
 *	}
 */
#ifndef NETBOX_HTTPREQ_H
#define NETBOX_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The request line, CRLF included. */
#define HTTPREQ_LINE_MAX 8192
/* The whole head: empty lines before it, request line, header lines and
 * the empty line that ends it.  The same bound holds for a chunked body's
 * trailer section. */
#define HTTPREQ_HEAD_MAX 16384
/* Header lines of a head; trailer lines of a chunked body. */
#define HTTPREQ_FIELDS_MAX 100
/* A chunk-size line with its extensions, CRLF included. */
#define HTTPREQ_CHUNK_LINE_MAX 4096
/* Content-Length and chunk sizes above this are refused (2^63 - 1). */
#define HTTPREQ_LENGTH_MAX INT64_MAX
/* A host buffer this big holds any host accepted (253 + NUL). */
#define HTTPREQ_HOST_MAX 254

enum httpreq_event {
	HTTPREQ_NEED_MORE,	/* every byte given was taken; give more */
	HTTPREQ_HEAD,		/* a request head is complete (its last byte taken) */
	HTTPREQ_BODY,		/* bytes of the current request's body, as sent
				 * (chunk framing and trailers included) */
	HTTPREQ_END,		/* the current request is complete: its last body bytes
				 * (maybe none) taken; the next byte starts the next one */
	HTTPREQ_ERROR,		/* refused; every later call says so again */
};

/* Why a request was refused.  httpreq_error_name() gives a short stable
 * word for logs, httpreq_error_text() a sentence. */
enum httpreq_error {
	HTTPREQ_E_NONE,
	HTTPREQ_E_METHOD,		/* not a token followed by one SP */
	HTTPREQ_E_TARGET,		/* malformed request-target */
	HTTPREQ_E_TARGET_FORM,		/* the form does not suit the method */
	HTTPREQ_E_VERSION,		/* not HTTP/1.0 or HTTP/1.1 */
	HTTPREQ_E_LINE_TOO_LONG,	/* request line over HTTPREQ_LINE_MAX */
	HTTPREQ_E_HEAD_TOO_LONG,	/* head (or trailers) over HTTPREQ_HEAD_MAX */
	HTTPREQ_E_TOO_MANY_FIELDS,	/* over HTTPREQ_FIELDS_MAX lines */
	HTTPREQ_E_BARE_CR,		/* a CR not followed by LF */
	HTTPREQ_E_BARE_LF,		/* a LF not preceded by CR */
	HTTPREQ_E_NUL,			/* a NUL byte */
	HTTPREQ_E_CTL,			/* another control byte */
	HTTPREQ_E_OBS_FOLD,		/* a header line continued on the next */
	HTTPREQ_E_FIELD_NAME,		/* a field name that is not a token */
	HTTPREQ_E_SPACE_BEFORE_COLON,	/* "Name :" */
	HTTPREQ_E_HOST_MISSING,		/* HTTP/1.1 without Host */
	HTTPREQ_E_HOST_DUPLICATE,	/* two Host lines */
	HTTPREQ_E_HOST_INVALID,		/* not host[:port] */
	HTTPREQ_E_HOST_MISMATCH,	/* Host differs from the target's authority */
	HTTPREQ_E_LENGTH_INVALID,	/* Content-Length not all digits */
	HTTPREQ_E_LENGTH_CONFLICT,	/* two different Content-Length values */
	HTTPREQ_E_LENGTH_AND_CHUNKED,	/* both Content-Length and Transfer-Encoding */
	HTTPREQ_E_TE_UNSUPPORTED,	/* Transfer-Encoding other than one "chunked" */
	HTTPREQ_E_TE_HTTP10,		/* Transfer-Encoding in HTTP/1.0 */
	HTTPREQ_E_CONNECTION_FIELD,	/* Connection names a framing or routing field */
	HTTPREQ_E_CONNECT_BODY,		/* CONNECT with a body */
	HTTPREQ_E_CHUNK_SIZE,		/* a chunk size that is not just hex digits */
	HTTPREQ_E_CHUNK_LINE_TOO_LONG,	/* over HTTPREQ_CHUNK_LINE_MAX */
	HTTPREQ_E_CHUNK_DATA_END,	/* chunk data not followed by CRLF */
	HTTPREQ_E_OVERFLOW,		/* a length over HTTPREQ_LENGTH_MAX */
	HTTPREQ_E_TRAILER_FIELD,	/* a trailer that only belongs in the head */
	HTTPREQ_E_AFTER_CLOSE,		/* bytes after a request that closes the connection */
	HTTPREQ_E_COUNT
};

/* The request-target's form (RFC 9112, 3.2). */
enum httpreq_form {
	HTTPREQ_ORIGIN,		/* /path?query */
	HTTPREQ_ABSOLUTE,	/* http[s]://host[:port]/path?query, as sent to a proxy */
	HTTPREQ_AUTHORITY,	/* host:port, CONNECT only */
	HTTPREQ_ASTERISK,	/* *, OPTIONS only */
};

enum httpreq_framing {
	HTTPREQ_BODY_NONE,
	HTTPREQ_BODY_LENGTH,	/* Content-Length bytes */
	HTTPREQ_BODY_CHUNKED,
};

/* A request head.  The strings are NUL-terminated and valid until the next
 * request's first byte is fed. */
struct httpreq_head {
	const char *method;	/* as sent: a token, case-sensitive */
	const char *target;	/* the request-target as sent */
	/* The path, without the query, as sent (percent-escapes kept): of
	 * origin-form and absolute-form ("/" when absolute-form has none),
	 * "*" for asterisk-form, "" for authority-form. */
	const char *path;
	const char *query;	/* after the first '?', without it; NULL if none */
	enum httpreq_form form;
	uint8_t minor;		/* HTTP/1.<minor>: 0 or 1 */
	/* The host the request is for: the target's authority (absolute-form,
	 * authority-form), else the Host header; lowercased, without a
	 * trailing dot, an IPv6 literal without brackets in inet_ntop() form;
	 * "" only for HTTP/1.0 without either. */
	char host[HTTPREQ_HOST_MAX];
	uint16_t port;		/* the port given with it, 0 if none */
	enum httpreq_framing framing;
	uint64_t content_length;	/* for HTTPREQ_BODY_LENGTH */
	bool keep_alive;	/* another request may follow (the version's
				 * default, or Connection: close / keep-alive) */
	bool upgrade;		/* an Upgrade header: the client asks to switch
				 * protocols (websocket, h2c, ...) after this request */
	bool websocket;		/* ... to "websocket" */
	bool expect_continue;	/* Expect: 100-continue (HTTP/1.1) */
	unsigned nfields;	/* header lines */
};

struct httpreq;

/* A parser awaiting its first request; NULL when memory runs out. */
struct httpreq *httpreq_new(void);
void httpreq_free(struct httpreq *p);

/* Take bytes from buf[0..len) until one of the events above; *@used is
 * how many were taken.  HTTPREQ_NEED_MORE takes all @len bytes.  On an
 * error in a body, the body bytes before the offending one come first as
 * HTTPREQ_BODY and the next call gives HTTPREQ_ERROR (used 0); on an error
 * in a head, *@used counts the head's bytes before the offending one.  So
 * the same bytes give the same events however they are split (BODY events
 * may be cut differently), and an error names the same byte.
 * After HTTPREQ_HEAD, the next call gives HTTPREQ_END at once (used 0) for
 * a request without a body.  After an upgrade request or a CONNECT, the
 * caller decides: once the server has switched protocols (101, or 2xx to
 * CONNECT) the bytes that follow are no HTTP and must not be fed. */
enum httpreq_event httpreq_feed(struct httpreq *p, const uint8_t *buf, size_t len, size_t *used);

/* The last head (after HTTPREQ_HEAD, until the next request starts). */
const struct httpreq_head *httpreq_head(const struct httpreq *p);
/* The same head's bytes as received (empty lines before it left out). */
const uint8_t *httpreq_head_raw(const struct httpreq *p, size_t *len);
/* Payload bytes of the current request's body so far (chunk data only). */
uint64_t httpreq_body_bytes(const struct httpreq *p);

enum httpreq_error httpreq_error(const struct httpreq *p);
const char *httpreq_error_name(enum httpreq_error e);
const char *httpreq_error_text(enum httpreq_error e);

#endif
