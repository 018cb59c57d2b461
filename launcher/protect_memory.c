/* protect_memory.c — what earlier runs protected (protect.c's memory), in
 * netbox, before the sandbox exists and after it is gone.
 *
 * A walk has a budget, and a program can spend it: 1,500 new directories in
 * one run, and the next run's walk stops before tools/helper/.git, which the
 * first run protected.  So netbox remembers the paths it protected, in
 * $XDG_STATE_HOME/netbox/protected, else ~/.local/state/netbox/protected
 * (outside every tree a program writes by default; a protected home path
 * when one does), and protects them again while they exist.  The file only
 * ever adds read-only binds: a path in it that lies in no writable tree of
 * this run, or no longer exists, is not looked at.  Its format is the paths,
 * each ending in a NUL; at most PROTECT_MEMORY_ENTRIES of them, in at most
 * PROTECT_MEMORY_MAX bytes, are read.
 */
#include "config.h"
#include "paths.h"
#include "protect_internal.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define PROTECT_MEMORY_MAX (1 << 20)
#define PROTECT_MEMORY_ENTRIES 4096

static char *protect_memory_path(const struct config *cfg)
{
	const char *xdg = getenv("XDG_STATE_HOME");

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/netbox/protected", xdg);
	return cfg->home ? xasprintf("%s/.local/state/netbox/protected", cfg->home) : NULL;
}

void protect_memory_load(const struct config *cfg, struct protect *p)
{
	cleanup_free char *path = protect_memory_path(cfg), *buf = NULL;
	ssize_t n;

	if (!path)
		return;
	buf = xmalloc(PROTECT_MEMORY_MAX + 1);
	n = protect_read_small(path, buf, PROTECT_MEMORY_MAX + 1);
	for (ssize_t off = 0; n > 0 && off < n && p->nmemory < PROTECT_MEMORY_ENTRIES;) {
		size_t len = strnlen(buf + off, (size_t)(n - off));

		if (len && buf[off] == '/') {
			p->memory = xrealloc(p->memory, (p->nmemory + 1) * sizeof(char *));
			p->memory[p->nmemory++] = xstrndup(buf + off, len);
		}
		off += (ssize_t)len + 1;
	}
}

void protect_memory_apply(const struct config *cfg, struct protect *p)
{
	for (size_t i = 0; i < p->nmemory; i++) {
		struct stat st;

		if (paths_writable_tree(cfg, p->memory[i]) && lstat(p->memory[i], &st) == 0)
			protect_add(p, p->memory[i], &st, "protected in an earlier run", false);
	}
}

void protect_memory_save(const struct config *cfg, const struct protect *p)
{
	cleanup_free char *path = protect_memory_path(cfg), *tmp = NULL;
	char **keep = NULL;
	size_t nkeep = 0, added = 0;
	FILE *f;
	int fd, r;

	if (!path || cfg->invoked_by_root)
		return; /* (root's runs are another user's: not in their state) */
	for (size_t i = 0; i < p->n + p->nmemory && nkeep < PROTECT_MEMORY_ENTRIES; i++) {
		const char *s = i < p->n ? p->v[i].path : p->memory[i - p->n];
		struct stat st;

		if (lstat(s, &st) < 0 || protect_listed(keep, nkeep, s))
			continue;
		keep = xrealloc(keep, (nkeep + 1) * sizeof(char *));
		keep[nkeep++] = (char *)s;
		added += !protect_listed(p->memory, p->nmemory, s);
	}
	if (!added && nkeep == p->nmemory) {
		free(keep);
		return; /* nothing new, nothing gone */
	}
	tmp = xasprintf("%s.%d", path, (int)getpid());
	*strrchr(path, '/') = '\0';
	/* At exit nothing may fail the run: a memory that cannot be kept is
	 * said, and the program's status stays. */
	r = paths_mkdirs_try(cfg, path, NULL);
	if (r < 0) {
		notice("cannot keep the list of protected paths in %s: %s", path, strerror(-r));
		free(keep);
		return;
	}
	path[strlen(path)] = '/';
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	for (size_t i = 0; f && i < nkeep; i++)
		fwrite(keep[i], 1, strlen(keep[i]) + 1, f);
	if (!f || fclose(f) != 0 || rename(tmp, path) < 0) {
		if (fd >= 0 && !f)
			close(fd);
		unlink(tmp);
	}
	free(keep);
}
