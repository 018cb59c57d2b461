/* protectgit.c — what git runs from beyond a protected .git (protect.c).
 *
 * git reads more than .git: a .git *file* (a worktree, a submodule) names
 * the real git directory (`gitdir: PATH`); a worktree's git directory names
 * the shared one in `commondir`; a config file pulls in others
 * (`include.path`, `includeIf.*.path`: `../.gitconfig.shared` in the
 * project); core.hooksPath — set in the repository or in your global config
 * (`~/.gitconfig`: `hooksPath = .hooks`) — puts the hooks anywhere.  Each
 * of those that lies in a writable tree is protected like .git itself.
 *
 * And git finds a repository without any .git: a directory holding HEAD,
 * objects/ and refs/ is one (a "bare" repository, whose config may name a
 * worktree, an fsmonitor...).  protect_git_is_gitdir() tells the sweep.
 *
 * The config syntax read here is the part these keys need: `[section]`,
 * `[section "sub"]`, `key = value` with quotes and comments; names are
 * case-insensitive, the last value wins, as in git.  Everything read is
 * bounded (64 KiB a file, 8 levels of includes).
 */
#include "config.h"
#include "protect_internal.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PROTECTGIT_MAX_CONFIG 65536
#define PROTECTGIT_MAX_DEPTH 8

/* What one config file (and what it includes) says that matters here. */
struct protectgit_config {
	char hooks[PATH_MAX];
	bool has_hooks;
};

/* Unquote a config value in place: "..." pieces joined, \" and \\ kept as
 * the character, a comment (# or ;) outside quotes ends it, blanks at the
 * ends dropped. */
static char *protectgit_value(char *v)
{
	char *r = v, *w = v;
	bool quoted = false;

	while (*r) {
		if (*r == '"') {
			quoted = !quoted;
			r++;
		} else if (*r == '\\' && r[1]) {
			*w++ = r[1];
			r += 2;
		} else if (!quoted && (*r == '#' || *r == ';' || *r == '\r')) {
			break;
		} else {
			*w++ = *r++;
		}
	}
	while (w > v && (w[-1] == ' ' || w[-1] == '\t'))
		w--;
	*w = '\0';
	return v;
}

static void protectgit_read(const struct config *cfg, struct protect *p, const char *path,
			    const char *worktree, struct protectgit_config *out, int depth);

/* One `key = value` of @section (lower-cased, with its subsection). */
static void protectgit_key(const struct config *cfg, struct protect *p, const char *file,
			   const char *worktree, const char *section, const char *key, char *value,
			   struct protectgit_config *out, int depth)
{
	if (strcmp(section, "core") == 0 && strcasecmp(key, "hookspath") == 0) {
		snprintf(out->hooks, sizeof(out->hooks), "%s", value);
		out->has_hooks = true;
	} else if ((strcmp(section, "include") == 0 || strncmp(section, "includeif", 9) == 0) &&
		   strcasecmp(key, "path") == 0 && *value) {
		/* relative to the including file */
		cleanup_free char *dir = xstrdup(file), *inc = NULL;
		char *slash = strrchr(dir, '/');

		if (slash)
			*slash = '\0';
		if (value[0] == '~' && value[1] == '/' && cfg->home)
			inc = xasprintf("%s%s", cfg->home, value + 1);
		else
			inc = value[0] == '/' ? xstrdup(value) : xasprintf("%s/%s", dir, value);
		protect_add_named(cfg, p, "/", inc, "git reads it as part of a repository's config");
		protectgit_read(cfg, p, inc, worktree, out, depth + 1);
	}
}

static void protectgit_read(const struct config *cfg, struct protect *p, const char *path,
			    const char *worktree, struct protectgit_config *out, int depth)
{
	char buf[PROTECTGIT_MAX_CONFIG], section[128] = "";
	char *save = NULL;

	if (depth > PROTECTGIT_MAX_DEPTH || protect_read_small(path, buf, sizeof(buf)) < 0)
		return;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s = line + strspn(line, " \t"), *eq;
		size_t n;

		if (*s == '[') {
			/* [name] or [name "sub"]: the name lower-cased, the
			 * subsection kept, for includeIf's name only */
			s++;
			n = strcspn(s, " \t]\"");
			snprintf(section, sizeof(section), "%.*s", (int)n, s);
			for (char *c = section; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
			s = strchr(s, ']');
			if (!s)
				continue;
			s += 1 + strspn(s + 1, " \t"); /* [core] hooksPath = x */
			if (!*s || *s == '#' || *s == ';')
				continue;
		}
		if (!section[0] || !*s || *s == '#' || *s == ';')
			continue;
		eq = strchr(s, '=');
		if (!eq)
			continue; /* a boolean key: not one of ours */
		n = strcspn(s, " \t=");
		s[n] = '\0';
		protectgit_key(cfg, p, path, worktree, section, s,
			       protectgit_value(eq + 1 + strspn(eq + 1, " \t")), out, depth);
	}
}

/* The hooks directory your own git config sets for every repository
 * (system, then global, each overriding the one before), or "". */
void protect_git_global_hooks(const struct config *cfg, char *out, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	cleanup_free char *xdgcfg = NULL, *home = NULL;
	struct protectgit_config c = { .has_hooks = false };
	struct protect scratch = { 0 };

	if (xdg && xdg[0] == '/')
		xdgcfg = xasprintf("%s/git/config", xdg);
	else if (cfg->home)
		xdgcfg = xasprintf("%s/.config/git/config", cfg->home);
	if (cfg->home)
		home = xasprintf("%s/.gitconfig", cfg->home);
	/* (includes here are the user's own files: nothing to protect) */
	protectgit_read(cfg, &scratch, "/etc/gitconfig", "/", &c, 0);
	if (xdgcfg)
		protectgit_read(cfg, &scratch, xdgcfg, "/", &c, 0);
	if (home)
		protectgit_read(cfg, &scratch, home, "/", &c, 0);
	protect_free_entries(&scratch);
	snprintf(out, len, "%s", c.has_hooks ? c.hooks : "");
}

void protect_git_follow(const struct config *cfg, struct protect *p, const char *dotgit,
			const char *global_hooks)
{
	char buf[4096], path[PATH_MAX];
	cleanup_free char *gitdir = xstrdup(dotgit), *worktree = xstrdup(dotgit);
	struct protectgit_config c = { .has_hooks = false };
	struct stat st;

	*strrchr(worktree, '/') = '\0';
	/* a .git file: `gitdir: PATH` */
	if (lstat(dotgit, &st) == 0 && S_ISREG(st.st_mode) &&
	    protect_read_small(dotgit, buf, sizeof(buf)) > 0 && strncmp(buf, "gitdir:", 7) == 0) {
		char *t = buf + 7 + strspn(buf + 7, " \t");

		t[strcspn(t, "\r\n")] = '\0';
		protect_add_named(cfg, p, worktree, t,
				  "git runs the hooks and config of the git directory a .git file names");
		free(gitdir);
		gitdir = t[0] == '/' ? xstrdup(t) : xasprintf("%s/%s", worktree, t);
	}
	/* a worktree's git directory: its config is the common one's */
	snprintf(path, sizeof(path), "%s/commondir", gitdir);
	if (protect_read_small(path, buf, sizeof(buf)) > 0) {
		char *common;

		buf[strcspn(buf, "\r\n")] = '\0';
		protect_add_named(cfg, p, gitdir, buf, "the git directory a worktree shares");
		common = buf[0] == '/' ? xstrdup(buf) : xasprintf("%s/%s", gitdir, buf);
		free(gitdir);
		gitdir = common;
	}
	snprintf(path, sizeof(path), "%s/config", gitdir);
	protectgit_read(cfg, p, path, worktree, &c, 0);
	if (c.has_hooks || global_hooks[0]) {
		const char *hooks = c.has_hooks ? c.hooks : global_hooks;
		cleanup_free char *h = hooks[0] == '~' && hooks[1] == '/' && cfg->home
					       ? xasprintf("%s%s", cfg->home, hooks + 1)
					       : xstrdup(hooks);

		protect_add_named(cfg, p, worktree, h, "git runs the hooks in core.hooksPath");
	}
}

bool protect_git_is_gitdir(int dirfd)
{
	struct stat st;

	/* git's is_git_directory(): HEAD, objects/ and refs/ */
	return fstatat(dirfd, "HEAD", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       fstatat(dirfd, "objects", &st, 0) == 0 && S_ISDIR(st.st_mode) &&
	       fstatat(dirfd, "refs", &st, 0) == 0 && S_ISDIR(st.st_mode);
}
