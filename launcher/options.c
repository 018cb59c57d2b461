/* options.c — the command line: a table of options, their parsing and
 * validation, and the identity (uid, home, current directory) the run uses.
 *
 * Everything that can be wrong with what the user typed is found here,
 * before any namespace exists: a bad option is one line on stderr and exit
 * status 125 (util.c's die()).
 */
#include "config.h"
#include "policy/policy.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef void (*option_fn)(struct config *cfg, const char *opt, const char *arg);

struct option_entry {
	const char *name;  /* long name, without the dashes */
	char shortname;    /* 0 if none */
	const char *arg;   /* argument placeholder, NULL for flags */
	option_fn handler;
	const char *help;
};

static const char *options_argv0 = "netbox";

static void opt_mount(struct config *cfg, const char *opt, const char *arg);
static void opt_rule(struct config *cfg, const char *opt, const char *arg);
static void opt_keep_env(struct config *cfg, const char *opt, const char *arg);
static void opt_setenv(struct config *cfg, const char *opt, const char *arg);
static void opt_unsetenv(struct config *cfg, const char *opt, const char *arg);
static void opt_clearenv(struct config *cfg, const char *opt, const char *arg);
static void opt_pass_fd(struct config *cfg, const char *opt, const char *arg);
static void opt_net(struct config *cfg, const char *opt, const char *arg);
static void opt_seccomp(struct config *cfg, const char *opt, const char *arg);
static void opt_check(struct config *cfg, const char *opt, const char *arg);
static void opt_quiet(struct config *cfg, const char *opt, const char *arg);
static void opt_help(struct config *cfg, const char *opt, const char *arg);
static void opt_version(struct config *cfg, const char *opt, const char *arg);

static const struct option_entry option_table[] = {
	{ "allow", 0, "PATTERN[:PORTS]", opt_rule, "allow connections to hosts matching PATTERN (default ports 80,443)" },
	{ "deny", 0, "PATTERN[:PORTS]", opt_rule, "deny them, even if an --allow matches (deny wins)" },
	{ "ro", 0, "PATH", opt_mount, "make PATH visible, read-only" },
	{ "rw", 0, "PATH", opt_mount, "make PATH visible, read-write" },
	{ "hide", 0, "PATH", opt_mount, "cover PATH with an empty read-only directory or file" },
	{ "tmpfs", 0, "PATH", opt_mount, "cover PATH with an empty writable tmpfs" },
	{ "keep-env", 0, "NAME", opt_keep_env, "pass NAME through even if it is on the secret list" },
	{ "setenv", 0, "NAME=VALUE", opt_setenv, "set an environment variable for the program" },
	{ "unsetenv", 0, "NAME", opt_unsetenv, "remove an environment variable" },
	{ "clearenv", 0, NULL, opt_clearenv, "start from an empty environment (PATH, HOME, TERM, USER, LANG kept)" },
	{ "pass-fd", 0, "N", opt_pass_fd, "let the program inherit descriptor N (all others are closed)" },
	{ "net", 0, "filter|none", opt_net, "filter: only what rules allow (default); none: loopback only" },
	{ "seccomp", 0, "on|off", opt_seccomp, "the system call filter; off is UNSAFE, for debugging only" },
	{ "check", 0, NULL, opt_check, "print the effective configuration and run nothing" },
	{ "quiet", 'q', NULL, opt_quiet, "no notices, denial lines or exit summary" },
	{ "help", 'h', NULL, opt_help, "show this help" },
	{ "version", 'V', NULL, opt_version, "show the version" },
};

void options_usage(void)
{
	printf("usage: %s [OPTIONS] [--] CMD [ARGS...]\n\n"
	       "Run CMD with no network but loopback, the home directory hidden,\n"
	       "the host read-only, and no way to become root.\n\n"
	       "options:\n",
	       options_argv0);
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++) {
		const struct option_entry *o = &option_table[i];
		char left[64];

		if (o->shortname)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->shortname, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		printf("  %-28s %s\n", left, o->help);
	}
	printf("\nexit status: the program's; 128+N if it died of signal N; 125 netbox\n"
	       "failed; 126 not executable; 127 not found.  See README.md.\n");
}

static void opt_help(struct config *cfg UNUSED, const char *opt UNUSED, const char *arg UNUSED)
{
	options_usage();
	exit(0);
}

static void opt_version(struct config *cfg UNUSED, const char *opt UNUSED, const char *arg UNUSED)
{
	printf("netbox %s\n", NETBOX_VERSION);
	exit(0);
}

static void opt_check(struct config *cfg, const char *opt UNUSED, const char *arg UNUSED)
{
	cfg->check = true;
}

static void opt_quiet(struct config *cfg, const char *opt UNUSED, const char *arg UNUSED)
{
	cfg->quiet = true;
	util_quiet = true;
}

static void opt_clearenv(struct config *cfg, const char *opt UNUSED, const char *arg UNUSED)
{
	cfg->clearenv = true;
}

static bool env_name_valid(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

static void strv_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static void opt_keep_env(struct config *cfg, const char *opt, const char *arg)
{
	if (!env_name_valid(arg, strlen(arg)))
		die("give a variable name such as NPM_TOKEN", "%s: '%s' is not a variable name", opt, arg);
	strv_push(&cfg->keep_env, &cfg->nkeep_env, xstrdup(arg));
}

static void opt_unsetenv(struct config *cfg, const char *opt, const char *arg)
{
	if (!env_name_valid(arg, strlen(arg)))
		die("give a variable name such as LD_PRELOAD", "%s: '%s' is not a variable name", opt, arg);
	strv_push(&cfg->unset_env, &cfg->nunset_env, xstrdup(arg));
}

static void opt_setenv(struct config *cfg, const char *opt, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || !env_name_valid(arg, (size_t)(eq - arg)))
		die("write it as NAME=VALUE", "%s: '%s' is not NAME=VALUE", opt, arg);
	strv_push(&cfg->set_env, &cfg->nset_env, xstrdup(arg));
}

static void opt_pass_fd(struct config *cfg, const char *opt, const char *arg)
{
	char *end;
	long fd;
	struct stat st;

	errno = 0;
	fd = strtol(arg, &end, 10);
	if (errno || *end || end == arg || fd < 0 || fd > INT_MAX)
		die("give a descriptor number such as 3", "%s: '%s' is not a descriptor number", opt, arg);
	if (fstat((int)fd, &st) < 0)
		die("open it in the shell first, e.g. 3<file", "%s %ld: descriptor %ld is not open", opt,
		    fd, fd);
	cfg->pass_fds = xrealloc(cfg->pass_fds, (cfg->npass_fds + 1) * sizeof(int));
	cfg->pass_fds[cfg->npass_fds++] = (int)fd;
}

static void opt_net(struct config *cfg, const char *opt, const char *arg)
{
	if (strcmp(arg, "none") == 0)
		cfg->net = NET_NONE;
	else if (strcmp(arg, "filter") == 0)
		cfg->net = NET_FILTER;
	else
		die("use --net=filter or --net=none", "%s: unknown network mode '%s'", opt, arg);
}

static void opt_seccomp(struct config *cfg, const char *opt, const char *arg)
{
	if (strcmp(arg, "on") == 0)
		cfg->seccomp = true;
	else if (strcmp(arg, "off") == 0)
		cfg->seccomp = false;
	else
		die("use --seccomp=on or --seccomp=off", "%s: '%s' is neither on nor off", opt, arg);
}

static void opt_rule(struct config *cfg, const char *opt, const char *arg)
{
	char err[512];

	if (policy_add(cfg->policy, strcmp(opt, "--allow") == 0, arg, "command line", err,
		       sizeof(err)) < 0)
		die(NULL, "%s %s", opt, err);
	cfg->nrules++;
}

static const struct {
	const char *opt;
	enum mount_kind kind;
} mount_options[] = {
	{ "--ro", MOUNT_RO },
	{ "--rw", MOUNT_RW },
	{ "--hide", MOUNT_HIDE },
	{ "--tmpfs", MOUNT_TMPFS },
};

const char *options_mount_kind_name(enum mount_kind kind)
{
	static const char *const names[] = {
		[MOUNT_RO] = "read-only",
		[MOUNT_RW] = "read-write",
		[MOUNT_HIDE] = "hidden",
		[MOUNT_TMPFS] = "empty tmpfs",
	};
	return names[kind];
}

/* Expand a leading ~ and make @path absolute against the current directory. */
static char *options_expand_path(const struct config *cfg, const char *opt, const char *path)
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
	return xasprintf("%s/%s", cfg->cwd, path);
}

static int path_depth(const char *p)
{
	int d = 0;

	for (; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			d++;
	return d;
}

void options_add_mount(struct config *cfg, enum mount_kind kind, const char *path, const char *origin)
{
	struct mount_req *m;
	struct stat st;

	cfg->mounts = xrealloc(cfg->mounts, (cfg->nmounts + 1) * sizeof(*cfg->mounts));
	m = &cfg->mounts[cfg->nmounts];
	m->kind = kind;
	m->path = xstrdup(path);
	m->is_dir = kind == MOUNT_TMPFS || stat(path, &st) < 0 || S_ISDIR(st.st_mode);
	m->origin = origin;
	m->depth = path_depth(path);
	m->seq = (int)cfg->nmounts;
	cfg->nmounts++;
}

static void opt_mount(struct config *cfg, const char *opt, const char *arg)
{
	cleanup_free char *abs = NULL;
	char resolved[PATH_MAX];
	enum mount_kind kind = MOUNT_RO;
	const char *origin = "--ro";

	/* The origin must outlive this call: take the table's string. */
	for (size_t i = 0; i < ARRAY_SIZE(mount_options); i++)
		if (strcmp(opt, mount_options[i].opt) == 0) {
			kind = mount_options[i].kind;
			origin = mount_options[i].opt;
		}
	if (!*arg)
		die("give a path", "%s: empty path", opt);
	abs = options_expand_path(cfg, opt, arg);
	if (!realpath(abs, resolved)) {
		if (errno == ENOENT)
			die("create it first or fix the path", "%s %s: %s does not exist", opt, arg, abs);
		die_errno("check the path and its permissions", "%s %s: cannot resolve %s", opt, arg, abs);
	}
	if (strcmp(resolved, "/") == 0 && (kind == MOUNT_HIDE || kind == MOUNT_TMPFS))
		die("name a directory below /", "%s /: cannot replace the whole file system", opt);
	if (kind == MOUNT_TMPFS) {
		struct stat st;

		if (stat(resolved, &st) == 0 && !S_ISDIR(st.st_mode))
			die("use --hide for a file", "%s %s: not a directory", opt, arg);
	}
	options_add_mount(cfg, kind, resolved, origin);
}

static const struct option_entry *options_find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++)
		if (strlen(option_table[i].name) == len && strncmp(option_table[i].name, name, len) == 0)
			return &option_table[i];
	return NULL;
}

static const struct option_entry *options_find_short(char c)
{
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++)
		if (option_table[i].shortname == c)
			return &option_table[i];
	return NULL;
}

/* Who runs the program: the invoking user, or, when root runs netbox, the
 * user sudo came from (SUDO_UID) or nobody — never uid 0 inside. */
static void options_identity(struct config *cfg)
{
	uid_t uid = getuid();
	const char *home = getenv("HOME");
	struct passwd *pw;
	char buf[PATH_MAX];

	if (geteuid() != uid || getegid() != getgid())
		die("install netbox without the setuid or setgid bit: it needs no privilege",
		    "running setuid/setgid is not supported");
	if (!getcwd(buf, sizeof(buf)))
		die_errno("cd to a directory that exists", "cannot get the current directory");
	cfg->cwd = xstrdup(buf);

	pw = getpwuid(uid);
	if (!home || home[0] != '/')
		home = pw ? pw->pw_dir : NULL;
	if (home && realpath(home, buf))
		cfg->home = xstrdup(buf);
	else if (home)
		cfg->home = xstrdup(home);

	cfg->uid = uid;
	cfg->gid = getgid();
	if (uid != 0) {
		cfg->user = xstrdup(pw ? pw->pw_name : "user");
		cfg->target_home = cfg->home ? xstrdup(cfg->home) : NULL;
		return;
	}

	cfg->invoked_by_root = true;
	cfg->uid = 65534;
	cfg->gid = 65534;
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	if (su && sg) {
		char *e1, *e2;
		unsigned long u = strtoul(su, &e1, 10), g = strtoul(sg, &e2, 10);

		if (*su && *sg && !*e1 && !*e2 && u != 0 && g != 0 && u < 0xffffffffUL &&
		    g < 0xffffffffUL) {
			cfg->uid = (uid_t)u;
			cfg->gid = (gid_t)g;
		}
	}
	pw = getpwuid(cfg->uid);
	if (pw && cfg->uid == 65534)
		cfg->gid = pw->pw_gid;
	cfg->user = xstrdup(pw ? pw->pw_name : "nobody");
	if (pw && pw->pw_dir[0] == '/' && realpath(pw->pw_dir, buf) && strcmp(buf, "/") != 0)
		cfg->target_home = xstrdup(buf);
	else
		cfg->target_home = xstrdup("/tmp");
}

static void options_call(struct config *cfg, const struct option_entry *o, const char *optname,
			 const char *inline_arg, int argc, char **argv, int *i)
{
	const char *arg = NULL;

	if (o->arg) {
		if (inline_arg)
			arg = inline_arg;
		else if (*i + 1 < argc)
			arg = argv[++*i];
		else
			die("see netbox --help", "%s needs an argument (%s)", optname, o->arg);
	} else if (inline_arg) {
		die("see netbox --help", "%s takes no argument", optname);
	}
	o->handler(cfg, optname, arg);
}

void options_parse(struct config *cfg, int argc, char **argv)
{
	int i;

	if (argc > 0 && argv[0] && *argv[0]) {
		const char *slash = strrchr(argv[0], '/');
		options_argv0 = slash ? slash + 1 : argv[0];
	}
	cfg->seccomp = true;
	cfg->net = NET_FILTER;
	cfg->policy = policy_new();
	options_identity(cfg);

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct option_entry *o;
		char optname[64];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = options_find_long(name, len);
			if (!o)
				die("see netbox --help", "unknown option --%.*s", (int)(len > 40 ? 40 : len), name);
			snprintf(optname, sizeof(optname), "--%s", o->name);
			options_call(cfg, o, optname, eq ? eq + 1 : NULL, argc, argv, &i);
		} else {
			o = a[2] == '\0' ? options_find_short(a[1]) : NULL;
			if (!o)
				die("see netbox --help", "unknown option %.40s", a);
			snprintf(optname, sizeof(optname), "-%c", o->shortname);
			options_call(cfg, o, optname, NULL, argc, argv, &i);
		}
	}
	if (cfg->net == NET_NONE && cfg->nrules)
		die("drop --net=none, or the rules", "--allow/--deny have no effect with --net=none");
	if (i >= argc)
		die("usage: netbox [OPTIONS] [--] CMD [ARGS...]", "no program to run");
	if (!*argv[i])
		die("name the program to run", "empty program name");
	cfg->argv = &argv[i];
}
