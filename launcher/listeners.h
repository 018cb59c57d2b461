/* listeners.h — sockets created in the sandbox, served by netbox. */
#ifndef NETBOX_LISTENERS_H
#define NETBOX_LISTENERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum listener_kind {
	LISTENER_DNS_UDP4,
	LISTENER_DNS_UDP6,
	LISTENER_DNS_TCP,
	LISTENER_PROXY,
};

struct listener {
	int fd;
	enum listener_kind kind;
	uint16_t port;
};

/* In the sandbox init: create DNS sockets and a TCP listener for every port
 * set in @tcp_ports (a 65536-bit map), send them over @chan, close them. */
void listeners_send(int chan, const uint8_t *tcp_ports);

/* In the sandbox init: one more TCP listener (ondemand.c), or -errno. */
int listeners_proxy_socket(uint16_t port);
/* Is @fd a socket of @kind (stream ones listening) bound to @port? */
bool listeners_valid(int fd, enum listener_kind kind, uint16_t port);

/* In netbox: receive and check them.  0, or -1 (errno EPROTO for a bad
 * message, or the sandbox init died before sending). */
int listeners_receive(int chan, struct listener **out, size_t *n);

#endif
