/* env.c — the program's environment.
 *
 * The environment passes through, except the variables in env_drop_table:
 * the ones that point at the desktop session's sockets (which the sandbox
 * hides anyway) and the well-known secrets that package managers, cloud
 * CLIs and CI systems read.  --keep-env NAME keeps one; --clearenv starts
 * from a handful of harmless variables; --setenv/--unsetenv adjust.
 */
#include "config.h"
#include "util.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

struct env_rule {
	const char *pattern; /* fnmatch(3) pattern on the name */
	const char *why;
};

/* One table: add a name here and --check, the docs and the tests follow. */
static const struct env_rule env_drop_table[] = {
	{ "SSH_AUTH_SOCK", "ssh-agent socket" },
	{ "SSH_AGENT_PID", "ssh-agent" },
	{ "GPG_AGENT_INFO", "gpg-agent socket" },
	{ "DBUS_SESSION_BUS_ADDRESS", "session bus" },
	{ "DBUS_SYSTEM_BUS_ADDRESS", "system bus" },
	{ "XDG_RUNTIME_DIR", "per-user runtime sockets" },
	{ "DOCKER_HOST", "docker daemon" },
	{ "KRB5CCNAME", "Kerberos credentials" },
	{ "AWS_ACCESS_KEY_ID", "cloud credential" },
	{ "AWS_SECRET_ACCESS_KEY", "cloud credential" },
	{ "AWS_SESSION_TOKEN", "cloud credential" },
	{ "GOOGLE_APPLICATION_CREDENTIALS", "cloud credential" },
	{ "AZURE_CLIENT_SECRET", "cloud credential" },
	{ "GITHUB_TOKEN", "forge token" },
	{ "GH_TOKEN", "forge token" },
	{ "GITLAB_TOKEN", "forge token" },
	{ "CI_JOB_TOKEN", "CI token" },
	{ "NPM_TOKEN", "registry token" },
	{ "NODE_AUTH_TOKEN", "registry token" },
	{ "NPM_CONFIG__AUTH*", "registry token" },
	{ "npm_config__auth*", "registry token" },
	{ "YARN_NPM_AUTH_TOKEN", "registry token" },
	{ "CARGO_REGISTRY_TOKEN", "registry token" },
	{ "TWINE_PASSWORD", "registry token" },
	{ "PYPI_TOKEN", "registry token" },
	{ "GEM_HOST_API_KEY", "registry token" },
	{ "VAULT_TOKEN", "secret store token" },
	{ "OPENAI_API_KEY", "API key" },
	{ "ANTHROPIC_API_KEY", "API key" },
	{ "HF_TOKEN", "API key" },
	{ "*_TOKEN", "looks like a token" },
	{ "*_SECRET", "looks like a secret" },
	{ "*_SECRET_KEY", "looks like a secret" },
	{ "*_PASSWORD", "looks like a password" },
	{ "*_API_KEY", "looks like an API key" },
};

/* Kept by --clearenv. */
static const char *const env_clear_keep[] = {
	"PATH", "HOME", "TERM", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "COLORTERM",
};

static bool env_name_is(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static bool env_in_list(char *const *list, size_t n, const char *entry)
{
	for (size_t i = 0; i < n; i++)
		if (env_name_is(entry, list[i]))
			return true;
	return false;
}

/* The rule that drops @entry ("NAME=value"), or NULL. */
static const struct env_rule *env_drop_rule(const char *entry)
{
	const char *eq = strchr(entry, '=');
	char name[256];

	if (!eq || (size_t)(eq - entry) >= sizeof(name))
		return NULL;
	memcpy(name, entry, (size_t)(eq - entry));
	name[eq - entry] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(env_drop_table); i++)
		if (fnmatch(env_drop_table[i].pattern, name, 0) == 0)
			return &env_drop_table[i];
	return NULL;
}

enum env_fate { ENV_KEEP, ENV_DROP_SECRET, ENV_DROP_CLEAR, ENV_DROP_UNSET, ENV_REPLACED };

static enum env_fate env_fate(const struct config *cfg, const char *entry, const char **why)
{
	*why = NULL;
	if (env_in_list(cfg->unset_env, cfg->nunset_env, entry))
		return ENV_DROP_UNSET;
	for (size_t i = 0; i < cfg->nset_env; i++) {
		const char *eq = strchr(cfg->set_env[i], '=');

		if (strncmp(entry, cfg->set_env[i], (size_t)(eq - cfg->set_env[i]) + 1) == 0)
			return ENV_REPLACED;
	}
	if (env_in_list(cfg->keep_env, cfg->nkeep_env, entry))
		return ENV_KEEP;
	if (cfg->clearenv) {
		for (size_t i = 0; i < ARRAY_SIZE(env_clear_keep); i++)
			if (env_name_is(entry, env_clear_keep[i]))
				return ENV_KEEP;
		return ENV_DROP_CLEAR;
	}
	const struct env_rule *r = env_drop_rule(entry);
	if (r) {
		*why = r->why;
		return ENV_DROP_SECRET;
	}
	return ENV_KEEP;
}

static void env_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* Variables netbox sets because the program's identity differs from the
 * invoker's (root running netbox). */
static void env_identity(const struct config *cfg, char ***v, size_t *n)
{
	if (!cfg->invoked_by_root)
		return;
	env_push(v, n, xasprintf("HOME=%s", cfg->target_home));
	env_push(v, n, xasprintf("USER=%s", cfg->user));
	env_push(v, n, xasprintf("LOGNAME=%s", cfg->user));
}

static bool env_identity_var(const struct config *cfg, const char *entry)
{
	return cfg->invoked_by_root &&
	       (env_name_is(entry, "HOME") || env_name_is(entry, "USER") ||
		env_name_is(entry, "LOGNAME") || env_name_is(entry, "SUDO_COMMAND") ||
		env_name_is(entry, "SUDO_USER") || env_name_is(entry, "SUDO_UID") ||
		env_name_is(entry, "SUDO_GID") || env_name_is(entry, "MAIL"));
}

char **env_build(const struct config *cfg, char **environ_in)
{
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0;

	for (char **e = environ_in; e && *e; e++) {
		const char *why;

		if (!strchr(*e, '=') || env_identity_var(cfg, *e))
			continue;
		if (env_fate(cfg, *e, &why) == ENV_KEEP)
			env_push(&v, &n, *e);
	}
	env_identity(cfg, &v, &n);
	for (size_t i = 0; i < cfg->nset_env; i++)
		env_push(&v, &n, cfg->set_env[i]);
	return v;
}

void env_print_changes(const struct config *cfg, char **environ_in)
{
	bool any = false;

	printf("environment:%s\n", cfg->clearenv ? " cleared (--clearenv)" : " passed through, except");
	for (char **e = environ_in; e && *e; e++) {
		const char *why;
		/* A variable's name is anyone's bytes: shown escaped. */
		cleanup_free char *raw = xasprintf("%.*s", (int)strcspn(*e, "="), *e);
		cleanup_free char *name = util_escape_dup(raw);

		switch (env_fate(cfg, *e, &why)) {
		case ENV_DROP_SECRET:
			printf("  drop  %-28s (%s; --keep-env %s keeps it)\n", name, why, name);
			any = true;
			break;
		case ENV_DROP_UNSET:
			printf("  drop  %-28s (--unsetenv)\n", name);
			any = true;
			break;
		case ENV_KEEP:
			if (env_in_list(cfg->keep_env, cfg->nkeep_env, *e) && env_drop_rule(*e)) {
				printf("  keep  %-28s (--keep-env)\n", name);
				any = true;
			}
			break;
		default:
			break;
		}
	}
	if (cfg->invoked_by_root) {
		printf("  set   HOME=%s USER=%s LOGNAME=%s (the program's user)\n", cfg->target_home,
		       cfg->user, cfg->user);
		any = true;
	}
	for (size_t i = 0; i < cfg->nset_env; i++) {
		cleanup_free char *set = util_escape_dup(cfg->set_env[i]);

		printf("  set   %s (--setenv)\n", set);
		any = true;
	}
	if (!any && !cfg->clearenv)
		printf("  (nothing to drop)\n");
}
