/* query.c — one DNS query from the sandbox, from bytes to reply: parse it
 * (dnscodec.c), answer PTR for fake addresses from the pool, put the name
 * through the policy (a name no rule allows never leaves netbox: NXDOMAIN),
 * then answer by type: A / AAAA / ANY from the cache or an upstream lookup
 * (a fake A address, no AAAA; also for a name the host cannot resolve
 * that an upstream proxy will carry, if a rule names it), HTTPS / SVCB with NODATA, zone transfers
 * with NOTIMP, anything else forwarded upstream.  Also building and sending
 * replies to UDP and TCP clients.
 *
 * Part of the resolver (resolver_internal.h), in the supervisor, on its
 * event loop.  Replying never frees the client it replies to (tcp.c), so
 * @c stays valid for a whole call.
 */
#include "dns/resolver_internal.h"

#include "dns/fakeip.h"
#include "policy/policy.h"
#include "proxyconf.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t resolver_query_max_size(const struct rclient *c, const struct dns_query *q)
{
	if (!c->us)
		return DNS_MAX_MSG;
	return q->edns ? q->edns_udp_size : DNS_UDP_PLAIN;
}

/* Send the reply in r->tx[2 .. 2 + len). */
void resolver_query_send(struct resolver *r, const struct rclient *c, size_t len)
{
	if (c->us) {
		resolver_udp_send(c->us, &c->peer, r->tx + 2, len);
	} else if (c->tc) {
		if (dns_tcp_frame_put(r->tx, 2, len) == 0)
			resolver_tcp_append(c->tc, r->tx, len + 2);
	}
}

void resolver_query_reply(struct resolver *r, const struct rclient *c, const struct dns_query *q,
			  int rcode, const struct dns_rr *rrs, size_t nrr)
{
	ssize_t n = dns_build_reply(q, rcode, rrs, nrr, r->tx + 2, DNS_MAX_MSG,
				    resolver_query_max_size(c, q));

	if (n > 0)
		resolver_query_send(r, c, (size_t)n);
}

/* A request of @kind holding a copy of the client's question, to answer
 * it later, in no list yet; NULL when out of memory. */
struct resolver_req *resolver_query_req_new(struct resolver *r, enum req_kind kind,
					    const struct rclient *c, const struct dns_query *q)
{
	struct resolver_req *req = calloc(1, sizeof(*req));

	if (!req)
		return NULL;
	req->r = r;
	req->kind = kind;
	list_init(&req->elink);
	list_init(&req->clink);
	req->c = *c;
	req->q = *q;
	memcpy(req->qbuf, q->question, q->question_len);
	req->q.question = req->qbuf;
	req->max_size = resolver_query_max_size(c, q);
	return req;
}

/* The fake address of @name: 0, -ENOMEM (no pool) or -ENOSPC (pool full). */
static int resolver_query_fake_addr(struct resolver *r, const char *name, struct in_addr *out)
{
	int rc;

	if (!r->fakeip && !(r->fakeip = fakeip_new()))
		return -ENOMEM;
	rc = fakeip_for_name(r->fakeip, name, out);
	if (rc == -ENOSPC && !r->warned_full) {
		warn("the fake address pool 198.18.0.0/15 is full: new names get SERVFAIL");
		r->warned_full = true;
	}
	return rc;
}

/* Who asked (report.h's attribution): the client's address and port. */
static const struct report_proc *resolver_query_who(struct resolver *r, const struct rclient *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	struct in6_addr addr;
	uint16_t port;

	if (c->tc) {
		if (getpeername(c->tc->fd, (struct sockaddr *)&ss, &len) < 0)
			return NULL;
	} else {
		sa = (const struct sockaddr *)&c->peer.addr;
		len = c->peer.addrlen;
	}
	if (policy_addr_from_sockaddr(sa, len, &addr, &port) < 0)
		return NULL;
	return report_attribute(r->report, c->tc ? IPPROTO_TCP : IPPROTO_UDP, &addr, port);
}

/* The host cannot resolve @name and an upstream proxy would carry it: may
 * the proxy resolve it (by name, netproxy/proxy.c)?  Only if a rule names
 * it.  A name only a catch-all allows ('*', --learn) may be the program's
 * own, DNS and all: it could answer the host NXDOMAIN and the proxy
 * 127.0.0.1 (DNS rebinding), so the program gets what the host said; the
 * denial is logged and said (once per name). */
static bool resolver_query_proxy_resolves(struct resolver *r, const struct rclient *c,
					  const struct dns_query *q, const char *name)
{
	const struct policy_rule *rule;
	char reason[320];

	if (!policy_name_may_resolve_rule(r->policy, name, &rule) || !policy_rule_is_catchall(rule))
		return true;
	if (r->report) {
		snprintf(reason, sizeof(reason), PROXYCONF_CATCHALL_WHY, policy_rule_text(rule),
			 policy_rule_origin(rule), name);
		report_dns(r->report, &(struct report_dns){ .name = name, .qtype = q->qtype,
							    .reason = reason,
							    .proc = resolver_query_who(r, c) });
	}
	return false;
}

/* Answer an A/AAAA/ANY query for @name from a lookup's result. */
void resolver_query_answer_lookup(struct resolver *r, const struct rclient *c,
				  const struct dns_query *q, const char *name, int err)
{
	struct dns_rr rr = { .type = DNS_TYPE_A, .ttl = RESOLVER_FAKE_TTL };
	struct in_addr fake;

	/* The host cannot resolve it but an upstream proxy will carry it, by
	 * name: the program gets its fake address. */
	if (err && proxyconf_by_proxy(r->proxies, name) && resolver_query_proxy_resolves(r, c, q, name))
		err = 0;
	switch (err) {
	case 0:
		/* AAAA: the name exists, we have no IPv6 fakes (NODATA). */
		if (q->qtype == DNS_TYPE_AAAA) {
			resolver_query_reply(r, c, q, DNS_RCODE_NOERROR, NULL, 0);
			return;
		}
		if (resolver_query_fake_addr(r, name, &fake) < 0) {
			resolver_query_reply(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
			return;
		}
		memcpy(rr.addr, &fake.s_addr, 4);
		resolver_query_reply(r, c, q, DNS_RCODE_NOERROR, &rr, 1);
		return;
	case -ENOENT:
		resolver_query_reply(r, c, q, DNS_RCODE_NXDOMAIN, NULL, 0);
		return;
	case -ENODATA:
		resolver_query_reply(r, c, q, DNS_RCODE_NOERROR, NULL, 0);
		return;
	default:
		resolver_query_reply(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
}

/* An A / AAAA / ANY query for an allowed @name. */
static void resolver_query_lookup(struct resolver *r, const struct rclient *c,
				  const struct dns_query *q, const char *name)
{
	struct rentry *e = resolver_cache_get(r, name);
	struct resolver_req *req;

	if (!e) {
		resolver_query_reply(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
	if (e->state != ENTRY_PENDING && !resolver_cache_fresh(e)) {
		if (r->ninflight >= RESOLVER_MAX_INFLIGHT) {
			resolver_query_reply(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
			return;
		}
		resolver_upstream_start(r, e);
	}
	if (e->state == ENTRY_DONE) {
		/* Cached, or answered before ares_getaddrinfo() returned.
		 * No user code runs from here on: @e stays valid. */
		resolver_query_answer_lookup(r, c, q, e->name, e->err);
		return;
	}
	if (e->nwaiters >= RESOLVER_MAX_WAITERS_PER_NAME || r->nwaiting >= RESOLVER_MAX_WAITING ||
	    !(req = resolver_query_req_new(r, REQ_CLIENT, c, q))) {
		resolver_query_reply(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
		return;
	}
	resolver_cache_wait(e, req);
	if (c->tc)
		resolver_tcp_pending_add(c->tc, req);
}

/* A PTR query for one of our fake addresses (@addr, in the pool's range):
 * the name it stands for, never asked upstream. */
static void resolver_query_ptr(struct resolver *r, const struct rclient *c,
			       const struct dns_query *q, struct in_addr addr)
{
	const char *target = r->fakeip ? fakeip_name(r->fakeip, addr) : NULL;
	ssize_t n;

	if (!target) {
		resolver_query_reply(r, c, q, DNS_RCODE_NXDOMAIN, NULL, 0);
		return;
	}
	n = dns_build_ptr_reply(q, target, RESOLVER_FAKE_TTL, r->tx + 2, DNS_MAX_MSG,
				resolver_query_max_size(c, q));
	if (n > 0)
		resolver_query_send(r, c, (size_t)n);
	else
		resolver_query_reply(r, c, q, DNS_RCODE_SERVFAIL, NULL, 0);
}

/* The fake address @q asks the reverse name of, if it asks for one. */
static bool resolver_query_is_fake_ptr(const struct dns_query *q, struct in_addr *addr)
{
	uint8_t a[16];

	if (q->qtype != DNS_TYPE_PTR || dns_ptr_name_parse(q->name, a) != 4)
		return false;
	memcpy(&addr->s_addr, a, 4);
	return fakeip_in_range(*addr);
}

/* The policy's word on @name (normalised), logged. */
static bool resolver_query_allowed(struct resolver *r, const struct rclient *c,
				   const struct dns_query *q, const char *name)
{
	const struct policy_rule *rule;
	bool allowed = policy_name_may_resolve_rule(r->policy, name, &rule);
	char reason[320] = "no rule";

	if (!r->report)
		return allowed;
	if (!allowed && rule)
		snprintf(reason, sizeof(reason), "rule '%s' (%s)", policy_rule_text(rule),
			 policy_rule_origin(rule));
	report_dns(r->report, &(struct report_dns){
		.name = name, .qtype = q->qtype, .allowed = allowed,
		.rule = rule ? policy_rule_text(rule) : NULL,
		.origin = rule ? policy_rule_origin(rule) : NULL,
		.reason = allowed ? NULL : reason,
		.proc = resolver_query_who(r, c) });
	return allowed;
}

/* What becomes of a query for an allowed name, by type. */
enum resolver_query_action {
	RESOLVER_QUERY_FORWARD,	/* the default: ask upstream, relay */
	RESOLVER_QUERY_LOOKUP,	/* fake A from the cache / a lookup */
	RESOLVER_QUERY_NODATA,
	RESOLVER_QUERY_NOTIMP,
};

static const struct {
	uint16_t qtype;
	enum resolver_query_action action;
} resolver_query_types[] = {
	{ DNS_TYPE_A, RESOLVER_QUERY_LOOKUP },
	{ DNS_TYPE_AAAA, RESOLVER_QUERY_LOOKUP },
	{ DNS_TYPE_ANY, RESOLVER_QUERY_LOOKUP },	/* RFC 8482: a subset will do, the fake A */
	/* Their address hints would lead clients past the fakes. */
	{ DNS_TYPE_SVCB, RESOLVER_QUERY_NODATA },
	{ DNS_TYPE_HTTPS, RESOLVER_QUERY_NODATA },
	{ DNS_TYPE_OPT, RESOLVER_QUERY_NOTIMP },
	{ DNS_TYPE_IXFR, RESOLVER_QUERY_NOTIMP },
	{ DNS_TYPE_AXFR, RESOLVER_QUERY_NOTIMP },
	{ 253, RESOLVER_QUERY_NOTIMP },			/* MAILB */
	{ 254, RESOLVER_QUERY_NOTIMP },			/* MAILA */
};

static enum resolver_query_action resolver_query_action_for(uint16_t qtype)
{
	for (size_t i = 0; i < sizeof(resolver_query_types) / sizeof(resolver_query_types[0]); i++)
		if (resolver_query_types[i].qtype == qtype)
			return resolver_query_types[i].action;
	return RESOLVER_QUERY_FORWARD;
}

/* A query dns_parse_query() refused with @rc: an error reply, or nothing
 * for what is no query at all. */
static void resolver_query_refused(struct resolver *r, const struct rclient *c,
				   const uint8_t *pkt, size_t len, int rc)
{
	int rcode = dns_parse_error_rcode(rc);
	ssize_t n;

	if (rcode < 0)
		return;	/* not a query: say nothing */
	n = dns_build_error(pkt, len, rcode, r->tx + 2, DNS_MAX_MSG);
	if (n > 0)
		resolver_query_send(r, c, (size_t)n);
}

/* One query from a client, in pkt[0..len).  @pkt is only read during the
 * call. */
void resolver_query_handle(struct resolver *r, const struct rclient *c, const uint8_t *pkt,
			   size_t len)
{
	char name[POLICY_NAME_MAX];
	struct dns_query q;
	struct in_addr fake;
	int rc = dns_parse_query(pkt, len, &q);

	if (rc != DNS_OK) {
		resolver_query_refused(r, c, pkt, len, rc);
		return;
	}
	if (q.edns && q.edns_version != 0) {
		resolver_query_reply(r, c, &q, DNS_RCODE_BADVERS, NULL, 0);
		return;
	}
	if (q.qclass != DNS_CLASS_IN) {
		resolver_query_reply(r, c, &q, DNS_RCODE_REFUSED, NULL, 0);
		return;
	}
	/* Reverse lookups of our own fake addresses never leave netbox. */
	if (resolver_query_is_fake_ptr(&q, &fake)) {
		resolver_query_ptr(r, c, &q, fake);
		return;
	}
	if (policy_name_normalize(q.name, name, sizeof(name)) < 0) {
		if (r->report)
			report_dns(r->report, &(struct report_dns){ .name = q.name, .qtype = q.qtype,
								    .reason = "invalid name",
								    .proc = resolver_query_who(r, c) });
		resolver_query_reply(r, c, &q, DNS_RCODE_REFUSED, NULL, 0);
		return;
	}
	/* The one rule that matters most: a name no rule allows never
	 * leaves netbox, so DNS cannot carry data out. */
	if (!resolver_query_allowed(r, c, &q, name)) {
		resolver_query_reply(r, c, &q, DNS_RCODE_NXDOMAIN, NULL, 0);
		return;
	}
	switch (resolver_query_action_for(q.qtype)) {
	case RESOLVER_QUERY_LOOKUP:
		resolver_query_lookup(r, c, &q, name);
		return;
	case RESOLVER_QUERY_NODATA:
		resolver_query_reply(r, c, &q, DNS_RCODE_NOERROR, NULL, 0);
		return;
	case RESOLVER_QUERY_NOTIMP:
		resolver_query_reply(r, c, &q, DNS_RCODE_NOTIMP, NULL, 0);
		return;
	case RESOLVER_QUERY_FORWARD:
		resolver_upstream_forward(r, c, &q, name);
		return;
	}
}
