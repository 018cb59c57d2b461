/* httpreq.c — the per-request HTTP/1.1 parser of httpreq.h: the byte-level
 * state machine and the API; what the target and the fields mean is
 * httpreq_field.c.  Runs in the supervisor, on the proxy's loop, over the
 * program's decrypted bytes (hostile input).
 *
 * One state per place in the grammar (enum httpreq_state), one function per
 * state taking one byte (httpreq_steps[]), except where bytes need no look:
 * a Content-Length body and chunk data are taken in one piece.  Every byte
 * is judged when it arrives, never again later, so that the result cannot
 * depend on how the stream was split: the fuzzer (fuzz/fuzz_http_request.c)
 * feeds random splits and compares.
 */
#include "netproxy/http1.h"
#include "netproxy/httpreq_internal.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

enum {
	STEP_ERR = -1,
	STEP_ON,	/* take the byte, go on */
	STEP_HEAD,	/* the byte ended a head */
	STEP_END,	/* the byte ended a request */
};

int httpreq_fail(struct httpreq *p, enum httpreq_error e)
{
	p->err = e;
	p->state = ST_ERROR;
	return STEP_ERR;
}

/* A byte the state has no use for: NUL, a bare LF or another control byte
 * say so; anything else (CR and HTAB included) is @otherwise. */
static int httpreq_bad(struct httpreq *p, uint8_t c, enum httpreq_error otherwise)
{
	if (c == '\0')
		return httpreq_fail(p, HTTPREQ_E_NUL);
	if (c == '\n')
		return httpreq_fail(p, HTTPREQ_E_BARE_LF);
	if (c != '\r' && c != '\t' && (c < 0x20 || c == 0x7f))
		return httpreq_fail(p, HTTPREQ_E_CTL);
	return httpreq_fail(p, otherwise);
}

/* A new request starts with byte @c of its method. */
static void httpreq_begin(struct httpreq *p, uint8_t c)
{
	size_t skipped = p->skipped;

	memset(&p->head, 0, sizeof(p->head));
	memset(p, 0, offsetof(struct httpreq, head));
	p->skipped = skipped;
	p->raw[p->rawlen++] = c;
	p->state = ST_METHOD;
}

static int st_start(struct httpreq *p, uint8_t c)
{
	if (c == '\r') {
		p->state = ST_START_LF;
		return STEP_ON;
	}
	if (!http1_is_tchar(c))
		return httpreq_bad(p, c, HTTPREQ_E_METHOD);
	httpreq_begin(p, c);
	return STEP_ON;
}

static int st_start_lf(struct httpreq *p, uint8_t c)
{
	if (c != '\n')
		return httpreq_fail(p, HTTPREQ_E_BARE_CR);
	p->state = ST_START;
	return STEP_ON;
}

static int st_method(struct httpreq *p, uint8_t c)
{
	if (c == ' ') {
		p->method_len = p->rawlen - 1;
		p->target_start = p->rawlen;
		p->state = ST_TARGET;
		return STEP_ON;
	}
	return http1_is_tchar(c) ? STEP_ON : httpreq_bad(p, c, HTTPREQ_E_METHOD);
}

/* Any visible ASCII but '#' (a fragment is never sent) and '\\' (some
 * servers take it for '/'), with every '%' followed by two hex digits. */
static int st_target(struct httpreq *p, uint8_t c)
{
	unsigned v;

	if (c == ' ') {
		p->target_len = p->rawlen - 1 - p->target_start;
		if (p->target_len == 0 || p->pct)
			return httpreq_fail(p, HTTPREQ_E_TARGET);
		p->state = ST_VERSION;
		return httpreq_field_target(p) < 0 ? STEP_ERR : STEP_ON;
	}
	if (c == '\r')		/* "GET /\r\n": HTTP/0.9 */
		return httpreq_fail(p, HTTPREQ_E_VERSION);
	if (p->pct) {
		p->pct--;
		return http1_hex(c, &v) ? STEP_ON : httpreq_bad(p, c, HTTPREQ_E_TARGET);
	}
	if (c == '%')
		p->pct = 2;
	if (c <= 0x20 || c >= 0x7f || c == '#' || c == '\\')
		return httpreq_bad(p, c, HTTPREQ_E_TARGET);
	return STEP_ON;
}

static int st_version(struct httpreq *p, uint8_t c)
{
	static const char want[] = "HTTP/1.";

	if (p->version_pos < sizeof(want) - 1) {
		if (c != (uint8_t)want[p->version_pos])
			return httpreq_bad(p, c, HTTPREQ_E_VERSION);
	} else if (p->version_pos == sizeof(want) - 1) {
		if (c != '0' && c != '1')
			return httpreq_bad(p, c, HTTPREQ_E_VERSION);
		p->head.minor = (uint8_t)(c - '0');
	} else {
		if (c != '\r')
			return httpreq_bad(p, c, HTTPREQ_E_VERSION);
		p->state = ST_LINE_LF;
	}
	p->version_pos++;
	return STEP_ON;
}

static int st_line_lf(struct httpreq *p, uint8_t c)
{
	if (c != '\n')
		return httpreq_fail(p, HTTPREQ_E_BARE_CR);
	p->state = ST_FIELD;
	return STEP_ON;
}

static int st_name(struct httpreq *p, uint8_t c);

/* The first byte of a field line, or the CR of the empty line. */
static int st_field(struct httpreq *p, uint8_t c)
{
	if (c == '\r') {
		p->state = ST_END_LF;
		return STEP_ON;
	}
	if (c == ' ' || c == '\t')
		return httpreq_fail(p, HTTPREQ_E_OBS_FOLD);
	if (!http1_is_tchar(c))
		return httpreq_bad(p, c, HTTPREQ_E_FIELD_NAME);
	if (++p->nlines > HTTPREQ_FIELDS_MAX)
		return httpreq_fail(p, HTTPREQ_E_TOO_MANY_FIELDS);
	p->line_start = p->rawlen - 1;	/* the head keeps the byte before the step */
	p->tname_len = 0;
	p->state = ST_NAME;
	return st_name(p, c);
}

static int st_name(struct httpreq *p, uint8_t c)
{
	if (c == ':') {
		p->colon = p->rawlen - 1;
		p->state = ST_VALUE;
		return STEP_ON;
	}
	if (c == ' ' || c == '\t')
		return httpreq_fail(p, HTTPREQ_E_SPACE_BEFORE_COLON);
	if (!http1_is_tchar(c))
		return httpreq_bad(p, c, HTTPREQ_E_FIELD_NAME);
	if (p->body) {		/* a trailer: its name, for httpreq_trailer_forbidden() */
		if (p->tname_len < sizeof(p->tname))
			p->tname[p->tname_len] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
		p->tname_len++;
	}
	return STEP_ON;
}

static int st_value(struct httpreq *p, uint8_t c)
{
	if (c == '\r') {
		p->state = ST_VALUE_LF;
		return STEP_ON;
	}
	return http1_is_text(c) ? STEP_ON : httpreq_bad(p, c, HTTPREQ_E_CTL);
}

/* Fields that only the head may carry: a server that merged them from the
 * trailers would frame or route by them. */
static bool httpreq_trailer_forbidden(const struct httpreq *p)
{
	static const char *const names[] = {
		"content-length", "transfer-encoding", "host", "connection", "upgrade",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (p->tname_len == strlen(names[i]) && memcmp(p->tname, names[i], p->tname_len) == 0)
			return true;
	return false;
}

static int st_value_lf(struct httpreq *p, uint8_t c)
{
	if (c != '\n')
		return httpreq_fail(p, HTTPREQ_E_BARE_CR);
	p->state = ST_FIELD;
	if (p->body)
		return httpreq_trailer_forbidden(p) ? httpreq_fail(p, HTTPREQ_E_TRAILER_FIELD) : STEP_ON;
	return httpreq_field_line(p, p->rawlen - 2) < 0 ? STEP_ERR : STEP_ON;
}

static int st_end_lf(struct httpreq *p, uint8_t c)
{
	if (c != '\n')
		return httpreq_fail(p, HTTPREQ_E_BARE_CR);
	if (p->body)		/* the trailers' end: the request's */
		return STEP_END;
	return httpreq_field_finish(p) < 0 ? STEP_ERR : STEP_HEAD;
}

static void httpreq_chunk_reset(struct httpreq *p)
{
	p->chunk_size = 0;
	p->chunk_line = 0;
	p->state = ST_CHUNK_SIZE;
}

static int st_chunk_size(struct httpreq *p, uint8_t c)
{
	unsigned v;
	bool digits = p->chunk_line > 1;	/* this byte is counted already */

	if (http1_hex(c, &v)) {
		if (p->chunk_size > ((uint64_t)HTTPREQ_LENGTH_MAX - v) / 16)
			return httpreq_fail(p, HTTPREQ_E_OVERFLOW);
		p->chunk_size = p->chunk_size * 16 + v;
		return STEP_ON;
	}
	if (digits && c == ';') {
		p->state = ST_CHUNK_EXT;
		return STEP_ON;
	}
	if (digits && c == '\r') {
		p->state = ST_CHUNK_SIZE_LF;
		return STEP_ON;
	}
	return httpreq_bad(p, c, HTTPREQ_E_CHUNK_SIZE);
}

/* chunk-ext is not interpreted: any text up to the CRLF. */
static int st_chunk_ext(struct httpreq *p, uint8_t c)
{
	if (c == '\r') {
		p->state = ST_CHUNK_SIZE_LF;
		return STEP_ON;
	}
	return http1_is_text(c) ? STEP_ON : httpreq_bad(p, c, HTTPREQ_E_CTL);
}

static int st_chunk_size_lf(struct httpreq *p, uint8_t c)
{
	if (c != '\n')
		return httpreq_fail(p, HTTPREQ_E_BARE_CR);
	if (p->chunk_size == 0) {	/* the last chunk: trailers follow */
		p->nlines = 0;
		p->trailer_len = 0;
		p->state = ST_FIELD;
		return STEP_ON;
	}
	p->remaining = p->chunk_size;
	p->state = ST_CHUNK_DATA;
	return STEP_ON;
}

static int st_chunk_data_cr(struct httpreq *p, uint8_t c)
{
	if (c != '\r')
		return httpreq_fail(p, HTTPREQ_E_CHUNK_DATA_END);
	p->state = ST_CHUNK_DATA_LF;
	return STEP_ON;
}

static int st_chunk_data_lf(struct httpreq *p, uint8_t c)
{
	if (c != '\n')
		return httpreq_fail(p, HTTPREQ_E_CHUNK_DATA_END);
	httpreq_chunk_reset(p);
	return STEP_ON;
}

static int st_closed(struct httpreq *p, uint8_t c UNUSED)
{
	return httpreq_fail(p, HTTPREQ_E_AFTER_CLOSE);
}

static int (*const httpreq_steps[ST_COUNT])(struct httpreq *p, uint8_t c) = {
	[ST_START] = st_start,
	[ST_START_LF] = st_start_lf,
	[ST_METHOD] = st_method,
	[ST_TARGET] = st_target,
	[ST_VERSION] = st_version,
	[ST_LINE_LF] = st_line_lf,
	[ST_FIELD] = st_field,
	[ST_NAME] = st_name,
	[ST_VALUE] = st_value,
	[ST_VALUE_LF] = st_value_lf,
	[ST_END_LF] = st_end_lf,
	[ST_CHUNK_SIZE] = st_chunk_size,
	[ST_CHUNK_EXT] = st_chunk_ext,
	[ST_CHUNK_SIZE_LF] = st_chunk_size_lf,
	[ST_CHUNK_DATA_CR] = st_chunk_data_cr,
	[ST_CHUNK_DATA_LF] = st_chunk_data_lf,
	[ST_CLOSED] = st_closed,
};

/* Count one byte against the bound of where it is, keeping it if it is
 * part of the head.  0 or -1. */
static int httpreq_account(struct httpreq *p, uint8_t c)
{
	enum httpreq_state s = p->state;

	if (s == ST_START_LF || (s == ST_START && c == '\r')) {
		if (++p->skipped > HTTPREQ_HEAD_MAX)
			return httpreq_fail(p, HTTPREQ_E_HEAD_TOO_LONG);
	} else if (s >= ST_CHUNK_SIZE && s <= ST_CHUNK_SIZE_LF) {
		if (++p->chunk_line > HTTPREQ_CHUNK_LINE_MAX)
			return httpreq_fail(p, HTTPREQ_E_CHUNK_LINE_TOO_LONG);
	} else if (s >= ST_FIELD && s <= ST_END_LF && p->body) {
		if (++p->trailer_len > HTTPREQ_HEAD_MAX)
			return httpreq_fail(p, HTTPREQ_E_HEAD_TOO_LONG);
	} else if (s >= ST_METHOD && s <= ST_END_LF) {
		if (s <= ST_LINE_LF && p->rawlen >= HTTPREQ_LINE_MAX)
			return httpreq_fail(p, HTTPREQ_E_LINE_TOO_LONG);
		if (p->skipped + p->rawlen >= HTTPREQ_HEAD_MAX)
			return httpreq_fail(p, HTTPREQ_E_HEAD_TOO_LONG);
		p->raw[p->rawlen++] = c;
	}
	return 0;
}

/* The request is complete: the next byte starts another, unless this one
 * closed the connection.  The head stays readable until then. */
static void httpreq_next(struct httpreq *p)
{
	p->state = p->head.keep_alive ? ST_START : ST_CLOSED;
	p->body = false;
	p->skipped = 0;
}

/* Body bytes that need no look: up to @n of a Content-Length body or of a
 * chunk's data.  How many were taken. */
static size_t httpreq_take(struct httpreq *p, size_t n)
{
	size_t take = p->remaining < n ? (size_t)p->remaining : n;

	p->remaining -= take;
	p->body_bytes += take;
	if (p->remaining == 0)
		p->state = p->state == ST_LENGTH ? ST_DONE : ST_CHUNK_DATA_CR;
	return take;
}

enum httpreq_event httpreq_feed(struct httpreq *p, const uint8_t *buf, size_t len, size_t *used)
{
	bool body = p->body;
	size_t i = 0;
	int r;

	*used = 0;
	if (p->state == ST_ERROR)
		return HTTPREQ_ERROR;
	while (i < len || p->state == ST_DONE) {
		if (p->state == ST_DONE) {
			*used = i;
			httpreq_next(p);
			return HTTPREQ_END;
		}
		if (p->state == ST_LENGTH || p->state == ST_CHUNK_DATA) {
			i += httpreq_take(p, len - i);
			continue;
		}
		r = httpreq_account(p, buf[i]);
		if (r == 0)
			r = httpreq_steps[p->state](p, buf[i]);
		if (r == STEP_ERR) {
			/* Body bytes before the offending one are told as such
			 * first, as they would be had the error come in a later
			 * piece; the next call reports the error. */
			*used = i;
			return body && i > 0 ? HTTPREQ_BODY : HTTPREQ_ERROR;
		}
		i++;
		if (r == STEP_HEAD) {
			*used = i;
			return HTTPREQ_HEAD;
		}
		if (r == STEP_END)
			p->state = ST_DONE;
	}
	*used = i;
	return body && i > 0 ? HTTPREQ_BODY : HTTPREQ_NEED_MORE;
}

struct httpreq *httpreq_new(void)
{
	return calloc(1, sizeof(struct httpreq));
}

void httpreq_free(struct httpreq *p)
{
	free(p);
}

const struct httpreq_head *httpreq_head(const struct httpreq *p)
{
	return &p->head;
}

const uint8_t *httpreq_head_raw(const struct httpreq *p, size_t *len)
{
	*len = p->rawlen;
	return p->raw;
}

uint64_t httpreq_body_bytes(const struct httpreq *p)
{
	return p->body_bytes;
}

enum httpreq_error httpreq_error(const struct httpreq *p)
{
	return p->err;
}

static const struct {
	const char *name, *text;
} httpreq_errors[HTTPREQ_E_COUNT] = {
	[HTTPREQ_E_NONE] = { "none", "no error" },
	[HTTPREQ_E_METHOD] = { "method", "the method is not a token followed by one space" },
	[HTTPREQ_E_TARGET] = { "target", "the request-target is malformed (a byte out of place, a bad %-escape, a fragment, a backslash, userinfo, or no known form)" },
	[HTTPREQ_E_TARGET_FORM] = { "target-form", "the request-target's form does not suit the method (host:port is for CONNECT, * for OPTIONS)" },
	[HTTPREQ_E_VERSION] = { "version", "the version is not HTTP/1.0 or HTTP/1.1" },
	[HTTPREQ_E_LINE_TOO_LONG] = { "line-too-long", "the request line is longer than 8 KiB" },
	[HTTPREQ_E_HEAD_TOO_LONG] = { "head-too-long", "the head or the trailers are longer than 16 KiB" },
	[HTTPREQ_E_TOO_MANY_FIELDS] = { "too-many-fields", "more than 100 header or trailer lines" },
	[HTTPREQ_E_BARE_CR] = { "bare-cr", "a CR not followed by LF" },
	[HTTPREQ_E_BARE_LF] = { "bare-lf", "a line ended by LF alone" },
	[HTTPREQ_E_NUL] = { "nul", "a NUL byte" },
	[HTTPREQ_E_CTL] = { "control", "a control character" },
	[HTTPREQ_E_OBS_FOLD] = { "obs-fold", "a header line that starts with whitespace (obs-fold)" },
	[HTTPREQ_E_FIELD_NAME] = { "field-name", "a header name that is not a token" },
	[HTTPREQ_E_SPACE_BEFORE_COLON] = { "space-before-colon", "whitespace between a header name and its colon" },
	[HTTPREQ_E_HOST_MISSING] = { "host-missing", "an HTTP/1.1 request without Host" },
	[HTTPREQ_E_HOST_DUPLICATE] = { "host-duplicate", "more than one Host header" },
	[HTTPREQ_E_HOST_INVALID] = { "host-invalid", "a Host header that is not host[:port]" },
	[HTTPREQ_E_HOST_MISMATCH] = { "host-mismatch", "the Host header names another host than the request-target" },
	[HTTPREQ_E_LENGTH_INVALID] = { "length-invalid", "a Content-Length that is not a decimal number" },
	[HTTPREQ_E_LENGTH_CONFLICT] = { "length-conflict", "Content-Length headers with different values" },
	[HTTPREQ_E_LENGTH_AND_CHUNKED] = { "length-and-chunked", "both Content-Length and Transfer-Encoding" },
	[HTTPREQ_E_TE_UNSUPPORTED] = { "te-unsupported", "a Transfer-Encoding other than one \"chunked\"" },
	[HTTPREQ_E_TE_HTTP10] = { "te-http10", "Transfer-Encoding in an HTTP/1.0 request" },
	[HTTPREQ_E_CONNECTION_FIELD] = { "connection-field", "a Connection header naming Content-Length, Transfer-Encoding or Host" },
	[HTTPREQ_E_CONNECT_BODY] = { "connect-body", "a CONNECT request with a body" },
	[HTTPREQ_E_CHUNK_SIZE] = { "chunk-size", "a chunk size that is not hexadecimal digits" },
	[HTTPREQ_E_CHUNK_LINE_TOO_LONG] = { "chunk-line-too-long", "a chunk-size line longer than 4 KiB" },
	[HTTPREQ_E_CHUNK_DATA_END] = { "chunk-data-end", "chunk data not followed by CRLF" },
	[HTTPREQ_E_OVERFLOW] = { "overflow", "a length over 2^63-1" },
	[HTTPREQ_E_TRAILER_FIELD] = { "trailer-field", "a trailer that only belongs in the head (framing, Host, Connection, Upgrade)" },
	[HTTPREQ_E_AFTER_CLOSE] = { "after-close", "bytes after a request that closes the connection" },
};

const char *httpreq_error_name(enum httpreq_error e)
{
	return (unsigned)e < HTTPREQ_E_COUNT ? httpreq_errors[e].name : "?";
}

const char *httpreq_error_text(enum httpreq_error e)
{
	return (unsigned)e < HTTPREQ_E_COUNT ? httpreq_errors[e].text : "?";
}
