/* suggest.c — the fix for a denied name (policy/): the shipped profile that
 * allows it ("the yarn profile allows it: --profile yarn"), else the
 * --allow to add.  Runs in the supervisor, at a denial line (common/
 * report.c calls the hinter supervise.c gives it).
 *
 * The shipped profiles' network rules are compiled in (suggest_gen.c
 * writes shipped-profiles.h at build time): nothing is read at run time,
 * and nothing is done at start.  Their policies are built at the first
 * denial that asks — denials are rare, and most runs have none — and kept
 * for the run.  Building them may run out of memory: then there is no
 * suggestion this time, and the next denial tries again (run-time code
 * never exits).  The supervisor's loop is single-threaded; so is this.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"

struct suggest_rule {
	bool allow;
	const char *spec;
};

struct suggest_profile {
	const char *name;
	bool alias;                     /* includes another (npx, npm-publish: npm) */
	const struct suggest_rule *rules;
	size_t nrules;
};

#include "shipped-profiles.h"

#define SUGGEST_NPROFILES ARRAY_SIZE(suggest_profiles)

static struct policy *suggest_policies[SUGGEST_NPROFILES];
static bool suggest_built;

/* Build every shipped profile's policy, or none (out of memory). */
static bool suggest_build(void)
{
	char err[256];

	if (suggest_built)
		return true;
	for (size_t i = 0; i < SUGGEST_NPROFILES; i++) {
		const struct suggest_profile *sp = &suggest_profiles[i];
		struct policy *p = policy_new();

		for (size_t j = 0; p && j < sp->nrules; j++)
			if (policy_add(p, sp->rules[j].allow, sp->rules[j].spec, sp->name, err,
				       sizeof(err)) < 0) {
				policy_free(p);
				p = NULL;
			}
		if (!p) {
			for (size_t j = 0; j < i; j++) {
				policy_free(suggest_policies[j]);
				suggest_policies[j] = NULL;
			}
			return false;
		}
		suggest_policies[i] = p;
	}
	suggest_built = true;
	return true;
}

/* Does shipped profile @i allow @name (normalised) on @port (0: DNS)? */
static bool suggest_allows(size_t i, const char *name, uint16_t port)
{
	if (!port)
		return policy_name_may_resolve(suggest_policies[i], name);
	return policy_decide_name(suggest_policies[i], name, port, NULL) == POLICY_ALLOW;
}

/* Append to @out (@len bytes, *at used); false if it does not fit. */
PRINTF(4, 5)
static bool suggest_append(char *out, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(out + *at, len - *at, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= len - *at)
		return false;
	*at += (size_t)w;
	return true;
}

/* "the npm, pnpm and yarn profiles allow it: --profile npm" for the
 * profiles in @hit (@n > 0 of them, sorted by name), into @out. */
static bool suggest_profiles_text(const size_t *hit, size_t n, char *out, size_t len)
{
	size_t at = 0;
	bool fits = suggest_append(out, len, &at, "the");

	for (size_t k = 0; k < n && fits; k++)
		fits = suggest_append(out, len, &at, "%s%s", k == 0 ? " " : k + 1 == n ? " and " : ", ",
				      suggest_profiles[hit[k]].name);
	return fits && suggest_append(out, len, &at, " profile%s it: --profile %s",
				      n > 1 ? "s allow" : " allows", suggest_profiles[hit[0]].name);
}

bool policy_suggest(const char *name, uint16_t port, char *out, size_t len)
{
	char norm[POLICY_NAME_MAX];
	size_t hit[SUGGEST_NPROFILES], n = 0;
	int w;

	if (!name || !out || !len || policy_name_normalize(name, norm, sizeof(norm)) < 0)
		return false;
	if (suggest_build())
		for (size_t i = 0; i < SUGGEST_NPROFILES; i++)
			if (!suggest_profiles[i].alias && suggest_allows(i, norm, port))
				hit[n++] = i;
	if (n)
		return suggest_profiles_text(hit, n, out, len);
	w = port ? snprintf(out, len, "--allow %s:%u", norm, port) : snprintf(out, len, "--allow %s", norm);
	return w >= 0 && (size_t)w < len;
}

bool policy_suggest_denied(const struct policy *run, const char *name, uint16_t port, char *out,
			   size_t len)
{
	const struct policy_rule *rule = NULL;
	char norm[POLICY_NAME_MAX];
	bool allowed;

	if (!name || policy_name_normalize(name, norm, sizeof(norm)) < 0)
		return false;
	if (port)
		allowed = policy_decide_name(run, norm, port, &rule) == POLICY_ALLOW;
	else
		allowed = policy_name_may_resolve_rule(run, norm, &rule);
	/* Allowed: refused for another reason (its SNI, its address class);
	 * a deny rule: the user's choice, and deny wins over any --allow. */
	if (allowed || rule)
		return false;
	return policy_suggest(norm, port, out, len);
}

bool policy_suggest_shipped(const char *name)
{
	for (size_t i = 0; name && i < SUGGEST_NPROFILES; i++)
		if (strcmp(suggest_profiles[i].name, name) == 0)
			return true;
	return false;
}
