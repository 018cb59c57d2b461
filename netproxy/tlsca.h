/* tlsca.h — the per-run certificate authority of TLS inspection (issue 13):
 * a CA made when the run starts, whose certificate the sandbox will trust,
 * and the server certificates it mints, one per host name, for the
 * connections the proxy terminates.  Runs in the supervisor; see tlsca.c
 * for where the keys live and why.
 *
 * Made by supervisor/cabundle.c for a run that inspects; used by
 * inspect_tls.c for the program's side of inspected connections.
 *
 * Setup (tlsca_new()) dies with a message when openssl cannot make the CA;
 * everything else runs on the supervisor's loop and returns NULL (errno set)
 * or -errno, never exits.
 */
#ifndef NETBOX_TLSCA_H
#define NETBOX_TLSCA_H

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stddef.h>

/* Names whose certificates are kept; the least recently used goes first. */
#define TLSCA_CACHE_MAX 1024
/* The CA (and so every leaf) is valid from this long before it was made
 * (a clock a little behind is no error) ... */
#define TLSCA_BACKDATE_SECS (60 * 60)
/* ... to this long after: a run longer than this cannot mint valid
 * certificates any more. */
#define TLSCA_VALID_SECS (7 * 24 * 60 * 60)

struct tlsca;

/* A fresh CA: P-256 key, self-signed certificate.  Dies on failure. */
struct tlsca *tlsca_new(void);
void tlsca_free(struct tlsca *ca);

/* The CA certificate in PEM, NUL-terminated: what the sandbox trusts. */
const char *tlsca_ca_pem(const struct tlsca *ca);

/* The server certificate for @name: a DNS name (any case, one trailing dot
 * allowed; 1..253 bytes, labels of 1..63 [A-Za-z0-9_-]) or an IPv4/IPv6
 * literal (without brackets).  Minted on first use, then cached (keyed by
 * the lowercase name, an IP by its inet_ntop() form).  The certificate is
 * borrowed: valid until the next tlsca_leaf() or tlsca_use_leaf() call
 * (which may evict it) or tlsca_free(); X509_up_ref() it to keep it.
 * NULL with errno EINVAL (not such a name) or ENOMEM (memory, or openssl
 * failed to mint). */
X509 *tlsca_leaf(struct tlsca *ca, const char *name);

/* The private key of every leaf (borrowed; see tlsca.c for why one). */
EVP_PKEY *tlsca_leaf_key(const struct tlsca *ca);

/* The SSL_CTX for the sandbox's side of inspected connections: TLS 1.2 or
 * later, ALPN answers http/1.1 only (or nothing, when the client does not
 * offer it), no renegotiation, no compression.  Owned by @ca.  No
 * certificate: set one per connection with tlsca_use_leaf(). */
SSL_CTX *tlsca_server_ctx(const struct tlsca *ca);

/* Make @ssl (a server SSL, from tlsca_server_ctx() or any other) present
 * the certificate for @name.  0, or -EINVAL, -ENOMEM, -EIO. */
int tlsca_use_leaf(struct tlsca *ca, SSL *ssl, const char *name);

/* How many names have a certificate cached (for tests). */
size_t tlsca_cached(const struct tlsca *ca);

#endif
