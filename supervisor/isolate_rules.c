/* isolate_rules.c — the system calls the supervisor's loop makes, and no
 * other: its allow-list (isolate.c loads it; launcher/seccomp_gen.c
 * compiles it at build time, as the sandbox's filter).
 *
 * Found by tracing the supervisor through the test suites (tests/shell/
 * net.sh, logs.sh, load.sh, faults.sh, valgrind.sh) and reading what the
 * code paths call; each group says who needs it.  A call missing here is
 * trapped: the supervisor names it and dies (isolate.c), so a gap shows up
 * as a failed run with a report, never as a silent hole.
 */
#include "isolate_rules.h"
#include "util.h"

#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static const char *const isolate_allowed[] = {
	/* the loop (libevent: epoll, a socketpair for signals) */
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "poll", "ppoll",
	/* descriptors: reads and writes of every kind, splice(2) through pipes
	 * for the relay, closing, flags */
	"read", "readv", "write", "writev", "pread64", "close", "fcntl", "pipe2", "splice", "dup",
	"lseek",
	/* sockets: accepting the sandbox's connections, connecting upstream
	 * (Happy Eyeballs), DNS over UDP and TCP, c-ares */
	"connect", "accept", "accept4", "bind", "getsockname", "getpeername",
	"setsockopt", "getsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg",
	"recvmmsg", "shutdown",
	/* c-ares reading /etc/hosts at each lookup (landlock allows only that) */
	"openat", "open", "fstat", "newfstatat", "statx", "stat", "lstat",
	/* memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	/* signals: SIGCHLD of the init, forwarding to it, the trap handler */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "kill", "wait4", "waitid",
	"sigaltstack",
	/* time and identity (vDSO first; the syscalls when it cannot) */
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "uname", "getrandom",
	"futex", "sched_yield", "sched_getaffinity",
	/* connect() notifications (ondemand.c): the program's memory, its
	 * descriptor's type, the answer */
	"process_vm_readv", "pidfd_open", "pidfd_getfd",
	/* leaving */
	"exit", "exit_group", "restart_syscall",
};

/* ioctl() only for these requests: any other reaches the terminal netbox
 * shares with your shell (TIOCSTI would type into it). */
static const unsigned long isolate_ioctls[] = {
	FIONREAD, FIONBIO, TCGETS, /* c-ares and libevent; isatty() of stdio */
	SECCOMP_IOCTL_NOTIF_RECV, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_IOCTL_NOTIF_ID_VALID,
	_IOR(SECCOMP_IOC_MAGIC, 2, __u64), /* ID_VALID before Linux 5.9 (ondemand.c) */
};

/* socket() only for IPv4 and IPv6: upstream connections and c-ares. */
static const int isolate_families[] = { AF_INET, AF_INET6 };

static void isolate_rule(scmp_filter_ctx ctx, int nr, unsigned n, const struct scmp_arg_cmp *cmp,
			 const char *name)
{
	int r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);

	if (r < 0) {
		fprintf(stderr, "seccomp-gen: cannot allow %s: %s\n", name, strerror(-r));
		exit(1);
	}
}

unsigned isolate_rules_ioctls(void)
{
	return ARRAY_SIZE(isolate_ioctls);
}

unsigned isolate_rules_build(scmp_filter_ctx ctx)
{
	unsigned n = 2; /* ioctl, socket */

	for (size_t i = 0; i < ARRAY_SIZE(isolate_ioctls); i++) {
		/* the kernel truncates the request to 32 bits */
		struct scmp_arg_cmp req = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, isolate_ioctls[i]);

		isolate_rule(ctx, SCMP_SYS(ioctl), 1, &req, "ioctl");
	}
	for (size_t i = 0; i < ARRAY_SIZE(isolate_families); i++) {
		struct scmp_arg_cmp fam = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)isolate_families[i]);

		isolate_rule(ctx, SCMP_SYS(socket), 1, &fam, "socket");
	}
	for (size_t i = 0; i < ARRAY_SIZE(isolate_allowed); i++) {
		int nr = seccomp_syscall_resolve_name(isolate_allowed[i]);

		if (nr != __NR_SCMP_ERROR) { /* (else: not a call on this architecture) */
			isolate_rule(ctx, nr, 0, NULL, isolate_allowed[i]);
			n++;
		}
	}
	return n;
}
