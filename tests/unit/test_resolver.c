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
#include <dirent.h>
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

static struct event_base *base;
static struct resolver *res;
static struct policy *oom_policy;

/* ---- helpers -------------------------------------------------------------- */

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Run the loop for @ms milliseconds. */
static void run_for(int ms)
{
	uint64_t end = ms_now() + (uint64_t)ms;

	while (ms_now() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
}

/* Run the loop until @fd is readable (1) or @ms pass (0). */
static int run_until_readable(int fd, int ms)
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

static size_t mkquery(uint8_t *out, uint16_t id, const char *name, uint16_t qtype,
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

struct reply {
	uint16_t id, flags, qd, an, ar;
	int rcode;
	char qname[256];	/* the question name as sent back, case kept */
	uint16_t qtype;
	uint16_t atype;		/* the first answer */
	uint32_t attl;
	uint8_t rdata[512];
	size_t rdlen;
};

static int parse_reply(const uint8_t *p, size_t n, struct reply *r)
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
static int upstream_fd;

static int seen_count(const char *name, int type)
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

static struct sockaddr_in lo_addr(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int bound_socket(int type, uint16_t *port)
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

static uint16_t udp_port, tcp_port;
static int client_fd;	/* unconnected UDP client */

/* Ask @pkt over UDP; the reply in @out, its length, or 0 without one
 * within @ms.  *from gets the reply's source. */
static size_t ask_udp_from(const uint8_t *pkt, size_t len, uint8_t *out, size_t outlen, int ms,
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

static size_t ask_udp(const uint8_t *pkt, size_t len, uint8_t *out, size_t outlen)
{
	return ask_udp_from(pkt, len, out, outlen, 3000, NULL);
}

/* Ask @name/@qtype over UDP and parse the reply.  0, or -1 without one. */
static int ask(const char *name, uint16_t qtype, uint16_t id, struct reply *r)
{
	uint8_t q[512], a[4096];
	size_t ql = mkquery(q, id, name, qtype, DNS_CLASS_IN, false), al;

	al = ask_udp(q, ql, a, sizeof(a));
	if (!al)
		return -1;
	return parse_reply(a, al, r) == 0 && r->id == id ? 0 : -1;
}

static bool in_fake_range(const uint8_t *a)
{
	struct in_addr in;

	memcpy(&in.s_addr, a, 4);
	return fakeip_in_range(in);
}

/* ---- resolver_lookup callbacks -------------------------------------------- */

struct got {
	int calls;
	int n, err;
	struct sockaddr_storage addrs[RESOLVER_MAX_ADDRS];
};

static void got_cb(void *arg, const struct sockaddr_storage *addrs, int n, int err)
{
	struct got *g = arg;

	g->calls++;
	g->n = n;
	g->err = err;
	for (int i = 0; i < n && i < RESOLVER_MAX_ADDRS; i++)
		g->addrs[i] = addrs[i];
}

static void run_until_called(struct got *g, int ms)
{
	uint64_t end = ms_now() + (uint64_t)ms;

	while (!g->calls && ms_now() < end) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
}

/* ---- tests ---------------------------------------------------------------- */

static void test_denied(void)
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

static void test_allowed(void)
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

static void test_edns(void)
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

static bool numeric_rule;

static void test_upstream_errors(void)
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

static void test_forward(void)
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

static void test_ptr(void)
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

static void test_malformed(void)
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

static void test_reply_source(void)
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

static void test_coalesce(void)
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

static int tcp_connect(void)
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
static size_t tcp_read(int fd, uint8_t *buf, size_t want, int ms, bool *eof)
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

static void test_tcp(void)
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
static void test_garbage(void)
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
static void test_tcp_limit(void)
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

static void test_lookup(void)
{
	struct got g = { 0 }, g2 = { 0 }, g3 = { 0 };
	struct resolver_req *req = (struct resolver_req *)1;
	const struct sockaddr_in6 *s6;
	const struct sockaddr_in *s4;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	rc = resolver_lookup(res, "allowed.test", got_cb, &g, &req);
	ok(rc == 0 && req == NULL && g.calls == 1, "cached name: callback before return, no req");
	is_int(g.err, 0, "no error");
	is_int(g.n, 2, "two addresses");
	s6 = (const struct sockaddr_in6 *)&g.addrs[0];
	s4 = (const struct sockaddr_in *)&g.addrs[1];
	ok(g.addrs[0].ss_family == AF_INET6 &&
	   !strcmp(inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof(buf)), "2001:db8::1"),
	   "IPv6 first (Happy Eyeballs order)");
	ok(g.addrs[1].ss_family == AF_INET &&
	   !strcmp(inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof(buf)), "192.0.2.1"),
	   "then IPv4");

	rc = resolver_lookup(res, "other.test", got_cb, &g2, &req);
	ok(rc == 0 && req != NULL && g2.calls == 0, "name never asked by the sandbox: pending");
	run_until_called(&g2, 3000);
	ok(g2.calls == 1 && g2.err == 0 && g2.n == 2, "resolved upstream");
	{
		bool faked = false;

		for (uint32_t i = 1; i < 64; i++) {
			struct in_addr a = { .s_addr = htonl(FAKEIP_NET + i) };
			const char *n = resolver_fake_name(res, a);

			if (n && !strcmp(n, "other.test"))
				faked = true;
		}
		ok(!faked, "no fake address handed out for it");
	}
	g2.calls = 0;
	rc = resolver_lookup(res, "other.test", got_cb, &g2, &req);
	ok(rc == 0 && req == NULL && g2.calls == 1 && g2.n == 2, "and now cached");

	rc = resolver_lookup(res, "nx.test", got_cb, &g3, &req);
	ok(rc == 0 && g3.calls == 1 && g3.err == -ENOENT && g3.n == 0,
	   "NXDOMAIN (cached): -ENOENT");
	memset(&g3, 0, sizeof(g3));
	rc = resolver_lookup(res, "slow.test", got_cb, &g3, &req);
	run_until_called(&g3, 3000);
	ok(rc == 0 && g3.calls == 1 && g3.err == -ETIMEDOUT, "upstream timeout: -ETIMEDOUT");

	is_int(resolver_lookup(res, "denied.test", got_cb, &g3, &req), -EPERM,
	       "denied name: -EPERM, not asked");
	is_int(seen_count("denied.test", -1), 0, "upstream never saw it");
}

/* Descriptors inherited without FD_CLOEXEC from whoever runs the test. */
static bool inherited[4096];

static bool all_cloexec(int *bad)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	bool all = true;

	if (!d)
		return false;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		int fl;

		if (de->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC) && !(fd < 4096 && inherited[fd])) {
			*bad = fd;
			all = false;
		}
	}
	closedir(d);
	return all;
}

static void test_cancel_and_cloexec(void)
{
	struct got g = { 0 }, g2 = { 0 };
	struct resolver_req *req = NULL, *req2 = NULL;
	int bad = -1;
	bool all;

	ok(resolver_lookup(res, "slow2.test", got_cb, &g, &req) == 0 && req, "slow lookup pending");
	ok(resolver_lookup(res, "slow2.test", got_cb, &g2, &req2) == 0 && req2,
	   "second waiter on the same name");
	run_for(30);
	is_int(seen_count("slow2.test", DNS_TYPE_A), 1, "one upstream query for both");
	all = all_cloexec(&bad);
	ok(all, "every descriptor is close-on-exec, c-ares's too (bad: %d)", bad);
	resolver_cancel(req);
	run_until_called(&g2, 3000);
	is_int(g.calls, 0, "cancelled: callback never runs");
	ok(g2.calls == 1 && g2.err == -ETIMEDOUT, "the other waiter still answered");
}

/* Callbacks that cancel a sibling request and start new lookups while the
 * resolver is answering: the re-entrancy the resolver documents. */
static struct resolver_req *sibling;
static struct got reent_g2, reent_g3;

static void reent_cb(void *arg, const struct sockaddr_storage *addrs, int n, int err)
{
	struct resolver_req *r3 = NULL;

	got_cb(arg, addrs, n, err);
	resolver_cancel(sibling);
	sibling = NULL;
	resolver_lookup(res, "allowed.test", got_cb, &reent_g3, &r3);
}

static void test_reentrancy(void)
{
	struct got g = { 0 };
	struct resolver_req *req = NULL;

	memset(&reent_g2, 0, sizeof(reent_g2));
	memset(&reent_g3, 0, sizeof(reent_g3));
	ok(resolver_lookup(res, "reent.test", reent_cb, &g, &req) == 0 && req, "lookup 1 pending");
	ok(resolver_lookup(res, "reent.test", got_cb, &reent_g2, &sibling) == 0 && sibling,
	   "lookup 2 pending");
	run_until_called(&g, 3000);
	run_for(20);
	is_int(g.calls, 1, "first callback ran");
	is_int(reent_g2.calls, 0, "sibling cancelled from inside a callback never runs");
	is_int(reent_g3.calls, 1, "lookup started from inside a callback answered");
}

/* ---- out of memory -------------------------------------------------------- */

/* The test is linked with --wrap for malloc, calloc and realloc (dns/
 * meson.build): calls from netbox's own code (not libevent's, c-ares' or
 * libc's) come here.  With oom_after >= 0, that many more are granted and
 * every later one fails, until it is set back to -1. */
static int oom_after = -1;

/* The linker's --wrap names them: reserved identifiers on purpose. */
/* NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static bool oom_fail(void)
{
	if (oom_after < 0)
		return false;
	if (oom_after == 0)
		return true;
	oom_after--;
	return false;
}

void *__wrap_malloc(size_t n)
{
	return oom_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return oom_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return oom_fail() ? NULL : __real_realloc(p, n);
}
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

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
static void test_oom(void)
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

static void test_free_busy(void)
{
	struct got g = { 0 };
	struct resolver_req *req = NULL;
	uint8_t q[512], buf[600];
	struct sockaddr_in to = lo_addr(udp_port);
	size_t ql;
	int fd = tcp_connect();

	run_for(20);
	/* In flight at resolver_free(): a user lookup, a UDP client waiting,
	 * a TCP client waiting, a forwarded query. */
	resolver_lookup(res, "slow3.test", got_cb, &g, &req);
	ql = mkquery(q, 0xa001, "slow4.test", DNS_TYPE_A, DNS_CLASS_IN, false);
	sendto(client_fd, q, ql, 0, (struct sockaddr *)&to, sizeof(to));
	ql = mkquery(buf + 2, 0xa002, "slow5.test", DNS_TYPE_A, DNS_CLASS_IN, false);
	put16(buf, (uint16_t)ql);
	send(fd, buf, ql + 2, 0);
	ql = mkquery(q, 0xa003, "slow6.test", DNS_TYPE_TXT, DNS_CLASS_IN, false);
	sendto(client_fd, q, ql, 0, (struct sockaddr *)&to, sizeof(to));
	run_for(30);
	ok(req != NULL && g.calls == 0, "work in flight");
	resolver_free(res);
	res = NULL;
	is_int(g.calls, 0, "resolver_free(): user callbacks not called");
	close(fd);
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
