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

/* In the sandbox init: answer one request for an on-demand listener read
 * from @chan.  -1 when netbox has gone (EOF). */
int listeners_init_serve(int chan);

#endif
