/* inspect_tls.c — the TLS of inspected connections (inspect.h), and the I/O
 * of a side whether it speaks TLS or not.  Runs in the supervisor:
 * inspect_tls_new() once, before it isolates itself; the rest on the
 * proxy's loop.
 *
 * The program's side is a TLS server with the run's CA's leaf for the name
 * (tlsca.c: TLS >= 1.2, ALPN http/1.1 only).  The upstream side is netbox's
 * own TLS client: SNI the name, the certificate verified against the host's
 * trust store with the name checked (SSL_set1_host), TLS >= 1.2, ALPN
 * http/1.1 only (HTTP/2 is not inspected: the program is offered HTTP/1.1,
 * so is the host).
 *
 * The trust store is read whole before isolation.  openssl reads its
 * default directory lazily, a file per issuer hash as certificates need
 * them, which the empty root the supervisor lives in later (supervisor/
 * isolate.c) would turn into "unable to get local issuer certificate".  So
 * every file a lookup could open is read now: SSL_CERT_FILE (else
 * openssl's default file) and each HASH.N file of the directories of
 * SSL_CERT_DIR (else openssl's default directory), as openssl would.
 *
 * kTLS is not used yet.  SSL_OP_ENABLE_KTLS would let openssl hand the
 * record layer to the kernel (setsockopt TCP_ULP "tls", then SOL_TLS
 * TLS_TX/TLS_RX), after which a Content-Length body could go through the
 * relay's splice(2) with no copy in user space.  What it needs: the
 * supervisor's seccomp allow-list to take setsockopt(IPPROTO_TCP,
 * TCP_ULP) and setsockopt(SOL_TLS, ...) (isolate_rules.c allows
 * IPPROTO_TCP's TCP_NODELAY only, on purpose), the kernel's tls module
 * (not loadable from inside a namespace), BIO_get_ktls_send()/recv()
 * checked per side, and inspect.c splicing between the two sockets for a
 * body's length once both sides have kTLS, parsing again after it.
 */
#include "netproxy/inspect_internal.h"
#include "trustpaths.h"
#include "netproxy/tlsca.h"

#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct inspect_tls {
	struct tlsca *ca;
	SSL_CTX *upstream;
};

/* Certificates (and CRLs) in @st. */
static int inspect_tls_count(X509_STORE *st)
{
	return sk_X509_OBJECT_num(X509_STORE_get0_objects(st));
}

/* A name openssl's directory lookup opens: 8 hex digits, '.', digits
 * (HASH.rN are CRLs: not read, as openssl's default setup reads none). */
static bool inspect_tls_hash_name(const char *n)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
			return false;
	if (n[8] != '.' || !n[9])
		return false;
	for (i = 9; n[i]; i++)
		if (n[i] < '0' || n[i] > '9')
			return false;
	return true;
}

static void inspect_tls_load_dir(X509_STORE *st, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!inspect_tls_hash_name(e->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			X509_STORE_load_file(st, path);
	}
	closedir(d);
}

/* The host's trust store, as openssl's defaults would find it.  Dies only
 * when out of memory. */
static X509_STORE *inspect_tls_store(void)
{
	const char *file = getenv(X509_get_default_cert_file_env());
	const char *dirs = getenv(X509_get_default_cert_dir_env());
	X509_STORE *st = X509_STORE_new();
	char *list, *save = NULL;

	if (!st)
		die(NULL, "out of memory for the trust store of TLS inspection");
	if (!file)
		file = X509_get_default_cert_file();
	if (!dirs)
		dirs = X509_get_default_cert_dir();
	if (access(file, R_OK) == 0)
		X509_STORE_load_file(st, file);
	/* openssl built for another layout (Debian's finds nothing on a
	 * Fedora tree): the distributions' bundles, as cabundle.c reads them. */
	for (size_t i = 0; i < TRUSTPATHS_N && !getenv(X509_get_default_cert_file_env()) &&
			   inspect_tls_count(st) == 0; i++)
		if (access(trustpaths_bundles[i], R_OK) == 0)
			X509_STORE_load_file(st, trustpaths_bundles[i]);
	list = xstrdup(dirs);
	for (char *d = strtok_r(list, ":", &save); d; d = strtok_r(NULL, ":", &save))
		inspect_tls_load_dir(st, d);
	free(list);
	/* Duplicates (the bundle and the directory hold the same
	 * certificates) and unreadable files are no failure. */
	ERR_clear_error();
	/* Not fatal: a run may inspect only plain HTTP; each HTTPS request
	 * will get a 502 saying its host's certificate does not verify. */
	if (inspect_tls_count(st) == 0)
		warn("no trusted certificates in %s nor in %s: the hosts netbox inspects over HTTPS "
		     "will be refused — install your system's CA certificates, or point SSL_CERT_FILE "
		     "at a PEM bundle", file, dirs);
	return st;
}

struct inspect_tls *inspect_tls_new(struct tlsca *ca)
{
	struct inspect_tls *t = xcalloc(1, sizeof(*t));
	static const unsigned char alpn[] = "\x08http/1.1";
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1) != 0)
		die("check that openssl 3 (libssl3) is installed and working",
		    "cannot make the TLS context of inspection's upstream side");
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
				 SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_store(ctx, inspect_tls_store());
	t->ca = ca;
	t->upstream = ctx;
	return t;
}

void inspect_tls_free(struct inspect_tls *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->upstream);
	free(t);
}

int inspect_tls_side(struct inspect *in, struct inspect_side *s)
{
	SSL *ssl;
	int r = 0;

	if (!in->tls)
		return -EINVAL;
	ssl = SSL_new(s->upstream ? in->tls->upstream : tlsca_server_ctx(in->tls->ca));
	if (!ssl) {
		ERR_clear_error();
		return -ENOMEM;
	}
	/* Buffers are freed while idle; writes may be partial, and retried
	 * from a buffer that moved (inspect.c compacts them). */
	SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
			  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (s->upstream) {
		if (SSL_set_tlsext_host_name(ssl, in->name) != 1 || SSL_set1_host(ssl, in->name) != 1)
			r = -ENOMEM;
		SSL_set_connect_state(ssl);
	} else {
		r = tlsca_use_leaf(in->tls->ca, ssl, in->name);
		SSL_set_accept_state(ssl);
	}
	if (r == 0 && SSL_set_fd(ssl, s->fd) != 1)
		r = -ENOMEM;
	if (r < 0) {
		ERR_clear_error();
		SSL_free(ssl);
		return r;
	}
	s->ssl = ssl;
	return 0;
}

void inspect_tls_side_free(struct inspect_side *s)
{
	SSL_free(s->ssl);
	s->ssl = NULL;
}

/* What a failed SSL call @r means: -EAGAIN (and what to wait for), 0 at
 * the end of the stream, or -errno.  openssl's error queue is emptied. */
static ssize_t inspect_io_ssl_error(struct inspect_side *s, int r)
{
	int e = SSL_get_error(s->ssl, r), err = errno;

	switch (e) {
	case SSL_ERROR_WANT_READ:
		s->need |= EV_READ;
		return -EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		s->need |= EV_WRITE;
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		return err ? -err : -EIO;
	default:
		s->ssl_err = ERR_peek_last_error();
		ERR_clear_error();
		return -EPROTO;
	}
}

int inspect_io_handshake(struct inspect_side *s)
{
	int r;

	if (s->ready)
		return 1;
	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(s->ssl);
	if (r == 1) {
		s->ready = true;
		return 1;
	}
	r = (int)inspect_io_ssl_error(s, r);
	return r == -EAGAIN ? 0 : -EPROTO;
}

void inspect_io_failure(const struct inspect_side *s, char *out, size_t len)
{
	long v = s->ssl ? SSL_get_verify_result(s->ssl) : X509_V_OK;
	const char *reason = s->ssl_err ? ERR_reason_error_string(s->ssl_err) : NULL;

	if (s->upstream && v != X509_V_OK)
		snprintf(out, len, "its certificate does not verify: %s", X509_verify_cert_error_string(v));
	else
		snprintf(out, len, "the TLS handshake failed: %s",
			 reason ? reason : "the connection closed or reset");
}

ssize_t inspect_io_read(struct inspect_side *s, void *buf, size_t len)
{
	ssize_t n;

	if (!s->ssl) {
		n = read(s->fd, buf, len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			s->need |= EV_READ;
			return -EAGAIN;
		}
		return n < 0 ? -errno : n;
	}
	ERR_clear_error();
	errno = 0;
	n = SSL_read(s->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
	return n > 0 ? n : inspect_io_ssl_error(s, (int)n);
}

ssize_t inspect_io_write(struct inspect_side *s, const void *buf, size_t len)
{
	ssize_t n;

	if (!s->ssl) {
		n = send(s->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			s->need |= EV_WRITE;
			return -EAGAIN;
		}
		return n < 0 ? -errno : n;
	}
	ERR_clear_error();
	errno = 0;
	n = SSL_write(s->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
	if (n > 0)
		return n;
	n = inspect_io_ssl_error(s, (int)n);
	return n == 0 ? -EPIPE : n;
}

int inspect_io_shutdown(struct inspect_side *s)
{
	if (s->shut)
		return 1;
	if (s->ssl && s->ready) {
		int r;

		ERR_clear_error();
		errno = 0;
		/* 0: our close_notify went, the peer's is not awaited. */
		r = SSL_shutdown(s->ssl);
		if (r < 0) {
			ssize_t e = inspect_io_ssl_error(s, r);

			if (e == -EAGAIN)
				return 0;
		}
	}
	s->shut = true;
	if (shutdown(s->fd, SHUT_WR) < 0 && errno != ENOTCONN)
		return -errno;
	return 1;
}
