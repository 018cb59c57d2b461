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
#include "bitmap.h"
#include "util.h"

#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

static const char *const isolate_allowed[] = {
	/* the loop (libevent: epoll, a socketpair for signals) */
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "poll", "ppoll",
	/* descriptors: reads and writes of every kind, splice(2) through pipes
	 * for the relay, closing, flags; ftruncate: a log record the disk had
	 * no room for is cut off again (common/report_log.c) */
	"read", "readv", "write", "writev", "pread64", "close", "fcntl", "pipe2", "splice", "dup",
	"lseek", "ftruncate",
	/* sockets: accepting the sandbox's connections, connecting upstream
	 * (Happy Eyeballs), DNS over UDP and TCP, c-ares */
	"connect", "accept", "accept4", "bind", "getsockname", "getpeername", "getsockopt",
	"sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown",
	/* c-ares looking at /etc/hosts and resolv.conf (opened: see below) */
	"fstat", "newfstatat", "statx", "stat", "lstat",
	/* memory (mapped executable: see below) */
	"brk", "munmap", "mremap", "madvise",
	/* signals: SIGCHLD of the init, forwarding to it, the trap handler */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "wait4", "waitid", "sigaltstack",
	/* time and identity (vDSO first; the syscalls when it cannot);
	 * sysinfo: glibc's qsort() asks the memory size for 1 KiB or more (the
	 * exit summary of 128 hosts) */
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "uname", "getrandom",
	"futex", "sched_yield", "sched_getaffinity", "sysinfo",
	/* leaving */
	"exit", "exit_group", "restart_syscall",
};

/* Only where the loop reads the program (notify.c: every-port rules,
 * attribution): its connect() and send() addresses from its memory, its
 * descriptors (their type, the port they got), its executable's name. */
static const char *const isolate_allowed_ondemand[] = {
	"process_vm_readv", "pidfd_open", "pidfd_getfd", "readlink", "readlinkat",
};

/* ioctl() only for these requests: any other reaches the terminal netbox
 * shares with your shell (TIOCSTI would type into it). */
static const unsigned long isolate_ioctls[] = {
	FIONREAD, FIONBIO, TCGETS, /* c-ares and libevent; isatty() of stdio */
	/* the program's notifications (notify.c: raw sockets, at least) */
	SECCOMP_IOCTL_NOTIF_RECV, SECCOMP_IOCTL_NOTIF_SEND, SECCOMP_IOCTL_NOTIF_ID_VALID,
	_IOR(SECCOMP_IOC_MAGIC, 2, __u64), /* ID_VALID before Linux 5.9 (notify.c) */
};

/* socket() only for IPv4 and IPv6, and only TCP and UDP in them, as the
 * sandbox's filter: MPTCP, SCTP, DCCP, L2TP would load a module from the
 * host's network namespace. */
static const int isolate_families[] = { AF_INET, AF_INET6 };
static const int isolate_protocols[] = { 0, IPPROTO_TCP, IPPROTO_UDP };

/* setsockopt() levels taken whole; of TCP's options only TCP_NODELAY
 * (TCP_ULP would attach kernel TLS, TCP_REPAIR needs no more than this). */
static const int isolate_sockopt_levels[] = { SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6 };

/* The calls allowed so far, for the count --check prints. */
static uint8_t isolate_seen[BITMAP_BYTES(1024)];
static unsigned isolate_nseen;

static void isolate_rule(scmp_filter_ctx ctx, int nr, unsigned n, const struct scmp_arg_cmp *cmp,
			 const char *name)
{
	int r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);

	if (nr >= 0 && nr < 1024 && !bitmap_test(isolate_seen, (size_t)nr)) {
		bitmap_set(isolate_seen, (size_t)nr);
		isolate_nseen++;
	}

	if (r < 0) {
		fprintf(stderr, "seccomp-gen: cannot allow %s: %s\n", name, strerror(-r));
		exit(1);
	}
}

/* The kernel reads ints (descriptors, pids, levels, requests) from the low
 * 32 bits of a register: compare those only. */
#define ISOLATE_INT(arg, v) SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)(v))

static void isolate_names(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);

		if (nr != __NR_SCMP_ERROR) /* (else: not a call on this architecture) */
			isolate_rule(ctx, nr, 0, NULL, names[i]);
	}
}

static void isolate_ioctl_rules(scmp_filter_ctx ctx, const unsigned long *req, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct scmp_arg_cmp cmp = ISOLATE_INT(1, req[i]);

		isolate_rule(ctx, SCMP_SYS(ioctl), 1, &cmp, "ioctl");
	}
}

/* The calls allowed with conditions on their arguments. */
static void isolate_arg_rules(scmp_filter_ctx ctx)
{
	/* openat() and open() from the root only, and read-only: nothing is
	 * written through a path, and a directory descriptor (there is none
	 * left, isolate.c) could not be walked out of. */
	struct scmp_arg_cmp at[2] = { ISOLATE_INT(0, AT_FDCWD),
				      SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDONLY) };
	struct scmp_arg_cmp rd = SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDONLY);
	/* mmap() and mprotect() never executable: no code is loaded once the
	 * loop runs, so an exploit cannot make its own. */
	struct scmp_arg_cmp noexec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	/* kill() of a pid, never of a group: the supervisor has a group of its
	 * own, and netbox's must stay out of reach (isolate.c). */
	struct scmp_arg_cmp pid = SCMP_A0(SCMP_CMP_MASKED_EQ, 0x80000000u, 0);

	isolate_rule(ctx, SCMP_SYS(openat), 2, at, "openat");
	isolate_rule(ctx, SCMP_SYS(open), 1, &rd, "open");
	isolate_rule(ctx, SCMP_SYS(mmap), 1, &noexec, "mmap");
	isolate_rule(ctx, SCMP_SYS(mprotect), 1, &noexec, "mprotect");
	isolate_rule(ctx, SCMP_SYS(kill), 1, &pid, "kill");
	for (size_t f = 0; f < ARRAY_SIZE(isolate_families); f++)
		for (size_t p = 0; p < ARRAY_SIZE(isolate_protocols); p++) {
			struct scmp_arg_cmp sock[2] = { ISOLATE_INT(0, isolate_families[f]),
							ISOLATE_INT(2, isolate_protocols[p]) };

			isolate_rule(ctx, SCMP_SYS(socket), 2, sock, "socket");
		}
	for (size_t i = 0; i < ARRAY_SIZE(isolate_sockopt_levels); i++) {
		struct scmp_arg_cmp level = ISOLATE_INT(1, isolate_sockopt_levels[i]);

		isolate_rule(ctx, SCMP_SYS(setsockopt), 1, &level, "setsockopt");
	}
	struct scmp_arg_cmp nodelay[2] = { ISOLATE_INT(1, IPPROTO_TCP), ISOLATE_INT(2, TCP_NODELAY) };

	isolate_rule(ctx, SCMP_SYS(setsockopt), 2, nodelay, "setsockopt");
}

unsigned isolate_rules_ioctls(bool ondemand)
{
	(void)ondemand;
	return ARRAY_SIZE(isolate_ioctls);
}

unsigned isolate_rules_build(scmp_filter_ctx ctx, bool ondemand)
{
	memset(isolate_seen, 0, sizeof(isolate_seen));
	isolate_nseen = 0;
	isolate_arg_rules(ctx);
	isolate_ioctl_rules(ctx, isolate_ioctls, ARRAY_SIZE(isolate_ioctls));
	isolate_names(ctx, isolate_allowed, ARRAY_SIZE(isolate_allowed));
	if (ondemand) {
		isolate_names(ctx, isolate_allowed_ondemand, ARRAY_SIZE(isolate_allowed_ondemand));
	}
	return isolate_nseen;
}
