/* env_internal.h — what env.c (the program's environment) shares with
 * env_check.c (its --check lines). */
#ifndef NETBOX_ENV_INTERNAL_H
#define NETBOX_ENV_INTERNAL_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

struct env_rule {
	const char *pattern; /* a glob on the name (env_glob()); a key (value rules) */
	const char *why;
	/* Name rules: a name the pattern matches but this says is no secret. */
	bool (*unless)(const char *name);
};

/* A variable TLS clients read for their CAs, set for a run that inspects. */
struct env_trust {
	const char *name;
	bool ca_alone; /* the run's CA alone, not the bundle */
	const char *who;
};

enum env_fate {
	ENV_KEEP,
	ENV_STRIP,        /* kept, a URL's userinfo removed */
	ENV_DROP_NAME,    /* env_drop_table */
	ENV_DROP_VALUE,   /* env_value_table, env_token_table, a PEM key, ... */
	ENV_DROP_CLEAR,
	ENV_DROP_UNSET,
	ENV_REPLACED,
	ENV_TRUST,        /* netbox sets its own (env_trust_table) */
	ENV_DROP_PROXY,   /* names a proxy, and netbox goes through one (upproxy.c) */
};

/* What happens to one variable, and why. */
struct env_verdict {
	enum env_fate fate;
	const struct env_rule *rule; /* ENV_DROP_NAME, ENV_DROP_VALUE */
	bool json;                   /* ENV_DROP_VALUE: a key as a JSON member */
	bool kept_cmdline;           /* --keep-env saved it from a rule */
	bool kept_profile;           /* keep-env in a profile did */
	bool in_profile;             /* a profile names it in keep-env */
};

/* What happens to @entry ("NAME=value"), and why. */
struct env_verdict env_fate(const struct config *cfg, const char *entry);
/* The i-th CA variable of a run that inspects, NULL past the last (or for
 * a run that does not inspect); the path it is set to. */
const struct env_trust *env_trust(const struct config *cfg, size_t i);
const char *env_trust_value(size_t i);

#endif
