/* env.c — the program's environment.
 *
 * The environment passes through, except what looks like a credential:
 *   - names in env_drop_table (fnmatch(3), case-insensitive: the desktop
 *     session's sockets, which the sandbox hides anyway, the well-known
 *     secrets of package managers, cloud CLIs and CI systems, and patterns
 *     such as *PASSWORD* or *_KEY), but for the harmless look-alikes in
 *     env_harmless_table;
 *   - values holding a key of env_value_table followed by '=' (a connection
 *     string, a DSN, a URL query with password=...): dropped, since there is
 *     no telling where such a secret ends;
 *   - values with a URL whose authority has userinfo (https://user:pw@host):
 *     kept, with the userinfo removed, so that a proxy or index URL still
 *     names its host (in *_proxy variables also without a scheme, as curl
 *     reads them).
 * --keep-env NAME on the command line keeps a variable as it is, credentials
 * included: the user typed it.  keep-env in a profile only gets a name past
 * the name rules: a profile is shipped code that cannot know what the user's
 * value holds, so the value rules still apply.  --clearenv starts from a
 * handful of harmless variables; --setenv/--unsetenv adjust.
 */
#include "config.h"
#include "util.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct env_rule {
	const char *pattern; /* fnmatch(3) on the name; a key (value rules) */
	const char *why;
};

/* One table: add a name here and --check, the docs and the tests follow.
 * The first match gives the reason --check shows: exact names first. */
static const struct env_rule env_drop_table[] = {
	{ "SSH_AUTH_SOCK", "ssh-agent socket" },
	{ "SSH_AGENT_PID", "ssh-agent" },
	{ "GPG_AGENT_INFO", "gpg-agent socket" },
	{ "DBUS_SESSION_BUS_ADDRESS", "session bus" },
	{ "DBUS_SYSTEM_BUS_ADDRESS", "system bus" },
	{ "XDG_RUNTIME_DIR", "per-user runtime sockets" },
	{ "DOCKER_HOST", "docker daemon" },
	{ "DOCKER_AUTH_CONFIG", "registry credentials" },
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
	{ "YARN_NPM_AUTH_TOKEN", "registry token" },
	{ "CARGO_REGISTRY_TOKEN", "registry token" },
	{ "TWINE_PASSWORD", "registry token" },
	{ "PYPI_TOKEN", "registry token" },
	{ "GEM_HOST_API_KEY", "registry token" },
	{ "VAULT_TOKEN", "secret store token" },
	{ "BW_SESSION", "password manager session" },
	{ "OP_SESSION_*", "password manager session" },
	{ "OPENAI_API_KEY", "API key" },
	{ "ANTHROPIC_API_KEY", "API key" },
	{ "HF_TOKEN", "API key" },
	{ "*_TOKEN", "looks like a token" },
	{ "*_TOKEN_*", "looks like a token" },
	{ "*AUTHTOKEN*", "looks like a token" },
	{ "*_JWT", "looks like a token" },
	{ "*_JWT_*", "looks like a token" },
	{ "*_PAT", "looks like a personal access token" },
	{ "*SECRET*", "looks like a secret" },
	{ "*PASSWORD*", "looks like a password" },
	{ "*PASSWD*", "looks like a password" },
	{ "*_PASS", "looks like a password" },
	{ "*_PWD", "looks like a password" },
	{ "*PASSPHRASE*", "looks like a passphrase" },
	{ "*PRIVATE_KEY*", "looks like a private key" },
	{ "*_KEY", "looks like a key" },
	{ "*APIKEY*", "looks like an API key" },
	{ "*CREDENTIAL*", "looks like a credential" },
	{ "*_AUTH", "looks like a credential" },
	{ "*_DSN", "a connection string (DSN)" },
	{ "*_CONNECTION_STRING", "a connection string" },
	{ "*CONNECTIONSTRING*", "a connection string" },
	{ "*_SESSION", "looks like a session key" },
	{ "*WEBHOOK*", "a webhook URL: the URL is the credential" },
};

/* Names a pattern above catches that tools read and that hold no secret
 * (exact, case-sensitive).  The value rules still apply to them. */
static const struct env_rule env_harmless_table[] = {
	{ "DESKTOP_SESSION", "the desktop's name (xdg-open, toolkits)" },
	{ "KDE_FULL_SESSION", "tells KDE applications they run in Plasma" },
	{ "WT_SESSION", "tells programs they run in Windows Terminal (WSL)" },
};

/* Keys that, at the start of a value or after a non-alphanumeric byte and
 * followed by what they end with, put a secret in any variable's value:
 * libpq/ODBC/ADO.NET/Azure connection strings, URL queries, JVM options,
 * an HTTP header for git (GIT_CONFIG_VALUE_n).  Case-insensitive. */
static const struct env_rule env_value_table[] = {
	{ "password=", "a password in a connection string or URL" },
	{ "passwd=", "a password in a connection string or URL" },
	{ "pwd=", "a password in a connection string" },
	{ "pass=", "a password in a connection string or URL" },
	{ "secret=", "a secret in a connection string or URL" },
	{ "token=", "a token in a URL or connection string" },
	{ "auth=", "credentials in a URL or configuration" },
	{ "apikey=", "an API key in a URL" },
	{ "api_key=", "an API key in a URL" },
	{ "accountkey=", "a storage account key (Azure connection string)" },
	{ "sharedaccesskey=", "a shared access key (Azure connection string)" },
	{ "sig=", "a signed URL (Azure SAS)" },
	{ "x-amz-signature=", "a signed URL (S3 presigned)" },
	{ "authorization:", "an HTTP Authorization header" },
};

/* Kept by --clearenv. */
static const char *const env_clear_keep[] = {
	"PATH", "HOME", "TERM", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "COLORTERM",
};

enum env_fate {
	ENV_KEEP,
	ENV_STRIP,        /* kept, a URL's userinfo removed */
	ENV_DROP_NAME,    /* env_drop_table */
	ENV_DROP_VALUE,   /* env_value_table */
	ENV_DROP_CLEAR,
	ENV_DROP_UNSET,
	ENV_REPLACED,
};

/* What happens to one variable, and why. */
struct env_verdict {
	enum env_fate fate;
	const struct env_rule *rule; /* ENV_DROP_NAME, ENV_DROP_VALUE */
	bool kept_cmdline;           /* --keep-env saved it from a rule */
	bool kept_profile;           /* keep-env in a profile did */
	bool in_profile;             /* a profile names it in keep-env */
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

static bool env_in_table(const struct env_rule *t, size_t n, const char *entry)
{
	for (size_t i = 0; i < n; i++)
		if (env_name_is(entry, t[i].pattern))
			return true;
	return false;
}

/* The name rule that drops @entry ("NAME=value"), or NULL. */
static const struct env_rule *env_name_rule(const char *entry)
{
	cleanup_free char *name = xstrndup(entry, strcspn(entry, "="));

	if (env_in_table(env_harmless_table, ARRAY_SIZE(env_harmless_table), entry))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(env_drop_table); i++)
		if (fnmatch(env_drop_table[i].pattern, name, FNM_CASEFOLD) == 0)
			return &env_drop_table[i];
	return NULL;
}

/* The value rule that drops @entry, or NULL. */
static const struct env_rule *env_value_rule(const char *entry)
{
	const char *val = strchr(entry, '=') + 1;

	for (const char *p = val; *p; p++) {
		if (p > val && isalnum((unsigned char)p[-1]))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(env_value_table); i++) {
			const char *key = env_value_table[i].pattern;

			if (strncasecmp(p, key, strlen(key)) == 0)
				return &env_value_table[i];
		}
	}
	return NULL;
}

/* Where a URL's authority ends (RFC 3986: at '/', '?' or '#'), and the
 * bytes that cannot be in one unencoded, so that a URL inside JSON or a
 * list does not run into its neighbours; ',' and ';' can be in a password. */
static bool env_authority_end(char c)
{
	return c == '\0' || strchr("/?#\\ \t\r\n\v\f\"'<>`{}|^", c) != NULL;
}

/* Bytes of userinfo, its '@' included, at the start of the authority @s: up
 * to the last '@' before the authority ends, as URL parsers read it. */
static size_t env_userinfo_len(const char *s)
{
	size_t at = 0;

	for (size_t i = 0; !env_authority_end(s[i]); i++)
		if (s[i] == '@')
			at = i + 1;
	return at;
}

/* @entry without the userinfo of every URL in its value ("scheme://user:pw@
 * host" -> "scheme://host"), newly allocated, or NULL if it has none.  A
 * *_proxy value without "://" is an authority itself (curl reads
 * "user:pw@proxy:3128" so). */
static char *env_strip_userinfo(const char *entry)
{
	const char *val = strchr(entry, '=') + 1;
	char *out = xmalloc(strlen(entry) + 1);
	size_t o = (size_t)(val - entry);
	bool stripped = false;

	memcpy(out, entry, o);
	if (!strstr(val, "://")) {
		cleanup_free char *name = xstrndup(entry, o - 1);
		size_t u = fnmatch("*_PROXY", name, FNM_CASEFOLD) == 0 ? env_userinfo_len(val) : 0;

		stripped = u > 0;
		val += u;
	}
	for (const char *p = val; *p;) {
		if (strncmp(p, "://", 3) == 0) {
			size_t u = env_userinfo_len(p + 3);

			memcpy(out + o, p, 3);
			o += 3;
			p += 3 + u;
			stripped |= u > 0;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	if (!stripped) {
		free(out);
		return NULL;
	}
	return out;
}

static bool env_has_userinfo(const char *entry)
{
	cleanup_free char *s = env_strip_userinfo(entry);

	return s != NULL;
}

static struct env_verdict env_fate(const struct config *cfg, const char *entry)
{
	struct env_verdict v = { .fate = ENV_KEEP };
	bool cleared = cfg->clearenv;

	if (env_in_list(cfg->unset_env, cfg->nunset_env, entry)) {
		v.fate = ENV_DROP_UNSET;
		return v;
	}
	for (size_t i = 0; i < cfg->nset_env; i++) {
		const char *eq = strchr(cfg->set_env[i], '=');

		if (strncmp(entry, cfg->set_env[i], (size_t)(eq - cfg->set_env[i]) + 1) == 0) {
			v.fate = ENV_REPLACED;
			return v;
		}
	}
	for (size_t i = 0; cleared && i < ARRAY_SIZE(env_clear_keep); i++)
		cleared = !env_name_is(entry, env_clear_keep[i]);
	if (env_in_list(cfg->keep_env, cfg->nkeep_env, entry)) {
		v.kept_cmdline = cleared || env_name_rule(entry) || env_value_rule(entry) ||
				 env_has_userinfo(entry);
		return v;
	}
	v.in_profile = env_in_list(cfg->keep_env_profile, cfg->nkeep_env_profile, entry);
	v.rule = env_name_rule(entry);
	if (cleared || v.rule) {
		if (!v.in_profile) {
			v.fate = cleared ? ENV_DROP_CLEAR : ENV_DROP_NAME;
			return v;
		}
		v.kept_profile = true;
	}
	v.rule = env_value_rule(entry);
	if (v.rule)
		v.fate = ENV_DROP_VALUE;
	else if (env_has_userinfo(entry))
		v.fate = ENV_STRIP;
	return v;
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
		if (!strchr(*e, '=') || env_identity_var(cfg, *e))
			continue;
		switch (env_fate(cfg, *e).fate) {
		case ENV_KEEP:
			env_push(&v, &n, *e);
			break;
		case ENV_STRIP:
			env_push(&v, &n, env_strip_userinfo(*e));
			break;
		default:
			break;
		}
	}
	env_identity(cfg, &v, &n);
	for (size_t i = 0; i < cfg->nset_env; i++)
		env_push(&v, &n, cfg->set_env[i]);
	return v;
}

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
		printf("  drop  %-28s (value holds '%s': %s; %s)\n", name, v.rule->pattern, v.rule->why, how);
		return true;
	case ENV_STRIP:
		printf("  strip %-28s (user:password@ of a URL in its value removed, the rest kept; %s)\n", name,
		       how);
		return true;
	case ENV_DROP_UNSET:
		printf("  drop  %-28s (--unsetenv)\n", name);
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
	for (size_t i = 0; i < cfg->nset_env; i++) {
		cleanup_free char *set = util_escape_dup(cfg->set_env[i]);

		printf("  set   %s (--setenv)\n", set);
		any = true;
	}
	if (!any && !cfg->clearenv)
		printf("  (nothing to drop)\n");
}
