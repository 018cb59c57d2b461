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
 *                           (SECCOMP_FILTER_FLAG_NEW_LISTENER) and a
 *                           thread it made just before sends its
 *                           notification descriptor to the init;
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
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The native ABI and the 32-bit one the main filter also lets make
 * sockets (seccomp_rules.c; aarch64's has no AArch32 there); 0: none. */
#if defined(__x86_64__)
#define NOTIFY_ARCH AUDIT_ARCH_X86_64
#define NOTIFY_ARCH_COMPAT AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define NOTIFY_ARCH AUDIT_ARCH_AARCH64
#define NOTIFY_ARCH_COMPAT 0
#else
#define NOTIFY_ARCH 0
#define NOTIFY_ARCH_COMPAT 0
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
	N_COMPAT = 9, N_CONNECT = 23, N_SENDTO = 24, N_SEND = 28, N_SOCKET = 29, N_NOTIFY = 39,
	N_ALLOW = 40,
};
#define N_JUMP(at, to) ((unsigned char)((to) - (at) - 1))
#define N_ARG_LO(i) (offsetof(struct seccomp_data, args[i]))
#define N_ARG_HI(i) (offsetof(struct seccomp_data, args[i]) + 4) /* little-endian */

/* i386's numbers (int $0x80 on x86_64: the main filter lets 32-bit
 * programs make sockets, so their calls are asked about too), and its
 * socketcall(2) multiplexer's calls (the first argument). */
enum {
	N_I386_SOCKETCALL = 102, N_I386_SENDMMSG = 345, N_I386_SOCKET = 359, N_I386_CONNECT = 362,
	N_I386_SENDTO = 369, N_I386_SENDMSG = 370,
	N_SC_CONNECT = 3, N_SC_SENDTO = 11, N_SC_SENDMSG = 16, N_SC_SENDMMSG = 20,
};

/* The filter's descriptor, made in @fd by a helper: 0 or -errno. */
struct notify_made {
	int err, fd;
};

/* Install the filter; its descriptor, or -errno. */
static long notify_filter(unsigned calls)
{
	const uint32_t on_connect = calls & NOTIFY_CONNECT ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW;
	const uint32_t on_send = calls & NOTIFY_SEND ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW;
	struct sock_filter insns[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOTIFY_ARCH, 0, N_JUMP(1, N_COMPAT)),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, N_JUMP(3, N_SOCKET), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, N_JUMP(4, N_CONNECT), 0),
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendto, N_JUMP(5, N_SENDTO), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmsg, N_JUMP(6, N_SEND), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmmsg, N_JUMP(7, N_SEND), 0),
		BPF_STMT(BPF_JMP | BPF_JA, N_JUMP(8, N_ALLOW)),
		/* 9: the 32-bit ABI, if any (the arch is still loaded) */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOTIFY_ARCH_COMPAT, 0, N_JUMP(9, N_ALLOW)),
		/* 10 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_I386_SOCKET, N_JUMP(11, N_SOCKET), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_I386_CONNECT, N_JUMP(12, N_CONNECT), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_I386_SENDTO, N_JUMP(13, N_SENDTO), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_I386_SENDMSG, N_JUMP(14, N_SEND), 0),
		/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_I386_SENDMMSG, N_JUMP(15, N_SEND), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_I386_SOCKETCALL, 0, N_JUMP(16, N_ALLOW)),
		/* 17: socketcall(CALL, ARGS); its socket() the main filter refuses */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_SC_CONNECT, N_JUMP(18, N_CONNECT), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_SC_SENDTO, N_JUMP(19, N_SEND), 0),
		/* 20 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_SC_SENDMSG, N_JUMP(20, N_SEND), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, N_SC_SENDMMSG, N_JUMP(21, N_SEND), 0),
		BPF_STMT(BPF_JMP | BPF_JA, N_JUMP(22, N_ALLOW)),
		/* 23: connect() */
		BPF_STMT(BPF_RET | BPF_K, on_connect),
		/* 24: sendto() with an address (a connected socket's send(),
		 * TCP's data, passes NULL: never stopped) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(4)),
		/* 25 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, N_JUMP(25, N_SEND)),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_HI(4)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, N_JUMP(27, N_ALLOW), 0),
		/* 28: sendto() with an address, sendmsg(), sendmmsg() */
		BPF_STMT(BPF_RET | BPF_K, on_send),
		/* 29: socket(): raw or ICMP sockets of IPv4 and IPv6 */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(0)),
		/* 30 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, N_JUMP(31, N_ALLOW)),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(1)),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf), /* without SOCK_NONBLOCK, SOCK_CLOEXEC */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_RAW, N_JUMP(34, N_NOTIFY), 0),
		/* 35 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_DGRAM, 0, N_JUMP(35, N_ALLOW)),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, N_ARG_LO(2)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, N_JUMP(37, N_NOTIFY), 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, N_JUMP(38, N_ALLOW)),
		/* 39 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		/* 40 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	_Static_assert(ARRAY_SIZE(insns) == N_ALLOW + 1, "the offsets above are the filter's");
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);

	return fd < 0 ? -errno : fd;
}

/* The helper thread's: the filter's descriptor (or why there is none) from
 * the pipe, sent on the socketpair. */
struct notify_handoff {
	int sp, from;
	int sent; /* channel_send_port()'s result */
};

static void *notify_helper(void *arg)
{
	struct notify_handoff *h = arg;
	struct notify_made m;

	if (read(h->from, &m, sizeof(m)) != (ssize_t)sizeof(m))
		m = (struct notify_made){ .err = EPROTO, .fd = -1 };
	h->sent = channel_send_port(h->sp, CHANNEL_NFD, 0, m.err, m.fd);
	return NULL;
}

void notify_child_install(int sp, unsigned calls)
{
	struct notify_made m = { .err = ENOSYS, .fd = -1 };
	struct notify_handoff h = { .sp = sp, .sent = -1 };
	int go[2], err;
	pthread_t helper;

	if (!notify_kernel_can_continue() || !NOTIFY_ARCH) {
		channel_send_port(sp, CHANNEL_NFD, 0, ENOSYS, -1);
		close(sp);
		return;
	}
	/* The descriptor goes back with sendmsg(), which the filter asks the
	 * supervisor about once it is in — and nobody could answer before
	 * the descriptor arrived.  So a thread made before the filter, which
	 * has none (a filter is the calling thread's), sends it: no exception
	 * in the filter that the program could use (one for the handover's
	 * descriptor number let a socket moved there send unseen).  Without
	 * the thread, no notifications: the supervisor says so. */
	if (pipe2(go, O_CLOEXEC) < 0) {
		channel_send_port(sp, CHANNEL_NFD, 0, errno, -1);
		close(sp);
		return;
	}
	h.from = go[0];
	err = pthread_create(&helper, NULL, notify_helper, &h);
	if (err) {
		channel_send_port(sp, CHANNEL_NFD, 0, err, -1);
	} else {
		long fd = notify_filter(calls);

		m = fd < 0 ? (struct notify_made){ .err = (int)-fd, .fd = -1 }
			   : (struct notify_made){ .err = 0, .fd = (int)fd };
		if (write(go[1], &m, sizeof(m)) != (ssize_t)sizeof(m)) {
			close(go[1]); /* (the helper reads EOF, and says EPROTO) */
			go[1] = -1;
		}
		pthread_join(helper, NULL);
		/* Nobody would answer: every connect() would fail (ENOSYS). */
		if (m.fd >= 0 && h.sent < 0)
			die(NULL, "cannot hand the program's notifications to netbox");
		if (m.fd >= 0)
			close(m.fd);
	}
	close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
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
