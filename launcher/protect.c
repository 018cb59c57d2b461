/* protect.c — protected names: what other tools read and run later, outside
 * any sandbox, from the trees the program can write.
 *
 * git runs the hooks and the commands its config names from .git; direnv
 * runs .envrc when you enter a directory; an editor runs
 * .vscode/tasks.json when it opens one; your shell runs ~/.bashrc.  A
 * program that can write the current directory (or a --rw tree) could
 * leave any of them behind, to run at your next `git status`.  The tables
 * below are the list, each entry with the reason; the README repeats it.
 *
 * Theory of operation:
 *   protect_plan()   before the sandbox exists: walk each writable tree — its
 *                    top directory and PROTECT_DEPTH levels below, breadth
 *                    first, at most PROTECT_MAX_DIRS directories, never
 *                    through a link and never into node_modules — for the
 *                    names of protect_names[] and for directories git takes
 *                    for a repository by their contents; add the home paths
 *                    of protect_home[], netbox's profile directories, what
 *                    protected links point to and what git reads beyond a
 *                    .git (protectgit.c), when a writable tree holds them,
 *                    and what earlier runs protected (protect_memory.c).
 *                    Each one is bound read-only over itself: inside, it can
 *                    be neither changed nor replaced (a mount point cannot be
 *                    renamed or removed).  `--rw PATH` on the exact path opts
 *                    out (`netbox --rw .git git commit`), also for one that
 *                    does not exist yet.
 *   protect_sweep()  after the program and everything it started are gone:
 *                    walk again, this time also into every directory the run
 *                    changed, at any depth.  A protected name that replaced
 *                    one seen at start, or is new at the top of a tree, at a
 *                    home path, or in a directory that existed before the
 *                    run, is moved aside (NAME.netbox-refused, a directory
 *                    made unreadable) and reported; one that is new in a
 *                    directory the run made (`git clone` makes repo/.git) is
 *                    reported and left.  What was protected is remembered for
 *                    the next run (protect_memory.c).
 *
 * Why new names are undone at exit rather than refused: a name that does not
 * exist has no inode to bind over.  Making one on the host as a mount point
 * (an empty .envrc, .git, .vscode) litters the project with ghost files for
 * every run, and for good after a crash — an empty ~/.bash_profile even
 * changes what a login shell reads.  And nothing in the kernel refuses one
 * name in a directory the program may otherwise write (landlock grants by
 * hierarchy; seccomp cannot read a path safely).  The cost: while the program
 * runs, a new name exists, and is undone when it ends; the program cannot
 * stop netbox before that (seccomp refuses its kill(0), which would reach
 * netbox's process group), but a SIGKILL of netbox from outside does.  The
 * README says so.
 */
#include "config.h"
#include "mountplan.h"
#include "paths.h"
#include "profile.h"
#include "protect.h"
#include "protect_internal.h"
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
#define PROTECT_MAX_DEEP 2048  /* changed directories read below that, at exit */
#define PROTECT_MAX_LEVELS 32  /* ... down to this depth */

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
	{ "rust-toolchain", "rustup runs the toolchain it names, from a path too" },
	{ "rust-toolchain.toml", "rustup runs the toolchain it names, from a path too" },
	{ ".devcontainer.json", "its initializeCommand runs on your machine" },
	{ ".hg", "Mercurial runs the hooks its hgrc names" },
	{ ".jj", "jj runs what its config names" },
	{ ".helix", "Helix runs the language servers its config names" },
	{ ".exrc", "vim and neovim run it (exrc)" },
	{ ".nvim.lua", "neovim runs it (exrc)" },
	{ ".dir-locals.el", "Emacs evaluates it" },
	{ "mise.toml", "mise runs its tasks and hooks, trusted by path" },
	{ ".mise.toml", "mise runs its tasks and hooks, trusted by path" },
	{ ".tool-versions", "asdf and mise install and run what it names" },
	{ ".gemini", "Gemini CLI runs the MCP servers and hooks it names" },
	{ ".kiro", "Kiro runs the hooks and MCP servers it names" },
	{ ".amazonq", "Amazon Q runs the MCP servers it names" },
	{ ".roo", "Roo Code runs the MCP servers it names" },
	{ ".continue", "Continue runs the MCP servers it names" },
	{ "opencode.json", "opencode runs the MCP servers and commands it names" },
};

/* Paths below the top of a tree (not names matched everywhere): what a
 * protected configuration file there names. */
static const struct protect_name protect_top_paths[] = {
	{ ".yarn/releases", "yarn runs the release its .yarnrc.yml's yarnPath names" },
	{ ".yarn/plugins", "yarn loads the plugins its .yarnrc.yml names" },
	{ ".yarn/sdks", "editors run the tools in it" },
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
	{ ".local/share/netbox", "netbox's shipped profiles, in a user install" },
	{ ".local/state/netbox", "netbox's own memory of what it protects" },
	{ ".bash_aliases", "your shell runs it (Debian's .bashrc sources it)" },
	{ ".inputrc", "readline reads it" },
	{ ".tmux.conf", "tmux runs the commands it names" },
	{ ".config/tmux", "tmux runs the commands it names" },
	{ ".config/direnv", "direnv runs its direnvrc" },
	{ ".local/lib", "python runs the .pth files of your site-packages at every start" },
	{ ".vim", "vim runs its plugins" },
	{ ".config/emacs", "emacs runs it" },
	{ ".config/VSCodium/User", "VSCodium runs the tasks and programs it names" },
	{ ".hgrc", "Mercurial runs the hooks it names" },
	{ ".config/hg", "Mercurial runs the hooks it names" },
	{ ".config/starship.toml", "your prompt runs the commands it names" },
	{ ".config/mise", "mise runs what it names" },
	{ ".config/nushell", "your shell runs it" },
	{ ".config/powershell", "your shell runs it" },
	{ ".aws", "the AWS CLI runs its config's credential_process" },
	{ ".docker", "docker runs the credential helpers its config.json names" },
	{ ".kube", "kubectl runs the exec plugins its config names" },
	{ ".gradle", "gradle runs its init scripts" },
	{ ".m2", "maven fetches from the mirrors its settings.xml names" },
	{ ".config/pip", "pip installs from the index its pip.conf names" },
	{ ".pip", "pip installs from the index its pip.conf names" },
	{ ".condarc", "conda installs from the channels it names" },
	{ ".gemrc", "gem installs from the sources it names" },
	{ ".npmrc", "npm runs the script-shell, git and node-options it names" },
	{ ".yarnrc", "yarn runs the file its yarn-path names" },
	{ ".yarnrc.yml", "yarn runs the file its yarnPath names" },
	{ ".nvm", "the node and npm you run come from it" },
	{ ".volta", "the node and npm you run come from it" },
	{ ".pyenv", "the python you run comes from it" },
	{ ".rbenv", "the ruby you run comes from it" },
	{ ".rustup", "the compilers you run come from it" },
	{ ".asdf", "the tools you run come from it" },
	{ ".sdkman", "the tools you run come from it" },
	{ ".bun", "the bun you run comes from it" },
	{ ".deno", "the deno you run comes from it" },
	{ "go/bin", "it is on your PATH" },
};

/* Directories the walk does not enter: a package manager's output, not
 * where your tools look for their configuration. */
static const char *const protect_skip[] = { "node_modules" };

struct protect_walk {
	const struct config *cfg;
	struct protect *into;
	size_t dirs;     /* directories read, against PROTECT_MAX_DIRS */
	size_t deep;     /* changed directories read below PROTECT_DEPTH (exit) */
	bool exhausted;  /* stopped at the budget */
	/* At exit: below PROTECT_DEPTH, directories changed since this time
	 * are read too, at any depth (a new src/a/b/.git).  NULL at start. */
	const struct timespec *changed_since;
};

static const struct protect_name *protect_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(protect_names); i++)
		if (strcmp(protect_names[i].name, name) == 0)
			return &protect_names[i];
	return NULL;
}

static bool protect_newer(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
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

void protect_add(struct protect *p, const char *path, const struct stat *st, const char *why,
		 bool top)
{
	struct protect_entry *e;

	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].path, path) == 0)
			return; /* nested trees: seen from both */
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	e = &p->v[p->n++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(path);
	e->why = why;
	e->top = top;
	e->is_link = S_ISLNK(st->st_mode);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->ctime = st->st_ctim;
}

void protect_free_entries(struct protect *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	p->v = NULL;
	p->n = 0;
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

/* Whether the walk enters the directory @name (in @dfd) at @depth. */
static bool protect_enter(struct protect_walk *w, int dfd, const char *name, int depth)
{
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(protect_skip); i++)
		if (strcmp(name, protect_skip[i]) == 0)
			return false;
	if (depth <= PROTECT_DEPTH)
		return true;
	/* Deeper, at exit only: what the run made or changed. */
	return w->changed_since && depth <= PROTECT_MAX_LEVELS &&
	       fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
	       protect_newer(&st.st_ctim, w->changed_since);
}

/* One entry of a directory being read: a protected name goes into the
 * walk's list, a subdirectory to enter onto @next. */
static void protect_entry(struct protect_walk *w, const char *tree, int dfd, const char *rel,
			  int depth, const struct protect_dirent *e, char ***next, size_t *nnext)
{
	const struct protect_name *pn = protect_lookup(e->d_name);
	char path[PATH_MAX], sub[PATH_MAX];
	struct stat st;

	if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
		return;
	if (!pn && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
		return;
	if ((size_t)snprintf(path, sizeof(path), "%s%s%s/%s", strcmp(tree, "/") ? tree : "",
			     rel[0] ? "/" : "", rel, e->d_name) >= sizeof(path) ||
	    (size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name) >=
		    sizeof(sub))
		return;
	if (pn) {
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			protect_add(w->into, path, &st, pn->why, !rel[0]);
		return; /* protected as a whole: not entered */
	}
	/* d_type says a directory (opened later without following links);
	 * DT_UNKNOWN (some file systems) needs a look. */
	if (e->d_type == DT_UNKNOWN &&
	    (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)))
		return;
	if (!protect_enter(w, dfd, e->d_name, depth + 1))
		return;
	*next = xrealloc(*next, (*nnext + 1) * sizeof(char *));
	(*next)[(*nnext)++] = xstrdup(sub);
}

/* Read one directory (@rel under the tree's descriptor @root, "" for the
 * top, at @depth); what it holds goes through protect_entry(). */
static void protect_read_dir(struct protect_walk *w, const char *tree, int root, const char *rel,
			     int depth, char ***next, size_t *nnext)
{
	int fd = rel[0] ? protect_openat(root, rel, O_RDONLY | O_DIRECTORY) : root;
	char buf[16384] __attribute__((aligned(8)));
	long n;

	if (fd < 0)
		return; /* gone, or not readable: nothing netbox could bind either */
	if (depth <= PROTECT_DEPTH)
		w->dirs++;
	else
		w->deep++;
	/* A directory git takes for a repository by what it holds — a bare
	 * one, or HEAD/objects/refs planted in src/ with a config that names
	 * a worktree and an fsmonitor — is protected like a .git. */
	if (protect_git_is_gitdir(fd)) {
		struct stat st;

		if (fstat(fd, &st) == 0) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "%s%s%s", tree, rel[0] ? "/" : "", rel);
			protect_add(w->into, path, &st,
				    "git takes it for a repository (HEAD, objects/, refs/) and runs what "
				    "its config names",
				    !rel[0]);
			w->into->v[w->into->n - 1].layout = true;
		}
	}
	/* getdents64 itself: fdopendir() costs two fcntl()s a directory, a
	 * third of the walk in a large tree. */
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			const struct protect_dirent *e = (const void *)(buf + off);

			off += e->d_reclen;
			protect_entry(w, tree, fd, rel, depth, e, next, nnext);
		}
	if (fd != root)
		close(fd);
}

/* One writable tree, breadth first: its top, PROTECT_DEPTH levels below,
 * and (at exit) what changed further down. */
static void protect_walk_tree(struct protect_walk *w, const char *tree)
{
	char **level = NULL;
	size_t nlevel = 0;
	int root = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		return;
	protect_read_dir(w, tree, root, "", 0, &level, &nlevel);
	for (int depth = 1; nlevel; depth++) {
		char **next = NULL;
		size_t nnext = 0;

		for (size_t i = 0; i < nlevel; i++) {
			bool room = depth <= PROTECT_DEPTH ? w->dirs < PROTECT_MAX_DIRS
							   : w->deep < PROTECT_MAX_DEEP;

			if (room)
				protect_read_dir(w, tree, root, level[i], depth, &next, &nnext);
			else
				w->exhausted = true;
			free(level[i]);
		}
		free(level);
		level = next;
		nlevel = nnext;
	}
	free(level);
	for (size_t i = 0; i < ARRAY_SIZE(protect_top_paths); i++) {
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", tree, protect_top_paths[i].name);
		if (fstatat(root, protect_top_paths[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			protect_add(w->into, path, &st, protect_top_paths[i].why, true);
	}
	close(root);
}

/* Up to @len - 1 bytes of the regular file @path, not through a link at
 * its end; -1 if there is none. */
ssize_t protect_read_small(const char *path, char *buf, size_t len)
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

void protect_add_named(const struct config *cfg, struct protect *p, const char *base,
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
	/* Most of the home's list does not exist: one lstat() says so, before
	 * the walk of each component (protect_home has 80 entries, looked up
	 * at start and at exit). */
	if (lstat(abs, &st) < 0)
		return;
	if (paths_resolve(cfg, abs, PATHS_FOLLOW_IN_TREE, &real, NULL) == 0 &&
	    paths_writable_tree(cfg, real) && lstat(real, &st) == 0)
		protect_add(p, real, &st, why, true);
}

/* What lies outside the walk: the home paths of protect_home[] and
 * netbox's own profile directories, when a writable tree holds them; the
 * targets of protected links (`.git -> .gitdir`); and what git reads
 * beyond each .git (protectgit.c). */
static void protect_walk_extra(const struct config *cfg, struct protect *p)
{
	const char *homes[PATHS_MAX_HOMES];
	size_t nhomes = paths_homes(cfg, homes);
	char **dirs = profile_dirs(cfg);
	char hooks[PATH_MAX];

	for (size_t h = 0; h < nhomes; h++) {
		for (size_t i = 0; i < ARRAY_SIZE(protect_home); i++)
			protect_add_named(cfg, p, homes[h], protect_home[i].name, protect_home[i].why);
	}
	/* wherever $XDG_CONFIG_HOME, an install prefix or the build tree put
	 * them (~/.local/share/netbox/profiles for a user install) */
	for (size_t i = 0; dirs[i]; i++)
		protect_add_named(cfg, p, "/", dirs[i], "netbox's profiles: what the next run may do");
	protect_git_global_hooks(cfg, hooks, sizeof(hooks));
	for (size_t i = 0; i < p->n; i++) {
		const char *slash = strrchr(p->v[i].path, '/');
		cleanup_free char *path = xstrdup(p->v[i].path);

		if (p->v[i].is_link)
			protect_add_named(cfg, p, "/", path, "what a protected link points to");
		else if (slash && strcmp(slash, "/.git") == 0)
			protect_git_follow(cfg, p, path, hooks);
	}
}

static void protect_walk(const struct config *cfg, struct protect *p,
			 const struct timespec *changed_since)
{
	struct protect_walk w = { .cfg = cfg, .into = p, .changed_since = changed_since };

	for (size_t i = 0; i < cfg->nwritable; i++)
		protect_walk_tree(&w, cfg->writable[i]);
	protect_walk_extra(cfg, p);
	p->exhausted = w.exhausted;
}

/* ---- before the run ---------------------------------------------------- */

bool protect_listed(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* `--rw PATH` on the exact path: the user lets the program change it. */
static bool protect_opted_out(const struct config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->nmounts; i++)
		if (cfg->mounts[i].kind == MOUNT_RW && cfg->mounts[i].given &&
		    strcmp(cfg->mounts[i].path, path) == 0)
			return true;
	return protect_listed(cfg->protect_allowed, cfg->nprotect_allowed, path);
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

	/* Before the walk: anything made after this is new (ctime, btime). */
	clock_gettime(CLOCK_REALTIME, &p->start);
	protect_memory_load(cfg, p);
	protect_walk(cfg, p, NULL);
	protect_memory_apply(cfg, p);
	if (p->exhausted)
		notice("looked for protected names (.git, .envrc, ...) in %d directories of the "
		       "writable trees and stopped there; netbox also protects what it protected "
		       "before \u2014 see netbox --check",
		       PROTECT_MAX_DIRS);
	for (size_t i = 0; i < p->n; i++) {
		struct protect_entry *e = &p->v[i];
		const struct mount_req *m = mountplan_find(cfg, e->path);

		/* Opted out, or under a mount of the user's that is not
		 * writable (--hide ./sub over sub/.git): a bind here would
		 * show what that mount covers. */
		if (protect_opted_out(cfg, e->path) || !m || m->kind != MOUNT_RW ||
		    (m->given && strcmp(m->path, e->path) == 0)) {
			free(e->path);
			continue;
		}
		p->v[kept++] = *e;
		/* A link cannot be bound over (its target is protected, and
		 * replacing it is caught at exit). */
		if (!e->is_link)
			mountplan_add(cfg, MOUNT_RO, e->path, xasprintf("protected: %s", e->why));
	}
	p->n = kept;
	cfg->protect = p;
}

/* ---- after the run ------------------------------------------------------ */

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

/* Move @e aside: NAME -> NAME.netbox-refused (-2, -3, ... if taken), never
 * over anything, then a directory made unreadable (chmod 000), so that
 * neither `cd` into it nor a git-aware prompt there runs what it holds; a
 * repository by its contents loses its HEAD instead.  The new name in
 * @to.  0 or -errno. */
static int protect_move_aside(const struct protect_entry *e, char *to, size_t len)
{
	cleanup_free char *dir = e->layout ? xasprintf("%s/HEAD", e->path) : xstrdup(e->path);
	char *slash = strrchr(dir, '/');
	cleanup_free char *name = xstrdup(slash + 1);
	struct stat st;
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
	if (r == 0 && fstatat(fd, to, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		int dfd = openat(fd, to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (dfd >= 0) {
			fchmod(dfd, 0);
			close(dfd);
		}
	}
	close(fd);
	return r;
}

static const struct protect_entry *protect_find(const struct protect *p, const char *path)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].path, path) == 0)
			return &p->v[i];
	return NULL;
}

/* The directory that holds @e (or, for a repository by its contents, the
 * directory itself) was made during the run: statx's birth time, where the
 * file system keeps one; else it counts as old. */
static bool protect_in_new_dir(const struct protect_entry *e, const struct timespec *start)
{
	cleanup_free char *dir = xstrdup(e->path);
	struct statx stx;

	if (!e->layout)
		*strrchr(dir, '/') = '\0';
	if (statx(AT_FDCWD, dir[0] ? dir : "/", AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) < 0 ||
	    !(stx.stx_mask & STATX_BTIME))
		return false;
	return protect_newer(&(struct timespec){ .tv_sec = stx.stx_btime.tv_sec,
						 .tv_nsec = stx.stx_btime.tv_nsec },
			     start);
}

/* One protected name found at exit, against what was there at start. */
static void protect_judge(const struct config *cfg, const struct protect_entry *now)
{
	const struct protect *start = cfg->protect;
	const struct protect_entry *was = protect_find(start, now->path);
	char shown[PATH_MAX + NAME_MAX + 2], path[PATH_MAX], to[NAME_MAX + 1];
	cleanup_free char *what = xstrdup(protect_show(cfg, now->path, path, sizeof(path)));
	int r;

	if ((was && was->dev == now->dev && was->ino == now->ino) ||
	    protect_opted_out(cfg, now->path))
		return;
	/* Not seen at start, and not changed since: the walk's budget. */
	if (!was && !protect_newer(&now->ctime, &start->start))
		return;
	/* New, below the top, in a directory the run made itself: `git
	 * clone` in the box makes repo/.git.  Named, and left. */
	if (!was && !now->top && protect_in_new_dir(now, &start->start)) {
		warn("the program created %s (%s), in a new directory: look inside before you use "
		     "that directory outside netbox",
		     what, now->why);
		return;
	}
	r = protect_move_aside(now, to, sizeof(to));
	if (r < 0) {
		warn("the program %s %s (%s), and netbox could not move it aside: %s \u2014 remove it "
		     "before you run git, your editor or your shell there",
		     was ? "replaced" : "created", what, now->why, strerror(-r));
		return;
	}
	/* where it went, as the user would look for it */
	if (now->layout)
		snprintf(shown, sizeof(shown), "%s/%s", what, to);
	else if (strrchr(what, '/'))
		snprintf(shown, sizeof(shown), "%.*s/%s", (int)(strrchr(what, '/') - what), what, to);
	else
		snprintf(shown, sizeof(shown), "%s", to);
	warn("refused: the program %s %s (%s) \u2014 moved %s to %s; read it, then delete it (to "
	     "let a run make it: --rw %s)",
	     was ? "replaced" : "created", protect_show(cfg, now->path, path, sizeof(path)),
	     now->why, now->layout ? "its HEAD" : "it", shown, now->layout ? "HEAD" : what);
}

void protect_sweep(const struct config *cfg)
{
	struct protect now = { 0 };

	if (!cfg->protect)
		return;
	protect_walk(cfg, &now, &cfg->protect->start);
	for (size_t i = 0; i < now.n; i++)
		protect_judge(cfg, &now.v[i]);
	/* What was protected at start and the walk did not reach (its budget,
	 * spent by the program): looked up by its path. */
	for (size_t i = 0; i < cfg->protect->n; i++) {
		const struct protect_entry *e = &cfg->protect->v[i];
		char shown[PATH_MAX];
		struct stat st;

		if (protect_find(&now, e->path))
			continue;
		if (lstat(e->path, &st) == 0) {
			protect_add(&now, e->path, &st, e->why, e->top);
			now.v[now.n - 1].layout = e->layout;
			protect_judge(cfg, &now.v[now.n - 1]);
		} else {
			/* bound read-only, so not removed: moved, with a
			 * directory above it */
			warn("the program moved %s away (a directory above it was renamed) \u2014 look "
			     "for it before you run git or your editor there",
			     protect_show(cfg, e->path, shown, sizeof(shown)));
		}
	}
	protect_memory_save(cfg, cfg->protect);
	protect_free_entries(&now);
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
