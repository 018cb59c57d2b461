/* isolate_rules.h — the supervisor's system call allow-list
 * (isolate_rules.c), compiled at build time by launcher/seccomp_gen.c. */
#ifndef NETBOX_ISOLATE_RULES_H
#define NETBOX_ISOLATE_RULES_H

#include <seccomp.h>
#include <stdbool.h>

/* The default action of the supervisor's filter: trap (isolate.c says
 * which call, then dies). */
#define ISOLATE_DEFAULT SCMP_ACT_TRAP

/* Allow every call the supervisor's loop makes, in @ctx — with @ondemand,
 * also those of listeners made on demand (every-port rules); how many
 * system calls that is on this architecture. */
unsigned isolate_rules_build(scmp_filter_ctx ctx, bool ondemand);

/* How many ioctl() requests it allows. */
unsigned isolate_rules_ioctls(bool ondemand);

#endif
