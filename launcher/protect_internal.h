/* protect_internal.h — what protect.c, protect_memory.c and protectgit.c
 * share. */
#ifndef NETBOX_PROTECT_INTERNAL_H
#define NETBOX_PROTECT_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

struct config;

struct protect_entry {
	char *path;     /* physical, absolute */
	const char *why;
	bool top;       /* at the top of its tree, or a home path: undone if new */
	bool is_link;
	bool layout;    /* a directory git takes for a repository by what it
			 * holds: undone by moving its HEAD aside */
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
};

struct protect {
	struct protect_entry *v;
	size_t n;
	bool exhausted;        /* the walk stopped at its budget */
	char **memory;         /* what earlier runs protected */
	size_t nmemory;
	struct timespec start; /* wall clock: compared with files' ctime */
};

/* Add @path (lstat'ed into @st) unless listed. */
void protect_add(struct protect *p, const char *path, const struct stat *st, const char *why,
		 bool top);
/* Protect @target (relative to @base unless absolute; ~/ expanded) when it
 * exists in a writable tree. */
void protect_add_named(const struct config *cfg, struct protect *p, const char *base,
		       const char *target, const char *why);
void protect_free_entries(struct protect *p);
/* @s is one of the @n strings of @v. */
bool protect_listed(char *const *v, size_t n, const char *s);
/* Up to @len - 1 bytes of the regular file @path, not through a link at
 * its end, NUL-terminated; -1 if there is none. */
ssize_t protect_read_small(const char *path, char *buf, size_t len);

/* protect_memory.c */
/* What earlier runs protected, into @p->memory. */
void protect_memory_load(const struct config *cfg, struct protect *p);
/* Those of them in this run's writable trees, protected again. */
void protect_memory_apply(const struct config *cfg, struct protect *p);
/* At exit: this run's protected paths, then the remembered ones still
 * there, written through a temporary file when that changes anything; best
 * effort (a notice when it cannot be kept). */
void protect_memory_save(const struct config *cfg, const struct protect *p);

/* protectgit.c */
/* What your own git configuration sets core.hooksPath to, or "". */
void protect_git_global_hooks(const struct config *cfg, char *out, size_t len);
/* What git reads beyond the .git at @dotgit: the git directory a .git
 * file names, a worktree's common directory, included config files, the
 * hooks directory (@global_hooks unless the repository sets its own). */
void protect_git_follow(const struct config *cfg, struct protect *p, const char *dotgit,
			const char *global_hooks);
/* The open directory holds HEAD, objects/ and refs/: git takes it for a
 * repository. */
bool protect_git_is_gitdir(int dirfd);

#endif
