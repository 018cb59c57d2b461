/* proxy.c — the transparent proxy: one struct conn per connection the
 * sandboxed program makes, from accept to close.
 *
 * Theory of operation (each step a function):
 *   proxy_accept_one()   a connection a listener (proxy_listen.c, in the
 *                        sandbox's namespace) accepted; getsockname() is the
 *                        address the program connected to, since every
 *                        address is local there.
 *   conn_classify()      a fake address (198.18.0.0/15) stands for the host
 *                        name the resolver handed it out for; anything else
 *                        is a raw IP.  The policy decides on (name or IP,
 *                        port); a denial resets the connection.
 *   conn_peek()          for names: on 443 the TLS ClientHello's SNI, on 80
 *                        the HTTP Host header (MSG_PEEK, edge-triggered,
 *                        bounded in bytes and time), must name the host the
 *                        address stands for.  Other ports: the client's
 *                        first bytes are checked the same way whenever they
 *                        could be TLS or HTTP (peek_detect()), and only what
 *                        cannot be goes on unchecked.  A client silent for
 *                        CONN_SNIFF_MS may be waiting for a server that
 *                        speaks first: netbox connects, relays what the
 *                        server says, and holds what the client sends until
 *                        its first bytes are judged (CONN_HELD).
 *   conn_resolve()       the name's real addresses from the resolver's cache
 *                        (refreshed if stale); each must pass the address
 *                        checks (no loopback, link-local, ... unless a rule
 *                        names it).
 *   conn_connect()       Happy Eyeballs from netbox's namespace (upstream.c);
 *                        or, when an upstream proxy applies (issue 14,
 *                        common/proxyconf.c: the user's HTTPS_PROXY or
 *                        --upstream-proxy, NO_PROXY), to the proxy, then
 *                        a tunnel through it (upstream_proxy.c): by name,
 *                        and also for a name the host cannot resolve (the
 *                        proxy's resolution is then trusted) — but a name
 *                        only '*' allows goes by its checked address, and
 *                        never unresolved (proxy_via.c).
 *   conn_relay()         splice(2) both ways until both sides are done
 *                        (relay.c); resets propagate.
 *   conn_inspect()       instead, for a name with request rules
 *                        (policy_inspects(), asked in conn_classify()):
 *                        every HTTP request checked, over TLS terminated
 *                        with the run's CA (inspect.c).
 * Every decision is reported once (report.h), and the byte counts when the
 * connection ends.
 *
 * This runs in the supervisor's loop: nothing here may end the process.  A
 * connection that cannot get its memory (its struct, its upstream's, a
 * libevent registration) is reset and the proxy goes on serving the others
 * (conn_oom()).
 */
#include "proxy.h"
#include "proxy_internal.h"
#include "dns/fakeip.h"
#include "dns/resolver.h"
#include "netproxy/inspect.h"
#include "netproxy/peek.h"
#include "netproxy/relay.h"
#include "netproxy/upstream.h"
#include "policy/policy.h"
#include "proxyconf.h"
#include "report.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event_struct.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define CONN_PEEK_MS 10000 /* a client that never speaks on 80/443 */
#define CONN_SNIFF_MS 300  /* other ports: wait this long for client-first bytes */

enum conn_state {
	CONN_PEEK,
	CONN_RESOLVE,
	CONN_CONNECT,
	CONN_HELD, /* relaying upstream -> client only; the client's first bytes are judged */
	CONN_RELAY,
	CONN_INSPECT, /* each request checked (inspect.c) */
};

struct conn {
	struct proxy *p;
	struct conn *prev, *next;
	enum conn_state state;
	int client, upfd;
	int peekfd; /* CONN_HELD: a dup of @client for ev_peek (see conn_hold) */
	struct in6_addr dst; /* as the program used it, IPv4 mapped */
	uint16_t port;
	bool has_name, sniff_only, reported;
	bool late;             /* silent through the sniff: checked in CONN_HELD */
	bool inspect;          /* requests checked one by one (policy_inspects()) */
	enum peek_proto proto; /* what the first bytes were */
	const char *peek_what; /* what the first bytes may become, once some came */
	char name[256];
	char sni[256];
	char reason[320];
	uint64_t start_ns;
	const struct policy_rule *rule; /* the rule that decided */
	const struct report_proc *proc; /* who connected (attribution), or NULL */
	struct in6_addr up_addr;        /* where netbox connected, once it did */
	bool has_up_addr;
	const struct proxyconf_proxy *via; /* the upstream proxy that carries it, or NULL */
	struct event ev_peek, ev_timer;
	struct resolver_req *rreq;
	struct upstream *up;
	struct relay relay;
	struct inspect *insp;
};


static void conn_free(struct conn *c);

/* ---- reporting and closing ---------------------------------------------- */

static void conn_fill_report(const struct conn *c, struct report_conn *rc, bool allowed)
{
	uint64_t up = c->relay.dir[RELAY_UP].bytes, down = c->relay.dir[RELAY_DOWN].bytes;

	if (c->insp)
		inspect_bytes(c->insp, &up, &down);
	*rc = (struct report_conn){
		.name = c->has_name ? c->name : NULL,
		.dst = c->dst,
		.upstream = c->up_addr,
		.has_upstream = c->has_up_addr,
		.port = c->port,
		.allowed = allowed,
		.rule = c->rule ? policy_rule_text(c->rule) : NULL,
		.origin = c->rule ? policy_rule_origin(c->rule) : NULL,
		.reason = c->reason[0] ? c->reason : NULL,
		.sni = c->sni[0] ? c->sni : NULL,
		.bytes_up = up,
		.bytes_down = down,
		.duration_ns = now_ns() - c->start_ns,
		.proc = c->proc,
		.via = c->via ? c->via->shown : NULL,
	};
}

static void conn_reset_fd(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	/* SO_LINGER 0: close() sends RST, the peer sees ECONNRESET at once. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Refuse: report, reset the program's connection, free. */
static void conn_deny(struct conn *c, const char *fmt, ...) PRINTF(2, 3);
static void conn_deny(struct conn *c, const char *fmt, ...)
{
	struct report_conn rc;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	/* An allow rule never decides a denial (SNI mismatch, address class):
	 * the log then names no rule. */
	if (c->rule && policy_rule_is_allow(c->rule))
		c->rule = NULL;
	conn_fill_report(c, &rc, false);
	report_connection(c->p->report, &rc);
	c->reported = true;
	conn_reset_fd(c->client);
	c->client = -1;
	conn_free(c);
}

/* Allowed but it failed (upstream refused, timed out): reset, no report
 * beyond the allowed decision already made. */
static void conn_fail(struct conn *c)
{
	conn_reset_fd(c->client);
	c->client = -1;
	conn_free(c);
}

/* Out of memory for @c: say so once per run (a line per connection would
 * flood stderr while it lasts), and reset it. */
void proxy_oom(const struct proxy *p)
{
	static bool warned;

	if (!warned)
		warn("out of memory with %zu connections open: new connections fail while it lasts",
		     p->nconns);
	warned = true;
}

static void conn_oom(struct conn *c)
{
	proxy_oom(c->p);
	conn_fail(c);
}

static void conn_free(struct conn *c)
{
	struct proxy *p = c->p;

	if (c->rreq)
		resolver_cancel(c->rreq);
	if (c->up) {
		upstream_cancel(c->up);
		free(c->up);
	}
	event_del(&c->ev_peek);
	event_del(&c->ev_timer);
	relay_close_pipes(&c->relay);
	if (c->state == CONN_RELAY || c->state == CONN_INSPECT) {
		struct report_conn rc;

		conn_fill_report(c, &rc, true);
		report_connection_end(p->report, &rc);
	}
	inspect_free(c->insp);
	if (c->client >= 0)
		close(c->client);
	if (c->upfd >= 0)
		close(c->upfd);
	if (c->peekfd >= 0)
		close(c->peekfd);
	if (c->prev)
		c->prev->next = c->next;
	else
		p->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	p->nconns--;
	free(c);
}

static void conn_report_allowed(struct conn *c)
{
	struct report_conn rc;

	if (c->rule)
		snprintf(c->reason, sizeof(c->reason), "rule '%s' (%s)", policy_rule_text(c->rule),
			 policy_rule_origin(c->rule));
	conn_fill_report(c, &rc, true);
	report_connection(c->p->report, &rc);
	c->reported = true;
}

/* ---- relay --------------------------------------------------------------- */

/* Relayed or inspected (@err from inspect.c), it is over. */
static void conn_over(void *arg, int err)
{
	struct conn *c = arg;

	if (c->state == CONN_HELD) {
		/* Over (an error) before the client said a word: an allowed
		 * connection all the same. */
		conn_report_allowed(c);
		c->state = CONN_RELAY;
	}
	if (err || c->relay.err) {
		/* One side failed or reset: make the other see a reset too. */
		conn_reset_fd(c->client);
		conn_reset_fd(c->upfd);
		c->client = c->upfd = -1;
	}
	conn_free(c);
}

static void conn_relay_done(struct relay *r UNUSED, void *arg)
{
	conn_over(arg, 0);
}

static void conn_hold(struct conn *c);

static void conn_inspect(struct conn *c)
{
	c->state = CONN_INSPECT;
	c->insp = inspect_start(&(struct inspect_params){
		.base = c->p->base, .tls = c->p->tls, .use_tls = c->proto == PEEK_PROTO_TLS,
		.policy = c->p->policy, .report = c->p->report, .name = c->name, .port = c->port,
		.client = c->client, .upstream = c->upfd, .proc = c->proc }, conn_over, c);
	if (!c->insp && errno == ENOMEM)
		conn_oom(c);
	else if (!c->insp)
		conn_fail(c);
}

static void conn_relay(struct conn *c)
{
	int r;

	c->state = c->late ? CONN_HELD : CONN_RELAY;
	r = relay_start(&c->relay, c->p->base, c->client, c->upfd, c->late, conn_relay_done, c);
	if (r < 0) {
		conn_fail(c);
		return;
	}
	/* relay_start() runs nothing before the next loop turn. */
	if (c->late)
		conn_hold(c);
}

/* ---- upstream ------------------------------------------------------------ */

/* Allowed, but no upstream connection came of it (refused, timed out, or
 * no memory to try): reset.  @why: the upstream proxy's refusal, said. */
static void conn_unreachable(struct conn *c, bool oom, const char *why)
{
	if (c->late) /* allowed, and never reported yet */
		conn_report_allowed(c);
	if (why) {
		struct report_conn rc;

		conn_fill_report(c, &rc, true);
		rc.via_error = why;
		report_connection_failed(c->p->report, &rc);
	}
	if (oom)
		conn_oom(c);
	else
		conn_fail(c);
}

static void conn_connected(void *arg, int fd, const struct sockaddr_storage *addr, int err)
{
	struct conn *c = arg;

	/* @addr lives in c->up: read it before freeing (no getpeername()).
	 * Through a proxy, the address is the destination's (conn_connect). */
	if (fd >= 0 && !c->via && policy_addr_from_sockaddr((const struct sockaddr *)addr, sizeof(*addr),
							    &c->up_addr, NULL) == 0)
		c->has_up_addr = true;
	if (fd < 0) {
		conn_unreachable(c, err == -ENOMEM, c->via ? c->up->hs.error : NULL);
		return;
	}
	free(c->up);
	c->up = NULL;
	c->upfd = fd;
	if (c->inspect)
		conn_inspect(c);
	else
		conn_relay(c);
}

/* To @addrs, or through c->via to the name or @resolved, the address
 * checked (proxy_via.c says which). */
static void conn_connect(struct conn *c, const struct sockaddr_storage *addrs, int n,
			 const struct in6_addr *resolved)
{
	struct upstream_proxy_target t = { .proxy = c->via, .port = c->port };

	c->state = CONN_CONNECT;
	c->up = calloc(1, sizeof(*c->up));
	if (!c->up) {
		conn_unreachable(c, true, NULL);
		return;
	}
	if (c->via) {
		if (c->has_name && proxy_via_by_name(c->via, c->rule, resolved != NULL))
			t.name = c->name;
		if (resolved) {
			t.addr = c->up_addr = *resolved;
			c->has_up_addr = true;
		}
		addrs = c->via->addrs;
		n = c->via->naddrs;
	}
	/* upstream_start may call conn_connected (and free @c) at once. */
	upstream_start(c->up, c->p->base, addrs, n, c->via ? &t : NULL, conn_connected, c);
}

static void conn_resolved(void *arg, const struct sockaddr_storage *addrs, int n, int err)
{
	struct conn *c = arg;
	struct sockaddr_storage ok[UPSTREAM_MAX];
	struct in6_addr first;
	char refused[INET6_ADDRSTRLEN] = "", why[sizeof(c->reason)];
	const char *refused_class = NULL;
	int nok = 0;

	c->rreq = NULL;
	c->via = proxyconf_pick(c->p->proxies, c->name, NULL, c->port);
	if ((err || n <= 0) && c->via) {
		/* The host cannot resolve it, the proxy may (by name). */
		if (proxy_via_unresolved(c->name, c->port, c->rule, why, sizeof(why))) {
			conn_deny(c, "%s", why);
			return;
		}
		if (!c->late)
			conn_report_allowed(c);
		conn_connect(c, NULL, 0, NULL);
		return;
	}
	if (err || n <= 0) {
		conn_deny(c, "%s does not resolve upstream", c->name);
		return;
	}
	for (int i = 0; i < n && nok < UPSTREAM_MAX; i++) {
		struct in6_addr a;
		const struct policy_rule *r = NULL;

		socklen_t len;

		if (policy_addr_from_sockaddr((const struct sockaddr *)&addrs[i], sizeof(addrs[i]), &a,
					      NULL) < 0)
			continue;
		if (policy_decide_resolved(c->p->policy, c->name, &a, c->port, &r) == POLICY_ALLOW) {
			if (!nok)
				first = a;
			policy_addr_to_sockaddr(&a, c->port, &ok[nok++], &len);
		} else if (!refused[0]) {
			policy_addr_str(&a, refused, sizeof(refused));
			refused_class = policy_addr_class_name(policy_addr_class(&a));
		}
	}
	if (!nok) {
		conn_deny(c, "%s resolves to %s address %s; allow it by address to reach it", c->name,
			  refused_class ? refused_class : "a refused", refused);
		return;
	}
	/* A late connection is reported when its first bytes are judged. */
	/* The host's own loopback (a rule names it) is no proxy's to reach. */
	if (policy_addr_class(&first) == POLICY_ADDR_LOOPBACK)
		c->via = NULL;
	if (!c->late)
		conn_report_allowed(c);
	conn_connect(c, ok, nok, &first);
}

static void conn_resolve(struct conn *c)
{
	int r;

	c->state = CONN_RESOLVE;
	if (!c->has_name) {
		struct sockaddr_storage ss;
		socklen_t len;

		policy_addr_to_sockaddr(&c->dst, c->port, &ss, &len);
		if (policy_addr_class(&c->dst) != POLICY_ADDR_LOOPBACK)
			c->via = proxyconf_pick(c->p->proxies, NULL, &c->dst, c->port);
		conn_report_allowed(c);
		conn_connect(c, &ss, 1, &c->dst);
		return;
	}
	r = resolver_lookup(c->p->resolver, c->name, conn_resolved, c, &c->rreq);
	if (r < 0)
		conn_deny(c, "cannot resolve %s", c->name);
	/* The callback may have run (and freed @c) already. */
}

/* ---- peek ---------------------------------------------------------------- */

static bool conn_names_match(const char *seen, const char *name)
{
	char norm[256];

	if (policy_name_normalize(seen, norm, sizeof(norm)) < 0)
		return false;
	return strcmp(norm, name) == 0;
}

/* The peek decided: no more peek events nor its deadline (the relay or a
 * denial takes over the socket). */
static void conn_peek_done(struct conn *c)
{
	event_del(&c->ev_peek);
	event_del(&c->ev_timer);
	if (c->peekfd >= 0) {
		close(c->peekfd);
		c->peekfd = -1;
	}
}

/* The first bytes pass: on to the upstream, or, connected already, let them
 * flow there. */
static void conn_pass(struct conn *c)
{
	if (c->inspect && ((c->proto == PEEK_PROTO_TLS && !c->p->tls) || (c->proto != PEEK_PROTO_TLS &&
								      c->proto != PEEK_PROTO_HTTP))) {
		conn_deny(c, "requests to %s:%u are checked, which needs TLS or HTTP and netbox's CA",
			  c->name, c->port);
		return;
	}
	conn_peek_done(c);
	if (c->state != CONN_HELD) {
		conn_resolve(c);
		return;
	}
	conn_report_allowed(c);
	c->state = CONN_RELAY;
	relay_release_up(&c->relay);
}

/* The first bytes may still become @what: wait for more, at most
 * CONN_PEEK_MS from the first of them on a port where a silent client would
 * have gone on unchecked (80 and 443 count from the accept).  0 (waiting),
 * or 1: no memory for the deadline, @c is gone. */
static int conn_wait(struct conn *c, const char *what)
{
	if (!c->peek_what && c->sniff_only) {
		struct timeval tv = { CONN_PEEK_MS / 1000, (CONN_PEEK_MS % 1000) * 1000 };

		if (event_add(&c->ev_timer, &tv) < 0) {
			conn_oom(c);
			return 1;
		}
	}
	c->peek_what = what;
	return 0;
}

/* The client shut its sending side: what is queued is all it says before
 * an answer, so what is incomplete now stays incomplete. */
static bool conn_client_shut(const struct conn *c)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return getsockopt(c->client, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	       ti.tcpi_state == TCP_CLOSE_WAIT;
}

/* 1: decided (continue or denied: @c may be gone), 0: need more bytes. */
static int conn_try_peek(struct conn *c)
{
	uint8_t buf[PEEK_TLS_MAX];
	ssize_t n = recv(c->client, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
	enum peek_result r;
	enum peek_proto proto;
	const char *what;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if ((n == 0 && c->sniff_only) || (n < 0 && c->state == CONN_HELD)) {
		/* A half-close without a word (the server may still speak), or
		 * a reset the relay passes on. */
		conn_pass(c);
		return 1;
	}
	if (n <= 0) {
		/* Closed or reset before saying anything. */
		conn_free(c);
		return 1;
	}
	proto = peek_detect(buf, (size_t)n);
	if (proto == PEEK_PROTO_NEED_MORE && conn_client_shut(c))
		proto = peek_detect_end(buf, (size_t)n);
	c->proto = proto;
	switch (proto) {
	case PEEK_PROTO_TLS:
		what = "TLS ClientHello";
		r = peek_tls_sni(buf, (size_t)n, c->sni, sizeof(c->sni));
		break;
	case PEEK_PROTO_HTTP:
		what = "HTTP request";
		r = peek_http_host(buf, (size_t)n, c->sni, sizeof(c->sni));
		break;
	case PEEK_PROTO_H2C:
		conn_deny(c, "HTTP/2 without TLS (h2c prior knowledge): netbox cannot see the host it asks for");
		return 1;
	case PEEK_PROTO_HTTP09:
		conn_deny(c, "HTTP/0.9 carries no Host: netbox cannot see the host it asks for");
		return 1;
	case PEEK_PROTO_NEED_MORE:
		return conn_wait(c, "TLS ClientHello or HTTP request");
	default:
		if (c->port == 443 || c->port == 80) {
			conn_deny(c, "not %s on port %u", c->port == 443 ? "TLS" : "HTTP", c->port);
			return 1;
		}
		conn_pass(c);
		return 1;
	}
	if (r == PEEK_NEED_MORE && (size_t)n < sizeof(buf) && !conn_client_shut(c))
		return conn_wait(c, what);
	if (r == PEEK_NEED_MORE || r == PEEK_INVALID) {
		c->sni[0] = '\0';
		conn_deny(c, "malformed %s", what);
		return 1;
	}
	if (r == PEEK_FOUND && !conn_names_match(c->sni, c->name)) {
		conn_deny(c, "%s %s does not match %s", proto == PEEK_PROTO_TLS ? "SNI" : "Host", c->sni, c->name);
		return 1;
	}
	if (r != PEEK_FOUND)
		c->sni[0] = '\0';
	conn_pass(c);
	return 1;
}

static void conn_on_peek(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	conn_try_peek(arg);
}

static void conn_on_peek_timeout(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct conn *c = arg;

	event_del(&c->ev_peek);
	if (c->state == CONN_PEEK && c->sniff_only && !c->peek_what) {
		/* Nothing from the client: maybe a protocol where the server
		 * speaks first.  Connect; the client's first bytes are still
		 * judged when they come (conn_hold). */
		c->late = true;
		conn_resolve(c);
		return;
	}
	if (c->peek_what)
		conn_deny(c, "the client sent no complete %s within %d s", c->peek_what, CONN_PEEK_MS / 1000);
	else
		conn_deny(c, "the client sent no %s within %d s", c->port == 443 ? "TLS ClientHello" : "request",
			  CONN_PEEK_MS / 1000);
}

/* Connected after a silent sniff: the upstream -> client direction flows,
 * the client's first bytes wait in its socket for conn_try_peek().  ev_peek
 * watches a dup of the client's descriptor: libevent keeps one set of flags
 * per descriptor, and the relay's level-triggered write event may be on
 * the client's own one. */
static void conn_hold(struct conn *c)
{
	c->peekfd = fcntl(c->client, F_DUPFD_CLOEXEC, 3);
	if (c->peekfd < 0) {
		conn_deny(c, "cannot watch the connection (%s)", strerror(errno));
		return;
	}
	event_assign(&c->ev_peek, c->p->base, c->peekfd, EV_READ | EV_PERSIST | EV_ET, conn_on_peek, c);
	if (event_add(&c->ev_peek, NULL) < 0) {
		conn_deny(c, "cannot watch the connection (%s)", strerror(ENOMEM));
		return;
	}
	/* Bytes that came while connecting announce no new edge. */
	conn_try_peek(c);
}

static void conn_peek(struct conn *c)
{
	int ms;
	struct timeval tv;

	c->state = CONN_PEEK;
	/* An inspected client must speak first, as on 80 and 443. */
	c->sniff_only = c->port != 80 && c->port != 443 && !c->inspect;
	ms = c->sniff_only ? CONN_SNIFF_MS : CONN_PEEK_MS;
	tv = (struct timeval){ ms / 1000, (ms % 1000) * 1000 };
	/* Edge-triggered: MSG_PEEK leaves the bytes queued, so a level-
	 * triggered event would fire again and again for the same bytes. */
	event_assign(&c->ev_peek, c->p->base, c->client, EV_READ | EV_PERSIST | EV_ET, conn_on_peek, c);
	evtimer_assign(&c->ev_timer, c->p->base, conn_on_peek_timeout, c);
	if (event_add(&c->ev_peek, NULL) < 0 || event_add(&c->ev_timer, &tv) < 0) {
		conn_oom(c);
		return;
	}
	conn_try_peek(c);
}

/* ---- classify ------------------------------------------------------------- */

static void conn_classify(struct conn *c)
{
	const struct policy_rule *rule = NULL;
	enum policy_verdict v;
	char addr[INET6_ADDRSTRLEN];

	if (IN6_IS_ADDR_V4MAPPED(&c->dst)) {
		struct in_addr a4;

		memcpy(&a4, &c->dst.s6_addr[12], 4);
		if (fakeip_in_range(a4)) {
			const char *name = resolver_fake_name(c->p->resolver, a4);

			if (!name) {
				policy_addr_str(&c->dst, addr, sizeof(addr));
				conn_deny(c, "%s is not an address netbox's resolver handed out", addr);
				return;
			}
			snprintf(c->name, sizeof(c->name), "%s", name);
			c->has_name = true;
		}
	}
	if (c->has_name)
		v = policy_decide_name(c->p->policy, c->name, c->port, &rule);
	else
		v = policy_decide_addr(c->p->policy, &c->dst, c->port, &rule);
	c->rule = rule;
	if (v != POLICY_ALLOW) {
		if (rule)
			conn_deny(c, "rule '%s' (%s)", policy_rule_text(rule), policy_rule_origin(rule));
		else if (!c->has_name && policy_addr_class(&c->dst) != POLICY_ADDR_PUBLIC)
			conn_deny(c, "%s address; allow it by address to reach it",
				  policy_addr_class_name(policy_addr_class(&c->dst)));
		else
			conn_deny(c, "no rule");
		return;
	}
	c->rule = rule;
	c->inspect = c->has_name && policy_inspects(c->p->policy, c->name, c->port);
	if (c->has_name)
		conn_peek(c);
	else
		conn_resolve(c);
}

/* ---- accept --------------------------------------------------------------- */

void proxy_accept_one(struct proxy *p, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	struct sockaddr_in6 dst = { 0 }, peer = { 0 };
	socklen_t len = sizeof(dst);

	if (!c) {
		proxy_oom(p);
		conn_reset_fd(fd);
		return;
	}
	c->p = p;
	c->client = fd;
	c->upfd = -1;
	c->peekfd = -1;
	c->start_ns = now_ns();
	for (int i = 0; i < 2; i++)
		c->relay.dir[i].pipe[0] = c->relay.dir[i].pipe[1] = -1;
	evtimer_assign(&c->ev_timer, p->base, conn_on_peek_timeout, c);
	event_assign(&c->ev_peek, p->base, -1, 0, conn_on_peek, c);
	c->next = p->conns;
	if (p->conns)
		p->conns->prev = c;
	p->conns = c;
	p->nconns++;

	if (getsockname(fd, (struct sockaddr *)&dst, &len) < 0 || dst.sin6_family != AF_INET6) {
		conn_fail(c);
		return;
	}
	c->dst = dst.sin6_addr;
	c->port = ntohs(dst.sin6_port);
	/* Who: asked now, while the program's socket surely exists. */
	len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && peer.sin6_family == AF_INET6)
		c->proc = report_attribute(p->report, IPPROTO_TCP, &peer.sin6_addr,
					   ntohs(peer.sin6_port));
	conn_classify(c);
}

struct proxy *proxy_new(struct event_base *base, const struct policy *policy, struct resolver *resolver,
			struct report *report)
{
	struct proxy *p = xcalloc(1, sizeof(*p));

	p->base = base;
	p->policy = policy;
	p->resolver = resolver;
	p->report = report;
	return p;
}

void proxy_set_upstream_proxies(struct proxy *p, const struct proxyconf *pc)
{
	p->proxies = pc;
}

void proxy_set_tlsca(struct proxy *p, struct tlsca *ca)
{
	inspect_tls_free(p->tls);
	p->tls = ca ? inspect_tls_new(ca) : NULL;
}

void proxy_free(struct proxy *p)
{
	if (!p)
		return;
	while (p->conns)
		conn_free(p->conns); /* NOLINT(clang-analyzer-unix.Malloc): it unlinks itself */
	proxy_listen_free(p);
	inspect_tls_free(p->tls);
	free(p);
}
