/* inspect.c — one inspected connection (inspect.h), from the proxy's
 * handover to its close: the program's side and the upstream's, each TLS
 * or plain (inspect_tls.c), driven by libevent events on the two sockets;
 * requests judged one at a time (inspect_http.c).  Runs in the supervisor,
 * on the proxy's loop.
 *
 * Theory of operation.  Every event runs inspect_run(), which makes all
 * the progress it can, in turns, until a turn makes none:
 *   handshakes   (TLS) the program's, with the CA's leaf for the name; the
 *                upstream's, verified.  A host that fails verification is
 *                not talked to: each request then gets a 502 naming the
 *                error, and a refusal in the log.
 *   requests     the program's bytes through httpreq.h.  A head is judged
 *                (Host, CONNECT, upgrades, the rules): allowed, it is
 *                queued upstream as it came, then its body; refused, the
 *                program gets a 403 naming the rule, and the body is read
 *                and dropped when that is cheap (else the connection
 *                closes after the 403).  The next request waits in its
 *                buffer until the current response has ended: HTTP/1.1
 *                pipelining allows that, and it keeps responses in order
 *                and the rules' verdicts tied to the right response.
 *   responses    the host's bytes through httpresp.h, relayed as they come;
 *                the end of a response ends the exchange (its log record).
 *                A malformed response, or a close before any of it was
 *                relayed, is a 502; one half relayed resets the program's
 *                connection (it must not take a truncated body for whole).
 *   closing      a response or request that closes the connection, a
 *                refusal that cannot keep it, the host's close: what is
 *                queued for the program goes, then close_notify and FIN;
 *                what the program still sends is read and dropped for a
 *                little while, so that our close is no reset that could
 *                destroy the response in flight.
 * Events are level-triggered and persistent, re-registered only when what a
 * side waits for changes (openssl may want to write while reading, and the
 * other way round).  Memory is the struct's buffers (inspect_internal.h),
 * the two parsers and openssl's state: allocated at the start, so running
 * out of it fails the start only; later failures (a registration) reset
 * this connection, never the supervisor.
 */
#include "netproxy/inspect_internal.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- buffers ----------------------------------------------------------------- */

size_t inspect_buf_len(const struct inspect_buf *b)
{
	return b->end - b->start;
}

size_t inspect_buf_room(struct inspect_buf *b)
{
	if (b->start) {
		memmove(b->data, b->data + b->start, b->end - b->start);
		b->end -= b->start;
		b->start = 0;
	}
	return b->cap - b->end;
}

void inspect_buf_add(struct inspect_buf *b, const void *p, size_t n)
{
	if (n == 0 || inspect_buf_room(b) < n)
		return;
	memcpy(b->data + b->end, p, n);
	b->end += n;
}

static void inspect_buf_drop(struct inspect_buf *b, size_t n)
{
	b->start += n;
	if (b->start >= b->end)
		b->start = b->end = 0;
}

/* ---- outcomes ---------------------------------------------------------------- */

static void inspect_fail(struct inspect *in, int err)
{
	if (!in->fatal)
		in->fatal = err < 0 ? err : -EPROTO;
}

/* The host is gone or unusable (@why): a 502 if nothing of the response
 * in course was relayed yet, else a reset (the program must not take a
 * truncated response for whole); between exchanges, a close.  On a
 * connection that has answered before, nothing relayed, a close too: the
 * host may have timed the idle connection out as the request went, and a
 * client retries a request that a reused connection closed on unanswered
 * (RFC 9112 9.3.1), which it would not after a 502. */
static void inspect_upstream_lost(struct inspect *in, const char *why)
{
	struct inspect_exchange *ex = &in->ex;
	char text[INSPECT_REPLY_MAX];

	in->u.eof = true;
	inspect_buf_drop(&in->up, inspect_buf_len(&in->up));
	in->close_after = true;
	if (!ex->forwarded)
		return;
	ex->forwarded = false;
	snprintf(ex->reason, sizeof(ex->reason), "%s: %s", in->name, why);
	if (ex->down == 0 && in->answered) {
		ex->status = 0;
	} else if (ex->down == 0) {
		snprintf(text, sizeof(text), "netbox: %s %s failed: %s", ex->method, ex->path, ex->reason);
		/* The buffer holds no partial response (nothing was relayed):
		 * room for a reply was made before the request was taken. */
		inspect_http_reply(in, 502, text, true);
	} else {
		inspect_fail(in, -ECONNRESET);
	}
	inspect_http_report(in);
}

/* ---- handshakes ------------------------------------------------------------- */

static bool inspect_handshake(struct inspect *in)
{
	int r;

	if (in->phase != INSPECT_HANDSHAKE)
		return false;
	/* The program refusing the CA's certificate (it does not trust the
	 * run's CA, or pins another) is no request: its connection's record
	 * says it ended without a byte. */
	r = inspect_io_handshake(&in->c);
	if (r < 0) {
		inspect_fail(in, -EPROTO);
		return false;
	}
	if (!in->up_error[0] && inspect_io_handshake(&in->u) < 0) {
		char why[200];

		inspect_io_failure(&in->u, why, sizeof(why));
		snprintf(in->up_error, sizeof(in->up_error), "netbox cannot reach %s safely: %s",
			 in->name, why);
		in->u.eof = true;
	}
	if (!in->c.ready || (!in->u.ready && !in->up_error[0]))
		return false;
	in->phase = INSPECT_RUN;
	event_del(&in->timer);
	return true;
}

/* ---- the program's requests --------------------------------------------------- */

static bool inspect_client_read(struct inspect *in)
{
	size_t room;
	ssize_t n;

	if (in->phase != INSPECT_RUN || in->c.eof)
		return false;
	room = inspect_buf_room(&in->in);
	if (room == 0)
		return false;
	n = inspect_io_read(&in->c, in->in.data + in->in.end, room);
	if (n > 0) {
		in->in.end += (size_t)n;
		return true;
	}
	if (n == 0) {
		in->c.eof = true;
		return true;
	}
	if (n != -EAGAIN)
		inspect_fail(in, (int)n);
	return false;
}

/* A denied request's body can be read and dropped, keeping the
 * connection: none, or a short one the client sends without waiting. */
static bool inspect_skippable(const struct httpreq_head *h)
{
	if (h->framing == HTTPREQ_BODY_NONE)
		return true;
	return h->framing == HTTPREQ_BODY_LENGTH && h->content_length <= INSPECT_SKIP_MAX &&
	       !h->expect_continue;
}

static void inspect_refusal_text(const struct inspect *in, char *out, size_t len)
{
	const struct inspect_exchange *ex = &in->ex;
	bool dflt = in->port == (in->use_tls ? 443 : 80);
	char port[8] = "";

	if (!dflt)
		snprintf(port, sizeof(port), ":%u", in->port);
	snprintf(out, len, "netbox refused %s %s://%s%s%s: %s", ex->method, in->use_tls ? "https" : "http",
		 in->name, port, ex->path, ex->reason);
}

/* The head just parsed starts an exchange: forward it, or answer it. */
static void inspect_request_head(struct inspect *in)
{
	const struct httpreq_head *h = httpreq_head(in->req);
	struct inspect_exchange *ex = &in->ex;
	char text[INSPECT_REPLY_MAX];
	const uint8_t *raw;
	size_t rawlen;

	memset(ex, 0, sizeof(*ex));
	ex->active = true;
	ex->start_ns = now_ns();
	ex->has_query = h->query != NULL;
	snprintf(ex->method, sizeof(ex->method), "%s", h->method);
	snprintf(ex->path, sizeof(ex->path), "%s", h->path);
	snprintf(ex->query, sizeof(ex->query), "%s", h->query ? h->query : "");
	if (in->up_error[0]) {
		snprintf(ex->reason, sizeof(ex->reason), "%s", in->up_error);
		inspect_http_reply(in, 502, in->up_error, true);
		inspect_http_report(in);
		in->close_after = true;
		return;
	}
	inspect_http_decide(in, h);
	if (ex->allowed) {
		raw = httpreq_head_raw(in->req, &rawlen);
		inspect_buf_add(&in->up, raw, rawlen);
		ex->up = rawlen;
		ex->forwarded = true;
		if (!h->keep_alive)
			in->close_after = true;
		httpresp_expect(in->resp, strcmp(h->method, "HEAD") == 0 ? HTTPRESP_FOR_HEAD
									 : HTTPRESP_FOR_GET);
		in->req_state = INSPECT_REQ_FORWARD;
		return;
	}
	inspect_refusal_text(in, text, sizeof(text));
	if (!inspect_skippable(h) || !h->keep_alive)
		in->close_after = true;
	inspect_http_reply(in, 403, text, in->close_after);
	inspect_http_report(in);
	in->answered++;
	in->req_state = INSPECT_REQ_SKIP;
}

/* The parser refused the program's bytes. */
static void inspect_request_error(struct inspect *in)
{
	struct inspect_exchange *ex = &in->ex;
	const char *why = httpreq_error_text(httpreq_error(in->req));
	char text[INSPECT_REPLY_MAX];

	in->close_after = true;
	if (in->req_state == INSPECT_REQ_SKIP)
		return;	/* refused and answered already */
	if (in->req_state == INSPECT_REQ_FORWARD) {
		/* Half a body went upstream: only a reset tells both ends. */
		if (ex->active)
			snprintf(ex->reason, sizeof(ex->reason), "malformed request body: %s", why);
		inspect_http_report(in);
		inspect_fail(in, -EPROTO);
		return;
	}
	memset(ex, 0, sizeof(*ex));
	ex->active = true;
	ex->start_ns = now_ns();
	snprintf(ex->reason, sizeof(ex->reason), "malformed request: %s", why);
	snprintf(text, sizeof(text), "netbox refused a request to %s: %s", in->name, ex->reason);
	inspect_http_reply(in, 400, text, true);
	inspect_http_report(in);
}

/* How many of the program's bytes the parser may take now, or 0 with
 * *@stop: one exchange at a time, and room for what a head makes (the head
 * upstream, or a reply). */
static size_t inspect_request_room(struct inspect *in, bool *stop)
{
	size_t avail = inspect_buf_len(&in->in), room;

	*stop = false;
	switch (in->req_state) {
	case INSPECT_REQ_IDLE:
		*stop = in->ex.forwarded || in->close_after || avail == 0 ||
			inspect_buf_room(&in->up) < HTTPREQ_HEAD_MAX ||
			inspect_buf_room(&in->down) < INSPECT_REPLY_MAX;
		return avail;
	case INSPECT_REQ_FORWARD:
		room = inspect_buf_room(&in->up);
		return avail < room ? avail : room;
	default:
		return avail;
	}
}

static bool inspect_requests(struct inspect *in)
{
	bool progress = false, stop;

	while (in->phase == INSPECT_RUN && !in->fatal) {
		size_t n = inspect_request_room(in, &stop), used;
		const uint8_t *p = in->in.data + in->in.start;
		enum httpreq_event ev;

		if (stop)
			break;
		ev = httpreq_feed(in->req, p, n, &used);
		if (ev == HTTPREQ_ERROR) {
			inspect_request_error(in);
			return true;
		}
		if ((ev == HTTPREQ_BODY || ev == HTTPREQ_END) && in->req_state == INSPECT_REQ_FORWARD) {
			inspect_buf_add(&in->up, p, used);
			in->ex.up += used;
		}
		inspect_buf_drop(&in->in, used);
		progress |= used > 0 || ev != HTTPREQ_NEED_MORE;
		if (ev == HTTPREQ_HEAD)
			inspect_request_head(in);
		else if (ev == HTTPREQ_END)
			in->req_state = INSPECT_REQ_IDLE;
		else if (ev == HTTPREQ_NEED_MORE)
			break;
	}
	return progress;
}

/* ---- the host's responses --------------------------------------------------- */

static bool inspect_upstream_write(struct inspect *in)
{
	size_t len = inspect_buf_len(&in->up);
	ssize_t n;

	if (!len || !in->u.ready || in->up_error[0] || in->u.eof)
		return false;
	n = inspect_io_write(&in->u, in->up.data + in->up.start, len);
	if (n > 0) {
		inspect_buf_drop(&in->up, (size_t)n);
		in->u.bytes += (uint64_t)n;
		return true;
	}
	if (n != -EAGAIN)
		inspect_upstream_lost(in, strerror((int)-n));
	return n != -EAGAIN;
}

static void inspect_exchange_end(struct inspect *in)
{
	in->ex.forwarded = false;
	in->answered++;
	if (!httpresp_head(in->resp)->keep_alive)
		in->close_after = true;
	inspect_http_report(in);
}

/* The response could not be read: nothing of it relayed, a 502; else a
 * reset.  Bytes with no request outstanding only close the connection. */
static void inspect_response_error(struct inspect *in)
{
	enum httpresp_error e = httpresp_error(in->resp);
	char why[256];

	if (e == HTTPRESP_E_UNSOLICITED && !in->ex.forwarded) {
		in->u.eof = true;
		in->close_after = true;
		return;
	}
	snprintf(why, sizeof(why), "a malformed response (%s)", httpresp_error_text(e));
	inspect_upstream_lost(in, why);
}

/* @n bytes the host sent are at the end of the buffer to the program:
 * keep those that belong to the response in course. */
static void inspect_response(struct inspect *in, size_t n)
{
	const uint8_t *p = in->down.data + in->down.end;
	size_t off = 0, used;

	for (;;) {
		enum httpresp_event ev = httpresp_feed(in->resp, p + off, n - off, &used);

		if (ev == HTTPRESP_ERROR)
			break;
		off += used;
		in->down.end += used;
		in->ex.down += used;
		if (ev == HTTPRESP_HEAD && httpresp_head(in->resp)->status >= 200)
			in->ex.status = httpresp_head(in->resp)->status;
		if (ev == HTTPRESP_END)
			inspect_exchange_end(in);
		if (ev == HTTPRESP_NEED_MORE)
			return;
	}
	inspect_response_error(in);
}

static void inspect_upstream_eof(struct inspect *in)
{
	enum httpresp_event ev = httpresp_eof(in->resp);

	in->u.eof = true;
	in->close_after = true;
	if (ev == HTTPRESP_END)
		inspect_exchange_end(in);
	else if (ev == HTTPRESP_ERROR)
		inspect_upstream_lost(in, httpresp_error_text(httpresp_error(in->resp)));
}

static bool inspect_upstream_read(struct inspect *in)
{
	size_t room;
	ssize_t n;

	if (in->phase != INSPECT_RUN || !in->u.ready || in->u.eof || in->up_error[0])
		return false;
	room = inspect_buf_room(&in->down);
	if (room == 0)
		return false;
	n = inspect_io_read(&in->u, in->down.data + in->down.end, room);
	if (n == -EAGAIN)
		return false;
	if (n > 0)
		inspect_response(in, (size_t)n);
	else if (n == 0)
		inspect_upstream_eof(in);
	else
		inspect_upstream_lost(in, strerror((int)-n));
	return true;
}

static bool inspect_client_write(struct inspect *in)
{
	size_t len = inspect_buf_len(&in->down);
	ssize_t n;

	if (!len || !in->c.ready || in->c.shut)
		return false;
	n = inspect_io_write(&in->c, in->down.data + in->down.start, len);
	if (n > 0) {
		inspect_buf_drop(&in->down, (size_t)n);
		in->c.bytes += (uint64_t)n;
		return true;
	}
	if (n != -EAGAIN)
		inspect_fail(in, (int)n);
	return false;
}

/* ---- closing ------------------------------------------------------------------ */

static bool inspect_closing(struct inspect *in)
{
	struct timeval tv = { INSPECT_LINGER_MS / 1000, (INSPECT_LINGER_MS % 1000) * 1000 };
	int r;

	/* The program said all it will: once the exchange in course is
	 * over (and nothing is left to parse), so is the connection. */
	if (in->phase == INSPECT_RUN && in->c.eof && !in->ex.forwarded && !inspect_buf_len(&in->in))
		in->close_after = true;
	if (in->phase == INSPECT_RUN && in->close_after && !in->ex.forwarded) {
		in->phase = INSPECT_CLOSING;
		return true;
	}
	if (in->phase != INSPECT_CLOSING || inspect_buf_len(&in->down))
		return false;
	r = inspect_io_shutdown(&in->c);
	if (r <= 0) {
		if (r < 0)
			inspect_fail(in, r);
		return false;
	}
	if (in->c.eof) {
		in->over = true;
		return true;
	}
	in->phase = INSPECT_LINGER;
	if (evtimer_add(&in->timer, &tv) < 0)
		in->over = true;
	return true;
}

/* Closed for writing: drop what the program still sends (the ciphertext,
 * unread) until it closes too, or the timer. */
static void inspect_linger(struct inspect *in)
{
	uint8_t sink[4096];

	for (int i = 0; in->phase == INSPECT_LINGER && i < 16; i++) {
		ssize_t n = read(in->c.fd, sink, sizeof(sink));

		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		in->over = true;
		return;
	}
	in->c.need |= EV_READ;
}

/* ---- the loop ----------------------------------------------------------------- */

static void inspect_on_event(evutil_socket_t fd, short what, void *arg);

/* Wait for what the side's blocked operations wait for. */
static int inspect_arm(struct inspect *in, struct inspect_side *s)
{
	short want = s->need;

	if (want == s->armed)
		return 0;
	if (s->armed)
		event_del(&s->ev);
	s->armed = 0;
	if (!want)
		return 0;
	event_assign(&s->ev, in->base, s->fd, want | EV_PERSIST, inspect_on_event, in);
	if (event_add(&s->ev, NULL) < 0)
		return -ENOMEM;
	s->armed = want;
	return 0;
}

static void inspect_finish(struct inspect *in)
{
	if (in->ex.active && in->fatal && !in->ex.reason[0])
		snprintf(in->ex.reason, sizeof(in->ex.reason), "the connection failed: %s",
			 strerror(-in->fatal));
	inspect_http_report(in);
	event_del(&in->c.ev);
	event_del(&in->u.ev);
	event_del(&in->timer);
	in->done(in->arg, in->fatal);
	/* @in may be gone. */
}

static void inspect_run(struct inspect *in)
{
	bool progress;

	do {
		in->c.need = in->u.need = 0;
		progress = inspect_handshake(in);
		progress |= inspect_client_read(in);
		progress |= inspect_requests(in);
		progress |= inspect_upstream_write(in);
		progress |= inspect_upstream_read(in);
		progress |= inspect_client_write(in);
		progress |= inspect_closing(in);
		if (in->phase == INSPECT_LINGER)
			inspect_linger(in);
	} while (progress && !in->fatal && !in->over);
	if (!in->fatal && !in->over && (inspect_arm(in, &in->c) < 0 || inspect_arm(in, &in->u) < 0))
		inspect_fail(in, -ENOMEM);
	if (in->fatal || in->over)
		inspect_finish(in);
}

static void inspect_on_event(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	inspect_run(arg);
}

/* The first turn (from the loop: done must not run under the caller), the
 * handshakes' deadline, the end of the linger. */
static void inspect_on_timer(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct inspect *in = arg;

	if (!in->started) {
		struct timeval tv = { INSPECT_HANDSHAKE_MS / 1000, 0 };

		in->started = true;
		if (in->phase == INSPECT_HANDSHAKE && evtimer_add(&in->timer, &tv) < 0)
			inspect_fail(in, -ENOMEM);
	} else if (in->phase == INSPECT_HANDSHAKE) {
		inspect_fail(in, -ETIMEDOUT);
	} else {
		in->over = true;
	}
	if (in->fatal || in->over)
		inspect_finish(in);
	else
		inspect_run(in);
}

static void inspect_side_init(struct inspect *in, struct inspect_side *s, int fd, bool upstream)
{
	s->fd = fd;
	s->upstream = upstream;
	s->ready = !in->use_tls;
	event_assign(&s->ev, in->base, fd, EV_READ | EV_PERSIST, inspect_on_event, in);
}

struct inspect *inspect_start(const struct inspect_params *prm, inspect_done_fn done, void *arg)
{
	struct inspect *in = calloc(1, sizeof(*in));
	struct timeval now = { 0, 0 };
	int r = -ENOMEM;

	if (!in)
		return NULL;
	in->base = prm->base;
	in->tls = prm->tls;
	in->use_tls = prm->use_tls;
	in->policy = prm->policy;
	in->report = prm->report;
	in->proc = prm->proc;
	snprintf(in->name, sizeof(in->name), "%s", prm->name);
	in->port = prm->port;
	in->done = done;
	in->arg = arg;
	in->in = (struct inspect_buf){ .data = in->in_data, .cap = sizeof(in->in_data) };
	in->up = (struct inspect_buf){ .data = in->up_data, .cap = sizeof(in->up_data) };
	in->down = (struct inspect_buf){ .data = in->down_data, .cap = sizeof(in->down_data) };
	inspect_side_init(in, &in->c, prm->client, false);
	inspect_side_init(in, &in->u, prm->upstream, true);
	evtimer_assign(&in->timer, in->base, inspect_on_timer, in);
	in->phase = in->use_tls ? INSPECT_HANDSHAKE : INSPECT_RUN;
	in->req = httpreq_new();
	in->resp = httpresp_new();
	if (in->req && in->resp && in->use_tls) {
		r = inspect_tls_side(in, &in->c);
		if (r == 0)
			r = inspect_tls_side(in, &in->u);
	} else if (in->req && in->resp) {
		r = 0;
	}
	if (r == 0 && evtimer_add(&in->timer, &now) < 0)
		r = -ENOMEM;
	if (r < 0) {
		inspect_free(in);
		errno = -r;
		return NULL;
	}
	return in;
}

void inspect_free(struct inspect *in)
{
	if (!in)
		return;
	event_del(&in->c.ev);
	event_del(&in->u.ev);
	event_del(&in->timer);
	inspect_tls_side_free(&in->c);
	inspect_tls_side_free(&in->u);
	httpreq_free(in->req);
	httpresp_free(in->resp);
	free(in);
}

void inspect_bytes(const struct inspect *in, uint64_t *up, uint64_t *down)
{
	*up = in->u.bytes;
	*down = in->c.bytes;
}
