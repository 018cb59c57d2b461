/* handover.h — the sandbox's listening sockets, received (handover.c). */
#ifndef NETBOX_HANDOVER_H
#define NETBOX_HANDOVER_H

#include "channel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct listener {
	int fd;
	enum channel_listener_kind kind;
	uint16_t port;
};

/* Is @fd a socket of @kind (stream ones listening, all non-blocking) bound
 * to @port (raw ones: @port 0, their filter locked)? */
bool handover_valid(int fd, enum channel_listener_kind kind, uint16_t port);

/* Receive and check the init's listeners from @chan.  0, or -errno: -EPROTO
 * for a bad message, another when the sandbox init died before sending. */
int handover_listeners(int chan, struct listener **out, size_t *n);

#endif
