/* doctor_probe.c — netbox --doctor's probes, run inside a sandbox made the
 * normal way (default policy, no rule): netbox's own executable, handed in
 * as a descriptor and run as DOCTOR_PROBE_ARG, so that no python or curl
 * need be installed and a netbox built in a hidden home still runs.
 *
 * Runs as the sandboxed program (its init's child).  It only reads and
 * tries; every destination is TEST-NET-1 (192.0.2.0/24) or a name no rule
 * allows, so nothing would leave even if a probe got through.  Each probe
 * writes one line, "KEY ok|FAIL DETAIL", which doctor.c reads back.
 */
#include "doctor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#define DOCTOR_PROBE_NAME "example.com" /* a real name, which no rule allows */
#define DOCTOR_PROBE_IP "192.0.2.1"     /* TEST-NET-1: routed nowhere */
#define DOCTOR_PROBE_DNS "192.0.2.53"   /* "another DNS server", TEST-NET-1 too */
#define DOCTOR_PROBE_WAIT_MS 5000

PRINTF(3, 4)
static void doctor_probe_say(const struct doctor_probe *p, bool ok, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* One line each: doctor.c reads them back line by line. */
	for (char *c = detail; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	printf("%s %s %s\n", p->key, ok ? "ok" : "FAIL", detail);
	fflush(stdout);
}

static void doctor_probe_resolve(const struct doctor_probe *p, int argc UNUSED, char **argv UNUSED)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	int r = getaddrinfo(DOCTOR_PROBE_NAME, "443", &hints, &res);
	char addr[INET6_ADDRSTRLEN] = "?";

	if (r != 0) {
		doctor_probe_say(p, true, "%s: no address (%s)", DOCTOR_PROBE_NAME, gai_strerror(r));
		return;
	}
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr, addr,
			  sizeof(addr));
	else if (res->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)res->ai_addr)->sin6_addr, addr,
			  sizeof(addr));
	freeaddrinfo(res);
	doctor_probe_say(p, false, "%s resolved to %s", DOCTOR_PROBE_NAME, addr);
}

static void doctor_probe_connect(const struct doctor_probe *p, int argc UNUSED, char **argv UNUSED)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(443) };
	static const char hello[] = "GET / HTTP/1.0\r\n\r\n";
	cleanup_fd int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct pollfd pf = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof(err);
	char buf[256];
	ssize_t n;

	inet_pton(AF_INET, DOCTOR_PROBE_IP, &sa.sin_addr);
	if (fd < 0 || (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)) {
		doctor_probe_say(p, true, "%s:443: refused (%s)", DOCTOR_PROBE_IP, strerror(errno));
		return;
	}
	if (poll(&pf, 1, DOCTOR_PROBE_WAIT_MS) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		doctor_probe_say(p, true, "%s:443: refused (%s)", DOCTOR_PROBE_IP,
				 strerror(err ? err : ETIMEDOUT));
		return;
	}
	/* Inside, every address leads to netbox's listeners: the connection
	 * is netbox's, which must close it without a byte from anywhere. */
	if (send(fd, hello, sizeof(hello) - 1, MSG_NOSIGNAL) < 0) {
		doctor_probe_say(p, true, "%s:443: closed by netbox (%s)", DOCTOR_PROBE_IP, strerror(errno));
		return;
	}
	pf.events = POLLIN;
	if (poll(&pf, 1, DOCTOR_PROBE_WAIT_MS) != 1) {
		doctor_probe_say(p, false, "%s:443: still open after %d s", DOCTOR_PROBE_IP,
				 DOCTOR_PROBE_WAIT_MS / 1000);
		return;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n > 0)
		doctor_probe_say(p, false, "%s:443: connected, and %zd bytes came back", DOCTOR_PROBE_IP, n);
	else
		doctor_probe_say(p, true, "%s:443: closed by netbox, nothing came back (%s)",
				 DOCTOR_PROBE_IP, n == 0 ? "end of stream" : strerror(errno));
}

/* A query for DOCTOR_PROBE_NAME's A record with id @id into @q; its length. */
static size_t doctor_probe_query(unsigned char *q, size_t cap, uint16_t id)
{
	static const unsigned char head[] = { 0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const unsigned char name[] = "\x07" "example" "\x03" "com";
	static const unsigned char tail[] = { 0, 0, 1, 0, 1 }; /* root, A, IN */
	size_t n = 0;

	if (cap < sizeof(head) + sizeof(name) - 1 + sizeof(tail))
		return 0;
	memcpy(q, head, sizeof(head));
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	n = sizeof(head);
	memcpy(q + n, name, sizeof(name) - 1);
	n += sizeof(name) - 1;
	memcpy(q + n, tail, sizeof(tail));
	return n + sizeof(tail);
}

static void doctor_probe_dns(const struct doctor_probe *p, int argc UNUSED, char **argv UNUSED)
{
	static const char *const rcodes[16] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
						"NOTIMP", "REFUSED" };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	cleanup_fd int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	unsigned char q[64], a[512];
	struct timespec ts;
	uint16_t id;
	size_t qlen;
	ssize_t n;
	unsigned rcode, ancount;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	id = (uint16_t)(ts.tv_nsec ^ getpid());
	qlen = doctor_probe_query(q, sizeof(q), id);
	inet_pton(AF_INET, DOCTOR_PROBE_DNS, &sa.sin_addr);
	/* Connected: only an answer from that address and port is read. */
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || send(fd, q, qlen, 0) < 0) {
		doctor_probe_say(p, false, "cannot send a query to %s:53 (%s)", DOCTOR_PROBE_DNS,
				 strerror(errno));
		return;
	}
	if (poll(&pf, 1, DOCTOR_PROBE_WAIT_MS) != 1 || (n = recv(fd, a, sizeof(a), 0)) < 0) {
		doctor_probe_say(p, false, "no answer from %s:53 within %d s", DOCTOR_PROBE_DNS,
				 DOCTOR_PROBE_WAIT_MS / 1000);
		return;
	}
	if (n < 12 || a[0] != q[0] || a[1] != q[1] || !(a[2] & 0x80)) {
		doctor_probe_say(p, false, "%s:53 answered %zd bytes that are not an answer to the query",
				 DOCTOR_PROBE_DNS, n);
		return;
	}
	rcode = a[3] & 0xfu;
	ancount = (unsigned)a[6] << 8 | a[7];
	doctor_probe_say(p, ancount == 0 && rcode != 0, "%s:53 answered %s for %s with %u address%s",
			 DOCTOR_PROBE_DNS, rcodes[rcode] ? rcodes[rcode] : "an error", DOCTOR_PROBE_NAME,
			 ancount, ancount == 1 ? "" : "es");
}

/* argv[2]: the home; argv[3...]: what the doctor saw in it outside. */
static void doctor_probe_home(const struct doctor_probe *p, int argc, char **argv)
{
	char path[4096], seen[256] = "";
	size_t nseen = 0, o = 0;
	struct stat st;

	if (argc < 3) {
		doctor_probe_say(p, true, "no home outside (nothing to hide)");
		return;
	}
	for (int i = 3; i < argc; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", argv[2], argv[i]) >= sizeof(path) ||
		    lstat(path, &st) < 0)
			continue;
		nseen++;
		if (o < sizeof(seen))
			o += (size_t)snprintf(seen + o, sizeof(seen) - o, "%s%s", nseen > 1 ? ", " : "",
					      argv[i]);
	}
	if (nseen)
		doctor_probe_say(p, false, "%zu of the %d entries of %s seen outside are visible: %s",
				 nseen, argc - 3, argv[2], seen);
	else if (argc == 3)
		doctor_probe_say(p, true, "%s: empty outside too (nothing to compare)", argv[2]);
	else
		doctor_probe_say(p, true, "%s: none of the %d entries seen outside (%s%s) is visible",
				 argv[2], argc - 3, argv[3], argc > 4 ? ", ..." : "");
}

static void doctor_probe_userns(const struct doctor_probe *p, int argc UNUSED, char **argv UNUSED)
{
	if (unshare(CLONE_NEWUSER) == 0)
		doctor_probe_say(p, false, "unshare(CLONE_NEWUSER) succeeded");
	else
		doctor_probe_say(p, true, "unshare(CLONE_NEWUSER): %s", strerror(errno));
}

/* "NAME:\tVALUE" of /proc/self/status: true if it is @want. */
static void doctor_probe_status(const struct doctor_probe *p, const char *name, const char *want)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256], value[64] = "(missing)";
	size_t len = strlen(name);

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			snprintf(value, sizeof(value), "%s", line + len + 1 + strspn(line + len + 1, " \t"));
			value[strcspn(value, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	doctor_probe_say(p, strcmp(value, want) == 0, "%s: %s in /proc/self/status", name, value);
}

static void doctor_probe_nnp(const struct doctor_probe *p, int argc UNUSED, char **argv UNUSED)
{
	doctor_probe_status(p, "NoNewPrivs", "1");
}

static void doctor_probe_seccomp(const struct doctor_probe *p, int argc UNUSED, char **argv UNUSED)
{
	doctor_probe_status(p, "Seccomp", "2");
}

static void doctor_probe_setuid(const struct doctor_probe *p, int argc UNUSED, char **argv UNUSED)
{
	if (setuid(0) == 0)
		doctor_probe_say(p, false, "setuid(0) succeeded");
	else
		doctor_probe_say(p, true, "setuid(0): %s", strerror(errno));
}

const struct doctor_probe doctor_probes[] = {
	{ "resolve", "a name no rule allows does not resolve", doctor_probe_resolve },
	{ "connect", "a raw IP address does not connect", doctor_probe_connect },
	{ "dns", "DNS sent to another server is answered by netbox", doctor_probe_dns },
	{ "home", "your home is hidden", doctor_probe_home },
	{ "userns", "a nested user namespace is refused", doctor_probe_userns },
	{ "nnp", "no_new_privs is set", doctor_probe_nnp },
	{ "seccomp", "the system call filter is on", doctor_probe_seccomp },
	{ "setuid", "root cannot be had back", doctor_probe_setuid },
};
const size_t doctor_nprobes = ARRAY_SIZE(doctor_probes);

int doctor_probe_main(int argc, char **argv)
{
	/* Only the sandbox's init (pid 1 there) starts it: run anywhere
	 * else, it would send its probes to the host's network. */
	if (getppid() != 1)
		die("it is run by netbox --doctor, inside a sandbox", "%s is not for use by hand",
		    DOCTOR_PROBE_ARG);
	for (size_t i = 0; i < doctor_nprobes; i++)
		doctor_probes[i].fn(&doctor_probes[i], argc, argv);
	fflush(stdout);
	/* _exit: a sanitizer build's leak check at exit would need ptrace,
	 * which the sandbox refuses. */
	_exit(0);
}
