/* upproxy.c — the upstream proxies of a run (issue 14): which ones, from
 * --upstream-proxy or the invoker's environment, and their addresses.
 *
 * Runs in netbox, before the sandbox exists: every error here is a setup
 * error (exit 125, one line naming the variable, never the password).  The
 * supervisor, a fork of netbox, reads the result (cfg->upstream_proxy);
 * it resolves nothing itself: each proxy's host is resolved here, once.
 * Precedence: --upstream-proxy URL beats the environment, and
 * --upstream-proxy none ignores it; from the environment, per connection
 * as curl picks by the destination's port: 80 -> http_proxy, HTTP_PROXY;
 * any other -> https_proxy, HTTPS_PROXY; then all_proxy, ALL_PROXY.
 * no_proxy (then NO_PROXY) applies to both.  The parsing and the choice
 * are common/proxyconf.c's.
 */
#include "config.h"
#include "proxyconf.h"
#include "util.h"

#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* The environment's variables, in the order curl reads them. */
static const struct {
	const char *names[2];
	size_t slot; /* offsetof the struct proxyconf member it fills */
} upproxy_vars[] = {
	{ { "http_proxy", "HTTP_PROXY" }, offsetof(struct proxyconf, http) },
	{ { "https_proxy", "HTTPS_PROXY" }, offsetof(struct proxyconf, https) },
	{ { "all_proxy", "ALL_PROXY" }, offsetof(struct proxyconf, all) },
};

/* Overwrite the userinfo of @url in place ("user:pw@" becomes "***@", then
 * NULs): the sandbox's init is a fork of netbox, and its
 * /proc/1/cmdline, which the program can read, is netbox's command line. */
static void upproxy_scrub(char *url)
{
	char *auth = strstr(url, "://"), *at;
	size_t alen, keep;

	auth = auth ? auth + 3 : url;
	alen = strcspn(auth, "/?#");
	at = NULL;
	for (char *p = auth; p < auth + alen; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return;
	keep = strlen(at);
	if ((size_t)(at - auth) < 3)
		return;
	memcpy(auth, "***", 3);
	memmove(auth + 3, at, keep + 1);
	memset(auth + 3 + keep, '\0', (size_t)(at - auth) - 3);
}

void upproxy_option(struct config *cfg, const char *opt UNUSED, const char *arg)
{
	/* (Options are parsed once, from main()'s writable argv.) */
	cfg->upstream_proxy_arg = xstrdup(arg);
	upproxy_scrub((char *)arg);
}

/* The value of @name in @env, or NULL; empty counts as unset (curl). */
static const char *upproxy_getenv(char **env, const char *name)
{
	size_t len = strlen(name);

	for (char **e = env; e && *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return (*e)[len + 1] ? *e + len + 1 : NULL;
	return NULL;
}

/* Parse @url from @source into a new proxy; a bad one ends the run. */
static struct proxyconf_proxy *upproxy_parse(const char *url, const char *source)
{
	struct proxyconf_proxy *p = xcalloc(1, sizeof(*p));
	char err[512];

	if (proxyconf_parse_url(url, source, p, err, sizeof(err)) < 0)
		die(strcmp(source, "--upstream-proxy") == 0
			    ? "give http://[USER:PASSWORD@]HOST:PORT, socks5h://... or none"
			    : "fix the variable, or pass --upstream-proxy URL or --upstream-proxy none",
		    "%s", err);
	return p;
}

/* The proxy's host, resolved now: the supervisor cannot later. */
static void upproxy_resolve(struct proxyconf_proxy *p)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char port[8];
	int r;

	if (p->naddrs)
		return;
	snprintf(port, sizeof(port), "%u", p->port);
	r = getaddrinfo(p->host, port, &hints, &res);
	if (r != 0)
		die("check the proxy's host name, or pass --upstream-proxy none",
		    "%s: cannot resolve the upstream proxy's host %s: %s", p->source, p->host,
		    r == EAI_SYSTEM ? "system error" : gai_strerror(r));
	for (struct addrinfo *a = res; a && p->naddrs < PROXYCONF_ADDRS; a = a->ai_next) {
		if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
		    a->ai_addrlen > sizeof(p->addrs[0]))
			continue;
		memcpy(&p->addrs[p->naddrs++], a->ai_addr, a->ai_addrlen);
	}
	freeaddrinfo(res);
	if (!p->naddrs)
		die("check the proxy's host name", "%s: the upstream proxy's host %s has no IPv4 or IPv6 address",
		    p->source, p->host);
}

void upproxy_plan(struct config *cfg, char **environ_in)
{
	struct proxyconf *pc;
	const char *skip = NULL, *skip_source = NULL;

	if (cfg->net != NET_FILTER || (cfg->upstream_proxy_arg && strcmp(cfg->upstream_proxy_arg, "none") == 0))
		return;
	pc = xcalloc(1, sizeof(*pc));
	if (cfg->upstream_proxy_arg) {
		pc->all = upproxy_parse(cfg->upstream_proxy_arg, "--upstream-proxy");
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(upproxy_vars); i++)
			for (size_t j = 0; j < 2; j++) {
				const char *v = upproxy_getenv(environ_in, upproxy_vars[i].names[j]);
				struct proxyconf_proxy **slot =
					(struct proxyconf_proxy **)((char *)pc + upproxy_vars[i].slot);

				if (v && !*slot)
					*slot = upproxy_parse(v, upproxy_vars[i].names[j]);
			}
	}
	if (!pc->http && !pc->https && !pc->all) {
		free(pc);
		return;
	}
	for (size_t j = 0; j < 2 && !skip; j++) {
		skip_source = j ? "NO_PROXY" : "no_proxy";
		skip = upproxy_getenv(environ_in, skip_source);
	}
	if (skip) {
		pc->skip_source = skip_source;
		if (proxyconf_parse_skip(pc, skip) < 0)
			die(NULL, "out of memory");
	}
	if (pc->http)
		upproxy_resolve(pc->http);
	if (pc->https)
		upproxy_resolve(pc->https);
	if (pc->all)
		upproxy_resolve(pc->all);
	cfg->upstream_proxy = pc;
}

static void upproxy_print_one(const struct proxyconf_proxy *p, const char *ports)
{
	static const char *const schemes[] = { "HTTP CONNECT", "SOCKS5", "SOCKS5, names resolved by the proxy" };

	if (p)
		printf("  upstream proxy for %s: %s (%s, from %s%s)\n", ports, p->shown, schemes[p->scheme],
		       p->source, p->auth ? ", with its user and password" : "");
}

void upproxy_print(const struct config *cfg, bool note)
{
	const struct proxyconf *pc = cfg->upstream_proxy;

	if (!pc) {
		if (cfg->upstream_proxy_arg)
			printf("  no upstream proxy (--upstream-proxy none)\n");
		return;
	}
	upproxy_print_one(pc->http, "port 80");
	upproxy_print_one(pc->https, pc->http ? "other ports" : "ports other than 80");
	if (!pc->http || !pc->https)
		upproxy_print_one(pc->all, pc->http || pc->https ? "the other ports" : "every port");
	if (pc->skip_all)
		printf("  no_proxy: every destination goes direct (%s=*)\n", pc->skip_source);
	else if (pc->nskip)
		printf("  direct, not through the proxy (%s): %zu entr%s\n", pc->skip_source, pc->nskip,
		       pc->nskip == 1 ? "y" : "ies");
	if (note)
		printf("  (names the host cannot resolve are resolved by the proxy; the program's\n"
		       "  proxy variables are removed: it talks to netbox)\n");
}

bool upproxy_env_name(const char *entry)
{
	size_t len = strcspn(entry, "=");

	return (len == 8 && strncasecmp(entry, "no_proxy", 8) == 0) ||
	       (len > 6 && strncasecmp(entry + len - 6, "_proxy", 6) == 0);
}
