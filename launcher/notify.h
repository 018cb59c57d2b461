/* notify.h — the program's system calls netbox is told of (notify.c): the
 * sandbox's half.  supervisor/notify.h is the supervisor's. */
#ifndef NETBOX_NOTIFY_H
#define NETBOX_NOTIFY_H

/* In the sandbox init, before forking the program: a socketpair over
 * which the program's process hands back its notification descriptor. */
void notify_init_prepare(int sp[2]);
/* In the program's process, no_new_privs set, just before the main filter:
 * install the notification filter for @calls (enum notify_calls,
 * config.h) and send its descriptor (or why there is none) over @sp.
 * Never fails the run. */
void notify_child_install(int sp, unsigned calls);
/* In the sandbox init, after the fork: pass what the program's process sent
 * on to netbox over @chan. */
void notify_init_forward(int sp, int chan);

#endif
