/* mountplan.h — the plan of the sandbox's file system (mountplan.c): every
 * mount request, resolved and ordered in netbox before any namespace
 * exists; mounts.c applies it in the sandbox init. */
#ifndef NETBOX_MOUNTPLAN_H
#define NETBOX_MOUNTPLAN_H

#include "config.h"

#include <stdbool.h>

/* --ro/--rw/--hide/--tmpfs/--overlay PATH (@opt "--ro", ...) from the
 * command line or, when cfg->origin is set, a profile: ~ expanded, made
 * absolute, resolved and checked; dies on a bad path.  options.c's handler
 * for all five options. */
void mountplan_option(struct config *cfg, const char *opt, const char *arg);

/* A mount of netbox's own at @path (absolute, resolved); @origin must live
 * as long as cfg. */
void mountplan_add(struct config *cfg, enum mount_kind kind, const char *path, const char *origin);

/* Hide a unix socket of the host (or a directory holding only sockets),
 * if it is still there when the sandbox is made (unixsock.c). */
void mountplan_socket(struct config *cfg, const char *path, bool is_dir, const char *why);

/* After the options: the defaults (/dev, /proc, /sys, the covers of the
 * homes, /tmp and /run) and the current directory, placed before the
 * requests so far so that those win on the same path. */
void mountplan_defaults(struct config *cfg);

/* The program found at cfg->prog_path, which resolves to @real_path, lies
 * under a hidden directory (nvm's node, a tool in ~/bin): its directory,
 * and a link's target's install directory, read-only — never a home. */
void mountplan_program_dirs(struct config *cfg, const char *real_path);

/* Parents first (by depth, then in the order added): mounts.c's order. */
void mountplan_sort(struct config *cfg);

/* The mount that decides what @path looks like in the sandbox (the deepest
 * one holding it, the latest on a tie), or NULL for the read-only root. */
const struct mount_req *mountplan_find(const struct config *cfg, const char *path);

/* @path is one of the default empty tmpfs covers (a home, /tmp), not
 * covered again by another mount. */
bool mountplan_is_cover(const struct config *cfg, const char *path);

/* @m shows an empty tree or file (a cover, --hide, --tmpfs). */
bool mountplan_is_hiding(const struct mount_req *m);

/* For --check. */
void mountplan_print(const struct config *cfg);

#endif
