/* proxy_via.c — what a connection tells an upstream proxy (issue 14): may
 * the proxy resolve a name the host could not, and does the tunnel name the
 * host or give the address netbox resolved and checked?  Pure: the policy's
 * deciding rule and the proxy's scheme.  Run by proxy.c, in the
 * supervisor's loop.
 *
 * Trust: a name a rule names ("registry.npmjs.org", "*.npmjs.org") goes by
 * name, as corporate proxies' rules are written, and the proxy's resolution
 * is trusted as the DNS of the host the rule names.  A name only a
 * catch-all allows ('*', --learn) may be the program's own, DNS and all (it
 * can answer the host one address and the proxy 127.0.0.1: rebinding), so
 * nothing of it is left to the proxy: the host resolves it, the addresses
 * pass the checks here, and the tunnel goes to the checked address.
 */
#include "proxy_internal.h"
#include "policy/policy.h"
#include "proxyconf.h"

#include <stdio.h>

const char *proxy_via_unresolved(const char *name, uint16_t port, const struct policy_rule *rule,
				 char *why, size_t len)
{
	if (proxyconf_name_is_address(name)) {
		/* "127.1", "0x7f000001", "x.localhost": the proxy would read an
		 * address (its own loopback, metadata, private ranges) where
		 * netbox saw a name, past the address checks. */
		snprintf(why, len, "%s does not resolve upstream, and is an address to a proxy: not sent to it",
			 name);
		return why;
	}
	if (policy_rule_is_catchall(rule)) {
		/* (A rule without ports names 80 and 443.) */
		char allow[POLICY_NAME_MAX + 8];

		snprintf(allow, sizeof(allow), port == 80 || port == 443 ? "%s" : "%s:%u", name, port);
		snprintf(why, len, PROXYCONF_CATCHALL_WHY, policy_rule_text(rule), policy_rule_origin(rule),
			 allow);
		return why;
	}
	return NULL;
}

bool proxy_via_by_name(const struct proxyconf_proxy *via, const struct policy_rule *rule,
		       bool resolved)
{
	if (!resolved)
		return true;
	/* socks5:// (not h) is asked to take addresses. */
	return via->scheme != PROXYCONF_SOCKS5 && !policy_rule_is_catchall(rule);
}
