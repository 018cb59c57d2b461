/* relay.c — moving bytes between the sandbox's socket and the upstream one
 * with splice(2), both ways, on the event loop.
 *
 * Each direction moves data through a pipe: splice(from -> pipe) then
 * splice(pipe -> to), so the payload never enters user space.  A direction
 * whose pipe cannot drain (the receiver is slow) stops reading until the
 * receiver is writable again: back-pressure without buffers of our own.
 *
 * Pipes are borrowed, not owned: a direction takes one from a pool when
 * data arrives and gives it back as soon as it is empty again, so an idle
 * connection holds no pipe (two descriptors, not six) and a new connection
 * costs no pipe2()/close() once the pool is warm.  The read events are
 * persistent and level-triggered: an idle wake-up costs epoll_wait and the
 * splices, no epoll_ctl; a short read returns to the loop instead of asking
 * again for the EAGAIN it would get (the socket's readiness says if more
 * came).  Only back-pressure changes the registrations.
 *
 * End of stream: when one side's read returns 0 and its pipe is empty, the
 * other side gets shutdown(SHUT_WR) — a half-close passes through, and the
 * other direction keeps flowing; the second end needs none, the owner's
 * close() sends that FIN.  Errors: a reset (or any error) on either
 * socket resets the other one (SO_LINGER 0 then close), so the peer sees
 * what we saw.  The relay is done when both directions are shut or on the
 * first error; relay_done_cb then runs once.
 *
 * No allocation after relay_start(): the events live in struct relay.  But
 * libevent allocates for a registration now and then (a descriptor it has
 * not seen, its timer heap) and can fail: the relay then ends as on an
 * error (-ENOMEM), both sides reset, rather than stall unwatched.
 */
#include "relay.h"
#include "bitmap.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

#define RELAY_CHUNK (1 << 20) /* ask for much, the pipe takes what fits */
#define RELAY_SHORT (16 << 10) /* a read below this most likely emptied the socket */
#define RELAY_POOL_MAX 64      /* empty pipes kept for the next connections */
#define RELAY_BULK (1 << 20)   /* a direction that has moved this much is bulk... */
#define RELAY_BIG_SIZE (1 << 20) /* ...and gets a pipe this big, */
#define RELAY_BIG_MAX 16       /* but at most this many at once (see below) */
#define RELAY_FD_MAX 65536     /* pipes above this descriptor stay small */

/* The loop is single-threaded: one pool for every relay. */
static int relay_pool[RELAY_POOL_MAX][2];
static int relay_pool_n;

/* Big pipes.  A pipe has 16 slots and a splice fills one per segment, so
 * from a veth or a NIC (1500-byte segments) a 64 KiB pipe moves ~23 KB per
 * splice(2); bulk directions get a 1 MiB pipe (256 slots), which cut the
 * relay's syscalls per byte and raised a 1 GiB download from ~0.6x to ~0.8x
 * of direct in bench/.  Pipe capacity counts against the user's budget
 * (fs.pipe-user-pages-soft, 64 MiB by default), past which every new pipe
 * of that user gets 2 slots: hence the cap, and no retry once refused. */
static uint8_t relay_big[BITMAP_BYTES(RELAY_FD_MAX)]; /* by the pipe's write end */
static int relay_nbig;
static bool relay_big_refused;

static bool relay_is_big(int fd)
{
	return fd >= 0 && fd < RELAY_FD_MAX && bitmap_test(relay_big, (size_t)fd);
}

static void relay_pipe_grow(struct relay_dir *d)
{
	int fd = d->pipe[1];

	if (relay_big_refused || relay_nbig >= RELAY_BIG_MAX || fd >= RELAY_FD_MAX || relay_is_big(fd))
		return;
	if (fcntl(fd, F_SETPIPE_SZ, RELAY_BIG_SIZE) < 0) {
		relay_big_refused = true;
		return;
	}
	bitmap_set(relay_big, (size_t)fd);
	relay_nbig++;
}

static void relay_pipe_close(int p[2])
{
	if (relay_is_big(p[1])) {
		bitmap_clear(relay_big, (size_t)p[1]);
		relay_nbig--;
	}
	close(p[0]);
	close(p[1]);
}

/* Give @d a pipe (from the pool if one is free).  0 or -errno. */
static int relay_pipe_get(struct relay_dir *d)
{
	if (d->pipe[0] >= 0)
		return 0;
	if (relay_pool_n > 0) {
		relay_pool_n--;
		d->pipe[0] = relay_pool[relay_pool_n][0];
		d->pipe[1] = relay_pool[relay_pool_n][1];
		return 0;
	}
	if (pipe2(d->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		d->pipe[0] = d->pipe[1] = -1;
		return -errno;
	}
	return 0;
}

/* @d is done with its pipe for now: back to the pool if it is empty (a pipe
 * that still holds bytes is closed with them). */
static void relay_pipe_put(struct relay_dir *d)
{
	if (d->pipe[0] < 0)
		return;
	if (d->in_pipe == 0 && relay_pool_n < RELAY_POOL_MAX) {
		relay_pool[relay_pool_n][0] = d->pipe[0];
		relay_pool[relay_pool_n][1] = d->pipe[1];
		relay_pool_n++;
	} else {
		relay_pipe_close(d->pipe);
	}
	d->pipe[0] = d->pipe[1] = -1;
}

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
	/* Both ways done: the owner's close() sends this FIN (the receive
	 * queue of d->to is empty, its EOF was read), one syscall fewer per
	 * connection. */
	if (r->dir[0].shut && r->dir[1].shut) {
		relay_finish(r, 0);
		return;
	}
	if (shutdown(d->to, SHUT_WR) < 0 && errno != ENOTCONN)
		relay_finish(r, -errno);
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

/* Flush the pipe: true when it is empty.  Otherwise the relay finished
 * (an error), or the receiver is full: then wait for it to take more, and
 * stop reading meanwhile. */
static bool relay_dir_drain(struct relay *r, struct relay_dir *d)
{
	int f = relay_dir_flush(d);

	if (f < 0) {
		relay_finish(r, f);
		return false;
	}
	if (f == 0) {
		event_del(&d->ev_read);
		if (event_add(&d->ev_write, NULL) < 0)
			relay_finish(r, -ENOMEM);
		return false;
	}
	return true;
}

static void relay_dir_pump(struct relay *r, struct relay_dir *d)
{
	if (!relay_dir_drain(r, d))
		return;
	/* The pipe is empty (back from back-pressure, or it was). */
	if (!event_pending(&d->ev_read, EV_READ, NULL) && event_add(&d->ev_read, NULL) < 0) {
		relay_finish(r, -ENOMEM);
		return;
	}
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n;
		int g = relay_pipe_get(d);

		if (g < 0) {
			relay_finish(r, g);
			return;
		}
		if (d->bytes >= RELAY_BULK)
			relay_pipe_grow(d);
		n = splice(d->from, NULL, d->pipe[1], NULL, RELAY_CHUNK, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n == 0) {
			/* End of stream, and the pipe is empty. */
			d->eof = true;
			relay_pipe_put(d);
			relay_dir_shut(r, d);
			return;
		}
		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			relay_pipe_put(d);
			if (err == EAGAIN)
				return; /* the persistent read event waits */
			relay_finish(r, -err);
			return;
		}
		d->in_pipe += (size_t)n;
		if (!relay_dir_drain(r, d))
			return;
		if (n < RELAY_SHORT)
			break; /* most likely drained: the readiness says if not */
	}
	/* Fairness: a fast sender yields to the other connections; if the
	 * socket is still readable, the persistent event fires again on the
	 * next turn.  The pipe is empty: back to the pool. */
	relay_pipe_put(d);
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

int relay_start(struct relay *r, struct event_base *base, int client, int upstream, bool hold_up,
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
		/* The pipe comes from the pool when data does (relay_pipe_get). */
		event_assign(&d->ev_read, base, d->from, EV_READ | EV_PERSIST, relay_on_read, d);
		event_assign(&d->ev_write, base, d->to, EV_WRITE, relay_on_write, d);
	}
	r->started = true;
	/* Data may already be queued (the peeked ClientHello, or bytes and a
	 * FIN that arrived during the sniff, which no new edge will announce):
	 * run both directions on the next loop turn.  Not now: a direction
	 * that finishes would call done_cb, which frees @r under the caller. */
	if (!hold_up)
		relay_release_up(r);
	event_active(&r->dir[RELAY_DOWN].ev_read, EV_READ, 1);
	return 0;
}

void relay_release_up(struct relay *r)
{
	/* The direction's read event is added by its first pump. */
	event_active(&r->dir[RELAY_UP].ev_read, EV_READ, 1);
}

void relay_close_pipes(struct relay *r)
{
	for (int i = 0; i < 2; i++) {
		struct relay_dir *d = &r->dir[i];

		if (r->started) {
			event_del(&d->ev_read);
			event_del(&d->ev_write);
		}
		relay_pipe_put(d);
	}
	r->started = false;
}
