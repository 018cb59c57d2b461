/* logsample.c — every kind of --log record, as common/report_log.c writes
 * it, on stdout: meson test logschema checks the lines against
 * docs/log.schema.json (tests/lint/logschema.py --all-events).  Two runs,
 * attribution on then off; each event with and without a process (one of
 * them an npm lifecycle script), TCP and UDP, names and raw IPv4/IPv6
 * addresses, and hostile bytes (ESC, C1, 0xff, quotes, newlines, a
 * backslash, long values that the escaping cuts) in every string the
 * program chooses: names, SNI, reasons, paths, exe, arguments, package.
 * Not a TAP test itself: the checker is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "report.h"

#define HOSTILE "\x1b[2J\xc2\x9b\xff\"q\\\nallow *"

static struct report_proc logsample_procs[3];

/* @p: pid, exe and the @argc arguments of @argv, and a package when @pkg. */
static void logsample_proc(struct report_proc *p, int pid, const char *exe, int argc,
			   const char *const *argv, const char *pkg, const char *version,
			   const char *script)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(p->exe, sizeof(p->exe), "%s", exe);
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		if (p->argv_len + l > sizeof(p->argv)) {
			p->argv_truncated = true;
			break;
		}
		memcpy(p->argv + p->argv_len, argv[i], l);
		p->argv_len += l;
	}
	snprintf(p->pkg_name, sizeof(p->pkg_name), "%s", pkg ? pkg : "");
	snprintf(p->pkg_version, sizeof(p->pkg_version), "%s", version ? version : "");
	snprintf(p->pkg_script, sizeof(p->pkg_script), "%s", script ? script : "");
}

/* The processes: an npm postinstall, a hostile one whose arguments do not
 * fit, one whose executable and arguments are unknown. */
static void logsample_procs_init(void)
{
	static const char *const node[] = { "node", "install.js" };
	static char big[400];
	const char *hostile[] = { HOSTILE, "", big, big };

	memset(big, 0xff, sizeof(big) - 1);
	logsample_proc(&logsample_procs[0], 42, "/usr/bin/node", 2, node, "evil-pkg", "1.0.0",
		       "postinstall");
	logsample_proc(&logsample_procs[1], 7, "/tmp/" HOSTILE, 4, hostile, HOSTILE, "", "");
	logsample_proc(&logsample_procs[2], 1, "", 0, NULL, NULL, NULL, NULL);
}

/* Attribution: the process of each client port (0: none told). */
static const struct report_proc *logsample_attrib(void *ctx, int proto,
						  const struct in6_addr *client,
						  uint16_t client_port)
{
	(void)ctx;
	(void)proto;
	(void)client;
	return client_port ? &logsample_procs[(client_port - 1) % 3] : NULL;
}

static struct in6_addr logsample_addr(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

static void logsample_dns(struct report *r, const struct report_proc *p)
{
	report_dns(r, &(struct report_dns){ .name = "registry.npmjs.org", .qtype = 1, .allowed = true,
					    .rule = "registry.npmjs.org", .origin = "/p/npm.profile:5",
					    .proc = p });
	report_dns(r, &(struct report_dns){ .name = "a.test", .qtype = 99, .allowed = true,
					    .rule = "*", .proc = p });
	report_dns(r, &(struct report_dns){ .name = "attacker.example", .qtype = 28, .proc = p });
	report_dns(r, &(struct report_dns){ .name = "evil.test", .qtype = 65, .rule = "evil.test",
					    .origin = "command line",
					    .reason = "rule 'evil.test' (command line)", .proc = p });
	report_dns(r, &(struct report_dns){ .name = HOSTILE, .qtype = 16,
					    .reason = "invalid name\n" HOSTILE, .proc = p });
}

static void logsample_conns(struct report *r, const struct report_proc *p)
{
	struct report_conn ok = { .name = "registry.npmjs.org", .port = 443, .allowed = true,
				  .dst = logsample_addr("::ffff:198.18.0.5"),
				  .upstream = logsample_addr("::ffff:104.16.1.34"), .has_upstream = true,
				  .rule = "registry.npmjs.org", .origin = "/p/npm.profile:5",
				  .sni = "registry.npmjs.org", .proc = p };
	struct report_conn ok6 = { .port = 8080, .allowed = true, .dst = logsample_addr("2001:db8::11"),
				   .rule = "[2001:db8::11]:8080", .proc = p };

	/* Allowed: decided (no record), then ended with its counts. */
	report_connection(r, &ok);
	ok.bytes_up = 726;
	ok.bytes_down = 2253;
	ok.duration_ns = 181234567;
	report_connection_end(r, &ok);
	report_connection(r, &ok6);
	report_connection_end(r, &ok6);
	/* Through an upstream proxy: carried (the proxy resolved the name),
	 * and refused there. */
	report_connection_end(r, &(struct report_conn){ .name = "registry.test", .port = 443, .allowed = true,
							.dst = logsample_addr("::ffff:198.18.0.8"),
							.via = "proxy.test:3128", .bytes_up = 700, .proc = p });
	report_connection_failed(r, &(struct report_conn){ .name = "registry.test", .port = 443, .allowed = true,
							   .dst = logsample_addr("::ffff:198.18.0.8"),
							   .via = "proxy.test:3128", .proc = p,
							   .via_error = "upstream proxy proxy.test:3128 (HTTPS_PROXY) refused registry.test:443: 407 Proxy Authentication Required" });
	/* Refused: by name, an SNI that does not match, raw IPv4 and IPv6, UDP. */
	report_connection(r, &(struct report_conn){ .name = "registry.npmjs.org", .port = 4444,
						    .dst = logsample_addr("::ffff:198.18.0.5"),
						    .proc = p });
	report_connection(r, &(struct report_conn){ .name = "www.google.com", .port = 443,
						    .dst = logsample_addr("::ffff:198.18.0.6"),
						    .sni = HOSTILE,
						    .reason = "SNI " HOSTILE " does not match www.google.com",
						    .proc = p });
	report_connection(r, &(struct report_conn){ .port = 4444,
						    .dst = logsample_addr("::ffff:198.51.100.30"),
						    .proc = p });
	report_connection(r, &(struct report_conn){ .port = 22, .dst = logsample_addr("2001:db8::22"),
						    .reason = "no rule", .proc = p });
	report_connection(r, &(struct report_conn){ .proto = IPPROTO_UDP, .port = 9999,
						    .dst = logsample_addr("::ffff:198.51.100.30"),
						    .reason = "UDP is not proxied", .proc = p });
	report_connection(r, &(struct report_conn){ .proto = IPPROTO_UDP, .name = "evil.test",
						    .port = 123, .dst = logsample_addr("::ffff:198.18.0.7"),
						    .proc = p });
}

static void logsample_sockets(struct report *r, const struct report_proc *p)
{
	static const struct report_socket socks[] = {
		{ AF_INET, SOCK_RAW, IPPROTO_ICMP, EPERM, NULL },
		{ AF_INET, SOCK_DGRAM, IPPROTO_ICMP, EACCES, NULL },
		{ AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, EPERM, NULL },
		{ AF_PACKET, SOCK_RAW, 768, EPERM, NULL },
		{ AF_NETLINK, SOCK_RAW, 0, EAFNOSUPPORT, NULL },
		{ 99, 12, -1, EPERM, NULL },
	};

	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		struct report_socket s = socks[i];

		s.proc = p;
		report_socket(r, &s);
	}
	report_unix(r, &(struct report_unix){ .path = "/run/docker.sock",
					      .reason = "the host's unix sockets are hidden", .proc = p });
	report_unix(r, &(struct report_unix){ .path = "/run/user/1000/" HOSTILE,
					      .reason = "no such socket in the sandbox: " HOSTILE,
					      .proc = p });
}

/* Requests on an inspected connection: allowed, refused by a rule, refused
 * for another Host, a hostile path and query. */
static void logsample_requests(struct report *r, const struct report_proc *p)
{
	report_request(r, &(struct report_request){ .name = "registry.test", .port = 443,
		.method = "GET", .path = "/lab-hello", .status = 200, .allowed = true,
		.rule = "GET,HEAD https://registry.test/", .origin = "command line",
		.bytes_up = 120, .bytes_down = 4096, .duration_ns = 2500000, .proc = p });
	report_request(r, &(struct report_request){ .name = "registry.test", .port = 443,
		.method = "PUT", .path = "/lab-hello", .status = 403,
		.reason = "no rule allows PUT https://registry.test/lab-hello", .proc = p });
	report_request(r, &(struct report_request){ .name = "registry.test", .port = 443,
		.method = "GET", .path = "/" HOSTILE, .query = "q=" HOSTILE, .status = 403,
		.rule = "PUT,DELETE registry.test", .origin = "command line",
		.reason = "Host evil.test is not registry.test", .proc = p });
}

/* One run: start, every event from each client (attribution off: none
 * told), end. */
static void logsample_run(bool attrib, char *const *argv)
{
	struct report *r = report_new(true, stdout);
	struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;

	if (attrib)
		report_set_attrib(r, logsample_attrib, NULL);
	report_start(r, argv);
	for (uint16_t port = 0; port < 4; port++) {
		const struct report_proc *p = report_attribute(r, IPPROTO_TCP, &lo, port);

		logsample_dns(r, p);
		logsample_conns(r, p);
		logsample_sockets(r, p);
		logsample_requests(r, p);
	}
	report_end(r, attrib ? 3 : 0);
	report_free(r);
}

int main(void)
{
	char *npm[] = { "npm", "install", "./evil-pkg", NULL };
	char *hostile[] = { "sh", "-c", HOSTILE, NULL };

	logsample_procs_init();
	logsample_run(true, npm);
	logsample_run(false, hostile);
	return fflush(stdout) == 0 ? 0 : 1;
}
