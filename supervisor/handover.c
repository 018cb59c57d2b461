/* handover.c — what the sandbox init hands netbox at start: its listening
 * sockets (launcher/listeners.c makes them), checked one by one.
 *
 * The channel checks each message's frame (channel.c); here every batch
 * must come in order, hold as many descriptors as it names, and each
 * descriptor must really be a socket of the announced kind, bound to the
 * announced port — or nothing is taken.
 */
#include "channel.h"
#include "handover.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* Is @fd what the sender says: a socket of the right type on @port? */
bool handover_valid(int fd, enum channel_listener_kind kind, uint16_t port)
{
	int type = 0, listening = 0;
	socklen_t len = sizeof(int);
	struct sockaddr_storage ss = { 0 };
	socklen_t slen = sizeof(ss);
	uint16_t got;
	bool stream = kind == LISTENER_DNS_TCP || kind == LISTENER_PROXY;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != (stream ? SOCK_STREAM : SOCK_DGRAM))
		return false;
	len = sizeof(int);
	if (stream && (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening))
		return false;
	if (getsockname(fd, (struct sockaddr *)&ss, &slen) < 0)
		return false;
	if (ss.ss_family == AF_INET && slen >= sizeof(struct sockaddr_in))
		got = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6 && slen >= sizeof(struct sockaddr_in6))
		got = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return false;
	return got == port && (fcntl(fd, F_GETFL) & O_NONBLOCK);
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
			if (m.kind[i] > LISTENER_PROXY || !handover_valid(fds[i], m.kind[i], m.port[i])) {
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
