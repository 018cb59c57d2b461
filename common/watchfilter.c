/* watchfilter.c — the kernel filters of the watch sockets: the raw
 * sockets of the sandbox's network namespace that see what no listener
 * takes (netproxy/watch.h says what and why).  The sandbox init attaches
 * them (launcher/listeners.c); the supervisor reads what passes
 * (netproxy/watch_parse.c, which checks all of it again).  They run in the
 * kernel for every TCP and UDP packet of the sandbox, so they are a
 * handful of classic BPF instructions; tests/unit/cbpf.h runs them in the
 * unit test and the fuzzer, to check that they and the parser agree.
 */
#include "watchfilter.h"
#include "util.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define WATCHFILTER_IP6_DST 24  /* the destination's offset in the IPv6 header */

/* The filters.  An IPv4 raw socket sees the packet from its IP header on,
 * an IPv6 one from the transport header on (the kernel has pulled the IPv6
 * header and its extensions): the IPv4 programs find the transport header
 * with "ldx 4*([0]&0xf)", the IPv6 UDP program reads the destination at
 * SKF_NET_OFF.  A load past the end drops the packet. */
#define WATCHFILTER_LD(size, mode, k) BPF_STMT(BPF_LD | (size) | (mode), (uint32_t)(k))
#define WATCHFILTER_JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define WATCHFILTER_PASS BPF_STMT(BPF_RET | BPF_K, WATCHFILTER_SNAP)
#define WATCHFILTER_DROP BPF_STMT(BPF_RET | BPF_K, 0)

static struct sock_filter watchfilter_tcp4[] = {
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
	WATCHFILTER_LD(BPF_B, BPF_IND, 13),                   /* flags */
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, WATCHFILTER_TCP_FLAGS),
	WATCHFILTER_JEQ(WATCHFILTER_RST_ACK, 0, 2),
	WATCHFILTER_LD(BPF_W, BPF_IND, 4),                    /* sequence number */
	WATCHFILTER_JEQ(0, 1, 0),
	WATCHFILTER_DROP,
	WATCHFILTER_PASS,
};

static struct sock_filter watchfilter_tcp6[] = {
	WATCHFILTER_LD(BPF_B, BPF_ABS, 13),
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, WATCHFILTER_TCP_FLAGS),
	WATCHFILTER_JEQ(WATCHFILTER_RST_ACK, 0, 2),
	WATCHFILTER_LD(BPF_W, BPF_ABS, 4),
	WATCHFILTER_JEQ(0, 1, 0),
	WATCHFILTER_DROP,
	WATCHFILTER_PASS,
};

static struct sock_filter watchfilter_udp4[] = {
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
	WATCHFILTER_LD(BPF_H, BPF_IND, 0),                    /* source port */
	WATCHFILTER_JEQ(WATCHFILTER_DNS_PORT, 4, 0),
	WATCHFILTER_LD(BPF_H, BPF_IND, 2),                    /* destination port */
	WATCHFILTER_JEQ(WATCHFILTER_DNS_PORT, 2, 0),
	WATCHFILTER_LD(BPF_B, BPF_ABS, 16),                   /* destination's first byte */
	WATCHFILTER_JEQ(127, 0, 1),
	WATCHFILTER_DROP,
	WATCHFILTER_PASS,
};

static struct sock_filter watchfilter_udp6[] = {
	WATCHFILTER_LD(BPF_H, BPF_ABS, 0),
	WATCHFILTER_JEQ(WATCHFILTER_DNS_PORT, 10, 0),
	WATCHFILTER_LD(BPF_H, BPF_ABS, 2),
	WATCHFILTER_JEQ(WATCHFILTER_DNS_PORT, 8, 0),
	/* ::1, a word at a time */
	WATCHFILTER_LD(BPF_W, BPF_ABS, SKF_NET_OFF + WATCHFILTER_IP6_DST),
	WATCHFILTER_JEQ(0, 0, 7),
	WATCHFILTER_LD(BPF_W, BPF_ABS, SKF_NET_OFF + WATCHFILTER_IP6_DST + 4),
	WATCHFILTER_JEQ(0, 0, 5),
	WATCHFILTER_LD(BPF_W, BPF_ABS, SKF_NET_OFF + WATCHFILTER_IP6_DST + 8),
	WATCHFILTER_JEQ(0, 0, 3),
	WATCHFILTER_LD(BPF_W, BPF_ABS, SKF_NET_OFF + WATCHFILTER_IP6_DST + 12),
	WATCHFILTER_JEQ(1, 0, 1),
	WATCHFILTER_DROP,
	WATCHFILTER_PASS,
};

static const struct {
	enum channel_listener_kind kind;
	int family, proto;
	struct sock_filter *prog;
	unsigned short len;
} watchfilter_kinds[] = {
	{ LISTENER_WATCH_TCP4, AF_INET, IPPROTO_TCP, watchfilter_tcp4, ARRAY_SIZE(watchfilter_tcp4) },
	{ LISTENER_WATCH_UDP4, AF_INET, IPPROTO_UDP, watchfilter_udp4, ARRAY_SIZE(watchfilter_udp4) },
	{ LISTENER_WATCH_TCP6, AF_INET6, IPPROTO_TCP, watchfilter_tcp6, ARRAY_SIZE(watchfilter_tcp6) },
	{ LISTENER_WATCH_UDP6, AF_INET6, IPPROTO_UDP, watchfilter_udp6, ARRAY_SIZE(watchfilter_udp6) },
};

int watchfilter_kind(enum channel_listener_kind kind, int *family, int *proto)
{
	for (size_t i = 0; i < ARRAY_SIZE(watchfilter_kinds); i++)
		if (watchfilter_kinds[i].kind == kind) {
			*family = watchfilter_kinds[i].family;
			*proto = watchfilter_kinds[i].proto;
			return 0;
		}
	return -EINVAL;
}

int watchfilter_prog(int family, int proto, struct sock_fprog *prog)
{
	for (size_t i = 0; i < ARRAY_SIZE(watchfilter_kinds); i++)
		if (watchfilter_kinds[i].family == family && watchfilter_kinds[i].proto == proto) {
			prog->filter = watchfilter_kinds[i].prog;
			prog->len = watchfilter_kinds[i].len;
			return 0;
		}
	return -EINVAL;
}
