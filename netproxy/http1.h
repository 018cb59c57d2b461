/* http1.h — the HTTP/1.1 syntax the two parsers of inspection share: the
 * request parser (httpreq.c, httpreq_field.c) and the response parser
 * (httpresp.c).  Byte classes (RFC 9110 5.6.2, 5.5), list elements (RFC
 * 9110 5.6.1) and decimal lengths; pure and header-only, for the
 * supervisor's loop, the unit tests and the fuzzers alike.
 */
#ifndef NETBOX_HTTP1_H
#define NETBOX_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* tchar: a byte of a method or a field name. */
static inline bool http1_is_tchar(uint8_t c)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr(extra, c) != NULL);
}

/* A byte a field value, a reason phrase, a chunk extension may hold:
 * VCHAR, SP, HTAB, obs-text. */
static inline bool http1_is_text(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static inline bool http1_is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static inline bool http1_hex(uint8_t c, unsigned *v)
{
	if (c >= '0' && c <= '9')
		*v = c - '0';
	else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		*v = (c | 0x20) - 'a' + 10;
	else
		return false;
	return true;
}

/* s[0..n) is @lit, ASCII case aside. */
static inline bool http1_caseeq(const void *s, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp((const char *)s, lit, n) == 0;
}

/* The element of the list v[*i..n) at *@i, trimmed, in @e/@elen, and *@i
 * past it; false past the last.  Empty elements come too. */
static inline bool http1_list_next(const uint8_t *v, size_t n, size_t *i, const uint8_t **e,
				   size_t *elen)
{
	size_t s = *i, end = *i;

	if (*i > n)
		return false;
	while (end < n && v[end] != ',')
		end++;
	*i = end + 1;
	while (s < end && http1_is_ows(v[s]))
		s++;
	while (end > s && http1_is_ows(v[end - 1]))
		end--;
	*e = v + s;
	*elen = end - s;
	return true;
}

/* 1*DIGIT, at most @max, into *@out: 0, -1 when not (only) digits, -2 when
 * over @max. */
static inline int http1_decimal(const uint8_t *v, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t val = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = v[i] - '0';

		if (val > (max - d) / 10)
			return -2;
		val = val * 10 + d;
	}
	*out = val;
	return 0;
}

#endif
