/* isolate.c — the supervisor holds nothing it does not need once the
 * sandbox runs.
 *
 * The supervisor parses hostile bytes all day — DNS packets, ClientHellos,
 * HTTP heads from the sandbox, answers from the network — so a memory bug
 * there must not be code execution with all of your rights.  As passt's
 * isolation.c does, in stages, the system call filter last:
 *
 *   (before)              netbox makes the supervisor in a user, a mount
 *                         and a pid namespace of its own
 *                         (launcher/sandbox.c), in which the supervisor
 *                         then makes the sandbox's.
 *   isolate_initial()     first thing in the supervisor: netbox's
 *                         descriptors closed, its own /proc.
 *                         Pid 1 of its namespace, it sees no process but
 *                         the sandbox's: kill(), process_vm_readv() and
 *                         pidfd_getfd(), which the loop keeps, reach
 *                         nothing else of yours.  Made inside it, the
 *                         sandbox's user namespace stays the supervisor's
 *                         child: reading the program's connect() address
 *                         (process_vm_readv, pidfd_getfd: ondemand.c) still
 *                         has CAP_SYS_PTRACE there.  (landlock, or a
 *                         namespace made after the sandbox, would take that
 *                         away: landlock confines ptrace to its own domain,
 *                         and a sibling namespace holds no capability over
 *                         the sandbox's.)
 *   isolate_sandbox_made()  once the sandbox exists (it keeps the real
 *                         stdio and netbox's process group): stderr made
 *                         write-only, and the supervisor takes a
 *                         process group of its own (kill(0) reaches only
 *                         itself, and pid 1 of a namespace ignores even
 *                         that).
 *   isolate_supervisor()  once every descriptor the loop needs is open (the
 *                         listeners, the log, the channels):
 *     1. an empty root: the supervisor's own mount namespace is pivoted
 *        into a small read-only tmpfs holding only what the resolver reads
 *        while it serves (/etc/hosts, /etc/resolv.conf, ...), bound
 *        read-only — no home, no project, no /proc, nothing to execute;
 *        stdin and stdout on /dev/null;
 *     2. no_new_privs; not dumpable (no core dump, no ptrace and no
 *        /proc/PID/mem for your other processes); RLIMIT_CORE and
 *        RLIMIT_NPROC 0 (it never forks);
 *     3. a seccomp allow-list of the system calls the loop makes, with
 *        the on-demand calls only for every-port rules (isolate_rules.c,
 *        compiled at build time as the sandbox's filter):
 *        any other call is trapped, and the supervisor says which before it
 *        dies — a call missing from the list shows up as a failed run with a
 *        report, never as a silent hole.
 * The network namespace stays the host's: the supervisor connects upstream.
 * Writing the learned profile, the exit sweep and the report of discarded
 * writes are netbox's (launcher/), after the supervisor is gone.
 */
#include "config.h"
#include "isolate.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifdef HAVE_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#include "isolate-filter.h"

#define ISOLATE_ROOT "/tmp" /* where the empty root is built (in our own mount namespace) */

/* What the resolver (c-ares) reads while it serves: the hosts file on each
 * lookup, the resolver configuration when it reloads it. */
static const char *const isolate_readable[] = {
	"/etc/hosts", "/etc/resolv.conf", "/etc/host.conf", "/etc/nsswitch.conf", "/etc/gai.conf",
};

/* What netbox's stdin and stdout were when the supervisor started, or
 * closed (st_nlink == 0 then): isolate_stdio() replaces only those. */
static struct stat isolate_stdio_start[2];

void isolate_initial(const struct config *cfg, int back)
{
	cleanup_free int *keep = xcalloc(cfg->npass_fds + 3, sizeof(*keep));
	size_t n = 0;

	/* netbox's own descriptors — the learned profile's file and its
	 * directory, the protection memory, anything its caller left open —
	 * are netbox's: a directory descriptor is a way out of any root
	 * (openat(dir, "../..")).  Kept: the channel to netbox, the log, and
	 * until the sandbox is made, the program's --pass-fd descriptors. */
	keep[n++] = back;
	keep[n++] = sandbox_stderr_fd;
	keep[n++] = cfg->log ? fileno(cfg->log) : -1;
	for (size_t i = 0; i < cfg->npass_fds; i++)
		keep[n++] = cfg->pass_fds[i];
	util_close_fds_except(keep, n);
	for (int fd = STDIN_FILENO; fd <= STDOUT_FILENO; fd++)
		if (fstat(fd, &isolate_stdio_start[fd]) < 0)
			memset(&isolate_stdio_start[fd], 0, sizeof(isolate_stdio_start[fd]));
	/* The /proc inherited from netbox shows the host's pids, and the
	 * sandbox's id maps are written through /proc/PID. */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_errno(NULL, "the supervisor cannot mount its /proc");
}

/* stdin and stdout: the loop never reads your terminal nor writes to its
 * output (messages go to stderr); without them a compromised loop cannot
 * read what you type to the program.  The sandbox, made meanwhile, has
 * its own.  When netbox started with them closed, the numbers may hold
 * the loop's own descriptors by now: those stay. */
static void isolate_stdio(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		die_errno(NULL, "the supervisor cannot open /dev/null");
	for (int fd = STDIN_FILENO; fd <= STDOUT_FILENO; fd++) {
		const struct stat *was = &isolate_stdio_start[fd];
		struct stat st;

		if (fd == null || !was->st_ino || fstat(fd, &st) < 0 || st.st_dev != was->st_dev ||
		    st.st_ino != was->st_ino)
			continue;
		if (dup3(null, fd, O_CLOEXEC) < 0)
			die_errno(NULL, "the supervisor cannot let go of its standard input");
	}
	close(null);
}

/* 1. The empty root (see the top of the file).  With attribution, the
 * supervisor's own /proc too, read-only: it shows the sandbox's processes
 * only (the pid namespace is the supervisor's), whose status, command
 * line and environment name who made each attempt (attrib.c). */
static void isolate_root(bool with_proc)
{
	char path[64];

	if (mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0 ||
	    mount("tmpfs", ISOLATE_ROOT, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=16k,mode=0555") < 0 ||
	    mkdir(ISOLATE_ROOT "/etc", 0555) < 0 || mkdir(ISOLATE_ROOT "/old", 0555) < 0)
		die_errno(NULL, "the supervisor cannot build its empty root");
	if (with_proc &&
	    (mkdir(ISOLATE_ROOT "/proc", 0555) < 0 ||
	     mount("/proc", ISOLATE_ROOT "/proc", NULL, MS_BIND, NULL) < 0 ||
	     mount(NULL, ISOLATE_ROOT "/proc", NULL,
		   MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0))
		die_errno(NULL, "the supervisor cannot keep its /proc");
	for (size_t i = 0; i < ARRAY_SIZE(isolate_readable); i++) {
		int fd;

		if (access(isolate_readable[i], R_OK) < 0)
			continue; /* not on this machine */
		snprintf(path, sizeof(path), ISOLATE_ROOT "%s", isolate_readable[i]);
		fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
		if (fd < 0 || close(fd) < 0 ||
		    mount(isolate_readable[i], path, NULL, MS_BIND, NULL) < 0 ||
		    mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			die_errno(NULL, "the supervisor cannot keep %s", isolate_readable[i]);
	}
	if (syscall(SYS_pivot_root, ISOLATE_ROOT, ISOLATE_ROOT "/old") < 0 || chdir("/") < 0 ||
	    umount2("/old", MNT_DETACH) < 0 || rmdir("/old") < 0 ||
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_errno(NULL, "the supervisor cannot enter its empty root");
}

/* A call the allow-list does not name: say which, then die (the kernel
 * would kill the process anyway; this way the report names the call). */
static void isolate_sigsys(int sig UNUSED, siginfo_t *si, void *uc UNUSED)
{
	char msg[200];
	unsigned nr = (unsigned)si->si_syscall;
	const char *name = nr < ARRAY_SIZE(isolate_syscall_names) ? isolate_syscall_names[nr] : "";
	/* abort() (a failed assertion, glibc's heap checks, the stack
	 * protector) raises SIGABRT with tgkill, which the list lacks: that is
	 * no gap in the filter, and must not read as one. */
	bool aborted = strcmp(name, "tgkill") == 0 || strcmp(name, "tkill") == 0;
	int n = aborted ? snprintf(msg, sizeof(msg),
				   "netbox: internal error: the supervisor aborted (a failed check or "
				   "memory corruption) \u2014 please report this\n")
			: snprintf(msg, sizeof(msg),
				   "netbox: internal error: the supervisor made system call %u (%s), "
				   "which its filter refuses \u2014 please report this\n",
				   nr, name[0] ? name : "?");

	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	_exit(NETBOX_EXIT_FAILURE);
}

/* Runtimes that run netbox's own code under watch make system calls of
 * their own, unknown to the allow-list: valgrind (which performs every call
 * itself) and the sanitizers' leak checker (which forks a tracer and reads
 * /proc at exit).  There, the filter and the empty root are left out. */
static bool isolate_instrumented(void)
{
#ifdef HAVE_VALGRIND_H
	if (RUNNING_ON_VALGRIND)
		return true;
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(NETBOX_SANITIZED)
	return true;
#else
	return false;
#endif
}

/* stderr write-only.  On a terminal it is the terminal itself, open for
 * reading too: read(2, ...) here would take what you type to the program.
 * So a terminal (any character device opened read-write) is reopened for
 * writing only, a description of the supervisor's own (O_NONBLOCK set on
 * it does not reach your shell's); where that is refused (a terminal
 * someone else owns) and for anything else open read-write (a socket), the
 * messages go to netbox through a pipe instead, which shows them as
 * printable text (launcher/sandbox.c).  Files and pipes opened for writing
 * stay: a new description of a file would write from offset 0.  The
 * direct way keeps the order of netbox's lines and the program's. */
static void isolate_stderr(void)
{
	int flags = fcntl(STDERR_FILENO, F_GETFL), fd = -1;
	struct stat st;

	if (flags >= 0 && (flags & O_ACCMODE) == O_WRONLY)
		return;
	if (flags >= 0 && fstat(STDERR_FILENO, &st) == 0 && S_ISCHR(st.st_mode))
		fd = open("/proc/self/fd/2", O_WRONLY | O_NOCTTY | O_CLOEXEC | (flags & O_APPEND));
	if (fd < 0)
		fd = dup(sandbox_stderr_fd);
	if (fd < 0 || dup3(fd, STDERR_FILENO, 0) < 0)
		die_errno(NULL, "the supervisor cannot make its standard error write-only");
	close(fd);
}

void isolate_sandbox_made(const struct config *cfg, int back)
{
	for (size_t i = 0; i < cfg->npass_fds; i++)
		if (cfg->pass_fds[i] != back && (!cfg->log || cfg->pass_fds[i] != fileno(cfg->log)))
			close(cfg->pass_fds[i]);
	isolate_stderr();
	close(sandbox_stderr_fd);
	sandbox_stderr_fd = -1;
	/* Out of netbox's process group, which the sandbox (made already)
	 * stays in, with the terminal's signals: kill(0, SIGKILL) here would
	 * otherwise stop netbox before its exit sweep, and the user's whole
	 * job with it. */
	if (setpgid(0, 0) < 0)
		die_errno(NULL, "the supervisor cannot leave netbox's process group");
}

/* Does the loop read the program's connect() and send() addresses and its
 * processes (supervisor/notify.c)? */
static bool isolate_reads_program(const struct config *cfg)
{
	return (cfg->notify & (NOTIFY_CONNECT | NOTIFY_SEND)) != 0;
}

void isolate_supervisor(const struct config *cfg)
{
	struct sigaction sa = { .sa_sigaction = isolate_sigsys, .sa_flags = SA_SIGINFO };
	struct rlimit zero = { 0, 0 };
	/* The calls that read the program (its memory, its descriptors, its
	 * /proc) only where every-port rules or attribution need them. */
	bool reads = isolate_reads_program(cfg);
	struct sock_fprog prog = {
		.len = (unsigned short)(reads ? ARRAY_SIZE(isolate_filter_ondemand_insns)
					      : ARRAY_SIZE(isolate_filter_insns)),
		.filter = (struct sock_filter *)(reads ? isolate_filter_ondemand_insns
						       : isolate_filter_insns),
	};
	bool instrumented = isolate_instrumented();

	/* 1. */
	isolate_stdio();
	if (!instrumented)
		isolate_root(cfg->attribute == ATTRIBUTE_ON);
	/* 2. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0)
		die_errno(NULL, "the supervisor cannot give up its privileges");
	setrlimit(RLIMIT_CORE, &zero);
	if (instrumented)
		return;
	setrlimit(RLIMIT_NPROC, &zero);
	/* 3. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		die_errno(NULL, "the supervisor cannot load its system call filter");
}

void isolate_print(const struct config *cfg, FILE *out)
{
	fprintf(out, "host side: a supervisor process answers the sandbox's DNS and relays its "
		     "connections; while the program runs it has\n"
		     "  a user, mount and pid namespace of its own (it sees only the sandbox's processes) "
		     "and a process group of its own\n"
		     "  an empty read-only root (/etc/hosts, /etc/resolv.conf and the like, read-only); "
		     "none of netbox's files or directories open\n"
		     "  stdin and stdout on /dev/null; stderr write-only (a terminal reopened for writing, "
		     "or a pipe to netbox)\n"
		     "  no_new_privs, not dumpable, no core dumps, no new processes\n"
		     "  a seccomp allow-list of %u system calls (files opened read-only; no executable "
		     "memory; TCP and UDP sockets only; ioctl() for %u requests)\n",
		isolate_reads_program(cfg) ? ISOLATE_ALLOWED_CALLS_ONDEMAND : ISOLATE_ALLOWED_CALLS,
		ISOLATE_ALLOWED_IOCTLS);
	if (isolate_instrumented())
		fprintf(out, "  (this build runs under a sanitizer or valgrind: no filter and no empty root)\n");
	fprintf(out, "  it can still connect anywhere the host's network reaches (it is the proxy)%s%s; "
		     "netbox checks the learned profile it hands over\n",
		cfg->log_path ? ", write anywhere in the log file" : "",
		isolate_reads_program(cfg)
			? ", read the memory of the sandbox's processes and take their descriptors "
			  "(for the ports made on demand, and to tell who connects)"
			: "");
	if (cfg->attribute == ATTRIBUTE_ON)
		fprintf(out, "  attribution: its /proc, read-only, shows the sandbox's processes (who made "
			     "each attempt: pid, program, npm package)\n");
}
