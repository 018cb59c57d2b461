/* peek_internal.h — what the three files of the peek parsers share, and
 * nothing else includes: peek.c (protocol detection and the host-name
 * checks below), peek_tls.c (the ClientHello), peek_http.c (the HTTP/1.x
 * request head).  The API is peek.h.
 */
#ifndef NETBOX_PEEK_INTERNAL_H
#define NETBOX_PEEK_INTERNAL_H

#include "netproxy/peek.h"

/* The record type of a TLS handshake record: peek_detect() calls it TLS,
 * peek_tls.c reads it. */
#define TLS_CT_HANDSHAKE	22

static inline size_t peek_min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Is s[0..n) a host name we act on: 1..253 bytes once one trailing dot is
 * dropped, labels of 1..63 bytes of [A-Za-z0-9_-]?  *@outlen is its length
 * without the trailing dot. */
bool peek_name_check(const uint8_t *s, size_t n, size_t *outlen);

/* Copy s[0..n), lowercased, NUL-terminated, into dst[dstlen]; false if it
 * does not fit. */
bool peek_put_lower(char *dst, size_t dstlen, const uint8_t *s, size_t n);

/* Empty @host (if @hostlen > 0): what every result but PEEK_FOUND leaves. */
void peek_clear_host(char *host, size_t hostlen);

/* Is s[0..n) exactly the string @lit? */
bool peek_bytes_eq(const uint8_t *s, size_t n, const char *lit);

/* tchar, RFC 9110 5.6.2: a byte of a method or a field name. */
bool peek_is_tchar(uint8_t ch);

#endif
