/* watch.h — the attempts no listener sees: a TCP connect() to a port
 * nobody serves, a UDP datagram to anything but DNS (netproxy/watch.c runs
 * the watch in the supervisor; watch_parse.c reads the packets).
 *
 * Inside the sandbox every address is routed to lo, and netbox listens only
 * on the ports its rules name.  The rest the kernel answers by itself: a
 * SYN nobody takes gets a reset (the program sees ECONNREFUSED), a UDP
 * datagram is dropped or taken by whatever the program bound.  The sandbox
 * init opens raw sockets (AF_INET, and AF_INET6 when the kernel has it;
 * IPPROTO_TCP and IPPROTO_UDP) in the sandbox's namespace, each with a
 * locked classic BPF filter (common/watchfilter.c) that passes only:
 *   - TCP: the kernel's reset of a SYN nobody took: RST+ACK with sequence
 *     number 0 (tcp_v4_send_reset(), tcp_v6_send_reset() answer a segment
 *     without ACK so).  Its source is where the program tried to go, its
 *     destination the program's socket;
 *   - UDP: datagrams with neither port 53 (netbox's resolver, its
 *     answers), to an address outside 127.0.0.0/8 and ::1 (the sandbox's
 *     own loopback is the program's business: a datagram there may well be
 *     taken).
 * Everything else (the proxy's traffic, the program's own loopback) costs
 * the kernel a clone and a few BPF instructions per packet, and never
 * wakes netbox.  The supervisor reads what passes (watch.c) and reports a
 * denied connection for each (report_connection()).
 */
#ifndef NETBOX_WATCH_H
#define NETBOX_WATCH_H

#include <event2/event.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"

struct policy;
struct report;
struct resolver;
struct watch;

/* One attempt, read from a packet. */
struct watch_attempt {
	int proto;                /* IPPROTO_TCP or IPPROTO_UDP */
	struct in6_addr dst;      /* where the program tried to go (IPv4 mapped) */
	uint16_t port;
	struct in6_addr client;   /* the program's socket (IPv4 mapped) */
	uint16_t client_port;
};

/* ---- watch_parse.c: pure, no I/O ----------------------------------------- */

/* Read @len bytes that a watch socket of @family and @proto received:
 * IPv4: from the IP header on (@src6, @dst6 unused, may be NULL); IPv6:
 * the transport header only, the packet's source address in @src6
 * (msg_name) and its destination in @dst6 (IPV6_PKTINFO).  Every length is
 * checked (IHL, total length, truncation), and so is everything the filter
 * checks, so a packet that came before the filter was attached is judged
 * the same.  0 with *out set; -EINVAL: malformed or not of @family and
 * @proto; -ENOENT: well formed but not an attempt (the filter drops it). */
int watch_parse(int family, int proto, const uint8_t *pkt, size_t len, const struct in6_addr *src6,
		const struct in6_addr *dst6, struct watch_attempt *out);

/* ---- watch.c: in the supervisor's loop ---------------------------------- */

/* @report, @resolver (the names behind fake addresses) and @policy (the
 * reasons) must outlive the watch. */
struct watch *watch_new(struct event_base *base, struct report *report, struct resolver *resolver,
			const struct policy *policy);
/* Watch @fd, a socket of @kind (LISTENER_WATCH_*): the watch owns it and
 * closes it, when this fails too.  0 or -errno. */
int watch_add(struct watch *w, int fd, enum channel_listener_kind kind);
void watch_free(struct watch *w);

#endif
