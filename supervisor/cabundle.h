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

#ifdef NETBOX_TEST_HOOKS
/* Tests only: a TLS handshake in memory between the proxy's side, with
 * @name's certificate, and a client that trusts @ca alone and checks
 * @name: what openssl calls at run time, under the supervisor's filter.
 * 0 or -errno. */
int cabundle_test_handshake(struct tlsca *ca, const char *name);
#endif

#endif
