/* protect.h — protected names in the writable trees (protect.c). */
#ifndef NETBOX_PROTECT_H
#define NETBOX_PROTECT_H

#include <stdbool.h>
#include <stdio.h>

struct config;

/* After paths_plan(): find the protected names in the writable trees and
 * bind each read-only; remember them for protect_sweep(). */
void protect_plan(struct config *cfg);

/* After the program is gone: move aside what it created or replaced, and
 * report it. */
void protect_sweep(const struct config *cfg);

/* --rw ABS where ABS does not exist: true (and remembered) when ABS is a
 * protected name, which the program may then create. */
bool protect_may_create(struct config *cfg, const char *abs);

/* For --check. */
void protect_print(const struct config *cfg, FILE *out);

#endif
