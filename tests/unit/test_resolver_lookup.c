/* test_resolver_lookup.c — resolver_lookup() (the proxy's way to ask the
 * supervisor's resolver) and the resolver's life cycle, from the resolver's
 * unit tests (test_resolver.c runs them): lookups from the cache and from
 * upstream, resolver_cancel(), CLOEXEC on every descriptor, callbacks that
 * cancel or start lookups, and resolver_free() with work in flight.
 */
#include "dns/resolver.h"

#include "dns/dnscodec.h"
#include "dns/fakeip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"
#include "test_resolver.h"

/* ---- resolver_lookup() and the life cycle --------------------------------- */

void test_lookup(void)
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

void test_cancel_and_cloexec(void)
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

void test_reentrancy(void)
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

void test_free_busy(void)
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
