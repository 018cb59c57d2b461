/* test_tlsca_clients.c — real TLS clients accept the per-run CA's chain
 * (netproxy/tlsca.c): a child process serves HTTPS on 127.0.0.1 with the
 * leaf for each connection's SNI (127.0.0.1 without one; a name starting
 * with "wrong." gets registry.test's leaf), and curl, python's ssl (with
 * VERIFY_X509_STRICT, the default from Python 3.13), node's tls and openssl
 * s_client connect with the CA's PEM as their only trust.  A client that is
 * not installed is a TAP skip.  Only loopback; no key is written anywhere
 * (the child has the CA in memory, as the supervisor will).
 */
#include "netproxy/tlsca.h"
#include "tap.h"
#include "test_tlsca.h"
#include "util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define BODY "netbox-ok"

static int pick_leaf(SSL *ssl, int *alert UNUSED, void *arg)
{
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

	if (!name)
		name = "127.0.0.1";
	else if (strncmp(name, "wrong.", 6) == 0)
		name = "registry.test";
	return tlsca_use_leaf(arg, ssl, name) == 0 ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_ALERT_FATAL;
}

/* One request per connection: read the head, answer, close. */
static void serve_one(SSL_CTX *ctx, int fd)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\n" BODY;
	SSL *s = SSL_new(ctx);
	char buf[4096];
	size_t got = 0;
	int n;

	if (s && SSL_set_fd(s, fd) == 1 && SSL_accept(s) == 1) {
		while (got < sizeof(buf) - 1 && (n = SSL_read(s, buf + got, (int)(sizeof(buf) - 1 - got))) > 0) {
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n"))
				break;
		}
		if (got)
			SSL_write(s, resp, sizeof(resp) - 1);
		SSL_shutdown(s);
	}
	SSL_free(s);
	ERR_clear_error();
	close(fd);
}

NORETURN static void serve(struct tlsca *ca, int lfd)
{
	SSL_CTX *ctx = tlsca_server_ctx(ca);

	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	SSL_CTX_set_tlsext_servername_callback(ctx, pick_leaf);
	SSL_CTX_set_tlsext_servername_arg(ctx, ca);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd >= 0)
			serve_one(ctx, fd);
	}
}

/* Run @cmd with sh; its stdout (and stderr) in @out.  The exit status, or
 * -1. */
static int run(const char *cmd, char *out, size_t outlen)
{
	char scratch[4096];
	size_t n = 0;
	ssize_t got;
	int pfd[2], st;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	/* Read to the end (a full buffer drops the rest), or the child blocks. */
	while (pid > 0 && (got = read(pfd[0], scratch, sizeof(scratch))) > 0) {
		size_t take = (size_t)got < outlen - 1 - n ? (size_t)got : outlen - 1 - n;

		memcpy(out + n, scratch, take);
		n += take;
	}
	out[n] = '\0';
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool have(const char *tool)
{
	char cmd[128], out[256];

	snprintf(cmd, sizeof(cmd), "command -v %s", tool);
	return run(cmd, out, sizeof(out)) == 0;
}

static void skip(int n, const char *why)
{
	for (int i = 0; i < n; i++)
		ok(1, "# SKIP %s", why);
}

struct ctx {
	char dir[64];
	char ca[96];		/* the run's CA */
	char other[96];		/* another run's */
	int port;
};

/* Run @cmd (a printf format) and check its exit status and output. */
PRINTF(4, 5) static void check(int want_rc, const char *want_out, const char *what,
			       const char *fmt, ...)
{
	char cmd[2048], out[8192];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = run(cmd, out, sizeof(out));
	if (!ok(rc == want_rc && (!want_out || strstr(out, want_out)), "%s", what))
		printf("#   exit %d, output: %.300s\n", rc, out);
}

#define CURL "curl -sS --noproxy '*' --max-time 10 -w ' %%{http_version}' "

static void test_curl(const struct ctx *c)
{
	if (!have("curl"))
		return skip(4, "curl is not installed");
	check(0, BODY " 1.1", "curl --cacert: accepted, HTTP/1.1 over ALPN",
	      CURL "--cacert %s --resolve registry.test:%d:127.0.0.1 https://registry.test:%d/x 2>&1",
	      c->ca, c->port, c->port);
	check(60, NULL, "curl: a leaf for another name is refused (exit 60)",
	      CURL "--cacert %s --resolve wrong.test:%d:127.0.0.1 https://wrong.test:%d/x 2>&1",
	      c->ca, c->port, c->port);
	check(60, NULL, "curl: another run's CA is refused (exit 60)",
	      CURL "--cacert %s --resolve registry.test:%d:127.0.0.1 https://registry.test:%d/x 2>&1",
	      c->other, c->port, c->port);
	check(0, BODY, "curl: an IP address leaf (iPAddress SAN)",
	      CURL "--cacert %s https://127.0.0.1:%d/x 2>&1", c->ca, c->port);
}

static const char py[] =
	"import socket, ssl, sys\n"
	"ctx = ssl.create_default_context(cafile=sys.argv[1])\n"
	"ctx.verify_flags |= ssl.VERIFY_X509_STRICT\n"
	"ctx.set_alpn_protocols(['h2', 'http/1.1'])\n"
	"try:\n"
	"    with socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=10) as s:\n"
	"        with ctx.wrap_socket(s, server_hostname=sys.argv[3]) as t:\n"
	"            t.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\n"
	"            data = b''\n"
	"            while True:\n"
	"                d = t.recv(4096)\n"
	"                if not d: break\n"
	"                data += d\n"
	"            print(t.selected_alpn_protocol(), data.split(b'\\r\\n\\r\\n', 1)[1].decode())\n"
	"except ssl.SSLCertVerificationError as e:\n"
	"    print('verify failed:', e.verify_message)\n"
	"    sys.exit(3)\n";

static const char js[] =
	"const tls = require('tls'), fs = require('fs');\n"
	"const [ca, port, name] = process.argv.slice(2);\n"
	"setTimeout(() => process.exit(4), 10000).unref();\n"
	"const s = tls.connect({ host: '127.0.0.1', port: +port, servername: name,\n"
	"  ca: fs.readFileSync(ca), ALPNProtocols: ['h2', 'http/1.1'] },\n"
	"  () => s.write('GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'));\n"
	"let d = '';\n"
	"s.on('data', (c) => { d += c; });\n"
	"s.on('end', () => console.log(s.alpnProtocol, d.split('\\r\\n\\r\\n')[1]));\n"
	"s.on('error', (e) => { console.log(e.code); process.exit(3); });\n";

static bool write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool good = f && fputs(text, f) >= 0;

	if (f && fclose(f) != 0)
		good = false;
	return good;
}

static void test_python(const struct ctx *c)
{
	char script[128];

	snprintf(script, sizeof(script), "%s/check.py", c->dir);
	if (!have("python3") || !write_text(script, py))
		return skip(3, "python3 is not installed");
	check(0, "http/1.1 " BODY, "python ssl (VERIFY_X509_STRICT): accepted, ALPN http/1.1",
	      "python3 %s %s %d registry.test 2>&1", script, c->ca, c->port);
	check(3, "Hostname mismatch", "python ssl: a leaf for another name is refused",
	      "python3 %s %s %d wrong.test 2>&1", script, c->ca, c->port);
	check(0, BODY, "python ssl: an IP address leaf",
	      "python3 %s %s %d 127.0.0.1 2>&1", script, c->ca, c->port);
}

static void test_node(const struct ctx *c)
{
	char script[128];

	snprintf(script, sizeof(script), "%s/check.js", c->dir);
	if (!have("node") || !write_text(script, js))
		return skip(2, "node is not installed");
	check(0, "http/1.1 " BODY, "node tls: accepted, ALPN http/1.1",
	      "node %s %s %d registry.test 2>&1", script, c->ca, c->port);
	check(3, "ERR_TLS_CERT_ALTNAME_INVALID", "node tls: a leaf for another name is refused",
	      "node %s %s %d wrong.test 2>&1", script, c->ca, c->port);
}

#define S_CLIENT "timeout 10 openssl s_client -connect 127.0.0.1:%d -CAfile %s -verify_return_error " \
		 "-x509_strict -alpn h2,http/1.1 -servername %s -verify_hostname %s </dev/null 2>&1"

static void test_s_client(const struct ctx *c)
{
	if (!have("openssl") || !have("timeout"))
		return skip(2, "openssl or timeout is not installed");
	check(0, "ALPN protocol: http/1.1", "openssl s_client -x509_strict: verified",
	      S_CLIENT, c->port, c->ca, "registry.test", "registry.test");
	check(1, "hostname mismatch", "openssl s_client: a leaf for another name is refused",
	      S_CLIENT, c->port, c->ca, "wrong.test", "wrong.test");
}

/* A listener on 127.0.0.1, its port in @c. */
static int listen_loopback(struct ctx *c)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	c->port = ntohs(a.sin_port);
	return fd;
}

void test_tlsca_clients(struct tlsca *ca)
{
	struct tlsca *other = tlsca_new();
	struct ctx c = { .dir = "/tmp/netbox-tlsca-XXXXXX" };
	char cmd[160], out[64];
	pid_t pid;
	int lfd;

	if (!mkdtemp(c.dir) || (lfd = listen_loopback(&c)) < 0) {
		printf("Bail out! no temporary directory or loopback listener\n");
		exit(1);
	}
	snprintf(c.ca, sizeof(c.ca), "%s/ca.pem", c.dir);
	snprintf(c.other, sizeof(c.other), "%s/other.pem", c.dir);
	if (!write_text(c.ca, tlsca_ca_pem(ca)) || !write_text(c.other, tlsca_ca_pem(other))) {
		printf("Bail out! cannot write %s\n", c.ca);
		exit(1);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		serve(ca, lfd);
	close(lfd);
	test_curl(&c);
	test_python(&c);
	test_node(&c);
	test_s_client(&c);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", c.dir);
	run(cmd, out, sizeof(out));
	tlsca_free(other);
}
