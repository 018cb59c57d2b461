/* discard.c — saying what the program wrote into throw-away places.
 *
 * The hidden home, /tmp and /var/tmp are empty tmpfs mounts in the sandbox,
 * discarded at exit.  A tool that installs into the home
 * (`NPM_CONFIG_PREFIX=~/.npm-global npm install -g x` says "added 41
 * packages") would lose it all without a word, so at exit netbox counts what
 * is left there and says where, with the option that would have kept it.
 *
 * Theory of operation:
 *   discard_send()    in the sandbox init, after the mount tree is built and
 *                     before the program exists: an O_PATH descriptor of
 *                     each such tmpfs goes to netbox (a CHANNEL_COVERS
 *                     message, channel.c);
 *   discard_receive() netbox keeps them (they keep the tmpfs alive after
 *                     the sandbox's mount namespace is torn down);
 *   discard_report()  after the sandbox is gone, each tmpfs is walked
 *                     without following links.  Nothing runs there anymore;
 *                     mount points netbox made in it (~/work for the current
 *                     directory) are left out by their paths.
 */
#include "config.h"
#include "mountplan.h"
#include "channel.h"
#include "discard.h"
#include "paths.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define DISCARD_MAX_ENTRIES 100000 /* walked per place: a bound on exit time */
#define DISCARD_MAX_DEPTH 32
#define DISCARD_TOP 3              /* top directories named per place */

/* The throw-away places worth a word, the same list on both sides (both
 * have the configuration): the homes and the temporary directories. */
static size_t discard_places(const struct config *cfg, const char *out[DISCARD_MAX_PLACES])
{
	const char *all[] = { cfg->home, cfg->target_home, "/tmp", "/var/tmp" };
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		bool seen = !all[i];

		/* nobody's home is /tmp when root runs netbox */
		for (size_t j = 0; j < i && !seen; j++)
			seen = all[j] && strcmp(all[j], all[i]) == 0;
		if (!seen)
			out[n++] = all[i];
	}
	return n;
}

void discard_send(const struct config *cfg, int chan)
{
	const char *places[DISCARD_MAX_PLACES];
	size_t n = discard_places(cfg, places);
	uint32_t mask = 0;
	int fds[DISCARD_MAX_PLACES] = { -1, -1, -1, -1 }, nfds = 0;

	for (size_t i = 0; i < n; i++) {
		if (!mountplan_is_cover(cfg, places[i]))
			continue; /* exposed (--rw ~), or the user's own --tmpfs */
		fds[nfds] = open(places[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fds[nfds] < 0)
			continue;
		mask |= 1u << i;
		nfds++;
	}
	/* Best effort: a report lost is no reason to stop the run. */
	channel_send(chan, CHANNEL_COVERS, &mask, sizeof(mask), fds, (size_t)nfds);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

void discard_receive(const struct config *cfg, int chan, struct discard_covers *out)
{
	const char *places[DISCARD_MAX_PLACES];
	size_t nplaces = discard_places(cfg, places);

	memset(out, 0, sizeof(*out));
	if (channel_recv(chan, CHANNEL_COVERS, &out->places, sizeof(out->places), out->fds,
			 DISCARD_MAX_PLACES, &out->nfds, 0) < 0)
		return;
	/* The mask and the descriptors must agree, or nothing is said. */
	if ((out->places >> nplaces) || (size_t)__builtin_popcount(out->places) != out->nfds) {
		for (size_t i = 0; i < out->nfds; i++)
			close(out->fds[i]);
		memset(out, 0, sizeof(*out));
	}
}

/* What was left under one top-level entry of a place. */
struct discard_top {
	char name[NAME_MAX + 1];
	bool is_dir;
	uint64_t files, bytes;
};

struct discard_walk {
	const struct config *cfg;
	const char *place;
	size_t entries;
	uint64_t files, bytes;
	struct discard_top *tops;
	size_t ntops;
};

/* A mount point netbox made in the tmpfs (the current directory's, a --ro
 * file's): not something the program wrote. */
static bool discard_is_mount_point(const struct discard_walk *w, const char *rel)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", w->place, rel) >= sizeof(path))
		return false;
	for (size_t i = 0; i < w->cfg->nmounts; i++)
		if (strcmp(w->cfg->mounts[i].path, path) == 0)
			return true;
	return false;
}

static struct discard_top *discard_new_top(struct discard_walk *w, const char *name, bool is_dir)
{
	struct discard_top *t;

	w->tops = xrealloc(w->tops, (w->ntops + 1) * sizeof(*w->tops));
	t = &w->tops[w->ntops++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->is_dir = is_dir;
	return t;
}

/* Count the files under the directory @fd (@rel in the place, "" for the
 * place itself) into @top, or at the top (@top NULL) each entry into a
 * discard_top of its own; @fd is closed.  (w->tops grows only at the top,
 * never while a deeper call holds one of its entries.) */
static void discard_count(struct discard_walk *w, int fd, const char *rel, int depth,
			  struct discard_top *top)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) && w->entries < DISCARD_MAX_ENTRIES) {
		struct discard_top *t = top;
		char sub[PATH_MAX];
		struct stat st;
		int sfd;

		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		w->entries++;
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name) >=
			    sizeof(sub) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    discard_is_mount_point(w, sub))
			continue;
		if (!t)
			t = discard_new_top(w, e->d_name, S_ISDIR(st.st_mode));
		if (!S_ISDIR(st.st_mode)) {
			t->files++;
			t->bytes += (uint64_t)st.st_size;
		} else if (depth < DISCARD_MAX_DEPTH &&
			   (sfd = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
			discard_count(w, sfd, sub, depth + 1, t);
		}
	}
	closedir(d);
}

static int discard_top_cmp(const void *a, const void *b)
{
	const struct discard_top *x = a, *y = b;

	return x->files != y->files ? (x->files < y->files ? 1 : -1) : strcmp(x->name, y->name);
}

static void discard_bytes(uint64_t n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, len, "%.1f MiB", (double)n / (1024 * 1024));
}

/* One place's line, e.g. "41 files (1.2 MiB) in ~: ~/.npm-global (40), ~/x". */
static void discard_say(const struct config *cfg, struct discard_walk *w)
{
	char line[1024], size[32], shown[PATH_MAX + NAME_MAX + 2];
	const char *keep = NULL;
	size_t off;
	bool home = cfg->home && strcmp(w->place, cfg->home) == 0;

	for (size_t i = 0; i < w->ntops; i++) {
		w->files += w->tops[i].files;
		w->bytes += w->tops[i].bytes;
	}
	if (!w->files)
		return;
	if (w->ntops > 1)
		qsort(w->tops, w->ntops, sizeof(*w->tops), discard_top_cmp);
	discard_bytes(w->bytes, size, sizeof(size));
	off = (size_t)snprintf(line, sizeof(line), "%llu file%s (%s)%s in %s:",
			       (unsigned long long)w->files, w->files == 1 ? "" : "s", size,
			       w->entries >= DISCARD_MAX_ENTRIES ? " at least" : "",
			       home ? "your hidden home" : w->place);
	for (size_t i = 0; i < w->ntops && i < DISCARD_TOP && off < sizeof(line) - 1; i++) {
		const struct discard_top *t = &w->tops[i];

		if (!t->files)
			continue;
		if (home)
			snprintf(shown, sizeof(shown), "~/%s", t->name);
		else
			snprintf(shown, sizeof(shown), "%s/%s", w->place, t->name);
		if (!keep && home && t->is_dir)
			keep = t->name;
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s %s", i ? "," : "", shown);
		if (t->is_dir && off < sizeof(line) - 1)
			off += (size_t)snprintf(line + off, sizeof(line) - off, " (%llu)",
						(unsigned long long)t->files);
	}
	if (w->ntops > DISCARD_TOP && off < sizeof(line) - 1)
		snprintf(line + off, sizeof(line) - off, ", ...");
	if (keep)
		notice("discarded at exit: %s \u2014 to keep them, create the directory and pass it: "
		       "--rw ~/%s",
		       line, keep);
	else
		notice("discarded at exit: %s", line);
}

/* The places share one tmpfs (mounts.c): if it filled up, writes failed
 * with ENOSPC inside, and the program may not have said why. */
static void discard_full(const struct config *cfg, int fd)
{
	struct statfs sfs;
	char size[32];

	if (fd < 0 || fstatfs(fd, &sfs) < 0 || sfs.f_blocks == 0 ||
	    sfs.f_bavail * 100 > sfs.f_blocks) /* under 1% left */
		return;
	discard_bytes(cfg->tmpfs_size, size, sizeof(size));
	notice("the sandbox's throw-away space (%s, for the home, /tmp and the overlays together) "
	       "was full: writes there failed \u2014 give more with --tmpfs-size, or --rw a "
	       "directory for what must be kept",
	       size);
}

void discard_report(const struct config *cfg, struct discard_covers *c)
{
	const char *places[DISCARD_MAX_PLACES];
	size_t nplaces = discard_places(cfg, places), next = 0;

	if (!util_quiet)
		discard_full(cfg, c->nfds ? c->fds[0] : -1);
	for (size_t i = 0; i < nplaces && next < c->nfds; i++) {
		struct discard_walk w = { .cfg = cfg, .place = places[i] };
		int fd;

		if (!(c->places & (1u << i)))
			continue;
		fd = util_quiet ? -1 : openat(c->fds[next], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(c->fds[next++]);
		if (fd < 0)
			continue;
		discard_count(&w, fd, "", 0, NULL);
		discard_say(cfg, &w);
		free(w.tops);
	}
	c->nfds = 0;
}
