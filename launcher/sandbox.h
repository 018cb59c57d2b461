/* sandbox.h — creating the sandbox (sandbox.c, host side) and its init
 * process (init.c, pid 1 inside). */
#ifndef NETBOX_SANDBOX_H
#define NETBOX_SANDBOX_H

#include "config.h"
#include "util.h"

/* Run cfg->argv in a new sandbox; returns netbox's exit status, and in
 * *discard the descriptor discard_report() reads at exit. */
int sandbox_run(const struct config *cfg, char **envp, int *discard);

/* Why creating or using a user namespace failed, as a die() fix text. */
const char *sandbox_userns_hint(int err);

/* The sandbox init: pid 1 of the new pid namespace.  @sync_fd is read once:
 * a byte when the id maps are written, EOF if the parent died.  @chan (or
 * -1 with --net=none) carries the listening sockets to netbox, @discard the
 * throw-away mounts (discard.c). */
NORETURN void init_main(const struct config *cfg, int sync_fd, int chan, int discard,
			char **envp);

#endif
