/* paths.h — the trees the program can write, and link-safe resolution of
 * the paths netbox acts on (paths.c). */
#ifndef NETBOX_PATHS_H
#define NETBOX_PATHS_H

#include <stdbool.h>
#include <stddef.h>

struct config;

/* A path the user gave to option @opt: a leading ~ expanded, made absolute
 * against the current directory (links not resolved); dies naming @opt on
 * ~USER or a ~ without a home.  Malloc'ed. */
char *paths_expand(const struct config *cfg, const char *opt, const char *path);

/* The homes that are yours in this run, each once: $HOME (cfg->home), the
 * program's, and your account's when $HOME names another.  Returns how many
 * are in @out. */
#define PATHS_MAX_HOMES 3
size_t paths_homes(const struct config *cfg, const char *out[PATHS_MAX_HOMES]);

/* @path is @dir or below it (both absolute, normalised). */
bool paths_under(const char *path, const char *dir);

/* After every mount is planned: cfg->writable from the current directory
 * and the --rw directories, then every user path checked again with
 * paths_resolve() (dies on a link planted in a writable tree). */
void paths_plan(struct config *cfg);

/* The writable tree that holds @real (a physical path), or NULL. */
const char *paths_writable_tree(const struct config *cfg, const char *real);

/* A link in a writable tree may be followed when it stays in that tree. */
#define PATHS_FOLLOW_IN_TREE 0x1

/* Resolve the absolute path @given component by component, like
 * realpath(), except for links in writable trees (see paths.c).  0 and
 * *out (physical, malloc'ed); -ELOOP with *why (malloc'ed, may be NULL for
 * a plain loop) for a refused link; -ENOENT with *out set to where it
 * would be when only the last component is missing; else -errno. */
int paths_resolve(const struct config *cfg, const char *given, unsigned flags, char **out,
		  char **why);

/* Create the directory @path and its missing parents (0700), each looked
 * up through paths_resolve(); dies naming @what when it cannot. */
void paths_mkdirs(const struct config *cfg, const char *what, const char *path);
/* The same, for runtime callers: 0 or -errno (and *why for a refused link). */
int paths_mkdirs_try(const struct config *cfg, const char *path, char **why);

/* "PWD-LINK is a link to TARGET" when the user reached the current
 * directory through a link a sandboxed program could have planted; NULL
 * otherwise.  Malloc'ed. */
char *paths_cwd_planted_link(const struct config *cfg);

#endif
