/* upstream_proxy.c — opening a tunnel through the user's upstream proxy on
 * a socket upstream.c connected to it: HTTP CONNECT (by name, with Basic
 * credentials when the URL had them) or SOCKS5 (greeting, RFC 1929
 * user/password, CONNECT).
 *
 * Runs in the supervisor, on its loop, within the deadline of upstream.c
 * (which cancels the handshake when it passes).  Replies are read with
 * MSG_PEEK and then exactly their length consumed (proxywire.c says how
 * long each is), so the destination's first bytes stay queued in the
 * socket for the relay's splice(2) or inspection, as on a direct
 * connection.  A refusal is a message naming the proxy as host:port (never
 * its credentials), the destination and the fix.
 */
#include "netproxy/upstream_proxy.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* What an HTTP status to CONNECT means for the user. */
static const struct {
	int status; /* exact, or a class: 500 for 5xx */
	int err;
	const char *fix;
} upstream_proxy_http_fixes[] = {
	{ 407, EACCES, NULL /* upstream_proxy_auth_fix() */ },
	/* tinyproxy's answer when its BasicAuth refuses */
	{ 401, EACCES, NULL /* upstream_proxy_auth_fix() */ },
	{ 403, EACCES, "the proxy refuses this destination (a port other than 443 must be allowed for CONNECT: tinyproxy's ConnectPort, squid's SSL_ports)" },
	{ 405, EACCES, "the proxy does not allow CONNECT" },
	{ 504, ETIMEDOUT, "the proxy could not reach the destination in time" },
	{ 500, ECONNREFUSED, "the proxy could not reach the destination" },
};

static void upstream_proxy_fail(struct upstream_proxy *h, int err, const char *why, const char *fix)
{
	upstream_proxy_cb cb = h->cb;

	snprintf(h->error, sizeof(h->error), "upstream proxy %s (%s) refused %s: %s%s%s", h->proxy->shown,
		 h->proxy->source, h->dest, why, fix ? " \u2014 " : "", fix ? fix : "");
	upstream_proxy_cancel(h);
	cb(h->arg, err);
}

/* The fix for a refused authentication. */
static const char *upstream_proxy_auth_fix(const struct upstream_proxy *h, char *out, size_t len)
{
	if (h->proxy->auth)
		snprintf(out, len, "check the user and password in %s", h->proxy->source);
	else
		snprintf(out, len, "give the proxy's user and password in %s (%s://USER:PASSWORD@%s)",
			 h->proxy->source, h->proxy->scheme == PROXYCONF_HTTP ? "http" : "socks5h",
			 h->proxy->shown);
	return out;
}

static void upstream_proxy_http_refused(struct upstream_proxy *h, const struct proxywire_reply *r)
{
	char why[96], fix[400];
	const char *f = NULL;
	int err = EPROTO;

	snprintf(why, sizeof(why), "%d%s%s", r->code, r->reason[0] ? " " : "", r->reason);
	for (size_t i = 0; i < ARRAY_SIZE(upstream_proxy_http_fixes); i++) {
		int s = upstream_proxy_http_fixes[i].status;

		if (s == r->code || (s == 500 && r->code / 100 == 5)) {
			err = upstream_proxy_http_fixes[i].err;
			f = upstream_proxy_http_fixes[i].fix;
			if (!f)
				f = upstream_proxy_auth_fix(h, fix, sizeof(fix));
			break;
		}
	}
	upstream_proxy_fail(h, -err, why, f);
}

static void upstream_proxy_on_io(evutil_socket_t fd, short what, void *arg);

/* Watch for @what (EV_WRITE to send, EV_READ, edge-triggered: MSG_PEEK
 * leaves the bytes queued).  0 or -ENOMEM. */
static int upstream_proxy_watch(struct upstream_proxy *h, short what)
{
	if (h->ev_set)
		event_del(&h->ev);
	event_assign(&h->ev, h->base, h->fd, (short)(what | EV_PERSIST | (what == EV_READ ? EV_ET : 0)),
		     upstream_proxy_on_io, h);
	h->ev_set = event_add(&h->ev, NULL) == 0;
	return h->ev_set ? 0 : -ENOMEM;
}

/* The next request is in h->out: send it, then wait for its reply. */
static void upstream_proxy_send(struct upstream_proxy *h)
{
	while (h->outoff < h->outlen) {
		ssize_t n = send(h->fd, h->out + h->outoff, h->outlen - h->outoff, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (upstream_proxy_watch(h, EV_WRITE) < 0)
				upstream_proxy_fail(h, -ENOMEM, "out of memory", NULL);
			return;
		}
		if (n <= 0) {
			upstream_proxy_fail(h, -errno, strerror(errno), NULL);
			return;
		}
		h->outoff += (size_t)n;
	}
	/* Credentials do not stay in memory longer than they must. */
	explicit_bzero(h->out, sizeof(h->out));
	if (upstream_proxy_watch(h, EV_READ) < 0) {
		upstream_proxy_fail(h, -ENOMEM, "out of memory", NULL);
		return;
	}
	/* A reply that came while we were switching announces no new edge. */
	upstream_proxy_on_io(h->fd, EV_READ, h);
}

static void upstream_proxy_request(struct upstream_proxy *h, enum upstream_proxy_step step, ssize_t len)
{
	h->step = step;
	if (len < 0) {
		upstream_proxy_fail(h, -EINVAL, "the request does not fit (a name or credential too long)", NULL);
		return;
	}
	h->outlen = (size_t)len;
	h->outoff = 0;
	upstream_proxy_send(h);
}

static void upstream_proxy_socks_connect(struct upstream_proxy *h)
{
	upstream_proxy_request(h, UPSTREAM_PROXY_SOCKS_CONNECT,
			       proxywire_socks_connect(h->out, sizeof(h->out), h->name[0] ? h->name : NULL,
						       &h->addr, h->port));
}

/* A whole reply @r to the current step: on to the next, or done. */
static void upstream_proxy_step_done(struct upstream_proxy *h, const struct proxywire_reply *r)
{
	char fix[400], why[96];
	upstream_proxy_cb cb = h->cb;

	switch (h->step) {
	case UPSTREAM_PROXY_HTTP:
		if (r->code / 100 != 2) {
			upstream_proxy_http_refused(h, r);
			return;
		}
		break;
	case UPSTREAM_PROXY_SOCKS_METHOD:
		if (r->code == 0xff) {
			upstream_proxy_fail(h, -EACCES, "it accepts none of the authentication methods offered",
					    upstream_proxy_auth_fix(h, fix, sizeof(fix)));
		} else if (r->code != (h->proxy->auth ? 2 : 0)) {
			upstream_proxy_fail(h, -EPROTO, "it chose an authentication method not offered", NULL);
		} else if (h->proxy->auth) {
			upstream_proxy_request(h, UPSTREAM_PROXY_SOCKS_AUTH,
					       proxywire_socks_auth(h->out, sizeof(h->out), h->proxy->user,
								    h->proxy->pass));
		} else {
			upstream_proxy_socks_connect(h);
		}
		return;
	case UPSTREAM_PROXY_SOCKS_AUTH:
		if (r->code != 0)
			upstream_proxy_fail(h, -EACCES, "user/password authentication failed",
					    upstream_proxy_auth_fix(h, fix, sizeof(fix)));
		else
			upstream_proxy_socks_connect(h);
		return;
	case UPSTREAM_PROXY_SOCKS_CONNECT:
		if (r->code != 0) {
			snprintf(why, sizeof(why), "SOCKS5 reply %d (%s)", r->code, proxywire_socks_error(r->code));
			upstream_proxy_fail(h, -proxywire_socks_errno(r->code), why, NULL);
			return;
		}
		break;
	}
	upstream_proxy_cancel(h);
	cb(h->arg, 0);
}

static enum proxywire_result upstream_proxy_parse(const struct upstream_proxy *h, const uint8_t *buf,
						  size_t n, struct proxywire_reply *r)
{
	switch (h->step) {
	case UPSTREAM_PROXY_HTTP:
		return proxywire_http_reply(buf, n, r);
	case UPSTREAM_PROXY_SOCKS_METHOD:
		return proxywire_socks_method(buf, n, r);
	case UPSTREAM_PROXY_SOCKS_AUTH:
		return proxywire_socks_auth_reply(buf, n, r);
	case UPSTREAM_PROXY_SOCKS_CONNECT:
		return proxywire_socks_reply(buf, n, r);
	}
	return PROXYWIRE_INVALID;
}

/* The proxy shut its side: what is queued is all it will say. */
static bool upstream_proxy_peer_shut(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == TCP_CLOSE_WAIT;
}

static void upstream_proxy_read(struct upstream_proxy *h)
{
	uint8_t buf[PROXYWIRE_HTTP_MAX];
	size_t cap = h->step == UPSTREAM_PROXY_HTTP ? PROXYWIRE_HTTP_MAX : PROXYWIRE_SOCKS_MAX;
	ssize_t n = recv(h->fd, buf, cap, MSG_PEEK | MSG_DONTWAIT);
	struct proxywire_reply r;
	enum proxywire_result res;
	char why[96];

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		upstream_proxy_fail(h, -errno, strerror(errno), NULL);
		return;
	}
	res = upstream_proxy_parse(h, buf, (size_t)n, &r);
	if (res == PROXYWIRE_NEED_MORE && (n == 0 || upstream_proxy_peer_shut(h->fd))) {
		/* A SOCKS5 refusal cut short is a refusal all the same. */
		if (h->step == UPSTREAM_PROXY_SOCKS_CONNECT && r.code > 0) {
			snprintf(why, sizeof(why), "SOCKS5 reply %d (%s)", r.code, proxywire_socks_error(r.code));
			upstream_proxy_fail(h, -proxywire_socks_errno(r.code), why, NULL);
		} else {
			upstream_proxy_fail(h, -ECONNRESET, "it closed the connection without a whole reply", NULL);
		}
	} else if (res == PROXYWIRE_NEED_MORE && (size_t)n < cap) {
		return;
	} else if (res != PROXYWIRE_DONE) {
		upstream_proxy_fail(h, -EPROTO, h->step == UPSTREAM_PROXY_HTTP ? "not an HTTP reply to CONNECT"
									       : "not a SOCKS5 reply", NULL);
	} else if (recv(h->fd, buf, r.len, MSG_DONTWAIT) != (ssize_t)r.len) {
		/* What was peeked is queued: this takes exactly it. */
		upstream_proxy_fail(h, -EIO, "its reply could not be read", NULL);
	} else {
		upstream_proxy_step_done(h, &r);
	}
}

static void upstream_proxy_on_io(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct upstream_proxy *h = arg;

	if (h->outoff < h->outlen)
		upstream_proxy_send(h);
	else
		upstream_proxy_read(h);
}

static const char *upstream_proxy_addr(const struct in6_addr *addr, char *out, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(addr))
		inet_ntop(AF_INET, &addr->s6_addr[12], out, (socklen_t)len);
	else
		inet_ntop(AF_INET6, addr, out, (socklen_t)len);
	return out;
}

static void upstream_proxy_dest(char *out, size_t len, const char *name, const struct in6_addr *addr,
				uint16_t port)
{
	char a[INET6_ADDRSTRLEN];

	if (name)
		snprintf(out, len, "%s:%u", name, port);
	else
		snprintf(out, len, IN6_IS_ADDR_V4MAPPED(addr) ? "%s:%u" : "[%s]:%u",
			 upstream_proxy_addr(addr, a, sizeof(a)), port);
}

int upstream_proxy_start(struct upstream_proxy *h, struct event_base *base, int fd,
			 const struct upstream_proxy_target *t, upstream_proxy_cb cb, void *arg)
{
	const struct proxyconf_proxy *p = t->proxy;
	char a[INET6_ADDRSTRLEN];
	ssize_t len;

	memset(h, 0, sizeof(*h));
	h->base = base;
	h->proxy = p;
	h->fd = fd;
	h->cb = cb;
	h->arg = arg;
	h->addr = t->addr;
	h->port = t->port;
	if (t->name)
		snprintf(h->name, sizeof(h->name), "%s", t->name);
	upstream_proxy_dest(h->dest, sizeof(h->dest), t->name, &t->addr, t->port);
	if (p->scheme == PROXYCONF_HTTP) {
		/* By name, as proxies' rules are; an address as itself. */
		const char *host = h->name;

		if (!t->name)
			host = upstream_proxy_addr(&t->addr, a, sizeof(a));
		h->step = UPSTREAM_PROXY_HTTP;
		len = proxywire_http_connect(h->out, sizeof(h->out), host, t->port, p->auth ? p->user : NULL,
					     p->pass);
	} else {
		h->step = UPSTREAM_PROXY_SOCKS_METHOD;
		len = proxywire_socks_greeting(h->out, sizeof(h->out), p->auth);
	}
	if (len < 0) {
		snprintf(h->error, sizeof(h->error), "upstream proxy %s (%s): the request for %s does not fit",
			 p->shown, p->source, h->dest);
		return (int)len;
	}
	h->outlen = (size_t)len;
	if (upstream_proxy_watch(h, EV_WRITE) < 0) {
		snprintf(h->error, sizeof(h->error), "upstream proxy %s (%s): out of memory", p->shown,
			 p->source);
		return -ENOMEM;
	}
	return 0;
}

void upstream_proxy_cancel(struct upstream_proxy *h)
{
	if (h->ev_set)
		event_del(&h->ev);
	h->ev_set = false;
	explicit_bzero(h->out, sizeof(h->out));
}

void upstream_proxy_unreachable(struct upstream_proxy *h, const struct upstream_proxy_target *t, int err)
{
	char dest[300];

	upstream_proxy_dest(dest, sizeof(dest), t->name, &t->addr, t->port);
	snprintf(h->error, sizeof(h->error),
		 "upstream proxy %s (%s) unreachable for %s: %s \u2014 check the proxy's host and port in %s",
		 t->proxy->shown, t->proxy->source, dest, strerror(-err), t->proxy->source);
}
