/* tcp.c — the resolver's TCP side: the listening sockets (port 53 in the
 * sandbox's network namespace, created there by the launcher), and each
 * client connection: RFC 1035 4.2.2 framing (a 2-byte length before every
 * message), pipelining (up to RESOLVER_TCP_PIPELINE queries in flight, read
 * no further while they or unsent replies pile up), an idle timeout, and at
 * most RESOLVER_TCP_MAX clients (the oldest goes for a new one).
 *
 * Part of the resolver (resolver_internal.h), in the supervisor, on its
 * event loop.
 *
 * Re-entrancy, the rules this file keeps:
 *   - A TCP client is freed only from its own event callbacks, from accept
 *     (evicting the oldest) and from resolver_free().  Replying to it (from
 *     a c-ares callback, or synchronously while it is being served) only
 *     appends to its output buffer and (re)arms its events; so does running
 *     out of memory while replying: the client is marked failed and its
 *     write event made active, and that callback resets the connection.
 *   - When a client goes, its waiting queries are dropped, and its
 *     forwarded ones (which c-ares cannot cancel) are detached: their
 *     callback frees them and sends nothing (upstream.c).
 */
#include "dns/resolver_internal.h"

#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void resolver_tcp_touch(struct tcp_client *tc)
{
	struct timeval tv = { .tv_sec = RESOLVER_TCP_IDLE_S };

	evtimer_add(tc->tev, &tv);
}

/* Close @fd with a reset (RST) rather than a FIN: the client learns at
 * once that nothing more is coming. */
static void resolver_tcp_reset_fd(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Free @tc, dropping its pending queries; @reset sends an RST.  Only from
 * its own callbacks, accept and resolver_free() (see the top of the
 * file). */
static void resolver_tcp_close(struct tcp_client *tc, bool reset)
{
	struct resolver *r = tc->r; /* NOLINT(clang-analyzer-unix.Malloc): see list_del() */

	while (!list_empty(&tc->pending)) {
		struct resolver_req *req = list_entry(tc->pending.next, struct resolver_req, clink);

		list_del(&req->clink);
		req->c.tc = NULL;
		if (req->kind != REQ_FWD)
			resolver_cache_drop_req(req);
		/* else: resolver_upstream_fwd_cb() frees it */
	}
	tc->npending = 0;
	event_free(tc->rev);
	event_free(tc->wev);
	event_free(tc->tev);
	if (reset)
		resolver_tcp_reset_fd(tc->fd);
	else
		close(tc->fd);
	list_del(&tc->link);
	r->ntcp--;
	free(tc->out);
	free(tc);
}

static size_t resolver_tcp_unsent(const struct tcp_client *tc)
{
	return tc->outlen - tc->outoff;
}

/* A complete message waits in tc->in (or a bad prefix does). */
static bool resolver_tcp_has_frame(const struct tcp_client *tc)
{
	ssize_t fl = dns_tcp_frame_len(tc->in, tc->inlen);

	return fl < 0 || (fl > 0 && tc->inlen >= 2 + (size_t)fl);
}

static bool resolver_tcp_may_take(const struct tcp_client *tc)
{
	return !tc->failed && tc->npending < RESOLVER_TCP_PIPELINE &&
	       resolver_tcp_unsent(tc) < RESOLVER_TCP_OUT_HIGH;
}

/* Read when there is room for more work; run the read callback at once
 * when complete messages are already buffered.  Never frees @tc. */
static void resolver_tcp_update_read(struct tcp_client *tc)
{
	bool want = !tc->eof && resolver_tcp_may_take(tc) && tc->inlen < sizeof(tc->in);

	if (want && !tc->reading)
		event_add(tc->rev, NULL);
	else if (!want && tc->reading)
		event_del(tc->rev);
	tc->reading = want;
	if (resolver_tcp_may_take(tc) && resolver_tcp_has_frame(tc))
		event_active(tc->rev, EV_READ, 0);
}

/* Queue @data for the client.  Never frees @tc: the write callback sends
 * it, and closes the connection on errors, or resets it when memory for
 * the reply ran out here. */
void resolver_tcp_append(struct tcp_client *tc, const uint8_t *data, size_t len)
{
	if (tc->failed)
		return;
	if (tc->outoff && tc->outcap - tc->outlen < len) {
		memmove(tc->out, tc->out + tc->outoff, resolver_tcp_unsent(tc));
		tc->outlen -= tc->outoff;
		tc->outoff = 0;
	}
	if (tc->outcap - tc->outlen < len) {
		size_t cap = tc->outlen + len + 4096;
		uint8_t *p = realloc(tc->out, cap);

		if (!p) {
			/* A reply lost in the middle of a pipelined stream
			 * would leave the client waiting for it: reset. */
			tc->failed = true;
			event_active(tc->wev, EV_WRITE, 0);
			return;
		}
		tc->out = p;
		tc->outcap = cap;
	}
	memcpy(tc->out + tc->outlen, data, len);
	tc->outlen += len;
	event_add(tc->wev, NULL);
	resolver_tcp_touch(tc);
}

/* Track @req, a query of @tc waiting for upstream. */
void resolver_tcp_pending_add(struct tcp_client *tc, struct resolver_req *req)
{
	list_add_tail(&tc->pending, &req->clink);
	tc->npending++;
}

/* @req no longer waits; resolver_tcp_pending_done() follows once it has
 * been answered. */
void resolver_tcp_pending_del(struct tcp_client *tc, struct resolver_req *req)
{
	list_del(&req->clink);
	tc->npending--;
}

/* One of @tc's queries was answered (npending already counted down). */
void resolver_tcp_pending_done(struct tcp_client *tc)
{
	resolver_tcp_update_read(tc);
	if (tc->eof && !tc->npending)
		event_active(tc->wev, EV_WRITE, 0);	/* may close there */
}

/* Handle the complete messages in tc->in, as many as the pipeline takes.
 * 0, or -EBADMSG / -EMSGSIZE when the connection must close (a bad length
 * prefix). */
static int resolver_tcp_process(struct tcp_client *tc)
{
	struct rclient c = { .tc = tc };

	while (resolver_tcp_may_take(tc)) {
		ssize_t fl = dns_tcp_frame_len(tc->in, tc->inlen);
		size_t used;

		if (fl == 0)
			return 0;
		if (fl < 0)
			return -EBADMSG;
		if (fl > RESOLVER_TCP_MAX_QUERY)
			return -EMSGSIZE;
		if (tc->inlen < 2 + (size_t)fl)
			return 0;
		/* Replies only queue output here: @tc stays. */
		resolver_query_handle(tc->r, &c, tc->in + 2, (size_t)fl);
		used = 2 + (size_t)fl;
		memmove(tc->in, tc->in + used, tc->inlen - used);
		tc->inlen -= used;
	}
	return 0;
}

static void resolver_tcp_read_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct tcp_client *tc = arg;

	if (tc->reading && !tc->eof && tc->inlen < sizeof(tc->in)) {
		ssize_t n = read(fd, tc->in + tc->inlen, sizeof(tc->in) - tc->inlen);

		if (n > 0) {
			tc->inlen += (size_t)n;
			resolver_tcp_touch(tc);
		} else if (n == 0) {
			tc->eof = true;
		} else if (errno != EAGAIN && errno != EINTR) {
			resolver_tcp_close(tc, false);
			return;
		}
	}
	if (resolver_tcp_process(tc) < 0) {
		resolver_tcp_close(tc, false);
		return;
	}
	if (tc->failed) {
		resolver_tcp_close(tc, true);
		return;
	}
	if (tc->eof && !tc->npending && !resolver_tcp_unsent(tc)) {
		resolver_tcp_close(tc, false);	/* nothing left to answer */
		return;
	}
	resolver_tcp_update_read(tc);
}

static void resolver_tcp_write_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct tcp_client *tc = arg;

	if (tc->failed) {
		resolver_tcp_close(tc, true);
		return;
	}
	while (resolver_tcp_unsent(tc)) {
		ssize_t n = send(fd, tc->out + tc->outoff, resolver_tcp_unsent(tc),
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			resolver_tcp_close(tc, false);
			return;
		}
		tc->outoff += (size_t)n;
		resolver_tcp_touch(tc);
	}
	tc->outoff = tc->outlen = 0;
	event_del(tc->wev);
	if (tc->eof && !tc->npending && !resolver_tcp_has_frame(tc)) {
		resolver_tcp_close(tc, false);
		return;
	}
	resolver_tcp_update_read(tc);
}

/* Idle for RESOLVER_TCP_IDLE_S: close, unless the client only waits for
 * upstream answers (bounded by the c-ares timeouts). */
static void resolver_tcp_timer_cb(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct tcp_client *tc = arg;

	if (tc->npending && !resolver_tcp_unsent(tc) && !tc->failed) {
		resolver_tcp_touch(tc);
		return;
	}
	resolver_tcp_close(tc, tc->failed);
}

static void resolver_tcp_accept_retry_cb(evutil_socket_t fd UNUSED, short what UNUSED,
					 void *arg)
{
	struct tcp_listener *l = arg;

	event_add(l->ev, NULL);
}

/* A new client on @cfd.  0 or -ENOMEM (then @cfd is still open). */
static int resolver_tcp_client_new(struct resolver *r, int cfd)
{
	struct tcp_client *tc = calloc(1, sizeof(*tc));

	if (!tc)
		return -ENOMEM;
	tc->r = r;
	tc->fd = cfd;
	list_init(&tc->pending);
	tc->rev = event_new(r->base, cfd, EV_READ | EV_PERSIST, resolver_tcp_read_cb, tc);
	tc->wev = event_new(r->base, cfd, EV_WRITE | EV_PERSIST, resolver_tcp_write_cb, tc);
	tc->tev = evtimer_new(r->base, resolver_tcp_timer_cb, tc);
	if (!tc->rev || !tc->wev || !tc->tev) {
		if (tc->rev)
			event_free(tc->rev);
		if (tc->wev)
			event_free(tc->wev);
		if (tc->tev)
			event_free(tc->tev);
		free(tc);
		return -ENOMEM;
	}
	list_add_tail(&r->tcp_clients, &tc->link);
	r->ntcp++;
	tc->reading = true;
	event_add(tc->rev, NULL);
	resolver_tcp_touch(tc);
	return 0;
}

static void resolver_tcp_accept_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct tcp_listener *l = arg;
	struct resolver *r = l->r;

	for (int i = 0; i < RESOLVER_ACCEPT_BURST; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* Out of descriptors: stop accepting for a
				 * second instead of spinning on the listener. */
				struct timeval tv = { .tv_sec = 1 };

				event_del(l->ev);
				evtimer_add(l->retry, &tv);
			}
			return;
		}
		if (r->ntcp >= RESOLVER_TCP_MAX)
			resolver_tcp_close(list_entry(r->tcp_clients.next, struct tcp_client, link),
					   false);
		if (resolver_tcp_client_new(r, cfd) < 0)
			resolver_tcp_reset_fd(cfd);
	}
}

/* Serve @fd, a listening TCP socket, non-blocking.  0 or -errno; the
 * caller closes @fd on failure. */
int resolver_tcp_serve(struct resolver *r, int fd)
{
	struct tcp_listener *l;
	int listening = 0;
	socklen_t len = sizeof(listening);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
		return -errno;
	if (!listening)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->r = r;
	l->fd = fd;
	l->ev = event_new(r->base, fd, EV_READ | EV_PERSIST, resolver_tcp_accept_cb, l);
	l->retry = evtimer_new(r->base, resolver_tcp_accept_retry_cb, l);
	if (!l->ev || !l->retry || event_add(l->ev, NULL) < 0) {
		if (l->ev)
			event_free(l->ev);
		if (l->retry)
			event_free(l->retry);
		free(l);
		return -ENOMEM;
	}
	l->next = r->listeners;
	r->listeners = l;
	return 0;
}

/* resolver_free(): every client (their waiting queries dropped, forwarded
 * ones detached) and every listener. */
void resolver_tcp_free(struct resolver *r)
{
	while (!list_empty(&r->tcp_clients))
		resolver_tcp_close(list_entry(r->tcp_clients.next, struct tcp_client, link), false);
	while (r->listeners) {
		struct tcp_listener *l = r->listeners;

		r->listeners = l->next;
		event_free(l->ev);
		event_free(l->retry);
		close(l->fd);
		free(l);
	}
}
