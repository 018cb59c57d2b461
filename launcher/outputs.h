/* outputs.h — netbox's own files: the --log and the --learn profile
 * (outputs.c). */
#ifndef NETBOX_OUTPUTS_H
#define NETBOX_OUTPUTS_H

#include <stddef.h>

struct config;

/* After paths_plan(): open the log and the learned profile's file safely,
 * and cover them inside the sandbox when they lie in a writable tree. */
void outputs_plan(struct config *cfg);

/* At exit (--learn): write the learned profile's @text (from the
 * supervisor: checked to hold only rules and comments) through a temporary
 * file renamed into place, or to the pipe/terminal it names; say where. */
void outputs_write_learned(const struct config *cfg, const char *text, size_t len);

#endif
