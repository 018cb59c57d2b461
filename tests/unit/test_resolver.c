/* test_resolver.c — unit tests for dns/resolver.c and its parts, the
 * in-sandbox DNS server, run entirely on 127.0.0.1: the resolver serves a
 * UDP socket and a TCP listener bound to 127.0.0.1 on ports the kernel
 * picks, and asks a fake upstream DNS server that this test runs on
 * 127.0.0.1 in the same libevent loop (resolver_set_upstream_for_test()).
 *
 * Covered: denied names get NXDOMAIN and never reach upstream; allowed
 * names get a stable fake address from 198.18.0.0/15; AAAA, HTTPS get
 * NODATA; upstream NXDOMAIN and timeouts; forwarded types relayed with the
 * client's ID and question case; PTR of fake addresses; malformed packets;
 * coalescing of concurrent lookups; TCP framing; the UDP reply source;
 * resolver_lookup() from the cache and from upstream, resolver_cancel(),
 * CLOEXEC on every descriptor, allocation failures (SERVFAIL, a reset TCP
 * client, -ENOMEM; never an exit), and resolver_free() with work in flight.
 *
 * This file: the harness the four files share (test_resolver.h: the loop,
 * the fake upstream, queries and replies, sockets) and main().  The tests:
 * serving UDP and TCP clients in test_resolver_serve.c, resolver_lookup()
 * and the resolver's life cycle in test_resolver_lookup.c, allocation
 * failures in test_resolver_oom.c.
 */
#include "dns/resolver.h"

#include "dns/dnscodec.h"
#include "dns/fakeip.h"
#include "policy/policy.h"
#include "report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "test_resolver.h"

struct event_base *base;
struct resolver *res;
struct policy *oom_policy;
/* The policy took the rule "example.99" (a numeric top-level label). */
bool numeric_rule;
/* Descriptors inherited without FD_CLOEXEC from whoever runs the test. */
bool inherited[4096];

/* ---- helpers -------------------------------------------------------------- */

uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Run the loop for @ms milliseconds. */
void run_for(int ms)
{
	uint64_t end = ms_now() + (uint64_t)ms;

	while (ms_now() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
}

/* Run the loop until @fd is readable (1) or @ms pass (0). */
int run_until_readable(int fd, int ms)
{
	uint64_t end = ms_now() + (uint64_t)ms;

	while (ms_now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		event_base_loop(base, EVLOOP_NONBLOCK);
		if (poll(&p, 1, 1) > 0)
			return 1;
	}
	return 0;
}

static size_t put_name(uint8_t *out, const char *name)
{
	size_t o = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		out[o++] = (uint8_t)l;
		memcpy(out + o, name, l);
		o += l;
		name += l;
		if (*name == '.')
			name++;
	}
	out[o++] = 0;
	return o;
}

size_t mkquery(uint8_t *out, uint16_t id, const char *name, uint16_t qtype,
		      uint16_t qclass, bool edns)
{
	size_t o = 12;

	memset(out, 0, 12);
	put16(out, id);
	put16(out + 2, DNS_FLAG_RD);
	put16(out + 4, 1);
	o += put_name(out + o, name);
	put16(out + o, qtype);
	put16(out + o + 2, qclass);
	o += 4;
	if (edns) {
		put16(out + 10, 1);
		out[o] = 0;
		put16(out + o + 1, DNS_TYPE_OPT);
		put16(out + o + 3, 1232);
		memset(out + o + 5, 0, 6);
		o += 11;
	}
	return o;
}

/* Skip a (possibly compressed) name at p[*o]. */
static int skip_name(const uint8_t *p, size_t n, size_t *o)
{
	while (*o < n) {
		uint8_t c = p[*o];

		if ((c & 0xc0) == 0xc0) {
			*o += 2;
			return *o <= n ? 0 : -1;
		}
		(*o)++;
		if (c == 0)
			return 0;
		*o += c;
	}
	return -1;
}

int parse_reply(const uint8_t *p, size_t n, struct reply *r)
{
	size_t o = 12, t = 0;

	memset(r, 0, sizeof(*r));
	if (n < 12)
		return -1;
	r->id = get16(p);
	r->flags = get16(p + 2);
	r->rcode = r->flags & 0xf;
	r->qd = get16(p + 4);
	r->an = get16(p + 6);
	r->ar = get16(p + 10);
	if (r->qd == 1) {
		while (o < n && p[o]) {
			uint8_t l = p[o++];

			if (t)
				r->qname[t++] = '.';
			if (o + l > n || t + l >= sizeof(r->qname))
				return -1;
			memcpy(r->qname + t, p + o, l);
			t += l;
			o += l;
		}
		o++;
		if (o + 4 > n)
			return -1;
		r->qtype = get16(p + o);
		o += 4;
	}
	if (r->an) {
		if (skip_name(p, n, &o) || o + 10 > n)
			return -1;
		r->atype = get16(p + o);
		r->attl = (uint32_t)get16(p + o + 4) << 16 | get16(p + o + 6);
		r->rdlen = get16(p + o + 8);
		o += 10;
		if (o + r->rdlen > n || r->rdlen > sizeof(r->rdata))
			return -1;
		memcpy(r->rdata, p + o, r->rdlen);
	}
	return 0;
}

/* ---- the fake upstream ---------------------------------------------------- */

struct seen {
	char name[256];
	uint16_t type;
};

static struct seen seen[512];
static int nseen;
int upstream_fd;

int seen_count(const char *name, int type)
{
	int n = 0;

	for (int i = 0; i < nseen; i++)
		if (!strcmp(seen[i].name, name) && (type < 0 || seen[i].type == type))
			n++;
	return n;
}

static void upstream_cb(evutil_socket_t fd, short what, void *arg)
{
	uint8_t in[4096], out[4096];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	struct dns_query q;
	struct dns_rr rr[2];
	size_t nrr = 0;
	int rcode = DNS_RCODE_NOERROR;
	ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);

	(void)what;
	(void)arg;
	if (n <= 0 || dns_parse_query(in, (size_t)n, &q) != DNS_OK)
		return;
	if (nseen < (int)(sizeof(seen) / sizeof(seen[0]))) {
		snprintf(seen[nseen].name, sizeof(seen[nseen].name), "%s", q.name);
		seen[nseen++].type = q.qtype;
	}
	memset(rr, 0, sizeof(rr));
	if (!strncmp(q.name, "slow", 4))
		return;	/* never answers */
	if (!strcmp(q.name, "nx.test")) {
		rcode = DNS_RCODE_NXDOMAIN;
	} else if (!strcmp(q.name, "txt.test") && q.qtype == DNS_TYPE_TXT) {
		static const uint8_t txt[] = { 5, 'h', 'e', 'l', 'l', 'o' };
		ssize_t len = dns_build_reply(&q, DNS_RCODE_NOERROR, NULL, 0, out, sizeof(out), 4096);
		size_t o, opt = q.edns ? 11 : 0;

		if (len < 0)
			return;
		o = (size_t)len - opt;
		memmove(out + o + 12 + sizeof(txt), out + o, opt);
		put16(out + o, 0xc00c);
		put16(out + o + 2, DNS_TYPE_TXT);
		put16(out + o + 4, DNS_CLASS_IN);
		put16(out + o + 6, 0);
		put16(out + o + 8, 300);
		put16(out + o + 10, sizeof(txt));
		memcpy(out + o + 12, txt, sizeof(txt));
		put16(out + 6, 1);
		sendto(fd, out, (size_t)len + 12 + sizeof(txt), 0, (struct sockaddr *)&from, fl);
		return;
	} else if (q.qtype == DNS_TYPE_A && strcmp(q.name, "v6only.test") != 0) {
		rr[0].type = DNS_TYPE_A;
		rr[0].ttl = 300;
		inet_pton(AF_INET, "192.0.2.1", rr[0].addr);
		nrr = 1;
	} else if (q.qtype == DNS_TYPE_AAAA && strcmp(q.name, "v4only.test") != 0) {
		rr[0].type = DNS_TYPE_AAAA;
		rr[0].ttl = 300;
		inet_pton(AF_INET6, "2001:db8::1", rr[0].addr);
		nrr = 1;
	}
	n = dns_build_reply(&q, rcode, rr, nrr, out, sizeof(out), 4096);
	if (n > 0)
		sendto(fd, out, (size_t)n, 0, (struct sockaddr *)&from, fl);
}

/* ---- sockets -------------------------------------------------------------- */

struct sockaddr_in lo_addr(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

int bound_socket(int type, uint16_t *port)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = lo_addr(0);
	socklen_t len = sizeof(a);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("socket");
		exit(1);
	}
	if (type == SOCK_STREAM && listen(fd, 16) < 0) {
		perror("listen");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

uint16_t udp_port, tcp_port;
int client_fd;	/* unconnected UDP client */

/* Ask @pkt over UDP; the reply in @out, its length, or 0 without one
 * within @ms.  *from gets the reply's source. */
size_t ask_udp_from(const uint8_t *pkt, size_t len, uint8_t *out, size_t outlen, int ms,
			   struct sockaddr_in *from)
{
	struct sockaddr_in to = lo_addr(udp_port), f;
	socklen_t fl = sizeof(f);
	ssize_t n;

	if (sendto(client_fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len)
		return 0;
	if (!run_until_readable(client_fd, ms))
		return 0;
	n = recvfrom(client_fd, out, outlen, 0, (struct sockaddr *)&f, &fl);
	if (n <= 0)
		return 0;
	if (from)
		*from = f;
	return (size_t)n;
}

size_t ask_udp(const uint8_t *pkt, size_t len, uint8_t *out, size_t outlen)
{
	return ask_udp_from(pkt, len, out, outlen, 3000, NULL);
}

/* Ask @name/@qtype over UDP and parse the reply.  0, or -1 without one. */
int ask(const char *name, uint16_t qtype, uint16_t id, struct reply *r)
{
	uint8_t q[512], a[4096];
	size_t ql = mkquery(q, id, name, qtype, DNS_CLASS_IN, false), al;

	al = ask_udp(q, ql, a, sizeof(a));
	if (!al)
		return -1;
	return parse_reply(a, al, r) == 0 && r->id == id ? 0 : -1;
}

bool in_fake_range(const uint8_t *a)
{
	struct in_addr in;

	memcpy(&in.s_addr, a, 4);
	return fakeip_in_range(in);
}

int tcp_connect(void)
{
	struct sockaddr_in to = lo_addr(tcp_port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read from @fd until @want bytes or EOF; returns what was read. */
size_t tcp_read(int fd, uint8_t *buf, size_t want, int ms, bool *eof)
{
	size_t got = 0;
	uint64_t end = ms_now() + (uint64_t)ms;

	*eof = false;
	while (got < want && ms_now() < end) {
		ssize_t n;

		if (!run_until_readable(fd, (int)(end - ms_now())))
			break;
		n = recv(fd, buf + got, want - got, 0);
		if (n == 0) {
			*eof = true;
			break;
		}
		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			*eof = true;
			break;
		}
		got += (size_t)n;
	}
	return got;
}

/* ---- resolver_lookup callbacks -------------------------------------------- */

void got_cb(void *arg, const struct sockaddr_storage *addrs, int n, int err)
{
	struct got *g = arg;

	g->calls++;
	g->n = n;
	g->err = err;
	for (int i = 0; i < n && i < RESOLVER_MAX_ADDRS; i++)
		g->addrs[i] = addrs[i];
}

void run_until_called(struct got *g, int ms)
{
	uint64_t end = ms_now() + (uint64_t)ms;

	while (!g->calls && ms_now() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
}

int main(void)
{
	struct policy *pol;
	struct report *rep;
	struct event *uev;
	char servers[64];
	static const char *const allow[] = {
		"allowed.test", "v4only.test", "v6only.test", "nx.test", "txt.test",
		"co.test", "other.test", "reent.test",
		"=slow.test", "=slow2.test", "=slow3.test", "=slow4.test", "=slow5.test",
		"=slow6.test",
	};
	uint16_t up_port;
	int fd;

	for (int i = 3; i < 4096; i++) {
		int fl = fcntl(i, F_GETFD);

		inherited[i] = fl >= 0 && !(fl & FD_CLOEXEC);
	}
	base = event_base_new();
	pol = policy_new();
	for (size_t i = 0; i < sizeof(allow) / sizeof(allow[0]); i++) {
		char err[256];

		if (policy_add(pol, true, allow[i], "test", err, sizeof(err)) < 0) {
			printf("# policy_add(%s): %s\n", allow[i], err);
			return 1;
		}
	}
	numeric_rule = policy_add(pol, true, "example.99", "test", NULL, 0) == 0;
	oom_policy = policy_new();
	if (policy_add(oom_policy, true, "*.oom.test", "test", NULL, 0) < 0 ||
	    policy_add(oom_policy, true, "txt.test", "test", NULL, 0) < 0)
		return 1;
	rep = report_new(true, NULL);

	upstream_fd = bound_socket(SOCK_DGRAM, &up_port);
	uev = event_new(base, upstream_fd, EV_READ | EV_PERSIST, upstream_cb, NULL);
	event_add(uev, NULL);

	res = resolver_new(base, pol, rep);
	snprintf(servers, sizeof(servers), "127.0.0.1:%u", up_port);
	/* 200 ms per try, 2 tries: an unanswered name fails in ~0.6 s. */
	ok(resolver_set_upstream_for_test(res, servers, 200) == 0, "upstream %s", servers);
	fd = bound_socket(SOCK_DGRAM, &udp_port);
	ok(resolver_add_udp(res, fd) == 0, "UDP socket served");
	fd = bound_socket(SOCK_STREAM, &tcp_port);
	ok(resolver_add_tcp(res, fd) == 0, "TCP listener served");
	is_int(resolver_add_tcp(res, socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)), -EINVAL,
	       "resolver_add_tcp() refuses a UDP socket");
	client_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	test_denied();
	test_allowed();
	test_edns();
	test_upstream_errors();
	test_forward();
	test_ptr();
	test_malformed();
	test_reply_source();
	test_coalesce();
	test_tcp();
	test_garbage();
	test_tcp_limit();
	test_lookup();
	test_cancel_and_cloexec();
	test_reentrancy();
	test_oom();
	test_free_busy();

	close(client_fd);
	event_free(uev);
	close(upstream_fd);
	report_free(rep);
	policy_free(oom_policy);
	policy_free(pol);
	event_base_free(base);
	return tap_done();
}
