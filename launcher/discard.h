/* discard.h — what the program left in throw-away places (discard.c). */
#ifndef NETBOX_DISCARD_H
#define NETBOX_DISCARD_H

#include <stddef.h>
#include <stdint.h>

struct config;

#define DISCARD_MAX_PLACES 4

/* The throw-away tmpfs mounts netbox was handed, to walk at exit. */
struct discard_covers {
	uint32_t places; /* bit i: the i-th place (discard.c), in order */
	int fds[DISCARD_MAX_PLACES];
	size_t nfds;
};

/* In the sandbox init, once the mount tree is built: hand netbox a
 * descriptor of each throw-away tmpfs over @chan. */
void discard_send(const struct config *cfg, int chan);

/* In netbox: receive them (nothing, if the init died first). */
void discard_receive(const struct config *cfg, int chan, struct discard_covers *out);

/* In netbox, after the sandbox is gone: say what is left in them; the
 * descriptors are closed. */
void discard_report(const struct config *cfg, struct discard_covers *c);

#endif
