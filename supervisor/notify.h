/* notify.h — the program's system calls the supervisor hears of before
 * they happen (notify.c); launcher/notify.c installs the filter. */
#ifndef NETBOX_SUPERVISOR_NOTIFY_H
#define NETBOX_SUPERVISOR_NOTIFY_H

#include <event2/event.h>
#include <stdbool.h>

struct attrib;
struct ondemand;
struct policy;
struct report;

struct notify_deps {
	struct report *report;
	const struct policy *policy;
	struct ondemand *ondemand; /* every-port rules, or NULL */
	struct attrib *attrib;     /* attribution, or NULL */
	char *const *host_sockets; /* the host's path sockets, sorted (config.h) */
	size_t nhost_sockets;
	bool quiet;
};

/* Receive the program's notification descriptor over @chan (the init
 * forwards it; @chan stays the caller's) and serve it on @base.  NULL when
 * there is none (an old kernel, the program died first: said unless
 * quiet, when it costs the run something). */
struct notify *notify_new(struct event_base *base, int chan, const struct notify_deps *deps);
void notify_free(struct notify *n);

#endif
