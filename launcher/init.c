/* init.c — the sandbox init: pid 1 of the new pid namespace.
 *
 * It holds every capability of the sandbox's user namespace while it sets
 * the sandbox up, so it stays tiny and never reads anything the program
 * writes.  Theory of operation:
 *   init_prepare()   die with netbox (PR_SET_PDEATHSIG, then a read on the
 *                    sync pipe: EOF means the parent is already gone), take
 *                    the program's uid/gid, become non-dumpable so the
 *                    program cannot ptrace it or read its memory, bring up
 *                    the network, for a run that inspects wait for the CAs
 *                    the sandbox trusts (trust.c), and build the mount tree
 *                    (mounts.c);
 *   init_spawn()     fork the program: privileges dropped (privs.c), every
 *                    descriptor but stdio and --pass-fd closed, seccomp last,
 *                    execve;
 *   init_reap()      reap every child (orphans are re-parented to us) until
 *                    the program exits, then exit with its status (128+N
 *                    for signal N).  When init exits, the kernel kills
 *                    everything left in the pid namespace.  With a rule
 *                    that allows every port, init_reap_serving() instead,
 *                    which also makes listeners when netbox asks
 *                    (supervisor/ondemand.c).
 */
#include "discard.h"
#include "fakenet.h"
#include "listeners.h"
#include "netlink.h"
#include "notify.h"
#include "privs.h"
#include "sandbox.h"
#include "trust.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static volatile pid_t init_program_pid;
/* The program's end of the notification socketpair, or -1 (notify.c). */
static int init_notify_sp = -1;

static void init_forward(int sig, siginfo_t *si, void *uc UNUSED)
{
	int saved = errno;

	/* Only what netbox (outside the namespace: si_pid 0) sends is passed
	 * on.  The program signalling pid 1 is ignored; the terminal's signals
	 * (si_code > 0) reached the program directly. */
	if (si->si_code <= 0 && si->si_pid == 0 && init_program_pid > 0)
		kill(init_program_pid, sig);
	errno = saved;
}

static const int init_forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
static const int init_ignored[] = { SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE };
/* The kernel shields pid 1 from the signals its own namespace sends only
 * when it has no handler for them: a fault handler inherited from netbox
 * (ASan's and UBSan's, in a sanitizer build) would let the program kill
 * the sandbox with kill -SEGV 1.  A real fault still kills the init. */
static const int init_default[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS };

/* Signals ignored when netbox started (nohup's SIGHUP, a background job's
 * SIGINT and SIGQUIT, a pipeline's SIGPIPE) stay ignored for the program,
 * as they would without netbox: POSIX exec keeps SIG_IGN. */
static sigset_t init_startup_ignored;

static bool init_was_ignored(int sig)
{
	return sigismember(&sandbox_ignored_at_start, sig) == 1;
}

static void init_signals(void)
{
	struct sigaction sa = { .sa_sigaction = init_forward, .sa_flags = SA_SIGINFO | SA_RESTART };

	sigemptyset(&init_startup_ignored);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(init_forwarded); i++) {
		if (init_was_ignored(init_forwarded[i]))
			sigaddset(&init_startup_ignored, init_forwarded[i]);
		else
			sigaction(init_forwarded[i], &sa, NULL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(init_default); i++)
		if (!init_was_ignored(init_default[i]))
			signal(init_default[i], SIG_DFL);
	/* pid 1 of a namespace still receives the terminal's job-control
	 * signals (the kernel forces them): it must not stop or die of them. */
	for (size_t i = 0; i < ARRAY_SIZE(init_ignored); i++) {
		if (init_was_ignored(init_ignored[i]))
			sigaddset(&init_startup_ignored, init_ignored[i]);
		signal(init_ignored[i], SIG_IGN);
	}
}

static void init_restore_signal(int sig)
{
	if (!sigismember(&init_startup_ignored, sig))
		signal(sig, SIG_DFL);
}

/* Loopback up; for a filtered network also every address routed to it
 * (`local 0.0.0.0/0 dev lo`), then the listeners handed to the supervisor. */
static void init_network(const struct config *cfg, int chan)
{
	int fd = netlink_open();

	netlink_link_up(fd, "lo");
	if (cfg->net == NET_FILTER) {
		netlink_route_local_all(fd, AF_INET, "lo", true);
		/* glibc's getaddrinfo(AF_INET, AI_ADDRCONFIG) (getent ahostsv4,
		 * some runtimes) finds nothing unless an IPv4 address other
		 * than 127.0.0.1 exists: give lo the fake range's own network
		 * address, which the resolver never hands out.  No IPv6 one:
		 * AAAA answers are empty, so glibc need not even ask. */
		netlink_addr_add_v4(fd, "lo", (struct in_addr){ htonl(FAKEIP_NET) });
		/* IPv6 may be disabled on the host: then there is none to route. */
		netlink_route_local_all(fd, AF_INET6, "lo", false);
		listeners_send(chan, cfg->listen_ports);
	}
	close(fd);
}

/* inotify instances and watches count per user, across user namespaces:
 * a program that takes them all (128 instances by default) breaks your
 * editor's and build tools' file watching outside for as long as it runs.
 * The sandbox's user namespace gets half of what netbox's has (a new
 * namespace's own limit is unlimited; its parents' still apply). */
static const char *const init_inotify[] = {
	"/proc/sys/user/max_inotify_instances",
	"/proc/sys/user/max_inotify_watches",
};
static long init_inotify_host[ARRAY_SIZE(init_inotify)]; /* read in netbox */

void init_read_host_limits(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(init_inotify); i++) {
		char v[32];

		init_inotify_host[i] = read_file_line(init_inotify[i], v, sizeof(v)) ? strtol(v, NULL, 10) : 0;
	}
}

/* In the sandbox's user namespace, before /proc is replaced; best effort:
 * a kernel without these files has no such per-namespace limit to set. */
static void init_inotify_limits(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(init_inotify); i++) {
		char buf[32];

		if (init_inotify_host[i] < 2)
			continue;
		snprintf(buf, sizeof(buf), "%ld", init_inotify_host[i] / 2);
		write_file(init_inotify[i], buf);
	}
}

static void init_prepare(const struct config *cfg, int sync_fd, int chan)
{
	struct trust_bundle trust;
	char go;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(NETBOX_EXIT_FAILURE);
	/* getppid() is 0 in a new pid namespace, so the classic "check the
	 * parent after PDEATHSIG" is this read: EOF means netbox died before
	 * writing the maps. */
	if (read_all(sync_fd, &go, 1) != 1)
		_exit(NETBOX_EXIT_FAILURE);
	close(sync_fd);

	/* A root invoker's init is kuid 0, unmapped inside: take the program's
	 * ids now (capabilities in the namespace survive, since its root is
	 * unmapped), so that files and tmpfs mounts get an owner that exists. */
	if (cfg->invoked_by_root)
		privs_set_identity(cfg->uid, cfg->gid, true);

	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		die_errno(NULL, "cannot make the sandbox init non-dumpable");
	init_network(cfg, chan);
	/* The supervisor makes the run's CA once this process exists (its
	 * key is never here) and sends the bundle; the mounts need it. */
	if (cfg->inspects)
		trust_receive(chan, &trust);
	init_inotify_limits();
	mounts_setup(cfg, cfg->inspects ? &trust : NULL);
	if (cfg->inspects)
		trust_bundle_free(&trust);
}

/* At most --max-procs processes: RLIMIT_NPROC counts a user's processes
 * per user namespace since Linux 5.14 (ucounts), so this limits the
 * sandbox, not your processes outside it; past it fork() fails with EAGAIN.
 * Before 5.14 it counted all of your processes, so a limit could stop the
 * program from starting at all: there is none then (the README says so). */
static void init_limits(const struct config *cfg)
{
	struct rlimit rl;
	struct utsname u;
	rlim_t n = (rlim_t)cfg->max_procs;
	unsigned major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2 ||
	    major < 5 || (major == 5 && minor < 14))
		return;
	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && (rl.rlim_max == RLIM_INFINITY || n < rl.rlim_max)) {
		rl.rlim_cur = rl.rlim_max = n;
		if (setrlimit(RLIMIT_NPROC, &rl) < 0)
			die_errno(NULL, "cannot limit the sandbox to %lu processes", cfg->max_procs);
	}
}

NORETURN static void init_exec(const struct config *cfg, char **envp)
{
	extern char **environ;
	sigset_t all;
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(init_ignored); i++)
		init_restore_signal(init_ignored[i]);
	for (size_t i = 0; i < ARRAY_SIZE(init_forwarded); i++)
		init_restore_signal(init_forwarded[i]);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	privs_set_identity(cfg->uid, cfg->gid, cfg->invoked_by_root);
	privs_drop();
	if (init_notify_sp >= 0)
		notify_child_install(init_notify_sp, cfg->notify);
	/* After the notification filter: its short-lived helper thread is
	 * not one of the program's --max-procs. */
	init_limits(cfg);
	/* Everything but stdio and the --pass-fd list. */
	util_close_fds_except(cfg->pass_fds, cfg->npass_fds);
	if (cfg->seccomp)
		seccomp_apply();
	else
		seccomp_apply_userns();

	environ = envp; /* execvp searches the program's PATH */
	execvp(cfg->argv[0], cfg->argv);
	err = errno;
	if (err == ENOENT || err == ENOTDIR) {
		warn("%s: not found in the sandbox \u2014 check the name, or make its directory "
		     "visible with --ro DIR", cfg->argv[0]);
		_exit(NETBOX_EXIT_NOTFOUND);
	}
	warn("%s: cannot execute: %s \u2014 check its permissions and format", cfg->argv[0],
	     strerror(err));
	_exit(NETBOX_EXIT_NOEXEC);
}

static pid_t init_spawn(const struct config *cfg, char **envp)
{
	pid_t pid = fork();

	if (pid < 0)
		die_errno(NULL, "cannot fork the program");
	if (pid == 0)
		init_exec(cfg, envp);
	return pid;
}

/* 128+N for signal N, as a shell reports it. */
NORETURN static void init_exit_as(int status)
{
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	_exit(128 + WTERMSIG(status));
}

NORETURN static void init_reap(pid_t program)
{
	for (;;) {
		int status;
		pid_t r = waitpid(-1, &status, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			_exit(NETBOX_EXIT_FAILURE);
		}
		if (r == program)
			init_exit_as(status);
	}
}

/* init_reap() that also answers netbox's requests for listeners on @chan
 * (supervisor/ondemand.c): SIGCHLD, blocked since before the fork, through a
 * signalfd, so that neither can be missed while waiting for the other. */
NORETURN static void init_reap_serving(pid_t program, int chan)
{
	sigset_t chld;
	int sfd;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die_errno(NULL, "the sandbox init cannot watch its children");
	for (;;) {
		struct pollfd pf[2] = { { .fd = sfd, .events = POLLIN }, { .fd = chan, .events = POLLIN } };
		struct signalfd_siginfo si;
		int status;
		pid_t r;

		while ((r = waitpid(-1, &status, WNOHANG)) > 0)
			if (r == program)
				init_exit_as(status);
		if (poll(pf, chan >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			die_errno(NULL, "the sandbox init cannot wait for its children");
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
		if (chan >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    listeners_init_serve(chan) < 0) {
			close(chan); /* netbox is gone; PDEATHSIG follows */
			chan = -1;
		}
	}
}

/* The program starts where netbox was started.  A root invoker's program
 * (another user) may be unable to enter it: then it starts in its home, and
 * says so, since whatever it writes there is not where the user looks. */
static void init_chdir(const struct config *cfg)
{
	const char *fallback = cfg->target_home ? cfg->target_home : "/";
	int err;

	if (chdir(cfg->cwd) == 0)
		return;
	err = errno;
	if (chdir(fallback) < 0) {
		fallback = "/";
		if (chdir(fallback) < 0)
			die_errno(NULL, "no usable working directory in the sandbox");
	}
	notice("the program cannot enter %s (%s) \u2014 it runs in %s; run netbox from a "
	       "directory its user can enter",
	       cfg->cwd, strerror(err), fallback);
}

void init_main(const struct config *cfg, int sync_fd, int chan, char **envp)
{
	int sp[2] = { -1, -1 };

	init_signals();
	/* The supervisor's message pipe is the supervisor's (sandbox.c). */
	if (sandbox_stderr_fd >= 0)
		close(sandbox_stderr_fd);
	sandbox_stderr_fd = -1;
	init_prepare(cfg, sync_fd, chan);
	discard_send(cfg, chan);
	/* The channel stays for the program's notification descriptor
	 * (notify.c), and with rules that allow every port for the listeners
	 * made on demand (supervisor/ondemand.c). */
	if (!cfg->notify) {
		close(chan);
		chan = -1;
	}
	init_chdir(cfg);
	if (cfg->notify) {
		sigset_t chld;

		/* Blocked before the fork, read by init_reap_serving() */
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, NULL);
		notify_init_prepare(sp);
		init_notify_sp = sp[1];
	}
	init_program_pid = init_spawn(cfg, envp);
	if (!cfg->notify)
		init_reap(init_program_pid);
	close(sp[1]);
	notify_init_forward(sp[0], chan);
	if (!cfg->ondemand) {
		close(chan);
		chan = -1;
	}
	init_reap_serving(init_program_pid, chan);
}
