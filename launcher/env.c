/* env.c — the program's environment.
 *
 * The environment passes through, except what looks like a credential:
 *   - names in env_drop_table (globs with '*', case-insensitive, on the name as
 *     it is and on its words: "-" and "." read as "_", and "_" between a
 *     lower-case and an upper-case letter, so that signingInMemoryKey and
 *     INPUT_GITHUB-TOKEN match *_KEY and *_TOKEN: the desktop session's
 *     sockets, which the sandbox hides anyway, the well-known secrets of
 *     package managers, cloud CLIs and CI systems, and patterns such as
 *     *PASSWORD* or *_KEY), but for the harmless look-alikes in
 *     env_harmless_table;
 *   - values holding a key of env_value_table followed by '=' or, as a JSON
 *     member, by '":' (a connection string, a DSN, a URL query with
 *     password=..., a JVM option -Dx.keyStorePassword=...), a token in a
 *     well-known format (env_token_table: ghp_..., AKIA...), a PEM private
 *     key, or Oracle's user/password@db: dropped, since there is no telling
 *     where such a secret ends;
 *   - values with a URL whose authority has userinfo (https://user:pw@host):
 *     kept, with the userinfo removed, so that a proxy or index URL still
 *     names its host (in *_proxy variables also without a scheme, as curl
 *     reads them); the value rules judge what is left.
 * --keep-env NAME on the command line keeps a variable as it is, credentials
 * included: the user typed it.  keep-env in a profile only gets a name past
 * the name rules: a profile is shipped code that cannot know what the user's
 * value holds, so the value rules still apply.  --clearenv starts from a
 * handful of harmless variables; --setenv/--unsetenv adjust.
 * A run that inspects requests (trust.c) also gets the variables TLS
 * clients read for their CAs, naming the sandbox's files (env_trust_table):
 * they replace the environment's, but not --setenv nor --unsetenv.
 * A run through an upstream proxy (upproxy.c) removes the variables naming
 * proxies (*_proxy, no_proxy): the program reaches only netbox, which
 * carries its connections to the proxy, credentials and all.
 * --check's lines about all this are env_check.c's.
 */
#include "config.h"
#include "env_internal.h"
#include "trust.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool env_bundler_setting(const char *name);

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
	{ "SYSTEM_ACCESSTOKEN", "CI token (Azure Pipelines)" },
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
	{ "SSHPASS", "a password (sshpass -e reads it)" },
	{ "TOKEN", "looks like a token" },
	{ "COOKIE", "an HTTP cookie" },
	/* Bundler reads the credentials for a host from BUNDLE_ + the host with
	 * its dots as "__" (BUNDLE_GEMS__EXAMPLE__COM=user:password). */
	{ "BUNDLE_*__*", "Bundler's credentials for a host", env_bundler_setting },
	{ "*_TOKEN", "looks like a token" },
	{ "*_TOKEN_*", "looks like a token" },
	{ "*AUTHTOKEN*", "looks like a token" },
	{ "*ACCESSTOKEN*", "looks like a token" },
	{ "*_JWT", "looks like a token" },
	{ "*_JWT_*", "looks like a token" },
	{ "*_PAT", "looks like a personal access token" },
	{ "*SECRET*", "looks like a secret" },
	{ "*PASSWORD*", "looks like a password" },
	{ "*PASSWD*", "looks like a password" },
	{ "*_PASS", "looks like a password" },
	{ "*_PWD", "looks like a password" },
	{ "*_PSW", "a password (Jenkins' credentials() binding)" },
	{ "*_CREDS", "user:password (Jenkins' credentials() binding)" },
	{ "*PASSPHRASE*", "looks like a passphrase" },
	{ "*PRIVATE_KEY*", "looks like a private key" },
	{ "*_KEY", "looks like a key" },
	/* a key in an encoding: SIGNING_KEY_B64 */
	{ "*_KEY_B64", "looks like a key" },
	{ "*_KEY_BASE64", "looks like a key" },
	{ "*_KEY_PEM", "looks like a key" },
	{ "*_KEY_DER", "looks like a key" },
	{ "*_KEY_HEX", "looks like a key" },
	{ "*_KEY_JSON", "looks like a key" },
	{ "*_KEY_DATA", "looks like a key" },
	{ "*_KEYFILE_JSON", "a key file's contents (Terraform's Google credentials)" },
	{ "*APIKEY*", "looks like an API key" },
	{ "*CREDENTIAL*", "looks like a credential" },
	{ "*_AUTH", "looks like a credential" },
	{ "*_AUTH_IDENT", "user:password (yarn's npmAuthIdent)" },
	{ "*_DSN", "a connection string (DSN)" },
	{ "*_CONNECTION_STRING", "a connection string" },
	{ "*CONNECTIONSTRING*", "a connection string" },
	{ "*_SESSION", "looks like a session key" },
	{ "*_COOKIE", "an HTTP cookie" },
	{ "*WEBHOOK*", "a webhook URL: the URL is the credential" },
};

/* Names a pattern above catches that tools read and that hold no secret
 * (exact, case-sensitive).  The value rules still apply to them. */
static const struct env_rule env_harmless_table[] = {
	{ "DESKTOP_SESSION", "the desktop's name (xdg-open, toolkits)" },
	{ "KDE_FULL_SESSION", "tells KDE applications they run in Plasma" },
	{ "WT_SESSION", "tells programs they run in Windows Terminal (WSL)" },
	{ "HUDSON_COOKIE", "Jenkins' marker for the processes of a build" },
	{ "JENKINS_NODE_COOKIE", "Jenkins' marker for the processes of a build" },
};

/* Bundler's own settings whose keys hold a dot (BUNDLE_BUILD__NOKOGIRI is
 * build.nokogiri: flags for building that gem; BUNDLE_GEM__CI, BUNDLE_GIT__
 * ALLOW_INSECURE, BUNDLE_LOCAL__RACK): the family and one word.  A key with
 * more dots is a host (BUNDLE_GEM__FURY__IO is gem.fury.io's). */
static const char *const env_bundler_families[] = { "BUILD", "GEM", "GIT", "LOCAL" };

static bool env_bundler_setting(const char *name)
{
	const char *rest = name + strlen("BUNDLE_");
	const char *sep;

	if (strncasecmp(name, "BUNDLE_", strlen("BUNDLE_")) != 0)
		return false;
	sep = strstr(rest, "__");
	if (!sep || strstr(sep + 2, "__"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(env_bundler_families); i++)
		if (strlen(env_bundler_families[i]) == (size_t)(sep - rest) &&
		    strncasecmp(rest, env_bundler_families[i], (size_t)(sep - rest)) == 0)
			return true;
	return false;
}

/* Keys that, at a word's start (the value's start, after a non-alphanumeric
 * byte, or a capital after a small letter: -Djavax.net.ssl.keyStorePassword=)
 * and followed by what they end with, put a secret in any variable's value:
 * libpq/ODBC/ADO.NET/Azure connection strings, URL queries, JVM options,
 * an HTTP header for git (GIT_CONFIG_VALUE_n).  A key ending in '=' is also
 * a JSON member's name ("password": in SPRING_APPLICATION_JSON).
 * Case-insensitive. */
static const struct env_rule env_value_table[] = {
	{ "password=", "a password in a connection string, URL or option" },
	{ "passwd=", "a password in a connection string or URL" },
	{ "pwd=", "a password in a connection string" },
	{ "pass=", "a password in a connection string or URL" },
	{ "passphrase=", "a passphrase in an option (-Dgpg.passphrase=)" },
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

/* Tokens whose format says what they are: a prefix (case-sensitive) at the
 * value's start or after a non-alphanumeric byte, and at least @min more
 * bytes of [A-Za-z0-9_-] ([A-Z0-9] for @upper), so that a word such as
 * "sk-light" or "ASIA" is no token. */
struct env_token {
	struct env_rule rule;
	size_t min;
	bool upper;
};

static const struct env_token env_token_table[] = {
	{ { "ghp_", "a GitHub personal access token" }, 30 },
	{ { "gho_", "a GitHub OAuth token" }, 30 },
	{ { "ghs_", "a GitHub Actions or app token" }, 30 },
	{ { "ghu_", "a GitHub app user token" }, 30 },
	{ { "ghr_", "a GitHub refresh token" }, 30 },
	{ { "github_pat_", "a GitHub fine-grained token" }, 40 },
	{ { "glpat-", "a GitLab personal access token" }, 20 },
	{ { "gldt-", "a GitLab deploy token" }, 20 },
	{ { "glrt-", "a GitLab runner token" }, 20 },
	{ { "xoxb-", "a Slack bot token" }, 20 },
	{ { "xoxa-", "a Slack app token" }, 20 },
	{ { "xoxp-", "a Slack user token" }, 20 },
	{ { "xoxr-", "a Slack refresh token" }, 20 },
	{ { "xapp-", "a Slack app-level token" }, 20 },
	{ { "sk-", "an OpenAI or Anthropic API key" }, 32 },
	{ { "sk_live_", "a Stripe secret key" }, 20 },
	{ { "rk_live_", "a Stripe restricted key" }, 20 },
	{ { "sk_test_", "a Stripe secret key" }, 20 },
	{ { "rk_test_", "a Stripe restricted key" }, 20 },
	{ { "AKIA", "an AWS access key ID" }, 16, true },
	{ { "ASIA", "an AWS temporary access key ID" }, 16, true },
	{ { "AIza", "a Google API key" }, 30 },
	{ { "ya29.", "a Google OAuth access token" }, 20 },
	{ { "npm_", "an npm token" }, 30 },
	{ { "pypi-", "a PyPI token" }, 50 },
	{ { "hf_", "a Hugging Face token" }, 30 },
};

static const struct env_rule env_pem_rule = {
	"-----BEGIN ... PRIVATE KEY-----", "a private key (PEM)"
};
static const struct env_rule env_ezconnect_rule = {
	"user/password@", "Oracle's user/password@database (sqlplus, JDBC thin)"
};

/* What TLS clients read for their CAs, set for a run that inspects: the
 * bundle (the host's CAs and the run's), which they use instead of their
 * own roots; for node the run's CA alone, which it adds to its own. */
static const struct env_trust env_trust_table[] = {
	{ "SSL_CERT_FILE", false, "openssl, Python's ssl, Go, Ruby" },
	{ "NODE_EXTRA_CA_CERTS", true, "Node.js, npm" },
	{ "REQUESTS_CA_BUNDLE", false, "Python requests" },
	{ "CURL_CA_BUNDLE", false, "curl" },
	{ "GIT_SSL_CAINFO", false, "git" },
	{ "PIP_CERT", false, "pip" },
	{ "CARGO_HTTP_CAINFO", false, "cargo" },
	{ "npm_config_cafile", false, "npm" },
	{ "DENO_CERT", false, "Deno" },
};

/* Is @entry one of env_trust_table's, in a run that sets them?  Any case:
 * npm reads NPM_CONFIG_CAFILE as npm_config_cafile. */
static bool env_is_trust(const struct config *cfg, const char *entry)
{
	for (size_t i = 0; cfg->inspects && i < ARRAY_SIZE(env_trust_table); i++) {
		size_t n = strlen(env_trust_table[i].name);

		if (strncasecmp(entry, env_trust_table[i].name, n) == 0 && entry[n] == '=')
			return true;
	}
	return false;
}

const char *env_trust_value(size_t i)
{
	return env_trust_table[i].ca_alone ? TRUST_CA_PATH : TRUST_BUNDLE_PATH;
}

const struct env_trust *env_trust(const struct config *cfg, size_t i)
{
	return cfg->inspects && i < ARRAY_SIZE(env_trust_table) ? &env_trust_table[i] : NULL;
}

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

static bool env_in_table(const struct env_rule *t, size_t n, const char *entry)
{
	for (size_t i = 0; i < n; i++)
		if (env_name_is(entry, t[i].pattern))
			return true;
	return false;
}

/* @name in words, as the name patterns read it: '-' and '.' as '_', and
 * '_' between a small letter and a capital (INPUT_GITHUB-TOKEN ->
 * INPUT_GITHUB_TOKEN, sonatypeToken -> sonatype_Token).  A name in one case
 * stays as it is (KEYTIMEOUT is one word). */
static char *env_name_words(const char *name)
{
	size_t n = strlen(name), o = 0;
	char *w = xmalloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i > 0 && islower((unsigned char)name[i - 1]) && isupper(c))
			w[o++] = '_';
		w[o++] = c == '-' || c == '.' ? '_' : (char)c;
	}
	w[o] = '\0';
	return w;
}

/* fnmatch(@pattern, @s, FNM_CASEFOLD) for the tables' patterns, which use
 * only '*': ASCII case folding and one backtrack point.  glibc's general
 * fnmatch() (locales, brackets, classes), called for 70 patterns on each
 * variable's name and words, was a tenth of netbox's startup in perf. */
static bool env_glob(const char *pattern, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*pattern == '*') {
			star = ++pattern;
			resume = s;
		} else if (*pattern && tolower((unsigned char)*pattern) == tolower((unsigned char)*s)) {
			pattern++;
			s++;
		} else if (star) {
			pattern = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

/* The name rule that drops @entry ("NAME=value"), or NULL. */
static const struct env_rule *env_name_rule(const char *entry)
{
	cleanup_free char *name = xstrndup(entry, strcspn(entry, "="));
	cleanup_free char *words = env_name_words(name);
	bool split = strcmp(name, words) != 0;

	if (env_in_table(env_harmless_table, ARRAY_SIZE(env_harmless_table), entry))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(env_drop_table); i++) {
		const struct env_rule *r = &env_drop_table[i];

		if ((env_glob(r->pattern, name) || (split && env_glob(r->pattern, words))) &&
		    !(r->unless && r->unless(name)))
			return r;
	}
	return NULL;
}

/* Does a word start at @p, in the value that starts at @val? */
static bool env_word_start(const char *val, const char *p, bool camel)
{
	unsigned char prev = p > val ? (unsigned char)p[-1] : 0;

	return !isalnum(prev) || (camel && islower(prev) && isupper((unsigned char)*p));
}

/* Does a key of env_value_table start at @p?  *@json: as a JSON member's
 * name ("key": rather than key=). */
static const struct env_rule *env_value_key(const char *p, bool *json)
{
	for (size_t i = 0; i < ARRAY_SIZE(env_value_table); i++) {
		const char *key = env_value_table[i].pattern;
		size_t n = strlen(key);
		const char *q;

		if (strncasecmp(p, key, n) == 0) {
			*json = false;
			return &env_value_table[i];
		}
		if (key[n - 1] != '=' || strncasecmp(p, key, n - 1) != 0 || (p[n - 1] != '"' && p[n - 1] != '\''))
			continue;
		for (q = p + n; *q == ' ' || *q == '\t'; q++)
			;
		if (*q == ':') {
			*json = true;
			return &env_value_table[i];
		}
	}
	return NULL;
}

static bool env_token_byte(char c, bool upper)
{
	return upper ? (isupper((unsigned char)c) || isdigit((unsigned char)c))
		     : (isalnum((unsigned char)c) || c == '_' || c == '-');
}

/* Does a token of env_token_table start at @p? */
static const struct env_rule *env_value_token(const char *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(env_token_table); i++) {
		const struct env_token *t = &env_token_table[i];
		size_t n = strlen(t->rule.pattern), body = 0;

		if (strncmp(p, t->rule.pattern, n) != 0)
			continue;
		while (body < t->min && env_token_byte(p[n + body], t->upper))
			body++;
		if (body == t->min)
			return &t->rule;
	}
	return NULL;
}

/* A PEM block whose label names a private key ("-----BEGIN RSA PRIVATE
 * KEY-----", "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK", "OPENSSH
 * PRIVATE KEY"); certificates and public keys are not secrets. */
static bool env_value_pem(const char *val)
{
	static const char begin[] = "-----BEGIN ";

	for (const char *p = strstr(val, begin); p; p = strstr(p + 1, begin)) {
		const char *label = p + strlen(begin);
		const char *end = strstr(label, "-----");
		const char *key = strstr(label, "PRIVATE KEY");

		if (end && key && key < end)
			return true;
	}
	return false;
}

/* Oracle's user/password@database (sqlplus, EZConnect, JDBC thin's
 * jdbc:oracle:thin:user/password@host:1521/svc): at the value's start or
 * after a blank, '=' or ':', a user (a letter, then [A-Za-z0-9_$#]), '/', a
 * password without '/', '@' or blanks, '@' and a database: a name, "//host"
 * or a "(DESCRIPTION=...)".  X11's SESSION_MANAGER=local/host:@/tmp/... is
 * none (a path after the '@'), nor is an image pinned by digest
 * (library/alpine@sha256:...); "owner/repo@v4" is dropped with the rest. */
static bool env_value_ezconnect(const char *val)
{
	static const char user_bytes[] = "abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$#";

	for (const char *p = val; *p; p++) {
		const char *pw, *db;
		size_t n;

		if ((p > val && !strchr(" \t\n=:", p[-1])) || !isalpha((unsigned char)*p))
			continue;
		n = strspn(p, user_bytes);
		if (p[n] != '/')
			continue;
		pw = p + n + 1;
		n = strcspn(pw, "/@ \t\r\n");
		if (n == 0 || pw[n] != '@')
			continue;
		db = pw + n + 1;
		if ((isalnum((unsigned char)*db) || strncmp(db, "//", 2) == 0 || *db == '(') &&
		    strncasecmp(db, "sha256:", 7) != 0 && strncasecmp(db, "sha512:", 7) != 0)
			return true;
	}
	return false;
}

/* The value rule that drops a variable whose value is @val, or NULL.
 * *@json: the key was a JSON member's name. */
static const struct env_rule *env_value_rule(const char *val, bool *json)
{
	const struct env_rule *r;

	*json = false;
	for (const char *p = val; *p; p++) {
		if (env_word_start(val, p, true) && (r = env_value_key(p, json)))
			return r;
		if (env_word_start(val, p, false) && (r = env_value_token(p)))
			return r;
	}
	if (env_value_pem(val))
		return &env_pem_rule;
	if (env_value_ezconnect(val))
		return &env_ezconnect_rule;
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

/* The same for a proxy variable's URL: python's urllib (pip, requests)
 * takes everything up to the last '@' before the first '/' as the userinfo,
 * so a password with an unencoded '#', '?', blank or quote is still one
 * there: it goes, whatever a stricter parser would make of it. */
static size_t env_proxy_userinfo_len(const char *s)
{
	size_t at = 0;

	for (size_t i = 0; s[i] && s[i] != '/'; i++)
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

	cleanup_free char *name = xstrndup(entry, o - 1);
	bool proxy = env_glob("*_PROXY", name);

	memcpy(out, entry, o);
	if (!strstr(val, "://")) {
		size_t u = proxy ? env_proxy_userinfo_len(val) : 0;

		stripped = u > 0;
		val += u;
	}
	for (const char *p = val; *p;) {
		if (strncmp(p, "://", 3) == 0) {
			size_t u = proxy ? env_proxy_userinfo_len(p + 3) : env_userinfo_len(p + 3);

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

/* The value rule that drops @entry, judged on what is left once the
 * userinfo of its URLs is gone (a token that was a URL's password goes with
 * it, and the URL stays); *@strip: there was userinfo to remove. */
static const struct env_rule *env_value_fate(const char *entry, bool *json, bool *strip)
{
	cleanup_free char *stripped = env_strip_userinfo(entry);
	const char *e = stripped ? stripped : entry;

	*strip = stripped != NULL;
	return env_value_rule(strchr(e, '=') + 1, json);
}

struct env_verdict env_fate(const struct config *cfg, const char *entry)
{
	struct env_verdict v = { .fate = ENV_KEEP };
	bool cleared = cfg->clearenv, strip;

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
	if (env_is_trust(cfg, entry)) {
		v.fate = ENV_TRUST;
		return v;
	}
	for (size_t i = 0; cleared && i < ARRAY_SIZE(env_clear_keep); i++)
		cleared = !env_name_is(entry, env_clear_keep[i]);
	if (cfg->upstream_proxy && upproxy_env_name(entry) &&
	    !env_in_list(cfg->keep_env, cfg->nkeep_env, entry)) {
		/* The program talks to netbox, which talks to the proxy. */
		v.fate = ENV_DROP_PROXY;
		return v;
	}
	if (env_in_list(cfg->keep_env, cfg->nkeep_env, entry)) {
		v.kept_cmdline = cleared || env_name_rule(entry) || env_value_fate(entry, &v.json, &strip) || strip;
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
	v.rule = env_value_fate(entry, &v.json, &strip);
	if (v.rule)
		v.fate = ENV_DROP_VALUE;
	else if (strip)
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
	for (size_t i = 0; cfg->inspects && i < ARRAY_SIZE(env_trust_table); i++) {
		cleanup_free char *entry = xasprintf("%s=%s", env_trust_table[i].name, env_trust_value(i));

		if (env_fate(cfg, entry).fate == ENV_TRUST)
			env_push(&v, &n, steal_pointer(&entry));
	}
	for (size_t i = 0; i < cfg->nset_env; i++)
		env_push(&v, &n, cfg->set_env[i]);
	return v;
}
