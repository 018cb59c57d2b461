/* listeners.c — the sockets the sandbox's traffic lands on: made in the
 * sandbox init, handed to the supervisor (supervisor/handover.c).
 *
 * In the sandbox init (root in the new network namespace, where every
 * address is routed to lo): create a dual-stack TCP listener for port 80,
 * 443 and every port a rule names, UDP sockets on port 53 (one IPv4 with
 * IP_PKTINFO, one IPv6 with IPV6_RECVPKTINFO, so that each reply leaves from
 * the address the query was sent to), and a TCP listener on 53.  A socket
 * stays in the namespace it was created in, so netbox, which never leaves
 * the host's namespace, accepts the sandbox's connections on them and
 * connects upstream from its own.  With them go the raw sockets that see
 * what no listener takes (common/watchfilter.h): a raw socket needs
 * CAP_NET_RAW in the namespace, which the init has and netbox does not.
 * They cross in CHANNEL_LISTENERS batches (channel.c; the kernel passes at
 * most SCM_MAX_FD = 253 per message).
 */
#include "channel.h"
#include "listeners.h"
#include "bitmap.h"
#include "util.h"
#include "watchfilter.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A socket of the sandbox bound to @port (TCP: listening), or -errno. */
static int listeners_socket_try(int family, int type, uint16_t port)
{
	int fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1, zero = 0, err;
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY),
				  .sin_port = htons(port) };

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		/* TCP: dual-stack, IPv4 peers appear as ::ffff:a.b.c.d.  UDP:
		 * IPv6 only, the IPv4 socket has its own pktinfo option. */
		int v6only = type == SOCK_DGRAM;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only ? &one : &zero, sizeof(int));
		/* UDP answers go out from the address the query was sent to
		 * (IPV6_PKTINFO), any address: IPv6, unlike IPv4's local
		 * route, takes only an address of an interface as a source
		 * unless the socket is free-binding (a resolv.conf naming an
		 * IPv6 server timed out otherwise). */
		if (type == SOCK_DGRAM) {
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
			setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
		}
		if (bind(fd, (struct sockaddr *)&a6, sizeof(a6)) < 0)
			goto fail;
	} else {
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a4, sizeof(a4)) < 0)
			goto fail;
	}
	/* Accepted sockets inherit TCP_NODELAY: the relay forwards what it
	 * has when it has it, and Nagle on the program's side of a relayed
	 * connection held the tail of a response until the program's delayed
	 * ACK (40 ms stalls on keep-alive requests, found by bench/). */
	if (type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (type == SOCK_STREAM && listen(fd, 4096) < 0)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

static int listeners_socket(int family, int type, uint16_t port)
{
	int fd = listeners_socket_try(family, type, port);

	if (fd < 0) {
		errno = -fd;
		die_errno(NULL, "cannot listen on port %u in the sandbox", port);
	}
	return fd;
}

int listeners_proxy_socket(uint16_t port)
{
	return listeners_socket_try(AF_INET6, SOCK_STREAM, port);
}

static void listeners_flush(int chan, struct channel_listeners *m, int *fds, bool last)
{
	int r;

	m->last = last;
	r = channel_send(chan, CHANNEL_LISTENERS, m, sizeof(*m), fds, m->count);
	if (r < 0) {
		errno = -r;
		die_errno(NULL, "cannot hand the sandbox's sockets to netbox");
	}
	for (uint32_t i = 0; i < m->count; i++)
		close(fds[i]);
	m->seq++;
	m->count = 0;
}

static void listeners_add(int chan, struct channel_listeners *m, int *fds, enum channel_listener_kind kind,
			  int fd, uint16_t port)
{
	if (m->count == CHANNEL_LISTENERS_BATCH)
		listeners_flush(chan, m, fds, false);
	m->kind[m->count] = (uint8_t)kind;
	m->port[m->count] = port;
	fds[m->count++] = fd;
}

/* Room for a burst of attempts while netbox is busy (the packets are
 * trimmed to WATCHFILTER_SNAP, but a buffer counts what the kernel allocated). */
#define LISTENERS_WATCH_RCVBUF (1 << 20)

/* A raw socket of the sandbox with its filter locked on, or -errno.
 * Packets that came before the filter was attached are judged by the
 * parser all the same (netproxy/watch_parse.c); the program has not started yet. */
static int listeners_watch_socket(int family, int proto)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	int one = 1, size = LISTENERS_WATCH_RCVBUF, err;
	struct sock_fprog prog;

	if (fd < 0)
		return -errno;
	if (watchfilter_prog(family, proto, &prog) < 0) {
		close(fd);
		return -EINVAL;
	}
	/* The destination of an IPv6 packet (an IPv6 raw socket reads from
	 * the transport header on), and the count of packets dropped. */
	if ((family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)) < 0)
		goto fail;
	/* Over net.core.rmem_max: allowed to the namespace's CAP_NET_ADMIN;
	 * the default will do otherwise. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return fd;
fail:
	err = errno;
	close(fd);
	return -err;
}

/* The watch sockets, each its kind.  Without them the run goes on: they
 * only report, and a kernel or a security module may refuse raw sockets. */
static void listeners_watch(int chan, struct channel_listeners *m, int *fds)
{
	for (int kind = LISTENER_WATCH_TCP4; kind <= LISTENER_WATCH_UDP6; kind++) {
		int family = 0, proto = 0, fd;

		watchfilter_kind((enum channel_listener_kind)kind, &family, &proto);
		fd = listeners_watch_socket(family, proto);
		/* No IPv6 in this kernel: nothing of it to watch either. */
		if (fd == -EAFNOSUPPORT && family == AF_INET6)
			continue;
		if (fd < 0) {
			warn("cannot watch the sandbox's network (%s): connections to ports no rule "
			     "names and UDP are refused unreported",
			     strerror(-fd));
			return;
		}
		listeners_add(chan, m, fds, (enum channel_listener_kind)kind, fd, 0);
	}
}

void listeners_send(int chan, const uint8_t *tcp_ports)
{
	struct channel_listeners m = { 0 };
	int fds[CHANNEL_LISTENERS_BATCH];

	listeners_add(chan, &m, fds, LISTENER_DNS_UDP4, listeners_socket(AF_INET, SOCK_DGRAM, 53), 53);
	listeners_add(chan, &m, fds, LISTENER_DNS_UDP6, listeners_socket(AF_INET6, SOCK_DGRAM, 53), 53);
	listeners_add(chan, &m, fds, LISTENER_DNS_TCP, listeners_socket(AF_INET6, SOCK_STREAM, 53), 53);
	for (unsigned p = 1; p < 65536; p++) {
		if (!bitmap_byte(tcp_ports, p)) {
			p |= 7; /* no port in this byte: skip it (the loop was ~0.1 ms of startup) */
			continue;
		}
		if (p == 53 || !bitmap_test(tcp_ports, p))
			continue;
		listeners_add(chan, &m, fds, LISTENER_PROXY,
			      listeners_socket(AF_INET6, SOCK_STREAM, (uint16_t)p), (uint16_t)p);
	}
	listeners_watch(chan, &m, fds);
	listeners_flush(chan, &m, fds, true);
}

/* In the sandbox init: answer one request read from @chan, a listener for a
 * port (supervisor/ondemand.c asks).  -1 when netbox has gone (EOF). */
int listeners_init_serve(int chan)
{
	uint16_t port;
	int err, fd, r = channel_recv_port(chan, CHANNEL_LISTEN, &port, &err, &fd);

	if (r == -EPIPE || r == -ECONNRESET)
		return -1;
	if (r < 0 || port == 0)
		return channel_send_port(chan, CHANNEL_LISTENER, 0, EPROTO, -1) < 0 ? -1 : 0;
	fd = listeners_proxy_socket(port);
	r = channel_send_port(chan, CHANNEL_LISTENER, port, fd < 0 ? -fd : 0, fd);
	if (fd >= 0)
		close(fd);
	return r < 0 ? -1 : 0;
}
