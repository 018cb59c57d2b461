/* test_seccomp.c — the filter netbox loads (seccomp-filter.h, compiled from
 * launcher/seccomp_rules.c), loaded in a child by seccomp_apply(), and each
 * argument its rules compare swept against what the rules mean: the socket
 * families, netlink protocols and IP protocols kept, the ioctl requests
 * refused (the console's whole KD* and VT_* ranges among them),
 * setsockopt(SOL_TCP, TCP_ULP) refused, the personality values refused (the
 * query is not).  The tables here are the specification, written apart
 * from the rules.
 *
 * Every call is one the kernel fails with another errno than the filter's
 * (an invalid socket type: EINVAL before the family is looked at;
 * descriptor -1: EBADF, also for setsockopt), so no socket is made and no
 * module loaded: the errno says who answered.  personality() is made for real (in the child),
 * and set back after each value the filter lets through.  TAP output.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/privs.h"
#include "tap.h"

#define BAD_SOCKET_TYPE 0x10 /* not a type nor a flag: EINVAL first */
#define HI(n) ((uint64_t)(n) << 32)

static const uint64_t families_kept[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };
static const uint64_t netlink_kept[] = { 0 /* NETLINK_ROUTE */, 4 /* NETLINK_SOCK_DIAG */ };
/* 0 is the default protocol (IPPROTO_IP's value) */
static const uint64_t ip_protocols_kept[] = { 0, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6 };
static const uint64_t ioctls_refused[] = { TIOCSTI, TIOCLINUX, TIOCSETD, TIOCEXCL, TIOCCONS, TIOCVHANGUP };
#define KD_FIRST 0x4b00 /* the console's KD* requests: 0x4b00-0x4bff */
#define VT_FIRST 0x5600 /* VT_*: 0x5600-0x56ff */
/* PER_CLEAR_ON_SETID */
static const uint32_t personality_refused = ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC | MMAP_PAGE_ZERO |
					    ADDR_COMPAT_LAYOUT;

static int in(uint64_t v, const uint64_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == v)
			return 1;
	return 0;
}

/* One sweep's mismatches: counted, the first few shown. */
struct sweep {
	unsigned calls, wrong;
};

static void sweep_check(struct sweep *s, const char *call, uint64_t arg, int got, int want)
{
	s->calls++;
	if (got == want)
		return;
	if (++s->wrong <= 5)
		printf("#   %s(%#llx): errno %d, want %d\n", call, (unsigned long long)arg, got, want);
}

/* socket() or socketpair() (@call) with every value below @n, and with the
 * high 32 bits set (the kernel reads an int; the filter refuses those), as
 * the family (@fam < 0) or as the protocol of family @fam: EINVAL (the bad
 * type, past the filter) for the values in @kept, @err for the others. */
static void sweep_socket(struct sweep *s, int call, int fam, uint64_t n, const uint64_t *kept, size_t nkept,
			 int err)
{
	static const uint64_t high[] = { 0, HI(1), HI(0xffffffff) };
	static const char *const names[] = { "socket", "socketpair" };
	int sv[2];

	for (size_t h = 0; h < sizeof(high) / sizeof(high[0]); h++)
		for (uint64_t v = 0; v < n; v++) {
			uint64_t family = fam < 0 ? v | high[h] : (uint64_t)fam;
			uint64_t proto = fam < 0 ? 0 : v | high[h];
			int keep = !high[h] && in(v, kept, nkept);
			long r = call ? syscall(SYS_socketpair, family, BAD_SOCKET_TYPE, proto, sv)
				      : syscall(SYS_socket, family, BAD_SOCKET_TYPE, proto);

			sweep_check(s, names[call], v | high[h], r < 0 ? errno : 0, keep ? EINVAL : err);
		}
}

/* The families below 128, the netlink protocols below 64 and the IP
 * protocols below 300 (MPTCP is 262). */
static void sockets(void)
{
	static const char *const names[] = { "socket", "socketpair" };

	for (int call = 0; call < 2; call++) {
		struct sweep s = { 0, 0 }, nl = { 0, 0 };

		sweep_socket(&s, call, -1, 128, families_kept, 4, EAFNOSUPPORT);
		ok(s.wrong == 0, "%s: %u families, all refused (EAFNOSUPPORT) but AF_UNIX, AF_INET, AF_INET6, AF_NETLINK",
		   names[call], s.calls);
		sweep_socket(&nl, call, AF_NETLINK, 64, netlink_kept, 2, EAFNOSUPPORT);
		ok(nl.wrong == 0, "%s(AF_NETLINK): %u protocols, all refused but NETLINK_ROUTE, NETLINK_SOCK_DIAG",
		   names[call], nl.calls);
		for (int fam = AF_INET; fam <= AF_INET6; fam += AF_INET6 - AF_INET) {
			struct sweep ip = { 0, 0 };

			sweep_socket(&ip, call, fam, 300, ip_protocols_kept, 5, EPROTONOSUPPORT);
			ok(ip.wrong == 0,
			   "%s(%s): %u protocols, all refused (EPROTONOSUPPORT) but 0, ICMP, TCP, UDP, ICMPv6 "
			   "(MPTCP, UDP-Lite, SCTP, DCCP, L2TP among the refused)",
			   names[call], fam == AF_INET ? "AF_INET" : "AF_INET6", ip.calls);
		}
	}
}

/* setsockopt() of every level below 300 and option below 64 on descriptor
 * -1: EPERM for SOL_TCP's TCP_ULP alone, whatever the high 32 bits of
 * either (the kernel reads ints). */
static void sockopts(void)
{
	static const uint64_t high[] = { 0, HI(1), HI(0xffffffff) };
	struct sweep s = { 0, 0 };
	char ulp[] = "tls";

	for (uint64_t level = 0; level < 300; level++)
		for (uint64_t opt = 0; opt < 64; opt++) {
			long r = syscall(SYS_setsockopt, -1, level, opt, ulp, sizeof(ulp));

			sweep_check(&s, "setsockopt", level << 8 | opt, r < 0 ? errno : 0,
				    level == SOL_TCP && opt == TCP_ULP ? EPERM : EBADF);
		}
	for (size_t a = 0; a < 3; a++)
		for (size_t b = 0; b < 3; b++) {
			long r = syscall(SYS_setsockopt, -1, SOL_TCP | high[a], TCP_ULP | high[b], ulp, sizeof(ulp));

			sweep_check(&s, "setsockopt", (SOL_TCP << 8 | TCP_ULP) | high[a] | high[b], r < 0 ? errno : 0,
				    EPERM);
		}
	ok(s.wrong == 0, "setsockopt: %u level/option pairs, EPERM for SOL_TCP, TCP_ULP alone (whatever the high "
			 "32 bits), EBADF for the others", s.calls);
}

static int ioctl_refused(uint64_t req)
{
	uint32_t lo = (uint32_t)req;

	return in(lo, ioctls_refused, 6) || (lo & 0xffffff00) == KD_FIRST || (lo & 0xffffff00) == VT_FIRST;
}

/* Every request from 0x4a00 to 0x57ff on descriptor -1: the console's KD*
 * ('K', 0x4b), the tty's ('T', 0x54) and VT_* (0x56) with their
 * neighbours; the refused ones with high bits set (the kernel truncates
 * the command to 32 bits); and new-style requests of type 'K' or 'V',
 * which are other drivers' (their size and direction bits are set). */
static void ioctls(void)
{
	static const uint64_t others[] = { 0x80044b00, 0x40084b45, 0xc0105606, 0x00014b00, 0x00015600 };
	static const uint64_t refused_high[] = { 0x4b45 /* KDSKBMODE */, 0x4b3a /* KDSETMODE */,
						 0x4b71 /* PIO_CMAP */, 0x5606 /* VT_ACTIVATE */, 0x4b00, 0x56ff };
	struct sweep s = { 0, 0 };

	for (uint64_t req = 0x4a00; req < 0x5800; req++) {
		long r = syscall(SYS_ioctl, -1, req, 0);

		sweep_check(&s, "ioctl", req, r < 0 ? errno : 0, ioctl_refused(req) ? EPERM : EBADF);
	}
	for (size_t i = 0; i < 6; i++) {
		uint64_t req[2] = { ioctls_refused[i] | HI(0xdeadbeef), refused_high[i] | HI(1) };

		for (size_t k = 0; k < 2; k++) {
			long r = syscall(SYS_ioctl, -1, req[k], 0);

			sweep_check(&s, "ioctl", req[k], r < 0 ? errno : 0, EPERM);
		}
	}
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		long r = syscall(SYS_ioctl, -1, others[i], 0);

		sweep_check(&s, "ioctl", others[i], r < 0 ? errno : 0, EBADF);
	}
	ok(s.wrong == 0, "ioctl: %u requests, EPERM for TIOCSTI, TIOCLINUX, TIOCSETD, TIOCEXCL, TIOCCONS, "
			 "TIOCVHANGUP and all of 0x4b00-0x4bff (KD*) and 0x5600-0x56ff (VT_*) (whatever the high "
			 "32 bits), EBADF for the others (TIOCSCTTY, new-style 'K' and 'V' requests among them)",
	   s.calls);
}

static void personality_try(struct sweep *s, uint64_t v)
{
	uint32_t lo = (uint32_t)v;
	int refused = (lo & personality_refused) && lo != 0xffffffffu;
	long r = syscall(SYS_personality, v);

	sweep_check(s, "personality", v, r < 0 ? errno : 0, refused ? EPERM : 0);
	if (r >= 0)
		syscall(SYS_personality, PER_LINUX);
}

/* Every combination of the refused flags, over no other bit, every other
 * bit, and every other bit but one; with high bits set too. */
static void personalities(void)
{
	static const uint64_t high[] = { 0, HI(1), HI(0xffffffff) };
	struct sweep s = { 0, 0 };
	uint32_t others = ~personality_refused;
	long r;

	for (size_t h = 0; h < sizeof(high) / sizeof(high[0]); h++)
		for (uint32_t sub = personality_refused;; sub = (sub - 1) & personality_refused) {
			personality_try(&s, high[h] | sub);
			personality_try(&s, high[h] | sub | others);
			for (unsigned b = 0; b < 32; b++)
				if (others & (1u << b))
					personality_try(&s, high[h] | sub | (others & ~(1u << b)));
			if (!sub)
				break;
		}
	personality_try(&s, PER_LINUX32);
	personality_try(&s, UNAME26);
	ok(s.wrong == 0, "personality: %u values, EPERM for those with ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, "
			 "MMAP_PAGE_ZERO or ADDR_COMPAT_LAYOUT but the query 0xffffffff",
	   s.calls);

	syscall(SYS_personality, PER_LINUX32);
	r = syscall(SYS_personality, 0xffffffffUL);
	is_int(r, PER_LINUX32, "personality(0xffffffff) answers the persona (PER_LINUX32)");
	r = syscall(SYS_personality, 0xffffffffUL | HI(1));
	is_int(r, PER_LINUX32, "personality(0x1ffffffff) is the query too (the kernel reads 32 bits)");
	syscall(SYS_personality, PER_LINUX);
}

int main(void)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("Bail out! cannot fork\n");
		return 1;
	}
	if (pid == 0) {
		seccomp_apply();
		sockets();
		sockopts();
		ioctls();
		personalities();
		fflush(stdout);
		_exit(tap_done());
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
		printf("Bail out! the child under the filter died (status %#x)\n", status);
		return 1;
	}
	return WEXITSTATUS(status);
}
