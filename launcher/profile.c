/* profile.c — profile files: the options of the command line, one per line
 * without the leading dashes, read before the command line's own options
 * (so that the command line adds to and overrides them).  Runs in netbox,
 * before anything else is planned.
 *
 *     # npm.profile
 *     allow GET,HEAD https://registry.npmjs.org/
 *     mkdir ~/.npm/_cacache/content-v2
 *     overlay ~/.npm
 *     rw ~/.npm/_cacache/content-v2
 *     include default
 *
 * A line is `OPTION`, `OPTION VALUE` or `OPTION=VALUE`, and VALUE is taken
 * as written, as after --OPTION (`allow =x.com` and `allow==x.com` are the
 * exact rule `=x.com`; `allow GET,HEAD https://x.com/` is one request rule
 * of two words, as --allow 'GET,HEAD https://x.com/'); `OPTION = VALUE` is refused (profileparse.h says
 * why); `#` starts a comment (at the start of a line or after a blank); `~`,
 * ${HOME} and ${CWD} are expanded in values.  Two directives exist only here: `include NAME|PATH`
 * (NAME.profile beside the including file, else looked up like any
 * profile) and `mkdir PATH` (create a directory under your home if it is missing, so
 * that a cache the profile exposes with `rw` persists).  Which profile:
 * --profile NAME|PATH (repeatable), else NAME.profile for the program's base
 * name, else default.profile, looked up in profile_dirs() order.
 *
 * A profile is code that decides what the sandbox may do: one that others
 * can write (group/world-writable, or owned by someone else than you or
 * root) is refused.  Every error names the file and the line.
 *
 * This file knows where profiles are, reads them, and does the two
 * directives; it does not know the options.  Each option line goes to the
 * function its caller gave profile_load_all() (options.c's, which looks the
 * name up in the one option table and applies it as on the command line):
 * the dependency runs one way, options.c -> profile.c, and a profile line
 * can mean nothing the command line cannot.
 */
#include "config.h"
#include "mountplan.h"
#include "paths.h"
#include "profile.h"
#include "profileparse.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define PROFILE_MAX_DEPTH 8

/* One profile_load_all(): where the option lines go. */
struct profile_reader {
	struct config *cfg;
	profile_option_fn apply;
};

static void profile_load_file(const struct profile_reader *r, const char *path, int depth);

static bool profile_is_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.' || *s == '+'))
			return false;
	return true;
}

char **profile_dirs(const struct config *cfg)
{
	static char *dirs[8];
	char exe[PATH_MAX];
	const char *xdg = getenv("XDG_CONFIG_HOME");
	size_t n = 0;
	ssize_t len;

	if (dirs[0])
		return dirs;
	if (xdg && xdg[0] == '/')
		dirs[n++] = xasprintf("%s/netbox", xdg);
	else if (cfg->home)
		dirs[n++] = xasprintf("%s/.config/netbox", cfg->home);
	dirs[n++] = xstrdup("/etc/netbox");
	/* The shipped profiles, relative to the binary: installed
	 * (PREFIX/bin/netbox -> PREFIX/share/netbox/profiles) or in the build
	 * tree (build/launcher/netbox -> build/profiles), so that netbox run
	 * from where it was built finds them too; then the configured path. */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;

		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			dirs[n++] = xasprintf("%s/../share/netbox/profiles", exe);
			dirs[n++] = xasprintf("%s/../profiles", exe);
		}
	}
	dirs[n++] = xstrdup(NETBOX_PROFILEDIR);
	dirs[n] = NULL;
	return dirs;
}

/* The path of profile NAME, or NULL if no directory has it. */
static char *profile_find(const struct config *cfg, const char *name)
{
	char **dirs = profile_dirs(cfg);

	if (!profile_is_name(name) || name[0] == '.')
		return NULL;
	for (size_t i = 0; dirs[i]; i++) {
		char *path = xasprintf("%s/%s.profile", dirs[i], name);

		if (access(path, F_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

/* profile_expand() or die naming the line (util_context). */
static char *profile_expand_or_die(const struct config *cfg, const char *in)
{
	char err[256];
	char *out = profile_expand(in, cfg->home, cfg->cwd, err, sizeof(err));

	if (!out)
		die(NULL, "%s", err);
	return out;
}

/* `mkdir PATH`: a directory under the home, created 0700 with its parents. */
static void profile_mkdir(const struct config *cfg, const char *path)
{
	size_t hl = cfg->home ? strlen(cfg->home) : 0;
	char buf[PATH_MAX];

	if (path[0] != '/')
		die("write ~/DIR or ${HOME}/DIR", "mkdir %s: not an absolute path", path);
	if (!cfg->home || strncmp(path, cfg->home, hl) != 0 || path[hl] != '/' || strstr(path, "/.."))
		die("profiles may only create directories under your home", "mkdir %s: outside %s", path,
		    cfg->home ? cfg->home : "the home directory");
	/* A root invoker's program runs as another user: creating root-owned
	 * directories in root's home for it would be of no use. */
	if (cfg->invoked_by_root)
		return;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		die(NULL, "mkdir: path too long");
	for (char *p = buf + hl + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			die_errno("create it yourself, or drop the line", "mkdir %s", buf);
		*p = c;
		if (!c)
			break;
	}
}

/* Refuse a profile that someone else could have written. */
static void profile_check_owner(const struct config *cfg, const char *path, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die_errno(NULL, "profile %s", path);
	if (!S_ISREG(st.st_mode))
		die("give a regular file", "profile %s is not a regular file", path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		die(xasprintf("chmod go-w %s", path), "profile %s is writable by other users", path);
	if (st.st_uid != 0 && st.st_uid != getuid() && st.st_uid != cfg->uid)
		die(xasprintf("take ownership of it (chown) or copy it"),
		    "profile %s belongs to another user (uid %u)", path, (unsigned)st.st_uid);
}

static void profile_line(const struct profile_reader *reader, char *line, const char *origin,
			 const char *dir, int depth)
{
	struct config *cfg = reader->cfg;
	char *name, *arg;

	int r = profile_split_line(line, &name, &arg);

	if (r == 0)
		return;
	if (r == -1)
		die("write OPTION VALUE, e.g. allow example.com", "a value without an option name");
	if (r < 0)
		die("write OPTION VALUE or OPTION=VALUE; an exact host is allow =example.com",
		    "'%s': a blank beside '=' makes the value ambiguous", name);
	if (strcmp(name, "include") == 0) {
		cleanup_free char *path = NULL;

		if (!arg)
			die("write: include NAME", "include needs a profile name or path");
		if (strchr(arg, '/')) {
			cleanup_free char *x = profile_expand_or_die(cfg, arg);

			path = x[0] == '/' ? xstrdup(x) : xasprintf("%s/%s", dir, x);
		} else if (profile_is_name(arg) && arg[0] != '.' &&
			   access((path = xasprintf("%s/%s.profile", dir, arg)), F_OK) == 0) {
			/* NAME.profile beside the including file comes first. */
		} else {
			free(path);
			path = profile_find(cfg, arg);
			if (!path)
				die("check the name: netbox --list-profiles", "include %s: no such profile",
				    arg);
		}
		profile_load_file(reader, path, depth + 1);
		return;
	}
	if (strcmp(name, "mkdir") == 0) {
		cleanup_free char *path = NULL;

		if (!arg)
			die("write: mkdir ~/DIR", "mkdir needs a path");
		path = profile_expand_or_die(cfg, arg);
		profile_mkdir(cfg, path);
		return;
	}
	if (arg) {
		char *x = profile_expand_or_die(cfg, arg);

		reader->apply(cfg, name, x, origin);
		free(x);
	} else {
		reader->apply(cfg, name, NULL, origin);
	}
}

/* Write the decimal @n and a NUL at @out (room for 12 bytes). */
static void profile_origin_line(char *out, int n)
{
	char digits[12];
	size_t i = 0;

	do {
		digits[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && i < sizeof(digits));
	while (i > 0)
		*out++ = digits[--i];
	*out = '\0';
}

/* Read one profile file (and what it includes). */
static void profile_load_file(const struct profile_reader *r, const char *path, int depth)
{
	struct config *cfg = r->cfg;
	cleanup_free char *dir = NULL;
	const char *saved_context = util_context;
	char line[PROFILE_MAX_LINE], origin[PATH_MAX + 16], real[PATH_MAX];
	char *slash;
	size_t plen;
	FILE *f;
	int n = 0;

	if (depth > PROFILE_MAX_DEPTH)
		die("remove the include loop", "profile %s: includes nest deeper than %d", path,
		    PROFILE_MAX_DEPTH);
	if (realpath(path, real))
		path = real;
	for (size_t i = 0; i < cfg->nprofiles_read; i++)
		if (strcmp(cfg->profiles_read[i], path) == 0)
			return; /* included twice (a diamond, a loop): once is enough */
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			die("check the path, or the name: netbox --list-profiles", "profile %s does not exist",
			    path);
		die_errno("check its permissions", "cannot read profile %s", path);
	}
	profile_check_owner(cfg, path, fileno(f));
	cfg->profiles_read = xrealloc(cfg->profiles_read, (cfg->nprofiles_read + 1) * sizeof(char *));
	cfg->profiles_read[cfg->nprofiles_read++] = xstrdup(path);
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';

	/* "path:" once; each line writes only its number after it (snprintf
	 * per line was a sixth of loading a 10,000-rule profile). */
	plen = (size_t)snprintf(origin, sizeof(origin) - 12, "%s:", path);
	if (plen >= sizeof(origin) - 12)
		plen = sizeof(origin) - 13;
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f))
			die("split it", "%s:%d: line longer than %d bytes", path, n, PROFILE_MAX_LINE - 1);
		line[strcspn(line, "\n")] = '\0';
		/* Rules and mounts keep their origin for --check and the log. */
		profile_origin_line(origin + plen, n);
		util_context = origin;
		profile_line(r, line, origin, dir, depth);
		/* What keeps the origin (a rule, a mount) made its own copy. */
		util_context = saved_context;
	}
	if (ferror(f))
		die_errno(NULL, "cannot read profile %s", path);
	fclose(f);
}

void profile_load_all(struct config *cfg, profile_option_fn apply)
{
	const struct profile_reader r = { .cfg = cfg, .apply = apply };
	const char *base;
	char *path;

	if (cfg->noprofile) {
		if (cfg->nprofile_args)
			die("use one or the other", "--profile and --noprofile contradict each other");
		return;
	}
	for (size_t i = 0; i < cfg->nprofile_args; i++) {
		const char *arg = cfg->profile_args[i];

		if (strchr(arg, '/')) {
			char *x = arg[0] == '/' ? xstrdup(arg) : xasprintf("%s/%s", cfg->cwd, arg);

			if (arg[0] == '~' && arg[1] == '/' && cfg->home) {
				free(x);
				x = xasprintf("%s%s", cfg->home, arg + 1);
			}
			profile_load_file(&r, x, 0);
			free(x);
			continue;
		}
		path = profile_find(cfg, arg);
		if (!path)
			die("see netbox --list-profiles, or give a path (./NAME.profile)",
			    "--profile %s: no such profile", arg);
		profile_load_file(&r, path, 0);
		free(path);
	}
	if (cfg->nprofile_args)
		return;
	base = strrchr(cfg->argv[0], '/');
	base = base ? base + 1 : cfg->argv[0];
	path = profile_find(cfg, base);
	if (!path)
		path = profile_find(cfg, "default");
	if (path) {
		profile_load_file(&r, path, 0);
		free(path);
	}
}

static int profile_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void profile_list(const struct config *cfg)
{
	char **dirs = profile_dirs(cfg), **names = NULL;
	size_t n = 0;

	for (size_t i = 0; dirs[i]; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		if (!d)
			continue;
		while ((e = readdir(d))) {
			size_t len = strlen(e->d_name);

			if (len <= 8 || strcmp(e->d_name + len - 8, ".profile") != 0 || e->d_name[0] == '.')
				continue;
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xasprintf("%.*s", (int)(len - 8), e->d_name);
		}
		closedir(d);
	}
	if (n) /* qsort(NULL, 0) is undefined */
		qsort(names, n, sizeof(*names), profile_strcmp);
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(names[i], names[i - 1]) != 0) {
			cleanup_free char *name = util_escape_dup(names[i]); /* a file's name */

			printf("%s\n", name);
		}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A profile decides what the next run may do: one in a tree the program can
 * write (./tool.profile in the current directory) could be rewritten by
 * it.  It is read-only for this run, with a warning, since an earlier run
 * may already have changed it; and a --profile path through a link planted
 * in such a tree is refused, like any path netbox opens for itself. */
void profile_plan(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nprofile_args; i++) {
		const char *arg = cfg->profile_args[i];
		cleanup_free char *abs = NULL, *real = NULL, *why = NULL;

		if (!strchr(arg, '/'))
			continue;
		abs = arg[0] == '~' && arg[1] == '/' && cfg->home ? xasprintf("%s%s", cfg->home, arg + 1)
		      : arg[0] == '/'				   ? xstrdup(arg)
								   : xasprintf("%s/%s", cfg->cwd, arg);
		if (paths_resolve(cfg, abs, PATHS_FOLLOW_IN_TREE, &real, &why) == -ELOOP && why)
			die("name the profile itself; a link there may have been planted by an earlier run",
			    "--profile %s: %s", arg, why);
	}
	for (size_t i = 0; i < cfg->nprofiles_read; i++) {
		const char *path = cfg->profiles_read[i], *tree = paths_writable_tree(cfg, path);

		/* netbox's own directory (--rw ~) is a protected path
		 * (protect.c): read-only in every such run. */
		if (!tree || paths_under(path, profile_dirs(cfg)[0]))
			continue;
		mountplan_add(cfg, MOUNT_RO, path, "a profile netbox read");
		notice("profile %s lies in %s, which sandboxed programs can write: it is read-only "
		       "for this run, but an earlier run could have changed it \u2014 read it, and "
		       "keep profiles in %s",
		       path, tree, profile_dirs(cfg)[0]);
	}
}
