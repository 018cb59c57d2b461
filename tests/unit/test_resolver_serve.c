/* test_resolver_serve.c — the resolver serving the sandbox's clients, from
 * the resolver's unit tests (test_resolver.c runs them): denied names get
 * NXDOMAIN and never reach upstream; allowed names get a stable fake
 * address; AAAA, HTTPS get NODATA; upstream NXDOMAIN and timeouts;
 * forwarded types relayed with the client's ID and question case; PTR of
 * fake addresses; malformed packets; the UDP reply source; coalescing of
 * concurrent lookups; TCP framing, garbage and the client limit.
 */
#include "dns/resolver.h"

#include "dns/dnscodec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"
#include "test_resolver.h"

/* ---- serving UDP and TCP clients ------------------------------------------ */

void test_denied(void)
{
	struct reply r;

	ok(ask("denied.test", DNS_TYPE_A, 0x1001, &r) == 0, "denied.test answered");
	is_int(r.rcode, DNS_RCODE_NXDOMAIN, "denied name: NXDOMAIN");
	is_int(r.an, 0, "denied name: no answer");
	ok(ask("sub.denied.test", DNS_TYPE_TXT, 0x1002, &r) == 0 && r.rcode == DNS_RCODE_NXDOMAIN,
	   "denied name, other type: NXDOMAIN");
	is_int(seen_count("denied.test", -1) + seen_count("sub.denied.test", -1), 0,
	       "upstream never saw a denied name");
}

static struct in_addr allowed_fake;

void test_allowed(void)
{
	struct reply r, r2;
	char buf[INET_ADDRSTRLEN];

	ok(ask("allowed.test", DNS_TYPE_A, 0x2001, &r) == 0, "allowed.test answered");
	is_int(r.rcode, DNS_RCODE_NOERROR, "allowed: NOERROR");
	is_int(r.an, 1, "allowed: one answer");
	is_int(r.atype, DNS_TYPE_A, "allowed: an A record");
	is_int(r.attl, 60, "fake answer TTL 60");
	ok(r.rdlen == 4 && in_fake_range(r.rdata), "allowed: fake address in 198.18.0.0/15 (%s)",
	   inet_ntop(AF_INET, r.rdata, buf, sizeof(buf)));
	ok(r.flags & DNS_FLAG_QR && r.flags & DNS_FLAG_RA && r.flags & DNS_FLAG_RD,
	   "QR, RA and RD set");
	memcpy(&allowed_fake.s_addr, r.rdata, 4);
	is_str(resolver_fake_name(res, allowed_fake), "allowed.test",
	       "resolver_fake_name() maps it back");
	is_int(seen_count("allowed.test", DNS_TYPE_A), 1, "upstream asked A once");
	is_int(seen_count("allowed.test", DNS_TYPE_AAAA), 1, "and AAAA once (one getaddrinfo)");

	ok(ask("ALLOWED.test", DNS_TYPE_A, 0x2002, &r2) == 0 && r2.an == 1 &&
	   !memcmp(r2.rdata, r.rdata, 4), "same fake address on repeat (other case)");
	is_str(r2.qname, "ALLOWED.test", "question echoed with the client's case");
	is_int(seen_count("allowed.test", DNS_TYPE_A), 1, "repeat answered from the cache");

	ok(ask("allowed.test", DNS_TYPE_AAAA, 0x2003, &r) == 0, "AAAA answered");
	ok(r.rcode == DNS_RCODE_NOERROR && r.an == 0, "AAAA: NODATA (NOERROR, no answer)");
	ok(ask("allowed.test", DNS_TYPE_HTTPS, 0x2004, &r) == 0 && r.rcode == DNS_RCODE_NOERROR &&
	   r.an == 0, "HTTPS: NODATA");
	ok(ask("allowed.test", DNS_TYPE_SVCB, 0x2005, &r) == 0 && r.rcode == DNS_RCODE_NOERROR &&
	   r.an == 0, "SVCB: NODATA");
	is_int(seen_count("allowed.test", DNS_TYPE_HTTPS) + seen_count("allowed.test", DNS_TYPE_SVCB),
	       0, "HTTPS/SVCB never asked upstream");

	ok(ask("v6only.test", DNS_TYPE_A, 0x2006, &r) == 0 && r.rcode == DNS_RCODE_NOERROR &&
	   r.an == 1 && in_fake_range(r.rdata), "IPv6-only name: fake A");
	ok(memcmp(r.rdata, &allowed_fake.s_addr, 4) != 0, "another name, another address");
	ok(ask("v4only.test", DNS_TYPE_AAAA, 0x2007, &r) == 0 && r.rcode == DNS_RCODE_NOERROR &&
	   r.an == 0, "IPv4-only name, AAAA: NODATA");
}

void test_edns(void)
{
	uint8_t q[512], a[4096];
	size_t ql = mkquery(q, 0x2101, "allowed.test", DNS_TYPE_A, DNS_CLASS_IN, true), al;
	struct reply r;

	al = ask_udp(q, ql, a, sizeof(a));
	ok(al && parse_reply(a, al, &r) == 0 && r.an == 1 && r.ar == 1,
	   "EDNS query: answer with an OPT record");
	q[ql - 5] = 1;	/* EDNS version 1 */
	al = ask_udp(q, ql, a, sizeof(a));
	ok(al && parse_reply(a, al, &r) == 0 && r.ar == 1 && r.an == 0,
	   "EDNS version 1: BADVERS (no answer, OPT)");
}

void test_upstream_errors(void)
{
	struct reply r;
	uint64_t t0;

	ok(ask("nx.test", DNS_TYPE_A, 0x3001, &r) == 0 && r.rcode == DNS_RCODE_NXDOMAIN,
	   "upstream NXDOMAIN: NXDOMAIN");
	ok(ask("nx.test", DNS_TYPE_AAAA, 0x3002, &r) == 0 && r.rcode == DNS_RCODE_NXDOMAIN,
	   "upstream NXDOMAIN, AAAA: NXDOMAIN");
	is_int(seen_count("nx.test", DNS_TYPE_A), 1, "negative answer cached");
	t0 = ms_now();
	ok(ask("slow.test", DNS_TYPE_A, 0x3003, &r) == 0 && r.rcode == DNS_RCODE_SERVFAIL,
	   "upstream timeout: SERVFAIL");
	ok(ms_now() - t0 < 2500, "after the upstream timeouts (%llu ms)",
	   (unsigned long long)(ms_now() - t0));
	if (numeric_rule) {
		ok(ask("1.2.3.example.99", DNS_TYPE_A, 0x3004, &r) == 0 &&
		   r.rcode == DNS_RCODE_NXDOMAIN, "all-digit TLD (allowed by 'example.99'): NXDOMAIN");
		is_int(seen_count("1.2.3.example.99", -1), 0, "and not asked upstream");
	} else {
		ok(1, "# SKIP the policy refuses the rule 'example.99'");
	}
	ok(ask("1.2.3.4", DNS_TYPE_A, 0x3005, &r) == 0 && r.rcode == DNS_RCODE_NXDOMAIN,
	   "an address as a name: NXDOMAIN");
	is_int(seen_count("1.2.3.4", -1), 0, "and not asked upstream");
}

void test_forward(void)
{
	struct reply r;

	ok(ask("TxT.TeSt", DNS_TYPE_TXT, 0x4001, &r) == 0, "TXT answered");
	is_int(r.rcode, DNS_RCODE_NOERROR, "TXT: NOERROR");
	ok(r.an == 1 && r.atype == DNS_TYPE_TXT && r.rdlen == 6 && !memcmp(r.rdata, "\5hello", 6),
	   "TXT: upstream's record relayed");
	is_str(r.qname, "TxT.TeSt", "relayed answer carries the client's question case");
	is_int(seen_count("txt.test", DNS_TYPE_TXT), 1, "forwarded once");
	ok(ask("nx.test", DNS_TYPE_MX, 0x4002, &r) == 0 && r.rcode == DNS_RCODE_NXDOMAIN,
	   "forwarded NXDOMAIN relayed");
	ok(ask("slow.test", DNS_TYPE_TXT, 0x4003, &r) == 0 && r.rcode == DNS_RCODE_SERVFAIL,
	   "forward timeout: SERVFAIL");
	ok(ask("allowed.test", DNS_TYPE_AXFR, 0x4004, &r) == 0 && r.rcode == DNS_RCODE_NOTIMP,
	   "AXFR: NOTIMP");
}

void test_ptr(void)
{
	struct reply r;
	uint8_t *o = (uint8_t *)&allowed_fake.s_addr;
	char name[64], target[256];
	const char *tp = target;
	size_t t = 0, i = 0;

	snprintf(name, sizeof(name), "%u.%u.%u.%u.in-addr.arpa", o[3], o[2], o[1], o[0]);
	ok(ask(name, DNS_TYPE_PTR, 0x5001, &r) == 0 && r.rcode == DNS_RCODE_NOERROR && r.an == 1 &&
	   r.atype == DNS_TYPE_PTR, "PTR of a fake address answered (%s)", name);
	while (i < r.rdlen && r.rdata[i]) {
		uint8_t l = r.rdata[i++];

		if (t)
			target[t++] = '.';
		memcpy(target + t, r.rdata + i, l);
		t += l;
		i += l;
	}
	target[t] = 0;
	is_str(tp, "allowed.test", "PTR names the host");
	ok(ask("1.255.19.198.in-addr.arpa", DNS_TYPE_PTR, 0x5002, &r) == 0 &&
	   r.rcode == DNS_RCODE_NXDOMAIN, "PTR of a fake address never handed out: NXDOMAIN");
	is_int(seen_count("1.255.19.198.in-addr.arpa", -1) + seen_count(name, -1), 0,
	       "PTR of fakes never asked upstream");
}

void test_malformed(void)
{
	uint8_t q[512], a[4096];
	struct reply r;
	size_t ql, al;

	al = ask_udp_from((const uint8_t *)"\1\2\3\4\5", 5, a, sizeof(a), 200, NULL);
	is_int(al, 0, "5-byte packet: dropped");
	ql = mkquery(q, 0x6001, "allowed.test", DNS_TYPE_A, DNS_CLASS_IN, false);
	put16(q + 2, get16(q + 2) | DNS_FLAG_QR);
	is_int(ask_udp_from(q, ql, a, sizeof(a), 200, NULL), 0, "a response: dropped");
	ql = mkquery(q, 0x6002, "allowed.test", DNS_TYPE_A, DNS_CLASS_IN, false);
	put16(q + 4, 2);
	al = ask_udp(q, ql, a, sizeof(a));
	ok(al && parse_reply(a, al, &r) == 0 && r.id == 0x6002 && r.rcode == DNS_RCODE_FORMERR,
	   "QDCOUNT 2: FORMERR");
	ql = mkquery(q, 0x6003, "allowed.test", DNS_TYPE_A, DNS_CLASS_IN, false);
	q[ql - 5] = 63;	/* label runs past the end */
	al = ask_udp(q, ql - 4, a, sizeof(a));
	ok(al && parse_reply(a, al, &r) == 0 && r.rcode == DNS_RCODE_FORMERR, "bad label: FORMERR");
	ql = mkquery(q, 0x6004, "allowed.test", DNS_TYPE_A, DNS_CLASS_IN, false);
	put16(q + 2, (uint16_t)(2 << 11));	/* opcode STATUS */
	al = ask_udp(q, ql, a, sizeof(a));
	ok(al && parse_reply(a, al, &r) == 0 && r.rcode == DNS_RCODE_NOTIMP, "opcode 2: NOTIMP");
	ql = mkquery(q, 0x6005, "allowed.test", DNS_TYPE_A, DNS_CLASS_CH, false);
	al = ask_udp(q, ql, a, sizeof(a));
	ok(al && parse_reply(a, al, &r) == 0 && r.rcode == DNS_RCODE_REFUSED, "class CH: REFUSED");
	ok(ask("a*b.allowed.test", DNS_TYPE_A, 0x6006, &r) == 0 && r.rcode == DNS_RCODE_REFUSED,
	   "name policy refuses to normalise: REFUSED");
	ok(ask("allowed.test", DNS_TYPE_A, 0x6007, &r) == 0 && r.an == 1 &&
	   !memcmp(r.rdata, &allowed_fake.s_addr, 4), "still serving after malformed packets");
}

void test_reply_source(void)
{
	uint8_t q[512], a[4096];
	struct sockaddr_in from;
	size_t ql = mkquery(q, 0x7001, "allowed.test", DNS_TYPE_A, DNS_CLASS_IN, false);

	memset(&from, 0, sizeof(from));
	ok(ask_udp_from(q, ql, a, sizeof(a), 3000, &from) > 0, "unconnected client answered");
	ok(from.sin_family == AF_INET && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
	   ntohs(from.sin_port) == udp_port,
	   "reply comes from the address and port the query went to (pktinfo)");
}

void test_coalesce(void)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_A, DNS_TYPE_AAAA };
	struct sockaddr_in to = lo_addr(udp_port);
	int got = 0, ok_ids = 0;
	uint8_t q[512], a[4096];

	for (int i = 0; i < 4; i++) {
		size_t ql = mkquery(q, (uint16_t)(0x8000 + i), "co.test", types[i], DNS_CLASS_IN, false);

		sendto(client_fd, q, ql, 0, (struct sockaddr *)&to, sizeof(to));
	}
	while (got < 4 && run_until_readable(client_fd, 3000)) {
		struct reply r;
		ssize_t n = recv(client_fd, a, sizeof(a), 0);

		if (n <= 0 || parse_reply(a, (size_t)n, &r))
			break;
		got++;
		if (r.id >= 0x8000 && r.id < 0x8004 && r.rcode == DNS_RCODE_NOERROR &&
		    r.an == (types[r.id - 0x8000] == DNS_TYPE_A ? 1 : 0))
			ok_ids++;
	}
	is_int(got, 4, "four concurrent queries for one name answered");
	is_int(ok_ids, 4, "each with its own ID and the right answer");
	is_int(seen_count("co.test", DNS_TYPE_A), 1, "one upstream A query");
	is_int(seen_count("co.test", DNS_TYPE_AAAA), 1, "one upstream AAAA query");
}

void test_tcp(void)
{
	uint8_t buf[2048], a[4096];
	size_t o = 0, got, l1, l2;
	struct reply r1, r2;
	bool eof;
	int fd = tcp_connect();

	ok(fd >= 0, "TCP connect");
	run_for(20);
	l1 = mkquery(buf + 2, 0x9001, "allowed.test", DNS_TYPE_A, DNS_CLASS_IN, false);
	put16(buf, (uint16_t)l1);
	o = 2 + l1;
	l2 = mkquery(buf + o + 2, 0x9002, "denied.test", DNS_TYPE_A, DNS_CLASS_IN, false);
	put16(buf + o, (uint16_t)l2);
	o += 2 + l2;
	/* Both queries in one write, the second split over two. */
	ok(send(fd, buf, o - 3, 0) == (ssize_t)(o - 3), "two queries sent");
	run_for(20);
	send(fd, buf + o - 3, 3, 0);

	got = tcp_read(fd, a, 2, 3000, &eof);
	ok(got == 2, "first length prefix");
	l1 = get16(a);
	got = tcp_read(fd, a + 2, l1, 3000, &eof);
	ok(got == l1 && parse_reply(a + 2, l1, &r1) == 0 && r1.id == 0x9001 && r1.an == 1 &&
	   !memcmp(r1.rdata, &allowed_fake.s_addr, 4), "TCP: first answer, the fake address");
	got = tcp_read(fd, a, 2, 3000, &eof);
	l2 = get16(a);
	got = tcp_read(fd, a + 2, l2, 3000, &eof);
	ok(got == l2 && parse_reply(a + 2, l2, &r2) == 0 && r2.id == 0x9002 &&
	   r2.rcode == DNS_RCODE_NXDOMAIN, "TCP: second answer, NXDOMAIN");

	/* A forwarded query over TCP too. */
	l1 = mkquery(buf + 2, 0x9003, "txt.test", DNS_TYPE_TXT, DNS_CLASS_IN, false);
	put16(buf, (uint16_t)l1);
	send(fd, buf, 2 + l1, 0);
	got = tcp_read(fd, a, 2, 3000, &eof);
	l1 = get16(a);
	got = tcp_read(fd, a + 2, l1, 3000, &eof);
	ok(got == l1 && parse_reply(a + 2, l1, &r1) == 0 && r1.id == 0x9003 && r1.an == 1 &&
	   r1.atype == DNS_TYPE_TXT, "TCP: forwarded TXT relayed");

	/* A length below a DNS header closes the connection. */
	put16(buf, 5);
	memset(buf + 2, 0, 5);
	send(fd, buf, 7, 0);
	got = tcp_read(fd, a, sizeof(a), 2000, &eof);
	ok(eof && got == 0, "length 5: connection closed");
	close(fd);

	/* A client that half-closes after its query still gets the answer. */
	fd = tcp_connect();
	run_for(20);
	l1 = mkquery(buf + 2, 0x9004, "nx.test", DNS_TYPE_A, DNS_CLASS_IN, false);
	put16(buf, (uint16_t)l1);
	send(fd, buf, 2 + l1, 0);
	shutdown(fd, SHUT_WR);
	got = tcp_read(fd, a, sizeof(a), 3000, &eof);
	ok(got >= 2 && get16(a) == got - 2 && parse_reply(a + 2, got - 2, &r1) == 0 &&
	   r1.id == 0x9004 && r1.rcode == DNS_RCODE_NXDOMAIN && eof,
	   "half-closed client: answer, then close");
	close(fd);

	ok(ask("allowed.test", DNS_TYPE_A, 0x9005, &r1) == 0 && r1.an == 1, "UDP still serving");
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) & 0x7fff;
}

/* Many mutated queries over UDP, and garbage over TCP: no crash, and
 * still serving afterwards (the sanitizer builds watch the rest). */
void test_garbage(void)
{
	static const char *const names[] = { "allowed.test", "denied.test", "nx.test", "txt.test" };
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_TXT, DNS_TYPE_PTR };
	struct sockaddr_in to = lo_addr(udp_port);
	uint8_t q[600], a[4096];
	struct reply r;
	int fd, replies = 0;
	bool eof;

	for (int i = 0; i < 3000; i++) {
		size_t ql = mkquery(q, (uint16_t)i, names[rnd() % 4], types[rnd() % 4], DNS_CLASS_IN,
				    rnd() % 2);
		int flips = 1 + rnd() % 4;

		for (int f = 0; f < flips; f++)
			q[rnd() % ql] = (uint8_t)rnd();
		if (rnd() % 4 == 0)
			ql = rnd() % (ql + 1);
		sendto(client_fd, q, ql, 0, (struct sockaddr *)&to, sizeof(to));
		if (i % 32 == 0) {
			run_for(2);
			while (recv(client_fd, a, sizeof(a), MSG_DONTWAIT) > 0)
				replies++;
		}
	}
	run_for(1500);	/* the slow ones time out */
	while (recv(client_fd, a, sizeof(a), MSG_DONTWAIT) > 0)
		replies++;
	printf("# %d replies to 3000 mutated queries\n", replies);
	ok(ask("allowed.test", DNS_TYPE_A, 0xb001, &r) == 0 && r.an == 1 &&
	   !memcmp(r.rdata, &allowed_fake.s_addr, 4), "UDP still serving after 3000 mutated queries");

	fd = tcp_connect();
	run_for(20);
	for (int i = 0; i < 64; i++) {
		uint8_t junk[512];

		for (size_t j = 0; j < sizeof(junk); j++)
			junk[j] = (uint8_t)rnd();
		if (send(fd, junk, sizeof(junk), MSG_NOSIGNAL) < 0)
			break;
		run_for(1);
	}
	tcp_read(fd, a, sizeof(a), 3000, &eof);
	ok(eof, "TCP garbage: connection closed");
	close(fd);
	ok(ask("allowed.test", DNS_TYPE_A, 0xb002, &r) == 0 && r.an == 1, "still serving");
}

/* More than 256 TCP clients: the oldest is closed to make room. */
void test_tcp_limit(void)
{
	int fds[260], n = 0;
	uint8_t a[64];
	bool eof = false;

	for (int i = 0; i < 260; i++) {
		fds[n] = tcp_connect();
		if (fds[n] < 0)
			break;
		n++;
		if (i % 16 == 0)
			run_for(2);
	}
	run_for(100);
	ok(n == 260, "260 TCP clients connected");
	tcp_read(fds[0], a, sizeof(a), 1000, &eof);
	ok(eof, "the oldest was closed to make room");
	tcp_read(fds[n - 1], a, sizeof(a), 100, &eof);
	ok(!eof, "the newest is served");
	for (int i = 0; i < n; i++)
		close(fds[i]);
	run_for(50);
}
