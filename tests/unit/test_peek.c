/* test_peek.c — unit tests for netproxy/peek.c, the parsers that find the
 * host name in the first bytes of a sandboxed client's connection (TLS SNI,
 * HTTP Host; DESIGN.md "The network mechanism", point 5).
 *
 * The ClientHellos and requests below were captured on 127.0.0.1 from real
 * clients (curl, openssl s_client, node, python, git, wget); the same bytes
 * seed fuzz/corpus/tls_sni and fuzz/corpus/http_host.  Malformed variants are
 * derived from them (re-fragmented, extensions added or dropped) or written
 * out by hand.
 */
#include "netproxy/peek.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

/* curl 7.88.1 (OpenSSL 3.0): curl -k https://google.com:PORT --resolve google.com:PORT:127.0.0.1 */
static const uint8_t hello_curl[] = {
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
static const uint8_t hello_tls10[] = {
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

static uint8_t big[2 * PEEK_TLS_MAX + 4096];
static uint8_t big2[2 * PEEK_TLS_MAX + 4096];

struct http_case {
	const char *what;
	const char *req;
	enum peek_result want;
	const char *host;
	uint16_t port;
};

/* Real requests, byte for byte as captured. */
static const struct http_case http_real[] = {
	{ "curl", "GET /index.html HTTP/1.1\r\nHost: example.com:35859\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
	  PEEK_FOUND, "example.com", 35859 },
	{ "curl -0", "GET / HTTP/1.0\r\nHost: www.Example.ORG:25472\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
	  PEEK_FOUND, "www.example.org", 25472 },
	{ "curl CONNECT", "CONNECT tunnel.test:443 HTTP/1.1\r\nHost: tunnel.test:443\r\nUser-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n",
	  PEEK_FOUND, "tunnel.test", 443 },
	{ "curl POST", "POST /v1/items?x=1 HTTP/1.1\r\nHost: api.example.net:26767\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nX-Thing: v\r\nContent-Length: 7\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=2",
	  PEEK_FOUND, "api.example.net", 26767 },
	{ "curl -x (absolute-form)", "GET http://proxied.test/path HTTP/1.1\r\nHost: proxied.test\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nProxy-Connection: Keep-Alive\r\n\r\n",
	  PEEK_FOUND, "proxied.test", 0 },
	{ "curl -x IPv6", "GET http://[2001:DB8::1]:8080/v6 HTTP/1.1\r\nHost: [2001:DB8::1]:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nProxy-Connection: Keep-Alive\r\n\r\n",
	  PEEK_FOUND, "2001:db8::1", 8080 },
	{ "git", "GET /repo.git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: git.test:27269\r\nUser-Agent: git/2.39.5\r\nAccept: */*\r\nAccept-Encoding: deflate, gzip, br, zstd\r\nAccept-Language: C, *;q=0.9\r\nPragma: no-cache\r\nGit-Protocol: version=2\r\n\r\n",
	  PEEK_FOUND, "git.test", 27269 },
	{ "node", "GET /n HTTP/1.1\r\nHost: node.test:34251\r\nConnection: keep-alive\r\n\r\n",
	  PEEK_FOUND, "node.test", 34251 },
	{ "node, IP", "GET / HTTP/1.1\r\nHost: 127.0.0.1:27516\r\nConnection: keep-alive\r\n\r\n",
	  PEEK_FOUND, "127.0.0.1", 27516 },
	{ "python urllib", "GET /py HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: 127.0.0.1:26858\r\nUser-Agent: Python-urllib/3.11\r\nConnection: close\r\n\r\n",
	  PEEK_FOUND, "127.0.0.1", 26858 },
	{ "python http.client", "GET /x HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: python.test\r\n\r\n",
	  PEEK_FOUND, "python.test", 0 },
	{ "wget", "GET /w HTTP/1.1\r\nHost: 127.0.0.1:21925\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\nAccept-Encoding: identity\r\nConnection: Keep-Alive\r\n\r\n",
	  PEEK_FOUND, "127.0.0.1", 21925 },
};

#define R(req) "GET / HTTP/1.1\r\n" req "\r\n"

/* Hand-written edge cases: each a complete head (or a decided prefix). */
static const struct http_case http_cases[] = {
	/* Host syntax */
	{ "no space after colon", R("Host:a.test\r\n"), PEEK_FOUND, "a.test", 0 },
	{ "OWS trimmed", R("Host: \t a.test \t \r\n"), PEEK_FOUND, "a.test", 0 },
	{ "name case-insensitive", R("hOsT: A.Test\r\n"), PEEK_FOUND, "a.test", 0 },
	{ "trailing dot dropped", R("Host: A.Test.:8080\r\n"), PEEK_FOUND, "a.test", 8080 },
	{ "two trailing dots", R("Host: a.test..\r\n"), PEEK_INVALID, NULL, 0 },
	{ "leading dot", R("Host: .a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "lone dot", R("Host: .\r\n"), PEEK_INVALID, NULL, 0 },
	{ "underscore", R("Host: _srv.a-b.test\r\n"), PEEK_FOUND, "_srv.a-b.test", 0 },
	{ "port 65535", R("Host: a.test:65535\r\n"), PEEK_FOUND, "a.test", 65535 },
	{ "port 0", R("Host: a.test:0\r\n"), PEEK_INVALID, NULL, 0 },
	{ "port 65536", R("Host: a.test:65536\r\n"), PEEK_INVALID, NULL, 0 },
	{ "port 6 digits", R("Host: a.test:000080\r\n"), PEEK_INVALID, NULL, 0 },
	{ "empty port", R("Host: a.test:\r\n"), PEEK_INVALID, NULL, 0 },
	{ "port not digits", R("Host: a.test:8o\r\n"), PEEK_INVALID, NULL, 0 },
	{ "two ports", R("Host: a.test:80:80\r\n"), PEEK_INVALID, NULL, 0 },
	{ "empty Host", R("Host:\r\n"), PEEK_INVALID, NULL, 0 },
	{ "blank Host", R("Host:   \r\n"), PEEK_INVALID, NULL, 0 },
	{ "userinfo in Host", R("Host: user@a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "list in Host", R("Host: a.test, b.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "space in Host", R("Host: a.test b.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "percent in Host", R("Host: a%2etest\r\n"), PEEK_INVALID, NULL, 0 },
	{ "obs-text in Host", R("Host: \xc3\xa9.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "label of 64", R("Host: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test\r\n"),
	  PEEK_INVALID, NULL, 0 },
	{ "IPv6", R("Host: [::1]\r\n"), PEEK_FOUND, "::1", 0 },
	{ "IPv6 port", R("Host: [0:0:0:0:0:0:0:1]:80\r\n"), PEEK_FOUND, "::1", 80 },
	{ "IPv6 v4-mapped", R("Host: [::FFFF:10.0.0.1]\r\n"), PEEK_FOUND, "::ffff:10.0.0.1", 0 },
	{ "IPv6 unbracketed", R("Host: ::1\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 zone", R("Host: [fe80::1%25eth0]\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPvFuture", R("Host: [v1.x]\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 unclosed", R("Host: [::1\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 junk after", R("Host: [::1]x\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 bad", R("Host: [1::2::3]\r\n"), PEEK_INVALID, NULL, 0 },
	{ "IPv6 empty", R("Host: []\r\n"), PEEK_INVALID, NULL, 0 },
	/* one Host, and smuggling */
	{ "two Host", R("Host: a.test\r\nHost: b.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "two equal Host", R("Host: a.test\r\nhost: a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "space before colon", R("Host : a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "tab before colon", R("Host\t: a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "obs-fold of Host", R("Host: a.test\r\n b.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "obs-fold elsewhere", R("Host: a.test\r\nX-A: 1\r\n\t2\r\n"), PEEK_INVALID, NULL, 0 },
	{ "space before first header", "GET / HTTP/1.1\r\n Host: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "bare LF ends a header", "GET / HTTP/1.1\r\nX: 1\nHost: b.test\r\nHost: a.test\r\n\r\n",
	  PEEK_INVALID, NULL, 0 },
	{ "bare LF everywhere", "GET / HTTP/1.1\nHost: a.test\n\n", PEEK_INVALID, NULL, 0 },
	{ "bare LF at the end", "GET / HTTP/1.1\r\nHost: a.test\r\n\n", PEEK_INVALID, NULL, 0 },
	{ "bare CR", R("X: a\rHost: b.test\r\nHost: a.test\r\n"), PEEK_INVALID, NULL, 0 },
	{ "header name not a token", R("Host: a.test\r\nX(y): 1\r\n"), PEEK_INVALID, NULL, 0 },
	{ "header without colon", R("Host: a.test\r\nXY\r\n"), PEEK_INVALID, NULL, 0 },
	{ "empty header name", R("Host: a.test\r\n: 1\r\n"), PEEK_INVALID, NULL, 0 },
	{ "obs-text elsewhere", R("Host: a.test\r\nX-Name: caf\xc3\xa9\r\n"), PEEK_FOUND, "a.test", 0 },
	{ "HTAB in a value", R("Host: a.test\r\nX: a\tb\r\n"), PEEK_FOUND, "a.test", 0 },
	{ "X-Host ignored", R("X-Host: b.test\r\nHost: a.test\r\nX-Forwarded-Host: c.test\r\n"),
	  PEEK_FOUND, "a.test", 0 },
	{ "Hostname is not Host", R("Hostname: b.test\r\nHost: a.test\r\n"), PEEK_FOUND, "a.test", 0 },
	/* control characters */
	{ "NUL in a value", R("Host: a.test\r\nX: a\0b\r\n"), PEEK_INVALID, NULL, 0 },
	{ "NUL in Host", R("Host: a.test\0.evil\r\n"), PEEK_INVALID, NULL, 0 },
	{ "NUL in the target", "GET /\0 HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "DEL in a value", R("Host: a.test\r\nX: \x7f\r\n"), PEEK_INVALID, NULL, 0 },
	{ "ESC in a value", R("Host: a.test\r\nX: \x1b[31m\r\n"), PEEK_INVALID, NULL, 0 },
	{ "VT in Host", R("Host: a.test\x0b\r\n"), PEEK_INVALID, NULL, 0 },
	/* request line */
	{ "HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "HTTP/1.0 without Host", "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n", PEEK_ABSENT, NULL, 0 },
	{ "HTTP/1.0, no headers", "GET / HTTP/1.0\r\n\r\n", PEEK_ABSENT, NULL, 0 },
	{ "HTTP/1.2", "GET / HTTP/1.2\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "HTTP/2.0", "GET / HTTP/2.0\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "lowercase version", "GET / http/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "HTTP/0.9", "GET /\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "HTTP/0.9, absolute", "GET http://a.test/\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "two spaces", "GET  / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "space at the end", "GET / HTTP/1.1 \r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "tab separator", "GET\t/ HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "space in target", "GET /a b HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "obs-text in target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "empty line first", "\r\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "empty lines first", "\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: b.test\r\n\r\n", PEEK_FOUND, "b.test", 0 },
	{ "bare LF first", "\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "bare CR first", "\rGET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "blank first", " GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "other method token", "PROPFIND /dav HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "lower-case method", "get / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "M-SEARCH", "M-SEARCH /x HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "M-SEARCH *", "M-SEARCH * HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "control byte in target", "GET /\x01 HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "binary first byte", "\x80GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "h2c preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "GET *", "GET * HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "relative target", "GET a/b HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	/* absolute-form */
	{ "absolute, Host agrees", "GET http://a.test/x HTTP/1.1\r\nHost: A.TEST.\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "absolute, Host differs", "GET http://a.test/x HTTP/1.1\r\nHost: b.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, port from Host", "GET http://a.test/x HTTP/1.1\r\nHost: a.test:8080\r\n\r\n",
	  PEEK_FOUND, "a.test", 8080 },
	{ "absolute, ports agree", "GET http://a.test:81/ HTTP/1.1\r\nHost: a.test:81\r\n\r\n", PEEK_FOUND, "a.test", 81 },
	{ "absolute, ports differ", "GET http://a.test:81/ HTTP/1.1\r\nHost: a.test:82\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, scheme case", "GET HTTP://A.test:80?q HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 80 },
	{ "absolute https", "GET https://a.test#f HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "absolute, no Host 1.1", "GET http://a.test/ HTTP/1.1\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, no Host 1.0", "GET http://a.test/ HTTP/1.0\r\n\r\n", PEEK_FOUND, "a.test", 0 },
	{ "absolute, userinfo", "GET http://a.test@b.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, other scheme", "GET ftp://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, empty authority", "GET http:///x HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "absolute, IPv6", "GET http://[::1]:81/ HTTP/1.1\r\nHost: [::0:1]:81\r\n\r\n", PEEK_FOUND, "::1", 81 },
	/* CONNECT */
	{ "CONNECT, no Host 1.0", "CONNECT a.test:443 HTTP/1.0\r\n\r\n", PEEK_FOUND, "a.test", 443 },
	{ "CONNECT, no Host 1.1", "CONNECT a.test:443 HTTP/1.1\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "CONNECT, Host differs", "CONNECT a.test:443 HTTP/1.1\r\nHost: b.test:443\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "CONNECT, no port", "CONNECT a.test HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "CONNECT, origin-form", "CONNECT / HTTP/1.1\r\nHost: a.test\r\n\r\n", PEEK_INVALID, NULL, 0 },
	{ "CONNECT, IPv6", "CONNECT [2001:db8::5]:443 HTTP/1.1\r\nHost: [2001:db8::5]:443\r\n\r\n",
	  PEEK_FOUND, "2001:db8::5", 443 },
	/* decided before the end of the head */
	{ "early: two Host", "GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n", PEEK_INVALID, NULL, 0 },
	{ "early: bad request line", "GET / HTTP/1.1 x\r\n", PEEK_INVALID, NULL, 0 },
	{ "early: NUL", "GET / HT\0", PEEK_INVALID, NULL, 0 },
	{ "early: bare LF", "GET / HTTP/1.1\n", PEEK_INVALID, NULL, 0 },
	{ "early: CR then x", "GET / HTTP/1.1\rx", PEEK_INVALID, NULL, 0 },
	/* not decided yet */
	{ "partial line", "GET / HTTP/1.1\r\nHost: a.te", PEEK_NEED_MORE, NULL, 0 },
	{ "ends in CR", "GET / HTTP/1.1\r\nHost: a.test\r\n\r", PEEK_NEED_MORE, NULL, 0 },
	{ "one line only", "GET / HTTP/1.1\r\nHost: a.test\r\n", PEEK_NEED_MORE, NULL, 0 },
};


/* A pointer, not an array, for is_str() (which tests for NULL). */
static const char *str(const char *p)
{
	return p;
}

/* The request's length: the case strings may hold NULs. */
static size_t case_len(const struct http_case *c)
{
	size_t n = strlen(c->req);

	/* Cases with an embedded NUL: take the rest after it too. */
	if (strstr(c->what, "NUL")) {
		const char *p = c->req + n + 1;

		n += 1 + strlen(p);
	}
	return n;
}

static void test_detect(void)
{
	static const struct {
		const char *s;
		size_t n;
		enum peek_proto want;
	} t[] = {
		{ "", 0, PEEK_PROTO_NEED_MORE },
		{ "G", 1, PEEK_PROTO_NEED_MORE },
		{ "GET", 3, PEEK_PROTO_NEED_MORE },
		{ "GET ", 4, PEEK_PROTO_NEED_MORE },
		{ "GET / ", 6, PEEK_PROTO_NEED_MORE },
		{ "GET / HTTP", 10, PEEK_PROTO_NEED_MORE },
		{ "GET / HTTP/", 11, PEEK_PROTO_HTTP },
		{ "GET / HTTP/1.1\r\n", 16, PEEK_PROTO_HTTP },
		{ "GETX", 4, PEEK_PROTO_NEED_MORE },	/* a longer method, maybe */
		/* methods the old list missed, any case */
		{ "PROPFIND /dav HTTP/1.1\r\n", 24, PEEK_PROTO_HTTP },
		{ "get / HTTP/1.1\r\n", 16, PEEK_PROTO_HTTP },
		{ "Get / http/1.1\r\n", 16, PEEK_PROTO_HTTP },
		{ "M-SEARCH * HTTP/1.1\r\n", 21, PEEK_PROTO_HTTP },
		{ "X!#$%&'*+-.^_`|~9 / HTTP/1.0\r\n", 30, PEEK_PROTO_HTTP },
		{ "HEAD / HTTP/1.0", 15, PEEK_PROTO_HTTP },
		{ "CONNECT a:1 HTTP/1.1", 20, PEEK_PROTO_HTTP },
		{ "OPTIONS * HTTP/1.1", 18, PEEK_PROTO_HTTP },
		/* what lenient servers skip or split on */
		{ "\r\n\r\nGET / HTTP/1.1\r\n", 20, PEEK_PROTO_HTTP },
		{ "\n\nGET / HTTP/1.1\n", 17, PEEK_PROTO_HTTP },
		{ "\r\n\r\n", 4, PEEK_PROTO_NEED_MORE },
		{ "GET / HTTP/1.1\nHost: a.test\n\n", 29, PEEK_PROTO_HTTP },	/* LF only */
		{ "  GET  /  HTTP/1.1", 18, PEEK_PROTO_HTTP },
		{ "GET\t/\tHTTP/1.1", 14, PEEK_PROTO_HTTP },
		{ "GET\x0b/\x0cHTTP/1.1", 14, PEEK_PROTO_HTTP },
		{ "GET\r/\rHTTP/1.1\n", 15, PEEK_PROTO_HTTP },
		/* whitespace to Python's str.split() */
		{ "GET\xa0/\xa0HTTP/1.1", 14, PEEK_PROTO_HTTP },
		{ "\xa0GET\x85/\x1cHTTP/1.1", 15, PEEK_PROTO_HTTP },
		{ "GET\x1f/\x1dHTTP/1.0", 14, PEEK_PROTO_HTTP },
		{ "GET\xa0http://evil.test/\n", 22, PEEK_PROTO_HTTP09 },
		{ "GET /\xc3\xa9 HTTP/1.1", 17, PEEK_PROTO_HTTP },	/* UTF-8 target */
		{ "GET /a b HTTP/1.1\r\n", 19, PEEK_PROTO_HTTP },	/* a bad target */
		{ "GET / HTTP/1.1 x\r\n", 18, PEEK_PROTO_HTTP },
		{ "GET HTTP/1.1\r\n", 14, PEEK_PROTO_HTTP },
		/* h2c prior knowledge */
		{ "PRI * HTTP/2.0\r\n", 16, PEEK_PROTO_H2C },
		{ "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24, PEEK_PROTO_H2C },
		{ "PRI * HTTP/2", 12, PEEK_PROTO_NEED_MORE },
		{ "P", 1, PEEK_PROTO_NEED_MORE },
		{ "PRI * HTTP/1.1\r\n", 16, PEEK_PROTO_HTTP },
		{ "\r\nPRI * HTTP/2.0\r\n", 18, PEEK_PROTO_HTTP },
		/* HTTP/0.9: a method and a target, no version */
		{ "GET /\r\n", 7, PEEK_PROTO_HTTP09 },
		{ "GET /\n", 6, PEEK_PROTO_HTTP09 },
		{ "GET http://evil.test/?exfil=SECRET\r\n", 36, PEEK_PROTO_HTTP09 },
		{ "GET http://evil.test/?exfil=SECRET\r\nHost: evil.test\r\n\r\n", 55, PEEK_PROTO_HTTP09 },
		{ "GET HTTPS://evil.test\r\n", 23, PEEK_PROTO_HTTP09 },
		{ "GET  /x \t\r\n", 11, PEEK_PROTO_HTTP09 },	/* blanks around the target */
		{ "\r\n\r\nGET /\r\n", 11, PEEK_PROTO_HTTP09 },	/* after empty lines */
		{ "GET exfil-SECRET\r\n", 18, PEEK_PROTO_HTTP09 },	/* GET: any word (Python) */
		{ "GET key\r\n", 9, PEEK_PROTO_HTTP09 },	/* ... Redis' inline GET too */
		{ "get /x\r\n", 8, PEEK_PROTO_HTTP09 },	/* a target: any method */
		{ "PROPFIND http://evil.test/\r\n", 28, PEEK_PROTO_HTTP09 },
		{ "OPTIONS *\r\n", 11, PEEK_PROTO_HTTP09 },
		{ "GET svn+ssh://evil.test/\r\n", 26, PEEK_PROTO_HTTP09 },
		/* not HTTP: ruled out by a byte */
		{ "get key\r\n", 9, PEEK_PROTO_UNKNOWN },	/* memcached */
		{ "GETS key\r\n", 10, PEEK_PROTO_UNKNOWN },
		{ "USER anonymous\r\n", 16, PEEK_PROTO_UNKNOWN },	/* FTP, POP3 */
		{ "NICK bob\r\n", 10, PEEK_PROTO_UNKNOWN },	/* IRC */
		{ "get http:evil.test\r\n", 20, PEEK_PROTO_UNKNOWN },	/* no "//" */
		{ "get 1http://evil.test/\r\n", 24, PEEK_PROTO_UNKNOWN },	/* no scheme */
		{ "GET / x\r\n", 9, PEEK_PROTO_UNKNOWN },	/* three words: no version, no 0.9 */
		{ "GET\r\n", 5, PEEK_PROTO_UNKNOWN },
		{ "PING\r\n", 6, PEEK_PROTO_UNKNOWN },
		{ "SSH-2.0-OpenSSH_9.2\r\n", 21, PEEK_PROTO_UNKNOWN },
		{ "EHLO mail.test\r\n", 16, PEEK_PROTO_UNKNOWN },
		{ "a001 LOGIN user pass\r\n", 22, PEEK_PROTO_UNKNOWN },
		{ "DESCRIBE rtsp://a/ RTSP/1.0\r\n", 29, PEEK_PROTO_UNKNOWN },
		{ "GET / HTTX/1.1\r\n", 16, PEEK_PROTO_UNKNOWN },
		{ "GET(/ HTTP/1.1", 14, PEEK_PROTO_UNKNOWN },	/* '(' is no tchar */
		{ "GET /\x01 HTTP/1.1\r\n", 17, PEEK_PROTO_UNKNOWN },	/* a control byte */
		{ "GET\x1b/ HTTP/1.1", 14, PEEK_PROTO_UNKNOWN },
		{ "0\x0c\x02\x01\x01`\x07\x02\x01\x03", 10, PEEK_PROTO_UNKNOWN },	/* LDAP bind */
		{ "0 \x02\x01\x01", 5, PEEK_PROTO_UNKNOWN },
		{ "/ HTTP/1.1", 10, PEEK_PROTO_UNKNOWN },
		{ "*1\r\n$4\r\nPING\r\n", 14, PEEK_PROTO_UNKNOWN },	/* Redis */
		{ "\x16", 1, PEEK_PROTO_NEED_MORE },
		{ "\x16\x03", 2, PEEK_PROTO_TLS },
		{ "\x16\x02", 2, PEEK_PROTO_UNKNOWN },
		{ "\x17\x03\x03", 3, PEEK_PROTO_UNKNOWN },
		{ "\x80\x2e\x01\x00\x02", 5, PEEK_PROTO_UNKNOWN },	/* SSLv2 hello */
		{ "\0\0\0\x08\x04\xd2\x16\x2f", 8, PEEK_PROTO_UNKNOWN },	/* PostgreSQL */
		{ "\xff\xfe", 2, PEEK_PROTO_UNKNOWN },
		{ "\0", 1, PEEK_PROTO_UNKNOWN },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum peek_proto want = t[i].want;
		int stable = 1;

		is_int(peek_detect((const uint8_t *)t[i].s, t[i].n), want, "detect '%.*s' (%zu bytes)",
		       (int)(t[i].n && t[i].s[0] >= 0x20 ? strcspn(t[i].s, "\r\n\t\v\f") : 0), t[i].s, t[i].n);
		/* Every prefix is undecided or decided the same way. */
		for (size_t k = 0; k < t[i].n; k++) {
			enum peek_proto p = peek_detect((const uint8_t *)t[i].s, k);

			stable &= p == PEEK_PROTO_NEED_MORE || p == want;
		}
		ok(stable, "detect case %zu: its prefixes agree", i);
		if (want != PEEK_PROTO_NEED_MORE)
			is_int(peek_detect_end((const uint8_t *)t[i].s, t[i].n), want,
			       "detect case %zu: the same when the stream ends there", i);
	}

	/* The stream ends (the client shut its side): the line so far is a
	 * whole line to a server (Python's http.server serves it). */
	static const struct {
		const char *s;
		enum peek_proto want;
	} e[] = {
		{ "GET http://evil.test/?exfil=SECRET", PEEK_PROTO_HTTP09 },
		{ "GET /x ", PEEK_PROTO_HTTP09 },
		{ "\r\nget /", PEEK_PROTO_HTTP09 },
		{ "get key", PEEK_PROTO_UNKNOWN },
		{ "EHLO mail.test", PEEK_PROTO_UNKNOWN },
		{ "SSH-2.0-OpenSSH_9.2", PEEK_PROTO_UNKNOWN },
		{ "GET", PEEK_PROTO_UNKNOWN },
		{ "GET / HTTP", PEEK_PROTO_UNKNOWN },	/* three words, no version */
		{ "\r\n", PEEK_PROTO_UNKNOWN },
		{ "", PEEK_PROTO_UNKNOWN },
		{ "\x16", PEEK_PROTO_UNKNOWN },
		{ "PRI * HTTP/2", PEEK_PROTO_HTTP },	/* a partial h2c preface: HTTP/2 */
		{ "GET / HTTP/1.1\r\nHost: a", PEEK_PROTO_HTTP },
	};
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		is_int(peek_detect_end((const uint8_t *)e[i].s, strlen(e[i].s)), e[i].want,
		       "detect at the stream's end: '%s'", e[i].s[0] == '\r' || e[i].s[0] == '\x16' ? "..." : e[i].s);
	is_int(peek_detect(hello_curl, sizeof(hello_curl)), PEEK_PROTO_TLS, "detect curl's ClientHello");
	is_int(peek_detect(hello_tls10, sizeof(hello_tls10)), PEEK_PROTO_TLS, "detect a TLS 1.0 ClientHello");

	/* A method, or blanks, as long as the bound: refused as HTTP, not let
	 * through as "something else", and undecided one byte before. */
	memset(big, 'A', PEEK_HTTP_MAX);
	is_int(peek_detect(big, PEEK_HTTP_MAX - 1), PEEK_PROTO_NEED_MORE, "a method token of PEEK_HTTP_MAX - 1 bytes: NEED_MORE");
	is_int(peek_detect(big, PEEK_HTTP_MAX), PEEK_PROTO_HTTP, "... of PEEK_HTTP_MAX bytes: HTTP");
	memset(big, '\n', PEEK_HTTP_MAX);
	is_int(peek_detect(big, PEEK_HTTP_MAX), PEEK_PROTO_HTTP, "PEEK_HTTP_MAX empty lines: HTTP");
	memcpy(big, "GET /", 5);
	memset(big + 5, 'x', PEEK_HTTP_MAX);
	is_int(peek_detect(big, PEEK_HTTP_MAX + 5), PEEK_PROTO_HTTP, "a target past the bound: HTTP");
}

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

/* ---- HTTP tests ----------------------------------------------------------- */

static void check_http(const struct http_case *c, bool prefixes)
{
	char host[PEEK_HOST_MAX];
	struct peek_http_info info;
	size_t n = case_len(c);
	enum peek_result r;

	memset(&info, 0xa5, sizeof(info));
	r = peek_http_host_ex((const uint8_t *)c->req, n, host, sizeof(host), &info);
	is_int(r, c->want, "http %s: %s", c->what, peek_result_name(c->want));
	is_str(str(host), c->host ? c->host : "", "http %s: host", c->what);
	if (c->want == PEEK_FOUND)
		is_int(info.port, c->port, "http %s: port", c->what);
	else if (c->want != PEEK_ABSENT)
		ok(info.port == 0 && info.minor == 0, "http %s: info zeroed", c->what);
	is_int(peek_http_host((const uint8_t *)c->req, n, host, sizeof(host)), c->want, "http %s: without info",
	       c->what);
	/* What the Host parser accepts, the proxy sends to it: detected as
	 * HTTP; what is not detected as HTTP (or TLS) the parser refuses. */
	if (c->want == PEEK_FOUND || c->want == PEEK_ABSENT)
		is_int(peek_detect((const uint8_t *)c->req, n), PEEK_PROTO_HTTP, "http %s: detected as HTTP", c->what);
	else if (peek_detect((const uint8_t *)c->req, n) == PEEK_PROTO_UNKNOWN ||
		 peek_detect((const uint8_t *)c->req, n) == PEEK_PROTO_HTTP09)
		is_int(r, PEEK_INVALID, "http %s: not detected as HTTP, and INVALID", c->what);
	if (prefixes) {
		int good = 1;

		for (size_t i = 0; i < n && good; i++) {
			/* A complete head followed by a body is decided early. */
			const char *end = strstr(c->req, "\r\n\r\n");

			if (end && i >= (size_t)(end - c->req) + 4)
				break;
			if (peek_http_host((const uint8_t *)c->req, i, host, sizeof(host)) != PEEK_NEED_MORE || host[0])
				good = 0;
		}
		ok(good, "http %s: every prefix is NEED_MORE", c->what);
	}
	if (c->want != PEEK_NEED_MORE) {
		/* Decisions are stable: more bytes change nothing. */
		memcpy(big, c->req, n);
		memcpy(big + n, "GET / HTTP/1.1\r\nHost: other.test\r\n\r\n", 37);
		is_int(peek_http_host((const uint8_t *)big, n + 37, host, sizeof(host)), c->want,
		       "http %s: same with more bytes", c->what);
	}
}

static void test_http(void)
{
	struct peek_http_info info;
	char host[PEEK_HOST_MAX];

	for (size_t i = 0; i < sizeof(http_real) / sizeof(http_real[0]); i++)
		check_http(&http_real[i], true);
	for (size_t i = 0; i < sizeof(http_cases) / sizeof(http_cases[0]); i++)
		check_http(&http_cases[i], false);

	/* info */
	const char *req = "CONNECT tunnel.test:443 HTTP/1.1\r\nHost: tunnel.test:443\r\n\r\n";

	peek_http_host_ex((const uint8_t *)req, strlen(req), host, sizeof(host), &info);
	ok(info.target == PEEK_HTTP_AUTHORITY && info.minor == 1 && info.port == 443, "info of CONNECT");
	req = "GET http://a.test/ HTTP/1.0\r\n\r\n";
	peek_http_host_ex((const uint8_t *)req, strlen(req), host, sizeof(host), &info);
	ok(info.target == PEEK_HTTP_ABSOLUTE && info.minor == 0 && info.port == 0, "info of absolute-form");
	req = "OPTIONS * HTTP/1.0\r\n\r\n";
	is_int(peek_http_host_ex((const uint8_t *)req, strlen(req), host, sizeof(host), &info), PEEK_ABSENT,
	       "OPTIONS * HTTP/1.0: ABSENT");
	ok(info.target == PEEK_HTTP_ASTERISK, "info of asterisk-form");
	req = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n";
	peek_http_host_ex((const uint8_t *)req, strlen(req), host, sizeof(host), &info);
	ok(info.target == PEEK_HTTP_ORIGIN && info.minor == 1, "info of origin-form");

	/* host buffer */
	is_int(peek_http_host((const uint8_t *)req, strlen(req), host, 7), PEEK_FOUND, "host buffer just big enough");
	is_int(peek_http_host((const uint8_t *)req, strlen(req), host, 6), PEEK_INVALID, "host buffer too small");
	ok(host[0] == '\0', "host cleared");

	/* The head bound. */
	static const char start[] = "GET / HTTP/1.1\r\nHost: a.test\r\nX: ";
	size_t n;

	memset(big, 'x', sizeof(big));
	memcpy(big, start, sizeof(start) - 1);
	memcpy(big + PEEK_HTTP_MAX - 4, "\r\n\r\n", 4);
	is_int(peek_http_host(big, PEEK_HTTP_MAX, host, sizeof(host)), PEEK_FOUND, "head of exactly PEEK_HTTP_MAX");
	is_int(peek_http_host(big, PEEK_HTTP_MAX + 100, host, sizeof(host)), PEEK_FOUND, "... with more after it");
	is_int(peek_http_host(big, PEEK_HTTP_MAX - 1, host, sizeof(host)), PEEK_NEED_MORE, "... less a byte");
	memset(big, 'x', sizeof(big));
	memcpy(big, start, sizeof(start) - 1);
	memcpy(big + PEEK_HTTP_MAX - 3, "\r\n\r\n", 4);
	is_int(peek_http_host(big, PEEK_HTTP_MAX - 1, host, sizeof(host)), PEEK_NEED_MORE, "head of PEEK_HTTP_MAX + 1: NEED_MORE at first");
	is_int(peek_http_host(big, PEEK_HTTP_MAX, host, sizeof(host)), PEEK_INVALID, "... INVALID at the bound");
	is_int(peek_http_host(big, PEEK_HTTP_MAX + 1, host, sizeof(host)), PEEK_INVALID, "... INVALID when complete");
	/* Many short header lines. */
	n = 0;
	memcpy(big, "GET / HTTP/1.1\r\n", 16);
	n = 16;
	while (n < PEEK_HTTP_MAX + 100) {
		memcpy(big + n, "A:\r\n", 4);
		n += 4;
	}
	is_int(peek_http_host(big, n, host, sizeof(host)), PEEK_INVALID, "2000 header lines");
	/* Nothing yet, and other protocols. */
	is_int(peek_http_host((const uint8_t *)"", 0, host, sizeof(host)), PEEK_NEED_MORE, "nothing yet");
	is_int(peek_http_host(hello_curl, sizeof(hello_curl), host, sizeof(host)), PEEK_INVALID, "a ClientHello");
}

int main(void)
{
	test_detect();
	test_tls_real();
	test_tls_fragmented();
	test_tls_malformed();
	test_tls_bounds();
	test_tls_long_names();
	test_http();
	return tap_done();
}
