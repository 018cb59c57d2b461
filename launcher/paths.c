/* paths.c — the trees the program can write, and how netbox resolves the
 * paths it acts on so that a link planted in such a tree cannot lead it
 * into a hidden one.
 *
 * The program can write the current directory and every --rw tree, and what
 * it leaves there outlives the run: a symbolic link `data -> ~/.aws` planted
 * by one run is `--ro ./data` in the next, and `build -> ~/.ssh` is the
 * current directory of the one after.  So netbox never hands a path to
 * realpath() and trusts the answer.  paths_resolve() walks it one component
 * at a time; a symbolic link that lies in a writable tree is followed only
 * when it leads somewhere inside that same tree (node_modules/.bin/x ->
 * ../x/cli.js), and never for --hide and --tmpfs: covering what a planted
 * link points at covers the wrong thing, silently.  Links elsewhere (/home ->
 * /data/home, a dotfile manager's ~/.gitconfig -> ~/dotfiles/gitconfig) are
 * the user's and are followed.
 *
 * Called from main.c after every mount is planned (paths_plan()), before
 * anything is opened or bound on the program's behalf.  paths_expand(), for
 * options.c and mountplan.c, only makes a path the user typed absolute.
 */
#include "config.h"
#include "paths.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

char *paths_expand(const struct config *cfg, const char *opt, const char *path)
{
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		if (!cfg->home)
			die("give the full path", "%s %s: no home directory to expand ~ against", opt, path);
		return xasprintf("%s%s", cfg->home, path + 1);
	}
	if (path[0] == '~')
		die("write ~/PATH or a full path", "%s %s: ~USER is not supported", opt, path);
	if (path[0] == '/')
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	return xasprintf("%s/%s", cfg->cwd, path);
}

size_t paths_homes(const struct config *cfg, const char *out[PATHS_MAX_HOMES])
{
	const char *all[PATHS_MAX_HOMES] = { cfg->home, cfg->target_home, cfg->passwd_home };
	size_t n = 0;

	for (size_t i = 0; i < PATHS_MAX_HOMES; i++) {
		bool seen = !all[i];

		for (size_t j = 0; j < n && !seen; j++)
			seen = strcmp(out[j], all[i]) == 0;
		if (!seen)
			out[n++] = all[i];
	}
	return n;
}

bool paths_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

const char *paths_writable_tree(const struct config *cfg, const char *real)
{
	for (size_t i = 0; i < cfg->nwritable; i++)
		if (paths_under(real, cfg->writable[i]))
			return cfg->writable[i];
	return NULL;
}

/* Append "/@name" (or "@name" after "/") to the physical path in @cur. */
static int paths_join(char *cur, const char *name, size_t nlen)
{
	size_t len = strlen(cur);

	if (len + 1 + nlen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (len > 1)
		cur[len++] = '/';
	memcpy(cur + len, name, nlen);
	cur[len + nlen] = '\0';
	return 0;
}

/* A link at @link, in the directory @dir: refused (-ELOOP, and *why) when
 * @dir lies in a writable tree and the link may not be followed there. */
static int paths_check_link(const struct config *cfg, const char *dir, const char *link,
			    unsigned flags, char **why)
{
	const char *tree = paths_writable_tree(cfg, dir);
	char target[PATH_MAX];

	if (!tree)
		return 0;
	if (!(flags & PATHS_FOLLOW_IN_TREE)) {
		if (why)
			*why = xasprintf("%s is a symbolic link, in %s, which sandboxed programs can "
					 "write", link, tree);
		return -ELOOP;
	}
	if (!realpath(link, target))
		return -errno;
	/* Nested trees (the current directory and a --rw below it): any
	 * tree that holds the link may hold its target. */
	for (size_t i = 0; i < cfg->nwritable; i++)
		if (paths_under(dir, cfg->writable[i]) && paths_under(target, cfg->writable[i]))
			return 0;
	if (why)
		*why = xasprintf("%s is a symbolic link to %s, in %s, which sandboxed programs can "
				 "write", link, target, tree);
	return -ELOOP;
}

int paths_resolve(const struct config *cfg, const char *given, unsigned flags, char **out,
		  char **why)
{
	char cur[PATH_MAX] = "/", rest[2 * PATH_MAX];
	size_t off = 0;
	int links = 0;

	*out = NULL;
	if (why)
		*why = NULL;
	if (given[0] != '/')
		return -EINVAL;
	if (strlen(given) >= sizeof(rest))
		return -ENAMETOOLONG;
	strcpy(rest, given);
	while (rest[off]) {
		char prev[PATH_MAX], target[PATH_MAX];
		const char *name;
		struct stat st;
		size_t n;
		ssize_t tlen;
		int r;

		while (rest[off] == '/')
			off++;
		name = rest + off;
		n = strcspn(name, "/");
		off += n;
		if (n == 0 || (n == 1 && name[0] == '.'))
			continue;
		if (n == 2 && name[0] == '.' && name[1] == '.') {
			/* @cur is physical: its parent is the real one. */
			char *slash = strrchr(cur, '/');

			slash[slash == cur] = '\0';
			continue;
		}
		memcpy(prev, cur, sizeof(prev));
		r = paths_join(cur, name, n);
		if (r < 0)
			return r;
		if (lstat(cur, &st) < 0) {
			int err = errno;

			/* Only the last component missing: say where it would
			 * be, for callers that create it (--log) or accept it
			 * (a profile's path on another machine). */
			while (rest[off] == '/')
				off++;
			if (err == ENOENT && !rest[off])
				*out = xstrdup(cur);
			return -err;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++links > 40)
			return -ELOOP;
		r = paths_check_link(cfg, prev, cur, flags, why);
		if (r < 0)
			return r;
		/* Walk the link's text in place of its name, so that a link
		 * on the way there is looked at too. */
		tlen = readlink(cur, target, sizeof(target) - 1);
		if (tlen <= 0)
			return tlen < 0 ? -errno : -ENOENT;
		if ((size_t)tlen + 1 + strlen(rest + off) >= sizeof(rest))
			return -ENAMETOOLONG;
		{
			char tail[2 * PATH_MAX];

			strcpy(tail, rest + off);
			memcpy(rest, target, (size_t)tlen);
			strcpy(rest + tlen, tail);
			off = 0;
		}
		if (target[0] == '/')
			strcpy(cur, "/");
		else
			memcpy(cur, prev, sizeof(cur));
	}
	*out = xstrdup(cur);
	return 0;
}

/* Create the directory @path and its missing parents (0700), each looked
 * up through paths_resolve(). */
int paths_mkdirs_try(const struct config *cfg, const char *path, char **why)
{
	cleanup_free char *real = NULL;
	int r = paths_resolve(cfg, path, PATHS_FOLLOW_IN_TREE, &real, why);

	if (r == -ENOENT && !real) { /* more than the last one missing */
		cleanup_free char *parent = xstrdup(path);

		*strrchr(parent, '/') = '\0';
		r = paths_mkdirs_try(cfg, parent, why);
		if (r < 0)
			return r;
		r = paths_resolve(cfg, path, PATHS_FOLLOW_IN_TREE, &real, why);
	}
	if (r == -ENOENT && real)
		r = mkdir(real, 0700) == 0 || errno == EEXIST ? 0 : -errno;
	return r;
}

void paths_mkdirs(const struct config *cfg, const char *what, const char *path)
{
	cleanup_free char *why = NULL;
	int r = paths_mkdirs_try(cfg, path, &why);

	if (r == -ELOOP && why)
		die("remove the link, or write elsewhere", "%s: %s", what, why);
	if (r < 0) {
		errno = -r;
		die_errno("check the path and its permissions", "%s: cannot create %s", what, path);
	}
}

/* Dies unless @m's path, as the user named it, resolves to what was bound. */
static void paths_check_mount(const struct config *cfg, const struct mount_req *m)
{
	cleanup_free char *real = NULL, *why = NULL;
	unsigned flags = m->kind == MOUNT_HIDE || m->kind == MOUNT_TMPFS ? 0 : PATHS_FOLLOW_IN_TREE;
	int r = paths_resolve(cfg, m->given, flags, &real, &why);

	if (r == -ELOOP && why)
		die(m->kind == MOUNT_HIDE || m->kind == MOUNT_TMPFS
			    ? "name the real path; a link there may have been planted by an earlier run"
			    : "name the target itself if you mean it; a link there may have been planted by an earlier run",
		    "%s %s: %s", m->origin, m->given, why);
	if (r < 0) {
		errno = -r;
		die_errno("check the path", "%s %s: cannot resolve", m->origin, m->given);
	}
	if (strcmp(real, m->path) != 0) /* changed under us since options.c */
		die("try again; is something renaming it?", "%s %s: resolves to %s, then to %s",
		    m->origin, m->given, m->path, real);
}

void paths_plan(struct config *cfg)
{
	cfg->writable = NULL;
	cfg->nwritable = 0;
	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct mount_req *m = &cfg->mounts[i];

		if (m->kind != MOUNT_RW || !m->is_dir)
			continue;
		cfg->writable = xrealloc(cfg->writable, (cfg->nwritable + 1) * sizeof(char *));
		cfg->writable[cfg->nwritable++] = m->path;
	}
	for (size_t i = 0; i < cfg->nmounts; i++)
		if (cfg->mounts[i].given)
			paths_check_mount(cfg, &cfg->mounts[i]);
}

/* Whether the user reached the current directory through a link that a
 * sandboxed program could have planted: $PWD (the shell's logical path)
 * names the same directory as the kernel's physical one, and one of its
 * components is a link owned by the user that leads out of the directory
 * holding it (`~/proj/build -> ~/.ssh`).  Root's links (/home -> /data/home)
 * and links that stay in their directory (~/proj/current -> ~/proj/v2) are
 * not suspect. */
char *paths_cwd_planted_link(const struct config *cfg)
{
	const char *pwd = getenv("PWD");
	char real[PATH_MAX], cur[PATH_MAX] = "/";
	const char *p;

	if (!pwd || pwd[0] != '/' || !realpath(pwd, real) || strcmp(real, cfg->cwd) != 0 ||
	    strcmp(pwd, cfg->cwd) == 0)
		return NULL;
	for (p = pwd; *p;) {
		size_t n;
		struct stat st;
		char dir[PATH_MAX], target[PATH_MAX];

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		memcpy(dir, cur, sizeof(dir));
		if (paths_join(cur, p, n) < 0 || lstat(cur, &st) < 0)
			return NULL;
		p += n;
		if (!S_ISLNK(st.st_mode))
			continue;
		if (!realpath(cur, target))
			return NULL;
		if (st.st_uid == getuid() && !paths_under(target, dir))
			return xasprintf("%s is a link to %s", cur, target);
		memcpy(cur, target, sizeof(cur));
	}
	return NULL;
}
