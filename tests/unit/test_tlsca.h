/* test_tlsca.h — what the two files of the per-run CA's unit tests share:
 * test_tlsca.c (openssl's own checks, handshakes over a socketpair) and
 * test_tlsca_clients.c (curl, python, node, openssl s_client). */
#ifndef NETBOX_TEST_TLSCA_H
#define NETBOX_TEST_TLSCA_H

#include "netproxy/tlsca.h"

/* The certificate in @pem, or NULL. */
X509 *test_tlsca_parse_pem(const char *pem);

void test_tlsca_clients(struct tlsca *ca);

#endif
