/* ondemand.c — listeners made when the program first connects to a port:
 * the sandbox's half (supervisor/ondemand.c is the supervisor's).
 *
 * netbox serves the ports its rules name, fixed at startup (listeners.c).
 * A rule that allows every port (`--allow host:*`, and --learn, which allows
 * `*:*`) cannot be served that way: 65,535 listeners would be absurd.  So
 * for such runs the program's process also gets a seccomp filter that turns
 * connect() into a user notification (SECCOMP_RET_USER_NOTIF), and netbox,
 * told of the attempt before it happens, has the sandbox init create a
 * listener for that port first.  Theory of operation, here:
 *
 *   ondemand_init_prepare()   the init makes a socketpair before forking;
 *   ondemand_child_install()  the program's process installs the filter
 *                             (SECCOMP_FILTER_FLAG_NEW_LISTENER) and sends
 *                             its notification descriptor to the init;
 *   ondemand_init_forward()   the init passes it on to the supervisor over the
 *                             channel the listeners came by (channel.c);
 *   ondemand_init_serve()     and makes a listener when the supervisor asks;
 * and in netbox, supervisor/ondemand.c watches the descriptor.
 */
#include "ondemand.h"
#include "channel.h"
#include "listeners.h"
#include "util.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#if defined(__x86_64__)
#define ONDEMAND_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ONDEMAND_ARCH AUDIT_ARCH_AARCH64
#endif

void ondemand_init_prepare(int sp[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		die_errno(NULL, "cannot create the sandbox's notification channel");
}

/* SECCOMP_USER_NOTIF_FLAG_CONTINUE came in Linux 5.5; a 5.0-5.4 kernel
 * takes the filter but refuses the answer, and the program's connect()
 * would wait forever.  There is no probe for a flag of the answer. */
static bool ondemand_kernel_can_continue(void)
{
	struct utsname u;
	unsigned major = 0, minor = 0;

	return uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
	       (major > 5 || (major == 5 && minor >= 5));
}

void ondemand_child_install(int sp)
{
	if (!ondemand_kernel_can_continue()) {
		channel_send_port(sp, CHANNEL_NFD, 0, ENOSYS, -1);
		close(sp);
		return;
	}
#ifdef ONDEMAND_ARCH
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ONDEMAND_ARCH, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);

	if (fd < 0) {
		channel_send_port(sp, CHANNEL_NFD, 0, errno, -1);
	} else if (channel_send_port(sp, CHANNEL_NFD, 0, 0, (int)fd) < 0) {
		/* Nobody would answer: every connect() would fail (ENOSYS). */
		die_errno(NULL, "cannot hand the connect() notifications to netbox");
	} else {
		close((int)fd);
	}
#else
	channel_send_port(sp, CHANNEL_NFD, 0, ENOSYS, -1);
#endif
	close(sp);
}

void ondemand_init_forward(int sp, int chan)
{
	uint16_t port;
	int err, fd, r = channel_recv_port(sp, CHANNEL_NFD, &port, &err, &fd);

	close(sp);
	/* The program's process died before it could say (EPIPE): netbox
	 * learns it from the init's exit; tell it without a warning. */
	if (r < 0)
		err = r == -EPIPE ? ECHILD : EPROTO;
	if (channel_send_port(chan, CHANNEL_NFD, 0, err, fd) < 0 && fd >= 0)
		die_errno(NULL, "cannot hand the connect() notifications to netbox");
	if (fd >= 0)
		close(fd);
}

int ondemand_init_serve(int chan)
{
	uint16_t port;
	int err, fd, r = channel_recv_port(chan, CHANNEL_LISTEN, &port, &err, &fd);

	if (r == -EPIPE || r == -ECONNRESET)
		return -1;
	if (r < 0 || port == 0)
		return channel_send_port(chan, CHANNEL_LISTENER, 0, EPROTO, -1) < 0 ? -1 : 0;
	fd = listeners_proxy_socket(port);
	r = channel_send_port(chan, CHANNEL_LISTENER, port, fd < 0 ? -fd : 0, fd);
	if (fd >= 0)
		close(fd);
	return r < 0 ? -1 : 0;
}
