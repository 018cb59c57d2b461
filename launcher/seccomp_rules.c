/* seccomp_rules.c — the system call filter the program runs under: its
 * rules, built with libseccomp.  They are compiled to BPF once, at build
 * time, by seccomp_gen.c (into seccomp-filter.h), and loaded at run time by
 * seccomp.c: libseccomp's compilation costs about a millisecond, which
 * every start of netbox would otherwise pay.
 *
 * A deny list on top of an allowing default, as Docker's default profile
 * effectively is for a process without capabilities: the calls Docker's
 * profile refuses, plus the ones that open kernel attack surface an
 * unprivileged user still reaches on a stock kernel (user namespaces,
 * io_uring, bpf, userfaultfd, perf_event_open, keyctl) and the terminal
 * ioctls that reach past the program into the user's terminal (TIOCSTI
 * injects input, as this kernel still has dev.tty.legacy_tiocsti=1; TIOCSETD
 * and TIOCEXCL outlive netbox; the Linux console's KD* and VT_* requests
 * outlive it on a virtual terminal).  Allow lists inside it: the socket
 * families the program may create, the netlink protocols, and the IP
 * protocols of AF_INET and AF_INET6 sockets.
 *
 * The filter covers every ABI the kernel runs: on x86_64 also i386 and x32
 * (an int 0x80 or an x32 syscall number must not bypass it); other
 * architectures are killed by libseccomp's bad-arch action.
 */
#include "privs.h"
#include "seccomp_rules.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/socket.h>

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

struct seccomp_deny {
	const char *name;
	int err;         /* errno returned */
	const char *why; /* shown by --check */
};

static const struct seccomp_deny seccomp_deny_table[] = {
	/* kernel attack surface reachable without privilege */
	{ "bpf", EPERM, "eBPF" },
	{ "userfaultfd", EPERM, "userfaultfd (exploit primitive)" },
	{ "perf_event_open", EPERM, "perf events" },
	{ "io_uring_setup", EPERM, "io_uring (bypasses syscall filtering)" },
	{ "io_uring_enter", EPERM, "io_uring" },
	{ "io_uring_register", EPERM, "io_uring" },
	{ "keyctl", EPERM, "kernel keyring" },
	{ "add_key", EPERM, "kernel keyring" },
	{ "request_key", EPERM, "kernel keyring" },
	/* no namespaces or mounts of its own */
	{ "setns", EPERM, "join namespaces" },
	{ "mount", EPERM, "mounts" },
	{ "umount", EPERM, "mounts" },
	{ "umount2", EPERM, "mounts" },
	{ "pivot_root", EPERM, "mounts" },
	{ "fsopen", EPERM, "mounts" },
	{ "fsconfig", EPERM, "mounts" },
	{ "fsmount", EPERM, "mounts" },
	{ "fspick", EPERM, "mounts" },
	{ "move_mount", EPERM, "mounts" },
	{ "open_tree", EPERM, "mounts" },
	{ "mount_setattr", EPERM, "mounts" },
	{ "chroot", EPERM, "chroot" },
	/* the rest of Docker's default deny set */
	{ "acct", EPERM, "Docker default" },
	{ "clock_adjtime", EPERM, "Docker default" },
	{ "clock_settime", EPERM, "Docker default" },
	{ "settimeofday", EPERM, "Docker default" },
	{ "stime", EPERM, "Docker default" },
	{ "create_module", EPERM, "Docker default" },
	{ "init_module", EPERM, "Docker default" },
	{ "finit_module", EPERM, "Docker default" },
	{ "delete_module", EPERM, "Docker default" },
	{ "query_module", EPERM, "Docker default" },
	{ "get_kernel_syms", EPERM, "Docker default" },
	{ "kexec_load", EPERM, "Docker default" },
	{ "kexec_file_load", EPERM, "Docker default" },
	{ "reboot", EPERM, "Docker default" },
	{ "swapon", EPERM, "Docker default" },
	{ "swapoff", EPERM, "Docker default" },
	{ "ioperm", EPERM, "Docker default" },
	{ "iopl", EPERM, "Docker default" },
	{ "kcmp", EPERM, "Docker default" },
	{ "lookup_dcookie", EPERM, "Docker default" },
	{ "nfsservctl", EPERM, "Docker default" },
	{ "open_by_handle_at", EPERM, "Docker default (shocker)" },
	{ "name_to_handle_at", EPERM, "Docker default" },
	{ "quotactl", EPERM, "Docker default" },
	{ "quotactl_fd", EPERM, "Docker default" },
	{ "sysfs", EPERM, "Docker default" },
	{ "_sysctl", EPERM, "Docker default" },
	{ "syslog", EPERM, "Docker default" },
	{ "uselib", EPERM, "Docker default" },
	{ "ustat", EPERM, "Docker default" },
	{ "vm86", EPERM, "Docker default" },
	{ "vm86old", EPERM, "Docker default" },
	{ "vhangup", EPERM, "Docker default" },
	{ "get_mempolicy", EPERM, "Docker default" },
	{ "set_mempolicy", EPERM, "Docker default" },
	{ "mbind", EPERM, "Docker default" },
	{ "move_pages", EPERM, "Docker default" },
	/* clone3 passes its flags in memory the filter cannot read: ENOSYS
	 * makes glibc and other runtimes fall back to clone(). */
	{ "clone3", ENOSYS, "flags not inspectable; callers fall back to clone" },
};

/* A constant and its name, for --check. */
struct seccomp_value {
	uint64_t value;
	const char *name;
};
#define SECCOMP_VALUE(v) { (uint64_t)(v), #v }

/* ioctl()s refused on every descriptor: the program shares the user's
 * terminal (it stays in its foreground process group), and the filter
 * cannot tell that terminal from a pty the program opened itself. */
static const struct seccomp_value seccomp_ioctls[] = {
	/* typing into the shell that ran netbox (TIOCLINUX: the console's
	 * selection and paste) */
	SECCOMP_VALUE(TIOCSTI),
	SECCOMP_VALUE(TIOCLINUX),
	/* A line discipline outlives the program: N_NULL leaves the user's
	 * shell reading nothing after netbox exits.  Line disciplines are
	 * kernel attack surface too (n_hdlc CVE-2017-2636, n_gsm
	 * CVE-2023-6546), and nothing netbox runs sets one. */
	SECCOMP_VALUE(TIOCSETD),
	/* Exclusive mode outlives it too: in that shell, whatever opens
	 * /dev/tty (sudo's and ssh's password prompts, less) gets EBUSY. */
	SECCOMP_VALUE(TIOCEXCL),
	/* Redirecting the console's messages, and vhangup(2) by ioctl (the
	 * deny table refuses vhangup): the kernel already wants CAP_SYS_ADMIN
	 * in the initial namespace, which the program never has. */
	SECCOMP_VALUE(TIOCCONS),
	SECCOMP_VALUE(TIOCVHANGUP),
};
/* Whole ioctl() request ranges refused the same way: the Linux console's
 * keyboard and display (KD*: KDSKBMODE K_OFF leaves the keyboard dead,
 * KDSETMODE KD_GRAPHICS the screen blank, PIO_CMAP and PIO_FONT repaint it,
 * KDSETLED, KDSIGACCEPT) and its virtual terminals (VT_*: VT_ACTIVATE
 * switches away, VT_SETMODE hands switching to the program, VT_LOCKSWITCH
 * keeps the user from switching back).  When netbox runs on a virtual
 * terminal, the program's terminal is that console, and what these set
 * stays set after netbox exits.  The getters go with them (KDGKBTYPE,
 * VT_GETSTATE): the program needs none of them, and on a pty the kernel
 * answers ENOTTY to all.  The request is old-style (no size or direction
 * bits): each range is its type byte, one masked comparison. */
static const struct {
	uint32_t first, mask;
	const char *name;
} seccomp_ioctl_ranges[] = {
	{ 0x4b00, 0xffffff00, "KD* (0x4b00-0x4bff)" },
	{ 0x5600, 0xffffff00, "VT_* (0x5600-0x56ff)" },
};

/* TIOCSCTTY stays allowed: script, tmux, expect, and glibc's login_tty()
 * (forkpty(), Python's pty.spawn()) make a new pty their controlling
 * terminal with it.  The kernel keeps the user's terminal (tiocsctty()):
 * only a session leader without one may take a terminal, and the program
 * is not one (it stays in netbox's session, netbox being at most the
 * leader); after setsid() it may take only a terminal that is no
 * session's controlling terminal — the user's is its shell's — as taking
 * one from a session (argument 1) wants CAP_SYS_ADMIN in the initial
 * namespace. */

/* personality(2): the flags the kernel itself drops on a setuid exec
 * (PER_CLEAR_ON_SETID) because they weaken the process — no ASLR, readable
 * memory executable, page 0 mapped, the legacy mmap layout.  Other
 * personas (linux32, uname26) are harmless. */
static const struct seccomp_value seccomp_personality_flags[] = {
	SECCOMP_VALUE(ADDR_NO_RANDOMIZE),
	SECCOMP_VALUE(READ_IMPLIES_EXEC),
	SECCOMP_VALUE(MMAP_PAGE_ZERO),
	SECCOMP_VALUE(ADDR_COMPAT_LAYOUT),
};

/* socket(2) and socketpair(2): the families the program may create, in
 * ascending order.  Local sockets, the two the sandbox's network carries,
 * and netlink for reading it (below).  Every other family is refused with
 * EAFNOSUPPORT, what a kernel built without it answers: AF_VSOCK above all,
 * whose port space no network namespace separates (on a VM it reaches the
 * hypervisor and the guest agents: QEMU and Firecracker vsock, WSL2's
 * hv_sock), and the families that are attack surface an unprivileged
 * process reaches by merely naming them (AF_ALG, AF_TIPC, AF_RDS,
 * AF_BLUETOOTH, ... load their modules on socket()). */
static const struct seccomp_value seccomp_families[] = {
	SECCOMP_VALUE(AF_UNIX),
	SECCOMP_VALUE(AF_INET),
	SECCOMP_VALUE(AF_INET6),
	SECCOMP_VALUE(AF_NETLINK),
};

/* The netlink protocols of the program's network namespace worth reading,
 * ascending: NETLINK_ROUTE for glibc's getifaddrs() (getaddrinfo() with
 * AI_ADDRCONFIG, if_nameindex()), Go's and libuv's interface lists and ip(8);
 * NETLINK_SOCK_DIAG for ss(8).  The others are kernel interfaces the
 * program has no use for (NETLINK_NETFILTER, NETLINK_XFRM, NETLINK_GENERIC
 * with its module-loaded families, NETLINK_KOBJECT_UEVENT, NETLINK_AUDIT,
 * whose callers take EAFNOSUPPORT as "no audit in this kernel"). */
static const struct seccomp_value seccomp_netlink_protocols[] = {
	SECCOMP_VALUE(NETLINK_ROUTE),
	SECCOMP_VALUE(NETLINK_SOCK_DIAG),
};

/* The protocols of AF_INET and AF_INET6 sockets, ascending: the default
 * (0) and TCP and UDP by name, ICMP and ICMPv6 for ping sockets (ping(8)
 * and Go's icmp package ask for SOCK_DGRAM with them; the sandbox's
 * ping_group_range refuses them anyway, and raw sockets want CAP_NET_RAW).
 * Every other protocol gets EPROTONOSUPPORT, what a kernel without it
 * answers and what Go's MPTCP probe takes for "fall back to TCP": MPTCP
 * and UDP-Lite, and SCTP, DCCP and L2TP, whose modules socket() loads on a
 * distribution kernel for any user: kernel code no program here needs. */
static const struct seccomp_value seccomp_ip_protocols[] = {
	{ 0, "0" },
	SECCOMP_VALUE(IPPROTO_ICMP),
	SECCOMP_VALUE(IPPROTO_TCP),
	SECCOMP_VALUE(IPPROTO_UDP),
	SECCOMP_VALUE(IPPROTO_ICMPV6),
};

static void seccomp_rule(scmp_filter_ctx ctx, int err, int nr, unsigned n, const struct scmp_arg_cmp *cmp,
			 const char *name)
{
	int r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((uint32_t)err), nr, n, cmp);

	if (r < 0)
		die(NULL, "seccomp: cannot add the rule for %s: %s", name, strerror(-r));
}

static void seccomp_arch(scmp_filter_ctx ctx, uint32_t arch)
{
	int r = seccomp_arch_add(ctx, arch);

	if (r < 0 && r != -EEXIST)
		die(NULL, "seccomp: cannot add an architecture: %s", strerror(-r));
}

/* Refuse (@err) every value of argument @arg of @nr but those in @allowed
 * (ascending), in the calls that also match @with if there is one: the
 * gaps below the largest allowed value as aligned blocks of a power of two
 * values, one masked comparison each (the gap 18..57 is 18-19, 20-23,
 * 24-31, 32-47, 48-55, 56-57), and one rule for all above it.  The masks
 * cover the low 32 bits, and on x86_64 the rule for "above" compares the
 * whole register where the kernel reads an int: a value with any of the
 * high 32 bits set is refused whatever its low half says.  (On i386 and
 * x32 libseccomp compares the low 32 bits, which is what the kernel
 * reads.) */
static void seccomp_allow_only(scmp_filter_ctx ctx, int nr, const char *name, unsigned arg, int err,
			       const struct seccomp_value *allowed, size_t n, const struct scmp_arg_cmp *with)
{
	struct scmp_arg_cmp cmp[2];
	unsigned ncmp = 0;
	uint64_t v = 0;

	if (with)
		cmp[ncmp++] = *with;
	for (size_t next = 0; next < n; v = allowed[next++].value + 1) {
		while (v < allowed[next].value) {
			uint64_t size = 1;

			/* the largest aligned block from v that stays in the gap */
			while (!(v & size) && v + 2 * size <= allowed[next].value)
				size *= 2;
			cmp[ncmp] = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, (uint32_t)~(size - 1), v);
			seccomp_rule(ctx, err, nr, ncmp + 1, cmp, name);
			v += size;
		}
	}
	cmp[ncmp] = SCMP_CMP(arg, SCMP_CMP_GT, allowed[n - 1].value);
	seccomp_rule(ctx, err, nr, ncmp + 1, cmp, name);
}

/* Refuse a personality with one of the flags set, but not 0xffffffff: the
 * query, which changes nothing and has every bit set (a plain "is the flag
 * set" refused it, and setarch and others ask first).  libseccomp takes one
 * comparison per argument in a rule, so "a flag set and not all 32 bits"
 * becomes a union of rules "flag F set, bit B clear": each flag with each
 * other flag as B, and the first flag with each bit that is no flag.  A
 * value with a flag set that is not the query has some flag clear (a rule
 * of the first kind) or all of them set and another bit clear (the
 * second).  Only the low 32 bits are compared: the kernel reads an unsigned
 * int, so no high bit makes a value the query or hides a flag. */
static void seccomp_personality(scmp_filter_ctx ctx)
{
	uint32_t all = 0;

	for (size_t i = 0; i < ARRAY_SIZE(seccomp_personality_flags); i++)
		all |= (uint32_t)seccomp_personality_flags[i].value;
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_personality_flags); i++) {
		uint32_t flag = (uint32_t)seccomp_personality_flags[i].value;

		for (unsigned b = 0; b < 32; b++) {
			uint32_t bit = 1u << b;
			struct scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, flag | bit, flag);

			if (bit == flag || (i > 0 && !(bit & all)))
				continue;
			seccomp_rule(ctx, EPERM, SCMP_SYS(personality), 1, &cmp, seccomp_personality_flags[i].name);
		}
	}
}

static void seccomp_sockets(scmp_filter_ctx ctx)
{
	static const int calls[] = { SCMP_SYS(socket), SCMP_SYS(socketpair) };
	struct scmp_arg_cmp netlink = SCMP_A0(SCMP_CMP_EQ, AF_NETLINK);
	struct scmp_arg_cmp sc_socket = SCMP_A0(SCMP_CMP_EQ, SYS_SOCKET);
	struct scmp_arg_cmp sc_pair = SCMP_A0(SCMP_CMP_EQ, SYS_SOCKETPAIR);
	struct scmp_arg_cmp sc_setsockopt = SCMP_A0(SCMP_CMP_EQ, SYS_SETSOCKOPT);
	struct scmp_arg_cmp inet = SCMP_A0(SCMP_CMP_EQ, AF_INET);
	struct scmp_arg_cmp inet6 = SCMP_A0(SCMP_CMP_EQ, AF_INET6);
	struct scmp_arg_cmp ulp[2] = {
		SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, SOL_TCP),
		SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, TCP_ULP),
	};

	/* i386 also makes sockets through socketcall(2), whose arguments are
	 * in memory a filter cannot read: there the family is unknown, so
	 * making a socket that way is refused outright (libseccomp derives the
	 * same two rules from the socket() ones below, minus their argument
	 * checks; these come first so the intent is written down).  The direct
	 * i386 socket() and socketpair() (Linux 4.3) are filtered like the
	 * native ones — but Debian's i386 glibc (built for Linux 3.2: its
	 * socket() is socketcall with no fallback) and Go's 386 port still use
	 * socketcall, so 32-bit programs cannot make sockets under netbox.
	 * socketcall's other calls act on sockets that exist (accept's has the
	 * listener's family). */
	seccomp_rule(ctx, EAFNOSUPPORT, SCMP_SYS(socketcall), 1, &sc_socket, "socketcall(SYS_SOCKET)");
	seccomp_rule(ctx, EAFNOSUPPORT, SCMP_SYS(socketcall), 1, &sc_pair, "socketcall(SYS_SOCKETPAIR)");
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
		seccomp_allow_only(ctx, calls[i], "socket families", 0, EAFNOSUPPORT, seccomp_families,
				   ARRAY_SIZE(seccomp_families), NULL);
		seccomp_allow_only(ctx, calls[i], "netlink protocols", 2, EAFNOSUPPORT, seccomp_netlink_protocols,
				   ARRAY_SIZE(seccomp_netlink_protocols), &netlink);
		seccomp_allow_only(ctx, calls[i], "IPv4 protocols", 2, EPROTONOSUPPORT, seccomp_ip_protocols,
				   ARRAY_SIZE(seccomp_ip_protocols), &inet);
		seccomp_allow_only(ctx, calls[i], "IPv6 protocols", 2, EPROTONOSUPPORT, seccomp_ip_protocols,
				   ARRAY_SIZE(seccomp_ip_protocols), &inet6);
	}

	/* TCP's upper layer protocols (TCP_ULP: "tls", "espintcp", "smc")
	 * hand a socket to kernel code that parses its stream — kTLS has had
	 * its CVEs (CVE-2023-0461, a use-after-free through this very option)
	 * — and programs get TLS from their own libraries: OpenSSL, asked for
	 * kTLS, goes on in user space when the option fails.  Level and option
	 * are ints: the low 32 bits are compared.
	 * i386's socketcall(SYS_SETSOCKOPT) hides both in memory, so there it
	 * is refused whatever it sets (32-bit programs cannot make a socket
	 * anyway, above, but may be handed one).  libseccomp 2.5 derives no
	 * socketcall rule from the setsockopt() one (it does from socket()'s):
	 * without this line an i386 program reaches TCP_ULP (privs.sh). */
	seccomp_rule(ctx, EPERM, SCMP_SYS(socketcall), 1, &sc_setsockopt, "socketcall(SYS_SETSOCKOPT)");
	seccomp_rule(ctx, EPERM, SCMP_SYS(setsockopt), 2, ulp, "setsockopt(SOL_TCP, TCP_ULP)");
}

/* A file the program makes setuid or setgid — `chmod 4755 .tool` in the
 * project, which is not nosuid outside the box — runs as you for any other
 * local user who can reach it: refuse the two bits wherever a mode is
 * given.  openat2() carries its mode in a structure a filter cannot read:
 * it gets ENOSYS, and callers fall back to openat(). */
static const struct {
	const char *call;
	unsigned mode;  /* the argument holding the mode */
	int flags;      /* the argument holding open()'s flags, or -1 */
} seccomp_mode_calls[] = {
	{ "chmod", 1, -1 },   { "fchmod", 1, -1 }, { "fchmodat", 2, -1 }, { "fchmodat2", 2, -1 },
	{ "creat", 1, -1 },   { "mknod", 1, -1 },  { "mknodat", 2, -1 },  { "open", 2, 1 },
	{ "openat", 3, 2 },
};

static void seccomp_modes(scmp_filter_ctx ctx)
{
	static const unsigned bits[] = { S_ISUID, S_ISGID };
	/* open() uses its mode only when it makes a file */
	static const unsigned makes[] = { O_CREAT, __O_TMPFILE };

	for (size_t c = 0; c < ARRAY_SIZE(seccomp_mode_calls); c++) {
		int nr = seccomp_syscall_resolve_name(seccomp_mode_calls[c].call);

		if (nr == __NR_SCMP_ERROR)
			continue;
		for (size_t b = 0; b < ARRAY_SIZE(bits); b++) {
			struct scmp_arg_cmp cmp[2] = {
				SCMP_CMP(seccomp_mode_calls[c].mode, SCMP_CMP_MASKED_EQ, bits[b], bits[b]),
			};

			if (seccomp_mode_calls[c].flags < 0) {
				seccomp_rule(ctx, EPERM, nr, 1, cmp, seccomp_mode_calls[c].call);
				continue;
			}
			for (size_t m = 0; m < ARRAY_SIZE(makes); m++) {
				cmp[1] = SCMP_CMP((unsigned)seccomp_mode_calls[c].flags, SCMP_CMP_MASKED_EQ,
						  makes[m], makes[m]);
				seccomp_rule(ctx, EPERM, nr, 2, cmp, seccomp_mode_calls[c].call);
			}
		}
	}
	seccomp_rule(ctx, ENOSYS, SCMP_SYS(openat2), 0, NULL, "openat2");
}

/* Every ABI the kernel runs here: a rule missing for one (i386 on x86_64)
 * would be a way around it. */
static void seccomp_rules_arches(scmp_filter_ctx ctx)
{
	uint32_t native = seccomp_arch_native();

	if (native == SCMP_ARCH_X86_64) {
		seccomp_arch(ctx, SCMP_ARCH_X86);
		seccomp_arch(ctx, SCMP_ARCH_X32);
	} else if (native == SCMP_ARCH_AARCH64) {
		seccomp_arch(ctx, SCMP_ARCH_ARM);
	}
}

/* Nested user namespaces: the door to most unprivileged kernel bugs. */
static void seccomp_rules_newuser(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp newuser = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);

	seccomp_rule(ctx, EPERM, SCMP_SYS(unshare), 1, &newuser, "unshare");
	seccomp_rule(ctx, EPERM, SCMP_SYS(clone), 1, &newuser, "clone");
}

/* What --seccomp=off keeps: no new user namespace.  Where AppArmor lets
 * only profiled programs make them (Ubuntu 23.10+), netbox's profile
 * (apparmor/netbox.in) is unconfined, and the program netbox runs stays
 * under it: without this, `netbox --seccomp=off unshare -U` would hand any
 * program what the restriction keeps from it.  clone3's flags are out of
 * the filter's reach: ENOSYS, as in the full filter. */
void seccomp_rules_userns(scmp_filter_ctx ctx)
{
	seccomp_rules_arches(ctx);
	seccomp_rules_newuser(ctx);
	seccomp_rule(ctx, ENOSYS, SCMP_SYS(clone3), 0, NULL, "clone3");
}

void seccomp_rules_build(scmp_filter_ctx ctx)
{
	seccomp_rules_arches(ctx);

	for (size_t i = 0; i < ARRAY_SIZE(seccomp_deny_table); i++) {
		int nr = seccomp_syscall_resolve_name(seccomp_deny_table[i].name);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not a system call on this architecture */
		seccomp_rule(ctx, seccomp_deny_table[i].err, nr, 0, NULL, seccomp_deny_table[i].name);
	}

	seccomp_rules_newuser(ctx);

	/* The kernel truncates an ioctl's command to 32 bits, so compare only
	 * those (CVE-2019-10063 in flatpak compared all 64). */
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_ioctls); i++) {
		struct scmp_arg_cmp req = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, seccomp_ioctls[i].value);

		seccomp_rule(ctx, EPERM, SCMP_SYS(ioctl), 1, &req, seccomp_ioctls[i].name);
	}
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_ioctl_ranges); i++) {
		struct scmp_arg_cmp req = SCMP_A1(SCMP_CMP_MASKED_EQ, seccomp_ioctl_ranges[i].mask,
						  seccomp_ioctl_ranges[i].first);

		seccomp_rule(ctx, EPERM, SCMP_SYS(ioctl), 1, &req, seccomp_ioctl_ranges[i].name);
	}

	/* kill(0, sig) signals the caller's process group, which for the
	 * program still holds netbox (it stays in your terminal's foreground
	 * group for job control): one kill(0, SIGKILL) would stop netbox before
	 * its exit sweep (protect.c).  No other pid reaches it: that group's id
	 * reads as 0 in the sandbox's pid namespace, and kill(-1) stays inside
	 * it.  The pid is an int: compare the low 32 bits. */
	struct scmp_arg_cmp group = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0);
	seccomp_rule(ctx, EPERM, SCMP_SYS(kill), 1, &group, "kill(0)");

	seccomp_personality(ctx);
	seccomp_sockets(ctx);
	seccomp_modes(ctx);
}

static void seccomp_print_names(FILE *out, const struct seccomp_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", v[i].name);
}

void seccomp_print(FILE *out)
{
	fprintf(out, "seccomp: on; refused:");
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_deny_table); i++)
		fprintf(out, "%s %s", i % 8 ? "" : "\n ", seccomp_deny_table[i].name);
	fprintf(out, "\n  clone/unshare(CLONE_NEWUSER), ioctl(");
	seccomp_print_names(out, seccomp_ioctls, ARRAY_SIZE(seccomp_ioctls));
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_ioctl_ranges); i++)
		fprintf(out, ",%s%s", i ? " " : "\n    ", seccomp_ioctl_ranges[i].name);
	fprintf(out, "),\n  personality(");
	seccomp_print_names(out, seccomp_personality_flags, ARRAY_SIZE(seccomp_personality_flags));
	fprintf(out, "; the query is allowed)\n");
	fprintf(out, "  socket/socketpair of every family but ");
	seccomp_print_names(out, seccomp_families, ARRAY_SIZE(seccomp_families));
	fprintf(out, "\n    (netlink: only ");
	seccomp_print_names(out, seccomp_netlink_protocols, ARRAY_SIZE(seccomp_netlink_protocols));
	fprintf(out, "), i386 socketcall(SOCKET, SOCKETPAIR): EAFNOSUPPORT\n");
	fprintf(out, "  AF_INET/AF_INET6 sockets of every protocol but ");
	seccomp_print_names(out, seccomp_ip_protocols, ARRAY_SIZE(seccomp_ip_protocols));
	fprintf(out, ": EPROTONOSUPPORT\n  setsockopt(SOL_TCP, TCP_ULP), i386 socketcall(SETSOCKOPT): EPERM\n");
	fprintf(out, "  kill(0, ...) (netbox shares the program's process group);\n"
		     "  setuid/setgid bits in chmod, fchmod(at), creat, mknod(at), open(at) with "
		     "O_CREAT;\n  openat2: ENOSYS (its mode cannot be read)\n");
}
