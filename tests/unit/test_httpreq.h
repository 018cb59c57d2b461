/* test_httpreq.h — what the two files of the per-request HTTP parser's
 * unit tests share: test_httpreq.c (heads, framing, pipelining, splits)
 * and test_httpreq_refuse.c (every refusal, the limits). */
#ifndef NETBOX_TEST_HTTPREQ_H
#define NETBOX_TEST_HTTPREQ_H

#include "netproxy/httpreq.h"

#include <stddef.h>

/* What feeding in[0..len) cut at cuts[0..ncuts) (ascending) gives, as one
 * line of text: each head ("HEAD GET /x path=/x query=- host=a.test:0 1.1
 * none ka ..."), body bytes ("B12"), "END", and an error with the offset of
 * its byte ("ERR bare-cr@17").  Consecutive body bytes are added up, so
 * every split of the same bytes gives the same text. */
void transcript_cuts(const char *in, size_t len, const size_t *cuts, size_t ncuts, char *out,
		     size_t outlen);
/* Cut every @step bytes (0: one piece). */
void transcript(const char *in, size_t len, size_t step, char *out, size_t outlen);

/* The error of feeding in[0..len) at once and byte by byte, if both agree
 * (with the same offset), else HTTPREQ_E_COUNT; *@at is the offset. */
enum httpreq_error refusal(const char *in, size_t len, size_t *at);

void test_httpreq_refuse(void);

#endif
