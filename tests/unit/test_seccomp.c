/* test_seccomp.c — the filter netbox loads (seccomp-filter.h, compiled from
 * launcher/seccomp_rules.c), loaded in a child by seccomp_apply(), and each
 * argument its rules compare swept against what the rules mean: the socket
 * families and netlink protocols kept, the ioctl requests refused, the
 * personality values refused (the query is not).  The tables here are the
 * specification, written apart from the rules.
 *
 * Every call is one the kernel fails with another errno than the filter's
 * (an invalid socket type: EINVAL before the family is looked at;
 * descriptor -1: EBADF), so no socket is made and no module loaded: the
 * errno says who answered.  personality() is made for real (in the child),
 * and set back after each value the filter lets through.  TAP output.
 */
#include <errno.h>
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
static const uint64_t ioctls_refused[] = { TIOCSTI, TIOCLINUX, TIOCSETD, TIOCEXCL, TIOCCONS, TIOCVHANGUP };
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

/* socket() and socketpair() of every family below 128, and of some with
 * high bits set (the kernel reads an int; the filter refuses those). */
static void sockets(void)
{
	static const uint64_t high[] = { 0, HI(1), HI(0xffffffff) };
	const char *names[] = { "socket", "socketpair" };
	int sv[2];

	for (int call = 0; call < 2; call++) {
		struct sweep s = { 0, 0 }, nl = { 0, 0 };

		for (size_t h = 0; h < sizeof(high) / sizeof(high[0]); h++)
			for (uint64_t f = 0; f < 128; f++) {
				uint64_t fam = f | high[h];
				int kept = !high[h] && in(f, families_kept, 4);
				long r = call ? syscall(SYS_socketpair, fam, BAD_SOCKET_TYPE, 0, sv)
					      : syscall(SYS_socket, fam, BAD_SOCKET_TYPE, 0);

				sweep_check(&s, names[call], fam, r < 0 ? errno : 0, kept ? EINVAL : EAFNOSUPPORT);
			}
		ok(s.wrong == 0, "%s: %u families, all refused (EAFNOSUPPORT) but AF_UNIX, AF_INET, AF_INET6, AF_NETLINK",
		   names[call], s.calls);

		for (size_t h = 0; h < sizeof(high) / sizeof(high[0]); h++)
			for (uint64_t p = 0; p < 64; p++) {
				uint64_t proto = p | high[h];
				int kept = !high[h] && in(p, netlink_kept, 2);
				long r = call ? syscall(SYS_socketpair, AF_NETLINK, BAD_SOCKET_TYPE, proto, sv)
					      : syscall(SYS_socket, AF_NETLINK, BAD_SOCKET_TYPE, proto);

				sweep_check(&nl, names[call], proto, r < 0 ? errno : 0, kept ? EINVAL : EAFNOSUPPORT);
			}
		ok(nl.wrong == 0, "%s(AF_NETLINK): %u protocols, all refused but NETLINK_ROUTE, NETLINK_SOCK_DIAG",
		   names[call], nl.calls);
	}
}

/* Every request of the tty ('T', 0x54) and console ranges on descriptor
 * -1, and the refused ones with high bits set (the kernel truncates the
 * command to 32 bits). */
static void ioctls(void)
{
	struct sweep s = { 0, 0 };

	for (uint64_t req = 0x5400; req < 0x5700; req++) {
		long r = syscall(SYS_ioctl, -1, req, 0);

		sweep_check(&s, "ioctl", req, r < 0 ? errno : 0, in(req, ioctls_refused, 6) ? EPERM : EBADF);
	}
	for (size_t i = 0; i < 6; i++) {
		uint64_t req = ioctls_refused[i] | HI(0xdeadbeef);
		long r = syscall(SYS_ioctl, -1, req, 0);

		sweep_check(&s, "ioctl", req, r < 0 ? errno : 0, EPERM);
	}
	ok(s.wrong == 0, "ioctl: %u requests, EPERM for TIOCSTI, TIOCLINUX, TIOCSETD, TIOCEXCL, TIOCCONS, "
			 "TIOCVHANGUP (whatever the high 32 bits), EBADF for the others (TIOCSCTTY among them)",
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
