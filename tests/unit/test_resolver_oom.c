/* test_resolver_oom.c — allocation failures, from the resolver's unit tests
 * (test_resolver.c runs them): every allocation of netbox's own code on the
 * UDP, TCP, forward and lookup paths failing in turn gives SERVFAIL, a reset
 * TCP client or -ENOMEM, never an exit, and serving goes on.  The program is
 * linked with --wrap=malloc,... (dns/meson.build); the wrappers are here.
 */
#include "dns/resolver.h"

#include "dns/dnscodec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"
#include "test_resolver.h"

/* ---- out of memory -------------------------------------------------------- */

#include "oomwrap.h"

/* Send one framed query on a new TCP connection; 1 if an answer came, 0 if
 * the connection was reset or closed without one. */
static int oom_tcp_ask(const char *name, uint16_t qtype, uint16_t id, struct reply *r)
{
	uint8_t buf[600], a[4096];
	size_t l = mkquery(buf + 2, id, name, qtype, DNS_CLASS_IN, false), got;
	bool eof;
	int fd = tcp_connect();

	if (fd < 0)
		return 0;
	run_for(20);
	put16(buf, (uint16_t)l);
	send(fd, buf, 2 + l, MSG_NOSIGNAL);
	got = tcp_read(fd, a, 2, 3000, &eof);
	if (got == 2)
		got = tcp_read(fd, a + 2, get16(a), 3000, &eof);
	close(fd);
	return got >= DNS_HDR_LEN && parse_reply(a + 2, got, r) == 0 && r->id == id;
}

/* A resolver without memory answers SERVFAIL or resets one TCP client, and
 * goes on serving once memory is back.  A second resolver, without a
 * report (whose host table is no part of dns/), so that only the
 * resolver's own allocations meet the failures. */
void test_oom(void)
{
	struct resolver *saved = res;
	uint16_t saved_udp = udp_port, saved_tcp = tcp_port;
	struct resolver_req *req = NULL;
	struct got g = { 0 };
	struct reply r;
	char servers[64], name[64];
	int fd, answered = 0, servfail = 0, fine = 0, reset = 0, tcp_fine = 0;
	struct sockaddr_in up;
	socklen_t ul = sizeof(up);

	res = resolver_new(base, oom_policy, NULL);
	getsockname(upstream_fd, (struct sockaddr *)&up, &ul);
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", ntohs(up.sin_port));
	resolver_set_upstream_for_test(res, servers, 200);
	fd = bound_socket(SOCK_DGRAM, &udp_port);
	ok(resolver_add_udp(res, fd) == 0, "OOM resolver: UDP socket served");
	fd = bound_socket(SOCK_STREAM, &tcp_port);
	ok(resolver_add_tcp(res, fd) == 0, "OOM resolver: TCP listener served");

	/* UDP: each allocation on the path fails in turn. */
	for (int n = 0; n < 8; n++) {
		snprintf(name, sizeof(name), "u%d.oom.test", n);
		oom_after = n;
		if (ask(name, DNS_TYPE_A, (uint16_t)(0xc000 + n), &r) == 0) {
			answered++;
			servfail += r.rcode == DNS_RCODE_SERVFAIL;
			fine += r.rcode == DNS_RCODE_NOERROR && r.an == 1 && in_fake_range(r.rdata);
		}
		oom_after = -1;
	}
	is_int(answered, 8, "UDP, allocations failing from the 1st to the 8th on: always an answer");
	ok(servfail >= 1 && fine >= 1 && servfail + fine == 8, "  SERVFAIL (%d) or the fake address (%d)",
	   servfail, fine);
	oom_after = 0;
	ok(ask("txt.test", DNS_TYPE_TXT, 0xc100, &r) == 0 && r.rcode == DNS_RCODE_SERVFAIL,
	   "forwarded type without memory: SERVFAIL");
	oom_after = -1;
	ok(ask("after.oom.test", DNS_TYPE_A, 0xc101, &r) == 0 && r.rcode == DNS_RCODE_NOERROR &&
	   r.an == 1, "memory back: answered");

	/* TCP: no client without memory; a client whose reply cannot be
	 * queued is reset; the others are served. */
	oom_after = 0;
	ok(!oom_tcp_ask("after.oom.test", DNS_TYPE_A, 0xc200, &r),
	   "TCP accept without memory: connection reset, no answer");
	oom_after = -1;
	for (int n = 1; n < 11; n++) {
		snprintf(name, sizeof(name), "t%d.oom.test", n);
		oom_after = n;
		if (oom_tcp_ask(name, DNS_TYPE_A, (uint16_t)(0xc300 + n), &r))
			tcp_fine += r.rcode == DNS_RCODE_SERVFAIL || r.rcode == DNS_RCODE_NOERROR;
		else
			reset++;
		oom_after = -1;
	}
	ok(reset >= 1 && tcp_fine >= 1 && reset + tcp_fine == 10,
	   "TCP, failing from the 2nd to the 11th on: reset (%d) or an answer (%d)", reset, tcp_fine);
	ok(oom_tcp_ask("after.oom.test", DNS_TYPE_A, 0xc400, &r) && r.an == 1,
	   "TCP: memory back, answered");

	oom_after = 0;
	is_int(resolver_lookup(res, "l.oom.test", got_cb, &g, &req), -ENOMEM,
	       "resolver_lookup() without memory: -ENOMEM");
	fd = bound_socket(SOCK_DGRAM, &saved_udp);
	is_int(resolver_add_udp(res, fd), -ENOMEM, "resolver_add_udp() without memory: -ENOMEM");
	oom_after = -1;
	ok(fcntl(fd, F_GETFD) < 0 && errno == EBADF, "  and its socket closed");
	is_int(g.calls, 0, "  no callback");

	resolver_free(res);
	res = saved;
	udp_port = saved_udp;
	tcp_port = saved_tcp;
}
