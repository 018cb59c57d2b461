/* ondemand.h — listeners made when the program first connects to a port
 * (ondemand.c), for rules that allow every port (`host:*`, --learn). */
#ifndef NETBOX_SUPERVISOR_ONDEMAND_H
#define NETBOX_SUPERVISOR_ONDEMAND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct proxy;
struct policy;
struct ondemand;

/* Listeners asked of the init over @chan (owned from here on), added to
 * @proxy, for ports @policy could allow.  @served: the ports served from
 * the start (65536-bit map, copied). */
struct ondemand *ondemand_new(int chan, struct proxy *proxy, const struct policy *policy,
			      const uint8_t *served);
/* The program is about to connect() to @addr:@port (@stream: over TCP):
 * make a listener for the port first if none serves it. */
void ondemand_connect(struct ondemand *o, const struct in6_addr *addr, uint16_t port,
		      bool stream);
void ondemand_free(struct ondemand *o);

#endif
