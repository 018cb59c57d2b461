/* httpreq_internal.h — what the two files of the per-request HTTP parser
 * share, and nothing else includes: httpreq.c (the byte-level state machine
 * and the API of httpreq.h) and httpreq_field.c (what the request line's
 * target and the header fields mean, and the checks on the whole head).
 */
#ifndef NETBOX_HTTPREQ_INTERNAL_H
#define NETBOX_HTTPREQ_INTERNAL_H

#include "netproxy/httpreq.h"

/* Where the parser is.  The field-line states read the head's header lines
 * and, once p->body is set, a chunked body's trailer lines. */
enum httpreq_state {
	ST_START,		/* before a request: its first byte, or an empty line */
	ST_START_LF,		/* an empty line's LF */
	ST_METHOD,
	ST_TARGET,
	ST_VERSION,		/* "HTTP/1.x" */
	ST_LINE_LF,		/* the request line's LF */
	ST_FIELD,		/* a field line's first byte, or the empty line's CR */
	ST_NAME,
	ST_VALUE,
	ST_VALUE_LF,
	ST_END_LF,		/* the empty line's LF */
	ST_DONE,		/* the request is complete; END is due */
	ST_LENGTH,		/* a Content-Length body */
	ST_CHUNK_SIZE,
	ST_CHUNK_EXT,
	ST_CHUNK_SIZE_LF,
	ST_CHUNK_DATA,
	ST_CHUNK_DATA_CR,
	ST_CHUNK_DATA_LF,
	ST_CLOSED,		/* the last request closed the connection */
	ST_ERROR,
	ST_COUNT
};

/* A host and port as the parser normalised them. */
struct httpreq_hostport {
	char host[HTTPREQ_HOST_MAX];
	uint16_t port;		/* 0: none given */
};

struct httpreq {
	enum httpreq_state state;
	enum httpreq_error err;
	bool body;			/* past the head (field states: trailers) */

	/* The head being read, in raw[0..rawlen): the method is raw[0..method_len). */
	size_t skipped;			/* bytes of empty lines before it */
	size_t rawlen;
	size_t method_len;
	size_t target_start, target_len;
	unsigned version_pos;		/* bytes of "HTTP/1.x" seen */
	uint8_t pct;			/* hex digits due after a '%' in the target */
	size_t line_start, colon;	/* the field line being read */
	unsigned nlines;		/* field lines of the head or the trailers */

	/* What the head says so far. */
	enum httpreq_form form;
	bool has_authority;		/* the target names the host */
	struct httpreq_hostport authority;
	size_t path_start, path_len;	/* in raw; path_len 0: "/" (absolute-form) */
	bool has_query;
	size_t query_start, query_len;
	bool has_host;
	struct httpreq_hostport host;
	bool has_length, chunked;
	uint64_t length;
	bool conn_close, conn_keep_alive, expect;

	/* The body. */
	uint64_t remaining;		/* of the Content-Length body, or of the chunk */
	uint64_t body_bytes;
	uint64_t chunk_size;
	size_t chunk_line;		/* bytes of the chunk-size line so far */
	size_t trailer_len;
	char tname[20];			/* the trailer's name, lowercased, if it fits */
	size_t tname_len;

	struct httpreq_head head;
	/* The head's strings: method, target, path, query, each NUL-terminated. */
	char text[2 * HTTPREQ_LINE_MAX + 8];
	uint8_t raw[HTTPREQ_HEAD_MAX];
};

/* Record @e and stop: every later call reports it.  Returns -1. */
int httpreq_fail(struct httpreq *p, enum httpreq_error e);

/* The target raw[target_start..+target_len) is complete: classify its form
 * against the method, take its authority, path and query.  0 or -1. */
int httpreq_field_target(struct httpreq *p);
/* The header line raw[line_start..end) is complete (its CRLF excluded):
 * act on its name and value.  0 or -1. */
int httpreq_field_line(struct httpreq *p, size_t end);
/* The head is complete: the checks across fields, the head's strings, and
 * the state the body starts in.  0 or -1. */
int httpreq_field_finish(struct httpreq *p);

#endif
