/* test_dnscodec.h — what the three files of dnscodec's unit tests share:
 * captured glibc queries, the packet builder and the parse helpers
 * (defined in test_dnscodec.c), and the tests that test_dnscodec_query.c
 * and test_dnscodec_ptr.c give main().
 */
#ifndef NETBOX_TEST_DNSCODEC_H
#define NETBOX_TEST_DNSCODEC_H

#include "dns/dnscodec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Captured from glibc 2.36 (Debian 12). */
#define GLIBC_EDNS_A \
	"23c401200001000000000001076578616d706c6503636f6d000001000100002904b0000000000000"
#define GLIBC_EDNS_AAAA \
	"73c801200001000000000001076578616d706c6503636f6d00001c000100002904b0000000000000"
#define GLIBC_EDNS_MIXED_A \
	"ab4b01200001000000000001074578416d506c4503436f4d000001000100002904b0000000000000"
#define GLIBC_PLAIN_A \
	"56ba0100000100000000000003777777076578616d706c65036f72670000010001"

/* A packet builder. */
struct pb {
	uint8_t b[8192];
	size_t n;
};

/* A heap copy of exactly n bytes, freed at the end of main(). */
uint8_t *exact(const void *p, size_t n);
/* Hex digits to bytes; the number of bytes. */
size_t unhex(const char *hex, uint8_t *out, size_t outlen);

void pb_u8(struct pb *p, unsigned int v);
void pb_u16(struct pb *p, unsigned int v);
void pb_u32(struct pb *p, uint32_t v);
void pb_raw(struct pb *p, const void *d, size_t n);
/* "www.example.com" -> labels and the root; "" -> the root alone. */
void pb_name(struct pb *p, const char *dotted);
/* Start a packet: the header. */
void pb_hdr(struct pb *p, unsigned int id, unsigned int flags,
	    unsigned int qd, unsigned int an, unsigned int ns,
	    unsigned int ar);
void pb_q(struct pb *p, const char *name, unsigned int type);
void pb_opt(struct pb *p, unsigned int udp, uint32_t ttl,
	    const void *rdata, size_t rdlen);
/* dns_parse_query() on a heap copy of the packet built, of hex digits. */
int parse(const struct pb *p, struct dns_query *q);
int parse_hex(const char *hex, struct dns_query *q, const uint8_t **pkt,
	      size_t *len);
/* Fill a query built by hand with one question and an optional OPT. */
void simple_query(struct pb *p, const char *name, unsigned int type,
		  bool edns);

/* test_dnscodec_query.c */
void test_glibc_queries(void);
void test_names(void);
void test_badname(void);
void test_edns(void);
void test_header_errors(void);
void test_truncated(void);
void test_pointers(void);

/* test_dnscodec_ptr.c */
void test_ptr_names(void);
void test_ptr_reply(void);

#endif
