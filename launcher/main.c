/* main.c — netbox's entry point: options, the program's location, --check,
 * then the sandbox; or --doctor (doctor.c).
 *
 *   netbox [OPTIONS] [--] CMD [ARGS...]
 *   netbox --doctor
 *
 * Layout of the launcher: options.c (command line), profile.c (profiles),
 * env.c (environment), mountplan.c (the file system view, planned here) and
 * mounts.c (built in the sandbox), sandbox.c (namespaces, host side), init.c
 * (pid 1 inside), privs.c and seccomp.c (the program's privileges),
 * netlink.c (the sandbox's network configuration).
 */
#include "bitmap.h"
#include "config.h"
#include "discard.h"
#include "doctor.h"
#include "isolate.h"
#include "mountplan.h"
#include "outputs.h"
#include "paths.h"
#include "protect.h"
#include "unixsock.h"
#include "policy/policy.h"
#include "privs.h"
#include "profile.h"
#include "profilehint.h"
#include "sandbox.h"
#include "trust.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

extern char **environ;

/* Find @name as execvp() would, on the host.  NULL if not found;
 * *err says why (ENOENT, EACCES). */
static char *main_find_program(const char *name, int *err)
{
	const char *path = getenv("PATH");
	struct stat st;

	*err = ENOENT;
	if (strchr(name, '/')) {
		if (stat(name, &st) < 0) {
			*err = errno;
			return NULL;
		}
		if (S_ISDIR(st.st_mode) || access(name, X_OK) < 0) {
			*err = EACCES;
			return NULL;
		}
		return xstrdup(name);
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		cleanup_free char *cand =
			xasprintf("%.*s/%s", (int)len, len ? path : ".", name);

		if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(cand, X_OK) == 0)
				return xstrdup(cand);
			*err = EACCES;
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return NULL;
}

/* A program installed under a hidden directory (nvm's node, a tool in
 * ~/bin, a build in /tmp) gets its directory read-only.  If it is a
 * symlink (pipx's ~/.local/bin/tool -> .../venvs/tool/bin/tool), the
 * target's install directory too: the target's directory, or its parent
 * when that directory is a bin/. */
static void main_locate_program(struct config *cfg)
{
	int err;
	cleanup_free char *found = main_find_program(cfg->argv[0], &err), *real = NULL, *why = NULL;
	const char *rel;

	if (!found) {
		if (err == EACCES) {
			warn("%s: permission denied \u2014 make it executable (chmod +x)", cfg->argv[0]);
			exit(NETBOX_EXIT_NOEXEC);
		}
		warn("%s: command not found \u2014 check the name and your PATH", cfg->argv[0]);
		exit(NETBOX_EXIT_NOTFOUND);
	}
	for (rel = found; rel[0] == '.' && rel[1] == '/';)
		rel += 2;
	cfg->prog_path = found[0] == '/' ? xstrdup(found) : xasprintf("%s/%s", cfg->cwd, rel);
	/* A link planted in a writable tree (./bin/tool -> ~/.cargo/bin/x)
	 * must not make netbox expose where it leads. */
	if (paths_resolve(cfg, cfg->prog_path, PATHS_FOLLOW_IN_TREE, &real, &why) < 0) {
		if (why)
			notice("%s \u2014 netbox does not expose where it leads; name the program "
			       "itself, or pass --ro DIR if you trust it",
			       why);
		return;
	}
	mountplan_program_dirs(cfg, real);
}

/* --check prints paths, the program's arguments and variable names as
 * util_escape() shows them (a rule's text passed the policy's checks; the
 * blanks between a request rule's methods and its target are shown as one
 * space).  A request rule says what it checks on a line of its own. */
static int main_check_rule(const struct policy_rule *r, void *arg UNUSED)
{
	cleanup_free char *origin = util_escape_dup(policy_rule_origin(r));
	cleanup_free char *text = xstrdup(policy_rule_text(r));
	size_t o = 0;

	for (const char *c = text; *c; c++)
		if (!((*c == ' ' || *c == '\t') && o > 0 && text[o - 1] == ' '))
			text[o++] = *c == '\t' ? ' ' : *c;
	text[o] = '\0';
	printf("  %-5s %-40s (%s)\n", policy_rule_is_allow(r) ? "allow" : "deny", text, origin);
	if (policy_rule_is_request(r))
		printf("        requests: %s to %s%s\n",
		       strcmp(policy_rule_methods(r), "*") == 0 ? "any method" : policy_rule_methods(r),
		       policy_rule_path(r),
		       policy_rule_is_allow(r) ? "" : ", refused (not the connection)");
	return 0;
}

/* printf("%s%s%s", before, util_escape(s), after) */
static void main_print(const char *before, const char *s, const char *after)
{
	cleanup_free char *shown = util_escape_dup(s);

	printf("%s%s%s", before, shown, after);
}

static void main_check_network(const struct config *cfg)
{
	unsigned first = 1;

	if (cfg->net == NET_NONE) {
		printf("network:  none (--net=none: loopback only)\n");
		return;
	}
	printf("network:  filtered; %zu rule%s%s\n", policy_count(cfg->policy),
	       policy_count(cfg->policy) == 1 ? "" : "s",
	       policy_count(cfg->policy) ? "" : " (every host denied)");
	policy_foreach_rule(cfg->policy, main_check_rule, NULL);
	if (policy_has_request_rules(cfg->policy))
		printf("  a host a request rule names (and no plain rule allows whole) is inspected:\n"
		       "  netbox ends its TLS with a per-run CA and checks every request\n");
	printf("  DNS answered by netbox on port 53 of every address; TCP ports served:");
	for (unsigned p = 1; p < 65536; p++) {
		bool on = bitmap_test(cfg->listen_ports, p);
		bool next = p + 1 < 65536 && bitmap_test(cfg->listen_ports, p + 1);

		if (on && (p == 1 || !bitmap_test(cfg->listen_ports, p - 1)))
			first = p;
		if (on && !next)
			printf(first == p ? " %u" : " %u-%u", first, p);
	}
	printf("\n  (the program cannot bind these ports itself)\n");
	upproxy_print(cfg, true);
	if (cfg->ondemand)
		printf("  a rule allows every port: any other port is served from the program's first "
		       "connect() to it\n  (netbox is told of each connect(); a port the program "
		       "listens on itself, or a loopback port no rule names, stays the program's)\n");
}

/* 80, 443 and every port an allow rule names; 53 is the resolver's. */
static void main_listen_ports(struct config *cfg)
{
	bool any_port;

	cfg->listen_ports = xcalloc(BITMAP_BYTES(65536), 1);
	if (cfg->net != NET_FILTER)
		return;
	policy_listen_ports(cfg->policy, cfg->listen_ports, &any_port);
	bitmap_set(cfg->listen_ports, 80);
	bitmap_set(cfg->listen_ports, 443);
	bitmap_clear(cfg->listen_ports, 53);
	/* Every port cannot be listened on in advance: netbox is told of
	 * each connect() and listens on a port when it is first used. */
	cfg->ondemand = any_port;
}

/* The calls the supervisor is told of (notify.c), once the options are
 * read: attribution is on with a log or --learn, unless turned off. */
static void main_notify(struct config *cfg)
{
	bool attribute = cfg->attribute == ATTRIBUTE_ON ||
			 (cfg->attribute == ATTRIBUTE_AUTO && (cfg->log_path || cfg->learn));

	cfg->attribute = attribute ? ATTRIBUTE_ON : ATTRIBUTE_OFF;
	if (cfg->net != NET_FILTER) {
		cfg->notify = 0;
		cfg->attribute = ATTRIBUTE_OFF;
		return;
	}
	cfg->notify = NOTIFY_SOCKET;
	if (cfg->ondemand || attribute)
		cfg->notify |= NOTIFY_CONNECT;
	if (attribute)
		cfg->notify |= NOTIFY_SEND;
}

static void main_check(const struct config *cfg)
{
	printf("netbox %s \u2014 effective configuration (nothing is run)\n", NETBOX_VERSION);
	main_print("program:  ", cfg->argv[0], "");
	for (char **a = cfg->argv + 1; *a; a++)
		main_print(" ", *a, "");
	main_print("\n  found at ", cfg->prog_path ? cfg->prog_path : "(not found on the host)", "\n");
	printf("user:     uid %u gid %u (%s)%s\n", (unsigned)cfg->uid, (unsigned)cfg->gid, cfg->user,
	       cfg->invoked_by_root ? ", because root invoked netbox" : "");
	main_print("cwd:      ", cfg->cwd, cfg->cwd_exposed ? " (read-write)\n" : " (not exposed)\n");
	for (size_t i = 0; i < cfg->nwritable; i++)
		main_print(i ? "          " : "writable: ", cfg->writable[i], "\n");
	if (cfg->noprofile)
		printf("profiles: none (--noprofile)\n");
	else if (!cfg->nprofiles_read)
		main_print("profiles: none found (looked for ",
			   strrchr(cfg->argv[0], '/') ? strrchr(cfg->argv[0], '/') + 1 : cfg->argv[0],
			   ".profile and default.profile)\n");
	else
		for (size_t i = 0; i < cfg->nprofiles_read; i++)
			main_print(i ? "          " : "profiles: ", cfg->profiles_read[i], "\n");
	if (cfg->log_path)
		main_print("log:      ", cfg->log_path, " (JSON Lines)\n");
	if (cfg->learn)
		main_print("learn:    every public host allowed; the learned profile goes to ",
			   cfg->learn_path, "\n");
	main_check_network(cfg);
	printf("privileges: no capabilities, securebits locked, no_new_privs\n");
	if (cfg->seccomp)
		seccomp_print(stdout);
	else
		printf("seccomp: OFF (--seccomp=off: unsafe, for debugging only); new user namespaces still refused\n");
	if (cfg->net == NET_FILTER)
		isolate_print(cfg, stdout);
	mountplan_print(cfg);
	trust_print(cfg);
	protect_print(cfg, stdout);
	env_print_changes(cfg, environ);
	if (cfg->npass_fds) {
		printf("descriptors passed:");
		for (size_t i = 0; i < cfg->npass_fds; i++)
			printf(" %d", cfg->pass_fds[i]);
		printf("\n");
	}
}

/* The configuration lives as long as netbox: never freed, and static so that
 * it stays reachable (LeakSanitizer) after main returns. */
static struct config main_cfg;
static char **main_envp;

/* Everything that makes the plan, before anything runs. */
static void main_plan(struct config *cfg)
{
	mountplan_defaults(cfg);
	paths_plan(cfg);
	outputs_plan(cfg);
	profile_plan(cfg);
	protect_plan(cfg);
	unixsock_plan(cfg);
	/* The doctor's probe is netbox's own executable, passed in (doctor.c). */
	if (!cfg->doctor)
		main_locate_program(cfg);
	mountplan_sort(cfg);
	main_listen_ports(cfg);
	main_notify(cfg);
	trust_plan(cfg);
	/* The doctor checks the proxy variables in a row of its own. */
	if (!cfg->doctor)
		upproxy_plan(cfg, environ);
}

/* The run and the exit-time work: netbox's exit status. */
static int main_run(struct config *cfg)
{
	struct discard_covers covers;
	cleanup_free char *learned = NULL;
	size_t nlearned;
	int status;

	if (!cfg->cwd_exposed)
		notice("the current directory %s is not exposed (%s) \u2014 pass --rw %s to expose it",
		       cfg->cwd, cfg->cwd_hidden_why ? cfg->cwd_hidden_why : "?", cfg->cwd);
	if (!cfg->seccomp)
		warn("--seccomp=off: the system call filter is disabled; do not use this with untrusted programs");
	main_envp = env_build(cfg, environ);
	cfg->first_denial_hint = profilehint_text(cfg);
	status = sandbox_run(cfg, main_envp, &covers, &learned, &nlearned);
	if (cfg->learn)
		outputs_write_learned(cfg, learned, nlearned);
	protect_sweep(cfg);
	discard_report(cfg, &covers);
	return status;
}

/* --doctor's sandbox: the same path as any program's. */
static int main_box(struct config *cfg)
{
	main_plan(cfg);
	return main_run(cfg);
}

int main(int argc, char **argv)
{
	/* Only ever the program of the doctor's sandbox (doctor_probe.c). */
	if (argc >= 2 && strcmp(argv[1], DOCTOR_PROBE_ARG) == 0)
		return doctor_probe_main(argc, argv);
	options_parse(&main_cfg, argc, argv);
	if (main_cfg.doctor)
		return doctor_main(&main_cfg, main_box);
	main_plan(&main_cfg);
	if (main_cfg.check) {
		main_check(&main_cfg);
		return 0;
	}
	return main_run(&main_cfg);
}
