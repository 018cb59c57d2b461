/* httpresp.c — the response parser of httpresp.h: a byte-level state
 * machine over the upstream's decrypted bytes on an inspected connection.
 * Runs in the supervisor, on the proxy's loop (netproxy/inspect.c).
 *
 * Built as httpreq.c is: one state per place in the grammar, one function
 * per state taking one byte (httpresp_steps[]), except where bytes need no
 * look (a Content-Length body, chunk data, a body that ends with the
 * connection), which are taken in one piece.  Each byte is judged when it
 * arrives, never again, so the events cannot depend on how the stream was
 * split (fuzz/fuzz_http_response.c feeds random splits and compares).
 * Unlike the request parser it keeps no copy of the head: the proxy relays
 * the bytes as they come, and only the values of the fields that frame a
 * response (Content-Length, Transfer-Encoding, Connection) are collected.
 */
#include "netproxy/http1.h"
#include "netproxy/httpresp.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

enum httpresp_state {
	ST_IDLE,		/* no request outstanding */
	ST_START,		/* a response's first byte */
	ST_VERSION,		/* "HTTP/1.x" */
	ST_SP,			/* the space after the version */
	ST_CODE,		/* three digits */
	ST_AFTER_CODE,		/* a space, or the CR of a line without reason */
	ST_REASON,
	ST_LINE_LF,		/* the status line's LF */
	ST_FIELD,		/* a field line's first byte, or the empty line's CR */
	ST_NAME,
	ST_VALUE,
	ST_VALUE_LF,
	ST_END_LF,		/* the empty line's LF */
	ST_DONE,		/* the response is complete: END is due */
	ST_LENGTH,		/* a Content-Length body */
	ST_UNTIL_CLOSE,		/* a body that ends with the connection */
	ST_CHUNK_SIZE,
	ST_CHUNK_EXT,
	ST_CHUNK_SIZE_LF,
	ST_CHUNK_DATA,
	ST_CHUNK_DATA_CR,
	ST_CHUNK_DATA_LF,
	ST_ERROR,
	ST_COUNT
};

enum {
	STEP_ERR = -1,
	STEP_ON,	/* take the byte, go on */
	STEP_HEAD,	/* the byte ended a head */
	STEP_END,	/* the byte ended the response */
};

/* The fields acted on; others are only checked byte by byte. */
enum httpresp_field { FIELD_OTHER, FIELD_LENGTH, FIELD_TE, FIELD_CONNECTION };

struct httpresp {
	enum httpresp_state state;
	enum httpresp_error err;
	enum httpresp_for what;		/* the request being answered */
	bool started;			/* a byte of its response came */
	bool body;			/* past the head (field states: trailers) */

	size_t line_len, head_len;	/* the status line, the head so far */
	unsigned version_pos, code_digits, nlines;
	uint16_t code;
	uint8_t minor;

	/* The field line being read. */
	char name[20];			/* lowercased, if it fits */
	size_t name_len;
	enum httpresp_field field;
	uint8_t value[HTTPRESP_VALUE_MAX];
	size_t value_len;

	/* What the head says so far. */
	bool has_length, te, te_chunked_last, conn_close, conn_keep_alive;
	uint64_t length;

	/* The body. */
	uint64_t remaining;		/* of the Content-Length body, or of the chunk */
	uint64_t body_bytes;
	uint64_t chunk_size;
	size_t chunk_line, trailer_len;

	struct httpresp_head head;
};

static int httpresp_fail(struct httpresp *p, enum httpresp_error e)
{
	p->err = e;
	p->state = ST_ERROR;
	return STEP_ERR;
}

/* A byte the state has no use for: NUL, a bare LF or another control byte
 * say so; anything else is @otherwise. */
static int httpresp_bad(struct httpresp *p, uint8_t c, enum httpresp_error otherwise)
{
	if (c == '\0')
		return httpresp_fail(p, HTTPRESP_E_NUL);
	if (c == '\n')
		return httpresp_fail(p, HTTPRESP_E_BARE_LF);
	if (c != '\r' && c != '\t' && (c < 0x20 || c == 0x7f))
		return httpresp_fail(p, HTTPRESP_E_CTL);
	return httpresp_fail(p, otherwise);
}

/* ---- the head's fields ---------------------------------------------------- */

/* 1*DIGIT; equal values may repeat, never differ (RFC 9112 6.3). */
static int httpresp_length(struct httpresp *p, const uint8_t *v, size_t n)
{
	uint64_t val = 0;
	int r = http1_decimal(v, n, HTTPRESP_LENGTH_MAX, &val);

	if (r < 0)
		return httpresp_fail(p, r == -2 ? HTTPRESP_E_OVERFLOW : HTTPRESP_E_LENGTH_INVALID);
	if (p->has_length && val != p->length)
		return httpresp_fail(p, HTTPRESP_E_LENGTH_CONFLICT);
	p->has_length = true;
	p->length = val;
	return 0;
}

/* Codings, the lines taken as one list: "chunked" once and last, or not at
 * all (then the body ends with the connection, RFC 9112 6.3). */
static int httpresp_te(struct httpresp *p, const uint8_t *v, size_t n)
{
	const uint8_t *e;
	size_t i = 0, elen, nonempty = 0;

	p->te = true;
	while (http1_list_next(v, n, &i, &e, &elen)) {
		if (elen == 0)
			continue;
		nonempty++;
		if (p->te_chunked_last)
			return httpresp_fail(p, HTTPRESP_E_TE_UNSUPPORTED);
		p->te_chunked_last = http1_caseeq(e, elen, "chunked");
	}
	return nonempty ? 0 : httpresp_fail(p, HTTPRESP_E_TE_UNSUPPORTED);
}

static int httpresp_connection(struct httpresp *p, const uint8_t *v, size_t n)
{
	const uint8_t *e;
	size_t i = 0, elen;

	while (http1_list_next(v, n, &i, &e, &elen)) {
		if (http1_caseeq(e, elen, "close"))
			p->conn_close = true;
		else if (http1_caseeq(e, elen, "keep-alive"))
			p->conn_keep_alive = true;
	}
	return 0;
}

static const struct {
	const char *name;
	enum httpresp_field field;
} httpresp_fields[] = {
	{ "content-length", FIELD_LENGTH },
	{ "transfer-encoding", FIELD_TE },
	{ "connection", FIELD_CONNECTION },
};

static enum httpresp_field httpresp_field_of(const struct httpresp *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(httpresp_fields); i++)
		if (p->name_len == strlen(httpresp_fields[i].name) &&
		    memcmp(p->name, httpresp_fields[i].name, p->name_len) == 0)
			return httpresp_fields[i].field;
	return FIELD_OTHER;
}

/* The field line is complete: act on its (trimmed) value. */
static int httpresp_field_done(struct httpresp *p)
{
	size_t n = p->value_len;

	while (n > 0 && http1_is_ows(p->value[n - 1]))
		n--;
	switch (p->field) {
	case FIELD_LENGTH:
		return httpresp_length(p, p->value, n);
	case FIELD_TE:
		return httpresp_te(p, p->value, n);
	case FIELD_CONNECTION:
		return httpresp_connection(p, p->value, n);
	default:
		return 0;
	}
}

/* The head is complete: its framing (RFC 9112 6.3), and the state the body
 * starts in.  STEP_HEAD, or STEP_ERR. */
static int httpresp_finish(struct httpresp *p)
{
	struct httpresp_head *h = &p->head;
	bool no_body = p->what == HTTPRESP_FOR_HEAD || p->code == 204 || p->code == 304;

	if (p->te && p->minor == 0)
		return httpresp_fail(p, HTTPRESP_E_TE_HTTP10);
	if (p->te && p->has_length)
		return httpresp_fail(p, HTTPRESP_E_LENGTH_AND_TE);
	h->status = p->code;
	h->minor = p->minor;
	h->keep_alive = !p->conn_close && (p->minor == 1 || p->conn_keep_alive);
	if (p->code == 101) {
		if (p->what != HTTPRESP_FOR_UPGRADE)
			return httpresp_fail(p, HTTPRESP_E_SWITCH);
		h->framing = HTTPRESP_BODY_TUNNEL;
	} else if (p->code < 200) {
		/* Interim: the final response follows, for the same request. */
		h->framing = HTTPRESP_BODY_NONE;
		p->state = ST_START;
		return STEP_HEAD;
	} else if (p->what == HTTPRESP_FOR_CONNECT && p->code < 300) {
		h->framing = HTTPRESP_BODY_TUNNEL;
	} else if (no_body) {
		h->framing = HTTPRESP_BODY_NONE;
	} else if (p->te) {
		h->framing = p->te_chunked_last ? HTTPRESP_BODY_CHUNKED : HTTPRESP_BODY_CLOSE;
	} else if (p->has_length) {
		h->framing = HTTPRESP_BODY_LENGTH;
		h->content_length = p->length;
	} else {
		h->framing = HTTPRESP_BODY_CLOSE;
	}
	switch (h->framing) {
	case HTTPRESP_BODY_TUNNEL:
	case HTTPRESP_BODY_CLOSE:
		h->keep_alive = false;
		p->body = true;
		p->state = ST_UNTIL_CLOSE;
		break;
	case HTTPRESP_BODY_CHUNKED:
		p->body = true;
		p->chunk_size = 0;
		p->chunk_line = 0;
		p->state = ST_CHUNK_SIZE;
		break;
	case HTTPRESP_BODY_LENGTH:
		p->remaining = p->length;
		p->body = p->length > 0;
		p->state = p->length > 0 ? ST_LENGTH : ST_DONE;
		break;
	default:
		p->state = ST_DONE;
	}
	return STEP_HEAD;
}

/* ---- the states ------------------------------------------------------------- */

static int st_idle(struct httpresp *p, uint8_t c UNUSED)
{
	return httpresp_fail(p, HTTPRESP_E_UNSOLICITED);
}

static int st_version(struct httpresp *p, uint8_t c);

/* A response starts: what the last one said is forgotten. */
static int st_start(struct httpresp *p, uint8_t c)
{
	memset(&p->head, 0, sizeof(p->head));
	p->line_len = 1;	/* this byte, counted before the step */
	p->head_len = 1;
	p->version_pos = p->code_digits = p->nlines = 0;
	p->code = 0;
	p->minor = 0;
	p->has_length = p->te = p->te_chunked_last = p->conn_close = p->conn_keep_alive = false;
	p->length = 0;
	p->body = false;
	p->body_bytes = 0;
	p->state = ST_VERSION;
	return st_version(p, c);
}

static int st_version(struct httpresp *p, uint8_t c)
{
	static const char want[] = "HTTP/1.";

	if (p->version_pos < sizeof(want) - 1) {
		if (c != (uint8_t)want[p->version_pos])
			return httpresp_bad(p, c, HTTPRESP_E_VERSION);
	} else {
		if (c != '0' && c != '1')
			return httpresp_bad(p, c, HTTPRESP_E_VERSION);
		p->minor = (uint8_t)(c - '0');
		p->state = ST_SP;
	}
	p->version_pos++;
	return STEP_ON;
}

static int st_sp(struct httpresp *p, uint8_t c)
{
	if (c != ' ')
		return httpresp_bad(p, c, HTTPRESP_E_VERSION);
	p->state = ST_CODE;
	return STEP_ON;
}

static int st_code(struct httpresp *p, uint8_t c)
{
	if (c < '0' || c > '9' || (p->code_digits == 0 && (c < '1' || c > '5')))
		return httpresp_bad(p, c, HTTPRESP_E_STATUS);
	p->code = (uint16_t)(p->code * 10 + (c - '0'));
	if (++p->code_digits == 3)
		p->state = ST_AFTER_CODE;
	return STEP_ON;
}

/* "HTTP/1.1 200 OK", or without a reason: "HTTP/1.1 200 " or, though the
 * grammar wants the space, "HTTP/1.1 200" as some servers send it. */
static int st_after_code(struct httpresp *p, uint8_t c)
{
	if (c == ' ') {
		p->state = ST_REASON;
		return STEP_ON;
	}
	if (c == '\r') {
		p->state = ST_LINE_LF;
		return STEP_ON;
	}
	return httpresp_bad(p, c, HTTPRESP_E_STATUS);
}

static int st_reason(struct httpresp *p, uint8_t c)
{
	if (c == '\r') {
		p->state = ST_LINE_LF;
		return STEP_ON;
	}
	return http1_is_text(c) ? STEP_ON : httpresp_bad(p, c, HTTPRESP_E_CTL);
}

static int st_line_lf(struct httpresp *p, uint8_t c)
{
	if (c != '\n')
		return httpresp_fail(p, HTTPRESP_E_BARE_CR);
	p->state = ST_FIELD;
	return STEP_ON;
}

static int st_name(struct httpresp *p, uint8_t c);

static int st_field(struct httpresp *p, uint8_t c)
{
	if (c == '\r') {
		p->state = ST_END_LF;
		return STEP_ON;
	}
	if (c == ' ' || c == '\t')
		return httpresp_fail(p, HTTPRESP_E_OBS_FOLD);
	if (!http1_is_tchar(c))
		return httpresp_bad(p, c, HTTPRESP_E_FIELD_NAME);
	if (++p->nlines > HTTPRESP_FIELDS_MAX)
		return httpresp_fail(p, HTTPRESP_E_TOO_MANY_FIELDS);
	p->name_len = 0;
	p->state = ST_NAME;
	return st_name(p, c);
}

static int st_name(struct httpresp *p, uint8_t c)
{
	if (c == ':') {
		p->field = p->name_len <= sizeof(p->name) ? httpresp_field_of(p) : FIELD_OTHER;
		/* A trailer may not frame: a client that merged it into the
		 * head would read the body anew. */
		if (p->body && (p->field == FIELD_LENGTH || p->field == FIELD_TE))
			return httpresp_fail(p, HTTPRESP_E_TRAILER_FIELD);
		if (p->body)
			p->field = FIELD_OTHER;
		p->value_len = 0;
		p->state = ST_VALUE;
		return STEP_ON;
	}
	if (c == ' ' || c == '\t')
		return httpresp_fail(p, HTTPRESP_E_SPACE_BEFORE_COLON);
	if (!http1_is_tchar(c))
		return httpresp_bad(p, c, HTTPRESP_E_FIELD_NAME);
	if (p->name_len < sizeof(p->name))
		p->name[p->name_len] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
	p->name_len++;
	return STEP_ON;
}

static int st_value(struct httpresp *p, uint8_t c)
{
	if (c == '\r') {
		p->state = ST_VALUE_LF;
		return STEP_ON;
	}
	if (!http1_is_text(c))
		return httpresp_bad(p, c, HTTPRESP_E_CTL);
	if (p->field == FIELD_OTHER || (p->value_len == 0 && http1_is_ows(c)))
		return STEP_ON;
	if (p->value_len >= sizeof(p->value))
		return httpresp_fail(p, HTTPRESP_E_FIELD_TOO_LONG);
	p->value[p->value_len++] = c;
	return STEP_ON;
}

static int st_value_lf(struct httpresp *p, uint8_t c)
{
	if (c != '\n')
		return httpresp_fail(p, HTTPRESP_E_BARE_CR);
	p->state = ST_FIELD;
	if (!p->body)
		p->head.nfields++;
	return httpresp_field_done(p) < 0 ? STEP_ERR : STEP_ON;
}

static int st_end_lf(struct httpresp *p, uint8_t c)
{
	if (c != '\n')
		return httpresp_fail(p, HTTPRESP_E_BARE_CR);
	if (p->body)		/* the trailers' end: the response's */
		return STEP_END;
	return httpresp_finish(p);
}

static int st_chunk_size(struct httpresp *p, uint8_t c)
{
	unsigned v;
	bool digits = p->chunk_line > 1;	/* this byte is counted already */

	if (http1_hex(c, &v)) {
		if (p->chunk_size > ((uint64_t)HTTPRESP_LENGTH_MAX - v) / 16)
			return httpresp_fail(p, HTTPRESP_E_OVERFLOW);
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
	return httpresp_bad(p, c, HTTPRESP_E_CHUNK_SIZE);
}

static int st_chunk_ext(struct httpresp *p, uint8_t c)
{
	if (c == '\r') {
		p->state = ST_CHUNK_SIZE_LF;
		return STEP_ON;
	}
	return http1_is_text(c) ? STEP_ON : httpresp_bad(p, c, HTTPRESP_E_CTL);
}

static int st_chunk_size_lf(struct httpresp *p, uint8_t c)
{
	if (c != '\n')
		return httpresp_fail(p, HTTPRESP_E_BARE_CR);
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

static int st_chunk_data_cr(struct httpresp *p, uint8_t c)
{
	if (c != '\r')
		return httpresp_fail(p, HTTPRESP_E_CHUNK_DATA_END);
	p->state = ST_CHUNK_DATA_LF;
	return STEP_ON;
}

static int st_chunk_data_lf(struct httpresp *p, uint8_t c)
{
	if (c != '\n')
		return httpresp_fail(p, HTTPRESP_E_CHUNK_DATA_END);
	p->chunk_size = 0;
	p->chunk_line = 0;
	p->state = ST_CHUNK_SIZE;
	return STEP_ON;
}

static int (*const httpresp_steps[ST_COUNT])(struct httpresp *p, uint8_t c) = {
	[ST_IDLE] = st_idle,
	[ST_START] = st_start,
	[ST_VERSION] = st_version,
	[ST_SP] = st_sp,
	[ST_CODE] = st_code,
	[ST_AFTER_CODE] = st_after_code,
	[ST_REASON] = st_reason,
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
};

/* Count one byte against the bound of where it is.  0 or -1. */
static int httpresp_account(struct httpresp *p)
{
	enum httpresp_state s = p->state;

	if (s >= ST_VERSION && s <= ST_LINE_LF && ++p->line_len > HTTPRESP_LINE_MAX)
		return httpresp_fail(p, HTTPRESP_E_LINE_TOO_LONG);
	if (s >= ST_CHUNK_SIZE && s <= ST_CHUNK_SIZE_LF) {
		if (++p->chunk_line > HTTPRESP_CHUNK_LINE_MAX)
			return httpresp_fail(p, HTTPRESP_E_CHUNK_LINE_TOO_LONG);
	} else if (s >= ST_FIELD && s <= ST_END_LF && p->body) {
		if (++p->trailer_len > HTTPRESP_HEAD_MAX)
			return httpresp_fail(p, HTTPRESP_E_HEAD_TOO_LONG);
	} else if (s >= ST_VERSION && s <= ST_END_LF) {
		if (++p->head_len > HTTPRESP_HEAD_MAX)
			return httpresp_fail(p, HTTPRESP_E_HEAD_TOO_LONG);
	}
	return 0;
}

/* Body bytes that need no look: up to @n.  How many were taken. */
static size_t httpresp_take(struct httpresp *p, size_t n)
{
	size_t take;

	if (p->state == ST_UNTIL_CLOSE) {
		p->body_bytes += n;
		return n;
	}
	take = p->remaining < n ? (size_t)p->remaining : n;
	p->remaining -= take;
	p->body_bytes += take;
	if (p->remaining == 0)
		p->state = p->state == ST_LENGTH ? ST_DONE : ST_CHUNK_DATA_CR;
	return take;
}

enum httpresp_event httpresp_feed(struct httpresp *p, const uint8_t *buf, size_t len, size_t *used)
{
	bool body = p->body;
	size_t i = 0;
	int r;

	*used = 0;
	if (p->state == ST_ERROR)
		return HTTPRESP_ERROR;
	if (len > 0 && p->state != ST_IDLE)
		p->started = true;
	while (i < len || p->state == ST_DONE) {
		if (p->state == ST_DONE) {
			*used = i;
			p->state = ST_IDLE;
			p->body = false;
			return HTTPRESP_END;
		}
		if (p->state == ST_LENGTH || p->state == ST_CHUNK_DATA || p->state == ST_UNTIL_CLOSE) {
			i += httpresp_take(p, len - i);
			continue;
		}
		r = httpresp_account(p);
		if (r == 0)
			r = httpresp_steps[p->state](p, buf[i]);
		if (r == STEP_ERR) {
			/* Body bytes before the offending one first, as if the
			 * error had come in a later piece. */
			*used = i;
			return body && i > 0 ? HTTPRESP_BODY : HTTPRESP_ERROR;
		}
		i++;
		if (r == STEP_HEAD) {
			*used = i;
			return HTTPRESP_HEAD;
		}
		if (r == STEP_END)
			p->state = ST_DONE;
	}
	*used = i;
	return body && i > 0 ? HTTPRESP_BODY : HTTPRESP_NEED_MORE;
}

enum httpresp_event httpresp_eof(struct httpresp *p)
{
	switch (p->state) {
	case ST_ERROR:
		return HTTPRESP_ERROR;
	case ST_IDLE:
		return HTTPRESP_NEED_MORE;
	case ST_UNTIL_CLOSE:
		p->state = ST_IDLE;
		p->body = false;
		return HTTPRESP_END;
	default:
		httpresp_fail(p, p->started ? HTTPRESP_E_TRUNCATED : HTTPRESP_E_NO_RESPONSE);
		return HTTPRESP_ERROR;
	}
}

void httpresp_expect(struct httpresp *p, enum httpresp_for what)
{
	if (p->state != ST_IDLE)
		return;
	p->what = what;
	p->started = false;
	p->state = ST_START;
}

bool httpresp_busy(const struct httpresp *p)
{
	return p->state != ST_IDLE && p->state != ST_ERROR;
}

struct httpresp *httpresp_new(void)
{
	return calloc(1, sizeof(struct httpresp));
}

void httpresp_free(struct httpresp *p)
{
	free(p);
}

const struct httpresp_head *httpresp_head(const struct httpresp *p)
{
	return &p->head;
}

uint64_t httpresp_body_bytes(const struct httpresp *p)
{
	return p->body_bytes;
}

enum httpresp_error httpresp_error(const struct httpresp *p)
{
	return p->err;
}

static const struct {
	const char *name, *text;
} httpresp_errors[HTTPRESP_E_COUNT] = {
	[HTTPRESP_E_NONE] = { "none", "no error" },
	[HTTPRESP_E_UNSOLICITED] = { "unsolicited", "the server sent bytes while no request was outstanding" },
	[HTTPRESP_E_VERSION] = { "version", "the status line does not start with HTTP/1.0 or HTTP/1.1 and a space" },
	[HTTPRESP_E_STATUS] = { "status", "the status code is not three digits from 100 to 599" },
	[HTTPRESP_E_LINE_TOO_LONG] = { "line-too-long", "the status line is longer than 8 KiB" },
	[HTTPRESP_E_HEAD_TOO_LONG] = { "head-too-long", "the head or the trailers are longer than 64 KiB" },
	[HTTPRESP_E_TOO_MANY_FIELDS] = { "too-many-fields", "more than 256 header or trailer lines" },
	[HTTPRESP_E_BARE_CR] = { "bare-cr", "a CR not followed by LF" },
	[HTTPRESP_E_BARE_LF] = { "bare-lf", "a line ended by LF alone" },
	[HTTPRESP_E_NUL] = { "nul", "a NUL byte" },
	[HTTPRESP_E_CTL] = { "control", "a control character" },
	[HTTPRESP_E_OBS_FOLD] = { "obs-fold", "a header line that starts with whitespace (obs-fold)" },
	[HTTPRESP_E_FIELD_NAME] = { "field-name", "a header name that is not a token" },
	[HTTPRESP_E_SPACE_BEFORE_COLON] = { "space-before-colon", "whitespace between a header name and its colon" },
	[HTTPRESP_E_FIELD_TOO_LONG] = { "field-too-long", "a Content-Length, Transfer-Encoding or Connection value longer than 1 KiB" },
	[HTTPRESP_E_LENGTH_INVALID] = { "length-invalid", "a Content-Length that is not a decimal number" },
	[HTTPRESP_E_LENGTH_CONFLICT] = { "length-conflict", "Content-Length headers with different values" },
	[HTTPRESP_E_LENGTH_AND_TE] = { "length-and-te", "both Content-Length and Transfer-Encoding" },
	[HTTPRESP_E_TE_UNSUPPORTED] = { "te-unsupported", "a Transfer-Encoding with chunked not last, chunked twice, or no coding" },
	[HTTPRESP_E_TE_HTTP10] = { "te-http10", "Transfer-Encoding in an HTTP/1.0 response" },
	[HTTPRESP_E_SWITCH] = { "switch", "101 Switching Protocols to a request that asked for no upgrade" },
	[HTTPRESP_E_CHUNK_SIZE] = { "chunk-size", "a chunk size that is not hexadecimal digits" },
	[HTTPRESP_E_CHUNK_LINE_TOO_LONG] = { "chunk-line-too-long", "a chunk-size line longer than 4 KiB" },
	[HTTPRESP_E_CHUNK_DATA_END] = { "chunk-data-end", "chunk data not followed by CRLF" },
	[HTTPRESP_E_OVERFLOW] = { "overflow", "a length over 2^63-1" },
	[HTTPRESP_E_TRAILER_FIELD] = { "trailer-field", "Content-Length or Transfer-Encoding among the trailers" },
	[HTTPRESP_E_NO_RESPONSE] = { "no-response", "the server closed the connection without responding" },
	[HTTPRESP_E_TRUNCATED] = { "truncated", "the server closed the connection in the middle of a response" },
};

const char *httpresp_error_name(enum httpresp_error e)
{
	return (unsigned)e < HTTPRESP_E_COUNT ? httpresp_errors[e].name : "?";
}

const char *httpresp_error_text(enum httpresp_error e)
{
	return (unsigned)e < HTTPRESP_E_COUNT ? httpresp_errors[e].text : "?";
}
