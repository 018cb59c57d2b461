/* notify.c — the program's system calls netbox is told of: the sandbox's
 * half of the seccomp user notifications (supervisor/notify.c is the
 * supervisor's).
 *
 * The program's process gets, besides its main filter (seccomp.c), one
 * that turns a few calls into user notifications (SECCOMP_RET_USER_NOTIF):
 * the supervisor hears of each before it happens and answers — lets it go
 * on, or fails it with an errno of its own.  Which calls, per run
 * (enum notify_calls, config.h), since each costs a round trip (~50 us):
 *   - always: socket() of a raw or ICMP socket — rare, and reported (the
 *     kernel would refuse it anyway, silently);
 *   - rules that allow every port (`host:*`, --learn): connect(), so that a
 *     listener exists for its port before the SYN (supervisor/ondemand.c);
 *   - attribution (--log, --learn, --attribute): connect(), and sendto()
 *     with an address, sendmsg(), sendmmsg() — who sends each datagram,
 *     and a UDP send anywhere but DNS fails visibly (EPERM).
 * Everything else, and TCP data, never waits for the supervisor.
 * Theory of operation, here:
 *
 *   notify_init_prepare()   the init makes a socketpair before forking;
 *   notify_child_install()  the program's process installs the filter
 *                           (SECCOMP_FILTER_FLAG_NEW_LISTENER) and sends
 *                           its notification descriptor to the init;
 *   notify_init_forward()   the init passes it on to the supervisor over
 *                           the channel the listeners came by (channel.c);
 * and listeners_init_serve() makes the on-demand listeners the supervisor
 * asks for.
 */
#include "config.h"
#include "notify.h"
#include "channel.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#if defined(__x86_64__)
#define NOTIFY_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NOTIFY_ARCH AUDIT_ARCH_AARCH64
#endif

void notify_init_prepare(int sp[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		die_errno(NULL, "cannot create the sandbox's notification channel");
}

/* SECCOMP_USER_NOTIF_FLAG_CONTINUE came in Linux 5.5; a 5.0-5.4 kernel
 * takes the filter but refuses the answer, and the program's connect()
 * would wait forever.  There is no probe for a flag of the answer. */
static bool notify_kernel_can_continue(void)
{
	struct utsname u;
	unsigned major = 0, minor = 0;

	return uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
	       (major > 5 || (major == 5 && minor >= 5));
}

/* Offsets of the filter's instructions, for its forward jumps. */
enum {
	N_CONNECT = 9, N_SENDMSG = 10, N_SENDTO = 12, N_SEND = 16, N_SOCKET = 17, N_NOTIFY = 27,
	N_ALLOW = 28,
};
#define N_JUMP(at, to) ((unsigned char)((to) - (at) - 1))
#define N_ARG_LO(i) (offsetof(struct seccomp_data, args[i]))
#define N_ARG_HI(i) (offsetof(struct seccomp_data, args[i]) + 4) /* little-endian */
#define NOTIFY_SP_FD 900 /* where the socketpair moves: far from the program's numbers */

void notify_child_install(int sp, unsigned calls)
{
	int high;

	if (!notify_kernel_can_continue()) {
		channel_send_port(sp, CHANNEL_NFD, 0, ENOSYS, -1);
		close(sp);
		return;
	}
	/* The descriptor goes back with sendmsg(), itself notified once the
	 * filter is in: the filter lets this socket's sendmsg() through, and
	 * the number is one the program is unlikely to reuse after (were it
	 * reused, that socket's sends would only go unattributed). */
	high = fcntl(sp, F_DUPFD_CLOEXEC, NOTIFY_SP_FD);
	if (high >= 0) {
		close(sp);
		sp = high;
	}
#ifdef NOTIFY_ARCH
	const uint32_t on_connect = calls & NOTIFY_CONNECT ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW;
	const uint32_t on_send = calls & NOTIFY_SEND ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW;
	struct sock_filter insns[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOTIFY_ARCH, 0, N_JUMP(1, N_ALLOW)),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, N_JUMP(3, N_SOCKET), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, N_JUMP(4, N_CONNECT), 0),
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendto, N_JUMP(5, N_SENDTO), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmsg, N_JUMP(6, N_SENDMSG), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmmsg, N_JUMP(7, N_SEND), 0),
		BPF_STMT(BPF_JMP | BPF_JA, N_JUMP(8, N_ALLOW)),
		/* 9: connect() */
		BPF_STMT(BPF_RET | BPF_K, on_connect),
		/* 10: sendmsg(), but not on @sp (below) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)sp, N_JUMP(11, N_ALLOW), N_JUMP(11, N_SEND)),
		/* 12: sendto() with an address (a connected socket's send(),
		 * TCP's data, passes NULL: never stopped) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(4)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, N_JUMP(13, N_SEND)),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_HI(4)),
		/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, N_JUMP(15, N_ALLOW), 0),
		/* 16: sendto() with an address, sendmsg(), sendmmsg() */
		BPF_STMT(BPF_RET | BPF_K, on_send),
		/* 17: socket(): raw or ICMP sockets of IPv4 and IPv6 */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, N_JUMP(19, N_ALLOW)),
		/* 20 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(1)),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf), /* without SOCK_NONBLOCK, SOCK_CLOEXEC */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_RAW, N_JUMP(22, N_NOTIFY), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_DGRAM, 0, N_JUMP(23, N_ALLOW)),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(2)),
		/* 25 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, N_JUMP(25, N_NOTIFY), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, N_JUMP(26, N_ALLOW)),
		/* 27 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		/* 28 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);

	if (fd < 0) {
		channel_send_port(sp, CHANNEL_NFD, 0, errno, -1);
	} else if (channel_send_port(sp, CHANNEL_NFD, 0, 0, (int)fd) < 0) {
		/* Nobody would answer: every connect() would fail (ENOSYS). */
		die_errno(NULL, "cannot hand the program's notifications to netbox");
	} else {
		close((int)fd);
	}
#else
	channel_send_port(sp, CHANNEL_NFD, 0, ENOSYS, -1);
#endif
	close(sp);
}

void notify_init_forward(int sp, int chan)
{
	uint16_t port;
	int err, fd, r = channel_recv_port(sp, CHANNEL_NFD, &port, &err, &fd);

	close(sp);
	/* The program's process died before it could say (EPIPE): netbox
	 * learns it from the init's exit; tell it without a warning. */
	if (r < 0)
		err = r == -EPIPE ? ECHILD : EPROTO;
	if (channel_send_port(chan, CHANNEL_NFD, 0, err, fd) < 0 && fd >= 0)
		die_errno(NULL, "cannot hand the program's notifications to netbox");
	if (fd >= 0)
		close(fd);
}
