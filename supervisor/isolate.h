/* isolate.h — the supervisor gives up what it does not need (isolate.c). */
#ifndef NETBOX_ISOLATE_H
#define NETBOX_ISOLATE_H

#include <stdbool.h>
#include <stdio.h>

struct config;

/* First thing in the supervisor, pid 1 of its own pid namespace: close
 * netbox's descriptors (@back, the channel to netbox, stays), and a /proc
 * that shows that namespace.  Dies if it cannot. */
void isolate_initial(const struct config *cfg, int back);

/* Once the sandbox is made: the program's --pass-fd descriptors closed
 * here, and out of netbox's process group. */
void isolate_sandbox_made(const struct config *cfg, int back);

/* Once the loop's descriptors are open: an empty root, no_new_privs, not
 * dumpable, then the system call allow-list.  Dies if one cannot be had. */
void isolate_supervisor(const struct config *cfg);

/* For --check: what the supervisor holds while the program runs, and what
 * it can still do. */
void isolate_print(const struct config *cfg, FILE *out);

#endif
