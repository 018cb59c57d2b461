/* listeners.h — sockets created in the sandbox, served by netbox
 * (listeners.c). */
#ifndef NETBOX_LISTENERS_H
#define NETBOX_LISTENERS_H

#include <stdint.h>

/* In the sandbox init: create DNS sockets and a TCP listener for every port
 * set in @tcp_ports (a 65536-bit map), send them over @chan, close them. */
void listeners_send(int chan, const uint8_t *tcp_ports);

/* In the sandbox init: one more TCP listener (ondemand.c), or -errno. */
int listeners_proxy_socket(uint16_t port);

#endif
