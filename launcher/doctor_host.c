/* doctor_host.c — netbox --doctor's kernel checks: each feature netbox uses
 * is tried for real, in a child, the way netbox uses it.  A sysctl can say
 * yes while a container's seccomp profile or an LSM says no: only trying
 * tells, and the errno says which.
 *
 * Runs in netbox --doctor (doctor.c prints the rows); the children never
 * touch anything of the user's and exit at once.
 */
#include "channel.h"
#include "doctor.h"
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#if defined(__x86_64__)
#define DOCTOR_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define DOCTOR_ARCH AUDIT_ARCH_AARCH64
#else
#define DOCTOR_ARCH 0
#endif
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#define DOCTOR_LANDLOCK_VERSION 1u /* LANDLOCK_CREATE_RULESET_VERSION */
/* Before Linux 5.9 ID_VALID had the wrong direction bit (supervisor/notify.c). */
#define DOCTOR_ID_VALID_OLD _IOR(SECCOMP_IOC_MAGIC, 2, __u64)

/* What a child found: 0 or an errno, and at which step. */
struct doctor_try {
	int err;
	char step[96];
};

typedef void doctor_try_fn(struct doctor_try *t);

/* Record errno and @step in @t; -1. */
static int doctor_try_fail(struct doctor_try *t, const char *step)
{
	t->err = errno ? errno : EIO;
	snprintf(t->step, sizeof(t->step), "%s", step);
	return -1;
}

/* Run @fn in a child; its result, or EINTR and the signal that killed it. */
static void doctor_try(doctor_try_fn *fn, struct doctor_try *t)
{
	int p[2], status;
	pid_t pid;

	memset(t, 0, sizeof(*t));
	fflush(NULL);
	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		doctor_try_fail(t, "fork");
		return;
	}
	if (pid == 0) {
		close(p[0]);
		fn(t);
		_exit(write_all(p[1], t, sizeof(*t)) < 0);
	}
	close(p[1]);
	if (read_all(p[0], t, sizeof(*t)) != (ssize_t)sizeof(*t)) {
		memset(t, 0, sizeof(*t));
		t->err = EPROTO;
	}
	t->step[sizeof(t->step) - 1] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		t->err = EINTR;
		snprintf(t->step, sizeof(t->step), "killed by signal %d", WTERMSIG(status));
	}
}

/* A user namespace of its own, the caller's ids mapped 1:1 (as netbox maps
 * the supervisor's): 0, or the step that failed in @t. */
static int doctor_own_userns(struct doctor_try *t)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	errno = 0;
	if (unshare(CLONE_NEWUSER) < 0)
		return doctor_try_fail(t, "unshare(CLONE_NEWUSER)");
	int r = write_file("/proc/self/setgroups", "deny");

	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if ((r < 0 && r != -ENOENT) || (r = write_file("/proc/self/gid_map", map)) < 0) {
		errno = -r;
		return doctor_try_fail(t, "writing gid_map");
	}
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if ((r = write_file("/proc/self/uid_map", map)) < 0) {
		errno = -r;
		return doctor_try_fail(t, "writing uid_map");
	}
	return 0;
}

static void doctor_try_userns(struct doctor_try *t)
{
	doctor_own_userns(t);
}

void doctor_host_userns(struct doctor *d, struct doctor_row *r)
{
	struct doctor_try t;

	doctor_try(doctor_try_userns, &t);
	d->userns = !t.err;
	if (!t.err)
		doctor_set(r, DOCTOR_OK, NULL, "a user namespace: made, and the ids mapped in it");
	else
		doctor_set(r, DOCTOR_FAIL, userns_hint(t.err), "a user namespace cannot be made: %s: %s",
			   t.step, strerror(t.err));
}

static void doctor_try_seccomp(struct doctor_try *t)
{
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = allow };

	errno = 0;
	/* As seccomp.c loads the sandbox's filter. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		doctor_try_fail(t, "prctl(PR_SET_NO_NEW_PRIVS)");
	else if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		doctor_try_fail(t, "prctl(PR_SET_SECCOMP)");
}

void doctor_host_seccomp(struct doctor *d, struct doctor_row *r)
{
	struct doctor_try t;

	doctor_try(doctor_try_seccomp, &t);
	d->seccomp = !t.err;
	if (!t.err)
		doctor_set(r, DOCTOR_OK, NULL, "seccomp filters: one loaded (the sandbox's system call filter)");
	else
		doctor_set(r, DOCTOR_FAIL,
			   t.err == EINVAL || t.err == ENOSYS
				   ? "a kernel with CONFIG_SECCOMP_FILTER; in a container, one whose seccomp "
				     "profile lets programs load filters (Docker: --security-opt "
				     "seccomp=unconfined), or run netbox on the host"
				   : "run netbox on the host or in a VM: something here forbids seccomp filters",
			   "seccomp filters cannot be loaded: %s: %s", t.step, strerror(t.err));
}

/* ---- seccomp user notification -------------------------------------------- */

/* The filter's child: getppid() is asked about; everything else allowed. */
static long doctor_notify_filter(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, DOCTOR_ARCH, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);

	return fd < 0 ? -errno : fd;
}

/* The supervisor's side (supervisor/notify.c): receive, check the id,
 * answer "go on".  0, or the step that failed in @t. */
static int doctor_notify_answer(int nfd, struct doctor_try *t)
{
	struct seccomp_notif_sizes sizes = { 0 };
	cleanup_free struct seccomp_notif *req = NULL;
	cleanup_free struct seccomp_notif_resp *resp = NULL;
	struct pollfd pf = { .fd = nfd, .events = POLLIN };

	errno = 0;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return doctor_try_fail(t, "SECCOMP_GET_NOTIF_SIZES");
	req = xcalloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = xcalloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp
								     : sizeof(*resp));
	if (poll(&pf, 1, 5000) != 1) {
		errno = ETIMEDOUT;
		return doctor_try_fail(t, "waiting for the notification");
	}
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return doctor_try_fail(t, "SECCOMP_IOCTL_NOTIF_RECV");
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0 &&
	    ioctl(nfd, DOCTOR_ID_VALID_OLD, &req->id) < 0)
		return doctor_try_fail(t, "SECCOMP_IOCTL_NOTIF_ID_VALID");
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
		return doctor_try_fail(t, "SECCOMP_USER_NOTIF_FLAG_CONTINUE");
	return 0;
}

void doctor_host_notify(struct doctor *d UNUSED, struct doctor_row *r)
{
	struct doctor_try t = { 0 };
	struct utsname u;
	uint16_t port;
	int sp[2], err = 0, nfd = -1, status = 0;
	pid_t pid;

	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "?");
	if (!DOCTOR_ARCH) {
		doctor_set(r, DOCTOR_INFO, NULL, "seccomp user notification: netbox uses it on x86_64 "
			   "and aarch64 only (on-demand ports and attribution are off here)");
		return;
	}
	fflush(NULL);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0 || (pid = fork()) < 0)
		die_errno(NULL, "cannot start the seccomp notification check");
	if (pid == 0) {
		pid_t parent = getppid();
		long fd = doctor_notify_filter();

		close(sp[0]);
		if (channel_send_port(sp[1], CHANNEL_NFD, 0, fd < 0 ? (int)-fd : 0, (int)fd) < 0 || fd < 0)
			_exit(2);
		close((int)fd);
		/* Asked about; answered "go on", it returns the real parent. */
		_exit(syscall(SYS_getppid) == parent ? 0 : 3);
	}
	close(sp[1]);
	if (channel_recv_port(sp[0], CHANNEL_NFD, &port, &err, &nfd) < 0 || (err && (errno = err))) {
		doctor_try_fail(&t, "seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)");
	} else if (doctor_notify_answer(nfd, &t) < 0) {
		kill(pid, SIGKILL);
	}
	if (nfd >= 0)
		close(nfd);
	close(sp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!t.err && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		errno = EPROTO;
		doctor_try_fail(&t, "the notified call's result");
	}
	if (!t.err) {
		doctor_set(r, DOCTOR_OK, NULL, "seccomp user notification: a call notified, its id "
			   "checked valid and let go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE; Linux %s)",
			   u.release);
		return;
	}
	doctor_set(r, DOCTOR_FAIL,
		   t.err == EINVAL || t.err == ENOSYS || t.err == ENOTTY
			   ? "Linux 5.5 or later has it (5.9 or later is best); in a container, a seccomp "
			     "profile that allows seccomp(); or run netbox on the host"
			   : "run netbox on the host or in a VM: something here forbids it",
		   "seccomp user notification: %s: %s (Linux %s); without it, rules that allow "
		   "every port serve only the ports they name, and --log and --learn name no process",
		   t.step, strerror(t.err), u.release);
}

/* ---- pidfd_getfd ----------------------------------------------------------- */

static const char doctor_pidfd_marker[] = "netbox-doctor";

/* As the supervisor reaches the program: from a user namespace of its
 * own into a process in a namespace made inside it (isolate.c). */
static void doctor_try_pidfd(struct doctor_try *t)
{
	char seen[sizeof(doctor_pidfd_marker)];
	int ready[2], hold[2], pidfd, fd;
	pid_t pid;
	char c;

	if (doctor_own_userns(t) < 0)
		return;
	errno = 0;
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		doctor_try_fail(t, "fork");
		return;
	}
	if (pid == 0) {
		close(hold[1]);
		c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
		if (write_all(ready[1], &c, 1) < 0 || read(hold[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(hold[0]);
	if (read_all(ready[0], &c, 1) != 1 || c != 'y') {
		errno = EPROTO;
		doctor_try_fail(t, "a nested user namespace");
	} else if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
		doctor_try_fail(t, "pidfd_open");
	} else {
		struct iovec local = { seen, sizeof(seen) };
		struct iovec remote = { (void *)doctor_pidfd_marker, sizeof(seen) };

		if ((fd = (int)syscall(SYS_pidfd_getfd, pidfd, hold[0], 0)) < 0)
			doctor_try_fail(t, "pidfd_getfd");
		else if (syscall(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0) != (long)sizeof(seen))
			doctor_try_fail(t, "process_vm_readv");
		if (fd >= 0)
			close(fd);
		close(pidfd);
	}
	close(hold[1]);
	waitpid(pid, NULL, 0);
}

void doctor_host_pidfd(struct doctor *d, struct doctor_row *r)
{
	char scope[16] = "";
	struct doctor_try t;
	const char *fix;

	if (!d->userns) {
		doctor_set(r, DOCTOR_NOTRUN, NULL, "pidfd_getfd and process_vm_readv: not tried (they "
			   "are tried across user namespaces, which cannot be made)");
		return;
	}
	doctor_try(doctor_try_pidfd, &t);
	if (!t.err) {
		doctor_set(r, DOCTOR_OK, NULL, "pidfd_getfd and process_vm_readv: a descriptor taken "
			   "from, and memory read of, a process in a nested user namespace");
		return;
	}
	userns_proc_read("sys/kernel/yama/ptrace_scope", scope, sizeof(scope));
	if (t.err == ENOSYS)
		fix = "Linux 5.6 or later has pidfd_getfd; or, in a container, a seccomp profile that "
		      "allows it";
	else if (strcmp(scope, "3") == 0)
		fix = "kernel.yama.ptrace_scope=3 forbids it until the next boot: write "
		      "kernel.yama.ptrace_scope=1 into /etc/sysctl.d/60-netbox.conf and reboot";
	else
		fix = "something here (an LSM, a container's seccomp profile) forbids it: run netbox "
		      "on the host or in a VM";
	doctor_set(r, DOCTOR_FAIL, fix,
		   "pidfd_getfd and process_vm_readv: %s: %s%s%s; without them, rules that allow "
		   "every port serve only the ports they name, and --log and --learn name no process",
		   t.step, strerror(t.err), *scope ? "; kernel.yama.ptrace_scope=" : "", scope);
}

void doctor_host_landlock(struct doctor *d UNUSED, struct doctor_row *r)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, DOCTOR_LANDLOCK_VERSION);

	if (abi > 0)
		doctor_set(r, DOCTOR_INFO, NULL, "landlock: ABI %ld (netbox does not use landlock)", abi);
	else
		doctor_set(r, DOCTOR_INFO, NULL, "landlock: not available (%s; netbox does not use landlock)",
			   strerror(errno));
}
