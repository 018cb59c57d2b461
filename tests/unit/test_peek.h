/* test_peek.h — what the two files of peek's unit tests share: captured
 * ClientHellos (test_peek_tls.c) that the detection and HTTP tests
 * (test_peek.c) feed too, and the TLS half's entry point. */
#ifndef NETBOX_TEST_PEEK_H
#define NETBOX_TEST_PEEK_H

#include <stddef.h>
#include <stdint.h>

extern const uint8_t hello_curl[];    /* curl 7.88.1, SNI google.com */
extern const size_t hello_curl_len;
extern const uint8_t hello_tls10[];   /* a TLS 1.0 ClientHello */
extern const size_t hello_tls10_len;

/* A pointer, not an array, for is_str() (which tests for NULL). */
static inline const char *str(const char *p)
{
	return p;
}

void test_peek_tls(void);

#endif
