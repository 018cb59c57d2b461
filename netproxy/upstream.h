/* upstream.h — Happy Eyeballs connect to the real host (upstream.c). */
#ifndef NETBOX_UPSTREAM_H
#define NETBOX_UPSTREAM_H

#include "netproxy/upstream_proxy.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdbool.h>
#include <sys/socket.h>

#define UPSTREAM_MAX 8

/* Connected (@fd >= 0 to @addr, err 0) or failed (@fd -1, @addr NULL, err
 * -errno).  Runs once; it may free the struct upstream (and @addr with it).
 * Through a proxy, connected means the tunnel is open, and @addr is the
 * proxy's; a failure's why is in u->hs.error. */
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
	struct upstream_proxy_target via; /* via.proxy NULL: direct */
	int tunnel;                       /* the attempt whose handshake runs, or -1 */
	struct upstream_proxy hs;
};

/* May call @cb before returning (nothing to try, or no memory to try it).
 * @via (or NULL: direct): @addrs are its proxy's, and once one connects,
 * the handshake (upstream_proxy.c) opens the tunnel, within the same
 * deadline. */
void upstream_start(struct upstream *u, struct event_base *base, const struct sockaddr_storage *addrs,
		    int n, const struct upstream_proxy_target *via, upstream_cb cb, void *arg);
/* Abandon every attempt; @cb will not run. */
void upstream_cancel(struct upstream *u);

#endif
