/* cabundle.c — the run's CA and the bundle the sandbox trusts, made in the
 * supervisor for a run that inspects (launcher/trust.c says how the
 * sandbox gets them).
 *
 * Called by supervise_main() once the sandbox init is forked, and before
 * isolate_supervisor(): the CA's key is then only in this process's memory
 * (the init, forked before, never had it; the program is the init's child),
 * and openssl reads what it needs (its configuration, the host's bundle)
 * while there is a file system to read it from.  The supervisor is made
 * non-dumpable here, before the key exists, rather than only once it
 * serves: no process of yours can read it through /proc/PID/mem meanwhile.
 *
 * The bundle is the host's — $SSL_CERT_FILE when you set one (a corporate
 * CA), else openssl's default file, else the first of the distributions'
 * paths — then the run's certificate.  Only its certificate blocks are
 * copied: a file that also holds a key (a PEM of a client certificate and
 * its key, named by SSL_CERT_FILE) gives the sandbox its certificates only.
 */
#include "cabundle.h"
#include "trustpaths.h"
#include "channel.h"
#include "trust.h"
#include "netproxy/tlsca.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define CABUNDLE_BEGIN "-----BEGIN CERTIFICATE-----"
#define CABUNDLE_END "-----END CERTIFICATE-----"

/* The whole of @path, if it is a regular file of 1 to @max bytes; NULL
 * otherwise.  *@len: its size. */
static char *cabundle_read(const char *path, size_t max, size_t *len)
{
	cleanup_fd int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *data;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (size_t)st.st_size > max)
		return NULL;
	data = xmalloc((size_t)st.st_size + 1);
	if (read_all(fd, data, (size_t)st.st_size) != st.st_size) {
		free(data);
		return NULL;
	}
	data[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	return data;
}

/* The certificate blocks of @data, each ending with a newline, to @fd;
 * how many bytes. */
static size_t cabundle_copy_certs(const char *data, int fd)
{
	size_t total = 0;

	for (const char *p = strstr(data, CABUNDLE_BEGIN); p; p = strstr(p, CABUNDLE_BEGIN)) {
		const char *end = strstr(p, CABUNDLE_END);
		size_t n;

		if (!end)
			break;
		n = (size_t)(end + strlen(CABUNDLE_END) - p);
		if (write_all(fd, p, n) < 0 || write_all(fd, "\n", 1) < 0)
			die_errno(NULL, "cannot make the sandbox's CA bundle");
		total += n + 1;
		p += n;
	}
	return total;
}

/* The host's CAs to @fd; how many bytes. */
static size_t cabundle_host(int fd)
{
	const char *env = getenv(X509_get_default_cert_file_env());
	const char *first[] = { env, X509_get_default_cert_file() };
	size_t max = TRUST_MAX_BUNDLE - TRUST_MAX_CA;

	for (size_t i = 0; i < ARRAY_SIZE(first) + TRUSTPATHS_N; i++) {
		const char *path = i < ARRAY_SIZE(first) ? first[i] : trustpaths_bundles[i - ARRAY_SIZE(first)];
		cleanup_free char *data = NULL;
		size_t len, n;

		if (!path || !path[0] || !(data = cabundle_read(path, max, &len)))
			continue;
		n = cabundle_copy_certs(data, fd);
		if (n)
			return n;
	}
	notice("no system CA bundle found (SSL_CERT_FILE, %s): the program trusts only the run's CA",
	       X509_get_default_cert_file());
	return 0;
}

/* X509_NAME_hash() of the subject of the certificate in @pem, or 0. */
static uint32_t cabundle_hash(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	uint32_t h = x ? (uint32_t)X509_subject_name_hash(x) : 0;

	X509_free(x);
	BIO_free(bio);
	return h;
}

struct tlsca *cabundle_send(int chan)
{
	struct channel_trust m = { 0 };
	struct tlsca *ca;
	cleanup_fd int fd = -1;
	size_t host;
	const char *pem;

	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		die_errno(NULL, "the supervisor cannot make itself non-dumpable");
	ca = tlsca_new();
	pem = tlsca_ca_pem(ca);
	fd = memfd_create("netbox-ca-bundle", MFD_CLOEXEC);
	if (fd < 0)
		die_errno(NULL, "cannot make the sandbox's CA bundle");
	host = cabundle_host(fd);
	if (host > TRUST_MAX_BUNDLE - TRUST_MAX_CA)
		die("point SSL_CERT_FILE at a smaller bundle", "the host's CA bundle is over %u MiB",
		    (TRUST_MAX_BUNDLE - TRUST_MAX_CA) >> 20);
	if (write_all(fd, pem, strlen(pem)) < 0)
		die_errno(NULL, "cannot make the sandbox's CA bundle");
	m.bundle_len = (uint32_t)(host + strlen(pem));
	m.ca_len = (uint32_t)strlen(pem);
	m.ca_hash = cabundle_hash(pem);
	/* The init gone, handover_listeners() says so; nothing to add. */
	channel_send(chan, CHANNEL_TRUST, &m, sizeof(m), &fd, 1);
	return ca;
}

#ifdef NETBOX_TEST_HOOKS
/* A client that trusts @ca only: its certificate in the store, the peer
 * and @name checked. */
static SSL *cabundle_test_client(struct tlsca *ca, SSL_CTX *ctx, const char *name)
{
	BIO *bio = BIO_new_mem_buf(tlsca_ca_pem(ca), -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	bool ok = x && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x) == 1;
	SSL *c = NULL;

	X509_free(x);
	BIO_free(bio);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (ok && (c = SSL_new(ctx)) &&
	    (SSL_set1_host(c, name) != 1 || SSL_set_tlsext_host_name(c, name) != 1)) {
		SSL_free(c);
		c = NULL;
	}
	return c;
}

int cabundle_test_handshake(struct tlsca *ca, const char *name)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *c = ctx ? cabundle_test_client(ca, ctx, name) : NULL;
	SSL *s = SSL_new(tlsca_server_ctx(ca));
	BIO *cb = NULL, *sb = NULL;
	int r = -ENOMEM, rc = 0, rs = 0;

	if (c && s && (r = tlsca_use_leaf(ca, s, name)) == 0 && BIO_new_bio_pair(&cb, 0, &sb, 0) == 1) {
		SSL_set_bio(c, cb, cb);
		SSL_set_bio(s, sb, sb);
		SSL_set_connect_state(c);
		SSL_set_accept_state(s);
		for (int i = 0; i < 20 && (rc != 1 || rs != 1); i++) {
			rc = SSL_do_handshake(c);
			rs = SSL_do_handshake(s);
		}
		r = rc == 1 && rs == 1 && SSL_get_verify_result(c) == X509_V_OK ? 0 : -EPROTO;
	}
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(ctx);
	return r;
}
#endif
