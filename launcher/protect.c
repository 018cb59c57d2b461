/* protect.c — protected names: what other tools read and run later, outside
 * any sandbox, from the trees the program can write.
 *
 * git runs the hooks and the commands its config names from .git; direnv
 * runs .envrc when you enter a directory; an editor runs
 * .vscode/tasks.json when it opens one; your shell runs ~/.bashrc.  A
 * program that can write the current directory (or a --rw tree) could
 * leave any of them behind, to run at your next `git status`.  The table
 * below is the list, each entry with the reason; the README repeats it.
 *
 * Theory of operation:
 *   protect_plan()   before the sandbox exists: walk each writable tree — its
 *                    top directory and two levels below, breadth first, at
 *                    most PROTECT_MAX_DIRS directories, never through a link
 *                    and never into node_modules — for the names of
 *                    protect_names[], and look up the home paths of
 *                    protect_home[] that lie in a writable tree.  Each one
 *                    that exists is bound read-only over itself: inside, it
 *                    can be neither changed nor replaced (a mount point
 *                    cannot be renamed or removed).  `--rw PATH` on the exact
 *                    path opts out (`netbox --rw .git git commit`), also for
 *                    one that does not exist yet.
 *   protect_sweep()  after the program and everything it started are gone:
 *                    walk again.  A protected name that is new at the top of
 *                    a tree (or at a home path), or that replaced one seen at
 *                    start, is renamed to NAME.netbox-refused, which no tool
 *                    reads, and reported; one that is new further down (`git
 *                    clone` makes repo/.git) is reported and left.
 *
 * Why new names are undone at exit rather than refused: a name that does not
 * exist has no inode to bind over.  Making one on the host as a mount point
 * (an empty .envrc, .git, .vscode) litters the project with ghost files for
 * every run, and for good after a crash — an empty ~/.bash_profile even
 * changes what a login shell reads.  And nothing in the kernel refuses one
 * name in a directory the program may otherwise write (landlock grants by
 * hierarchy; seccomp cannot read a path safely).  The cost: while the program
 * runs, a new name exists, and is undone when it ends (not after a SIGKILL of
 * netbox).  The README says so.
 */
#include "config.h"
#include "paths.h"
#include "protect.h"
#include "util.h"

#include <dirent.h> /* DT_* */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#define PROTECT_DEPTH 2        /* directories below a tree's top that are read */
#define PROTECT_MAX_DIRS 512   /* directories read per walk, all trees together */

/* Names protected wherever the walk finds them. */
static const struct protect_name {
	const char *name;
	const char *why;
} protect_names[] = {
	{ ".git", "git runs its hooks and the commands its config names (core.fsmonitor, core.hooksPath, core.sshCommand, filters)" },
	{ ".gitmodules", "git fetches submodules from the URLs it names" },
	{ ".husky", "husky's hooks run at your next commit" },
	{ ".githooks", "a common core.hooksPath: its hooks run at your next commit" },
	{ ".pre-commit-config.yaml", "pre-commit runs the commands it names at your next commit" },
	{ "lefthook.yml", "lefthook runs the commands it names from git hooks" },
	{ ".lefthook.yml", "lefthook runs the commands it names from git hooks" },
	{ "lefthook-local.yml", "lefthook runs the commands it names from git hooks" },
	{ ".envrc", "direnv runs it when you enter the directory" },
	{ ".vscode", "VS Code runs its tasks (runOn: folderOpen) and the programs its settings name" },
	{ ".idea", "JetBrains IDEs run its run configurations and startup tasks" },
	{ ".zed", "Zed runs the tasks it names" },
	{ ".devcontainer", "devcontainer.json's initializeCommand runs on your machine" },
	{ ".mcp.json", "coding agents start the MCP servers it names" },
	{ ".claude", "Claude Code runs the hooks its settings name" },
	{ ".cursor", "Cursor starts the MCP servers it names" },
	{ ".npmrc", "npm runs the script-shell, git and node-options it names" },
	{ ".yarnrc", "yarn runs the file its yarn-path names" },
	{ ".yarnrc.yml", "yarn runs the file its yarnPath names" },
	{ ".pnpmfile.cjs", "pnpm runs its hooks at every install" },
	{ "bunfig.toml", "bun runs the preload scripts it names" },
	{ ".cargo", "cargo runs the runner and rustc-wrapper its config.toml names, from every directory above a build" },
};

/* Paths in your home, protected when a writable tree holds them (--rw ~,
 * --rw ~/.config). */
static const struct protect_name protect_home[] = {
	{ ".bashrc", "your shell runs it" },
	{ ".bash_profile", "your shell runs it" },
	{ ".bash_login", "your shell runs it" },
	{ ".bash_logout", "your shell runs it" },
	{ ".profile", "your shell runs it" },
	{ ".zshrc", "your shell runs it" },
	{ ".zshenv", "your shell runs it" },
	{ ".zprofile", "your shell runs it" },
	{ ".zlogin", "your shell runs it" },
	{ ".zlogout", "your shell runs it" },
	{ ".cshrc", "your shell runs it" },
	{ ".tcshrc", "your shell runs it" },
	{ ".kshrc", "your shell runs it" },
	{ ".config/fish", "your shell runs it" },
	{ ".pam_environment", "your login session reads it" },
	{ ".xprofile", "your login session runs it" },
	{ ".xsessionrc", "your login session runs it" },
	{ ".xinitrc", "your login session runs it" },
	{ ".config/autostart", "your desktop runs what it names at login" },
	{ ".config/systemd", "systemd runs your user services" },
	{ ".config/environment.d", "systemd sets your session's environment from it" },
	{ ".local/share/applications", "your desktop runs what its entries name" },
	{ ".local/bin", "it is on your PATH" },
	{ ".gitconfig", "git runs the commands it names (core.fsmonitor, hooksPath, aliases)" },
	{ ".config/git", "git runs the commands its config names" },
	{ ".ssh", "ssh runs its config's ProxyCommand, and authorized_keys lets others in" },
	{ ".gnupg", "gpg runs the programs its configuration names" },
	{ ".vimrc", "vim runs it" },
	{ ".config/nvim", "neovim runs it" },
	{ ".emacs", "emacs runs it" },
	{ ".emacs.d", "emacs runs it" },
	{ ".config/Code/User", "VS Code runs the tasks and programs it names" },
	{ ".config/netbox", "netbox's own profiles: what the next run may do" },
};

/* Directories the walk does not enter: a package manager's output, not
 * where your tools look for their configuration. */
static const char *const protect_skip[] = { "node_modules" };

struct protect_entry {
	char *path;     /* physical, absolute */
	const char *why;
	bool top;       /* at the top of its tree, or a home path: undone if new */
	bool is_link;
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
};

struct protect {
	struct protect_entry *v;
	size_t n;
	struct timespec start; /* wall clock: compared with files' ctime */
};

struct protect_walk {
	struct protect *into;
	size_t dirs; /* read so far, against PROTECT_MAX_DIRS */
};

static const struct protect_name *protect_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(protect_names); i++)
		if (strcmp(protect_names[i].name, name) == 0)
			return &protect_names[i];
	return NULL;
}

/* openat2(RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH) where the kernel has it
 * (5.6): the walk never leaves the tree through a link.  Older kernels: each
 * component was seen to be a directory by this same walk, and nothing in
 * the sandbox runs while it looks. */
static int protect_openat(int dirfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, rel, flags | O_CLOEXEC | O_NOFOLLOW);
	return fd;
}

static void protect_add(struct protect *p, const char *path, const struct stat *st,
			const char *why, bool top)
{
	struct protect_entry *e;

	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].path, path) == 0)
			return; /* nested trees: seen from both */
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	e = &p->v[p->n++];
	e->path = xstrdup(path);
	e->why = why;
	e->top = top;
	e->is_link = S_ISLNK(st->st_mode);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->ctime = st->st_ctim;
}

/* The layout getdents64 fills (glibc's struct dirent64 without its
 * fixed-size name). */
struct protect_dirent {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* One entry of a directory being read: a protected name goes into the
 * walk's list, a subdirectory onto @next (when there is a next level). */
static void protect_entry(struct protect_walk *w, const char *tree, int dfd, const char *rel,
			  const char *name, unsigned char type, char ***next, size_t *nnext)
{
	const struct protect_name *pn;
	char path[PATH_MAX], sub[PATH_MAX];
	struct stat st;

	if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
		return;
	pn = protect_lookup(name);
	if (!pn && (type != DT_DIR || !next) && type != DT_UNKNOWN)
		return;
	/* d_type is enough for a directory to enter later (it is opened
	 * without following links); a protected name needs its inode, and
	 * DT_UNKNOWN (some file systems) a look. */
	if (pn || type == DT_UNKNOWN) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return;
	} else {
		st.st_mode = S_IFDIR;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s%s%s/%s", strcmp(tree, "/") ? tree : "",
			     rel[0] ? "/" : "", rel, name) >= sizeof(path) ||
	    (size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", name) >= sizeof(sub))
		return;
	if (pn) {
		protect_add(w->into, path, &st, pn->why, !rel[0]);
		return; /* protected as a whole: not entered */
	}
	if (!S_ISDIR(st.st_mode) || !next || !nnext)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(protect_skip); i++)
		if (strcmp(name, protect_skip[i]) == 0)
			return;
	*next = xrealloc(*next, (*nnext + 1) * sizeof(char *));
	(*next)[(*nnext)++] = xstrdup(sub);
}

/* Read one directory (@rel under the tree's descriptor @root, "" for the
 * top); protected names go into the walk's list, the subdirectories to
 * read next onto @next. */
static void protect_read_dir(struct protect_walk *w, const char *tree, int root, const char *rel,
			     char ***next, size_t *nnext)
{
	int fd = rel[0] ? protect_openat(root, rel, O_RDONLY | O_DIRECTORY) : root;
	char buf[16384] __attribute__((aligned(8)));
	long n;

	if (fd < 0)
		return; /* gone, or not readable: nothing netbox could bind either */
	w->dirs++;
	/* getdents64 itself: fdopendir() costs two fcntl()s a directory, a
	 * third of the walk in a large tree. */
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const struct protect_dirent *e = (const void *)(buf + off);

			off += e->d_reclen;
			protect_entry(w, tree, fd, rel, e->d_name, e->d_type, next, nnext);
		}
	}
	if (fd != root)
		close(fd);
}

/* One writable tree, breadth first: its top, then PROTECT_DEPTH levels. */
static void protect_walk_tree(struct protect_walk *w, const char *tree)
{
	char **level = NULL, **next = NULL;
	size_t nlevel = 0, nnext = 0;
	int root = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		return;
	protect_read_dir(w, tree, root, "", &level, &nlevel);
	for (int depth = 1; depth <= PROTECT_DEPTH; depth++) {
		for (size_t i = 0; i < nlevel; i++) {
			if (w->dirs < PROTECT_MAX_DIRS)
				protect_read_dir(w, tree, root, level[i],
						 depth < PROTECT_DEPTH ? &next : NULL,
						 depth < PROTECT_DEPTH ? &nnext : NULL);
			free(level[i]);
		}
		free(level);
		level = next;
		nlevel = nnext;
		next = NULL;
		nnext = 0;
	}
	for (size_t i = 0; i < nlevel; i++)
		free(level[i]);
	free(level);
	close(root);
}

/* The home paths of protect_home[] that lie in a writable tree: @home's
 * entries, looked up without following links out of the tree. */
static void protect_walk_home(const struct config *cfg, struct protect *p, const char *home)
{
	for (size_t i = 0; i < ARRAY_SIZE(protect_home); i++) {
		cleanup_free char *abs = xasprintf("%s/%s", home, protect_home[i].name);
		cleanup_free char *real = NULL;
		struct stat st;
		int r = paths_resolve(cfg, abs, PATHS_FOLLOW_IN_TREE, &real, NULL);

		if ((r == 0 || r == -ENOENT) && real && paths_writable_tree(cfg, real) &&
		    lstat(real, &st) == 0)
			protect_add(p, real, &st, protect_home[i].why, true);
	}
}

/* Up to @len - 1 bytes of the regular file @path, not through a link at
 * its end; -1 if there is none. */
static ssize_t protect_read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	n = read_all(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Protect @target (relative to @base unless absolute) when it exists in a
 * writable tree. */
static void protect_add_named(const struct config *cfg, struct protect *p, const char *base,
			      const char *target, const char *why)
{
	cleanup_free char *abs = NULL, *real = NULL;
	struct stat st;

	if (!*target)
		return;
	if (target[0] == '~' && target[1] == '/' && cfg->home)
		abs = xasprintf("%s%s", cfg->home, target + 1);
	else
		abs = target[0] == '/' ? xstrdup(target) : xasprintf("%s/%s", base, target);
	if (paths_resolve(cfg, abs, PATHS_FOLLOW_IN_TREE, &real, NULL) == 0 &&
	    paths_writable_tree(cfg, real) && lstat(real, &st) == 0)
		protect_add(p, real, &st, why, true);
}

/* core.hooksPath in a git config file: `[core]` then `hooksPath = VALUE`
 * (names are case-insensitive; the value may be quoted).  Includes and
 * other files are not followed: a hooks directory they name elsewhere is
 * missed, which the README says. */
static bool protect_hooks_path(char *config, char *out, size_t len)
{
	bool core = false, found = false;

	for (char *line = strtok(config, "\n"); line; line = strtok(NULL, "\n")) {
		char *p = line + strspn(line, " \t"), *v;

		if (*p == '[') {
			p += 1 + strspn(p + 1, " \t");
			core = strncasecmp(p, "core", 4) == 0 && strchr(" \t]", p[4]);
			continue;
		}
		if (!core || strncasecmp(p, "hookspath", 9) != 0)
			continue;
		v = p + 9 + strspn(p + 9, " \t");
		if (*v != '=')
			continue;
		v += 1 + strspn(v + 1, " \t");
		v[strcspn(v, "#;\r")] = '\0';
		for (size_t n = strlen(v); n && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
			v[n - 1] = '\0';
		if (*v == '"' && strlen(v) >= 2 && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		snprintf(out, len, "%s", v); /* the last one wins, as in git */
		found = true;
	}
	return found;
}

/* git looks beyond .git itself: a .git *file* (a worktree, a submodule)
 * names the real git directory (`gitdir: PATH`), a worktree's git directory
 * names the shared one in `commondir`, and core.hooksPath puts the hooks
 * anywhere (scripts/hooks).  Those in a writable tree are protected too. */
static void protect_git_links(const struct config *cfg, struct protect *p)
{
	for (size_t i = 0, n = p->n; i < n; i++) {
		char buf[65536], hooks[PATH_MAX], path[PATH_MAX];
		cleanup_free char *gitdir = NULL, *worktree = xstrdup(p->v[i].path);
		const char *slash = strrchr(p->v[i].path, '/');

		if (!slash || strcmp(slash, "/.git") != 0 || p->v[i].is_link)
			continue;
		worktree[slash - p->v[i].path] = '\0';
		gitdir = xstrdup(p->v[i].path);
		if (protect_read_small(p->v[i].path, buf, 4096) > 0 && strncmp(buf, "gitdir:", 7) == 0) {
			char *t = buf + 7 + strspn(buf + 7, " \t");

			t[strcspn(t, "\r\n")] = '\0';
			protect_add_named(cfg, p, worktree, t, "git runs the hooks and config of the git "
							       "directory a .git file names");
			free(gitdir);
			gitdir = t[0] == '/' ? xstrdup(t) : xasprintf("%s/%s", worktree, t);
		}
		snprintf(path, sizeof(path), "%s/commondir", gitdir);
		if (protect_read_small(path, buf, 4096) > 0) {
			char *common;

			buf[strcspn(buf, "\r\n")] = '\0';
			protect_add_named(cfg, p, gitdir, buf, "the git directory a worktree shares");
			/* its config is the worktree's too */
			common = buf[0] == '/' ? xstrdup(buf) : xasprintf("%s/%s", gitdir, buf);
			free(gitdir);
			gitdir = common;
		}
		snprintf(path, sizeof(path), "%s/config", gitdir);
		if (protect_read_small(path, buf, sizeof(buf)) > 0 &&
		    protect_hooks_path(buf, hooks, sizeof(hooks)))
			protect_add_named(cfg, p, worktree, hooks, "git runs the hooks in core.hooksPath");
	}
}

static void protect_walk(const struct config *cfg, struct protect *p)
{
	struct protect_walk w = { .into = p };

	for (size_t i = 0; i < cfg->nwritable; i++)
		protect_walk_tree(&w, cfg->writable[i]);
	protect_git_links(cfg, p);
	/* netbox's own profiles, wherever $XDG_CONFIG_HOME puts them */
	protect_add_named(cfg, p, "/", options_profile_dirs(cfg)[0],
			  "netbox's own profiles: what the next run may do");
	if (cfg->home)
		protect_walk_home(cfg, p, cfg->home);
	if (cfg->target_home && (!cfg->home || strcmp(cfg->home, cfg->target_home) != 0))
		protect_walk_home(cfg, p, cfg->target_home);
}

/* `--rw PATH` on the exact path: the user lets the program change it. */
static bool protect_opted_out(const struct config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->nmounts; i++)
		if (cfg->mounts[i].kind == MOUNT_RW && cfg->mounts[i].given &&
		    strcmp(cfg->mounts[i].path, path) == 0)
			return true;
	for (size_t i = 0; i < cfg->nprotect_allowed; i++)
		if (strcmp(cfg->protect_allowed[i], path) == 0)
			return true;
	return false;
}

bool protect_may_create(struct config *cfg, const char *abs)
{
	const char *slash = strrchr(abs, '/');
	cleanup_free char *parent = NULL;
	char real[PATH_MAX];
	bool home = false;

	if (!slash || !slash[1])
		return false;
	parent = xstrndup(abs, (size_t)(slash - abs));
	if (!realpath(parent[0] ? parent : "/", real))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(protect_home); i++) {
		cleanup_free char *h = cfg->home ? xasprintf("%s/%s", cfg->home, protect_home[i].name)
						 : NULL;

		home |= h && strcmp(h, abs) == 0;
	}
	if (!home && !protect_lookup(slash + 1))
		return false;
	cfg->protect_allowed =
		xrealloc(cfg->protect_allowed, (cfg->nprotect_allowed + 1) * sizeof(char *));
	cfg->protect_allowed[cfg->nprotect_allowed++] = xasprintf("%s%s", real, slash);
	return true;
}

void protect_plan(struct config *cfg)
{
	struct protect *p = xcalloc(1, sizeof(*p));
	size_t kept = 0;

	/* Before the walk: anything made after this is new (ctime). */
	clock_gettime(CLOCK_REALTIME, &p->start);
	protect_walk(cfg, p);
	for (size_t i = 0; i < p->n; i++) {
		struct protect_entry *e = &p->v[i];

		const struct mount_req *m = mounts_find(cfg, e->path);

		/* Opted out, or under a mount of the user's that is not
		 * writable (--hide ./sub over sub/.git): a bind here would
		 * show what that mount covers. */
		if (protect_opted_out(cfg, e->path) || !m || m->kind != MOUNT_RW ||
		    (m->given && strcmp(m->path, e->path) == 0)) {
			free(e->path);
			continue;
		}
		p->v[kept++] = *e;
		/* A link cannot be bound over; replacing it is caught at exit. */
		if (!e->is_link)
			options_add_mount(cfg, MOUNT_RO, e->path, xasprintf("protected: %s", e->why));
	}
	p->n = kept;
	cfg->protect = p;
}

/* @path as the user would write it: relative to the current directory, or
 * ~/..., or absolute. */
static const char *protect_show(const struct config *cfg, const char *path, char *buf, size_t len)
{
	size_t n = strlen(cfg->cwd);

	if (strncmp(path, cfg->cwd, n) == 0 && path[n] == '/')
		return path + n + 1;
	if (cfg->home && paths_under(path, cfg->home) && strcmp(path, cfg->home) != 0) {
		snprintf(buf, len, "~%s", path + strlen(cfg->home));
		return buf;
	}
	return path;
}

/* Rename @e's path to NAME.netbox-refused (-2, -3, ... if taken), never
 * over anything; the new name in @to.  0 or -errno. */
static int protect_move_aside(const struct protect_entry *e, char *to, size_t len)
{
	cleanup_free char *dir = xstrdup(e->path);
	char *slash = strrchr(dir, '/');
	const char *name = e->path + (slash - dir) + 1;
	int fd, r = -EEXIST;

	*slash = '\0';
	fd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (int i = 1; i < 100 && r == -EEXIST; i++) {
		if (i == 1)
			snprintf(to, len, "%s.netbox-refused", name);
		else
			snprintf(to, len, "%s.netbox-refused-%d", name, i);
		r = syscall(SYS_renameat2, fd, name, fd, to, RENAME_NOREPLACE) == 0 ? 0 : -errno;
	}
	close(fd);
	return r;
}

static bool protect_same(const struct protect_entry *a, const struct protect_entry *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static const struct protect_entry *protect_find(const struct protect *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].path, path) == 0)
			return &p->v[i];
	return NULL;
}

static bool protect_newer(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/* One protected name found at exit, against what was there at start. */
static void protect_judge(const struct config *cfg, const struct protect_entry *now,
			  size_t *nrefused)
{
	const struct protect *start = cfg->protect;
	const struct protect_entry *was = protect_find(start, now->path);
	char shown[PATH_MAX], to[NAME_MAX + 1];
	const char *what = protect_show(cfg, now->path, shown, sizeof(shown));
	bool created = !was && protect_newer(&now->ctime, &start->start);
	int r;

	if ((was && protect_same(was, now)) || (!was && !created) || protect_opted_out(cfg, now->path))
		return;
	if (!was && !now->top) {
		/* repo/.git from a `git clone` in the box: new, and only what
		 * you run in that directory reads it. */
		notice("the program created %s (%s): look inside before you use that directory "
		       "outside netbox",
		       what, now->why);
		return;
	}
	r = protect_move_aside(now, to, sizeof(to));
	(*nrefused)++;
	if (r < 0)
		warn("the program %s %s (%s), and netbox could not move it aside: %s \u2014 remove it "
		     "before you run git, your editor or your shell there",
		     was ? "replaced" : "created", what, now->why, strerror(-r));
	else
		warn("refused: the program %s %s (%s) \u2014 moved it to %.*s%s; read it, then "
		     "delete it (to let a run make it: --rw %s)",
		     was ? "replaced" : "created", what, now->why,
		     strrchr(what, '/') ? (int)(strrchr(what, '/') - what + 1) : 0, what, to, what);
}

void protect_sweep(const struct config *cfg)
{
	struct protect now = { 0 };
	size_t nrefused = 0;

	if (!cfg->protect)
		return;
	protect_walk(cfg, &now);
	for (size_t i = 0; i < now.n; i++)
		protect_judge(cfg, &now.v[i], &nrefused);
	/* Bound read-only, so not removed: moved, with a directory above it. */
	for (size_t i = 0; i < cfg->protect->n; i++) {
		const struct protect_entry *e = &cfg->protect->v[i];
		char shown[PATH_MAX];

		if (!protect_find(&now, e->path))
			warn("the program moved %s away (a directory above it was renamed) \u2014 look "
			     "for it before you run git or your editor there",
			     protect_show(cfg, e->path, shown, sizeof(shown)));
	}
	for (size_t i = 0; i < now.n; i++)
		free(now.v[i].path);
	free(now.v);
}

void protect_print(const struct config *cfg, FILE *out)
{
	fprintf(out, "protected: what other tools run later, read-only in the writable trees "
		     "(README \"Protected names\")\n");
	if (!cfg->protect || !cfg->protect->n)
		fprintf(out, "  (none present; any created is moved aside at exit)\n");
	/* Paths in trees the program could write: shown escaped. */
	for (size_t i = 0; cfg->protect && i < cfg->protect->n; i++) {
		cleanup_free char *path = util_escape_dup(cfg->protect->v[i].path);

		fprintf(out, "  %s%s\n", path,
			cfg->protect->v[i].is_link ? " (a link: watched, replaced ones moved aside)" : "");
	}
	for (size_t i = 0; i < cfg->nprotect_allowed; i++) {
		cleanup_free char *path = util_escape_dup(cfg->protect_allowed[i]);

		fprintf(out, "  %s may be created (--rw)\n", path);
	}
}
