/* fakenet.h — the network the fake addresses come from (RFC 2544
 * benchmarking space): the resolver hands them out (dns/fakeip.c), the
 * sandbox init gives lo the network's own address (launcher/init.c). */
#ifndef NETBOX_FAKENET_H
#define NETBOX_FAKENET_H

#define FAKEIP_NET 0xc6120000u /* 198.18.0.0, host order */
#define FAKEIP_PREFIX 15

#endif
