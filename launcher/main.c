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

static void main_expose_dir(struct config *cfg, const char *dir)
{
	const struct mount_req *m = main_mount_for(cfg, dir);

	if (!m || m->kind == MOUNT_RO || m->kind == MOUNT_RW)
		return;
	notice("%s is hidden in the sandbox: making it visible read-only for the program", dir);
	options_add_mount(cfg, MOUNT_RO, dir, "the program's directory");
}

/* A program installed under a hidden directory (nvm's node, pipx tools in
 * ~/.local, a build in /tmp) gets its directory, and its install directory
 * if it is a symlink into one, read-only. */
static void main_locate_program(struct config *cfg)
{
	int err;
	char real[PATH_MAX];
	char *p = main_find_program(cfg->argv[0], &err);

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
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (realpath(dir, real))
			main_expose_dir(cfg, real);
	}
	if (realpath(p, real)) {
		slash = strrchr(real, '/');
		if (slash && slash != real) {
			*slash = '\0';
			slash = strrchr(real, '/');
			if (slash && slash != real && strcmp(slash, "/bin") == 0)
				*slash = '\0';
			main_expose_dir(cfg, real);
		}
	}
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
	printf("network:  none (loopback only)\n");
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

int main(int argc, char **argv)
{
	struct config cfg = { 0 };
	size_t user_mounts;

	options_parse(&cfg, argc, argv);

	/* Defaults first so that the user's requests, added after them, win. */
	user_mounts = cfg.nmounts;
	{
		struct mount_req *mine = cfg.mounts;

		cfg.mounts = NULL;
		cfg.nmounts = 0;
		mounts_plan_defaults(&cfg);
		for (size_t i = 0; i < user_mounts; i++) {
			options_add_mount(&cfg, mine[i].kind, mine[i].path, mine[i].origin);
			free(mine[i].path);
		}
		free(mine);
	}
	if (!cfg.cwd_exposed) {
		const struct mount_req *m = main_mount_for(&cfg, cfg.cwd);

		cfg.cwd_exposed = m && (m->kind == MOUNT_RO || m->kind == MOUNT_RW);
	}
	main_locate_program(&cfg);
	mounts_sort(&cfg);

	if (cfg.check) {
		main_check(&cfg);
		return 0;
	}
	if (!cfg.cwd_exposed)
		notice("the current directory %s is not exposed (it is / or a home directory) \u2014 pass --rw %s to expose it",
		       cfg.cwd, cfg.cwd);
	if (!cfg.seccomp)
		warn("--seccomp=off: the system call filter is disabled; do not use this with untrusted programs");
	return sandbox_run(&cfg, env_build(&cfg, environ));
}
