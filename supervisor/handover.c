/* handover.c — what the sandbox init hands netbox at start: its listening
 * sockets (launcher/listeners.c makes them), checked one by one.
 *
 * The channel checks each message's frame (channel.c); here every batch
 * must come in order, hold as many descriptors as it names, and each
 * descriptor must really be a socket of the announced kind, bound to the
 * announced port (the raw ones that watch: filtered) — or nothing is
 * taken.
 */
#include "channel.h"
#include "handover.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* What each kind of listener is: family, type and protocol, and whether
 * it listens (stream) and is bound to the announced port. */
static const struct {
	int family, type, proto;
	bool bound;
} handover_kinds[] = {
	[LISTENER_DNS_UDP4] = { AF_INET, SOCK_DGRAM, IPPROTO_UDP, true },
	[LISTENER_DNS_UDP6] = { AF_INET6, SOCK_DGRAM, IPPROTO_UDP, true },
	[LISTENER_DNS_TCP] = { AF_INET6, SOCK_STREAM, IPPROTO_TCP, true },
	[LISTENER_PROXY] = { AF_INET6, SOCK_STREAM, IPPROTO_TCP, true },
	/* raw: no port (getsockname() tells the protocol there), but a
	 * locked filter, or netbox would be woken for every packet */
	[LISTENER_WATCH_TCP4] = { AF_INET, SOCK_RAW, IPPROTO_TCP, false },
	[LISTENER_WATCH_UDP4] = { AF_INET, SOCK_RAW, IPPROTO_UDP, false },
	[LISTENER_WATCH_TCP6] = { AF_INET6, SOCK_RAW, IPPROTO_TCP, false },
	[LISTENER_WATCH_UDP6] = { AF_INET6, SOCK_RAW, IPPROTO_UDP, false },
};

static int handover_sockopt(int fd, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, opt, &v, &len) < 0 ? -1 : v;
}

/* Is @fd what the sender says: a socket of the right type on @port? */
bool handover_valid(int fd, enum channel_listener_kind kind, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t slen = sizeof(ss);
	uint16_t got;

	if ((unsigned)kind > LISTENER_KIND_LAST || !(fcntl(fd, F_GETFL) & O_NONBLOCK) ||
	    handover_sockopt(fd, SO_DOMAIN) != handover_kinds[kind].family ||
	    handover_sockopt(fd, SO_TYPE) != handover_kinds[kind].type ||
	    handover_sockopt(fd, SO_PROTOCOL) != handover_kinds[kind].proto)
		return false;
	if (handover_kinds[kind].type == SOCK_STREAM && handover_sockopt(fd, SO_ACCEPTCONN) != 1)
		return false;
	if (!handover_kinds[kind].bound)
		return port == 0 && handover_sockopt(fd, SO_LOCK_FILTER) == 1;
	if (getsockname(fd, (struct sockaddr *)&ss, &slen) < 0)
		return false;
	if (ss.ss_family == AF_INET && slen >= sizeof(struct sockaddr_in))
		got = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6 && slen >= sizeof(struct sockaddr_in6))
		got = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return false;
	return got == port;
}

int handover_listeners(int chan, struct listener **out, size_t *nout)
{
	struct listener *v = NULL;
	size_t n = 0;
	uint32_t seq = 0;
	int err;

	for (;;) {
		struct channel_listeners m;
		int fds[CHANNEL_LISTENERS_BATCH];
		size_t nfds;
		int r = channel_recv(chan, CHANNEL_LISTENERS, &m, sizeof(m), fds, CHANNEL_LISTENERS_BATCH,
				     &nfds, 0);

		if (r < 0) {
			err = r; /* -EPROTO, or the sandbox init died (and said why) */
			goto fail;
		}
		if (m.seq != seq || m.count > CHANNEL_LISTENERS_BATCH || m.count != nfds || m.last > 1) {
			for (size_t i = 0; i < nfds; i++)
				close(fds[i]);
			err = -EPROTO;
			goto fail;
		}
		v = xrealloc(v, (n + nfds) * sizeof(*v));
		for (size_t i = 0; i < nfds; i++) {
			if (!handover_valid(fds[i], m.kind[i], m.port[i])) {
				for (size_t j = i; j < nfds; j++)
					close(fds[j]);
				err = -EPROTO;
				goto fail;
			}
			v[n].fd = fds[i];
			v[n].kind = (enum channel_listener_kind)m.kind[i];
			v[n].port = m.port[i];
			n++;
		}
		seq++;
		if (m.last)
			break;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		close(v[i].fd);
	free(v);
	return err;
}
