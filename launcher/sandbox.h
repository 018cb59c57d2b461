/* sandbox.h — creating the sandbox (sandbox.c, host side) and its init
 * process (init.c, pid 1 inside). */
#ifndef NETBOX_SANDBOX_H
#define NETBOX_SANDBOX_H

#include "config.h"
#include "util.h"

struct discard_covers;

/* Run cfg->argv in a new sandbox; returns netbox's exit status, and in
 * @covers the throw-away mounts discard_report() walks at exit. */
int sandbox_run(const struct config *cfg, char **envp, struct discard_covers *covers);

/* Why creating or using a user namespace failed, as a die() fix text. */
const char *sandbox_userns_hint(int err);

/* The sandbox init: pid 1 of the new pid namespace.  @sync_fd is read once:
 * a byte when the id maps are written, EOF if the parent died.  @chan is
 * the channel to netbox (channel.c): the listening sockets, the throw-away
 * mounts, and the listeners made on demand. */
NORETURN void init_main(const struct config *cfg, int sync_fd, int chan, char **envp);

#endif
