/* upstream_proxy.h — the handshake with an upstream proxy on a connected
 * socket: HTTP CONNECT or SOCKS5 (upstream_proxy.c). */
#ifndef NETBOX_UPSTREAM_PROXY_H
#define NETBOX_UPSTREAM_PROXY_H

#include "netproxy/proxywire.h"
#include "proxyconf.h"

#include <event2/event.h>
#include <event2/event_struct.h>

/* Where the tunnel goes: through @proxy, to @name, or when @name is NULL,
 * to @addr (IPv4 mapped), on @port. */
struct upstream_proxy_target {
	const struct proxyconf_proxy *proxy;
	const char *name;
	struct in6_addr addr;
	uint16_t port;
};

/* The tunnel is open (err 0: the socket's next byte is the destination's),
 * or the handshake failed (-errno; the why in h->error).  Runs once. */
typedef void (*upstream_proxy_cb)(void *arg, int err);

enum upstream_proxy_step {
	UPSTREAM_PROXY_HTTP,         /* CONNECT sent or being sent, its reply awaited */
	UPSTREAM_PROXY_SOCKS_METHOD, /* greeting */
	UPSTREAM_PROXY_SOCKS_AUTH,   /* RFC 1929 user/password */
	UPSTREAM_PROXY_SOCKS_CONNECT,
};

struct upstream_proxy {
	struct event_base *base;
	const struct proxyconf_proxy *proxy;
	char name[256];              /* the destination by name, or "" */
	struct in6_addr addr;
	uint16_t port;
	char dest[300];              /* "name:port", "[v6]:port": for the messages */
	int fd;                      /* not owned */
	struct event ev;
	bool ev_set;
	enum upstream_proxy_step step;
	uint8_t out[PROXYWIRE_REQUEST_MAX];
	size_t outlen, outoff;
	upstream_proxy_cb cb;
	void *arg;
	/* Failed: "upstream proxy HOST:PORT refused DEST: 407 Proxy
	 * Authentication Required — check the user and password in
	 * HTTPS_PROXY" (never the userinfo). */
	char error[1024];
};

/* Start on @fd (connected to t->proxy, non-blocking; still the caller's to
 * close).  0, or -errno (no event registration: h->error says so) — @cb
 * runs only after a 0. */
int upstream_proxy_start(struct upstream_proxy *h, struct event_base *base, int fd,
			 const struct upstream_proxy_target *t, upstream_proxy_cb cb, void *arg);
/* Stop: @cb will not run. */
void upstream_proxy_cancel(struct upstream_proxy *h);

/* The message for a connection to the proxy of @t that failed with @err
 * (-errno), into h->error (the handshake never started). */
void upstream_proxy_unreachable(struct upstream_proxy *h, const struct upstream_proxy_target *t, int err);

#endif
