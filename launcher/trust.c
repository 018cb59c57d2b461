/* trust.c — the run's CA inside the sandbox.
 *
 * A run whose rules name methods or paths (request rules, policy/) has the
 * proxy terminate the program's TLS to those hosts with certificates of a
 * CA made for the run (netproxy/tlsca.c).  The program's TLS clients must
 * trust that CA, and nothing else may change for them: the sandbox sees the
 * host's CAs plus the run's, at the paths its clients already read.  Runs
 * without request rules see the host's files as they are.
 *
 * Theory of operation:
 *   trust_plan()      netbox, after the options: does the run inspect?
 *   (supervisor/cabundle.c)  the supervisor makes the CA once the init is
 *                     forked — so the key is never in the init's memory,
 *                     nor in the program's, forked from it — and sends the
 *                     bundle: the certificates of the host's bundle, then
 *                     the run's (CHANNEL_TRUST, a memfd);
 *   trust_receive()   the init waits for it once it has handed over its
 *                     listeners, before it builds the mount tree, and checks
 *                     it (certificates only, sizes);
 *   trust_mount()     the init, staged, after the planned mounts (mounts.c):
 *                     a small tmpfs of its own holds the bundle and a layer
 *                     for /etc/ssl/certs, and is made read-only; the layer
 *                     is bound over /etc/ssl/certs, the bundle over every
 *                     system bundle the sandbox has (trustpaths_bundles[],
 *                     symlinks followed inside the new root, as the program
 *                     will follow them);
 *   (env.c)           the variables clients read name those files.
 *
 * Why a layer for /etc/ssl/certs: the CA alone must be a file at a fixed
 * path (NODE_EXTRA_CA_CERTS adds one file to node's own roots), the host's
 * directory is read-only in the sandbox, and netbox must not write to the
 * host's /etc anyway.  Binding over an existing file cannot add a name, and
 * an overlay needs Linux 5.11 in a user namespace.  So the layer is a
 * directory of that tmpfs holding what the host's holds — its symlinks
 * copied, its files and directories bound (read-only, as they were) — plus
 * netbox-ca.pem, ca-certificates.crt (the bundle, where the host has none
 * there: Fedora's is elsewhere), and the CA's c_rehash name (<hash>.N ->
 * netbox-ca.pem, for clients that look CAs up in the directory only).
 * Debian's directory is ~300 symlinks and one file: a copy of the symlinks
 * and no more than a bind or two.  Where /etc/ssl/certs is missing (or a
 * link to a missing directory), the layer goes on the nearest directory that
 * exists, with the missing ones made in it.
 */
#include "trust.h"
#include "trustpaths.h"
#include "channel.h"
#include "policy/policy.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRUST_STAGE "/trust" /* the tmpfs, in the init's staging root (mounts.c) */
#define TRUST_STAGE_BUNDLE TRUST_STAGE "/bundle"
#define TRUST_STAGE_LAYER TRUST_STAGE "/layer"
#define TRUST_MAX_LINKS 40                 /* as the kernel's MAXSYMLINKS */
#define TRUST_LAYER_ROOM (8u << 20)        /* the layer's symlinks and names */
#define TRUST_PEM_CERT "-----BEGIN CERTIFICATE-----\n"


void trust_plan(struct config *cfg)
{
	cfg->inspects = cfg->net == NET_FILTER && policy_has_request_rules(cfg->policy);
#ifdef NETBOX_TEST_HOOKS
	/* Tests only (-Dtest_hooks=true): NETBOX_TEST_INSPECT=1 makes any
	 * filtered run one that inspects, so that the trust inside the box is
	 * tested whatever the rules say. */
	const char *force = getenv("NETBOX_TEST_INSPECT");

	if (cfg->net == NET_FILTER && force && strcmp(force, "1") == 0)
		cfg->inspects = true;
#endif
}

void trust_print(const struct config *cfg)
{
	if (!cfg->inspects)
		return;
	printf("trust:    request rules: their hosts' TLS is inspected with a CA made for this run (its "
	       "key only in the supervisor's memory)\n");
	printf("  %-40s %-14s (the run's CA alone; a layer over the host's directory)\n", TRUST_CA_PATH,
	       "read-only");
	printf("  %-40s %-14s (the host's CAs and the run's; bound the same over each of",
	       TRUST_BUNDLE_PATH, "read-only");
	for (size_t i = 1; i < TRUSTPATHS_N; i++)
		printf(" %s", trustpaths_bundles[i]);
	printf(" that exists)\n");
}

/* Certificates only: no NUL (the bundle is text), no private key (the
 * supervisor copies certificate blocks only; this is the init's own check),
 * and the CA itself a certificate block. */
static bool trust_bundle_ok(const struct trust_bundle *tb)
{
	const char *ca = tb->data + tb->len - tb->ca_len;

	return !memchr(tb->data, '\0', tb->len) && !strstr(tb->data, "PRIVATE KEY") &&
	       strncmp(ca, TRUST_PEM_CERT, strlen(TRUST_PEM_CERT)) == 0;
}

void trust_receive(int chan, struct trust_bundle *tb)
{
	struct channel_trust m;
	struct stat st;
	cleanup_fd int fd = -1;
	size_t nfds;
	int r = channel_recv(chan, CHANNEL_TRUST, &m, sizeof(m), &fd, 1, &nfds, 0);

	memset(tb, 0, sizeof(*tb));
	if (r == -EPIPE)
		_exit(NETBOX_EXIT_FAILURE); /* the supervisor is gone, and said why */
	if (r < 0 || nfds != 1 || m.reserved || m.ca_len == 0 || m.ca_len > TRUST_MAX_CA ||
	    m.bundle_len > TRUST_MAX_BUNDLE || m.ca_len > m.bundle_len || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_size != (off_t)m.bundle_len)
		die(NULL, "bad message from the supervisor: the sandbox's CA bundle");
	tb->data = xmalloc(m.bundle_len + 1);
	/* (the memfd's offset is shared with the supervisor's descriptor) */
	if (lseek(fd, 0, SEEK_SET) != 0 || read_all(fd, tb->data, m.bundle_len) != (ssize_t)m.bundle_len)
		die_errno(NULL, "cannot read the sandbox's CA bundle");
	tb->data[m.bundle_len] = '\0';
	tb->len = m.bundle_len;
	tb->ca_len = m.ca_len;
	tb->ca_hash = m.ca_hash;
	if (!trust_bundle_ok(tb))
		die(NULL, "bad message from the supervisor: the sandbox's CA bundle holds more than "
			  "certificates");
}

void trust_bundle_free(struct trust_bundle *tb)
{
	free(tb->data);
	memset(tb, 0, sizeof(*tb));
}

/* @path as the program will see it: under @root (the staged new root), its
 * symlinks followed inside @root, into @out (PATH_MAX bytes, "" for the
 * root).  *@have: how many bytes of @out exist under @root (a prefix that
 * ends before a '/' or at the end); the rest is missing.  -1: too long, a
 * loop, or an error other than a missing name. */
static int trust_resolve(const char *root, const char *path, char *out, size_t *have)
{
	char todo[PATH_MAX], next[PATH_MAX], at[PATH_MAX], target[PATH_MAX];
	size_t n = 0;
	int links = 0;

	*have = 0;
	out[0] = '\0';
	if (strlen(path) >= sizeof(todo))
		return -1;
	memcpy(todo, path, strlen(path) + 1);
	for (const char *p = todo; *p;) {
		size_t len = strcspn(p, "/");
		const char *rest = p + len + (p[len] == '/');
		struct stat st;
		ssize_t l;

		if (len == 0 || (len == 1 && p[0] == '.')) {
			p = rest;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[--n] != '/')
				;
			out[n] = '\0';
			*have = *have < n ? *have : n;
			p = rest;
			continue;
		}
		if (n + 1 + len >= PATH_MAX)
			return -1;
		out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		out[n] = '\0';
		p = rest;
		if (*have != n - len - 1)
			continue; /* a parent is missing: so is this */
		if ((size_t)snprintf(at, sizeof(at), "%s%s", root, out) >= sizeof(at))
			return -1;
		if (lstat(at, &st) < 0) {
			if (errno != ENOENT)
				return -1;
			continue;
		}
		if (!S_ISLNK(st.st_mode)) {
			*have = n;
			continue;
		}
		l = readlink(at, target, sizeof(target) - 1);
		if (++links > TRUST_MAX_LINKS || l <= 0)
			return -1;
		target[l] = '\0';
		/* The link gives way to its target, then what followed it. */
		n = target[0] == '/' ? 0 : n - len - 1;
		out[n] = '\0';
		*have = n;
		if ((size_t)snprintf(next, sizeof(next), "%s/%s", target, rest) >= sizeof(next))
			return -1;
		memcpy(todo, next, strlen(next) + 1);
		p = todo;
	}
	return 0;
}

static void trust_write(const char *path, const char *data, size_t len)
{
	cleanup_fd int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0444);

	if (fd < 0 || write_all(fd, data, len) < 0)
		die_errno(NULL, "cannot write the sandbox's CA bundle");
}

/* @dst (new, in the layer) shows @src: a symlink copied, anything else bound
 * with what is mounted below it (read-only where the source is). */
static void trust_copy_entry(const char *src, const char *dst)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t l;
	int fd;

	if (lstat(src, &st) < 0)
		return; /* gone meanwhile */
	if (S_ISLNK(st.st_mode)) {
		l = readlink(src, target, sizeof(target) - 1);
		if (l < 0)
			return;
		target[l] = '\0';
		if (symlink(target, dst) < 0)
			die_errno(NULL, "cannot copy the symlink %s", src);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(dst, 0755) < 0)
			die_errno(NULL, "cannot copy the directory %s", src);
	} else {
		fd = open(dst, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444);
		if (fd < 0 || close(fd) < 0)
			die_errno(NULL, "cannot copy %s", src);
	}
	/* ENOENT: renamed away meanwhile (useradd replaces /etc/gshadow by a
	 * rename; the new one is missed, as it would be without the layer's
	 * copy).  The placeholder stays, empty and read-only. */
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0 && errno != ENOENT)
		die_errno(NULL, "cannot bind %s", src);
}

/* What the directory @dir (under @root) holds, into the layer: but the
 * names netbox puts there, when it is the CA's own (@ca_dir). */
static void trust_copy_dir(const char *root, const char *dir, bool ca_dir)
{
	char path[PATH_MAX], src[PATH_MAX + NAME_MAX + 2], dst[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s", root, dir);
	d = opendir(path);
	if (!d)
		die_errno(NULL, "cannot read %s in the sandbox", dir[0] ? dir : "/");
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (ca_dir && (strcmp(e->d_name, TRUST_CA_NAME) == 0 ||
				strcmp(e->d_name, TRUST_BUNDLE_NAME) == 0)))
			continue;
		if ((size_t)snprintf(src, sizeof(src), "%s/%s", path, e->d_name) >= sizeof(src) ||
		    (size_t)snprintf(dst, sizeof(dst), TRUST_STAGE_LAYER "/%s", e->d_name) >= sizeof(dst))
			die(NULL, "path too long: %s/%s", dir, e->d_name);
		trust_copy_entry(src, dst);
	}
	closedir(d);
}

/* The CA's directory in the layer: the missing directories (@missing,
 * "" or "/a/b") made, the CA, the bundle and the CA's hashed name in it. */
static void trust_fill_ca_dir(const struct trust_bundle *tb, const char *missing)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	if ((size_t)snprintf(dir, sizeof(dir), TRUST_STAGE_LAYER "%s", missing) >= sizeof(dir))
		die(NULL, "path too long: %s", missing);
	for (char *p = dir + strlen(TRUST_STAGE_LAYER); *p;) {
		p = strchr(p + 1, '/');
		if (p)
			*p = '\0';
		if (mkdir(dir, 0755) < 0)
			die_errno(NULL, "cannot make %s in the sandbox", dir + strlen(TRUST_STAGE_LAYER));
		if (!p)
			break;
		*p = '/';
	}
	snprintf(path, sizeof(path), "%s/" TRUST_CA_NAME, dir);
	trust_write(path, tb->data + tb->len - tb->ca_len, tb->ca_len);
	snprintf(path, sizeof(path), "%s/" TRUST_BUNDLE_NAME, dir);
	if (link(TRUST_STAGE_BUNDLE, path) < 0)
		die_errno(NULL, "cannot make %s in the sandbox", TRUST_BUNDLE_PATH);
	/* c_rehash's name: the first <hash>.N the directory does not use. */
	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "%s/%08x.%d", dir, (unsigned)tb->ca_hash, i);
		if (symlink(TRUST_CA_NAME, path) == 0 || errno != EEXIST)
			break;
	}
}

/* The layer over the CA's directory, or over the nearest one that exists;
 * the stage's tmpfs is made read-only here, before the layer is bound. */
static void trust_layer(const struct trust_bundle *tb, const char *root)
{
	char dir[PATH_MAX], missing[PATH_MAX], path[2 * PATH_MAX];
	struct stat st;
	size_t have;

	if (trust_resolve(root, TRUST_CA_DIR, dir, &have) < 0)
		die_errno(NULL, "cannot find %s in the sandbox", TRUST_CA_DIR);
	memcpy(missing, dir + have, strlen(dir + have) + 1);
	dir[have] = '\0';
	snprintf(path, sizeof(path), "%s%s", root, dir);
	if (have == 0 || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		die("check that the sandbox has /etc (--hide /etc hides it)",
		    "cannot place the run's CA at %s", TRUST_CA_PATH);
	trust_copy_dir(root, dir, missing[0] == '\0');
	if (chmod(TRUST_STAGE_LAYER, st.st_mode & 07777) < 0)
		die_errno(NULL, "cannot make the layer of %s", dir);
	trust_fill_ca_dir(tb, missing);
	if (mount(NULL, TRUST_STAGE, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		die_errno(NULL, "cannot make the sandbox's CAs read-only");
	if (mount(TRUST_STAGE_LAYER, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		die_errno(NULL, "cannot bind the run's CA over %s", dir);
}

void trust_mount(const struct trust_bundle *tb, const char *root)
{
	char opts[64], out[PATH_MAX], path[2 * PATH_MAX];
	struct stat ours, st;

	snprintf(opts, sizeof(opts), "mode=0755,size=%zu", tb->len + tb->ca_len + TRUST_LAYER_ROOM);
	if (mkdir(TRUST_STAGE, 0755) < 0 ||
	    mount("tmpfs", TRUST_STAGE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0 ||
	    mkdir(TRUST_STAGE_LAYER, 0755) < 0)
		die_errno(NULL, "cannot make the tmpfs of the sandbox's CAs");
	trust_write(TRUST_STAGE_BUNDLE, tb->data, tb->len);
	trust_layer(tb, root);
	/* The bundle over every system bundle there is (once per file: a link
	 * to one bound already, or the layer's own, shows the bundle). */
	if (stat(TRUST_STAGE_BUNDLE, &ours) < 0)
		die_errno(NULL, "cannot read the sandbox's CA bundle");
	for (size_t i = 0; i < TRUSTPATHS_N; i++) {
		size_t have;

		if (trust_resolve(root, trustpaths_bundles[i], out, &have) < 0 || have == 0 ||
		    have != strlen(out))
			continue;
		snprintf(path, sizeof(path), "%s%s", root, out);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
		    (st.st_dev == ours.st_dev && st.st_ino == ours.st_ino))
			continue;
		if (mount(TRUST_STAGE_BUNDLE, path, NULL, MS_BIND, NULL) < 0)
			die_errno(NULL, "cannot bind the sandbox's CA bundle over %s", out);
	}
}
