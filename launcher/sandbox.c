/* sandbox.c — the host side of a run: create the namespaces, map the ids,
 * then wait for the sandbox init and pass signals on.
 *
 * Theory of operation:
 *   sandbox_clone()     clone(2) a child into new user, mount, net, pid, ipc
 *                       and uts namespaces.  The child (init.c) blocks on a
 *                       pipe until...
 *   sandbox_map_ids()   ...the parent has written uid_map/gid_map so that
 *                       the program keeps its own uid/gid inside (for a root
 *                       invoker: SUDO_UID or nobody, never 0).
 *   sandbox_wait()      the parent waits for init, forwarding the signals
 *                       that another process sent to netbox (kill, timeout,
 *                       systemd).  Signals from the terminal (Ctrl-C) already
 *                       reach the program, which is in the same foreground
 *                       process group, so they are not sent twice.
 * The parent itself never enters the namespaces and needs no privilege.
 */
#include "sandbox.h"
#include "discard.h"
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile pid_t sandbox_init_pid;

static bool read_sysctl(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

const char *sandbox_userns_hint(int err)
{
	char v[32];

	if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", v, sizeof(v)) &&
	    strcmp(v, "1") == 0)
		return "AppArmor restricts unprivileged user namespaces "
		       "(kernel.apparmor_restrict_unprivileged_userns=1, Ubuntu 23.10+): install the "
		       "AppArmor profile from the README for netbox, or run "
		       "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0";
	if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone", v, sizeof(v)) &&
	    strcmp(v, "0") == 0)
		return "unprivileged user namespaces are disabled: sudo sysctl -w "
		       "kernel.unprivileged_userns_clone=1";
	if (read_sysctl("/proc/sys/user/max_user_namespaces", v, sizeof(v)) && strcmp(v, "0") == 0)
		return "user namespaces are disabled (user.max_user_namespaces=0): sudo sysctl -w "
		       "user.max_user_namespaces=15000";
	if (err == ENOSPC)
		return "too many user namespaces exist: raise user.max_user_namespaces";
	if (err == EINVAL)
		return "this kernel was built without user namespaces (CONFIG_USER_NS)";
	return "user namespaces are not permitted here (a container's seccomp profile?): run "
	       "netbox on the host or in a VM";
}

static void sandbox_forward(int sig, siginfo_t *si, void *uc UNUSED)
{
	int saved = errno;

	/* si_code > 0: the kernel sent it (a terminal's Ctrl-C, hangup): the
	 * program, in the foreground process group, has it already. */
	if (si->si_code <= 0 && sandbox_init_pid > 0)
		kill(sandbox_init_pid, sig);
	errno = saved;
}

static const int sandbox_forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static void sandbox_signals(void)
{
	struct sigaction sa = { .sa_sigaction = sandbox_forward, .sa_flags = SA_SIGINFO | SA_RESTART };

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

static void sandbox_map_ids(pid_t pid, const struct config *cfg)
{
	char path[64], map[64];
	int r;

	/* An unprivileged writer must deny setgroups() first (CVE-2014-8989). */
	if (!cfg->invoked_by_root) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		r = write_file(path, "deny");
		if (r < 0 && r != -ENOENT) {
			errno = -r;
			die_errno(sandbox_userns_hint(errno), "cannot write %s", path);
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)cfg->gid, (unsigned)cfg->gid);
	r = write_file(path, map);
	if (r < 0) {
		errno = -r;
		die_errno(sandbox_userns_hint(errno), "cannot write %s", path);
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)cfg->uid, (unsigned)cfg->uid);
	r = write_file(path, map);
	if (r < 0) {
		errno = -r;
		die_errno(sandbox_userns_hint(errno), "cannot write %s", path);
	}
}

static pid_t sandbox_clone(const struct config *cfg, char **envp, int *sync_w, int *chan)
{
	int sync[2], sp[2];
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) < 0)
		die_errno(NULL, "pipe");
	/* The one channel with the init (channel.c). */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		die_errno(NULL, "socketpair");
	/* Raw clone with a NULL stack behaves like fork(): the child continues
	 * here on a copy of our stack. */
	pid = (pid_t)syscall(SYS_clone,
			     CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC |
				     CLONE_NEWUTS | SIGCHLD,
			     NULL, NULL, NULL, NULL);
	if (pid < 0)
		die_errno(sandbox_userns_hint(errno), "cannot create the sandbox's namespaces");
	if (pid == 0) {
		close(sync[1]);
		close(sp[0]);
		init_main(cfg, sync[0], sp[1], envp);
	}
	close(sync[0]);
	close(sp[1]);
	*sync_w = sync[1];
	*chan = sp[0];
	return pid;
}

static int sandbox_wait(pid_t pid)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, 0);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			die_errno(NULL, "waitpid");
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return NETBOX_EXIT_FAILURE;
}

int sandbox_run(const struct config *cfg, char **envp, struct discard_covers *covers)
{
	struct listener *ls = NULL;
	size_t n = 0;
	int sync_w, chan, status;
	pid_t pid;

	fflush(NULL);
	pid = sandbox_clone(cfg, envp, &sync_w, &chan);
	sandbox_init_pid = pid;
	sandbox_signals();
	sandbox_map_ids(pid, cfg);
	if (write_all(sync_w, "g", 1) < 0)
		die_errno(NULL, "cannot start the sandbox");
	close(sync_w);

	/* What the init says, in its order: the listeners (a filtered
	 * network), then the throw-away mounts once the tree is built. */
	if (cfg->net == NET_FILTER && listeners_receive(chan, &ls, &n) < 0) {
		int err = errno;

		status = sandbox_wait(pid);
		/* The init died and said why; or it sent garbage. */
		if (err == EPROTO)
			die(NULL, "bad message from the sandbox init");
		return status ? status : NETBOX_EXIT_FAILURE;
	}
	discard_receive(cfg, chan, covers);
	if (cfg->net != NET_FILTER) {
		close(chan);
		return sandbox_wait(pid);
	}
	if (!cfg->ondemand) {
		close(chan);
		chan = -1;
	}
	status = supervise_run(cfg, pid, ls, n, chan);
	free(ls);
	return status;
}
