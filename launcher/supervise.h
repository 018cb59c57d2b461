/* supervise.h — netbox's event loop for a run with a filtered network. */
#ifndef NETBOX_SUPERVISE_H
#define NETBOX_SUPERVISE_H

#include "config.h"
#include "listeners.h"

#include <sys/types.h>

/* Serve @ls (ownership passes) until @init_pid exits; its exit status.
 * @chan: the channel to the init for listeners made on demand, or -1
 * (ownership passes). */
int supervise_run(const struct config *cfg, pid_t init_pid, struct listener *ls, size_t n, int chan);

#endif
