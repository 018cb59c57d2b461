/* test_peek_tls.c — the TLS half of the unit tests for netproxy/peek.c:
 * ClientHellos captured from real clients (curl, openssl s_client, node,
 * python), re-fragmented, with extensions added or dropped, truncated, and
 * written out by hand; test_peek.c runs them (test_peek_tls()).  The same
 * bytes seed fuzz/corpus/tls_sni.
 */
#include "netproxy/peek.h"
#include "tap.h"
#include "test_peek.h"

#include <stdint.h>
#include <string.h>

/* curl 7.88.1 (OpenSSL 3.0): curl -k https://google.com:PORT --resolve google.com:PORT:127.0.0.1 */
const uint8_t hello_curl[] = {
	0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x48,
	0xcf, 0xf9, 0xae, 0x0d, 0xfd, 0xca, 0x02, 0xab, 0x97, 0x09, 0x1b, 0x59,
	0xbd, 0x29, 0x4c, 0x67, 0x1e, 0x77, 0x36, 0x43, 0xd2, 0x8e, 0x99, 0xd5,
	0xef, 0xb0, 0x28, 0x71, 0x44, 0xa1, 0x01, 0x20, 0x87, 0x68, 0xff, 0x41,
	0xa1, 0xc0, 0x38, 0xb7, 0x7f, 0x5b, 0x86, 0xd0, 0x6c, 0x62, 0x6f, 0xc8,
	0xe9, 0x22, 0xba, 0x9b, 0x98, 0x7d, 0xbd, 0x70, 0x4b, 0xaf, 0x81, 0x45,
	0xb4, 0xe9, 0x00, 0x65, 0x00, 0x3e, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01,
	0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
	0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b,
	0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39,
	0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d,
	0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x01, 0x75,
	0x00, 0x00, 0x00, 0x0f, 0x00, 0x0d, 0x00, 0x00, 0x0a, 0x67, 0x6f, 0x6f,
	0x67, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x0b, 0x00, 0x04, 0x03,
	0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16, 0x00, 0x14, 0x00, 0x1d, 0x00,
	0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01, 0x01, 0x01,
	0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02,
	0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00,
	0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x31, 0x00, 0x00, 0x00,
	0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08,
	0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08,
	0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03,
	0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00,
	0x09, 0x08, 0x03, 0x04, 0x03, 0x03, 0x03, 0x02, 0x03, 0x01, 0x00, 0x2d,
	0x00, 0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d,
	0x00, 0x20, 0x00, 0x97, 0xbe, 0xd8, 0x6d, 0x66, 0xdc, 0x27, 0x9e, 0x9e,
	0xac, 0xbe, 0xc0, 0x86, 0x50, 0x11, 0x02, 0xf0, 0x99, 0xe5, 0xb5, 0x70,
	0x16, 0x6b, 0x66, 0xef, 0x94, 0x48, 0x0a, 0x62, 0xe9, 0x10, 0x00, 0x15,
	0x00, 0xb3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,
};

/* node 20: tls.connect({host: '127.0.0.1', servername: 'Node.Example.COM'}) */
static const uint8_t hello_node[] = {
	0x16, 0x03, 0x01, 0x01, 0x71, 0x01, 0x00, 0x01, 0x6d, 0x03, 0x03, 0xce,
	0x1a, 0x6f, 0x50, 0xd3, 0x63, 0x6c, 0x82, 0x44, 0x65, 0x44, 0x40, 0x1c,
	0xad, 0xf2, 0x6e, 0x2d, 0x48, 0x70, 0x72, 0xe4, 0x9b, 0x2a, 0x29, 0x0d,
	0x41, 0xad, 0x50, 0x84, 0x26, 0xc4, 0xb6, 0x20, 0x2a, 0xb8, 0x8e, 0x27,
	0x07, 0xd3, 0xc6, 0xb0, 0x0a, 0xd3, 0xf1, 0xb7, 0x00, 0x9b, 0x39, 0x63,
	0xdd, 0x8c, 0xa7, 0xc5, 0x3c, 0x47, 0xf1, 0xab, 0x23, 0x4d, 0xf9, 0x53,
	0xf3, 0xc2, 0x93, 0x75, 0x00, 0x76, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01,
	0xc0, 0x2f, 0xc0, 0x2b, 0xc0, 0x30, 0xc0, 0x2c, 0x00, 0x9e, 0xc0, 0x27,
	0x00, 0x67, 0xc0, 0x28, 0x00, 0x6b, 0x00, 0xa3, 0x00, 0x9f, 0xcc, 0xa9,
	0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0xaf, 0xc0, 0xad, 0xc0, 0xa3, 0xc0, 0x9f,
	0xc0, 0x5d, 0xc0, 0x61, 0xc0, 0x57, 0xc0, 0x53, 0x00, 0xa2, 0xc0, 0xae,
	0xc0, 0xac, 0xc0, 0xa2, 0xc0, 0x9e, 0xc0, 0x5c, 0xc0, 0x60, 0xc0, 0x56,
	0xc0, 0x52, 0xc0, 0x24, 0x00, 0x6a, 0xc0, 0x23, 0x00, 0x40, 0xc0, 0x0a,
	0xc0, 0x14, 0x00, 0x39, 0x00, 0x38, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33,
	0x00, 0x32, 0x00, 0x9d, 0xc0, 0xa1, 0xc0, 0x9d, 0xc0, 0x51, 0x00, 0x9c,
	0xc0, 0xa0, 0xc0, 0x9c, 0xc0, 0x50, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35,
	0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0xae, 0x00, 0x00, 0x00, 0x15,
	0x00, 0x13, 0x00, 0x00, 0x10, 0x4e, 0x6f, 0x64, 0x65, 0x2e, 0x45, 0x78,
	0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x43, 0x4f, 0x4d, 0x00, 0x0b, 0x00,
	0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16, 0x00, 0x14, 0x00,
	0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01,
	0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23, 0x00, 0x00, 0x00,
	0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00,
	0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08,
	0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04,
	0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04,
	0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04,
	0x03, 0x03, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26,
	0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0x81, 0x04, 0x1c, 0xe7, 0x10, 0x65,
	0x83, 0xdf, 0x90, 0xa2, 0xd8, 0x1e, 0x5b, 0x21, 0x7c, 0x18, 0x6f, 0x06,
	0x23, 0x6d, 0xf3, 0x71, 0xd7, 0x3e, 0x34, 0x03, 0x7f, 0xac, 0xd7, 0xdb,
	0x03, 0x5b,
};

/* openssl s_client -connect 127.0.0.1:PORT -noservername */
static const uint8_t hello_nosni[] = {
	0x16, 0x03, 0x01, 0x01, 0x24, 0x01, 0x00, 0x01, 0x20, 0x03, 0x03, 0xc3,
	0x7c, 0x34, 0xd3, 0x07, 0x04, 0xa0, 0x2f, 0xd1, 0x75, 0x37, 0xbc, 0x5b,
	0x03, 0x52, 0xd9, 0xb3, 0x59, 0x58, 0x8a, 0xe9, 0x8c, 0x84, 0x81, 0x84,
	0xd1, 0xfe, 0x9f, 0xad, 0x34, 0x8e, 0x93, 0x20, 0x79, 0xb8, 0x20, 0xbe,
	0x2e, 0xcf, 0x9f, 0x10, 0x58, 0xa8, 0x9d, 0xe8, 0x4f, 0x3b, 0x50, 0x1f,
	0x03, 0x4e, 0x1d, 0x29, 0xef, 0x26, 0x2c, 0x48, 0x4c, 0xfc, 0xb8, 0x99,
	0x08, 0x8a, 0xdd, 0xb3, 0x00, 0x3e, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01,
	0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
	0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b,
	0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39,
	0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d,
	0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0x99,
	0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16,
	0x00, 0x14, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18,
	0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23,
	0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d,
	0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07,
	0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05,
	0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01,
	0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x09,
	0x08, 0x03, 0x04, 0x03, 0x03, 0x03, 0x02, 0x03, 0x01, 0x00, 0x2d, 0x00,
	0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00,
	0x20, 0x8c, 0xd2, 0x0e, 0x0b, 0xf0, 0x96, 0xaa, 0xdc, 0xa8, 0x77, 0x43,
	0x8d, 0x11, 0xec, 0x5b, 0xa5, 0xeb, 0x12, 0x28, 0xc9, 0x07, 0x49, 0x21,
	0xf9, 0x17, 0x6d, 0x1c, 0xa1, 0xf3, 0x2a, 0xfc, 0x74,
};

/* openssl s_client -tls1 -servername legacy.test: TLS 1.0, record version 3.1 */
const uint8_t hello_tls10[] = {
	0x16, 0x03, 0x01, 0x00, 0x77, 0x01, 0x00, 0x00, 0x73, 0x03, 0x01, 0x5d,
	0x83, 0xbc, 0x19, 0x67, 0x15, 0x19, 0x6a, 0x93, 0x12, 0xbe, 0x3c, 0xd7,
	0x91, 0xe3, 0x5a, 0x0c, 0x88, 0x43, 0xfa, 0xa2, 0x80, 0x60, 0x90, 0x5a,
	0xef, 0x71, 0x05, 0xe8, 0x8d, 0x53, 0x7c, 0x00, 0x00, 0x12, 0xc0, 0x0a,
	0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x35,
	0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x10,
	0x00, 0x0e, 0x00, 0x00, 0x0b, 0x6c, 0x65, 0x67, 0x61, 0x63, 0x79, 0x2e,
	0x74, 0x65, 0x73, 0x74, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02,
	0x00, 0x0a, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e,
	0x00, 0x19, 0x00, 0x18, 0x00, 0x23, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00,
	0x00, 0x17, 0x00, 0x00,
};
const size_t hello_curl_len = sizeof(hello_curl);
const size_t hello_tls10_len = sizeof(hello_tls10);

static uint8_t big[2 * PEEK_TLS_MAX + 4096];
static uint8_t big2[2 * PEEK_TLS_MAX + 4096];

/* ---- TLS helpers ---------------------------------------------------------- */

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put24(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

/* Wrap the handshake bytes hs[0..n) in records of at most @k bytes. */
static size_t records(const uint8_t *hs, size_t n, size_t k, uint8_t *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += k) {
		size_t f = n - i < k ? n - i : k;

		out[o] = 22;
		out[o + 1] = 3;
		out[o + 2] = 1;
		put16(out + o + 3, f);
		memcpy(out + o + 5, hs + i, f);
		o += 5 + f;
	}
	return o;
}

/* Offset, in the handshake message of the one-record hello @in, of the
 * extensions length. */
static size_t ext_offset(const uint8_t *in)
{
	const uint8_t *hs = in + 5;
	size_t p = 4 + 2 + 32;

	p += 1 + hs[p];
	p += 2 + ((size_t)hs[p] << 8 | hs[p + 1]);
	p += 1 + hs[p];
	return p;
}

/* The number of extensions in the one-record hello @in. */
static size_t count_exts(const uint8_t *in)
{
	const uint8_t *src = in + 5;
	size_t p = ext_offset(in), end = p + 2 + ((size_t)src[p] << 8 | src[p + 1]), n = 0;

	for (size_t q = p + 2; q < end; q += 4 + ((size_t)src[q + 2] << 8 | src[q + 3]))
		n++;
	return n;
}

/* The one-record hello @in with extensions of type @drop removed and the
 * whole extensions extra[0..extralen) appended, its lengths fixed, as the
 * handshake message in hs[]; returns its length. */
static size_t rebuild_hs(const uint8_t *in, int drop, const uint8_t *extra, size_t extralen, uint8_t *hs)
{
	const uint8_t *src = in + 5;
	size_t p = ext_offset(in), end = p + 2 + ((size_t)src[p] << 8 | src[p + 1]);
	size_t o = p + 2;

	memcpy(hs, src, p);
	for (size_t q = p + 2; q < end;) {
		int type = src[q] << 8 | src[q + 1];
		size_t len = 4 + ((size_t)src[q + 2] << 8 | src[q + 3]);

		if (type != drop) {
			memcpy(hs + o, src + q, len);
			o += len;
		}
		q += len;
	}
	if (extralen)
		memcpy(hs + o, extra, extralen);
	o += extralen;
	put16(hs + p, o - p - 2);
	put24(hs + 1, o - 4);
	return o;
}

/* As rebuild_hs(), in one record (or more if over 16 KiB) in out[]. */
static size_t rebuild(const uint8_t *in, int drop, const uint8_t *extra, size_t extralen, uint8_t *out)
{
	static uint8_t hs[2 * PEEK_TLS_MAX];
	size_t n = rebuild_hs(in, drop, extra, extralen, hs);

	return records(hs, n, 16384, out);
}

static enum peek_result sni(const uint8_t *b, size_t n, char *host, struct peek_tls_info *info)
{
	return peek_tls_sni_ex(b, n, host, PEEK_HOST_MAX, info);
}

/* Every strict prefix of b[0..n) is NEED_MORE. */
static int all_prefixes_need_more(const uint8_t *b, size_t n)
{
	char host[PEEK_HOST_MAX];

	for (size_t i = 0; i < n; i++)
		if (peek_tls_sni(b, i, host, sizeof(host)) != PEEK_NEED_MORE || host[0])
			return 0;
	return 1;
}

/* ---- TLS tests ------------------------------------------------------------ */

static void test_tls_real(void)
{
	static const struct {
		const char *what;
		const uint8_t *b;
		size_t n;
		enum peek_result want;
		const char *host;
	} t[] = {
		{ "curl", hello_curl, sizeof(hello_curl), PEEK_FOUND, "google.com" },
		{ "node (mixed case)", hello_node, sizeof(hello_node), PEEK_FOUND, "node.example.com" },
		{ "openssl -noservername", hello_nosni, sizeof(hello_nosni), PEEK_ABSENT, "" },
		{ "openssl -tls1", hello_tls10, sizeof(hello_tls10), PEEK_FOUND, "legacy.test" },
	};
	char host[PEEK_HOST_MAX];
	struct peek_tls_info info;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		info.ech = true;
		is_int(sni(t[i].b, t[i].n, host, &info), t[i].want, "%s: %s", t[i].what, peek_result_name(t[i].want));
		is_str(str(host), t[i].host, "%s: host", t[i].what);
		ok(!info.ech, "%s: no ECH", t[i].what);
		ok(all_prefixes_need_more(t[i].b, t[i].n), "%s: every prefix is NEED_MORE", t[i].what);
		/* Whatever follows the ClientHello does not matter. */
		memcpy(big, t[i].b, t[i].n);
		memset(big + t[i].n, 0xee, 100);
		is_int(sni(big, t[i].n + 100, host, NULL), t[i].want, "%s: trailing bytes ignored", t[i].what);
		is_str(str(host), t[i].host, "%s: host with trailing bytes", t[i].what);
	}
	is_int(peek_tls_sni(hello_curl, sizeof(hello_curl), host, sizeof(host)), PEEK_FOUND, "without info");
	/* The name needs 11 bytes with its NUL. */
	is_int(peek_tls_sni(hello_curl, sizeof(hello_curl), host, 11), PEEK_FOUND, "host buffer just big enough");
	is_int(peek_tls_sni(hello_curl, sizeof(hello_curl), host, 10), PEEK_INVALID, "host buffer too small");
	ok(host[0] == '\0', "host cleared when the buffer is too small");
	is_int(peek_tls_sni(hello_curl, sizeof(hello_curl), NULL, 0), PEEK_INVALID, "no host buffer");
}

static void test_tls_fragmented(void)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 64, 100, 255, 511, 512 };
	const uint8_t *hs = hello_curl + 5;
	size_t hslen = sizeof(hello_curl) - 5;
	char host[PEEK_HOST_MAX];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = records(hs, hslen, sizes[i], big);

		is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_FOUND, "records of %zu bytes: FOUND", sizes[i]);
		is_str(str(host), "google.com", "records of %zu bytes: host", sizes[i]);
		ok(all_prefixes_need_more(big, n), "records of %zu bytes: every prefix is NEED_MORE", sizes[i]);
	}

	/* Another record type in the middle of the ClientHello. */
	size_t n = records(hs, hslen, 100, big);

	big[105] = 20;		/* second record: change_cipher_spec */
	is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_INVALID, "change_cipher_spec between fragments");
	is_int(peek_tls_sni(big, 106, host, sizeof(host)), PEEK_INVALID, "... seen from its first byte");
	big[105] = 23;
	is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_INVALID, "application_data between fragments");
	big[105] = 22;
	big[106] = 2;
	is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_INVALID, "record version 2.x between fragments");
	big[106] = 3;
	big[108] = 0;
	big[109] = 0;
	is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_INVALID, "empty record between fragments");
	/* A record that claims more than the ClientHello: the hello is
	 * complete in it, so the rest need not arrive. */
	memcpy(big, hello_curl, sizeof(hello_curl));
	put16(big + 3, sizeof(hello_curl) - 5 + 100);
	is_int(peek_tls_sni(big, sizeof(hello_curl), host, sizeof(host)), PEEK_FOUND,
	       "record longer than the ClientHello");
}

static void test_tls_malformed(void)
{
	char host[PEEK_HOST_MAX];
	uint8_t b[sizeof(hello_curl)];
	size_t hslen = sizeof(hello_curl) - 5, p = ext_offset(hello_curl) + 5;

#define MUT(what, stmt, want)								\
	do {										\
		memcpy(b, hello_curl, sizeof(b));					\
		stmt;									\
		is_int(peek_tls_sni(b, sizeof(b), host, sizeof(host)), want, "%s", what);	\
		ok(want == PEEK_FOUND || host[0] == '\0', "%s: host empty", what);	\
	} while (0)

	MUT("intact", (void)0, PEEK_FOUND);
	MUT("alert record", b[0] = 21, PEEK_INVALID);
	MUT("application_data record", b[0] = 23, PEEK_INVALID);
	MUT("record version 2.0", b[1] = 2, PEEK_INVALID);
	MUT("record version 3.4 (accepted)", b[2] = 4, PEEK_FOUND);
	MUT("record of 16385 bytes", put16(b + 3, 16385), PEEK_INVALID);
	MUT("empty record", put16(b + 3, 0), PEEK_INVALID);
	MUT("ServerHello", b[5] = 2, PEEK_INVALID);
	MUT("ClientHello of 16 KiB + 1", put24(b + 6, 16384 - 4 + 1), PEEK_INVALID);
	MUT("ClientHello of 64 KiB", put24(b + 6, 65536), PEEK_INVALID);
	MUT("ClientHello shorter than its fields", (put24(b + 6, 40), put16(b + 3, 44)), PEEK_INVALID);
	MUT("client_version 2.0", b[9] = 2, PEEK_INVALID);
	MUT("session id of 33", b[5 + 4 + 2 + 32] = 33, PEEK_INVALID);
	MUT("session id overruns", b[5 + 4 + 2 + 32] = 255, PEEK_INVALID);
	MUT("extensions length + 1", put16(b + p, hslen - (p - 5) - 2 + 1), PEEK_INVALID);
	MUT("extensions length - 1", put16(b + p, hslen - (p - 5) - 2 - 1), PEEK_INVALID);
	MUT("extensions length 0xffff", put16(b + p, 0xffff), PEEK_INVALID);
	MUT("first extension overruns", put16(b + p + 4, 0xfff0), PEEK_INVALID);
	MUT("handshake length 0", (put24(b + 6, 0), put16(b + 3, 4)), PEEK_INVALID);

	/* Hand-made extension blocks on top of curl's ClientHello without its
	 * own server_name. */
	static const struct {
		const char *what;
		const char *ext;
		size_t n;
		enum peek_result want;
		const char *host;
	} t[] = {
#define E(s) s, sizeof(s) - 1
		{ "SNI a.test", E("\0\0\0\x0b\0\x09\0\0\x06" "a.test"), PEEK_FOUND, "a.test" },
		{ "SNI with trailing dot", E("\0\0\0\x0c\0\x0a\0\0\x07" "A.TEST."), PEEK_FOUND, "a.test" },
		{ "SNI two trailing dots", E("\0\0\0\x0d\0\x0b\0\0\x08" "a.test.."), PEEK_INVALID, NULL },
		{ "SNI empty name", E("\0\0\0\x05\0\x03\0\0\0"), PEEK_INVALID, NULL },
		{ "SNI empty list", E("\0\0\0\x02\0\0"), PEEK_INVALID, NULL },
		{ "SNI empty extension", E("\0\0\0\0"), PEEK_INVALID, NULL },
		{ "SNI name type 1", E("\0\0\0\x0b\0\x09\1\0\x06" "a.test"), PEEK_INVALID, NULL },
		{ "SNI two names", E("\0\0\0\x14\0\x12\0\0\x06" "a.test" "\0\0\x06" "b.test"), PEEK_INVALID, NULL },
		{ "SNI list length too long", E("\0\0\0\x0b\0\x0a\0\0\x06" "a.test"), PEEK_INVALID, NULL },
		{ "SNI list length too short", E("\0\0\0\x0b\0\x08\0\0\x06" "a.test"), PEEK_INVALID, NULL },
		{ "SNI name length overruns", E("\0\0\0\x0b\0\x09\0\0\x07" "a.test"), PEEK_INVALID, NULL },
		{ "SNI name with a space", E("\0\0\0\x0b\0\x09\0\0\x06" "a test"), PEEK_INVALID, NULL },
		{ "SNI name with a NUL", E("\0\0\0\x0b\0\x09\0\0\x06" "a\0test"), PEEK_INVALID, NULL },
		{ "SNI name with a slash", E("\0\0\0\x0b\0\x09\0\0\x06" "a/test"), PEEK_INVALID, NULL },
		{ "SNI name with a colon", E("\0\0\0\x0e\0\x0c\0\0\x09" "a.test:80"), PEEK_INVALID, NULL },
		{ "SNI empty label", E("\0\0\0\x0c\0\x0a\0\0\x07" "a..test"), PEEK_INVALID, NULL },
		{ "SNI IPv4 literal (a name as far as syntax goes)", E("\0\0\0\x0c\0\x0a\0\0\x07" "1.2.3.4"),
		  PEEK_FOUND, "1.2.3.4" },
		{ "SNI then ECH", E("\0\0\0\x0b\0\x09\0\0\x06" "a.test" "\xfe\x0d\0\x01\0"), PEEK_FOUND, "a.test" },
		{ "two SNI", E("\0\0\0\x0b\0\x09\0\0\x06" "a.test" "\0\0\0\x0b\0\x09\0\0\x06" "b.test"),
		  PEEK_INVALID, NULL },
		{ "two equal SNI", E("\0\0\0\x0b\0\x09\0\0\x06" "a.test" "\0\0\0\x0b\0\x09\0\0\x06" "a.test"),
		  PEEK_INVALID, NULL },
		{ "duplicate supported_groups", E("\0\x0a\0\x04\0\x02\0\x1d" "\0\0\0\x0b\0\x09\0\0\x06" "a.test"),
		  PEEK_INVALID, NULL },
		{ "no SNI", E(""), PEEK_ABSENT, NULL },
		{ "no SNI, ECH", E("\xfe\x0d\0\x01\0"), PEEK_ABSENT, NULL },
		{ "truncated extension header", E("\0\0\0"), PEEK_INVALID, NULL },
#undef E
	};
	struct peek_tls_info info;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = rebuild(hello_curl, 0, (const uint8_t *)t[i].ext, t[i].n, big);

		is_int(sni(big, n, host, &info), t[i].want, "%s: %s", t[i].what, peek_result_name(t[i].want));
		is_str(str(host), t[i].host ? t[i].host : "", "%s: host", t[i].what);
		is_int(info.ech, strstr(t[i].what, "ECH") != NULL, "%s: ech flag", t[i].what);
	}

	/* The real ClientHello with its SNI kept and one more extension. */
	static const uint8_t ech[] = { 0xfe, 0x0d, 0x00, 0x03, 0x00, 0x00, 0x01 };
	size_t n = rebuild(hello_curl, -1, ech, sizeof(ech), big);

	is_int(sni(big, n, host, &info), PEEK_FOUND, "curl + ECH: FOUND");
	is_str(str(host), "google.com", "curl + ECH: the outer (public) name");
	ok(info.ech, "curl + ECH: ech flag");
	n = rebuild(hello_node, -1, ech, sizeof(ech), big);
	ok(sni(big, n, host, &info) == PEEK_FOUND && info.ech, "node + ECH");
	n = rebuild(hello_curl, -1, (const uint8_t *)"\0\x17\0\0", 4, big);
	is_int(sni(big, n, host, &info), PEEK_INVALID, "curl + second extended_master_secret");
	n = rebuild(hello_curl, 0x0000, NULL, 0, big);
	is_int(sni(big, n, host, &info), PEEK_ABSENT, "curl without its SNI: ABSENT");
	ok(all_prefixes_need_more(big, n), "curl without its SNI: every prefix is NEED_MORE");

	/* A ClientHello with no extensions block at all (SSL 3.0 style). */
	size_t hs = rebuild_hs(hello_curl, -1, NULL, 0, big2);
	size_t off = ext_offset(hello_curl);

	hs = off;	/* cut the extensions length off */
	put24(big2 + 1, hs - 4);
	n = records(big2, hs, 16384, big);
	is_int(sni(big, n, host, NULL), PEEK_ABSENT, "no extensions block: ABSENT");
	put24(big2 + 1, hs - 4 + 1);
	big2[hs] = 0;
	n = records(big2, hs + 1, 16384, big);
	is_int(sni(big, n, host, NULL), PEEK_INVALID, "one byte of extensions length");

	/* Cipher suites and compression methods. */
	size_t cs = 5 + 4 + 2 + 32 + 1 + hello_curl[5 + 4 + 2 + 32];

	MUT("cipher suites odd length", (put16(b + cs, 1)), PEEK_INVALID);
	MUT("cipher suites empty", (put16(b + cs, 0)), PEEK_INVALID);
	MUT("cipher suites overrun", (put16(b + cs, 0xfffe)), PEEK_INVALID);
	size_t cm = cs + 2 + ((size_t)hello_curl[cs] << 8 | hello_curl[cs + 1]);
	MUT("compression methods empty", (b[cm] = 0), PEEK_INVALID);
	MUT("compression methods overrun", (b[cm] = 255), PEEK_INVALID);
#undef MUT
}

static void test_tls_bounds(void)
{
	static uint8_t ext[PEEK_TLS_MAX];
	char host[PEEK_HOST_MAX];
	size_t base, n, pad;

	/* Padding (type 21) so that the handshake message is exactly N bytes. */
	base = rebuild_hs(hello_curl, 21, NULL, 0, big2);
	pad = PEEK_TLS_HELLO_MAX - base - 4;
	memset(ext, 0, sizeof(ext));
	ext[1] = 21;
	put16(ext + 2, pad);
	n = rebuild(hello_curl, 21, ext, 4 + pad, big);
	is_int(n, PEEK_TLS_HELLO_MAX + 5, "a 16 KiB ClientHello fills one record");
	is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_FOUND, "16 KiB ClientHello: FOUND");
	is_int(peek_tls_sni(big, n - 1, host, sizeof(host)), PEEK_NEED_MORE, "16 KiB ClientHello less a byte");

	/* In 1000-byte records: 17 record headers, within PEEK_TLS_MAX. */
	n = rebuild_hs(hello_curl, 21, ext, 4 + pad, big2);
	n = records(big2, n, 1000, big);
	ok(n <= PEEK_TLS_MAX, "16 KiB in 1000-byte records fits PEEK_TLS_MAX");
	is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_FOUND, "16 KiB in 1000-byte records: FOUND");

	/* In 100-byte records it needs more than PEEK_TLS_MAX bytes. */
	n = rebuild_hs(hello_curl, 21, ext, 4 + pad, big2);
	n = records(big2, n, 100, big);
	ok(n > PEEK_TLS_MAX, "16 KiB in 100-byte records exceeds PEEK_TLS_MAX");
	is_int(peek_tls_sni(big, PEEK_TLS_MAX - 1, host, sizeof(host)), PEEK_NEED_MORE, "... NEED_MORE below the bound");
	is_int(peek_tls_sni(big, PEEK_TLS_MAX, host, sizeof(host)), PEEK_INVALID, "... INVALID at the bound");
	is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_INVALID, "... INVALID when all of it is there");

	/* One byte more than 16 KiB, in two records. */
	put16(ext + 2, pad + 1);
	n = rebuild_hs(hello_curl, 21, ext, 4 + pad + 1, big2);
	is_int(n, PEEK_TLS_HELLO_MAX + 1, "16 KiB + 1 handshake message");
	n = records(big2, n, 16384, big);
	is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_INVALID, "16 KiB + 1: INVALID");
	is_int(peek_tls_sni(big, 9, host, sizeof(host)), PEEK_INVALID, "16 KiB + 1: INVALID from its length alone");

	/* 128 extensions are fine, 129 are not. */
	{
		size_t own = count_exts(hello_curl), o = 0;

		for (size_t i = own; i < 128; i++) {
			put16(ext + o, 0x1000 + i);
			put16(ext + o + 2, 0);
			o += 4;
		}
		n = rebuild(hello_curl, -1, ext, o, big);
		is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_FOUND, "128 extensions (%zu of curl's)", own);
		put16(ext + o, 0x2000);
		put16(ext + o + 2, 0);
		n = rebuild(hello_curl, -1, ext, o + 4, big);
		is_int(peek_tls_sni(big, n, host, sizeof(host)), PEEK_INVALID, "129 extensions");
	}

	/* SSLv2-compatible hello and garbage. */
	static const uint8_t v2[] = { 0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10 };
	is_int(peek_tls_sni(v2, sizeof(v2), host, sizeof(host)), PEEK_INVALID, "SSLv2 hello");
	is_int(peek_tls_sni((const uint8_t *)"GET / HTTP/1.1\r\n", 16, host, sizeof(host)), PEEK_INVALID, "HTTP");
	is_int(peek_tls_sni((const uint8_t *)"", 0, host, sizeof(host)), PEEK_NEED_MORE, "nothing yet");
	is_int(peek_tls_sni((const uint8_t *)"\x16\x03\x01\x41", 4, host, sizeof(host)), PEEK_INVALID,
	       "record length > 16 KiB from its first byte");
	is_int(peek_tls_sni((const uint8_t *)"\x16\x03\x01\x40", 4, host, sizeof(host)), PEEK_NEED_MORE,
	       "record length 0x40?? not decided yet");
	memset(big, 0, PEEK_TLS_MAX + 10);
	is_int(peek_tls_sni(big, PEEK_TLS_MAX + 10, host, sizeof(host)), PEEK_INVALID, "zeros");
}

static void test_tls_long_names(void)
{
	static uint8_t ext[600];
	char host[PEEK_HOST_MAX], name[300];
	struct {
		size_t len;
		bool dot;
		enum peek_result want;
	} t[] = {
		{ 253, false, PEEK_FOUND },
		{ 253, true, PEEK_FOUND },
		{ 254, false, PEEK_INVALID },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = t[i].len, o;

		/* labels of 63: "aaa...a.bbb...b..." */
		for (size_t j = 0; j < n; j++)
			name[j] = (char)((j + 1) % 64 == 0 ? '.' : 'A' + (char)(j / 64));
		if (name[n - 1] == '.')
			name[n - 1] = 'z';
		if (t[i].dot)
			name[n++] = '.';
		put16(ext, 0);
		put16(ext + 2, n + 5);
		put16(ext + 4, n + 3);
		ext[6] = 0;
		put16(ext + 7, n);
		memcpy(ext + 9, name, n);
		o = rebuild(hello_curl, 0, ext, 9 + n, big);
		is_int(peek_tls_sni(big, o, host, sizeof(host)), t[i].want, "name of %zu%s", t[i].len,
		       t[i].dot ? " + dot" : "");
		if (t[i].want == PEEK_FOUND)
			ok(strlen(host) == t[i].len && host[0] == 'a', "name of %zu: lowercased, dot dropped",
			   t[i].len);
	}
	/* A 64-byte label. */
	memset(name, 'x', 64);
	memcpy(name + 64, ".test", 5);
	put16(ext, 0);
	put16(ext + 2, 69 + 5);
	put16(ext + 4, 69 + 3);
	ext[6] = 0;
	put16(ext + 7, 69);
	memcpy(ext + 9, name, 69);
	is_int(peek_tls_sni(big, rebuild(hello_curl, 0, ext, 9 + 69, big), host, sizeof(host)), PEEK_INVALID,
	       "label of 64");
	put16(ext + 2, 68 + 5);
	put16(ext + 4, 68 + 3);
	put16(ext + 7, 68);
	memcpy(ext + 9, name + 1, 68);
	is_int(peek_tls_sni(big, rebuild(hello_curl, 0, ext, 9 + 68, big), host, sizeof(host)), PEEK_FOUND,
	       "label of 63");
}

void test_peek_tls(void)
{
	test_tls_real();
	test_tls_fragmented();
	test_tls_malformed();
	test_tls_bounds();
	test_tls_long_names();
}
