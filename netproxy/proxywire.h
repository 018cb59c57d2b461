/* proxywire.h — the bytes netbox exchanges with an upstream proxy
 * (proxywire.c): HTTP CONNECT and SOCKS5 (RFC 1928, with RFC 1929's
 * user/password), requests built and replies parsed.
 *
 * Pure and bounded: the parsers read a buffer (what MSG_PEEK saw), never
 * allocate, and say how many bytes the reply took, so that the caller
 * consumes exactly that and the tunnel's first bytes stay in the socket.
 * Driven by netproxy/upstream_proxy.c, tests/unit/test_proxywire.c and
 * fuzz/fuzz_proxywire.c.
 */
#ifndef NETBOX_PROXYWIRE_H
#define NETBOX_PROXYWIRE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROXYWIRE_HTTP_MAX 8192  /* a CONNECT reply's head, at most */
#define PROXYWIRE_SOCKS_MAX 262  /* the longest SOCKS5 reply: a 255-byte name */
#define PROXYWIRE_REQUEST_MAX 1600 /* the longest request netbox sends */

enum proxywire_result {
	PROXYWIRE_NEED_MORE, /* a prefix of a valid reply: wait for more */
	PROXYWIRE_DONE,      /* a whole reply, out->len bytes */
	PROXYWIRE_INVALID,   /* not what the protocol allows (or too long) */
};

struct proxywire_reply {
	size_t len;          /* DONE: the bytes the reply took */
	int code;            /* HTTP: the status (100..599); SOCKS5: the method,
			      * the auth status or the reply code; -1 unknown */
	char reason[64];     /* HTTP: the reason phrase, printable ASCII only */
};

/* "CONNECT host:port HTTP/1.1" with Host and, when @user is not NULL,
 * Proxy-Authorization: Basic.  @host is a name or an address ([v6]
 * bracketed here).  The length, or -ENOSPC. */
ssize_t proxywire_http_connect(uint8_t *out, size_t cap, const char *host, uint16_t port,
			       const char *user, const char *pass);
/* The reply to it: status line and fields up to the blank line. */
enum proxywire_result proxywire_http_reply(const uint8_t *buf, size_t n, struct proxywire_reply *out);

/* SOCKS5 greeting: "no authentication", or user/password when @auth. */
ssize_t proxywire_socks_greeting(uint8_t *out, size_t cap, bool auth);
/* Its reply: VER 5, METHOD (code). */
enum proxywire_result proxywire_socks_method(const uint8_t *buf, size_t n, struct proxywire_reply *out);
/* RFC 1929: VER 1, ULEN, USER, PLEN, PASS (each at most 255 bytes). */
ssize_t proxywire_socks_auth(uint8_t *out, size_t cap, const char *user, const char *pass);
/* Its reply: VER 1, STATUS (code; 0 is success). */
enum proxywire_result proxywire_socks_auth_reply(const uint8_t *buf, size_t n, struct proxywire_reply *out);
/* CONNECT to @name (not NULL: ATYP 3) or else @addr (IPv4 mapped: ATYP 1,
 * or ATYP 4), @port. */
ssize_t proxywire_socks_connect(uint8_t *out, size_t cap, const char *name, const struct in6_addr *addr,
				uint16_t port);
/* Its reply: VER 5, REP (code), RSV, ATYP, BND.ADDR, BND.PORT.  out->code
 * is set as soon as two bytes came, so that a proxy that closes after a
 * short refusal is still understood. */
enum proxywire_result proxywire_socks_reply(const uint8_t *buf, size_t n, struct proxywire_reply *out);

/* What a SOCKS5 reply code means ("connection refused"), and the errno it
 * stands for. */
const char *proxywire_socks_error(int code);
int proxywire_socks_errno(int code);

#endif
