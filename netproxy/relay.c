/* relay.c — moving bytes between the sandbox's socket and the upstream one
 * with splice(2), both ways, on the event loop.
 *
 * Each direction owns a pipe: splice(from -> pipe) then splice(pipe -> to),
 * so the payload never enters user space.  A direction whose pipe cannot
 * drain (the receiver is slow) stops reading until the receiver is writable
 * again: back-pressure without buffers of our own.
 *
 * End of stream: when one side's read returns 0 and its pipe is empty, the
 * other side gets shutdown(SHUT_WR) — a half-close passes through, and the
 * other direction keeps flowing.  Errors: a reset (or any error) on either
 * socket resets the other one (SO_LINGER 0 then close), so the peer sees
 * what we saw.  The relay is done when both directions are shut or on the
 * first error; relay_done_cb then runs once.
 *
 * No allocation after relay_start(): the events live in struct relay.
 */
#include "relay.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

#define RELAY_CHUNK (1 << 20) /* ask for much, the pipe takes what fits */

static void relay_dir_pump(struct relay *r, struct relay_dir *d);

static void relay_finish(struct relay *r, int err)
{
	if (r->finished)
		return;
	r->finished = true;
	for (int i = 0; i < 2; i++) {
		event_del(&r->dir[i].ev_read);
		event_del(&r->dir[i].ev_write);
	}
	r->err = err;
	r->done_cb(r, r->done_arg);
	/* done_cb may have freed @r: nothing after this. */
}

static void relay_dir_shut(struct relay *r, struct relay_dir *d)
{
	d->shut = true;
	event_del(&d->ev_read);
	event_del(&d->ev_write);
	if (shutdown(d->to, SHUT_WR) < 0 && errno != ENOTCONN) {
		relay_finish(r, -errno);
		return;
	}
	if (r->dir[0].shut && r->dir[1].shut)
		relay_finish(r, 0);
}

/* Move what the pipe holds to the receiver.  1 drained, 0 would block,
 * -errno on error. */
static int relay_dir_flush(struct relay_dir *d)
{
	while (d->in_pipe) {
		ssize_t n = splice(d->pipe[0], NULL, d->to, NULL, d->in_pipe,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

		if (n > 0) {
			d->in_pipe -= (size_t)n;
			d->bytes += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		return n < 0 ? -errno : -EPIPE;
	}
	return 1;
}

static void relay_dir_pump(struct relay *r, struct relay_dir *d)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		int f = relay_dir_flush(d);

		if (f < 0) {
			relay_finish(r, f);
			return;
		}
		if (f == 0) {
			/* Receiver full: wait for it, stop reading meanwhile. */
			event_del(&d->ev_read);
			event_add(&d->ev_write, NULL);
			return;
		}
		event_del(&d->ev_write);
		if (d->eof) {
			relay_dir_shut(r, d);
			return;
		}

		ssize_t n = splice(d->from, NULL, d->pipe[1], NULL, RELAY_CHUNK,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			d->in_pipe += (size_t)n;
			continue;
		}
		if (n == 0) {
			d->eof = true;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			event_add(&d->ev_read, NULL);
			return;
		}
		relay_finish(r, -errno);
		return;
	}
	/* Fairness: a fast sender yields to the other connections; the socket
	 * is still readable, so the event fires again on the next turn. */
	event_add(&d->ev_read, NULL);
}

static void relay_on_read(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct relay_dir *d = arg;

	relay_dir_pump(d->relay, d);
}

static void relay_on_write(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct relay_dir *d = arg;

	relay_dir_pump(d->relay, d);
}

int relay_start(struct relay *r, struct event_base *base, int client, int upstream,
		relay_done_fn done_cb, void *arg)
{
	*r = (struct relay){ .done_cb = done_cb, .done_arg = arg };
	r->dir[RELAY_UP].from = client;
	r->dir[RELAY_UP].to = upstream;
	r->dir[RELAY_DOWN].from = upstream;
	r->dir[RELAY_DOWN].to = client;
	for (int i = 0; i < 2; i++)
		r->dir[i].pipe[0] = r->dir[i].pipe[1] = -1;
	for (int i = 0; i < 2; i++) {
		struct relay_dir *d = &r->dir[i];

		d->relay = r;
		if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
			int err = -errno;

			relay_close_pipes(r);
			return err;
		}
		event_assign(&d->ev_read, base, d->from, EV_READ, relay_on_read, d);
		event_assign(&d->ev_write, base, d->to, EV_WRITE, relay_on_write, d);
	}
	r->started = true;
	/* Data may already be queued (the peeked ClientHello, or bytes and a
	 * FIN that arrived during the sniff, which no new edge will announce):
	 * run both directions on the next loop turn.  Not now: a direction
	 * that finishes would call done_cb, which frees @r under the caller. */
	event_active(&r->dir[RELAY_UP].ev_read, EV_READ, 1);
	event_active(&r->dir[RELAY_DOWN].ev_read, EV_READ, 1);
	return 0;
}

void relay_close_pipes(struct relay *r)
{
	for (int i = 0; i < 2; i++) {
		struct relay_dir *d = &r->dir[i];

		if (r->started) {
			event_del(&d->ev_read);
			event_del(&d->ev_write);
		}
		for (int j = 0; j < 2; j++)
			if (d->pipe[j] >= 0) {
				close(d->pipe[j]);
				d->pipe[j] = -1;
			}
	}
	r->started = false;
}
