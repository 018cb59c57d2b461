/* isolate.h — the supervisor gives up what it does not need (isolate.c). */
#ifndef NETBOX_ISOLATE_H
#define NETBOX_ISOLATE_H

#include <stdbool.h>
#include <stdio.h>

struct config;

/* First thing in the supervisor, pid 1 of its own pid namespace: a /proc
 * that shows that namespace.  Dies if it cannot. */
void isolate_initial(void);

/* Once the loop's descriptors are open: an empty root, no_new_privs, not
 * dumpable, then the system call allow-list.  Dies if one cannot be had. */
void isolate_supervisor(const struct config *cfg);

/* For --check: what the supervisor holds while the program runs, and what
 * it can still do. */
void isolate_print(const struct config *cfg, FILE *out);

#endif
