/* watch.c — in the supervisor's loop: reads the sandbox's raw watch sockets
 * (watch.h says what they see) and reports each attempt no listener saw as
 * a denied connection, with the name behind a fake address, a reason that
 * says what to do, and who made it (report_attribute()).
 *
 *   watch_on_read()   drain a socket, WATCH_BATCH packets a wakeup at most
 *                     (the socket stays readable: the loop comes back);
 *   watch_parse()     every packet, in watch_parse.c;
 *   watch_report()    the name, the reason, the report.  A UDP flow (one
 *                     socket to one destination) is one attempt, reported
 *                     again only after WATCH_FLOW_QUIET_NS of silence: a
 *                     QUIC client's retransmissions are not ten attempts.
 *
 * Run time: nothing here exits; a read that fails waits for the next
 * wakeup.
 */
#include "netproxy/watch.h"
#include "dns/fakeip.h"
#include "dns/resolver.h"
#include "policy/policy.h"
#include "report.h"
#include "util.h"
#include "watchfilter.h"

#include <errno.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WATCH_BATCH 64
#define WATCH_FLOWS 256                              /* UDP flows remembered */
#define WATCH_FLOW_QUIET_NS (30ull * 1000000000ull)

struct watch_sock {
	struct watch *w;
	int fd, family, proto;
	struct event ev;
	struct watch_sock *next;
};

struct watch_flow {
	struct in6_addr client, dst;
	uint16_t client_port, port;
	uint64_t seen_ns;
};

struct watch {
	struct event_base *base;
	struct report *report;
	struct resolver *resolver;
	const struct policy *policy;
	struct watch_sock *socks;
	bool said_dropped;
	struct watch_flow flows[WATCH_FLOWS];
};

/* ---- reporting ----------------------------------------------------------- */

/* Seen this UDP flow lately?  (Remembers it either way.)  A direct-mapped
 * table: a collision only means one more record. */
static bool watch_flow_seen(struct watch *w, const struct watch_attempt *a)
{
	uint32_t h = (uint32_t)a->client_port * 31u + a->port;
	struct watch_flow *f;
	uint64_t now = now_ns();
	bool seen;

	for (size_t i = 0; i < sizeof(a->dst.s6_addr); i++)
		h = h * 31u + (uint32_t)(a->dst.s6_addr[i] ^ a->client.s6_addr[i]);
	f = &w->flows[h % WATCH_FLOWS];
	seen = f->seen_ns && now - f->seen_ns < WATCH_FLOW_QUIET_NS && f->port == a->port &&
	       f->client_port == a->client_port && IN6_ARE_ADDR_EQUAL(&f->dst, &a->dst) &&
	       IN6_ARE_ADDR_EQUAL(&f->client, &a->client);
	*f = (struct watch_flow){ .client = a->client, .dst = a->dst, .client_port = a->client_port,
				  .port = a->port, .seen_ns = now };
	return seen;
}

/* Why @a was refused, into @out; *rule: the deny rule that decided, if any. */
static void watch_reason(const struct watch *w, const struct watch_attempt *a, const char *name,
			 bool fake, const struct policy_rule **rule, char *out, size_t len)
{
	enum policy_addr_class cls = policy_addr_class(&a->dst);
	char addr[POLICY_ADDR_STRLEN];
	enum policy_verdict v;

	*rule = NULL;
	if (a->proto == IPPROTO_UDP) {
		snprintf(out, len, "only DNS leaves the sandbox over UDP");
		return;
	}
	if (cls == POLICY_ADDR_LOOPBACK) {
		snprintf(out, len, "nothing listens there in the sandbox, which has its own loopback");
		return;
	}
	if (fake && !name) {
		snprintf(out, len, "%s is not an address netbox's resolver handed out",
			 policy_addr_str(&a->dst, addr, sizeof(addr)));
		return;
	}
	v = name ? policy_decide_name(w->policy, name, a->port, rule)
		 : policy_decide_addr(w->policy, &a->dst, a->port, rule);
	if (v == POLICY_ALLOW) {
		/* A rule allows it, but there was no listener: the on-demand
		 * ones ran out, or the init could not make one. */
		*rule = NULL;
		snprintf(out, len, "netbox could not listen on port %u in the sandbox", a->port);
	} else if (*rule) {
		snprintf(out, len, "rule '%s' (%s)", policy_rule_text(*rule), policy_rule_origin(*rule));
	} else if (name && policy_name_may_resolve(w->policy, name)) {
		snprintf(out, len, "no rule allows port %u", a->port);
	} else if (!name && cls != POLICY_ADDR_PUBLIC) {
		snprintf(out, len, "%s address; allow it by address to reach it", policy_addr_class_name(cls));
	} else {
		snprintf(out, len, "no rule");
	}
}

static void watch_report(struct watch *w, const struct watch_attempt *a)
{
	const struct policy_rule *rule;
	const char *name = NULL;
	char reason[320];
	struct in_addr v4;
	bool fake = policy_addr_to_v4(&a->dst, &v4) && fakeip_in_range(v4);
	struct report_conn rc;

	if (a->proto == IPPROTO_UDP && watch_flow_seen(w, a))
		return;
	if (fake)
		name = resolver_fake_name(w->resolver, v4);
	watch_reason(w, a, name, fake, &rule, reason, sizeof(reason));
	rc = (struct report_conn){
		.proto = a->proto,
		.name = name,
		.dst = a->dst,
		.port = a->port,
		.allowed = false,
		.rule = rule ? policy_rule_text(rule) : NULL,
		.origin = rule ? policy_rule_origin(rule) : NULL,
		.reason = reason,
		.proc = report_attribute(w->report, a->proto, &a->client, a->client_port),
	};
	report_connection(w->report, &rc);
}

/* ---- reading ------------------------------------------------------------- */

/* The kernel dropped packets for want of room (SO_RXQ_OVFL: its count
 * comes with a packet when it is not 0): said once. */
static void watch_dropped(struct watch *w)
{
	if (!w->said_dropped)
		warn("some refused connections went unreported: the program made them faster than netbox "
		     "could read them");
	w->said_dropped = true;
}

/* One packet of @s into *a: 0, or -errno (-EAGAIN: none left). */
static int watch_read(struct watch_sock *s, struct watch_attempt *a)
{
	uint8_t pkt[WATCHFILTER_SNAP];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(uint32_t))];
	} ctl;
	struct sockaddr_in6 from = { 0 };
	struct iovec iov = { pkt, sizeof(pkt) };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	const struct in6_addr *dst6 = NULL;
	ssize_t n = recvmsg(s->fd, &m, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo)))
			dst6 = &((const struct in6_pktinfo *)(const void *)CMSG_DATA(c))->ipi6_addr;
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
			watch_dropped(s->w);
	}
	if (s->family == AF_INET6 && (m.msg_namelen < sizeof(from) || from.sin6_family != AF_INET6))
		return -EINVAL;
	return watch_parse(s->family, s->proto, pkt, (size_t)n, &from.sin6_addr, dst6, a);
}

static void watch_on_read(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct watch_sock *s = arg;

	for (int i = 0; i < WATCH_BATCH; i++) {
		struct watch_attempt a;
		int r = watch_read(s, &a);

		if (r == 0)
			watch_report(s->w, &a);
		else if (r != -EINVAL && r != -ENOENT)
			return; /* drained (EAGAIN), or an error: the next wakeup */
	}
}

/* ---- the watch ------------------------------------------------------------ */

struct watch *watch_new(struct event_base *base, struct report *report, struct resolver *resolver,
			const struct policy *policy)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->base = base;
	w->report = report;
	w->resolver = resolver;
	w->policy = policy;
	return w;
}

int watch_add(struct watch *w, int fd, enum channel_listener_kind kind)
{
	struct watch_sock *s;
	int family, proto, err;

	if (watchfilter_kind(kind, &family, &proto) < 0) {
		close(fd);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	*s = (struct watch_sock){ .w = w, .fd = fd, .family = family, .proto = proto };
	event_assign(&s->ev, w->base, fd, EV_READ | EV_PERSIST, watch_on_read, s);
	/* libevent fails an add with malloc's or epoll_ctl's errno, if any. */
	errno = 0;
	if (event_add(&s->ev, NULL) < 0) {
		err = errno ? errno : ENOMEM;
		free(s);
		close(fd);
		return -err;
	}
	s->next = w->socks;
	w->socks = s;
	return 0;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	while (w->socks) {
		struct watch_sock *s = w->socks;

		w->socks = s->next;
		event_del(&s->ev);
		close(s->fd);
		free(s);
	}
	free(w);
}
