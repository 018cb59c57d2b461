/* upstream.h — Happy Eyeballs connect to the real host (upstream.c). */
#ifndef NETBOX_UPSTREAM_H
#define NETBOX_UPSTREAM_H

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdbool.h>
#include <sys/socket.h>

#define UPSTREAM_MAX 8

/* Connected (@fd >= 0 to @addr, err 0) or failed (@fd -1, @addr NULL, err
 * -errno).  Runs once; it may free the struct upstream (and @addr with it). */
typedef void (*upstream_cb)(void *arg, int fd, const struct sockaddr_storage *addr, int err);

struct upstream;

struct upstream_attempt {
	struct upstream *u;
	int fd;
	struct event ev;
};

struct upstream {
	struct event_base *base;
	upstream_cb cb;
	void *arg;
	struct sockaddr_storage addrs[UPSTREAM_MAX];
	struct upstream_attempt att[UPSTREAM_MAX];
	int n, next, pending, last_err;
	bool active;
	struct event stagger, deadline;
};

/* May call @cb before returning (nothing to try, or no memory to try it). */
void upstream_start(struct upstream *u, struct event_base *base, const struct sockaddr_storage *addrs,
		    int n, upstream_cb cb, void *arg);
/* Abandon every attempt; @cb will not run. */
void upstream_cancel(struct upstream *u);

#endif
