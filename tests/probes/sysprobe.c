/* sysprobe.c — one raw system call per run, for tests/shell/privs.sh.
 *
 *   sysprobe NAME [ARG...]
 *
 * makes the call NAME stands for with raw syscall(2) (or int $0x80 for the
 * i386 ABI), so that neither libc nor a runtime can hide what the kernel or
 * the seccomp filter answered, and prints one line:
 *
 *   NAME ok [VALUE]      the call succeeded (VALUE: what it returned)
 *   NAME err ERRNO       it failed with ERRNO (EPERM, ENOSYS, ...)
 *
 * NAME: euid, securebits (these two print "NAME VALUE"), unshare, clone,
 * clone3, unshare-i386, clone-i386, unshare-x32, keyctl, keyctl-i386,
 * io_uring_setup, bpf, userfaultfd, perf_event_open, tiocsti, tiocsti-hi,
 * tiocsti-i386, tioclinux, tioclinux-hi (the ioctls act on descriptor 0);
 * with the numbers FAMILY TYPE PROTOCOL (FAMILY may carry high bits, as
 * 0x100000028): socket, socketpair, socket-i386, socketpair-i386,
 * socketcall-i386 and socketcall-pair-i386 (i386's multiplexer, as its
 * glibc makes sockets), socket-x32; on descriptor 0: tiocsetd (to N_NULL),
 * tiocgetd (prints the line discipline), tiocexcl, tiocsctty ARG (in a
 * child that called setsid()); open-tty (opens /dev/tty); with a request's
 * name (TIOCSETD, ...): ioctl-badfd, ioctl-badfd-hi, ioctl-badfd-i386, the
 * request on descriptor -1 (the kernel answers EBADF, a filter that
 * refuses the request answers first; the console's KDSKBMODE, KDSETMODE,
 * PIO_CMAP, KDSETLED, KDGKBTYPE, VT_ACTIVATE, VT_GETSTATE among them);
 * setsockopt-ulp [ULP], setsockopt-ulp-hi (SOL_TCP with the high 32 bits
 * set), setsockopt-ulp-i386 (i386's direct setsockopt) and
 * socketcall-setsockopt-i386 (i386's multiplexer): setsockopt(SOL_TCP,
 * TCP_ULP, ULP, default "tls") on a new TCP socket; personality VALUE and
 * personality-i386 VALUE, which print "NAME ok OLD now NEW" (in hex: the
 * persona before and after); with IP PORT, a UDP datagram "x" to IPv4 IP:PORT
 * from a new socket: udpsend-fd900 (sendmsg() once the socket is moved to
 * descriptor 900), udpsend-unspec (sendto() with the address's family
 * AF_UNSPEC, which IPv4 UDP reads as AF_INET), udpsend-mmsg20 (sendmmsg() of 20 messages, the first 19
 * to port 53 of IP, the last to PORT), udpsend-i386 (i386's sendto), udpsend-sendmsg-i386 (its
 * sendmsg, with its 28-byte struct msghdr), udpsend-socketcall-i386
 * (socketcall(SENDTO)) and tcpconnect-i386 (a TCP connect()).
 *
 * Exit status 0 in both cases; 2 for an unknown NAME.  The harness runs the
 * same probe outside netbox (it must succeed, or at least not be refused
 * with the errno the filter uses) and inside (it must be refused).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kd.h>
#include <linux/perf_event.h>
#include <linux/vt.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef N_NULL
#define N_NULL 27
#endif
#define UFFD_USER_MODE_ONLY_ 1
#define X32_SYSCALL_BIT 0x40000000L
#define X32_NR_UNSHARE 272
#define I386_NR_UNSHARE 310
#define I386_NR_CLONE 120
#define I386_NR_IOCTL 54
#define I386_NR_KEYCTL 288
#define I386_NR_PERSONALITY 136
#define I386_NR_SOCKETCALL 102
#define I386_NR_SOCKET 359
#define I386_NR_SOCKETPAIR 360
#define I386_NR_SETSOCKOPT 366
#define X32_NR_SOCKET 41
#define SOCKETCALL_SOCKET 1
#define SOCKETCALL_SOCKETPAIR 8
#define SOCKETCALL_SETSOCKOPT 14
#define SOCKETCALL_SENDTO 11
#define I386_NR_CONNECT 362
#define I386_NR_SENDTO 369
#define I386_NR_SENDMSG 370

#if defined(__x86_64__)
/* A system call through the i386 entry point (int $0x80): 32-bit arguments,
 * the raw result (-errno on failure) in eax. */
static long i386_call(long nr, long a, long b, long c, long d)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
			 : "memory", "r8", "r9", "r10", "r11");
	return r;
}

/* The same with five arguments (edi holds the fifth). */
static long i386_call6(long nr, long a, long b, long c, long d, long e)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory", "r8", "r9", "r10", "r11");
	return r;
}

/* Six arguments: ebp holds the sixth (kept for the compiler around the call). */
static long i386_call7(long nr, long a, long b, long c, long d, long e, long f)
{
	long r;

	__asm__ volatile("push %%rbp\n\tmov %7, %%rbp\n\tint $0x80\n\tpop %%rbp"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e), "r"(f)
			 : "memory", "r8", "r9", "r10", "r11");
	return r;
}

/* The i386 ABI takes 32-bit pointers: memory below 4 GiB. */
static void *low_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}
#endif

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EBADF: return "EBADF";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSYS: return "ENOSYS";
	case ENOSPC: return "ENOSPC";
	case E2BIG: return "E2BIG";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOMEM: return "ENOMEM";
	case EIO: return "EIO";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
	case EPROTOTYPE: return "EPROTOTYPE";
	case EBUSY: return "EBUSY";
	case ENXIO: return "ENXIO";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case ENOTCONN: return "ENOTCONN";
	case EEXIST: return "EEXIST";
	case ECONNREFUSED: return "ECONNREFUSED";
	}
	static char buf[32];
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static int report(const char *name, long r, int err)
{
	if (r < 0)
		printf("%s err %s\n", name, errname(err));
	else
		printf("%s ok %ld\n", name, r);
	return 0;
}

/* Raw result convention of int $0x80: -errno in eax. */
static int report_raw(const char *name, long r)
{
	if (r < 0 && r > -4096)
		return report(name, -1, (int)-r);
	return report(name, r, 0);
}

static const struct {
	const char *name;
	unsigned long request;
} ioctl_names[] = {
	{ "TIOCSTI", TIOCSTI },		{ "TIOCLINUX", TIOCLINUX }, { "TIOCSETD", TIOCSETD },
	{ "TIOCEXCL", TIOCEXCL },	{ "TIOCCONS", TIOCCONS },   { "TIOCVHANGUP", TIOCVHANGUP },
	{ "TIOCSCTTY", TIOCSCTTY },
	{ "KDSKBMODE", KDSKBMODE },	{ "KDSETMODE", KDSETMODE }, { "PIO_CMAP", PIO_CMAP },
	{ "KDSETLED", KDSETLED },	{ "KDGKBTYPE", KDGKBTYPE }, { "VT_ACTIVATE", VT_ACTIVATE },
	{ "VT_GETSTATE", VT_GETSTATE },
};

/* ioctl-badfd[-hi|-i386] NAME; -1 if @p is not one. */
static int badfd_probe(const char *p, const char *name)
{
	unsigned long req = 0;

	if (strncmp(p, "ioctl-badfd", 11))
		return -1;
	for (size_t i = 0; i < sizeof(ioctl_names) / sizeof(ioctl_names[0]); i++)
		if (name && !strcmp(name, ioctl_names[i].name))
			req = ioctl_names[i].request;
	if (!req) {
		fprintf(stderr, "sysprobe: %s: unknown request '%s'\n", p, name ? name : "");
		exit(2);
	}
	if (!strcmp(p, "ioctl-badfd")) {
		long r = syscall(SYS_ioctl, -1, req, 0);
		return report(p, r, errno);
	}
	if (!strcmp(p, "ioctl-badfd-hi")) {
		long r = syscall(SYS_ioctl, -1, req | (1UL << 32), 0);
		return report(p, r, errno);
	}
#if defined(__x86_64__)
	if (!strcmp(p, "ioctl-badfd-i386"))
		return report_raw(p, i386_call(I386_NR_IOCTL, -1, (long)req, 0, 0));
#else
	if (!strcmp(p, "ioctl-badfd-i386"))
		return report(p, -1, ENOSYS);
#endif
	return -1;
}

/* setsockopt-ulp[-hi|-i386] [ULP], socketcall-setsockopt-i386 [ULP]: a TCP
 * upper layer protocol on a new (unconnected) TCP socket; -1 if @p is not
 * one.  The kernel answers ENOENT for a ULP it does not have (and loads
 * none for a user), ENOTCONN for one it has. */
static int ulp_probe(const char *p, const char *arg)
{
	const char *ulp = arg ? arg : "tls";
	int fd;

	if (strcmp(p, "setsockopt-ulp") && strcmp(p, "setsockopt-ulp-hi") && strcmp(p, "setsockopt-ulp-i386") &&
	    strcmp(p, "socketcall-setsockopt-i386"))
		return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return report(p, -1, errno);
	if (!strcmp(p, "setsockopt-ulp") || !strcmp(p, "setsockopt-ulp-hi")) {
		/* the kernel reads an int: the high half hides nothing */
		unsigned long level = SOL_TCP | (strcmp(p, "setsockopt-ulp") ? 1UL << 32 : 0);
		long r = syscall(SYS_setsockopt, fd, level, TCP_ULP, ulp, strlen(ulp));

		return report(p, r, errno);
	}
#if defined(__x86_64__)
	char *name = low_page();
	unsigned int *args = (unsigned int *)(name + 64);

	if (!name)
		return report(p, -1, errno);
	strncpy(name, ulp, 63);
	if (!strcmp(p, "setsockopt-ulp-i386"))
		return report_raw(p, i386_call6(I386_NR_SETSOCKOPT, fd, SOL_TCP, TCP_ULP, (long)(uintptr_t)name,
						(long)strlen(name)));
	args[0] = (unsigned int)fd;
	args[1] = SOL_TCP;
	args[2] = TCP_ULP;
	args[3] = (unsigned int)(uintptr_t)name;
	args[4] = (unsigned int)strlen(name);
	return report_raw(p, i386_call(I386_NR_SOCKETCALL, SOCKETCALL_SETSOCKOPT, (long)(uintptr_t)args, 0, 0));
#else
	return report(p, -1, ENOSYS);
#endif
}

/* tiocsctty ARG: as a process that has made itself a session leader, the
 * one a program needs to be to take a terminal. */
static int tiocsctty_probe(const char *p, const char *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		long r = setsid();
		if (r >= 0)
			r = ioctl(0, TIOCSCTTY, arg ? atoi(arg) : 0);
		report(p, r, errno);
		_exit(0);
	}
	if (pid < 0)
		return report(p, -1, errno);
	waitpid(pid, &status, 0);
	return 0;
}

/* personality[-i386] VALUE; -1 if @p is not one. */
static int personality_probe(const char *p, const char *arg)
{
	unsigned long long v = arg ? strtoull(arg, NULL, 0) : 0xffffffffULL;
	long r;

	if (!strcmp(p, "personality")) {
		r = syscall(SYS_personality, v);
		if (r < 0)
			return report(p, r, errno);
	} else if (!strcmp(p, "personality-i386")) {
#if defined(__x86_64__)
		r = i386_call(I386_NR_PERSONALITY, (long)v, 0, 0, 0);
		if (r < 0 && r > -4096)
			return report_raw(p, r);
#else
		return report(p, -1, ENOSYS);
#endif
	} else {
		return -1;
	}
	printf("%s ok %#lx now %#lx\n", p, (unsigned long)r, (unsigned long)syscall(SYS_personality, 0xffffffffUL));
	return 0;
}

/* The socket probes: FAMILY TYPE PROTOCOL in @arg; -1 if @p is not one. */
static int socket_probe(const char *p, char **arg)
{
	unsigned long long a[3];
	int sv[2];
	long r;

	for (int i = 0; i < 3; i++)
		a[i] = arg[i] ? strtoull(arg[i], NULL, 0) : 0;
	if (!strcmp(p, "socket")) {
		r = syscall(SYS_socket, a[0], a[1], a[2]);
		return report(p, r, errno);
	}
	if (!strcmp(p, "socketpair")) {
		r = syscall(SYS_socketpair, a[0], a[1], a[2], sv);
		return report(p, r, errno);
	}
	if (!strcmp(p, "socket-x32")) {
#if defined(__x86_64__)
		r = syscall(X32_SYSCALL_BIT | X32_NR_SOCKET, a[0], a[1], a[2]);
		return report(p, r, errno);
#else
		return report(p, -1, ENOSYS);
#endif
	}
	if (strncmp(p, "socket", 6) || !strstr(p, "-i386"))
		return -1;
#if defined(__x86_64__)
	unsigned int *low = low_page();
	if (!low)
		return report(p, -1, errno);
	if (!strcmp(p, "socket-i386"))
		return report_raw(p, i386_call(I386_NR_SOCKET, (long)a[0], (long)a[1], (long)a[2], 0));
	if (!strcmp(p, "socketpair-i386"))
		return report_raw(p, i386_call(I386_NR_SOCKETPAIR, (long)a[0], (long)a[1], (long)a[2],
					       (long)(uintptr_t)low));
	/* socketcall(CALL, ARGS): the arguments in memory, as i386 glibc does */
	low[0] = (unsigned int)a[0];
	low[1] = (unsigned int)a[1];
	low[2] = (unsigned int)a[2];
	low[3] = (unsigned int)(uintptr_t)(low + 4);
	if (!strcmp(p, "socketcall-i386"))
		return report_raw(p, i386_call(I386_NR_SOCKETCALL, SOCKETCALL_SOCKET, (long)(uintptr_t)low, 0, 0));
	if (!strcmp(p, "socketcall-pair-i386"))
		return report_raw(p, i386_call(I386_NR_SOCKETCALL, SOCKETCALL_SOCKETPAIR, (long)(uintptr_t)low, 0, 0));
	return -1;
#else
	return report(p, -1, ENOSYS);
#endif
}

/* The sending probes: IP PORT in @arg; -1 if @p is not one. */
static int send_probe(const char *p, char **arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int tcp = !strcmp(p, "tcpconnect-i386"), fd;

	if (strncmp(p, "udpsend-", 8) && !tcp)
		return -1;
	if (!arg[0] || !arg[1] || inet_pton(AF_INET, arg[0], &sa.sin_addr) != 1)
		return report(p, -1, EINVAL);
	sa.sin_port = htons((uint16_t)atoi(arg[1]));
	fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return report(p, -1, errno);
	if (!strcmp(p, "udpsend-unspec")) {
		struct sockaddr_in un = sa;
		long r;

		un.sin_family = AF_UNSPEC;
		r = syscall(SYS_sendto, fd, "x", 1, 0, &un, sizeof(un));
		return report(p, r, errno);
	}
	if (!strcmp(p, "udpsend-mmsg20")) {
		struct sockaddr_in dns = sa;
		struct iovec iov = { "x", 1 };
		struct mmsghdr m[20];
		long r;

		dns.sin_port = htons(53);
		memset(m, 0, sizeof(m));
		for (int i = 0; i < 20; i++) {
			m[i].msg_hdr.msg_name = i == 19 ? &sa : &dns;
			m[i].msg_hdr.msg_namelen = sizeof(sa);
			m[i].msg_hdr.msg_iov = &iov;
			m[i].msg_hdr.msg_iovlen = 1;
		}
		r = syscall(SYS_sendmmsg, fd, m, 20, 0);
		return report(p, r, errno);
	}
	if (!strcmp(p, "udpsend-fd900")) {
		struct iovec iov = { "x", 1 };
		struct msghdr m = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };

		long r;

		if (dup2(fd, 900) < 0)
			return report(p, -1, errno);
		r = syscall(SYS_sendmsg, 900, &m, 0);
		return report(p, r, errno);
	}
#if defined(__x86_64__)
	/* 32-bit pointers: the address, the byte, the headers below 4 GiB */
	unsigned int *low = low_page();
	if (!low)
		return report(p, -1, errno);
	memcpy(low, &sa, sizeof(sa));
	((char *)low)[64] = 'x';
	unsigned int addr = (unsigned int)(uintptr_t)low, byte = addr + 64;
	unsigned int *iov = low + 32, *msg = low + 40, *args = low + 64;
	iov[0] = byte;
	iov[1] = 1;
	/* struct msghdr of i386: name, namelen, iov, iovlen, control, controllen, flags */
	msg[0] = addr, msg[1] = sizeof(sa), msg[2] = (unsigned int)(uintptr_t)iov, msg[3] = 1;
	msg[4] = msg[5] = msg[6] = 0;
	if (tcp)
		return report_raw(p, i386_call(I386_NR_CONNECT, fd, addr, sizeof(sa), 0));
	if (!strcmp(p, "udpsend-i386"))
		return report_raw(p, i386_call7(I386_NR_SENDTO, fd, byte, 1, 0, addr, sizeof(sa)));
	if (!strcmp(p, "udpsend-sendmsg-i386"))
		return report_raw(p, i386_call(I386_NR_SENDMSG, fd, (long)(uintptr_t)msg, 0, 0));
	if (!strcmp(p, "udpsend-socketcall-i386")) {
		args[0] = (unsigned int)fd, args[1] = byte, args[2] = 1, args[3] = 0, args[4] = addr;
		args[5] = sizeof(sa);
		return report_raw(p, i386_call(I386_NR_SOCKETCALL, SOCKETCALL_SENDTO, (long)(uintptr_t)args, 0, 0));
	}
	return -1;
#else
	return report(p, -1, ENOSYS);
#endif
}

int main(int argc, char **argv)
{
	const char *p = argc > 1 ? argv[1] : "";
	long r;
	char c = 'x';

	errno = 0;
	if (socket_probe(p, argv + (argc > 1 ? 2 : 1)) == 0 || send_probe(p, argv + (argc > 1 ? 2 : 1)) == 0 ||
	    badfd_probe(p, argc > 2 ? argv[2] : NULL) == 0 ||
	    personality_probe(p, argc > 2 ? argv[2] : NULL) == 0 || ulp_probe(p, argc > 2 ? argv[2] : NULL) == 0)
		return 0;
	if (!strcmp(p, "tiocsctty"))
		return tiocsctty_probe(p, argc > 2 ? argv[2] : NULL);
	if (!strcmp(p, "tiocsetd")) {
		int ld = N_NULL;
		r = ioctl(0, TIOCSETD, &ld);
		return report(p, r, errno);
	}
	if (!strcmp(p, "tiocgetd")) {
		int ld = -1;
		r = ioctl(0, TIOCGETD, &ld);
		return report(p, r < 0 ? r : ld, errno);
	}
	if (!strcmp(p, "tiocexcl")) {
		r = ioctl(0, TIOCEXCL);
		return report(p, r, errno);
	}
	if (!strcmp(p, "open-tty")) {
		r = open("/dev/tty", O_RDWR | O_NOCTTY);
		return report(p, r, errno);
	}
	if (!strcmp(p, "euid")) {
		printf("euid %u\n", (unsigned)geteuid());
		return 0;
	}
	if (!strcmp(p, "unshare")) {
		r = syscall(SYS_unshare, CLONE_NEWUSER);
		return report(p, r, errno);
	}
	if (!strcmp(p, "clone")) {
		/* fork-like raw clone into a new user namespace */
		r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		return report(p, r > 0 ? 0 : r, errno);
	}
	if (!strcmp(p, "clone3")) {
		/* size 0 is invalid: the kernel says EINVAL, the filter ENOSYS */
		r = syscall(SYS_clone3, NULL, 0);
		return report(p, r, errno);
	}
	if (!strcmp(p, "securebits")) {
		r = prctl(PR_GET_SECUREBITS);
		if (r >= 0) {
			printf("%s 0x%lx\n", p, r);
			return 0;
		}
		return report(p, r, errno);
	}
#if defined(__x86_64__)
	if (!strcmp(p, "unshare-i386"))
		return report_raw(p, i386_call(I386_NR_UNSHARE, CLONE_NEWUSER, 0, 0, 0));
	if (!strcmp(p, "clone-i386")) {
		/* fork-like: no new stack, the child returns here with 0 */
		r = i386_call(I386_NR_CLONE, CLONE_NEWUSER | SIGCHLD, 0, 0, 0);
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		return report_raw(p, r > 0 ? 0 : r);
	}
	if (!strcmp(p, "keyctl-i386"))
		return report_raw(p, i386_call(I386_NR_KEYCTL, 0, -3, 0, 0));
	if (!strcmp(p, "tiocsti-i386")) {
		char *low = low_page();
		if (!low)
			return report(p, -1, errno);
		*low = 'x';
		return report_raw(p, i386_call(I386_NR_IOCTL, 0, (long)TIOCSTI, (long)(uintptr_t)low, 0));
	}
#else
	if (!strcmp(p, "unshare-i386") || !strcmp(p, "clone-i386") || !strcmp(p, "keyctl-i386") ||
	    !strcmp(p, "tiocsti-i386"))
		return report(p, -1, ENOSYS);
#endif
	if (!strcmp(p, "unshare-x32")) {
#if defined(__x86_64__)
		r = syscall(X32_SYSCALL_BIT | X32_NR_UNSHARE, CLONE_NEWUSER);
		return report(p, r, errno);
#else
		return report(p, -1, ENOSYS);
#endif
	}
	if (!strcmp(p, "tiocsti")) {
		r = syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI, &c);
		return report(p, r, errno);
	}
	if (!strcmp(p, "tiocsti-hi")) {
		/* the kernel truncates the command to 32 bits */
		r = syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI | (1UL << 32), &c);
		return report(p, r, errno);
	}
	if (!strcmp(p, "tioclinux")) {
		char sub = 7; /* TIOCL_GETSHIFTSTATE: harmless */
		r = syscall(SYS_ioctl, 0, (unsigned long)TIOCLINUX, &sub);
		return report(p, r, errno);
	}
	if (!strcmp(p, "tioclinux-hi")) {
		char sub = 7;
		r = syscall(SYS_ioctl, 0, (unsigned long)TIOCLINUX | (1UL << 32), &sub);
		return report(p, r, errno);
	}
	if (!strcmp(p, "keyctl")) {
		/* KEYCTL_GET_KEYRING_ID (0) of KEY_SPEC_SESSION_KEYRING (-3) */
		r = syscall(SYS_keyctl, 0, -3, 0);
		return report(p, r, errno);
	}
	if (!strcmp(p, "io_uring_setup")) {
		char params[120]; /* struct io_uring_params */
		memset(params, 0, sizeof(params));
		r = syscall(SYS_io_uring_setup, 1, params);
		return report(p, r, errno);
	}
	if (!strcmp(p, "bpf")) {
		/* an attribute size over a page: the kernel answers E2BIG before
		 * any privilege check, so EPERM can only be the filter */
		r = syscall(SYS_bpf, 0, NULL, 1UL << 20);
		return report(p, r, errno);
	}
	if (!strcmp(p, "userfaultfd")) {
		/* user-mode-only faults: allowed to anyone by
		 * vm.unprivileged_userfaultfd=0 */
		r = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY_);
		return report(p, r, errno);
	}
	if (!strcmp(p, "perf_event_open")) {
		struct perf_event_attr a;
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_TASK_CLOCK;
		a.exclude_kernel = 1;
		a.exclude_hv = 1;
		a.disabled = 1;
		r = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
		return report(p, r, errno);
	}
	fprintf(stderr, "sysprobe: unknown probe '%s'\n", p);
	return 2;
}
