/* watchfilter.h — the kernel filters of the watch sockets (watchfilter.c):
 * raw sockets of the sandbox's network namespace that pass the supervisor
 * only what no listener takes (netproxy/watch.h):
 *   - TCP: the kernel's reset of a SYN nobody took: RST+ACK with sequence
 *     number 0;
 *   - UDP: datagrams with neither port 53, to an address outside
 *     127.0.0.0/8 and ::1.
 * The constants are the parser's too (netproxy/watch_parse.c), so that
 * both judge a packet alike.
 */
#ifndef NETBOX_WATCHFILTER_H
#define NETBOX_WATCHFILTER_H

#include "channel.h"

#include <linux/filter.h>

/* Bytes of a packet kept (IPv4: a 60-byte header with options and the
 * transport header fit). */
#define WATCHFILTER_SNAP 128
#define WATCHFILTER_TCP_FLAGS 0x3f  /* FIN SYN RST PSH ACK URG; not ECN's */
#define WATCHFILTER_RST_ACK 0x14
#define WATCHFILTER_DNS_PORT 53

/* The family and protocol of a watch socket of @kind (LISTENER_WATCH_*):
 * 0, or -EINVAL for another kind. */
int watchfilter_kind(enum channel_listener_kind kind, int *family, int *proto);

/* The filter of a watch socket of @family (AF_INET, AF_INET6) and @proto
 * (IPPROTO_TCP, IPPROTO_UDP) into *prog (static: never freed).  0, or
 * -EINVAL for another family or protocol. */
int watchfilter_prog(int family, int proto, struct sock_fprog *prog);

#endif
