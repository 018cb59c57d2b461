/* test_tlsca.c — unit tests for the per-run CA of TLS inspection
 * (netproxy/tlsca.c): the CA certificate's shape, leaves verified against it
 * by openssl with hostname and IP checks (X509_V_FLAG_X509_STRICT, as
 * Python 3.13 sets by default), the cache and its LRU bound, and TLS
 * handshakes over a socketpair between a client that trusts only the CA's
 * PEM and a server presenting a leaf.  Real clients (curl, python, node,
 * openssl s_client) against a loopback server: test_tlsca_clients.c.
 */
#include "netproxy/tlsca.h"
#include "tap.h"
#include "test_tlsca.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <time.h>

X509 *test_tlsca_parse_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return x;
}

/* X509_V_OK or the error of verifying @leaf against @ca alone, for @host
 * (or @ip), at @when (0: now). */
static int verify(X509 *ca, X509 *leaf, const char *host, const char *ip, time_t when)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;
	int rc = -1;

	if (!st || !ctx || X509_STORE_add_cert(st, ca) != 1 ||
	    X509_STORE_CTX_init(ctx, st, leaf, NULL) != 1)
		goto out;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
	X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
	if (when)
		X509_VERIFY_PARAM_set_time(param, when);
	if (host)
		X509_VERIFY_PARAM_set1_host(param, host, 0);
	if (ip)
		X509_VERIFY_PARAM_set1_ip_asc(param, ip);
	rc = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return rc;
}

static bool ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

static long days_from_now(const ASN1_TIME *t)
{
	int days = 0, secs = 0;

	if (!ASN1_TIME_diff(&days, &secs, NULL, t))
		return -9999;
	return (long)days * 86400 + secs;
}

static void test_ca_cert(struct tlsca *ca, X509 *cacert)
{
	char cn[128] = "";
	const char *pem = tlsca_ca_pem(ca);
	EVP_PKEY *pub = X509_get0_pubkey(cacert);
	char group[32] = "";
	long before = days_from_now(X509_get0_notBefore(cacert));
	long after = days_from_now(X509_get0_notAfter(cacert));

	ok(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0, "the CA PEM is a certificate");
	ok(!strstr(pem, "PRIVATE"), "the CA PEM holds no private key");
	X509_NAME_get_text_by_NID(X509_get_subject_name(cacert), NID_commonName, cn, sizeof(cn));
	ok(strncmp(cn, "netbox per-run CA ", 18) == 0 && strlen(cn) == 18 + 16,
	   "subject CN '%s'", cn);
	ok(X509_NAME_cmp(X509_get_subject_name(cacert), X509_get_issuer_name(cacert)) == 0 &&
	   X509_verify(cacert, pub) == 1, "self-signed");
	ok(EVP_PKEY_get_group_name(pub, group, sizeof(group), NULL) == 1 &&
	   strcmp(group, "prime256v1") == 0, "P-256 key (%s)", group);
	ok(X509_check_ca(cacert) == 1 && ext_critical(cacert, NID_basic_constraints),
	   "basicConstraints critical CA:TRUE");
	is_int(X509_get_pathlen(cacert), 0, "pathlen 0");
	ok(ext_critical(cacert, NID_key_usage) &&
	   X509_get_key_usage(cacert) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN),
	   "keyUsage critical keyCertSign, cRLSign only");
	ok(X509_get0_subject_key_id(cacert) != NULL, "subjectKeyIdentifier");
	ok(before <= -TLSCA_BACKDATE_SECS + 5 && before >= -TLSCA_BACKDATE_SECS - 5,
	   "valid from an hour ago (%ld s)", before);
	ok(after <= TLSCA_VALID_SECS + 5 && after >= TLSCA_VALID_SECS - 5,
	   "valid for 7 days (%ld s)", after);
	is_int(ASN1_INTEGER_get_int64(&(int64_t){ 0 }, X509_get0_serialNumber(cacert)), 0,
	       "serial wider than 64 bits (random 16 bytes)");
	ERR_clear_error();
}

/* The leaf's one subjectAltName: its type, and its bytes in @buf. */
static int san_of(X509 *x, unsigned char *buf, size_t len, int *n)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int type = -1;

	*n = 0;
	if (gens && sk_GENERAL_NAME_num(gens) == 1) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, 0);
		ASN1_STRING *s = g->type == GEN_DNS ? g->d.dNSName
				 : g->type == GEN_IPADD ? g->d.iPAddress : NULL;

		if (s && (size_t)ASN1_STRING_length(s) <= len) {
			type = g->type;
			*n = ASN1_STRING_length(s);
			memcpy(buf, ASN1_STRING_get0_data(s), (size_t)*n);
		}
	}
	GENERAL_NAMES_free(gens);
	return type;
}

static void test_leaf_shape(struct tlsca *ca, X509 *cacert)
{
	X509 *leaf = tlsca_leaf(ca, "registry.test");
	const ASN1_OCTET_STRING *aki = leaf ? X509_get0_authority_key_id(leaf) : NULL;
	char cn[300] = "";
	unsigned char san[300];
	int n;

	if (!ok(leaf != NULL, "a leaf for registry.test"))
		return;
	ok(X509_check_ca(leaf) == 0 && ext_critical(leaf, NID_basic_constraints), "leaf is no CA");
	ok((X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER) != 0, "EKU serverAuth");
	ok(X509_get_key_usage(leaf) == KU_DIGITAL_SIGNATURE, "keyUsage digitalSignature");
	ok(aki && ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(cacert)) == 0,
	   "authorityKeyIdentifier is the CA's key id");
	ok(ASN1_TIME_compare(X509_get0_notBefore(leaf), X509_get0_notBefore(cacert)) >= 0 &&
	   ASN1_TIME_compare(X509_get0_notAfter(leaf), X509_get0_notAfter(cacert)) <= 0,
	   "validity within the CA's");
	ok(EVP_PKEY_eq(X509_get0_pubkey(leaf), tlsca_leaf_key(ca)) == 1, "the run's leaf key");
	X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn, sizeof(cn));
	ok(strcmp(cn, "registry.test") == 0, "subject CN %s", cn);
	ok(!ext_critical(leaf, NID_subject_alt_name), "SAN not critical beside a CN");
	ok(san_of(leaf, san, sizeof(san), &n) == GEN_DNS && n == 13 && !memcmp(san, "registry.test", 13),
	   "SAN: one dNSName, the name");
	leaf = tlsca_leaf(ca, "127.0.0.1");
	ok(leaf && san_of(leaf, san, sizeof(san), &n) == GEN_IPADD && n == 4 &&
	   !memcmp(san, "\x7f\0\0\1", 4), "an IP literal: one iPAddress");
	leaf = tlsca_leaf(ca, "::1");
	ok(leaf && san_of(leaf, san, sizeof(san), &n) == GEN_IPADD && n == 16 && san[15] == 1,
	   "an IPv6 literal: one iPAddress of 16 bytes");
}

static void test_verify(struct tlsca *ca, X509 *cacert)
{
	X509 *leaf = tlsca_leaf(ca, "Registry.TEST.");
	char longname[200];
	time_t now = time(NULL);

	is_int(verify(cacert, leaf, "registry.test", NULL, 0), X509_V_OK, "verifies for its name");
	is_int(verify(cacert, leaf, "REGISTRY.test", NULL, 0), X509_V_OK, "in any case");
	is_int(verify(cacert, leaf, "evil.test", NULL, 0), X509_V_ERR_HOSTNAME_MISMATCH,
	       "not for another name");
	is_int(verify(cacert, leaf, "sub.registry.test", NULL, 0), X509_V_ERR_HOSTNAME_MISMATCH,
	       "not for a subdomain");
	is_int(verify(cacert, leaf, "registry.test", NULL, now + TLSCA_VALID_SECS + 60),
	       X509_V_ERR_CERT_HAS_EXPIRED, "expired after the run's validity");
	is_int(verify(cacert, leaf, "registry.test", NULL, now - TLSCA_BACKDATE_SECS - 60),
	       X509_V_ERR_CERT_NOT_YET_VALID, "not valid before it");

	leaf = tlsca_leaf(ca, "127.0.0.1");
	is_int(verify(cacert, leaf, NULL, "127.0.0.1", 0), X509_V_OK, "an IPv4 leaf verifies");
	is_int(verify(cacert, leaf, NULL, "127.0.0.2", 0), X509_V_ERR_IP_ADDRESS_MISMATCH,
	       "not for another address");
	leaf = tlsca_leaf(ca, "2001:DB8:0::1");
	is_int(verify(cacert, leaf, NULL, "2001:db8::1", 0), X509_V_OK, "an IPv6 leaf verifies");
	ok(tlsca_leaf(ca, "2001:db8::1") == leaf, "keyed by the address, not its spelling");

	memset(longname, 'a', sizeof(longname));
	for (size_t i = 60; i < sizeof(longname) - 1; i += 61)
		longname[i] = '.';
	longname[sizeof(longname) - 1] = '\0';
	leaf = tlsca_leaf(ca, longname);
	ok(leaf && X509_NAME_entry_count(X509_get_subject_name(leaf)) == 0 &&
	   ext_critical(leaf, NID_subject_alt_name), "a name over 64 bytes: no CN, SAN critical");
	is_int(verify(cacert, leaf, longname, NULL, 0), X509_V_OK, "and it verifies");
}

static void test_names(struct tlsca *ca)
{
	static const char *const bad[] = {
		"", ".", "..", "a..test", ".a.test", "a.test..", "bad name.test", "a_b!.test",
		"[::1]", "::1%lo", "r\xc3\xa9.test", "a.test/x", "1.2.3.4:80",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test",
	};
	char toolong[256];
	X509 *x = tlsca_leaf(ca, "registry.test");

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		ok(tlsca_leaf(ca, bad[i]) == NULL && errno == EINVAL, "refused: '%s'", bad[i]);
	}
	memset(toolong, 'a', sizeof(toolong));
	for (size_t i = 50; i < sizeof(toolong); i += 51)
		toolong[i] = '.';
	toolong[254] = '\0';
	errno = 0;
	ok(tlsca_leaf(ca, toolong) == NULL && errno == EINVAL, "refused: a 254-byte name");
	ok(tlsca_leaf(ca, "REGISTRY.Test") == x && tlsca_leaf(ca, "registry.test.") == x,
	   "the cache returns the same certificate for any spelling of the name");
	ok(tlsca_leaf(ca, "other.test") != x, "another name, another certificate");
}

static ASN1_INTEGER *serial_of(struct tlsca *ca, const char *name)
{
	X509 *x = tlsca_leaf(ca, name);

	return x ? ASN1_INTEGER_dup(X509_get0_serialNumber(x)) : NULL;
}

static void test_lru(void)
{
	struct tlsca *ca = tlsca_new();
	ASN1_INTEGER *first, *second, *again;
	char name[32];
	bool all = true;

	first = serial_of(ca, "n0.test");
	second = serial_of(ca, "n1.test");
	for (int i = 2; i < TLSCA_CACHE_MAX; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		all &= tlsca_leaf(ca, name) != NULL;
	}
	ok(all, "%d names minted", TLSCA_CACHE_MAX);
	is_int(tlsca_cached(ca), TLSCA_CACHE_MAX, "all cached");
	again = serial_of(ca, "n0.test");	/* n0 becomes the most recently used */
	ok(first && again && ASN1_INTEGER_cmp(first, again) == 0, "a cached name keeps its serial");
	ASN1_INTEGER_free(again);
	ok(tlsca_leaf(ca, "one-more.test") != NULL, "one more name");
	is_int(tlsca_cached(ca), TLSCA_CACHE_MAX, "the cache stays at its bound");
	again = serial_of(ca, "n0.test");
	ok(again && ASN1_INTEGER_cmp(first, again) == 0, "the recently used name was kept");
	ASN1_INTEGER_free(again);
	again = serial_of(ca, "n1.test");
	ok(second && again && ASN1_INTEGER_cmp(second, again) != 0,
	   "the least recently used name was evicted (minted again: a new serial)");
	ASN1_INTEGER_free(again);
	ASN1_INTEGER_free(first);
	ASN1_INTEGER_free(second);
	tlsca_free(ca);
}

/* A client SSL trusting only @ca_pem, asking for @name (SNI and hostname
 * check), offering @alpn (wire format, may be NULL). */
static SSL *client_new(const char *ca_pem, const char *name, const char *alpn, size_t alpn_len)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	X509 *ca = test_tlsca_parse_pem(ca_pem);
	SSL *ssl = NULL;

	if (!ctx || !ca || X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) != 1)
		goto out;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	ssl = SSL_new(ctx);
	if (ssl && (SSL_set_tlsext_host_name(ssl, name) != 1 || SSL_set1_host(ssl, name) != 1 ||
		    (alpn && SSL_set_alpn_protos(ssl, (const unsigned char *)alpn, (unsigned)alpn_len)))) {
		SSL_free(ssl);
		ssl = NULL;
	}
out:
	X509_free(ca);
	SSL_CTX_free(ctx);	/* the SSL keeps its reference */
	return ssl;
}

static bool want_io(SSL *ssl, int rc)
{
	int e = SSL_get_error(ssl, rc);

	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

/* Drive both ends over non-blocking sockets: 0, or -1 (client failed),
 * -2 (server failed). */
static int handshake(SSL *c, SSL *s)
{
	int rc = 0, rs = 0;

	for (int i = 0; i < 200 && (rc != 1 || rs != 1); i++) {
		if (rc != 1) {
			rc = SSL_do_handshake(c);
			if (rc != 1 && !want_io(c, rc))
				return -1;
		}
		if (rs != 1) {
			rs = SSL_do_handshake(s);
			if (rs != 1 && !want_io(s, rs))
				return -2;
		}
	}
	return rc == 1 && rs == 1 ? 0 : -3;
}

struct hs_result {
	int rc;			/* handshake()'s */
	long verify;		/* the client's verify result */
	char alpn[16];		/* what was selected */
	bool data;		/* bytes went both ways */
};

static struct hs_result run_handshake(struct tlsca *ca, const char *ca_pem, const char *client_name,
				      const char *leaf_name, const char *alpn, size_t alpn_len)
{
	struct hs_result r = { .rc = -9 };
	int sv[2];
	SSL *c = NULL, *s = NULL;
	const unsigned char *sel = NULL;
	unsigned int sel_len = 0;
	char buf[8] = "";

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		return r;
	c = client_new(ca_pem, client_name, alpn, alpn_len);
	s = SSL_new(tlsca_server_ctx(ca));
	if (!c || !s || tlsca_use_leaf(ca, s, leaf_name) != 0 || SSL_set_fd(c, sv[0]) != 1 ||
	    SSL_set_fd(s, sv[1]) != 1)
		goto out;
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	r.rc = handshake(c, s);
	r.verify = SSL_get_verify_result(c);
	SSL_get0_alpn_selected(c, &sel, &sel_len);
	if (sel && sel_len < sizeof(r.alpn))
		memcpy(r.alpn, sel, sel_len);
	if (r.rc == 0 && SSL_write(c, "ping", 4) == 4 && SSL_read(s, buf, 4) == 4 &&
	    SSL_write(s, "pong", 4) == 4 && SSL_read(c, buf + 4, 4) == 4)
		r.data = memcmp(buf, "pingpong", 8) == 0;
out:
	SSL_free(c);
	SSL_free(s);
	close(sv[0]);
	close(sv[1]);
	ERR_clear_error();
	return r;
}

#define ALPN_BOTH "\x02h2\x08http/1.1"

static void test_handshakes(struct tlsca *ca)
{
	struct tlsca *other = tlsca_new();
	const char *pem = tlsca_ca_pem(ca);
	struct hs_result r;

	r = run_handshake(ca, pem, "registry.test", "registry.test", ALPN_BOTH, 12);
	ok(r.rc == 0 && r.verify == X509_V_OK && r.data,
	   "handshake: a client trusting only the CA PEM accepts the leaf (rc %d, verify %ld)",
	   r.rc, r.verify);
	ok(strcmp(r.alpn, "http/1.1") == 0, "ALPN: '%s' chosen over h2", r.alpn);
	r = run_handshake(ca, pem, "registry.test", "registry.test", "\x02h2", 3);
	ok(r.rc == 0 && r.alpn[0] == '\0', "a client offering only h2: no ALPN, still a handshake");
	r = run_handshake(ca, pem, "registry.test", "registry.test", NULL, 0);
	ok(r.rc == 0 && r.data, "a client without ALPN");
	r = run_handshake(ca, pem, "other.test", "registry.test", ALPN_BOTH, 12);
	ok(r.rc == -1 && r.verify == X509_V_ERR_HOSTNAME_MISMATCH,
	   "a leaf for another name fails the client's check (rc %d, verify %ld)", r.rc, r.verify);
	r = run_handshake(ca, tlsca_ca_pem(other), "registry.test", "registry.test", ALPN_BOTH, 12);
	ok(r.rc == -1 && r.verify == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	   "another run's CA does not vouch for this run's leaves (verify %ld)", r.verify);
	ok(strcmp(tlsca_ca_pem(other), pem) != 0, "each run has its own CA");
	tlsca_free(other);
}

int main(void)
{
	struct tlsca *ca = tlsca_new();
	X509 *cacert = test_tlsca_parse_pem(tlsca_ca_pem(ca));

	if (!cacert) {
		printf("Bail out! the CA PEM does not parse\n");
		return 1;
	}
	test_ca_cert(ca, cacert);
	test_leaf_shape(ca, cacert);
	test_verify(ca, cacert);
	test_names(ca);
	test_lru();
	test_handshakes(ca);
	test_tlsca_clients(ca);
	X509_free(cacert);
	tlsca_free(ca);
	return tap_done();
}
