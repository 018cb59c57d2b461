/* proxyconf.h — the upstream proxies netbox goes through (issue 14): their
 * URLs, NO_PROXY, and which proxy carries a connection (proxyconf.c).
 *
 * Pure: the launcher (launcher/upproxy.c) parses the URLs and NO_PROXY and
 * resolves each proxy's host before the sandbox exists; the supervisor
 * reads the result — the proxy (netproxy/proxy.c) to pick the proxy of a
 * connection, the resolver (dns/query.c) to know that a name its host
 * cannot resolve will still be reached (through a proxy, by name).
 */
#ifndef NETBOX_PROXYCONF_H
#define NETBOX_PROXYCONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum proxyconf_scheme {
	PROXYCONF_HTTP,    /* http://: HTTP CONNECT, by name */
	PROXYCONF_SOCKS5,  /* socks5://: the address netbox resolved, else the name */
	PROXYCONF_SOCKS5H, /* socks5h://: always by name */
};

#define PROXYCONF_ADDRS 8
#define PROXYCONF_CRED_MAX 255 /* RFC 1929: a user or a password is 1..255 bytes */

struct proxyconf_proxy {
	enum proxyconf_scheme scheme;
	char host[256];               /* lower case, no brackets */
	uint16_t port;
	bool auth;                    /* user (and password) given */
	char user[PROXYCONF_CRED_MAX + 1], pass[PROXYCONF_CRED_MAX + 1]; /* percent-decoded */
	char shown[300];              /* "host:port", "[v6]:port": never the userinfo */
	const char *source;           /* the variable it came from, or "--upstream-proxy" */
	struct sockaddr_storage addrs[PROXYCONF_ADDRS]; /* the host's, resolved at start */
	int naddrs;
};

/* One NO_PROXY entry: a name (and its subdomains), or an address range. */
struct proxyconf_skip {
	bool is_addr;
	char name[256];               /* lower case, no leading or trailing dot */
	struct in6_addr addr;         /* IPv4 mapped */
	unsigned prefix;              /* of the 128 bits */
};

struct proxyconf {
	/* By the destination's port, as curl picks: 80 -> http, others ->
	 * https; then all.  NULL: none of that kind. */
	struct proxyconf_proxy *http, *https, *all;
	bool skip_all;                /* NO_PROXY=* */
	struct proxyconf_skip *skip;
	size_t nskip;
	const char *skip_source;      /* "no_proxy" or "NO_PROXY" */
};

/* Parse @url (from @source) into @out: 0, or -EINVAL with what is wrong in
 * @err (never the password).  No scheme reads as http://, no port as 1080
 * (curl's defaults); https:// and socks4 proxies are refused. */
int proxyconf_parse_url(const char *url, const char *source, struct proxyconf_proxy *out,
			char *err, size_t errlen);

/* Parse the NO_PROXY list @list into @pc (comma or blank separated): 0, or
 * -ENOMEM.  An entry that is neither a name nor an address is skipped. */
int proxyconf_parse_skip(struct proxyconf *pc, const char *list);

/* The proxy that carries a connection to @name (normalised; NULL for a raw
 * address) or @addr (IPv4 mapped; used when @name is NULL) on @port, or NULL
 * when it goes direct (no proxy, or NO_PROXY names it).  @pc may be NULL. */
const struct proxyconf_proxy *proxyconf_pick(const struct proxyconf *pc, const char *name,
					     const struct in6_addr *addr, uint16_t port);

/* @name (normalised) is an address or loopback in a name's clothing: its
 * last label is a number ("127.1", "2130706433", "0x7f000001", as
 * inet_aton() and the WHATWG URL parser read them), or it is "localhost" or
 * under it (RFC 6761).  Never handed to a proxy to resolve: the proxy would
 * reach the address itself, past the address checks. */
bool proxyconf_name_is_address(const char *name);

/* Would some port of @name go through a proxy?  Never for a name that
 * proxyconf_name_is_address().  (The resolver: a name its host cannot
 * resolve still gets a fake address then, if a rule names it.) */
bool proxyconf_by_proxy(const struct proxyconf *pc, const char *name);

/* Why a name that only a catch-all rule allows ('*', --learn's '*:*':
 * policy_rule_is_catchall()), which the host cannot resolve, is not left to
 * a proxy to resolve: the program may own the name's DNS and answer the
 * proxy 127.0.0.1, 10.x or 169.254.169.254 (rebinding), past the address
 * checks.  A format for the rule's text, its origin and the --allow that
 * names it ("x.test", "x.test:8443"; dns/query.c, netproxy/proxy_via.c):
 * the denial line has no fix of its own for a name the rules allow. */
#define PROXYCONF_CATCHALL_WHY \
	"allowed only by '%s' (%s): its address must be checked here, and this host " \
	"cannot resolve it; allow it by name (--allow %s) to let the proxy resolve it"

/* Free what proxyconf_parse_skip() allocated, and the proxies. */
void proxyconf_free(struct proxyconf *pc);

#endif
