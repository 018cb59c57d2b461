/* profilehint.c — the hint of a run with the default profile: `netbox bash`
 * or `netbox sh -c 'npm install'` allow no host, and the user's first
 * denial should say so and name the profile the command needs ("the
 * default profile allows no network: add --allow HOST, or run `netbox npm
 * ...` / --profile npm for npm's").  Runs in netbox, once the options and
 * profiles are read; the text goes to the supervisor in the config, which
 * gives it to report_set_first_denial_hint().
 *
 * Cheap string checks only (every run pays for them): the shipped
 * profiles' names are compiled in (policy_suggest_shipped()), and a -c
 * script is only scanned for the first word of each command, quotes
 * skipped — not parsed as a shell would.
 */
#include "profilehint.h"
#include "config.h"
#include "policy/policy.h"
#include "util.h"

#include <string.h>

/* Programs that take a script with -c. */
static const char *const profilehint_shells[] = {
	"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "fish",
};

/* Words before a command that run it: the command is the next word. */
static const char *const profilehint_prefixes[] = {
	"exec", "env", "command", "time", "nohup",
};

static bool profilehint_in(const char *word, size_t n, const char *const *set, size_t nset)
{
	for (size_t i = 0; i < nset; i++)
		if (strlen(set[i]) == n && memcmp(set[i], word, n) == 0)
			return true;
	return false;
}

static const char *profilehint_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* @word (@n bytes), by its base name, a tool netbox ships a profile for?
 * Then it is in @out. */
static bool profilehint_known(const char *word, size_t n, char *out, size_t len)
{
	const char *base = word;

	for (size_t i = 0; i < n; i++)
		if (word[i] == '/')
			base = word + i + 1;
	n -= (size_t)(base - word);
	if (n == 0 || n >= len)
		return false;
	memcpy(out, base, n);
	out[n] = '\0';
	return policy_suggest_shipped(out);
}

/* VAR=value: the command comes after it. */
static bool profilehint_assignment(const char *word, size_t n)
{
	size_t i = 0;

	if (n == 0 || !(word[0] == '_' || (word[0] >= 'A' && word[0] <= 'Z') ||
			(word[0] >= 'a' && word[0] <= 'z')))
		return false;
	while (i < n && (word[i] == '_' || (word[i] >= 'A' && word[i] <= 'Z') ||
			 (word[i] >= 'a' && word[i] <= 'z') || (word[i] >= '0' && word[i] <= '9')))
		i++;
	return i < n && word[i] == '=';
}

/* The first word of each command of @s (after ; & | newline or '(') that
 * names a tool; quoted strings are skipped whole. */
static bool profilehint_script(const char *s, char *out, size_t len)
{
	bool start = true, prefixed = false;

	while (*s) {
		size_t n;

		if (strchr(";&|\n(", *s)) {
			start = true;
			prefixed = false;
			s++;
			continue;
		}
		if (*s == '\'' || *s == '"') {
			const char *end = strchr(s + 1, *s);

			if (!end)
				return false;
			s = end + 1;
			start = false;
			continue;
		}
		n = strcspn(s, " \t;&|\n()<>'\"`");
		if (n == 0) { /* a blank, a redirection, a backquote */
			s++;
			continue;
		}
		if (start) {
			if (profilehint_assignment(s, n) || (prefixed && s[0] == '-')) {
				/* the command is still to come */
			} else if (profilehint_in(s, n, profilehint_prefixes, ARRAY_SIZE(profilehint_prefixes))) {
				prefixed = true;
			} else if (profilehint_known(s, n, out, len)) {
				return true;
			} else {
				start = false;
			}
		}
		s += n;
	}
	return false;
}

/* The -c script of a shell's arguments (@argv[0] is the shell), or NULL. */
static const char *profilehint_shell_script(char *const *argv)
{
	bool c = false;

	for (size_t i = 1; argv[i]; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			return c ? argv[i + 1] : NULL;
		if ((a[0] != '-' && a[0] != '+') || !a[1])
			return c ? a : NULL;
		if (a[1] == '-') {
			/* bash's long options: two take a value */
			if ((strcmp(a, "--rcfile") == 0 || strcmp(a, "--init-file") == 0) && !argv[++i])
				return NULL;
			continue;
		}
		if (a[0] == '-' && strchr(a + 1, 'c'))
			c = true;
		/* -o OPTION, +o OPTION, -O SHOPT: the next word is theirs */
		if (strpbrk(a + 1, "oO") && argv[i + 1])
			i++;
	}
	return NULL;
}

bool profilehint_tool(char *const *argv, char *out, size_t len)
{
	const char *prog, *script;

	if (!argv || !argv[0] || !len)
		return false;
	prog = profilehint_base(argv[0]);
	if (profilehint_known(prog, strlen(prog), out, len))
		return true;
	if (!profilehint_in(prog, strlen(prog), profilehint_shells, ARRAY_SIZE(profilehint_shells)))
		return false;
	script = profilehint_shell_script(argv);
	return script && profilehint_script(script, out, len);
}

char *profilehint_text(const struct config *cfg)
{
	char tool[64];

	if (cfg->net != NET_FILTER || cfg->nrules || cfg->nprofile_args || cfg->noprofile)
		return NULL;
	/* A profile of the program's own that allows nothing is not "the
	 * default profile". */
	if (cfg->nprofiles_read && strcmp(profilehint_base(cfg->profiles_read[0]), "default.profile") != 0)
		return NULL;
	if (profilehint_tool(cfg->argv, tool, sizeof(tool)))
		return xasprintf("the default profile allows no network: add --allow HOST, or run "
				 "`netbox %s ...` / --profile %s for %s's",
				 tool, tool, tool);
	return xstrdup("the default profile allows no network: add --allow HOST, or --profile NAME "
		       "for a tool's (netbox --list-profiles)");
}
