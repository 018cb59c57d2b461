/* mounts.c — the sandbox's file system view.
 *
 * Theory of operation (runs in the sandbox init, root in its own user and
 * mount namespaces, before the program exists):
 *
 *   1. mounts_stage(): make every mount a slave of the host's, put a tmpfs on
 *      /tmp and pivot_root into it with the host root at /oldroot.  Sources
 *      are then always addressed as /oldroot/PATH, so a source under the
 *      host's /tmp stays reachable (bubblewrap does the same).
 *   2. The host root is bound recursively at /newroot and made read-only,
 *      nosuid and nodev as a whole (mount_setattr(AT_RECURSIVE), or a walk of
 *      mountinfo on kernels older than 5.12).
 *   3. The requests mountplan.c planned in netbox — defaults (homes, /tmp,
 *      /run, /dev, /proc), the current directory, --ro/--rw/--hide/--tmpfs/
 *      --overlay and netbox's own — are applied in its order, parents first
 *      (by path depth, then by order given), each creating its mount point
 *      in a tmpfs when the covered tree does not have it.  Every writable
 *      throw-away place (covers, --tmpfs, /dev/shm, overlays' upper layers)
 *      is a directory of one tmpfs, the store, mounted in the staging area.
 *   3b. For a run that inspects, the CAs the sandbox trusts (trust.c): a
 *      read-only tmpfs of their own, bound over the system bundles and
 *      /etc/ssl/certs, after the planned mounts so that it shows over them.
 *   4. pivot_root into /newroot and detach the old root: nothing of the host
 *      is reachable but what was bound.  The store goes with the staging
 *      area, out of every path; each mount of it keeps its own reference to
 *      it, and the kernel frees it with the sandbox's last mount.
 */
#include "config.h"
#include "paths.h"
#include "trust.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

#define NEWROOT "/newroot"
#define OLDROOT "/oldroot"
#define EMPTY "/empty"              /* a read-only tmpfs: what covers show */
#define EMPTY_FILE EMPTY "/file"
#define EMPTY_DIR EMPTY "/dir"
#define STORE "/store" /* the one tmpfs behind every writable throw-away mount */

/* What a fresh /proc still shows of the host (Docker masks the same):
 * your keys' descriptions, kernel memory and timers, hardware.  Files are
 * covered with an empty one, directories with an empty read-only one. */
static const char *const mounts_proc_masked[] = {
	"keys",	       "key-users", "kcore",   "kallsyms", "timer_list", "sched_debug",
	"latency_stats", "timer_stats", "sysrq-trigger", "acpi", "asound", "scsi",
	"irq",	       "bus",	    "driver",  "fs/nfsd",
};

struct mounts_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};

#define MNT_ATTR_RDONLY 0x1
#define MNT_ATTR_NOSUID 0x2
#define MNT_ATTR_NODEV 0x4

/* Pre-5.12 kernels: remount every mount at or below @path, keeping the flags
 * the kernel locked when the mount crossed into our user namespace (a
 * remount that drops nosuid/noexec/nodev there fails with EPERM). */
static void mounts_readonly_walk(const char *path, unsigned long extra)
{
	/* Staged: the host's /proc is under OLDROOT (its /proc/self is this
	 * process, and mountinfo is relative to our root, the staging tmpfs). */
	FILE *f = fopen(OLDROOT "/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		die_errno(NULL, "cannot read %s", OLDROOT "/proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		char *save, *tok = strtok_r(line, " ", &save);
		struct statvfs sv;
		unsigned long flags;

		for (int i = 0; tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		if (!tok)
			continue;
		util_unescape_octal(tok);
		if (!paths_under(tok, path) || statvfs(tok, &sv) < 0)
			continue;
		flags = MS_BIND | MS_REMOUNT | MS_RDONLY | extra;
		flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
			 (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0) |
			 (sv.f_flag & ST_NOATIME ? MS_NOATIME : 0) |
			 (sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0) |
			 (sv.f_flag & ST_RELATIME ? MS_RELATIME : 0);
		if (mount(NULL, tok, NULL, flags, NULL) < 0 && errno != EACCES && errno != ENOENT)
			die_errno(NULL, "cannot make %s read-only", tok);
	}
	free(line);
	fclose(f);
}

static void mounts_readonly(const char *path, bool nodev)
{
	struct mounts_attr attr = {
		.attr_set = MNT_ATTR_RDONLY | MNT_ATTR_NOSUID | (nodev ? MNT_ATTR_NODEV : 0),
	};

	if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr)) == 0)
		return;
	if (errno != ENOSYS)
		die_errno(NULL, "cannot make %s read-only", path);
	mounts_readonly_walk(path, MS_NOSUID | (nodev ? MS_NODEV : 0));
}

/* Create the mount point @dst (inside /newroot) as a directory or an empty
 * file, with any missing parents.  Parents that are missing can only be in
 * a tmpfs we made: the covered host tree is read-only. */
static int mounts_mkpoint_try(const char *dst, bool is_dir, bool quiet)
{
	char buf[PATH_MAX];
	struct stat st;
	size_t len = strlen(dst);

	if (len >= sizeof(buf))
		die(NULL, "path too long: %s", dst);
	memcpy(buf, dst, len + 1);
	for (char *p = buf + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (lstat(buf, &st) < 0) {
			int fd;

			if (errno != ENOENT) {
				if (quiet)
					return -1;
				die_errno(NULL, "cannot create mount point %s", buf + strlen(NEWROOT));
			}
			if (!last || is_dir) {
				if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
					if (quiet)
						return -1;
					die_errno("the parent directory is read-only in the sandbox: expose a parent with --tmpfs or --rw",
						  "cannot create %s", buf + strlen(NEWROOT));
				}
			} else {
				fd = open(buf, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
				if (fd < 0) {
					if (quiet)
						return -1;
					die_errno("the parent directory is read-only in the sandbox: expose a parent with --tmpfs or --rw",
						  "cannot create %s", buf + strlen(NEWROOT));
				}
				close(fd);
			}
		} else if (!last && !S_ISDIR(st.st_mode)) {
			if (quiet) {
				errno = ENOTDIR;
				return -1;
			}
			die(NULL, "%s is not a directory in the sandbox", buf + strlen(NEWROOT));
		}
		if (last)
			break;
		*p = '/';
	}
	return 0;
}

static void mounts_mkpoint(const char *dst, bool is_dir)
{
	mounts_mkpoint_try(dst, is_dir, false);
}

/* Every writable throw-away place — the covers of the homes and /tmp, a
 * --tmpfs, /dev/shm, the overlays' upper layers — is a directory of one
 * tmpfs, the store, bound where it belongs: one size limit for all of them
 * (--tmpfs-size), where a tmpfs each once allowed half of RAM each. */
static unsigned mounts_store_next;

static void mounts_store_dir(char *out, size_t len, const char *mode, uid_t uid, gid_t gid)
{
	snprintf(out, len, STORE "/%u", mounts_store_next++);
	if (mkdir(out, 0700) < 0 || chown(out, uid, gid) < 0 ||
	    chmod(out, (mode_t)strtoul(mode, NULL, 8)) < 0)
		die_errno(NULL, "cannot make a directory in the sandbox's tmpfs");
}

/* Bind a new directory of the store on @dst (which must exist); 0 or -errno. */
static int mounts_store_bind(const char *dst, const char *mode, uid_t uid, gid_t gid)
{
	char dir[64];

	mounts_store_dir(dir, sizeof(dir), mode, uid, gid);
	return mount(dir, dst, NULL, MS_BIND, NULL) == 0 ? 0 : -errno;
}

static void mounts_tmpfs(const char *dst, const char *mode, uid_t uid, gid_t gid, bool ro)
{
	int r;

	mounts_mkpoint(dst, true);
	r = mounts_store_bind(dst, mode, uid, gid);
	if (r < 0) {
		errno = -r;
		die_errno(NULL, "cannot mount a tmpfs on %s", dst + strlen(NEWROOT));
	}
	if (ro)
		mounts_readonly(dst, true);
}

/* A default cover (a home, /tmp, /run) was planned from /etc/passwd and a
 * stat() a moment ago.  A directory the host removed since (userdel -r of
 * another user; seen when tests add and remove users in parallel) has
 * nothing left to hide: it is skipped rather than failing the run.  One
 * that is missing only in the sandbox (under a cover made before it: /home/u
 * under /home) gets its mount point, as any other mount.  A directory that
 * is removed and re-created while we look is looked at again. */
static void mounts_cover(const char *src, const char *dst, const char *mode, uid_t uid, gid_t gid)
{
	struct stat st;
	int r;

	for (int tries = 0; tries < 20; tries++) {
		if (lstat(src, &st) < 0 || !S_ISDIR(st.st_mode))
			return; /* gone from the host */
		if (mounts_mkpoint_try(dst, true, true) < 0)
			continue; /* removed meanwhile (EROFS: it was in the host tree) */
		r = mounts_store_bind(dst, mode, uid, gid);
		if (r == 0)
			return;
		errno = -r;
		if (errno != ENOENT)
			break;
	}
	die_errno("is another program creating and removing it right now? try again",
		  "cannot cover %s", dst + strlen(NEWROOT));
}

static void mounts_bind(const char *src, const char *dst, bool is_dir, bool ro)
{
	mounts_mkpoint(dst, is_dir);
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		die_errno("check that the path is readable by you", "cannot bind %s",
			  src + strlen(OLDROOT));
	if (ro)
		mounts_readonly(dst, false);
}

/* overlayfs splits its options at ',' and its lower layers at ':'; '\\'
 * escapes either, and itself. */
static void mounts_overlay_escape(char *out, size_t len, const char *in)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		if (n + 3 > len)
			die(NULL, "path too long: %s", in);
		if (*p == ',' || *p == ':' || *p == '\\')
			out[n++] = '\\';
		out[n++] = *p;
	}
	out[n] = '\0';
}

/* --overlay: the host's tree as the lower layer, the program's writes in an
 * upper layer that dies with the sandbox.  Unprivileged overlayfs needs Linux
 * 5.11 and `userxattr` (the trusted.* attributes it uses otherwise are the
 * host root's); where it cannot be mounted, the program gets an empty
 * tmpfs: a tool then starts from an empty cache, which is slow but keeps the
 * promise that nothing written there survives. */
static void mounts_overlay(const struct config *cfg, const char *src, const char *dst)
{
	char upper[64], work[64], lower[2 * PATH_MAX], opts[2 * PATH_MAX + 160], mode[8] = "0755";
	struct stat st;

	/* The merged root shows the upper root's mode, not the lower's. */
	if (stat(src, &st) == 0)
		snprintf(mode, sizeof(mode), "%o", (unsigned)(st.st_mode & 07777));
	mounts_store_dir(upper, sizeof(upper), mode, cfg->uid, cfg->gid);
	mounts_store_dir(work, sizeof(work), "0700", cfg->uid, cfg->gid);
	mounts_overlay_escape(lower, sizeof(lower), src);
	if ((size_t)snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s,userxattr", lower,
			     upper, work) >= sizeof(opts))
		die(NULL, "path too long: %s", dst + strlen(NEWROOT));
	mounts_mkpoint(dst, true);
	if (mount("overlay", dst, "overlay", MS_NOSUID | MS_NODEV, opts) == 0)
		return;
	notice("cannot mount an overlay on %s (%s): the program gets an empty throw-away directory there instead, without the host's files",
	       dst + strlen(NEWROOT), strerror(errno));
	mounts_tmpfs(dst, "0755", cfg->uid, cfg->gid, false);
}

static void mounts_dev(const struct config *cfg)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const struct {
		const char *name, *target;
	} links[] = {
		{ "ptmx", "pts/ptmx" },         { "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	char dst[PATH_MAX], src[PATH_MAX];

	mounts_tmpfs(NEWROOT "/dev", "0755", cfg->uid, cfg->gid, false);
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		snprintf(src, sizeof(src), OLDROOT "/dev/%s", nodes[i]);
		snprintf(dst, sizeof(dst), NEWROOT "/dev/%s", nodes[i]);
		if (access(src, F_OK) < 0)
			continue;
		mounts_mkpoint(dst, false);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			die_errno(NULL, "cannot bind /dev/%s", nodes[i]);
	}
	mounts_mkpoint(NEWROOT "/dev/pts", true);
	if (mount("devpts", NEWROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") < 0)
		die_errno(NULL, "cannot mount devpts on /dev/pts");
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		snprintf(dst, sizeof(dst), NEWROOT "/dev/%s", links[i].name);
		if (symlink(links[i].target, dst) < 0)
			die_errno(NULL, "cannot create /dev/%s", links[i].name);
	}
	mounts_tmpfs(NEWROOT "/dev/shm", "1777", cfg->uid, cfg->gid, false);
	/* Nothing else may be created in /dev. */
	mounts_readonly(NEWROOT "/dev", false);
	/* But /dev/shm, which that reached, is writable again: POSIX
	 * semaphores and shared memory live there (python's multiprocessing
	 * locks, chromium).  A directory of the store, like every throw-away
	 * place, with nothing to run from it.  (Bound before the read-only,
	 * not after: the walk of older kernels remounts by path, and the
	 * host's /dev/shm hidden below would name a plain directory: EINVAL.) */
	if (mount(NULL, NEWROOT "/dev/shm", NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		die_errno(NULL, "cannot make /dev/shm writable");
}

/* An empty read-only file or directory on @dst (which exists): a bind of
 * the staging area's read-only tmpfs, read-only already (a bind keeps its
 * source's flags), so no remount per cover. */
static void mounts_empty(const char *dst, bool dir)
{
	if (mount(dir ? EMPTY_DIR : EMPTY_FILE, dst, NULL, MS_BIND, NULL) < 0)
		die_errno(NULL, "cannot cover %s", dst + strlen(NEWROOT));
}

/* Cover @dst: an empty file over a file, an empty read-only directory over
 * a directory; nothing if it does not exist. */
static void mounts_mask(const char *dst)
{
	struct stat st;

	if (lstat(dst, &st) < 0)
		return;
	mounts_empty(dst, S_ISDIR(st.st_mode));
}

/* unixsock.c planned these from the host's socket list a moment ago; the
 * host's users may have changed their paths since.  A socket that is gone,
 * or whose path no longer leads to a socket (a parent replaced), cannot be
 * reached there and needs no cover: only one still reachable but not
 * covered stops the run.  (Each cover was fatal once: a local user could
 * stop everyone's netbox with one odd path.) */
static void mounts_socket(const char *dst, bool dir)
{
	struct stat st;

	if (lstat(dst, &st) < 0 || (dir ? !S_ISDIR(st.st_mode) : !S_ISSOCK(st.st_mode)))
		return;
	if (mount(dir ? EMPTY_DIR : EMPTY_FILE, dst, NULL, MS_BIND, NULL) < 0 &&
	    lstat(dst, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISSOCK(st.st_mode)))
		die_errno("pass --allow-unix with the path if the program may use it",
			  "cannot hide the host's unix socket %s", dst + strlen(NEWROOT));
}

static void mounts_proc(const char *dst)
{
	char path[PATH_MAX + 32];

	mounts_mkpoint(dst, true);
	if (mount("proc", dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_errno(NULL, "cannot mount /proc");
	for (size_t i = 0; i < ARRAY_SIZE(mounts_proc_masked); i++) {
		snprintf(path, sizeof(path), "%s/%s", dst, mounts_proc_masked[i]);
		mounts_mask(path);
	}
}

/* A sysfs mounted here shows the sandbox's own network namespace: only lo
 * in /sys/class/net, and nothing mounted below it (no /sys/fs/cgroup, no
 * securityfs, no debugfs).  The host's stays otherwise: read-only, with
 * its interfaces covered, where the kernel refuses a new one. */
static void mounts_sys(const char *dst)
{
	static const char *const net[] = { "class/net", "devices/virtual/net", "fs/cgroup" };
	char path[PATH_MAX + 32];

	if (mount("sysfs", dst, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
		return;
	notice("cannot mount a sysfs for the sandbox (%s): it sees the host's /sys, read-only, "
	       "with the network interfaces and cgroups covered",
	       strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(net); i++) {
		snprintf(path, sizeof(path), "%s/%s", dst, net[i]);
		mounts_mask(path);
	}
}

static void mounts_apply(const struct config *cfg, const struct mount_req *m)
{
	char dst[PATH_MAX], src[PATH_MAX];
	bool tmp = strcmp(m->path, "/tmp") == 0 || strcmp(m->path, "/var/tmp") == 0;
	const char *homes[PATHS_MAX_HOMES];
	size_t nhomes = paths_homes(cfg, homes);
	bool home = false;

	for (size_t i = 0; i < nhomes; i++)
		home |= strcmp(m->path, homes[i]) == 0;

	if ((size_t)snprintf(dst, sizeof(dst), NEWROOT "%s", m->path) >= sizeof(dst) ||
	    (size_t)snprintf(src, sizeof(src), OLDROOT "%s", m->path) >= sizeof(src))
		die(NULL, "path too long: %s", m->path);

	switch (m->kind) {
	case MOUNT_DEV:
		mounts_dev(cfg);
		break;
	case MOUNT_PROC:
		mounts_proc(dst);
		break;
	case MOUNT_SYS:
		mounts_sys(dst);
		break;
	case MOUNT_COVER:
		mounts_cover(src, dst, tmp ? "1777" : home ? "0700" : "0755", cfg->uid, cfg->gid);
		break;
	case MOUNT_TMPFS:
		mounts_tmpfs(dst, "0755", cfg->uid, cfg->gid, false);
		break;
	case MOUNT_HIDE:
		mounts_mkpoint(dst, m->is_dir);
		mounts_empty(dst, m->is_dir);
		break;
	case MOUNT_SOCKET:
		mounts_socket(dst, m->is_dir);
		break;
	case MOUNT_RO:
	case MOUNT_RW:
		mounts_bind(src, dst, m->is_dir, m->kind == MOUNT_RO);
		break;
	case MOUNT_OVERLAY:
		mounts_overlay(cfg, src, dst);
		break;
	}
}

/* Step 1: stage on a tmpfs with the host root at /oldroot. */
static void mounts_stage(const struct config *cfg)
{
	char opts[64];
	int fd;

	/* Private, not a slave of the host's tree: a mount the host makes
	 * during the run (a USB stick, an NFS automount; shared propagation
	 * is systemd's default) would otherwise appear inside, writable. */
	if (mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0)
		die_errno(NULL, "cannot make the mount namespace private");
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
		die_errno(NULL, "cannot mount the staging tmpfs");
	if (mkdir("/tmp" NEWROOT, 0755) < 0 || mkdir("/tmp" OLDROOT, 0755) < 0 ||
	    mkdir("/tmp" STORE, 0755) < 0)
		die_errno(NULL, "cannot create the staging directories");
	snprintf(opts, sizeof(opts), "mode=0755,size=%llu", (unsigned long long)cfg->tmpfs_size);
	if (mount("tmpfs", "/tmp" STORE, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		die_errno("try a smaller --tmpfs-size", "cannot mount the sandbox's tmpfs");
	if (mkdir("/tmp" EMPTY, 0755) < 0 ||
	    mount("tmpfs", "/tmp" EMPTY, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=4k") < 0 ||
	    mkdir("/tmp" EMPTY_DIR, 0555) < 0 ||
	    (fd = open("/tmp" EMPTY_FILE, O_CREAT | O_WRONLY | O_CLOEXEC, 0444)) < 0)
		die_errno(NULL, "cannot create the staging files");
	close(fd);
	if (mount(NULL, "/tmp" EMPTY, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		die_errno(NULL, "cannot make the staging files read-only");
	if (syscall(SYS_pivot_root, "/tmp", "/tmp" OLDROOT) < 0)
		die_errno(NULL, "pivot_root to the staging tmpfs failed");
	if (chdir("/") < 0)
		die_errno(NULL, "chdir /");
}

void mounts_setup(const struct config *cfg, const struct trust_bundle *trust)
{
	mounts_stage(cfg);

	/* Step 2: the host root, read-only as a whole. */
	if (mount(OLDROOT, NEWROOT, NULL, MS_BIND | MS_REC, NULL) < 0)
		die_errno(NULL, "cannot bind the host root");
	mounts_readonly(NEWROOT, true);

	/* Step 3: parents first (cfg->mounts is sorted by mountplan_sort()). */
	for (size_t i = 0; i < cfg->nmounts; i++)
		mounts_apply(cfg, &cfg->mounts[i]);
	if (trust)
		trust_mount(trust, NEWROOT);

	/* Step 4: the new root; the staging tmpfs and the old root go away. */
	if (chdir(NEWROOT) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		die_errno(NULL, "pivot_root into the sandbox root failed");
	if (umount2(".", MNT_DETACH) < 0)
		die_errno(NULL, "cannot detach the host root");
	if (chdir("/") < 0)
		die_errno(NULL, "chdir /");
}
