/* httpresp.h — an incremental, strict HTTP/1.1 response parser for the
 * proxy's inspected connections (issue 13): the upstream's decrypted bytes
 * go in, in any split; each response's head comes out (status, framing,
 * keep-alive), then where its body ends, so that the proxy knows when the
 * exchange is over and the program's next request may go upstream.
 * Runs in the supervisor, on the proxy's loop (netproxy/inspect.c): it never
 * allocates after httpresp_new(), never exits, and its work is linear in the
 * bytes fed.  It keeps no copy of the head: the bytes are relayed as they
 * come, and only the fields that frame a response are read.
 *
 * A response answers a request: httpresp_expect() says one was sent (and
 * whether it was HEAD, CONNECT or an upgrade, which change the framing,
 * RFC 9112 6.3); bytes with no request outstanding are refused.  Interim
 * responses (1xx but 101) come as heads of their own, then the final one.
 * Strict as httpreq.h is, where a recipient could frame a response two
 * ways: lines end with CRLF only; no obs-fold, no whitespace before a
 * colon, no NUL or other control bytes; never Content-Length together with
 * Transfer-Encoding; Content-Length values all equal; Transfer-Encoding in
 * HTTP/1.1 only, "chunked" only as its last coding (and only once); chunk
 * sizes of hex digits only.
 *
 * Use:
 *	httpresp_expect(p, HTTPRESP_FOR_GET);	(a request went upstream)
 *	while (len > 0) {
 *		switch (httpresp_feed(p, buf, len, &used)) {
 *		case HTTPRESP_HEAD:  httpresp_head(p): interim (status < 200)
 *				     or final;
 *		case HTTPRESP_BODY:
 *		case HTTPRESP_END:   the exchange is over after these bytes;
 *		...
 *		}
 *		relay buf[0..used); buf += used, len -= used;
 *	}
 *	on EOF: httpresp_eof(p): END for a body delimited by the close.
 */
#ifndef NETBOX_HTTPRESP_H
#define NETBOX_HTTPRESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The status line, CRLF included. */
#define HTTPRESP_LINE_MAX 8192
/* The whole head (status line, header lines, the empty line); the same
 * bound holds for a chunked body's trailer section.  Responses carry more
 * than requests (cookies, security policies). */
#define HTTPRESP_HEAD_MAX 65536
/* Header lines of a head; trailer lines of a chunked body. */
#define HTTPRESP_FIELDS_MAX 256
/* A chunk-size line with its extensions, CRLF included. */
#define HTTPRESP_CHUNK_LINE_MAX 4096
/* The value of a field that frames the response (Content-Length,
 * Transfer-Encoding, Connection); other fields are not kept. */
#define HTTPRESP_VALUE_MAX 1024
/* Content-Length and chunk sizes above this are refused (2^63 - 1). */
#define HTTPRESP_LENGTH_MAX INT64_MAX

enum httpresp_event {
	HTTPRESP_NEED_MORE,	/* every byte given was taken; give more */
	HTTPRESP_HEAD,		/* a response head is complete (its last byte taken) */
	HTTPRESP_BODY,		/* bytes of the final response's body, as sent */
	HTTPRESP_END,		/* the final response is complete: its last bytes
				 * (maybe none) taken; the exchange is over */
	HTTPRESP_ERROR,		/* refused; every later call says so again */
};

/* The request a response answers: its method changes the framing. */
enum httpresp_for {
	HTTPRESP_FOR_GET,	/* any method but these (GET, POST, ...) */
	HTTPRESP_FOR_HEAD,	/* no body, whatever the head says */
	HTTPRESP_FOR_CONNECT,	/* a 2xx opens a tunnel */
	HTTPRESP_FOR_UPGRADE,	/* a request with Upgrade: a 101 switches protocols */
};

enum httpresp_error {
	HTTPRESP_E_NONE,
	HTTPRESP_E_UNSOLICITED,		/* bytes while no request is outstanding */
	HTTPRESP_E_VERSION,		/* not HTTP/1.0 or HTTP/1.1 */
	HTTPRESP_E_STATUS,		/* not three digits 100..599, then SP or CRLF */
	HTTPRESP_E_LINE_TOO_LONG,	/* status line over HTTPRESP_LINE_MAX */
	HTTPRESP_E_HEAD_TOO_LONG,	/* head (or trailers) over HTTPRESP_HEAD_MAX */
	HTTPRESP_E_TOO_MANY_FIELDS,	/* over HTTPRESP_FIELDS_MAX lines */
	HTTPRESP_E_BARE_CR,		/* a CR not followed by LF */
	HTTPRESP_E_BARE_LF,		/* a LF not preceded by CR */
	HTTPRESP_E_NUL,			/* a NUL byte */
	HTTPRESP_E_CTL,			/* another control byte */
	HTTPRESP_E_OBS_FOLD,		/* a header line continued on the next */
	HTTPRESP_E_FIELD_NAME,		/* a field name that is not a token */
	HTTPRESP_E_SPACE_BEFORE_COLON,	/* "Name :" */
	HTTPRESP_E_FIELD_TOO_LONG,	/* a framing field's value over HTTPRESP_VALUE_MAX */
	HTTPRESP_E_LENGTH_INVALID,	/* Content-Length not all digits */
	HTTPRESP_E_LENGTH_CONFLICT,	/* two different Content-Length values */
	HTTPRESP_E_LENGTH_AND_TE,	/* both Content-Length and Transfer-Encoding */
	HTTPRESP_E_TE_UNSUPPORTED,	/* "chunked" not last, twice, or an empty coding */
	HTTPRESP_E_TE_HTTP10,		/* Transfer-Encoding in HTTP/1.0 */
	HTTPRESP_E_SWITCH,		/* 101 to a request that asked for no upgrade */
	HTTPRESP_E_CHUNK_SIZE,		/* a chunk size that is not just hex digits */
	HTTPRESP_E_CHUNK_LINE_TOO_LONG,	/* over HTTPRESP_CHUNK_LINE_MAX */
	HTTPRESP_E_CHUNK_DATA_END,	/* chunk data not followed by CRLF */
	HTTPRESP_E_OVERFLOW,		/* a length over HTTPRESP_LENGTH_MAX */
	HTTPRESP_E_TRAILER_FIELD,	/* a framing field among the trailers */
	HTTPRESP_E_NO_RESPONSE,		/* closed before a byte of the response */
	HTTPRESP_E_TRUNCATED,		/* closed in the middle of a response */
	HTTPRESP_E_COUNT
};

enum httpresp_framing {
	HTTPRESP_BODY_NONE,	/* HEAD, 1xx, 204, 304, or Content-Length: 0 */
	HTTPRESP_BODY_LENGTH,	/* Content-Length bytes */
	HTTPRESP_BODY_CHUNKED,
	HTTPRESP_BODY_CLOSE,	/* until the server closes (no length given) */
	HTTPRESP_BODY_TUNNEL,	/* 101 to an upgrade, 2xx to CONNECT: no more
				 * HTTP; the bytes until the close are the body */
};

/* A response head. */
struct httpresp_head {
	uint16_t status;	/* 100..599; below 200: an interim response */
	uint8_t minor;		/* HTTP/1.<minor>: 0 or 1 */
	enum httpresp_framing framing;
	uint64_t content_length;	/* for HTTPRESP_BODY_LENGTH */
	bool keep_alive;	/* the connection may carry another exchange */
	unsigned nfields;	/* header lines */
};

struct httpresp;

/* A parser with no request outstanding; NULL when memory runs out. */
struct httpresp *httpresp_new(void);
void httpresp_free(struct httpresp *p);

/* A request answered by the next response was sent.  Only between
 * exchanges (before the first, or after HTTPRESP_END); ignored otherwise. */
void httpresp_expect(struct httpresp *p, enum httpresp_for what);
/* Is a response awaited or being read? */
bool httpresp_busy(const struct httpresp *p);

/* Take bytes from buf[0..len) until one of the events above; *@used is
 * how many were taken.  HTTPRESP_NEED_MORE takes all @len bytes.  As with
 * httpreq_feed(), the same bytes give the same events however they are split
 * (BODY events may be cut differently), and an error names the same byte:
 * on an error in a body, the body bytes before it come first as
 * HTTPRESP_BODY; in a head, *@used counts the head's bytes before it.
 * After the final HTTPRESP_HEAD, the next call gives HTTPRESP_END at once
 * (used 0) for a response without a body. */
enum httpresp_event httpresp_feed(struct httpresp *p, const uint8_t *buf, size_t len, size_t *used);

/* The server closed its side: HTTPRESP_END for a body delimited by the
 * close (framing CLOSE, TUNNEL), HTTPRESP_NEED_MORE when no request was
 * outstanding (a clean close), else HTTPRESP_ERROR (NO_RESPONSE, or
 * TRUNCATED). */
enum httpresp_event httpresp_eof(struct httpresp *p);

/* The last head (after HTTPRESP_HEAD, until the next response starts). */
const struct httpresp_head *httpresp_head(const struct httpresp *p);
/* Payload bytes of the current response's body so far (chunk data only). */
uint64_t httpresp_body_bytes(const struct httpresp *p);

enum httpresp_error httpresp_error(const struct httpresp *p);
const char *httpresp_error_name(enum httpresp_error e);
const char *httpresp_error_text(enum httpresp_error e);

#endif
