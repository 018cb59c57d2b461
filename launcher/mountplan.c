/* mountplan.c — the plan of the sandbox's file system: every mount request,
 * whoever makes it, resolved, ordered and looked up in one place.
 *
 * Runs in netbox, before any namespace exists; mounts.c applies the plan in
 * the sandbox init, and nothing else adds to it.  The requests come from:
 *   - the user: --ro/--rw/--hide/--tmpfs/--overlay on the command line or in
 *     a profile (mountplan_option(), options.c's handler for all five);
 *   - the defaults (mountplan_defaults()): /dev, /proc, /sys, the covers of
 *     the homes, /tmp and /run, and the current directory, read-write unless
 *     mountplan_cwd_hidden_why() finds a reason not to;
 *   - the program's own directories when they are hidden
 *     (mountplan_program_dirs());
 *   - the other planners, through mountplan_add(): protected names
 *     (protect.c), netbox's own files (outputs.c), profiles in writable trees
 *     (profile.c), unix sockets (unixsock.c).
 * A request is a path and a kind (config.h); the deepest request holding a
 * path decides what it looks like, the latest on a tie (mountplan_find()), and
 * mounts.c applies them parents first (mountplan_sort()).
 */
#include "mountplan.h"
#include "paths.h"
#include "protect.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Every kind of mount: what asks for it, and how --check shows it. */
static const struct {
	const char *option; /* the option that asks for it; NULL: netbox's own */
	const char *shown;
	bool dir;           /* always a directory, whatever the host path is */
} mountplan_kinds[] = {
	[MOUNT_RO] = { "--ro", "read-only", false },
	[MOUNT_RW] = { "--rw", "read-write", false },
	[MOUNT_HIDE] = { "--hide", "hidden", false },
	[MOUNT_TMPFS] = { "--tmpfs", "empty tmpfs", true },
	[MOUNT_OVERLAY] = { "--overlay", "overlay", false },
	[MOUNT_DEV] = { NULL, "minimal (null zero full random urandom tty pts shm)", true },
	[MOUNT_PROC] = { NULL, "fresh procfs", true },
	[MOUNT_SYS] = { NULL, "fresh sysfs", true },
	[MOUNT_COVER] = { NULL, "empty tmpfs", true },
	[MOUNT_SOCKET] = { NULL, "hidden", false },
};

/* Directories covered by an empty tmpfs whatever the user's layout. */
static const struct {
	const char *path;
	const char *why;
} mountplan_covers[] = {
	{ "/home", "default: home directories" },
	{ "/root", "default: root's home" },
	{ "/mnt", "default: mounted media" },
	{ "/media", "default: mounted media" },
	{ "/tmp", "default: private /tmp" },
	{ "/var/tmp", "default: private /var/tmp" },
	{ "/run", "default: sockets of ssh-agent, dbus, docker, ..." },
};

static int mountplan_depth(const char *p)
{
	int d = 0;

	for (; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			d++;
	return d;
}

void mountplan_add(struct config *cfg, enum mount_kind kind, const char *path, const char *origin)
{
	struct mount_req *m;
	struct stat st;

	cfg->mounts = xrealloc(cfg->mounts, (cfg->nmounts + 1) * sizeof(*cfg->mounts));
	m = &cfg->mounts[cfg->nmounts];
	m->kind = kind;
	m->path = xstrdup(path);
	m->given = NULL;
	m->is_dir = mountplan_kinds[kind].dir || stat(path, &st) < 0 || S_ISDIR(st.st_mode);
	m->origin = origin;
	m->depth = mountplan_depth(path);
	m->seq = (int)cfg->nmounts;
	cfg->nmounts++;
}

void mountplan_socket(struct config *cfg, const char *path, bool is_dir, const char *why)
{
	mountplan_add(cfg, MOUNT_SOCKET, path, why);
	cfg->mounts[cfg->nmounts - 1].is_dir = is_dir;
}

/* ---- the user's requests ------------------------------------------------ */

/* A tmpfs at @abs, which does not exist: its deepest existing ancestor
 * resolved, the rest as written (the init makes the mount point). */
static void mountplan_add_missing_tmpfs(struct config *cfg, const char *opt, const char *abs)
{
	cleanup_free char *dir = xstrdup(abs);
	char real[PATH_MAX];
	char *slash;

	while ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (realpath(dir, real)) {
			cleanup_free char *path = xasprintf("%s%s", real, abs + (slash - dir));

			/* (the origin lives as long as cfg) */
			mountplan_add(cfg, MOUNT_TMPFS, path,
				      xasprintf("%s (%s): not on this machine, an empty tmpfs", opt,
						cfg->origin));
			break;
		}
	}
}

static enum mount_kind mountplan_kind_of(const char *opt)
{
	for (size_t i = 0; i < ARRAY_SIZE(mountplan_kinds); i++)
		if (mountplan_kinds[i].option && strcmp(opt, mountplan_kinds[i].option) == 0)
			return (enum mount_kind)i;
	die(NULL, "%s: not a mount option", opt);
}

void mountplan_option(struct config *cfg, const char *opt, const char *arg)
{
	cleanup_free char *abs = NULL;
	char resolved[PATH_MAX];
	enum mount_kind kind = mountplan_kind_of(opt);
	/* The origin must outlive this call: the table's string. */
	const char *origin = mountplan_kinds[kind].option;

	if (!*arg)
		die("give a path", "%s: empty path", opt);
	abs = paths_expand(cfg, opt, arg);
	if (!realpath(abs, resolved)) {
		int err = errno; /* (realpath() in protect_may_create() sets it) */

		/* --rw .git before `git init`: the protected name may be made. */
		if (err == ENOENT && kind == MOUNT_RW && protect_may_create(cfg, abs))
			return;
		/* A profile names paths that may not exist on every machine
		 * (~/.cargo/git before the first git dependency): skip them;
		 * but a cache the profile keeps throw-away is made an empty
		 * tmpfs, so that what the tool writes there is not mistaken
		 * for something lost in the hidden home (discard.c). */
		if (err == ENOENT && cfg->origin && kind == MOUNT_OVERLAY)
			mountplan_add_missing_tmpfs(cfg, opt, abs);
		if (err == ENOENT && cfg->origin)
			return;
		if (err == ENOENT)
			die("create it first or fix the path", "%s %s: %s does not exist", opt, arg, abs);
		errno = err;
		die_errno("check the path and its permissions", "%s %s: cannot resolve %s", opt, arg, abs);
	}
	if (strcmp(resolved, "/") == 0 &&
	    (kind == MOUNT_HIDE || kind == MOUNT_TMPFS || kind == MOUNT_OVERLAY))
		die("name a directory below /", "%s /: cannot replace the whole file system", opt);
	if (kind == MOUNT_TMPFS || kind == MOUNT_OVERLAY) {
		struct stat st;

		if (stat(resolved, &st) == 0 && !S_ISDIR(st.st_mode))
			die(kind == MOUNT_TMPFS ? "use --hide for a file" : "overlay the directory it is in",
			    "%s %s: not a directory", opt, arg);
	}
	if (cfg->origin)
		origin = xasprintf("%s (%s)", opt, cfg->origin); /* lives as long as cfg */
	mountplan_add(cfg, kind, resolved, origin);
	cfg->mounts[cfg->nmounts - 1].given = steal_pointer(&abs);
}

/* ---- the defaults ------------------------------------------------------- */

/* Home directories that are really system directories are not covered. */
static bool mountplan_is_system_dir(const char *p)
{
	static const char *const sys[] = { "/", "/usr", "/var", "/etc", "/bin", "/sbin", "/lib",
					   "/opt", "/srv", "/dev", "/proc", "/sys", "/nonexistent",
					   "/var/lib", "/var/spool", "/var/cache", "/var/run", "/run" };

	for (size_t i = 0; i < ARRAY_SIZE(sys); i++)
		if (strcmp(p, sys[i]) == 0)
			return true;
	return false;
}

/* Under a default cover planned so far. */
static bool mountplan_is_covered(const struct config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->nmounts; i++)
		if (cfg->mounts[i].kind == MOUNT_COVER && paths_under(path, cfg->mounts[i].path))
			return true;
	return false;
}

/* @inside: a directory already inside a cover (checked on its real path:
 * /home/x may be a link to /data/x) needs none of its own. */
static void mountplan_cover_if_dir(struct config *cfg, const char *path, const char *why, bool inside)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(path, real) || stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	if (inside && mountplan_is_covered(cfg, real))
		return;
	for (size_t i = 0; i < cfg->nmounts; i++)
		if (cfg->mounts[i].kind == MOUNT_COVER && strcmp(cfg->mounts[i].path, real) == 0)
			return;
	mountplan_add(cfg, MOUNT_COVER, real, why);
}

/* The defaults of DESIGN.md "Files". */
static void mountplan_add_defaults(struct config *cfg)
{
	struct passwd *pw;
	FILE *passwd;

	mountplan_add(cfg, MOUNT_DEV, "/dev", "default: minimal /dev");
	mountplan_add(cfg, MOUNT_PROC, "/proc", "default: /proc of the sandbox");
	mountplan_add(cfg, MOUNT_SYS, "/sys", "default: /sys of the sandbox's network");
	for (size_t i = 0; i < ARRAY_SIZE(mountplan_covers); i++)
		mountplan_cover_if_dir(cfg, mountplan_covers[i].path, mountplan_covers[i].why, false);

	if (cfg->home && !mountplan_is_system_dir(cfg->home))
		mountplan_cover_if_dir(cfg, cfg->home, "default: your home", false);
	if (cfg->target_home && !mountplan_is_system_dir(cfg->target_home))
		mountplan_cover_if_dir(cfg, cfg->target_home, "default: the program's home", false);
	/* HOME=/elsewhere, or a system user's /var/lib/x (not among the
	 * other users' homes below): hidden like the other (unless under a
	 * cover already, /home/you). */
	if (cfg->passwd_home && !mountplan_is_system_dir(cfg->passwd_home))
		mountplan_cover_if_dir(cfg, cfg->passwd_home, "default: your account's home", true);
	/* Other users' homes wherever they live (/srv/users/..., /var/lib/x);
	 * those under a cover already (/home/x) are hidden by it, and a tmpfs
	 * each would cost a mount per user at every start.  The local
	 * /etc/passwd, not getpwent(): NSS enumeration loads libnss_systemd
	 * and walks its userdb directories (a third of a millisecond at every
	 * start), and enumerating a directory service (LDAP) can take seconds;
	 * homes of such users live under /home in practice. */
	passwd = fopen("/etc/passwd", "re");
	while (passwd && (pw = fgetpwent(passwd)))
		if (pw->pw_uid >= 1000 && pw->pw_uid != 65534 && pw->pw_dir[0] == '/' &&
		    !mountplan_is_system_dir(pw->pw_dir))
			mountplan_cover_if_dir(cfg, pw->pw_dir, "default: other users' homes", true);
	if (passwd)
		fclose(passwd);

	/* The current directory, read-write — unless there is a reason not
	 * to (it is / or a home, or looks planted: cwd_hidden_why). */
	cfg->cwd_exposed = !cfg->cwd_hidden_why;
	if (cfg->cwd_exposed)
		mountplan_add(cfg, MOUNT_RW, cfg->cwd, "current directory");
}

/* Why the current directory should not be bound read-write, or NULL.  The
 * user's mounts are planned, the defaults not yet. */
static char *mountplan_cwd_hidden_why(const struct config *cfg)
{
	const char *cwd = cfg->cwd, *homes[PATHS_MAX_HOMES];
	size_t nhomes = paths_homes(cfg, homes);
	bool in_home = false;
	char *link;

	for (size_t h = 0; h < nhomes; h++)
		in_home |= strcmp(cwd, homes[h]) == 0;
	if (strcmp(cwd, "/") == 0 || in_home)
		return xstrdup("it is /, your home or the program's home");
	/* --hide ~/secrets, then cd ~/secrets/x: the cover wins. */
	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct mount_req *m = &cfg->mounts[i];

		if ((m->kind == MOUNT_HIDE || m->kind == MOUNT_TMPFS) && paths_under(cwd, m->path))
			return xasprintf("it lies in %s, which %s covers", m->path, m->origin);
	}
	/* A hidden directory of a home (~/.aws, ~/.ssh, ~/.cargo/registry/src/x)
	 * holds credentials and what tools run: never exposed as "the current
	 * directory", however the program that started netbox got there (a
	 * planted build -> ~/.aws entered by `make -C build`, `env -C`, an
	 * editor's task: no $PWD shows that link). */
	for (size_t h = 0; h < nhomes; h++) {
		size_t n = strlen(homes[h]);

		if (strcmp(homes[h], "/") != 0 && paths_under(cwd, homes[h]) && cwd[n] == '/' &&
		    cwd[n + 1] == '.')
			return xasprintf("it lies in a hidden directory of your home, where credentials "
					 "and what your tools run live");
		in_home |= paths_under(cwd, homes[h]);
	}
	/* `cd build` where an earlier run planted build -> ~/.ssh: binding
	 * "the current directory" would bind ~/.ssh read-write. */
	if (in_home) {
		link = paths_cwd_planted_link(cfg);
		if (link) {
			char *why = xasprintf("you reached it through a link a sandboxed program may "
					      "have planted: %s", link);

			free(link);
			return why;
		}
	}
	return NULL;
}

void mountplan_defaults(struct config *cfg)
{
	struct mount_req *mine = cfg->mounts;
	size_t nmine = cfg->nmounts;

	cfg->cwd_hidden_why = mountplan_cwd_hidden_why(cfg);
	cfg->mounts = NULL;
	cfg->nmounts = 0;
	mountplan_add_defaults(cfg);
	/* The user's requests after the defaults: theirs win on the same path. */
	cfg->mounts = xrealloc(cfg->mounts, (cfg->nmounts + nmine) * sizeof(*cfg->mounts));
	for (size_t i = 0; i < nmine; i++) {
		mine[i].seq = (int)cfg->nmounts;
		cfg->mounts[cfg->nmounts++] = mine[i];
	}
	free(mine);
	if (!cfg->cwd_exposed) {
		const struct mount_req *m = mountplan_find(cfg, cfg->cwd);

		cfg->cwd_exposed =
			m && (m->kind == MOUNT_RO || m->kind == MOUNT_RW || m->kind == MOUNT_OVERLAY);
	}
}

/* ---- the program's directories ------------------------------------------ */

/* Never expose a home, or a directory above one, on the program's behalf;
 * nor, as the install directory above a bin/, a direct child of a home
 * (~/.cargo for ~/.cargo/bin holds credentials.toml). */
static bool mountplan_too_broad(const struct config *cfg, const char *dir, bool install)
{
	const char *homes[PATHS_MAX_HOMES];
	size_t nhomes = paths_homes(cfg, homes);

	if (strcmp(dir, "/") == 0)
		return true;
	for (size_t i = 0; i < nhomes; i++) {
		const char *slash = strrchr(dir, '/');

		if (paths_under(homes[i], dir) ||
		    (install && slash && (size_t)(slash - dir) == strlen(homes[i]) &&
		     strncmp(dir, homes[i], (size_t)(slash - dir)) == 0))
			return true;
	}
	return false;
}

static void mountplan_expose_dir(struct config *cfg, const char *dir)
{
	const struct mount_req *m = mountplan_find(cfg, dir);

	if (!m || m->kind == MOUNT_RO || m->kind == MOUNT_RW || m->kind == MOUNT_OVERLAY)
		return;
	if (mountplan_too_broad(cfg, dir, false)) {
		notice("the program is in %s, which stays hidden \u2014 expose what it needs with --ro", dir);
		return;
	}
	notice("%s is hidden in the sandbox: making it visible read-only for the program", dir);
	mountplan_add(cfg, MOUNT_RO, dir, "the program's directory");
}

void mountplan_program_dirs(struct config *cfg, const char *real_path)
{
	char found_dir[PATH_MAX], real[PATH_MAX];
	cleanup_free char *dir = xstrdup(cfg->prog_path);
	char *slash = strrchr(dir, '/');

	if (!slash || slash == dir || !realpath((*slash = '\0', dir), found_dir))
		return;
	mountplan_expose_dir(cfg, found_dir);

	snprintf(real, sizeof(real), "%s", real_path);
	slash = strrchr(real, '/');
	if (!slash || slash == real)
		return;
	*slash = '\0';
	if (strcmp(real, found_dir) == 0)
		return; /* not a symlink into another directory */
	slash = strrchr(real, '/');
	if (slash && slash != real && strcmp(slash, "/bin") == 0) {
		*slash = '\0';
		if (mountplan_too_broad(cfg, real, true))
			*slash = '/'; /* ~/bin/x, ~/.cargo/bin/x: the bin directory alone */
	}
	mountplan_expose_dir(cfg, real);
}

/* ---- looking the plan up ------------------------------------------------ */

const struct mount_req *mountplan_find(const struct config *cfg, const char *path)
{
	const struct mount_req *best = NULL;

	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct mount_req *m = &cfg->mounts[i];

		if (paths_under(path, m->path) &&
		    (!best || m->depth > best->depth || (m->depth == best->depth && m->seq > best->seq)))
			best = m;
	}
	return best;
}

bool mountplan_is_hiding(const struct mount_req *m)
{
	return m->kind == MOUNT_HIDE || m->kind == MOUNT_TMPFS || m->kind == MOUNT_COVER ||
	       m->kind == MOUNT_SOCKET;
}

bool mountplan_is_cover(const struct config *cfg, const char *path)
{
	const struct mount_req *m = mountplan_find(cfg, path);

	return m && m->kind == MOUNT_COVER && strcmp(m->path, path) == 0;
}

static int mountplan_cmp(const void *a, const void *b)
{
	const struct mount_req *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth - y->depth;
	return x->seq - y->seq;
}

void mountplan_sort(struct config *cfg)
{
	qsort(cfg->mounts, cfg->nmounts, sizeof(*cfg->mounts), mountplan_cmp);
}

void mountplan_print(const struct config *cfg)
{
	printf("files:\n  %-40s %-14s (%s)\n", "/", "read-only", "host root, nosuid, nodev");
	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct mount_req *m = &cfg->mounts[i];
		cleanup_free char *path = util_escape_dup(m->path), *origin = util_escape_dup(m->origin);

		printf("  %-40s %-14s (%s)\n", path, mountplan_kinds[m->kind].shown, origin);
	}
	if (!cfg->cwd_exposed) {
		cleanup_free char *cwd = util_escape_dup(cfg->cwd);

		printf("  current directory %s is not exposed (%s): pass --rw to expose it\n", cwd,
		       cfg->cwd_hidden_why ? cfg->cwd_hidden_why : "?");
	}
}
