/* outputs.c — the files netbox writes for the user: the --log JSON Lines and
 * the --learn profile.
 *
 * They are netbox's, yet they usually sit in the current directory, which
 * the program can write, and a file there may be what an earlier run left:
 * `conns.jsonl -> ~/.bashrc`, `tool.profile -> ~/.config/netbox/default.profile`.
 * So each is
 *   - opened without following links: the directories on the way through
 *     paths_resolve(), the file itself with O_NOFOLLOW (a system link such as
 *     /dev/stdout, or a /proc/self/fd entry, excepted: no program plants those);
 *   - refused if it is a regular file that is not the user's or has a second
 *     name (a hard link to ~/.bashrc is as bad as a symbolic one);
 *   - covered inside the sandbox when it lies in a writable tree, so the
 *     program can neither read, truncate, forge nor rename it during the run
 *     (a mount point cannot be renamed over);
 * and the learned profile is written at exit to a temporary file beside it,
 * then renamed into place only if its name still holds the file netbox
 * created at start (outputs_write_learned()).
 *
 * Called from main.c after paths_plan(), before the sandbox exists.
 */
#include "config.h"
#include "mountplan.h"
#include "outputs.h"
#include "paths.h"
#include "profile.h"
#include "policy/policy.h"
#include "profileparse.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/* "~/x" or "x" made absolute. */
static char *outputs_absolute(const struct config *cfg, const char *opt, const char *path)
{
	if (path[0] == '~' && path[1] == '/') {
		if (!cfg->home)
			die("give the full path", "%s %s: no home directory to expand ~ against", opt, path);
		return xasprintf("%s%s", cfg->home, path + 1);
	}
	if (path[0] == '/')
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	return xasprintf("%s/%s", cfg->cwd, path);
}

/* A link no program of the user's could have planted: in /proc (the
 * user's own descriptors, /dev/stdout's last step), or root's, in a
 * directory only root can write (/dev/stdout, /dev/fd). */
static bool outputs_system_link(int dirfd, const char *name)
{
	struct statfs sfs;
	struct stat dir, link;

	if (fstatfs(dirfd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
		return true;
	return fstat(dirfd, &dir) == 0 && fstatat(dirfd, name, &link, AT_SYMLINK_NOFOLLOW) == 0 &&
	       link.st_uid == 0 && dir.st_uid == 0 && !(dir.st_mode & (S_IWGRP | S_IWOTH));
}

/* Open @given for writing as described at the top; fills @o.  Returns the
 * resolved path (malloc'ed). */
static char *outputs_open(struct config *cfg, const char *opt, const char *given, bool truncate,
			  struct output_file *o)
{
	cleanup_free char *abs = outputs_absolute(cfg, opt, given), *dir = NULL, *why = NULL;
	const char *name;
	char *slash = strrchr(abs, '/');
	struct stat st;
	int r;

	name = slash + 1;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		die("name a file", "%s %s: not a file name", opt, given);
	*slash = '\0';
	r = paths_resolve(cfg, slash == abs ? "/" : abs, PATHS_FOLLOW_IN_TREE, &dir, &why);
	if (r == -ELOOP && why)
		die("remove the link, or name a path without it", "%s %s: %s", opt, given, why);
	if (r < 0) {
		errno = -r;
		die_errno("check the path and its permissions", "%s %s: cannot open its directory", opt,
			  given);
	}
	o->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0)
		die_errno("check the path and its permissions", "%s %s: cannot open %s", opt, given, dir);
	/* O_NONBLOCK: a named pipe nobody reads would block the open forever
	 * (ENXIO instead); cleared once it is open. */
	o->fd = openat(o->dirfd, name,
		       O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
	if (o->fd < 0 && errno == ELOOP && outputs_system_link(o->dirfd, name))
		o->fd = openat(o->dirfd, name, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC);
	else if (o->fd < 0 && errno == ELOOP)
		die("remove the link, or name the file itself; netbox does not follow links for its own "
		    "files (an earlier run may have planted it)",
		    "%s %s: is a symbolic link", opt, given);
	if (o->fd < 0 && errno == ENXIO)
		die("start its reader first, or name a file", "%s %s: a named pipe nobody reads", opt,
		    given);
	if (o->fd < 0 || fstat(o->fd, &st) < 0 ||
	    fcntl(o->fd, F_SETFL, fcntl(o->fd, F_GETFL) & ~O_NONBLOCK) < 0)
		die_errno("check the path and its permissions", "%s %s: cannot open", opt, given);
	if (S_ISFIFO(st.st_mode) && paths_writable_tree(cfg, dir))
		die("remove it, or name a file; netbox does not write into a named pipe a program "
		    "could have left there",
		    "%s %s: is a named pipe in %s, which sandboxed programs can write", opt, given,
		    paths_writable_tree(cfg, dir));
	o->name = xstrdup(name);
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	if (!S_ISREG(st.st_mode)) {
		/* a pipe (--log >(jq ...)), a terminal, /dev/null: written
		 * as it is, never replaced */
		close(o->dirfd);
		o->dirfd = -1;
		return xasprintf("%s/%s", dir, name);
	}
	if (st.st_uid != geteuid())
		die("remove it, or name a file of yours", "%s %s: belongs to another user (uid %u)", opt,
		    given, (unsigned)st.st_uid);
	if (st.st_nlink != 1)
		die("remove it, or name another file (an earlier run may have made it a second name of "
		    "one of your files)",
		    "%s %s: has %lu names (hard links)", opt, given, (unsigned long)st.st_nlink);
	if (truncate && ftruncate(o->fd, 0) < 0)
		die_errno(NULL, "%s %s: cannot truncate", opt, given);
	return xasprintf("%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
}

/* A file of netbox's in a writable tree is covered inside the sandbox. */
static void outputs_cover(struct config *cfg, const char *real, const char *why)
{
	if (paths_writable_tree(cfg, real))
		mountplan_add(cfg, MOUNT_HIDE, real, why);
}

/* $XDG_CONFIG_HOME/netbox/learned/NAME.profile: outside every tree a
 * program writes by default, and not where profiles are looked up, so a
 * learned profile is used only when asked for (it has no cache rules). */
static char *outputs_default_learn_path(const struct config *cfg)
{
	char **dirs = profile_dirs(cfg);
	const char *base = strrchr(cfg->argv[0], '/'), *xdg = getenv("XDG_CONFIG_HOME");
	char name[65];
	size_t n = 0;

	if (!dirs[0] || (!cfg->home && (!xdg || xdg[0] != '/')))
		die("give a file: --learn=FILE", "--learn: no home directory to write the profile in");
	for (base = base ? base + 1 : cfg->argv[0]; *base && n < sizeof(name) - 1; base++) {
		char c = *base;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '+' ||
			     (c == '.' && n > 0);

		name[n++] = plain ? c : '_';
	}
	name[n] = '\0';
	if (cfg->home && paths_under(dirs[0], cfg->home))
		return xasprintf("~%s/learned/%s.profile", dirs[0] + strlen(cfg->home), n ? name : "program");
	return xasprintf("%s/learned/%s.profile", dirs[0], n ? name : "program");
}

void outputs_plan(struct config *cfg)
{
	char *real;

	cfg->learn_file.fd = cfg->learn_file.dirfd = -1;
	if (cfg->learn && !cfg->learn_path)
		cfg->learn_path = outputs_default_learn_path(cfg);
	if (cfg->check) /* nothing is created for --check */
		return;

	if (cfg->log_path && strcmp(cfg->log_path, "-") == 0) {
		cfg->log = stderr;
	} else if (cfg->log_path) {
		struct output_file o = { .fd = -1, .dirfd = -1 };

		real = outputs_open(cfg, "--log", cfg->log_path, true, &o);
		outputs_cover(cfg, real, "netbox's --log file");
		if (o.dirfd >= 0)
			close(o.dirfd);
		free(o.name);
		cfg->log = fdopen(o.fd, "a");
		if (!cfg->log)
			die_errno(NULL, "--log %s", cfg->log_path);
		free(real);
	}
	if (cfg->log)
		setvbuf(cfg->log, NULL, _IOLBF, 0);

	if (!cfg->learn)
		return;
	real = outputs_absolute(cfg, "--learn", cfg->learn_path);
	*strrchr(real, '/') = '\0';
	if (*real)
		paths_mkdirs(cfg, "--learn", real);
	free(real);
	real = outputs_open(cfg, "--learn", cfg->learn_path, false, &cfg->learn_file);
	outputs_cover(cfg, real, "netbox's --learn file");
	free(real);
}

/* @path as --profile takes it: a bare "tool.profile" would be looked up as
 * a profile name, "./tool.profile" is read from the current directory. */
static char *outputs_replay_path(const char *path)
{
	if (path[0] == '/' || (path[0] == '~' && path[1] == '/') || strncmp(path, "./", 2) == 0 ||
	    strncmp(path, "../", 3) == 0)
		return xstrdup(path);
	return xasprintf("./%s", path);
}

/* Write @text into a new temporary file in the learned file's directory; 0
 * and its name in @tmp, or -errno. */
static int outputs_write_temp(const struct config *cfg, const char *text, size_t len, char *tmp,
			      size_t tlen)
{
	const struct output_file *o = &cfg->learn_file;
	uint64_t rnd;
	int fd, r = 0;

	random_fill(&rnd, sizeof(rnd));
	snprintf(tmp, tlen, ".%.200s.netbox-%016llx", o->name, (unsigned long long)rnd);
	fd = openat(o->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* 0644 whatever the umask: netbox refuses to read a profile that
	 * others can write, and this one is meant to be read. */
	if (fchmod(fd, 0644) < 0 || write_all(fd, text, len) < 0 || fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		unlinkat(o->dirfd, tmp, 0);
	return r;
}

/* A rule report_learned() can write: "=NAME:PORTS" (an exact name, no
 * pattern), or a public address ("A.B.C.D:PORTS", "[V6]:PORTS") — learn
 * mode allows public hosts only — with ports listed, never "*". */
static bool outputs_learned_rule(const char *arg)
{
	const char *colon = strrchr(arg, ':');
	bool bracket = arg[0] == '[';
	char addr[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	if (!colon || colon[1] == '\0' || strspn(colon + 1, "0123456789,-") != strlen(colon + 1))
		return false;
	if (arg[0] == '=')
		return !memchr(arg, '*', (size_t)(colon - arg)) && !memchr(arg, '/', (size_t)(colon - arg));
	n = (size_t)(colon - arg);
	if (bracket && (n < 2 || colon[-1] != ']'))
		return false;
	n -= bracket ? 2 : 0;
	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, arg + bracket, n);
	addr[n] = '\0';
	/* IPv6 only in brackets, as report_learned() writes it. */
	if (policy_addr_parse(addr, &a6) < 0 || (!bracket && !policy_addr_to_v4(&a6, &a4)))
		return false;
	return policy_addr_class(&a6) == POLICY_ADDR_PUBLIC;
}

/* A request rule as report_learned() writes it for an inspected host:
 * "METHODS http(s)://=NAME[:PORT]/PATH", methods tokens or '*', an exact
 * name, no glob in the path. */
static bool outputs_learned_request(const char *arg)
{
	static const char token[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
				    "!#$%&'+.^_`|~-,";
	size_t m = strcspn(arg, " ");
	const char *url = arg + m + 1;

	if (arg[m] != ' ' || m == 0 || (strspn(arg, token) != m && !(m == 1 && arg[0] == '*')))
		return false;
	if (strncmp(url, "https://=", 9) != 0 && strncmp(url, "http://=", 8) != 0)
		return false;
	return !strchr(url, '*') && !strchr(url, ' ') && strchr(url + 9, '/');
}

/* The text comes from the supervisor, the part of netbox that reads
 * hostile bytes: were it taken over, it could hand a profile with `rw ~`
 * for the next run, or `allow 127.0.0.1:7777` (your loopback), or bytes
 * that make the file unreadable.  So only what report_learned() writes
 * passes: comments, blank lines and `allow RULE` lines of the forms above
 * that parse, no NUL, no line the profile reader would refuse as long. */
static bool outputs_learned_valid(const char *text, size_t len)
{
	struct policy *p = policy_new();
	bool ok = !memchr(text, '\0', len);

	for (const char *line = text; ok && *line;) {
		size_t n = strcspn(line, "\n");
		cleanup_free char *copy = xstrndup(line, n);
		char *name, *arg, err[256];
		int r = profile_split_line(copy, &name, &arg);

		ok = n < PROFILE_MAX_LINE - 1 &&
		     (r == 0 || (r == 1 && strcmp(name, "allow") == 0 && arg &&
				 (outputs_learned_rule(arg) || outputs_learned_request(arg)) &&
				 policy_add(p, true, arg, "learned", err, sizeof(err)) == 0));
		line += n + (line[n] == '\n');
	}
	policy_free(p);
	return ok;
}

/* The learned file's path, looked up again, leads to the directory and
 * the file netbox opened at start. */
static bool outputs_still_there(const struct config *cfg, const struct output_file *o)
{
	cleanup_free char *abs = outputs_absolute(cfg, "--learn", cfg->learn_path), *dir = NULL;
	struct stat was, now, st;
	char *slash = strrchr(abs, '/');

	*slash = '\0';
	if (paths_resolve(cfg, slash == abs ? "/" : abs, PATHS_FOLLOW_IN_TREE, &dir, NULL) < 0 ||
	    stat(dir, &now) < 0 || fstat(o->dirfd, &was) < 0 || now.st_dev != was.st_dev ||
	    now.st_ino != was.st_ino)
		return false;
	return fstatat(o->dirfd, o->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       st.st_dev == o->dev && st.st_ino == o->ino;
}

void outputs_write_learned(const struct config *cfg, const char *text, size_t len)
{
	const struct output_file *o = &cfg->learn_file;
	cleanup_free char *replay = NULL;
	char tmp[300];
	int r;

	if (o->fd < 0) /* never opened: --check, or the run failed first */
		return;
	if (!text) {
		warn("no learned profile: the supervisor ended without one");
		return;
	}
	if (!outputs_learned_valid(text, len)) {
		warn("the learned profile netbox's supervisor handed over holds more than rules: "
		     "not written \u2014 please report this");
		return;
	}
	if (o->dirfd < 0) { /* a pipe, a terminal, /dev/null */
		if (write_all(o->fd, text, len) < 0)
			warn("cannot write the learned profile to %s: %s", cfg->learn_path,
			     strerror(errno));
		return;
	}
	r = outputs_write_temp(cfg, text, len, tmp, sizeof(tmp));
	if (r < 0) {
		warn("cannot write the learned profile %s: %s", cfg->learn_path, strerror(-r));
		return;
	}
	/* The program is gone; the path must still lead to the file made at
	 * start.  It was covered inside, but a directory on the way, in a
	 * writable tree, may have been renamed and the path made again: the
	 * directory descriptor would follow the renamed one. */
	if (!outputs_still_there(cfg, o)) {
		unlinkat(o->dirfd, tmp, 0);
		warn("%s is no longer the file netbox created at start (was it replaced during the "
		     "run?): the learned profile was not written there; here it is:",
		     cfg->learn_path);
		(void)!write(STDERR_FILENO, text, len);
		return;
	}
	if (renameat(o->dirfd, tmp, o->dirfd, o->name) < 0) {
		warn("cannot write the learned profile %s: %s", cfg->learn_path, strerror(errno));
		unlinkat(o->dirfd, tmp, 0);
		return;
	}
	replay = outputs_replay_path(cfg->learn_path);
	notice("learned profile written to %s \u2014 replay with: netbox --profile %s %s%s",
	       cfg->learn_path, replay, cfg->argv[0], cfg->argv[1] ? " ..." : "");
}
