/* upstream.c — connecting to the real host, from netbox's own namespace.
 *
 * Happy Eyeballs (RFC 8305, simplified): the addresses arrive interleaved
 * by family from the resolver; the first attempt starts at once, each next
 * one 250 ms after the previous if nothing has connected yet (or at once
 * when an attempt fails), and the first to connect wins; the rest are
 * closed.  A deadline bounds the whole thing (UPSTREAM_TIMEOUT_MS).
 * Through an upstream proxy (issue 14) the addresses are the proxy's, and
 * the winner's handshake (upstream_proxy.c) runs under the same deadline
 * before the connection counts as made.
 *
 * Everything lives in struct upstream, owned by the connection: no
 * allocation here but libevent's own for its registrations, which can fail
 * like any other: an attempt that cannot be watched counts as failed
 * (-ENOMEM), a stagger that cannot be timed starts the next attempt at once.
 */
#include "upstream.h"
#include "util.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#define UPSTREAM_STAGGER_MS 250
#define UPSTREAM_TIMEOUT_MS 10000

static void upstream_next(struct upstream *u);
static void upstream_cleanup(struct upstream *u, int keep);
static void upstream_finish(struct upstream *u, int fd, const struct sockaddr_storage *addr, int err);

/* The handshake through the proxy ended: the tunnel is the connection. */
static void upstream_on_tunnel(void *arg, int err)
{
	struct upstream *u = arg;
	int idx = u->tunnel, fd = u->att[idx].fd;

	u->tunnel = -1;
	upstream_cleanup(u, err ? -1 : idx);
	upstream_finish(u, err ? -1 : fd, err ? NULL : &u->addrs[idx], err);
}

/* Attempt @idx reached the proxy: the others go, the handshake starts. */
static void upstream_tunnel(struct upstream *u, int idx)
{
	int r;

	for (int i = 0; i < u->n; i++) {
		struct upstream_attempt *a = &u->att[i];

		if (a->fd < 0)
			continue;
		event_del(&a->ev);
		if (i != idx) {
			close(a->fd);
			a->fd = -1;
		}
	}
	event_del(&u->stagger);
	r = upstream_proxy_start(&u->hs, u->base, u->att[idx].fd, &u->via, upstream_on_tunnel, u);
	if (r < 0) {
		upstream_cleanup(u, -1);
		upstream_finish(u, -1, NULL, r);
		return;
	}
	u->tunnel = idx;
}

static void upstream_cleanup(struct upstream *u, int keep)
{
	if (u->tunnel >= 0) {
		upstream_proxy_cancel(&u->hs);
		u->tunnel = -1;
	}
	for (int i = 0; i < u->n; i++) {
		struct upstream_attempt *a = &u->att[i];

		if (a->fd < 0)
			continue;
		event_del(&a->ev);
		if (i != keep)
			close(a->fd);
		a->fd = -1;
	}
	event_del(&u->stagger);
	event_del(&u->deadline);
	u->active = false;
}

static void upstream_finish(struct upstream *u, int fd, const struct sockaddr_storage *addr, int err)
{
	upstream_cb cb = u->cb;
	void *arg = u->arg;

	if (err && u->via.proxy && !u->hs.error[0])
		upstream_proxy_unreachable(&u->hs, &u->via, err);
	/* The callback may free the connection that holds @u: call last. */
	cb(arg, fd, addr, err);
}

static void upstream_on_connect(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct upstream_attempt *a = arg;
	struct upstream *u = a->u;
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt((int)fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0) {
		int idx = (int)(a - u->att), one = 1;

		setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (u->via.proxy) {
			upstream_tunnel(u, idx);
			return;
		}
		upstream_cleanup(u, idx);
		upstream_finish(u, (int)fd, &u->addrs[idx], 0);
		return;
	}
	u->last_err = -err;
	event_del(&a->ev);
	close(a->fd);
	a->fd = -1;
	u->pending--;
	/* This one failed: the next need not wait for the stagger. */
	if (u->next < u->n) {
		upstream_next(u);
	} else if (u->pending == 0) {
		upstream_cleanup(u, -1);
		upstream_finish(u, -1, NULL, u->last_err);
	}
}

static void upstream_next(struct upstream *u)
{
	while (u->next < u->n) {
		struct upstream_attempt *a = &u->att[u->next];
		const struct sockaddr_storage *ss = &u->addrs[u->next];
		socklen_t len = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
							  : sizeof(struct sockaddr_in6);
		int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		u->next++;
		if (fd < 0) {
			u->last_err = -errno;
			continue;
		}
		if (connect(fd, (const struct sockaddr *)ss, len) < 0 && errno != EINPROGRESS) {
			u->last_err = -errno;
			close(fd);
			continue;
		}
		a->u = u;
		event_assign(&a->ev, u->base, fd, EV_WRITE, upstream_on_connect, a);
		if (event_add(&a->ev, NULL) < 0) {
			u->last_err = -ENOMEM;
			close(fd);
			continue;
		}
		a->fd = fd;
		u->pending++;
		if (u->next < u->n) {
			struct timeval tv = { 0, UPSTREAM_STAGGER_MS * 1000 };

			if (event_add(&u->stagger, &tv) < 0)
				continue;
		}
		return;
	}
	if (u->pending == 0) {
		upstream_cleanup(u, -1);
		upstream_finish(u, -1, NULL, u->last_err ? u->last_err : -EHOSTUNREACH);
	}
}

static void upstream_on_stagger(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	upstream_next(arg);
}

static void upstream_on_deadline(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct upstream *u = arg;

	if (u->via.proxy && u->tunnel >= 0)
		snprintf(u->hs.error, sizeof(u->hs.error),
			 "upstream proxy %s (%s) did not open the tunnel to %s within %d s",
			 u->via.proxy->shown, u->via.proxy->source, u->hs.dest, UPSTREAM_TIMEOUT_MS / 1000);
	else if (u->via.proxy)
		upstream_proxy_unreachable(&u->hs, &u->via, -ETIMEDOUT);

	upstream_cleanup(u, -1);
	upstream_finish(u, -1, NULL, -ETIMEDOUT);
}

void upstream_start(struct upstream *u, struct event_base *base, const struct sockaddr_storage *addrs,
		    int n, const struct upstream_proxy_target *via, upstream_cb cb, void *arg)
{
	struct timeval tv = { UPSTREAM_TIMEOUT_MS / 1000, (UPSTREAM_TIMEOUT_MS % 1000) * 1000 };

	if (n > UPSTREAM_MAX)
		n = UPSTREAM_MAX;
	memset(u, 0, sizeof(*u));
	u->base = base;
	u->cb = cb;
	u->arg = arg;
	u->n = n;
	u->tunnel = -1;
	if (via)
		u->via = *via;
	for (int i = 0; i < n; i++) {
		u->addrs[i] = addrs[i];
		u->att[i].fd = -1;
	}
	u->active = true;
	evtimer_assign(&u->stagger, base, upstream_on_stagger, u);
	evtimer_assign(&u->deadline, base, upstream_on_deadline, u);
	if (event_add(&u->deadline, &tv) < 0) {
		/* Without its deadline an attempt could hang forever. */
		upstream_cleanup(u, -1);
		upstream_finish(u, -1, NULL, -ENOMEM);
		return;
	}
	upstream_next(u);
}

void upstream_cancel(struct upstream *u)
{
	if (u->active)
		upstream_cleanup(u, -1);
}
