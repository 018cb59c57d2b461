/* proxy_listen.c — the proxy's listeners (proxy.h: proxy_add_listener()):
 * TCP sockets made inside the sandbox's network namespace, served on the
 * supervisor's loop, each accepting in batches and handing every
 * connection to proxy.c (proxy_accept_one()).  Runs in the supervisor:
 * out of descriptors or memory, a listener pauses and tries again; it
 * never ends the process.
 */
#include "proxy_internal.h"
#include "util.h"

#include <errno.h>
#include <event2/event_struct.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROXY_ACCEPT_BATCH 64
#define PROXY_EMFILE_RETRY_MS 100 /* out of descriptors: accept again after this */

struct proxy_listener {
	struct proxy *p;
	int fd;
	struct event ev;
	struct event retry; /* re-enables accepting after EMFILE */
	struct proxy_listener *next;
};

/* Stop accepting for PROXY_EMFILE_RETRY_MS: the connection waits in the
 * backlog, and the listener, still readable, would spin the loop with its
 * level-triggered event.  Without even the memory for the timer, it stays
 * on: spinning beats going deaf for the rest of the run. */
static void proxy_listen_pause(struct proxy_listener *l)
{
	struct timeval tv = { 0, PROXY_EMFILE_RETRY_MS * 1000 };

	if (evtimer_add(&l->retry, &tv) == 0)
		event_del(&l->ev);
}

static void proxy_listen_on_retry(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct proxy_listener *l = arg;

	if (event_add(&l->ev, NULL) < 0)
		proxy_listen_pause(l);
}

static void proxy_listen_on_accept(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct proxy_listener *l = arg;

	for (int i = 0; i < PROXY_ACCEPT_BATCH; i++) {
		int c = accept4((int)fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c < 0) {
			static bool warned;

			if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM)
				return;
			/* Each said once a run. */
			if (errno == ENOBUFS || errno == ENOMEM) {
				proxy_oom(l->p);
			} else if (!warned) {
				warn("out of file descriptors (%zu connections open): raise the limit with ulimit -n",
				     l->p->nconns);
				warned = true;
			}
			proxy_listen_pause(l);
			return;
		}
		proxy_accept_one(l->p, c);
	}
}

int proxy_add_listener(struct proxy *p, int fd)
{
	struct proxy_listener *l = calloc(1, sizeof(*l));

	/* Also called from the loop (ondemand.c): no dying here. */
	if (!l)
		return -ENOMEM;
	l->p = p;
	l->fd = fd;
	event_assign(&l->ev, p->base, fd, EV_READ | EV_PERSIST, proxy_listen_on_accept, l);
	evtimer_assign(&l->retry, p->base, proxy_listen_on_retry, l);
	/* libevent fails an add with malloc's or epoll_ctl's errno, if any. */
	errno = 0;
	if (event_add(&l->ev, NULL) < 0) {
		int err = errno ? errno : ENOMEM;

		free(l);
		return -err;
	}
	l->next = p->listeners;
	p->listeners = l;
	return 0;
}

void proxy_listen_free(struct proxy *p)
{
	while (p->listeners) {
		struct proxy_listener *l = p->listeners;

		p->listeners = l->next;
		event_del(&l->ev);
		event_del(&l->retry);
		close(l->fd);
		free(l);
	}
}
