/* options.c — the command line: a table of options, their parsing and
 * validation, and the identity (uid, home, current directory) the run uses.
 *
 * Everything that can be wrong with what the user typed is found while
 * parsing, before any namespace exists: a bad option is one line on stderr
 * and exit status 125 (util.c's die()).  The mount options' paths are
 * resolved and checked by the mount plan (mountplan.c), whose handler the
 * table names.
 */
#include "config.h"
#include "mountplan.h"
#include "paths.h"
#include "policy/policy.h"
#include "profile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>

typedef void (*option_fn)(struct config *cfg, const char *opt, const char *arg);

/* Option flags. */
#define OPT_PROFILE 0x1 /* may appear in a profile file */
#define OPT_EARLY 0x2   /* acts in the first pass (before profiles are read) */
#define OPT_OPTARG 0x4  /* the argument is optional: --opt or --opt=ARG only */

struct option_entry {
	const char *name;  /* long name, without the dashes */
	char shortname;    /* 0 if none */
	const char *arg;   /* argument placeholder, NULL for flags */
	option_fn handler;
	unsigned flags;
	const char *help;
};

static const char *options_argv0 = "netbox";

static void opt_rule(struct config *cfg, const char *opt, const char *arg);
/* The machine's memory in bytes (at least 1 GiB is assumed if unknown). */
static unsigned long long options_memory(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0 || !si.totalram)
		return 1ULL << 30;
	return (unsigned long long)si.totalram * si.mem_unit;
}

static void opt_keep_env(struct config *cfg, const char *opt, const char *arg);
static void opt_setenv(struct config *cfg, const char *opt, const char *arg);
static void opt_unsetenv(struct config *cfg, const char *opt, const char *arg);
static void opt_clearenv(struct config *cfg, const char *opt, const char *arg);
static void opt_pass_fd(struct config *cfg, const char *opt, const char *arg);
static void opt_net(struct config *cfg, const char *opt, const char *arg);
static void opt_seccomp(struct config *cfg, const char *opt, const char *arg);
static void opt_check(struct config *cfg, const char *opt, const char *arg);
static void opt_doctor(struct config *cfg, const char *opt, const char *arg);
static void opt_doctor(struct config *cfg, const char *opt UNUSED, const char *arg UNUSED)
{
	cfg->doctor = true;
}

static void opt_quiet(struct config *cfg, const char *opt, const char *arg);
static void opt_help(struct config *cfg, const char *opt, const char *arg);
static void opt_version(struct config *cfg, const char *opt, const char *arg);
static void opt_profile(struct config *cfg, const char *opt, const char *arg);
static void opt_noprofile(struct config *cfg, const char *opt, const char *arg);
static void opt_list_profiles(struct config *cfg, const char *opt, const char *arg);
static void opt_log(struct config *cfg, const char *opt, const char *arg);
static void opt_learn(struct config *cfg, const char *opt, const char *arg);
static void opt_tmpfs_size(struct config *cfg, const char *opt, const char *arg);
static void opt_max_procs(struct config *cfg, const char *opt, const char *arg);
static void opt_allow_unix(struct config *cfg, const char *opt, const char *arg);
static void opt_attribute(struct config *cfg, const char *opt, const char *arg);
static void opt_log_query(struct config *cfg, const char *opt, const char *arg);

static const struct option_entry option_table[] = {
	{ "allow", 0, "RULE", opt_rule, OPT_PROFILE, "allow connections to hosts matching RULE: PATTERN[:PORTS] (default ports 80,443); 'METHODS PATTERN[:PORTS]' or '[METHODS ]URL' allows only those HTTP requests ('GET,HEAD https://registry.npmjs.org/')" },
	{ "deny", 0, "RULE", opt_rule, OPT_PROFILE, "deny them, even if an --allow matches (deny wins); with methods or a URL, only those requests" },
	{ "ro", 0, "PATH", mountplan_option, OPT_PROFILE, "make PATH visible, read-only" },
	{ "rw", 0, "PATH", mountplan_option, OPT_PROFILE, "make PATH visible, read-write" },
	{ "hide", 0, "PATH", mountplan_option, OPT_PROFILE, "cover PATH with an empty read-only directory or file" },
	{ "tmpfs", 0, "PATH", mountplan_option, OPT_PROFILE, "cover PATH with an empty writable tmpfs" },
	{ "overlay", 0, "PATH", mountplan_option, OPT_PROFILE, "show PATH, but keep what the program writes there in a throw-away layer" },
	{ "keep-env", 0, "NAME", opt_keep_env, OPT_PROFILE, "pass NAME through as it is, even if it looks like a secret" },
	{ "setenv", 0, "NAME=VALUE", opt_setenv, OPT_PROFILE, "set an environment variable for the program" },
	{ "unsetenv", 0, "NAME", opt_unsetenv, OPT_PROFILE, "remove an environment variable" },
	{ "clearenv", 0, NULL, opt_clearenv, OPT_PROFILE, "start from an empty environment (PATH, HOME, TERM, USER, LANG kept)" },
	{ "allow-unix", 0, "PATH", opt_allow_unix, OPT_PROFILE, "let the program connect to the unix socket PATH (others outside its trees are covered)" },
	{ "tmpfs-size", 0, "SIZE", opt_tmpfs_size, OPT_PROFILE, "room for everything the program writes in throw-away places together (512M, 4G, 10%; default 25% of RAM)" },
	{ "max-procs", 0, "N", opt_max_procs, OPT_PROFILE, "at most N processes in the sandbox (default 4096)" },
	{ "pass-fd", 0, "N", opt_pass_fd, 0, "let the program inherit descriptor N (all others are closed)" },
	{ "net", 0, "filter|none", opt_net, OPT_PROFILE, "filter: only what rules allow (default); none: loopback only" },
	{ "upstream-proxy", 0, "URL|none", upproxy_option, 0, "make the allowed connections through this proxy (http://[USER:PASSWORD@]HOST:PORT, socks5://, socks5h://), not the one HTTPS_PROXY/HTTP_PROXY/ALL_PROXY name; none: go direct, whatever they say" },
	{ "profile", 0, "NAME|PATH", opt_profile, OPT_EARLY, "read this profile instead of the program's own (repeatable)" },
	{ "noprofile", 0, NULL, opt_noprofile, OPT_EARLY, "read no profile at all" },
	{ "list-profiles", 0, NULL, opt_list_profiles, OPT_EARLY, "print the names of the profiles found and exit" },
	{ "log", 0, "FILE", opt_log, 0, "write every DNS decision and connection as JSON Lines to FILE (- = stderr)" },
	{ "learn", 0, "FILE", opt_learn, OPT_OPTARG, "allow every public host on every port, and at exit write the profile that allows what was used (--learn=FILE; default ~/.config/netbox/learned/PROGRAM.profile)" },
	{ "log-query", 0, NULL, opt_log_query, OPT_PROFILE, "log the query strings of inspected requests too (dropped by default: they may carry tokens)" },
	{ "attribute", 0, "on|off", opt_attribute, OPT_PROFILE, "name the process (pid, program, npm package) of each attempt in the log and the summary (default: on with --log or --learn; costs netbox a look at each connect and UDP send)" },
	{ "seccomp", 0, "on|off", opt_seccomp, 0, "the system call filter; off is UNSAFE, for debugging only" },
	{ "check", 0, NULL, opt_check, 0, "print the effective configuration and run nothing" },
	{ "doctor", 0, NULL, opt_doctor, OPT_EARLY, "check whether netbox works here, and say how to fix what does not (takes no program)" },
	{ "quiet", 'q', NULL, opt_quiet, OPT_PROFILE, "no notices, denial lines or exit summary" },
	{ "help", 'h', NULL, opt_help, OPT_EARLY, "show this help" },
	{ "version", 'V', NULL, opt_version, OPT_EARLY, "show the version" },
};

void options_usage(void)
{
	printf("usage: %s [OPTIONS] [--] CMD [ARGS...]\n\n"
	       "Run CMD so that it reaches only the hosts --allow names and the files\n"
	       "you expose: home hidden, host read-only, no way to become root.\n"
	       "A profile (NAME.profile, for the program NAME) adds its options first.\n\n"
	       "options:\n",
	       options_argv0);
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++) {
		const struct option_entry *o = &option_table[i];
		char left[64];

		const char *sep = !o->arg ? "" : (o->flags & OPT_OPTARG) ? "[=" : " ";
		const char *end = (o->arg && (o->flags & OPT_OPTARG)) ? "]" : "";

		if (o->shortname)
			snprintf(left, sizeof(left), "-%c, --%s%s%s%s", o->shortname, o->name, sep,
				 o->arg ? o->arg : "", end);
		else
			snprintf(left, sizeof(left), "    --%s%s%s%s", o->name, sep, o->arg ? o->arg : "",
				 end);
		printf("  %-30s %s\n", left, o->help);
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

/* A shell's variable name, or one with '-' or '.' that programs other
 * than shells set and read (GitHub Actions' INPUT_GITHUB-TOKEN). */
static bool env_name_valid(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!(c == '_' || c == '-' || c == '.' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
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
	/* A profile is shipped code, the command line is the user: only the
	 * user passes a value's credentials (env.c). */
	if (cfg->origin)
		strv_push(&cfg->keep_env_profile, &cfg->nkeep_env_profile, xstrdup(arg));
	else
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

/* SIZE: bytes with an optional K, M, G or T (powers of 1024), or N% of the
 * machine's memory. */
static void opt_tmpfs_size(struct config *cfg, const char *opt, const char *arg)
{
	static const char units[] = "KMGT";
	char *end;
	unsigned long long n;
	const char *u;

	errno = 0;
	n = strtoull(arg, &end, 10);
	if (errno || end == arg || arg[0] == '-')
		die("write it as 512M, 4G or 10%", "%s: '%s' is not a size", opt, arg);
	if (*end == '%' && !end[1] && n >= 1 && n <= 100) {
		n = options_memory() / 100 * n;
	} else if (*end && !end[1] && (u = strchr(units, *end & ~0x20))) {
		for (long i = 0; i <= u - units; i++)
			if (n > ULLONG_MAX / 1024)
				die(NULL, "%s: '%s' is too large", opt, arg);
			else
				n *= 1024;
	} else if (*end) {
		die("write it as 512M, 4G or 10%", "%s: '%s' is not a size", opt, arg);
	}
	if (n < 1024 * 1024)
		die("give at least 1M", "%s: '%s' is too small", opt, arg);
	cfg->tmpfs_size = n;
}

static void opt_max_procs(struct config *cfg, const char *opt, const char *arg)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || arg[0] == '-' || n < 2 || n > 4194304)
		die("give a number from 2 up, such as 1024", "%s: '%s' is not a process count", opt, arg);
	cfg->max_procs = n;
}

static void opt_allow_unix(struct config *cfg, const char *opt, const char *arg)
{
	cleanup_free char *abs = paths_expand(cfg, opt, arg);
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(abs, real) || stat(real, &st) < 0) {
		if (cfg->origin)
			return; /* a profile's socket on another machine */
		die_errno("check the path", "%s %s", opt, arg);
	}
	if (!S_ISSOCK(st.st_mode))
		die("name the socket itself", "%s %s: not a unix socket", opt, arg);
	cfg->allow_unix = xrealloc(cfg->allow_unix, (cfg->nallow_unix + 1) * sizeof(char *));
	cfg->allow_unix[cfg->nallow_unix++] = xstrdup(real);
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

static void opt_log_query(struct config *cfg, const char *opt UNUSED, const char *arg UNUSED)
{
	cfg->log_query = true;
}

static void opt_attribute(struct config *cfg, const char *opt, const char *arg)
{
	if (strcmp(arg, "on") == 0)
		cfg->attribute = ATTRIBUTE_ON;
	else if (strcmp(arg, "off") == 0)
		cfg->attribute = ATTRIBUTE_OFF;
	else
		die("use --attribute=on or --attribute=off", "%s: '%s' is neither on nor off", opt, arg);
}

static void opt_rule(struct config *cfg, const char *opt, const char *arg)
{
	char err[512];

	if (policy_add(cfg->policy, strcmp(opt, "--allow") == 0, arg,
		       cfg->origin ? cfg->origin : "command line", err, sizeof(err)) < 0)
		die(NULL, "%s %s", opt, err);
	cfg->nrules++;
	if (!cfg->origin)
		cfg->nrules_cmdline++;
}

static void opt_profile(struct config *cfg, const char *opt, const char *arg)
{
	if (!*arg)
		die("give a profile name (npm) or a path (./tool.profile)", "%s: empty name", opt);
	cfg->profile_args = xrealloc(cfg->profile_args, (cfg->nprofile_args + 1) * sizeof(char *));
	cfg->profile_args[cfg->nprofile_args++] = xstrdup(arg);
}

static void opt_noprofile(struct config *cfg, const char *opt UNUSED, const char *arg UNUSED)
{
	cfg->noprofile = true;
}

static void opt_list_profiles(struct config *cfg, const char *opt UNUSED, const char *arg UNUSED)
{
	profile_list(cfg);
	exit(0);
}

static void opt_log(struct config *cfg, const char *opt, const char *arg)
{
	if (!*arg)
		die("give a file name, or - for stderr", "%s: empty file name", opt);
	free(cfg->log_path);
	cfg->log_path = xstrdup(arg);
}

static void opt_learn(struct config *cfg, const char *opt, const char *arg)
{
	char err[512];

	if (arg && !*arg)
		die("write --learn or --learn=FILE", "%s=: empty file name", opt);
	if (cfg->learn) {
		free(cfg->learn_path);
		cfg->learn_path = arg ? xstrdup(arg) : NULL;
		return;
	}
	cfg->learn = true;
	cfg->learn_path = arg ? xstrdup(arg) : NULL;
	if (policy_add(cfg->policy, true, "*:*", "--learn", err, sizeof(err)) < 0)
		die(NULL, "%s: %s", opt, err);
	cfg->nrules++;
	cfg->nrules_cmdline++;
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
	/* HOME=/elsewhere hides nothing of the home your account has: that
	 * one is yours all the same (ssh keys, shell history), whatever your
	 * uid (a system user's /var/lib/x is no other user's home to cover). */
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/' && realpath(pw->pw_dir, buf) &&
	    strcmp(buf, "/") != 0 && (!cfg->home || strcmp(buf, cfg->home) != 0))
		cfg->passwd_home = xstrdup(buf);

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

/* Take @o's argument and, if @run, call its handler. */
static void options_call(struct config *cfg, const struct option_entry *o, const char *optname,
			 const char *inline_arg, int argc, char **argv, int *i, bool run)
{
	const char *arg = NULL;

	if (o->arg && (o->flags & OPT_OPTARG)) {
		arg = inline_arg; /* --learn=FILE; a following word is the program */
	} else if (o->arg) {
		if (inline_arg)
			arg = inline_arg;
		else if (*i + 1 < argc)
			arg = argv[++*i];
		else
			die("see netbox --help", "%s needs an argument (%s)", optname, o->arg);
	} else if (inline_arg) {
		die("see netbox --help", "%s takes no argument", optname);
	}
	if (run)
		o->handler(cfg, optname, arg);
}

/* One pass over the options; returns the index of the program.  The first
 * pass runs only OPT_EARLY options (help, --profile, ...), the second all
 * others: profiles are read between the two, so that the command line
 * adds to and overrides them. */
static int options_pass(struct config *cfg, int argc, char **argv, bool early)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct option_entry *o;
		char optname[64];

		if (strcmp(a, "--") == 0)
			return i + 1;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			o = options_find_long(name, len);
			if (!o)
				die("see netbox --help", "unknown option --%.*s", (int)(len > 40 ? 40 : len), name);
			snprintf(optname, sizeof(optname), "--%s", o->name);
			options_call(cfg, o, optname, eq ? eq + 1 : NULL, argc, argv, &i,
				     early == !!(o->flags & OPT_EARLY));
		} else {
			o = a[2] == '\0' ? options_find_short(a[1]) : NULL;
			if (!o)
				die("see netbox --help", "unknown option %.40s", a);
			snprintf(optname, sizeof(optname), "-%c", o->shortname);
			options_call(cfg, o, optname, NULL, argc, argv, &i, early == !!(o->flags & OPT_EARLY));
		}
	}
	return i;
}

/* One option line of a profile (profile.c hands each here): looked up in
 * the same table as the command line's, and refused if it is unknown, not
 * allowed in a profile, or its value is missing or extra. */
static void options_profile_line(struct config *cfg, const char *name, const char *arg,
				 const char *origin)
{
	const struct option_entry *o = options_find_long(name, strlen(name));
	const char *saved;
	char optname[64];
	size_t n;

	if (!o)
		die("write an option without its dashes: allow HOST, ro PATH, ... (see netbox --help)",
		    "unknown option '%.40s'", name);
	if (!(o->flags & OPT_PROFILE))
		die("give it on the command line instead", "'%s' cannot be set in a profile", o->name);
	if (o->arg && !arg)
		die("write it as: NAME VALUE", "'%s' needs a value (%s)", o->name, o->arg);
	if (!o->arg && arg)
		die("write it alone on its line", "'%s' takes no value", o->name);
	/* (not snprintf: this runs once per line of a 10,000-rule profile) */
	n = strnlen(o->name, sizeof(optname) - 3);
	optname[0] = optname[1] = '-';
	memcpy(optname + 2, o->name, n);
	optname[2 + n] = '\0';
	saved = cfg->origin;
	cfg->origin = origin;
	o->handler(cfg, optname, arg);
	cfg->origin = saved;
}

void options_parse(struct config *cfg, int argc, char **argv)
{
	int prog;

	if (argc > 0 && argv[0] && *argv[0]) {
		const char *slash = strrchr(argv[0], '/');
		options_argv0 = slash ? slash + 1 : argv[0];
	}
	cfg->seccomp = true;
	cfg->net = NET_FILTER;
	cfg->policy = policy_new();
	if (!cfg->policy)
		die(NULL, "out of memory");
	options_identity(cfg);

	prog = options_pass(cfg, argc, argv, true);
	/* The doctor's probes run with the defaults: no option would be
	 * honoured, so none is taken. */
	if (cfg->doctor && argc != 2)
		die("run it alone: netbox --doctor", "--doctor takes no other option and no program");
	if (cfg->doctor)
		goto defaults;
	if (prog >= argc)
		die("usage: netbox [OPTIONS] [--] CMD [ARGS...]", "no program to run");
	if (!*argv[prog])
		die("name the program to run", "empty program name");
	cfg->argv = &argv[prog];
	profile_load_all(cfg, options_profile_line);
	options_pass(cfg, argc, argv, false);

	if (cfg->net == NET_NONE && cfg->nrules_cmdline)
		die("drop --net=none, or the rules", "--allow/--deny/--learn have no effect with --net=none");
defaults:
	if (!cfg->tmpfs_size)
		cfg->tmpfs_size = options_memory() / 4;
	if (!cfg->max_procs)
		cfg->max_procs = 4096;
}
