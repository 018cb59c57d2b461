/* test_resolver.h — what the four files of the resolver's unit tests share:
 * the harness in test_resolver.c (the event loop and the resolver under
 * test, the fake upstream, query building and reply parsing, sockets) and
 * the tests the other files give main(), in main()'s order.
 */
#ifndef NETBOX_TEST_RESOLVER_H
#define NETBOX_TEST_RESOLVER_H

#include "dns/resolver.h"

#include <event2/event.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

extern struct event_base *base;
extern struct resolver *res;		/* served on udp_port and tcp_port */
extern struct policy *oom_policy;	/* test_oom()'s resolver's */
extern int upstream_fd;			/* the fake upstream's socket */
extern uint16_t udp_port, tcp_port;
extern int client_fd;			/* unconnected UDP client */
extern bool numeric_rule;
extern bool inherited[4096];

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

struct got {
	int calls;
	int n, err;
	struct sockaddr_storage addrs[RESOLVER_MAX_ADDRS];
};

uint64_t ms_now(void);
void put16(uint8_t *p, uint16_t v);
uint16_t get16(const uint8_t *p);
/* Run the loop for @ms. */
void run_for(int ms);
/* Run the loop until @fd is readable (1) or @ms pass (0). */
int run_until_readable(int fd, int ms);
size_t mkquery(uint8_t *out, uint16_t id, const char *name, uint16_t qtype,
	       uint16_t qclass, bool edns);
int parse_reply(const uint8_t *p, size_t n, struct reply *r);
/* How many queries for @name (of @type, or any if < 0) upstream saw. */
int seen_count(const char *name, int type);
struct sockaddr_in lo_addr(uint16_t port);
int bound_socket(int type, uint16_t *port);
size_t ask_udp_from(const uint8_t *pkt, size_t len, uint8_t *out, size_t outlen, int ms,
		    struct sockaddr_in *from);
size_t ask_udp(const uint8_t *pkt, size_t len, uint8_t *out, size_t outlen);
int ask(const char *name, uint16_t qtype, uint16_t id, struct reply *r);
bool in_fake_range(const uint8_t *a);
int tcp_connect(void);
size_t tcp_read(int fd, uint8_t *buf, size_t want, int ms, bool *eof);
void got_cb(void *arg, const struct sockaddr_storage *addrs, int n, int err);
void run_until_called(struct got *g, int ms);

/* test_resolver_serve.c */
void test_denied(void);
void test_allowed(void);
void test_edns(void);
void test_upstream_errors(void);
void test_forward(void);
void test_ptr(void);
void test_malformed(void);
void test_reply_source(void);
void test_coalesce(void);
void test_tcp(void);
void test_garbage(void);
void test_tcp_limit(void);

/* test_resolver_lookup.c, test_resolver_oom.c */
void test_lookup(void);
void test_cancel_and_cloexec(void);
void test_reentrancy(void);
void test_oom(void);
void test_free_busy(void);

#endif
