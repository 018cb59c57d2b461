/* discard.h — what the program left in throw-away places (discard.c). */
#ifndef NETBOX_DISCARD_H
#define NETBOX_DISCARD_H

struct config;

/* In the sandbox init, once the mount tree is built: hand netbox a
 * descriptor of each throw-away tmpfs over @chan, and close it. */
void discard_send(const struct config *cfg, int chan);

/* In netbox, after the sandbox is gone: say what is left in them. */
void discard_report(const struct config *cfg, int chan);

#endif
