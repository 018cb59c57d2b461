/* cabundle.h — the run's CA and the bundle the sandbox trusts, made in the
 * supervisor for a run that inspects (cabundle.c). */
#ifndef NETBOX_CABUNDLE_H
#define NETBOX_CABUNDLE_H

struct tlsca;

/* Once the sandbox init is forked, before isolate_supervisor(): make the
 * run's CA (dies if openssl cannot) and send the init the bundle (the
 * host's CAs and the CA) over @chan (CHANNEL_TRUST).  The CA is the
 * caller's, for the proxy; tlsca_free() it at the end. */
struct tlsca *cabundle_send(int chan);

#endif
