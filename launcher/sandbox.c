/* sandbox.c — the host side of a run: netbox forks the supervisor, which
 * creates the namespaces and maps the ids, then waits for it and passes
 * signals on.
 *
 * Theory of operation:
 *   sandbox_run()       netbox forks the supervisor (supervisor/), which
 *                       does the rest of this list and then serves the
 *                       sandbox, isolated; netbox keeps what needs the file
 *                       system before and after (the learned profile, the
 *                       exit sweep) and hears from the supervisor over a
 *                       channel (channel.c): the throw-away mounts, the
 *                       learned profile's text, and its exit status, the
 *                       program's.
 *   sandbox_start()     in the supervisor: clone(2) a child into new user,
 *                       mount, net, pid, ipc and uts namespaces.  The child
 *                       (init.c) blocks on a pipe until...
 *   sandbox_map_ids()   ...the parent has written uid_map/gid_map so that
 *                       the program keeps its own uid/gid inside (for a root
 *                       invoker: SUDO_UID or nobody, never 0).
 *   sandbox_wait()      wait for a child, forwarding the signals that
 *                       another process sent to netbox (kill, timeout,
 *                       systemd): netbox to the supervisor, the supervisor
 *                       to the init.  Signals from the terminal (Ctrl-C)
 *                       already reach the program, which is in the same
 *                       foreground process group, so they are not sent
 *                       twice.
 * Neither netbox nor the supervisor ever enters the namespaces, and neither
 * needs any privilege.
 */
#include "sandbox.h"
#include "discard.h"
#include "channel.h"
#include "userns.h"
#include "supervisor/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* Where a signal sent to this process goes on: the supervisor from
 * netbox, the init from the supervisor. */
static volatile pid_t sandbox_signal_target;

static void sandbox_forward(int sig, siginfo_t *si, void *uc UNUSED)
{
	int saved = errno;

	/* si_code > 0: the kernel sent it (a terminal's Ctrl-C, hangup): the
	 * program, in the foreground process group, has it already. */
	if (si->si_code <= 0 && sandbox_signal_target > 0)
		kill(sandbox_signal_target, sig);
	errno = saved;
}

static const int sandbox_forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

sigset_t sandbox_ignored_at_start;

static void sandbox_signals(void)
{
	struct sigaction sa = { .sa_sigaction = sandbox_forward, .sa_flags = SA_SIGINFO | SA_RESTART };

	sigemptyset(&sandbox_ignored_at_start);
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		struct sigaction old;

		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			sigaddset(&sandbox_ignored_at_start, sig);
	}
	/* The program may take the terminal (setpgid, tcsetpgrp) and set
	 * TOSTOP: netbox and its supervisor, now a background group, would be
	 * stopped by their next line on the terminal, and the user's shell
	 * would print its prompt while the program still reads the terminal.
	 * Ignoring SIGTTOU lets those writes through (POSIX); the init gives
	 * the program back the dispositions netbox found. */
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sandbox_forwarded); i++) {
		struct sigaction old;

		/* Ignored at startup (nohup, a background job): netbox too
		 * ignores it, and the program inherits SIG_IGN from init. */
		if (sigaction(sandbox_forwarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sandbox_forwarded[i], &sa, NULL);
	}
}

static void sandbox_write_map(pid_t pid, const char *file, const char *map)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	r = write_file(path, map);
	if (r < 0 && !(r == -ENOENT && strcmp(file, "setgroups") == 0)) {
		errno = -r;
		die_errno(userns_hint(errno), "cannot write %s", path);
	}
}

/* The ids of the user namespace of @pid: the program's, 1:1.  The
 * supervisor's namespace (@outer), made by netbox itself, also maps root
 * when root runs netbox: the supervisor stays root there, and can map the
 * program's ids into the sandbox's namespace, made inside it, in turn. */
static void sandbox_map_ids(pid_t pid, const struct config *cfg, bool outer)
{
	char map[64];
	bool root = outer && cfg->invoked_by_root;

	/* An unprivileged writer must deny setgroups() first (CVE-2014-8989). */
	if (!cfg->invoked_by_root)
		sandbox_write_map(pid, "setgroups", "deny");
	snprintf(map, sizeof(map), "%s%u %u 1\n", root ? "0 0 1\n" : "", (unsigned)cfg->gid,
		 (unsigned)cfg->gid);
	sandbox_write_map(pid, "gid_map", map);
	snprintf(map, sizeof(map), "%s%u %u 1\n", root ? "0 0 1\n" : "", (unsigned)cfg->uid,
		 (unsigned)cfg->uid);
	sandbox_write_map(pid, "uid_map", map);
}

/* clone(2) a child into new namespaces (@flags, one of them a user
 * namespace) that waits for its id maps, written here: it is told to go on
 * through the pipe; EOF tells it its parent died first.  The child's end in
 * *sync_fd (the parent's closed), the parent's is closed after the write. */
static pid_t sandbox_clone_waiting(const struct config *cfg, unsigned long flags, bool outer,
				   int *sync_fd)
{
	int sync[2];
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) < 0)
		die_errno(NULL, "pipe");
	/* Raw clone with a NULL stack behaves like fork(): the child continues
	 * here on a copy of our stack. */
	pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		die_errno(userns_hint(errno), "cannot create the sandbox's namespaces");
	if (pid == 0) {
		close(sync[1]);
		*sync_fd = sync[0];
		return 0;
	}
	close(sync[0]);
	sandbox_signal_target = pid;
	sandbox_map_ids(pid, cfg, outer);
	if (write_all(sync[1], "g", 1) < 0)
		die_errno(NULL, "cannot start the sandbox");
	close(sync[1]);
	*sync_fd = -1;
	return pid;
}

#define SANDBOX_MAX_LEARNED (16u << 20) /* bytes of learned profile, at most */

/* waitpid() for @pid through the signals being forwarded meanwhile. */
static int sandbox_reap(pid_t pid)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, 0);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			die_errno(NULL, "waitpid");
	}
}

int sandbox_wait(pid_t pid)
{
	int status = sandbox_reap(pid);

	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return NETBOX_EXIT_FAILURE;
}

pid_t sandbox_start(const struct config *cfg, char **envp, int *chan)
{
	int sp[2], sync_fd;
	pid_t pid;

	/* The one channel with the init (channel.c). */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		die_errno(NULL, "socketpair");
	pid = sandbox_clone_waiting(cfg,
				    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID |
					    CLONE_NEWIPC | CLONE_NEWUTS,
				    false, &sync_fd);
	if (pid == 0) {
		close(sp[0]);
		init_main(cfg, sync_fd, sp[1], envp);
	}
	close(sp[1]);
	*chan = sp[0];
	return pid;
}

/* What the supervisor says before it exits: the throw-away mounts, once;
 * the learned profile's text, in pieces, the last one marked. */
static void sandbox_hear(const struct config *cfg, int back, struct discard_covers *covers,
			 char **learned, size_t *nlearned)
{
	struct channel_text t;
	size_t nfds;
	int fd, r;

	discard_receive(cfg, back, covers);
	while (cfg->learn) {
		r = channel_recv(back, CHANNEL_LEARNED, &t, sizeof(t), &fd, 1, &nfds, 0);
		if (r < 0 || nfds || t.len > sizeof(t.text) || t.last > 1 ||
		    *nlearned + t.len > SANDBOX_MAX_LEARNED) {
			if (r == 0 && nfds)
				close(fd);
			free(*learned);
			*learned = NULL; /* (a dead or confused supervisor: no profile) */
			*nlearned = 0;
			return;
		}
		*learned = xrealloc(*learned, *nlearned + t.len + 1);
		memcpy(*learned + *nlearned, t.text, t.len);
		*nlearned += t.len;
		(*learned)[*nlearned] = '\0';
		if (t.last)
			return;
	}
}

int sandbox_stderr_fd = -1;

/* What the supervisor writes to its stderr — a pipe once the sandbox is
 * made, where its stderr is a terminal it cannot reopen write-only
 * (isolate.c) — goes to netbox's, as printable text: its messages
 * are escaped already (util_escape()), so only a supervisor taken over by
 * a parser bug would write control characters: escape sequences that
 * rewrite what the terminal shows, or worse.  They become '?', C0, DEL and
 * C1 (UTF-8 0xc2 0x80-0x9f) alike; other UTF-8 (the em dash) passes. */
static void *sandbox_copy_stderr(void *arg)
{
	int fd = *(const int *)arg;
	unsigned char buf[4096];
	bool c2 = false; /* the last byte read was 0xc2 */
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = buf[i];
			bool c1 = c2 && c >= 0x80 && c <= 0x9f;

			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c1)
				buf[i] = '?';
			if (c1 && i > 0)
				buf[i - 1] = '?'; /* (a 0xc2 that ended the last read went as is) */
			c2 = c == 0xc2;
		}
		if (write_all(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
	}
	close(fd);
	return NULL;
}

int sandbox_run(const struct config *cfg, char **envp, struct discard_covers *covers,
		char **learned, size_t *nlearned)
{
	int sp[2], err[2], sync_fd, status;
	pthread_t copier;
	pid_t pid;

	*learned = NULL;
	*nlearned = 0;
	fflush(NULL);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0 || pipe2(err, O_CLOEXEC) < 0)
		die_errno(NULL, "socketpair");
	sandbox_stderr_fd = err[1];
	sandbox_signals();
	init_read_host_limits();
	/* The supervisor gets a user, a mount and a pid namespace of its own,
	 * in which it then makes the sandbox's (isolate.c says why). */
	pid = sandbox_clone_waiting(cfg, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID, true, &sync_fd);
	if (pid == 0) {
		char go;

		close(sp[0]);
		close(err[0]);
		sandbox_signal_target = 0;
		/* Dies with netbox; the read's EOF says netbox is gone already. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || read_all(sync_fd, &go, 1) != 1)
			_exit(NETBOX_EXIT_FAILURE);
		close(sync_fd);
		_exit(supervise_main(cfg, envp, sp[1]));
	}
	close(sp[1]);
	close(err[1]);
	sandbox_stderr_fd = -1;
	errno = pthread_create(&copier, NULL, sandbox_copy_stderr, &err[0]);
	if (errno)
		die_errno(NULL, "cannot start the thread that shows the supervisor's messages");
	sandbox_hear(cfg, sp[0], covers, learned, nlearned);
	close(sp[0]);
	/* The supervisor exits with the program's status; if it was killed
	 * instead (its filter, a bug), the program went with it.  Its last
	 * messages (the summary) are shown before netbox goes on. */
	status = sandbox_reap(pid);
	pthread_join(copier, NULL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		warn("netbox's supervisor died of signal %d, and the program with it \u2014 please "
		     "report this",
		     WTERMSIG(status));
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : NETBOX_EXIT_FAILURE;
}
