/* unixsock.c — the host's unix sockets the program could reach by path.
 *
 * A unix socket bound to a path is reached through the file system, not
 * the network: a new network namespace does not hide it, and a read-only
 * mount does not stop connect().  The homes, /tmp and /run are covered
 * already (ssh-agent, dbus, docker, systemd live there); what is left are
 * daemons whose sockets sit elsewhere in the read-only host tree: the Nix
 * daemon (/nix/var/nix/daemon-socket/socket: builds and fetches with the
 * network, outside the box), SSSD's pipes, snap's LXD (root-equivalent),
 * postfix.  So, before the sandbox exists:
 *   - every path socket of the host (/proc/net/unix, read here, in the
 *     host's network namespace) that lies outside the trees the user gave
 *     (the current directory, --rw, --ro, --overlay) and outside what is
 *     covered is covered with an empty file: connect() gets ECONNREFUSED;
 *   - the directories such daemons keep their sockets in are covered whole,
 *     for a socket bound later (a daemon that restarts) or in another
 *     network namespace (which /proc/net/unix does not list);
 *   - `--allow-unix PATH` opts one in: left visible, or bound into the
 *     sandbox when it lies in a covered tree (/run/user/1000/bus).
 */
#include "config.h"
#include "paths.h"
#include "unixsock.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define UNIXSOCK_MAX 256 /* covers made from /proc/net/unix, at most */

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
	return mounts_find(cfg, path) != NULL;
}

static void unixsock_cover(struct config *cfg, const char *path, const char *why)
{
	for (size_t i = 0; i < cfg->nmounts; i++)
		if (strcmp(cfg->mounts[i].path, path) == 0)
			return;
	options_add_mount(cfg, MOUNT_HIDE, path, why);
}

/* The paths of /proc/net/unix: "Num RefCount Protocol Flags Type St Inode
 * Path", the path (if any) after the seventh field, as bound (a relative
 * bind shows relative: skipped), spaces and all. */
static void unixsock_host(struct config *cfg)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char *line = NULL;
	size_t cap = 0, covered = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *p = line;
		struct stat st;

		for (int field = 0; field < 7 && p; field++) {
			p += strspn(p, " ");
			p = strchr(p, ' ');
		}
		if (!p)
			continue;
		p += strspn(p, " ");
		p[strcspn(p, "\n")] = '\0';
		if (p[0] != '/' || unixsock_allowed(cfg, p) || unixsock_settled(cfg, p) ||
		    lstat(p, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		if (covered++ == UNIXSOCK_MAX) {
			notice("more than %d unix sockets of the host are outside the covered trees: "
			       "the rest stay reachable by path",
			       UNIXSOCK_MAX);
			break;
		}
		unixsock_cover(cfg, p, "default: a unix socket of the host");
	}
	free(line);
	fclose(f);
}

void unixsock_plan(struct config *cfg)
{
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(unixsock_dirs); i++)
		if (stat(unixsock_dirs[i].dir, &st) == 0 && S_ISDIR(st.st_mode) &&
		    !unixsock_settled(cfg, unixsock_dirs[i].dir))
			unixsock_cover(cfg, unixsock_dirs[i].dir,
				       xasprintf("default: %s", unixsock_dirs[i].why));
	unixsock_host(cfg);
	/* --allow-unix in a covered tree: bound in; elsewhere it stays as the
	 * read-only root shows it (connect() needs no write permission on a
	 * read-only mount for a socket). */
	for (size_t i = 0; i < cfg->nallow_unix; i++) {
		const struct mount_req *m = mounts_find(cfg, cfg->allow_unix[i]);

		if (m && mounts_is_hiding(m))
			options_add_mount(cfg, MOUNT_RO, cfg->allow_unix[i], "--allow-unix");
	}
}
