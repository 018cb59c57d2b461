/* udp.c — the resolver's UDP sockets: port 53 on every address of the
 * sandbox's network namespace, created there by the launcher and served
 * here.  Each datagram is one query (query.c); its reply leaves from the
 * address the query was sent to (IP_PKTINFO / IPV6_RECVPKTINFO), or glibc
 * drops it.
 *
 * Part of the resolver (resolver_internal.h), in the supervisor, on its
 * event loop.  A UDP client holds nothing: a reply that cannot be sent is
 * dropped and the client asks again.
 */
#include "dns/resolver_internal.h"

#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* @msg's one control message, in @buf (room for CMSG_SPACE(@len)). */
static void resolver_udp_cmsg(struct msghdr *msg, char *buf, int level, int type, const void *data,
			      size_t len)
{
	struct cmsghdr *cm;

	msg->msg_control = buf;
	msg->msg_controllen = CMSG_SPACE(len);
	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
}

/* Send a reply from the source address the query was sent to: glibc (and
 * most stubs) drop an answer from any other address. */
void resolver_udp_send(struct udp_sock *us, const struct udp_peer *p, const uint8_t *buf,
		       size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)&p->addr,
		.msg_namelen = p->addrlen,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	struct in_pktinfo pi4;
	struct in6_pktinfo pi6;

	memset(&cbuf, 0, sizeof(cbuf));
	if (p->pi_level == IPPROTO_IP) {
		/* ipi_spec_dst picks the source; no interface, let the
		 * routing table pick (every address is on lo). */
		pi4 = (struct in_pktinfo){ .ipi_ifindex = 0, .ipi_spec_dst = p->pi.v4.ipi_addr };
		resolver_udp_cmsg(&msg, cbuf.buf, IPPROTO_IP, IP_PKTINFO, &pi4, sizeof(pi4));
	} else if (p->pi_level == IPPROTO_IPV6) {
		pi6 = p->pi.v6; /* ifindex kept: link-local */
		resolver_udp_cmsg(&msg, cbuf.buf, IPPROTO_IPV6, IPV6_PKTINFO, &pi6, sizeof(pi6));
	}
	/* A full socket buffer drops the reply: the client retries. */
	while (sendmsg(us->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* The destination address of a datagram, from its control messages. */
static void resolver_udp_pktinfo(struct msghdr *msg, struct udp_peer *peer)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			memcpy(&peer->pi.v4, CMSG_DATA(cm), sizeof(struct in_pktinfo));
			peer->pi_level = IPPROTO_IP;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			memcpy(&peer->pi.v6, CMSG_DATA(cm), sizeof(struct in6_pktinfo));
			peer->pi_level = IPPROTO_IPV6;
		}
	}
}

static void resolver_udp_read_cb(evutil_socket_t fd, short what UNUSED, void *arg)
{
	struct udp_sock *us = arg;
	struct resolver *r = us->r;

	for (int i = 0; i < RESOLVER_UDP_BURST; i++) {
		union {
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				 CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} cbuf;
		struct rclient c;
		struct iovec iov = { .iov_base = r->rx, .iov_len = sizeof(r->rx) };
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf.buf,
			.msg_controllen = sizeof(cbuf.buf),
		};
		ssize_t n;

		memset(&c, 0, sizeof(c));
		c.us = us;
		msg.msg_name = &c.peer.addr;
		msg.msg_namelen = sizeof(c.peer.addr);
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;	/* EAGAIN: drained */
		}
		if (msg.msg_flags & MSG_TRUNC)
			continue;
		c.peer.addrlen = msg.msg_namelen;
		resolver_udp_pktinfo(&msg, &c.peer);
		resolver_query_handle(r, &c, r->rx, (size_t)n);
	}
}

/* Serve @fd, a UDP socket of @family (AF_INET or AF_INET6), non-blocking.
 * 0 or -errno; the caller closes @fd on failure. */
int resolver_udp_serve(struct resolver *r, int fd, int family)
{
	struct udp_sock *us;
	int one = 1;

	/* The launcher sets these; make sure, since without them replies
	 * leave from the wrong address and glibc drops them. */
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0)
			return -errno;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
			return -errno;
		/* A dual-stack socket also sees IPv4 queries. */
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	}
	us = calloc(1, sizeof(*us));
	if (!us)
		return -ENOMEM;
	us->r = r;
	us->fd = fd;
	us->ev = event_new(r->base, fd, EV_READ | EV_PERSIST, resolver_udp_read_cb, us);
	if (!us->ev || event_add(us->ev, NULL) < 0) {
		if (us->ev)
			event_free(us->ev);
		free(us);
		return -ENOMEM;
	}
	us->next = r->udp;
	r->udp = us;
	return 0;
}

void resolver_udp_free(struct resolver *r)
{
	while (r->udp) {
		struct udp_sock *us = r->udp;

		r->udp = us->next;
		event_free(us->ev);
		close(us->fd);
		free(us);
	}
}
