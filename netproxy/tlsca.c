/* tlsca.c — the per-run certificate authority of TLS inspection (tlsca.h):
 * made once when a run that inspects starts, in the supervisor, which will
 * terminate the program's TLS with the leaf certificates minted here.
 *
 * Where the keys live, and why nowhere else: the CA's private key and the
 * one leaf key are generated here with openssl and exist only in this
 * process's heap, as openssl's EVP_PKEY.  Nothing here serialises a private
 * key (there is no function to), so no file, pipe or environment variable
 * ever holds one; only the CA *certificate* leaves, as PEM, for the sandbox
 * to trust.  The sandbox cannot read the supervisor's memory: the
 * supervisor is not dumpable (PR_SET_DUMPABLE 0: no core dump, no
 * /proc/PID/mem for others) and runs in the parent user namespace, where
 * the program has no ptrace rights.  The key dies with the run: a CA
 * certificate left in some file later is harmless, as nobody holds its key.
 * (openssl's mlock()ed "secure heap" would also keep the key out of swap,
 * but it is process-wide: every handshake's ephemeral keys would come from
 * a small fixed arena, and a program opening many connections at once
 * could exhaust it and fail handshakes; swap is the host's, as for any
 * process.)
 *
 * One leaf key for every leaf: a per-name key would buy no isolation (the
 * same process holds them all, and the CA key that can sign anything), only
 * a key generation per name; each connection's secrecy comes from its
 * ephemeral (EC)DHE exchange, not from the certificate's key.
 *
 * P-256 rather than Ed25519: every TLS client netbox cares about (curl,
 * node, python, git, Go, Java, npm) verifies ECDSA P-256 chains; Ed25519
 * certificates are refused by some (browsers, older Java, Go before 1.13).
 *
 * No nameConstraints: the names the CA must cover are those the rules
 * allow, including wildcards and learn mode's everything; a permitted
 * subtree per rule would tie the CA to the policy, and a constraint a
 * client does not understand (critical, as it should be) breaks it.
 */
#include "netproxy/tlsca.h"

#include "list.h"
#include "siphash.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#define TLSCA_BUCKETS 1024	/* a power of two */
#define TLSCA_NAME_MAX 254	/* a DNS name (253) or an IPv6 literal, and NUL */
#define TLSCA_CN_MAX 64		/* ub-common-name (RFC 5280) */

struct tlsca_entry {
	struct tlsca_entry *hnext;
	struct list lru;
	uint64_t hash;
	X509 *cert;
	char name[];
};

struct tlsca {
	EVP_PKEY *key;		/* the CA's */
	X509 *cert;
	char *pem;
	EVP_PKEY *leaf_key;
	SSL_CTX *server_ctx;
	uint64_t hkey[2];
	struct tlsca_entry *buckets[TLSCA_BUCKETS];
	struct list lru;	/* least recently used first */
	size_t nentries;
};

/* A name as the cache keys it: @name lowercased without its trailing dot,
 * or an IP literal in inet_ntop() form (@ip, @iplen: its bytes). */
struct tlsca_name {
	char text[TLSCA_NAME_MAX];
	unsigned char ip[16];
	int iplen;		/* 0: a DNS name */
};

static bool tlsca_name_dns(const char *name, struct tlsca_name *out)
{
	size_t n = strlen(name), label = 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
			label++;
		} else if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
			label++;
		} else {
			return false;
		}
		if (label > 63)
			return false;
		out->text[i] = c;
	}
	if (label == 0)
		return false;
	out->text[n] = '\0';
	out->iplen = 0;
	return true;
}

static bool tlsca_name_parse(const char *name, struct tlsca_name *out)
{
	int af = strchr(name, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(af, name, out->ip) == 1) {
		out->iplen = af == AF_INET6 ? 16 : 4;
		return inet_ntop(af, out->ip, out->text, sizeof(out->text)) != NULL;
	}
	return af == AF_INET && tlsca_name_dns(name, out);
}

/* A random positive serial of 16 bytes (RFC 5280: at most 20, positive,
 * unpredictable). */
static bool tlsca_set_serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn;
	bool ok;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return false;
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok;
}

/* Add the extension @nid = @value (openssl's configuration syntax; a
 * constant here, never a name the program chose) to @x issued by @issuer. */
static bool tlsca_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	bool ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	ok = ext && X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static bool tlsca_set_cn(X509 *x, const char *cn)
{
	return X509_NAME_add_entry_by_NID(X509_get_subject_name(x), NID_commonName, MBSTRING_UTF8,
					  (const unsigned char *)cn, -1, -1, 0) == 1;
}

static X509 *tlsca_make_ca_cert(EVP_PKEY *key)
{
	unsigned char id[8];
	char cn[64];
	X509 *x = X509_new();
	bool ok;

	if (!x || RAND_bytes(id, sizeof(id)) != 1) {
		X509_free(x);
		return NULL;
	}
	snprintf(cn, sizeof(cn), "netbox per-run CA %02x%02x%02x%02x%02x%02x%02x%02x", id[0], id[1],
		 id[2], id[3], id[4], id[5], id[6], id[7]);
	ok = X509_set_version(x, X509_VERSION_3) && tlsca_set_serial(x) && tlsca_set_cn(x, cn) &&
	     X509_set_issuer_name(x, X509_get_subject_name(x)) &&
	     X509_gmtime_adj(X509_getm_notBefore(x), -TLSCA_BACKDATE_SECS) &&
	     X509_gmtime_adj(X509_getm_notAfter(x), TLSCA_VALID_SECS) && X509_set_pubkey(x, key) &&
	     tlsca_add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
	     tlsca_add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") &&
	     tlsca_add_ext(x, x, NID_subject_key_identifier, "hash") &&
	     tlsca_add_ext(x, x, NID_authority_key_identifier, "keyid:always") &&
	     X509_sign(x, key, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static char *tlsca_pem_of(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long n;

	if (bio && PEM_write_bio_X509(bio, x) == 1) {
		n = BIO_get_mem_data(bio, &data);
		if (n > 0)
			pem = strndup(data, (size_t)n);
	}
	BIO_free(bio);
	return pem;
}

/* ALPN for the sandbox's side: http/1.1 when the client offers it, else no
 * ALPN at all (the client then speaks HTTP/1.1 or gives up); never h2. */
static int tlsca_alpn(SSL *ssl UNUSED, const unsigned char **out, unsigned char *outlen,
		      const unsigned char *in, unsigned int inlen, void *arg UNUSED)
{
	static const unsigned char h11[] = "http/1.1";

	for (unsigned int i = 0; i < inlen;) {
		unsigned int n = in[i];

		if (n > inlen - i - 1)
			break;
		if (n == sizeof(h11) - 1 && memcmp(in + i + 1, h11, n) == 0) {
			*out = h11;
			*outlen = (unsigned char)n;
			return SSL_TLSEXT_ERR_OK;
		}
		i += n + 1;
	}
	return SSL_TLSEXT_ERR_NOACK;
}

static SSL_CTX *tlsca_make_server_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx)
		return NULL;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_alpn_select_cb(ctx, tlsca_alpn, NULL);
	return ctx;
}

NORETURN static void tlsca_die(const char *what)
{
	char err[256];

	ERR_error_string_n(ERR_get_error(), err, sizeof(err));
	die("check that openssl 3 (libssl3) is installed and working",
	    "cannot make the run's TLS inspection CA: %s: %s", what, err);
}

struct tlsca *tlsca_new(void)
{
	struct tlsca *ca = xcalloc(1, sizeof(*ca));

	ca->key = EVP_EC_gen("P-256");
	if (!ca->key)
		tlsca_die("generating the CA key");
	ca->leaf_key = EVP_EC_gen("P-256");
	if (!ca->leaf_key)
		tlsca_die("generating the leaf key");
	ca->cert = tlsca_make_ca_cert(ca->key);
	if (!ca->cert)
		tlsca_die("making the CA certificate");
	ca->pem = tlsca_pem_of(ca->cert);
	if (!ca->pem)
		tlsca_die("writing the CA certificate as PEM");
	ca->server_ctx = tlsca_make_server_ctx();
	if (!ca->server_ctx)
		tlsca_die("making the server context");
	random_fill(ca->hkey, sizeof(ca->hkey));
	list_init(&ca->lru);
	return ca;
}

static void tlsca_entry_free(struct tlsca *ca, struct tlsca_entry *e)
{
	struct tlsca_entry **pp = &ca->buckets[e->hash & (TLSCA_BUCKETS - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	list_del(&e->lru);
	ca->nentries--;
	X509_free(e->cert);
	free(e);
}

void tlsca_free(struct tlsca *ca)
{
	if (!ca)
		return;
	while (!list_empty(&ca->lru))
		tlsca_entry_free(ca, list_entry(ca->lru.next, struct tlsca_entry, lru)); /* NOLINT(clang-analyzer-unix.Malloc): list.h */
	SSL_CTX_free(ca->server_ctx);
	EVP_PKEY_free(ca->leaf_key);
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	free(ca->pem);
	free(ca);
}

const char *tlsca_ca_pem(const struct tlsca *ca)
{
	return ca->pem;
}

EVP_PKEY *tlsca_leaf_key(const struct tlsca *ca)
{
	return ca->leaf_key;
}

SSL_CTX *tlsca_server_ctx(const struct tlsca *ca)
{
	return ca->server_ctx;
}

size_t tlsca_cached(const struct tlsca *ca)
{
	return ca->nentries;
}

/* subjectAltName: the one dNSName or iPAddress; critical when the subject
 * is empty (RFC 5280, 4.2.1.6). */
static bool tlsca_add_san(X509 *x, const struct tlsca_name *n, bool critical)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
	bool ok = false;

	if (!gens || !gen || !s)
		goto out;
	if (n->iplen) {
		if (!ASN1_OCTET_STRING_set(s, n->ip, n->iplen))
			goto out;
		GENERAL_NAME_set0_value(gen, GEN_IPADD, s);
	} else {
		if (!ASN1_STRING_set(s, n->text, -1))
			goto out;
		s->type = V_ASN1_IA5STRING;
		GENERAL_NAME_set0_value(gen, GEN_DNS, s);
	}
	s = NULL;
	if (!sk_GENERAL_NAME_push(gens, gen))
		goto out;
	gen = NULL;
	ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, critical, X509V3_ADD_DEFAULT) == 1;
out:
	ASN1_OCTET_STRING_free(s);
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	return ok;
}

/* A leaf for @n: the CA's validity, serverAuth, signed by the CA. */
static X509 *tlsca_mint(struct tlsca *ca, const struct tlsca_name *n)
{
	bool cn = strlen(n->text) <= TLSCA_CN_MAX;
	X509 *x = X509_new();
	bool ok;

	if (!x)
		return NULL;
	ok = X509_set_version(x, X509_VERSION_3) && tlsca_set_serial(x) &&
	     (!cn || tlsca_set_cn(x, n->text)) &&
	     X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) &&
	     X509_set1_notBefore(x, X509_get0_notBefore(ca->cert)) &&
	     X509_set1_notAfter(x, X509_get0_notAfter(ca->cert)) && X509_set_pubkey(x, ca->leaf_key) &&
	     tlsca_add_ext(x, ca->cert, NID_basic_constraints, "critical,CA:FALSE") &&
	     tlsca_add_ext(x, ca->cert, NID_key_usage, "critical,digitalSignature") &&
	     tlsca_add_ext(x, ca->cert, NID_ext_key_usage, "serverAuth") &&
	     tlsca_add_ext(x, ca->cert, NID_subject_key_identifier, "hash") &&
	     tlsca_add_ext(x, ca->cert, NID_authority_key_identifier, "keyid:always") &&
	     tlsca_add_san(x, n, !cn) && X509_sign(x, ca->key, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static struct tlsca_entry *tlsca_find(struct tlsca *ca, const char *name, uint64_t hash)
{
	struct tlsca_entry *e = ca->buckets[hash & (TLSCA_BUCKETS - 1)];

	for (; e; e = e->hnext)
		if (e->hash == hash && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* Cache @cert (whose reference the entry takes) for @name, evicting the
 * least recently used entry when full.  False when memory runs out. */
static bool tlsca_insert(struct tlsca *ca, const char *name, uint64_t hash, X509 *cert)
{
	size_t len = strlen(name);
	struct tlsca_entry *e;

	if (ca->nentries >= TLSCA_CACHE_MAX)
		tlsca_entry_free(ca, list_entry(ca->lru.next, struct tlsca_entry, lru));
	e = calloc(1, sizeof(*e) + len + 1);
	if (!e)
		return false;
	e->hash = hash;
	e->cert = cert;
	memcpy(e->name, name, len + 1);
	e->hnext = ca->buckets[hash & (TLSCA_BUCKETS - 1)];
	ca->buckets[hash & (TLSCA_BUCKETS - 1)] = e;
	list_add_tail(&ca->lru, &e->lru);
	ca->nentries++;
	return true;
}

X509 *tlsca_leaf(struct tlsca *ca, const char *name)
{
	struct tlsca_name n;
	struct tlsca_entry *e;
	uint64_t hash;
	X509 *x;

	if (!tlsca_name_parse(name, &n)) {
		errno = EINVAL;
		return NULL;
	}
	hash = siphash24(ca->hkey, n.text, strlen(n.text));
	e = tlsca_find(ca, n.text, hash);
	if (e) {
		list_del(&e->lru);
		list_add_tail(&ca->lru, &e->lru);
		return e->cert;
	}
	x = tlsca_mint(ca, &n);
	if (!x) {
		/* openssl's failures here are allocations, or its random
		 * generator: neither the name's fault. */
		ERR_clear_error();
		errno = ENOMEM;
		return NULL;
	}
	if (!tlsca_insert(ca, n.text, hash, x)) {
		X509_free(x);
		errno = ENOMEM;
		return NULL;
	}
	return x;
}

int tlsca_use_leaf(struct tlsca *ca, SSL *ssl, const char *name)
{
	X509 *x = tlsca_leaf(ca, name);

	if (!x)
		return -errno;
	if (SSL_use_cert_and_key(ssl, x, ca->leaf_key, NULL, 1) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}
