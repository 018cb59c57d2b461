/* test_suggest.c — unit tests of policy/suggest.c (the fix for a denial)
 * against the shipped profiles compiled in (profiles/, every NAME.profile), and of
 * the policy's allocation failures: policy_add() and the first
 * suggestion, each allocation failing in turn, give -1 or a suggestion
 * without a profile, never an exit, and the next try works.  The program
 * is linked with --wrap=malloc,calloc,realloc (policy/meson.build); the
 * wrappers are here.  TAP output.
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "tap.h"
#include "util.h"

/* ---- out of memory -------------------------------------------------------- */

#include "oomwrap.h"

/* policy_add() with every allocation failing in turn: -1, "out of memory",
 * the policy as it was; then it is added. */
static void test_add_oom(void)
{
	struct policy *p = policy_new();
	char err[256], spec[64];
	int n, fails = 0, bad = 0;

	/* Enough rules that the tables are full and grow at the next one. */
	for (int i = 0; i < 16; i++) {
		snprintf(spec, sizeof(spec), "host%d.test:%d", i, 1000 + i);
		policy_add(p, true, spec, "test", err, sizeof(err));
	}
	for (int i = 0; i < 16; i++) {
		snprintf(spec, sizeof(spec), "10.0.%d.0/24", i);
		policy_add(p, true, spec, "test", err, sizeof(err));
	}
	for (const char *const *s = (const char *const[]){ "new.test:8000-8001,9000", "10.9.0.0/16",
							   "*:22", NULL };
	     *s; s++) {
		for (n = 0;; n++) {
			size_t before = policy_count(p);
			int r;

			oom_after = n;
			r = policy_add(p, true, *s, "test", err, sizeof(err));
			oom_after = -1;
			if (r == 0)
				break;
			fails++;
			if (!strstr(err, "out of memory") || policy_count(p) != before)
				bad++;
		}
		ok(n > 0, "%s: allocations failed in turn (%d), then it is added", *s, n);
	}
	is_int(bad, 0, "each failure says out of memory and leaves the policy unchanged (%d failures)",
	       fails);
	is_int(policy_count(p), 35, "every rule added once");
	is_int(policy_decide_name(p, "new.test", 9000, NULL), POLICY_ALLOW, "the name rule works");
	is_int(policy_decide_name(p, "host15.test", 1015, NULL), POLICY_ALLOW, "the older ones too");
	policy_free(p);

	oom_after = 0;
	p = policy_new();
	oom_after = -1;
	ok(p == NULL, "policy_new(): NULL when memory runs out");
	is_int(policy_add(NULL, true, "x.test", "test", err, sizeof(err)), -1, "... and a NULL policy takes no rule");
}

/* The first suggestion builds the shipped profiles' policies: with each
 * allocation failing in turn, the --allow, then the profile once built. */
static void test_suggest_oom(void)
{
	char buf[256];
	const char *out = buf;
	int n, bad = 0;

	for (n = 0;; n++) {
		bool r;

		oom_after = n;
		r = policy_suggest("registry.yarnpkg.com", 0, buf, sizeof(buf));
		oom_after = -1;
		if (r && strstr(out, "--profile"))
			break;
		if (!r || strcmp(out, "--allow registry.yarnpkg.com") != 0)
			bad++;
		if (n > 10000)
			break;
	}
	ok(n > 0 && n <= 10000, "the first suggestion: %d allocations failing in turn, then it works", n);
	is_int(bad, 0, "meanwhile: the --allow, never an exit");
	is_str(out, "the yarn profile allows it: --profile yarn", "then the profile");
}

/* ---- suggestions ------------------------------------------------------------ */

/* policy_suggest()'s text, "(none)" for false. */
static const char *sg(const char *name, uint16_t port)
{
	static char out[256];

	return policy_suggest(name, port, out, sizeof(out)) ? out : "(none)";
}

static const char *sgd(const struct policy *run, const char *name, uint16_t port)
{
	static char out[256];

	return policy_suggest_denied(run, name, port, out, sizeof(out)) ? out : "(none)";
}

static void test_suggest(void)
{
	char small[16];

	is_str(sg("registry.yarnpkg.com", 0), "the yarn profile allows it: --profile yarn",
	       "DNS: the one shipped profile that allows it");
	is_str(sg("registry.npmjs.org", 0), "the npm, pnpm and yarn profiles allow it: --profile npm",
	       "several: named in order, the first suggested (npx and npm-publish include npm: not named)");
	is_str(sg("Registry.YarnPkg.com.", 0), "the yarn profile allows it: --profile yarn",
	       "the name is normalised first");
	is_str(sg("files.pythonhosted.org", 443), "the pip profile allows it: --profile pip",
	       "a connection on a port the profile allows (pip3 only includes pip: not named)");
	is_str(sg("static.crates.io", 443), "the cargo profile allows it: --profile cargo",
	       "a profile's request rule (GET,HEAD https://static.crates.io/) allows the connection");
	is_str(sg("static.crates.io", 80), "--allow static.crates.io:80",
	       "an https:// rule allows port 443 only");
	is_str(sg("dl.crates.io", 0), "the cargo profile allows it: --profile cargo",
	       "a subdomain of a profile's domain");
	is_str(sg("registry.yarnpkg.com", 8080), "--allow registry.yarnpkg.com:8080",
	       "a port no profile allows: the --allow with the port");
	is_str(sg("evil.test", 0), "--allow evil.test", "DNS of a name no profile allows: --allow NAME");
	is_str(sg("evil.test", 4444), "--allow evil.test:4444", "a connection: --allow NAME:PORT");
	is_str(sg("b\xc3\xbc" "cher.test", 0), "--allow xn--bcher-kva.test", "an IDN: its punycode form");
	is_str(sg("bad name", 0), "(none)", "an invalid name: nothing to suggest");
	is_str(sg("a..b", 0), "(none)", "an empty label: nothing");
	is_str(sg(NULL, 0), "(none)", "no name: nothing");
	ok(!policy_suggest("registry.npmjs.org", 0, small, sizeof(small)), "a buffer too small: false");
	ok(!policy_suggest("registry.npmjs.org", 0, small, 0), "an empty buffer: false");
}

static void test_suggest_denied(void)
{
	struct policy *run = policy_new();
	char err[256];

	policy_add(run, true, "registry.yarnpkg.com", "command line", err, sizeof(err));
	policy_add(run, false, "registry.npmjs.org", "command line", err, sizeof(err));
	policy_add(run, true, "crates.io", "command line", err, sizeof(err));
	policy_add(run, false, "static.crates.io:80", "command line", err, sizeof(err));
	is_str(sgd(run, "registry.yarnpkg.com", 0), "(none)",
	       "DNS allowed by the run: refused for another reason, nothing to suggest");
	is_str(sgd(run, "registry.yarnpkg.com", 443), "(none)", "the same on an allowed port");
	is_str(sgd(run, "registry.yarnpkg.com", 8080), "--allow registry.yarnpkg.com:8080",
	       "a port the run does not allow");
	is_str(sgd(run, "registry.npmjs.org", 0), "(none)", "denied by a deny rule: no --allow would help");
	is_str(sgd(run, "static.crates.io", 80), "(none)", "a deny rule on that port");
	is_str(sgd(run, "files.pythonhosted.org", 0), "the pip profile allows it: --profile pip",
	       "no rule of the run: the profile");
	is_str(sgd(run, "evil.test", 0), "--allow evil.test", "... or the --allow");
	is_str(sgd(NULL, "evil.test", 22), "--allow evil.test:22", "no run policy: as policy_suggest()");
	is_str(sgd(run, "bad name", 0), "(none)", "an invalid name: nothing");
	policy_free(run);
}

static void test_shipped(void)
{
	static const struct {
		const char *name;
		bool shipped;
	} cases[] = {
		{ "npm", true }, { "npx", true }, { "yarn", true }, { "pnpm", true }, { "pip", true },
		{ "pip3", true }, { "cargo", true }, { "go", true }, { "gem", true },
		{ "npm-publish", true },
		{ "default", false }, { "sh", false }, { "", false }, { "np", false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		is_int(policy_suggest_shipped(cases[i].name), cases[i].shipped,
		       "policy_suggest_shipped(\"%s\")", cases[i].name);
	ok(!policy_suggest_shipped(NULL), "policy_suggest_shipped(NULL)");
}

int main(void)
{
	test_add_oom();
	test_suggest_oom(); /* first: the shipped policies are not built yet */
	test_suggest();
	test_suggest_denied();
	test_shipped();
	return tap_done();
}
