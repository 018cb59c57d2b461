/* supervise.h — the supervisor: netbox's child that creates the sandbox
 * and serves it (supervise.c). */
#ifndef NETBOX_SUPERVISE_H
#define NETBOX_SUPERVISE_H

#include "config.h"

/* In the child netbox forks: create the sandbox, serve it until its init
 * exits, tell netbox what it needs over @back (channel.c); the program's
 * status. */
int supervise_main(const struct config *cfg, char **envp, int back);

#endif
