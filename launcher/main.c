/* main.c — netbox's entry point: options, the program's location, --check,
 * then the sandbox.
 *
 *   netbox [OPTIONS] [--] CMD [ARGS...]
 *
 * Layout of the launcher: options.c (command line), env.c (environment),
 * mounts.c (file system view), sandbox.c (namespaces, host side), init.c
 * (pid 1 inside), privs.c and seccomp.c (the program's privileges),
 * netlink.c (the sandbox's network configuration).
 */
#include "config.h"
#include "policy/policy.h"
#include "privs.h"
#include "sandbox.h"

#include <errno.h>
#include <limits.h>
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
		return realpath(name, NULL);
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

static bool main_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strcmp(dir, "/") == 0 ||
	       (strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0'));
}

/* The mount that decides what @path looks like in the sandbox (the deepest
 * one containing it, the latest on a tie), or NULL for the read-only root. */
static const struct mount_req *main_mount_for(const struct config *cfg, const char *path)
{
	const struct mount_req *best = NULL;

	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct mount_req *m = &cfg->mounts[i];

		if (main_under(path, m->path) &&
		    (!best || m->depth > best->depth || (m->depth == best->depth && m->seq > best->seq)))
			best = m;
	}
	return best;
}

/* Never expose a home, or a directory above one, on the program's behalf. */
static bool main_too_broad(const struct config *cfg, const char *dir)
{
	return strcmp(dir, "/") == 0 || (cfg->home && main_under(cfg->home, dir)) ||
	       (cfg->target_home && main_under(cfg->target_home, dir));
}

static void main_expose_dir(struct config *cfg, const char *dir)
{
	const struct mount_req *m = main_mount_for(cfg, dir);

	if (!m || m->kind == MOUNT_RO || m->kind == MOUNT_RW || m->kind == MOUNT_OVERLAY)
		return;
	if (main_too_broad(cfg, dir)) {
		notice("the program is in %s, which stays hidden \u2014 expose what it needs with --ro", dir);
		return;
	}
	notice("%s is hidden in the sandbox: making it visible read-only for the program", dir);
	options_add_mount(cfg, MOUNT_RO, dir, "the program's directory");
}

/* A program installed under a hidden directory (nvm's node, a tool in
 * ~/bin, a build in /tmp) gets its directory read-only.  If it is a
 * symlink (pipx's ~/.local/bin/tool -> .../venvs/tool/bin/tool), the
 * target's install directory too: the target's directory, or its parent
 * when that directory is a bin/. */
static void main_locate_program(struct config *cfg)
{
	int err;
	char found_dir[PATH_MAX], real[PATH_MAX];
	char *p = main_find_program(cfg->argv[0], &err), *slash;

	if (!p) {
		if (err == EACCES) {
			fprintf(stderr, "netbox: %s: permission denied \u2014 make it executable (chmod +x)\n",
				cfg->argv[0]);
			exit(NETBOX_EXIT_NOEXEC);
		}
		fprintf(stderr, "netbox: %s: command not found \u2014 check the name and your PATH\n",
			cfg->argv[0]);
		exit(NETBOX_EXIT_NOTFOUND);
	}
	cfg->prog_path = p;

	cleanup_free char *dir = xstrdup(p);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir || !realpath((*slash = '\0', dir), found_dir))
		return;
	main_expose_dir(cfg, found_dir);

	if (!realpath(p, real))
		return;
	slash = strrchr(real, '/');
	if (!slash || slash == real)
		return;
	*slash = '\0';
	if (strcmp(real, found_dir) == 0)
		return; /* not a symlink into another directory */
	slash = strrchr(real, '/');
	if (slash && slash != real && strcmp(slash, "/bin") == 0) {
		*slash = '\0';
		if (main_too_broad(cfg, real))
			*slash = '/'; /* ~/bin/x: the bin directory alone */
	}
	main_expose_dir(cfg, real);
}

static int main_check_rule(const struct policy_rule *r, void *arg UNUSED)
{
	printf("  %-5s %-40s (%s)\n", policy_rule_is_allow(r) ? "allow" : "deny", policy_rule_text(r),
	       policy_rule_origin(r));
	return 0;
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
	printf("  DNS answered by netbox on port 53 of every address; TCP ports served:");
	for (unsigned p = 1; p < 65536; p++) {
		bool on = cfg->listen_ports[p / 8] & (1u << (p % 8));
		bool next = p + 1 < 65536 && (cfg->listen_ports[(p + 1) / 8] & (1u << ((p + 1) % 8)));

		if (on && (p == 1 || !(cfg->listen_ports[(p - 1) / 8] & (1u << ((p - 1) % 8)))))
			first = p;
		if (on && !next)
			printf(first == p ? " %u" : " %u-%u", first, p);
	}
	printf("\n  (the program cannot bind these ports itself)\n");
	if (cfg->ondemand)
		printf("  a rule allows every port: any other port is served from the program's first "
		       "connect() to it\n  (netbox is told of each connect(); a port the program "
		       "listens on itself, or a loopback port no rule names, stays the program's)\n");
}

/* 80, 443 and every port an allow rule names; 53 is the resolver's. */
static void main_listen_ports(struct config *cfg)
{
	bool any_port;

	cfg->listen_ports = xcalloc(65536 / 8, 1);
	if (cfg->net != NET_FILTER)
		return;
	policy_listen_ports(cfg->policy, cfg->listen_ports, &any_port);
	cfg->listen_ports[80 / 8] |= 1u << (80 % 8);
	cfg->listen_ports[443 / 8] |= 1u << (443 % 8);
	cfg->listen_ports[53 / 8] &= (uint8_t)~(1u << (53 % 8));
	/* Every port cannot be listened on in advance: netbox is told of
	 * each connect() and listens on a port when it is first used. */
	cfg->ondemand = any_port;
}

static void main_check(const struct config *cfg)
{
	printf("netbox %s \u2014 effective configuration (nothing is run)\n", NETBOX_VERSION);
	printf("program:  %s", cfg->argv[0]);
	for (char **a = cfg->argv + 1; *a; a++)
		printf(" %s", *a);
	printf("\n  found at %s\n", cfg->prog_path ? cfg->prog_path : "(not found on the host)");
	printf("user:     uid %u gid %u (%s)%s\n", (unsigned)cfg->uid, (unsigned)cfg->gid, cfg->user,
	       cfg->invoked_by_root ? ", because root invoked netbox" : "");
	printf("cwd:      %s%s\n", cfg->cwd, cfg->cwd_exposed ? " (read-write)" : " (not exposed)");
	if (cfg->noprofile)
		printf("profiles: none (--noprofile)\n");
	else if (!cfg->nprofiles_read)
		printf("profiles: none found (looked for %s.profile and default.profile)\n",
		       strrchr(cfg->argv[0], '/') ? strrchr(cfg->argv[0], '/') + 1 : cfg->argv[0]);
	else
		for (size_t i = 0; i < cfg->nprofiles_read; i++)
			printf("%s%s\n", i ? "          " : "profiles: ", cfg->profiles_read[i]);
	if (cfg->log_path)
		printf("log:      %s (JSON Lines)\n", cfg->log_path);
	if (cfg->learn)
		printf("learn:    every public host allowed; the learned profile goes to %s\n",
		       cfg->learn_path ? cfg->learn_path : "stderr");
	main_check_network(cfg);
	printf("privileges: no capabilities, securebits locked, no_new_privs\n");
	if (cfg->seccomp)
		seccomp_print(stdout);
	else
		printf("seccomp: OFF (--seccomp=off: unsafe, for debugging only)\n");
	mounts_print_plan(cfg);
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

int main(int argc, char **argv)
{
	size_t user_mounts;

	options_parse(&main_cfg, argc, argv);

	/* Defaults first so that the user's requests, added after them, win. */
	user_mounts = main_cfg.nmounts;
	{
		struct mount_req *mine = main_cfg.mounts;

		main_cfg.mounts = NULL;
		main_cfg.nmounts = 0;
		mounts_plan_defaults(&main_cfg);
		for (size_t i = 0; i < user_mounts; i++) {
			options_add_mount(&main_cfg, mine[i].kind, mine[i].path, mine[i].origin);
			free(mine[i].path);
		}
		free(mine);
	}
	if (!main_cfg.cwd_exposed) {
		const struct mount_req *m = main_mount_for(&main_cfg, main_cfg.cwd);

		main_cfg.cwd_exposed =
			m && (m->kind == MOUNT_RO || m->kind == MOUNT_RW || m->kind == MOUNT_OVERLAY);
	}
	main_locate_program(&main_cfg);
	mounts_sort(&main_cfg);
	main_listen_ports(&main_cfg);

	if (main_cfg.check) {
		main_check(&main_cfg);
		return 0;
	}
	if (!main_cfg.cwd_exposed)
		notice("the current directory %s is not exposed (it is /, your home or the program's home) \u2014 pass --rw %s to expose it",
		       main_cfg.cwd, main_cfg.cwd);
	if (!main_cfg.seccomp)
		warn("--seccomp=off: the system call filter is disabled; do not use this with untrusted programs");
	main_envp = env_build(&main_cfg, environ);
	return sandbox_run(&main_cfg, main_envp);
}
