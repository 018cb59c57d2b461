/* env_check.c — netbox --check's "environment:" section: what env.c does
 * to each variable of the invoker's environment, and why (runs in netbox,
 * before anything is made).
 */
#include "env_internal.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* One --check line for @e, if anything happens to it; true if printed. */
static bool env_print_one(const struct config *cfg, const char *e)
{
	struct env_verdict v = env_fate(cfg, e);
	/* A variable's name is anyone's bytes: shown escaped. */
	cleanup_free char *raw = xstrndup(e, strcspn(e, "="));
	cleanup_free char *name = util_escape_dup(raw);
	cleanup_free char *how =
		v.in_profile ? xasprintf("keep-env in a profile does not pass credentials; --keep-env %s does", name)
			     : xasprintf("--keep-env %s keeps it whole", name);

	switch (v.fate) {
	case ENV_DROP_NAME:
		if (strpbrk(v.rule->pattern, "*?["))
			printf("  drop  %-28s (name matches %s: %s; --keep-env %s keeps it)\n", name,
			       v.rule->pattern, v.rule->why, name);
		else
			printf("  drop  %-28s (%s; --keep-env %s keeps it)\n", name, v.rule->why, name);
		return true;
	case ENV_DROP_VALUE:
		if (v.json)
			printf("  drop  %-28s (value holds '\"%.*s\":': %s; %s)\n", name,
			       (int)strlen(v.rule->pattern) - 1, v.rule->pattern, v.rule->why, how);
		else
			printf("  drop  %-28s (value holds '%s': %s; %s)\n", name, v.rule->pattern, v.rule->why, how);
		return true;
	case ENV_STRIP:
		printf("  strip %-28s (user:password@ of a URL in its value removed, the rest kept; %s)\n", name,
		       how);
		return true;
	case ENV_DROP_UNSET:
		printf("  drop  %-28s (--unsetenv)\n", name);
		return true;
	case ENV_DROP_PROXY:
		printf("  drop  %-28s (netbox makes the connections through the upstream proxy; --keep-env %s keeps it)\n",
		       name, name);
		return true;
	case ENV_KEEP:
		if (v.kept_cmdline)
			printf("  keep  %-28s (--keep-env: as it is)\n", name);
		else if (v.kept_profile)
			printf("  keep  %-28s (keep-env in a profile)\n", name);
		return v.kept_cmdline || v.kept_profile;
	default:
		return false;
	}
}

/* The --check lines of the CA variables env.c sets; true if any. */
static bool env_print_trust(const struct config *cfg, char **environ_in)
{
	const struct env_trust *t;
	bool any = false;

	for (size_t i = 0; (t = env_trust(cfg, i)); i++) {
		cleanup_free char *entry = xasprintf("%s=%s", t->name, env_trust_value(i));
		bool yours = false;

		if (env_fate(cfg, entry).fate != ENV_TRUST)
			continue; /* --setenv or --unsetenv: shown as such */
		for (char **e = environ_in; e && *e && !yours; e++)
			yours = strncasecmp(*e, entry, strlen(t->name) + 1) == 0;
		printf("  set   %-28s (TLS inspection: %s, for %s%s)\n", entry,
		       t->ca_alone ? "the run's CA alone" : "the host's CAs and the run's", t->who,
		       yours ? "; replaces yours" : "");
		any = true;
	}
	return any;
}

void env_print_changes(const struct config *cfg, char **environ_in)
{
	bool any = false;

	printf("environment:%s\n", cfg->clearenv ? " cleared (--clearenv)" : " passed through, except");
	for (char **e = environ_in; e && *e; e++)
		if (strchr(*e, '='))
			any |= env_print_one(cfg, *e);
	if (cfg->invoked_by_root) {
		printf("  set   HOME=%s USER=%s LOGNAME=%s (the program's user)\n", cfg->target_home,
		       cfg->user, cfg->user);
		any = true;
	}
	any |= env_print_trust(cfg, environ_in);
	for (size_t i = 0; i < cfg->nset_env; i++) {
		cleanup_free char *set = util_escape_dup(cfg->set_env[i]);

		printf("  set   %s (--setenv)\n", set);
		any = true;
	}
	if (!any && !cfg->clearenv)
		printf("  (nothing to drop)\n");
}
