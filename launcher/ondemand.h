/* ondemand.h — listeners made when the program first connects to a port
 * (ondemand.c), for rules that allow every port (`host:*`, --learn). */
#ifndef NETBOX_ONDEMAND_H
#define NETBOX_ONDEMAND_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

struct proxy;
struct policy;
struct ondemand;

/* In the sandbox init, before forking the program: a socketpair over
 * which the program's process hands back its notification descriptor. */
void ondemand_init_prepare(int sp[2]);
/* In the program's process, no_new_privs set, just before the main filter:
 * install the connect() notification filter and send its descriptor (or
 * why there is none) over @sp.  Never fails the run. */
void ondemand_child_install(int sp);
/* In the sandbox init, after the fork: pass what the program's process sent
 * on to netbox over @chan. */
void ondemand_init_forward(int sp, int chan);
/* In the sandbox init: answer one request read from @chan (a listener for
 * a port).  -1 when netbox has gone (EOF). */
int ondemand_init_serve(int chan);

/* In netbox: receive the notification descriptor over @chan (ownership of
 * @chan passes) and serve its notifications on @base, adding a listener to
 * @proxy for each new port the program connects to that @policy could
 * allow.  @served: the ports served from the start (65536-bit map,
 * copied).  NULL when there are no notifications (said unless @quiet). */
struct ondemand *ondemand_new(struct event_base *base, int chan, struct proxy *proxy,
			      const struct policy *policy, const uint8_t *served, bool quiet);
void ondemand_free(struct ondemand *o);

#endif
