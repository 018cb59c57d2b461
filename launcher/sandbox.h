/* sandbox.h — creating the sandbox (sandbox.c, host side) and its init
 * process (init.c, pid 1 inside). */
#ifndef NETBOX_SANDBOX_H
#define NETBOX_SANDBOX_H

#include "config.h"
#include "util.h"

#include <signal.h>

struct discard_covers;

/* Run cfg->argv in a new sandbox, served by the supervisor (a child);
 * returns netbox's exit status, and in @covers the throw-away mounts
 * discard_report() walks at exit, in *learned (malloc'ed, NUL-terminated)
 * the learned profile's text for --learn, or NULL. */
int sandbox_run(const struct config *cfg, char **envp, struct discard_covers *covers,
		char **learned, size_t *nlearned);

/* In the supervisor: create the sandbox (its init waiting for the id maps,
 * then written); its pid, and in *chan the channel to it (channel.c). */
pid_t sandbox_start(const struct config *cfg, char **envp, int *chan);

/* Wait for the child @pid, signals forwarded meanwhile; its status as a
 * shell reports it (128+N for signal N). */
int sandbox_wait(pid_t pid);

/* The signals ignored when netbox started: they stay ignored for the
 * program (POSIX exec keeps SIG_IGN), and only they (netbox itself ignores
 * SIGTTOU and SIGTTIN; sandbox.c says why).  Set before any clone. */
extern sigset_t sandbox_ignored_at_start;

/* The write end of the pipe the supervisor's stderr may become once the
 * sandbox is made (isolate.c; netbox shows what arrives, sandbox.c); -1 in
 * netbox after the clone and in the sandbox init. */
extern int sandbox_stderr_fd;

/* In netbox, before any clone: the host's limits the init halves for the
 * sandbox (init.c). */
void init_read_host_limits(void);

/* The sandbox init: pid 1 of the new pid namespace.  @sync_fd is read once:
 * a byte when the id maps are written, EOF if the parent died.  @chan is
 * the channel to netbox (channel.c): the listening sockets, the throw-away
 * mounts, and the listeners made on demand. */
NORETURN void init_main(const struct config *cfg, int sync_fd, int chan, char **envp);

#endif
