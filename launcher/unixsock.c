/* unixsock.c — the host's unix sockets the program could reach by path.
 * Runs in netbox, before the sandbox exists; the covers it plans are made
 * by mounts.c (MOUNT_SOCKET, mountplan_socket()).
 *
 * A unix socket bound to a path is reached through the file system, not
 * the network: a new network namespace does not hide it, and a read-only
 * mount does not stop connect().  The homes, /tmp and /run are covered
 * already (ssh-agent, dbus, docker, systemd live there); what is left are
 * daemons whose sockets sit elsewhere in the read-only host tree: the Nix
 * daemon (/nix/var/nix/daemon-socket/socket: builds and fetches with the
 * network, outside the box), SSSD's pipes, snap's LXD (root-equivalent),
 * postfix.  So:
 *   - every path socket listed in /proc/net/unix — of netbox's network
 *     namespace and of pid 1's (netbox may run in a namespace of its own,
 *     `ip netns exec`, whose list holds none of the host's daemons) — is
 *     resolved (a daemon may have bound /var/run/x, a link, or a path with
 *     "..") and, outside the trees the user gave (the current directory,
 *     --rw, --ro, --overlay) and outside what is covered, hidden behind an
 *     empty file: connect() gets ECONNREFUSED;
 *   - where its directory holds nothing but sockets, the directory is
 *     hidden instead: a daemon that restarts binds a new socket there;
 *   - the same socket seen through another mount of its file system (a
 *     bind mount of /run/foo on /srv/foo) is hidden there too;
 *   - the directories known daemons keep their sockets in are hidden
 *     whole, for a socket bound later;
 *   - `--allow-unix PATH` opts one in: left visible, or bound into the
 *     sandbox when it lies in a covered tree (/run/user/1000/bus).
 * What this cannot see: a socket bound with a relative path (listed as
 * given), and one bound in a network namespace that is neither netbox's nor
 * pid 1's, unless it lies in a covered tree.
 */
#include "config.h"
#include "mountplan.h"
#include "paths.h"
#include "unixsock.h"
#include "util.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define UNIXSOCK_MAX 4096 /* hidden paths made from the socket lists, at most */
#define UNIXSOCK_DIR_MAX 64 /* entries a "directory of sockets" may hold */

/* Where daemons keep the sockets an unprivileged program must not reach. */
static const struct {
	const char *dir;
	const char *why;
} unixsock_dirs[] = {
	{ "/nix/var/nix/daemon-socket", "the Nix daemon builds and fetches with the network" },
	{ "/var/lib/sss/pipes", "SSSD answers for your identity and credentials" },
	{ "/var/snap/lxd/common/lxd", "LXD's socket is root-equivalent" },
	{ "/var/lib/lxd", "LXD's socket is root-equivalent" },
	{ "/var/spool/postfix/public", "postfix sends mail" },
	{ "/var/spool/postfix/private", "postfix sends mail" },
	{ "/var/lib/mysql", "the MySQL server" },
};

/* One line of /proc/self/mountinfo: which part of which file system shows
 * where. */
struct unixsock_mnt {
	dev_t dev;
	char *root;  /* the file system's directory shown ... */
	char *point; /* ... at this mount point */
};

struct unixsock_scan {
	struct config *cfg;
	struct unixsock_mnt *mnts;
	size_t nmnts;
	size_t hidden;
	bool full;
};

static bool unixsock_allowed(const struct config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->nallow_unix; i++)
		if (strcmp(cfg->allow_unix[i], path) == 0)
			return true;
	return false;
}

/* Any mount decides @path (a tree the user gave, the current directory, a
 * cover, a --hide): only the read-only host root leaves a socket reachable
 * that nobody chose. */
static bool unixsock_settled(const struct config *cfg, const char *path)
{
	return mountplan_find(cfg, path) != NULL;
}

/* @path, which lies under @from, moved under @to: into @out (of @len). */
static bool unixsock_rebase(char *out, size_t len, const char *path, const char *from, const char *to)
{
	const char *rest = path + (strcmp(from, "/") == 0 ? 0 : strlen(from));

	return paths_under(path, from) &&
	       (size_t)snprintf(out, len, "%s%s", strcmp(to, "/") == 0 ? "" : to, rest) < len;
}

static void unixsock_hide(struct unixsock_scan *s, const char *path, bool is_dir, const char *why)
{
	if (s->full)
		return;
	if (s->hidden++ == UNIXSOCK_MAX) {
		notice("more than %d unix sockets of the host are outside the covered trees: "
		       "the rest stay reachable by path",
		       UNIXSOCK_MAX);
		s->full = true;
		return;
	}
	mountplan_socket(s->cfg, path, is_dir, why);
}

/* A directory that holds only sockets (none of them --allow-unix'ed), at
 * least two levels down (never /var or /srv themselves). */
static bool unixsock_socket_dir(const struct config *cfg, const char *dir)
{
	DIR *d;
	struct dirent *e;
	size_t n = 0;
	bool only = true;

	if (strchr(dir + 1, '/') == NULL || !(d = opendir(dir)))
		return false;
	while (only && (e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || unixsock_allowed(cfg, path) ||
		    ++n > UNIXSOCK_DIR_MAX)
			only = false;
	}
	closedir(d);
	return only && n > 0;
}

/* Every other place the socket at @real (on mount @m) shows: the same file
 * system mounted elsewhere with a root above the socket. */
static void unixsock_aliases(struct unixsock_scan *s, const char *real)
{
	const struct unixsock_mnt *m = NULL;
	char fspath[PATH_MAX];

	for (size_t i = 0; i < s->nmnts; i++) /* the last mount on the longest prefix */
		if (paths_under(real, s->mnts[i].point) &&
		    (!m || strlen(s->mnts[i].point) >= strlen(m->point)))
			m = &s->mnts[i];
	/* Where the socket is in its file system, then where each other mount
	 * of it shows that place. */
	if (!m || !unixsock_rebase(fspath, sizeof(fspath), real, m->point, m->root))
		return;
	for (size_t i = 0; i < s->nmnts; i++) {
		char alias[PATH_MAX];
		struct stat st;

		if (&s->mnts[i] == m || s->mnts[i].dev != m->dev ||
		    !unixsock_rebase(alias, sizeof(alias), fspath, s->mnts[i].root, s->mnts[i].point))
			continue;
		if (!unixsock_allowed(s->cfg, alias) && !unixsock_settled(s->cfg, alias) &&
		    lstat(alias, &st) == 0 && S_ISSOCK(st.st_mode))
			unixsock_hide(s, alias, false, "default: a unix socket of the host, another mount of it");
	}
}

static void unixsock_one(struct unixsock_scan *s, const char *listed)
{
	char real[PATH_MAX], *slash;
	struct stat st;

	if (listed[0] != '/' || !realpath(listed, real) || lstat(real, &st) < 0 ||
	    !S_ISSOCK(st.st_mode))
		return;
	unixsock_aliases(s, real);
	if (unixsock_allowed(s->cfg, real) || unixsock_allowed(s->cfg, listed) ||
	    unixsock_settled(s->cfg, real))
		return;
	slash = strrchr(real, '/');
	*slash = '\0';
	if (slash != real && !unixsock_settled(s->cfg, real) && unixsock_socket_dir(s->cfg, real)) {
		unixsock_hide(s, real, true, "default: a directory of the host's unix sockets");
		return;
	}
	*slash = '/';
	unixsock_hide(s, real, false, "default: a unix socket of the host");
}

/* The paths of a /proc/net/unix: "Num RefCount Protocol Flags Type St Inode
 * Path", the path (if any) after the seventh field, as bound, spaces and
 * all.  A listening socket's path shows again on every connection it
 * accepted (a desktop's session bus: hundreds): collected here, then each
 * path is looked at once. */
static void unixsock_list(const char *file, char ***paths, size_t *n)
{
	FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *p = line;

		for (int field = 0; field < 7 && p; field++) {
			p += strspn(p, " ");
			p = strchr(p, ' ');
		}
		if (!p)
			continue;
		p += strspn(p, " ");
		p[strcspn(p, "\n")] = '\0';
		if (p[0] != '/')
			continue;
		*paths = xrealloc(*paths, (*n + 1) * sizeof(**paths));
		(*paths)[(*n)++] = xstrdup(p);
	}
	free(line);
	fclose(f);
}

static int unixsock_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "36 35 98:0 /mnt1 /mnt/parent rw ... - type source opts": the device,
 * the root and the mount point. */
static void unixsock_mounts(struct unixsock_scan *s)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *tok[5];
		unsigned maj, min;
		int n = 0;

		for (char *t = strtok_r(line, " ", &save); t && n < 5; t = strtok_r(NULL, " ", &save))
			tok[n++] = t;
		if (n < 5 || sscanf(tok[2], "%u:%u", &maj, &min) != 2)
			continue;
		s->mnts = xrealloc(s->mnts, (s->nmnts + 1) * sizeof(*s->mnts));
		s->mnts[s->nmnts++] = (struct unixsock_mnt){
			.dev = makedev(maj, min),
			.root = xstrdup(util_unescape_octal(tok[3])),
			.point = xstrdup(util_unescape_octal(tok[4])),
		};
	}
	free(line);
	fclose(f);
}

void unixsock_plan(struct config *cfg)
{
	struct unixsock_scan s = { .cfg = cfg };
	char **paths = NULL;
	size_t npaths = 0;
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(unixsock_dirs); i++)
		if (stat(unixsock_dirs[i].dir, &st) == 0 && S_ISDIR(st.st_mode) &&
		    !unixsock_settled(cfg, unixsock_dirs[i].dir))
			mountplan_socket(cfg, unixsock_dirs[i].dir, true,
					   xasprintf("default: %s", unixsock_dirs[i].why));
	unixsock_mounts(&s);
	unixsock_list("/proc/net/unix", &paths, &npaths);
	unixsock_list("/proc/1/net/unix", &paths, &npaths);
	if (npaths)
		qsort(paths, npaths, sizeof(*paths), unixsock_cmp);
	for (size_t i = 0; i < npaths && !s.full; i++)
		if (i == 0 || strcmp(paths[i], paths[i - 1]) != 0)
			unixsock_one(&s, paths[i]);
	/* Kept, sorted, for the supervisor: a connect() to one of these is the
	 * program trying a socket of the host (supervisor/notify.c). */
	cfg->host_sockets = paths;
	cfg->nhost_sockets = npaths;
	for (size_t i = 0; i < s.nmnts; i++) {
		free(s.mnts[i].root);
		free(s.mnts[i].point);
	}
	free(s.mnts);
	/* --allow-unix in a covered tree: bound in; elsewhere it stays as the
	 * read-only root shows it (connect() needs no write permission on a
	 * read-only mount for a socket). */
	for (size_t i = 0; i < cfg->nallow_unix; i++) {
		const struct mount_req *m = mountplan_find(cfg, cfg->allow_unix[i]);

		if (m && mountplan_is_hiding(m))
			mountplan_add(cfg, MOUNT_RO, cfg->allow_unix[i], "--allow-unix");
	}
}
