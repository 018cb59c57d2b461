/* channel.c — the one message format between netbox's processes: typed
 * messages with a fixed-size body each and up to CHANNEL_MAX_FDS
 * descriptors (SCM_RIGHTS), over SOCK_SEQPACKET socketpairs — one between
 * the sandbox init and the supervisor, one between the supervisor and
 * netbox.
 *
 * Who says what (the types, channel.h):
 *   init -> supervisor  CHANNEL_LISTENERS  the sandbox's listening sockets,
 *                                          in batches (launcher/listeners.c)
 *                       CHANNEL_COVERS     the throw-away tmpfs mounts, for
 *                                          the report at exit
 *                                          (launcher/discard.c)
 *                       CHANNEL_NFD        the program's seccomp notification
 *                                          descriptor (launcher/notify.c)
 *                       CHANNEL_LISTENER   a listener made on demand, or why
 *                                          not
 *   supervisor -> init  CHANNEL_TRUST      for runs that inspect, once,
 *                                          before the init builds its
 *                                          mounts: the CA bundle, in a memfd
 *                                          (supervisor/cabundle.c,
 *                                          launcher/trust.c)
 *                       CHANNEL_LISTEN     make a listener for this port
 *                                          (supervisor/ondemand.c)
 *   supervisor -> netbox  CHANNEL_COVERS, relayed; CHANNEL_LEARNED, the
 *                       learned profile's text (supervisor/supervise.c)
 *
 * Every message is checked where it arrives, as OpenBSD's imsg does:
 * magic, the type the receiver expects, the exact size of that type's body,
 * no truncation, and as many descriptors as the header announces — or it
 * is refused (EPROTO) with every descriptor it carried closed.  The init is
 * netbox's own code and never reads what the program writes; the checks are
 * for the bugs of either side, and so that no descriptor leaks.  netbox
 * checks the supervisor's messages the same way, and more (the learned text
 * is judged line by line before it is written: launcher/outputs.c): a
 * supervisor taken over by a parser bug gets nothing from netbox but what
 * those messages can say.
 */
#include "channel.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHANNEL_MAGIC 0x6e62786du /* "nbxm" */

struct channel_hdr {
	uint32_t magic;
	uint16_t type;
	uint16_t nfds;
	uint32_t len; /* of the body that follows */
};

int channel_send(int sock, enum channel_type type, const void *body, size_t len, const int *fds,
		 size_t nfds)
{
	char buf[sizeof(struct channel_hdr) + CHANNEL_MAX_BODY];
	char cbuf[CMSG_SPACE(sizeof(int) * CHANNEL_MAX_FDS)];
	struct channel_hdr h = { .magic = CHANNEL_MAGIC, .type = (uint16_t)type,
				 .nfds = (uint16_t)nfds, .len = (uint32_t)len };
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(h) + len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (len > CHANNEL_MAX_BODY || nfds > CHANNEL_MAX_FDS)
		return -EMSGSIZE;
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), body, len);
	if (nfds) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	for (;;) {
		if (sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* Every descriptor the message carried, into @fds (up to @max; the rest
 * closed at once); how many there were. */
static size_t channel_take_fds(struct msghdr *msg, int *fds, size_t max)
{
	size_t n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++, n++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (n < max)
				fds[n] = fd;
			else
				close(fd);
		}
	}
	return n;
}

int channel_recv(int sock, enum channel_type type, void *body, size_t len, int *fds, size_t maxfds,
		 size_t *nfds, int flags)
{
	char buf[sizeof(struct channel_hdr) + CHANNEL_MAX_BODY + 1];
	char cbuf[CMSG_SPACE(sizeof(int) * CHANNEL_MAX_FDS)];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct channel_hdr h = { 0 };
	size_t n;
	ssize_t r;

	*nfds = 0;
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -EPIPE; /* the other side is gone */
	n = channel_take_fds(&msg, fds, maxfds);
	memcpy(&h, buf, (size_t)r < sizeof(h) ? (size_t)r : sizeof(h));
	if ((size_t)r != sizeof(h) + len || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    h.magic != CHANNEL_MAGIC || h.type != type || h.len != len || h.nfds != n ||
	    n > maxfds) {
		for (size_t i = 0; i < n && i < maxfds; i++)
			close(fds[i]);
		return -EPROTO;
	}
	memcpy(body, buf + sizeof(h), len);
	*nfds = n;
	return 0;
}

/* The body of NFD, LISTEN and LISTENER. */
struct channel_port {
	uint32_t port;
	int32_t err;
};

int channel_send_port(int sock, enum channel_type type, uint16_t port, int err, int fd)
{
	struct channel_port m = { port, err };

	return channel_send(sock, type, &m, sizeof(m), &fd, fd >= 0);
}

int channel_recv_port(int sock, enum channel_type type, uint16_t *port, int *err, int *fd)
{
	struct channel_port m;
	size_t n;
	int r = channel_recv(sock, type, &m, sizeof(m), fd, 1, &n, 0);

	if (r < 0) {
		*fd = -1;
		return r;
	}
	if (m.port > 65535 || m.err < 0 || n != (type != CHANNEL_LISTEN && m.err == 0)) {
		if (n)
			close(*fd);
		*fd = -1;
		return -EPROTO;
	}
	if (!n)
		*fd = -1;
	*port = (uint16_t)m.port;
	*err = m.err;
	return 0;
}
