/* test_profileparse.c — unit tests of the profile line syntax
 * (launcher/profileparse.h): what name and value each form of line gives,
 * so that a value means in a profile what it means after --NAME, and the
 * rule --learn writes replays exact.  TAP. */
#include <stdio.h>
#include <string.h>

#include "launcher/profileparse.h"
#include "policy/policy.h"
#include "tap.h"

static const struct {
	const char *line;
	int r;
	const char *name, *value; /* value NULL: none */
} cases[] = {
	{ "allow a.b", 1, "allow", "a.b" },
	{ "allow =a.b", 1, "allow", "=a.b" },
	{ "allow=a.b", 1, "allow", "a.b" },
	{ "allow==a.b", 1, "allow", "=a.b" },
	{ "allow   =a.b  # c", 1, "allow", "=a.b" },
	{ "\tallow\t=a.b:443\r", 1, "allow", "=a.b:443" },
	{ "allow =www.google.com:443          # 1 connection", 1, "allow", "=www.google.com:443" },
	{ "allow=a.b#frag", 1, "allow", "a.b#frag" },
	{ "allow=#x", 1, "allow", "#x" },
	{ "allow #x", 1, "allow", NULL },
	{ "setenv A=b=c", 1, "setenv", "A=b=c" },
	{ "setenv=A=b", 1, "setenv", "A=b" },
	{ "mkdir ~/x", 1, "mkdir", "~/x" },
	{ "quiet", 1, "quiet", NULL },
	{ "quiet=", 1, "quiet", NULL },
	{ "  quiet  # on", 1, "quiet", NULL },
	{ "allow = a.b", -2, "allow", NULL },
	{ "allow\t=\ta.b", -2, "allow", NULL },
	{ "allow= a.b", -2, "allow", NULL },
	{ "allow== a.b", -2, "allow", NULL },
	{ "allow =", -2, "allow", NULL },
	{ "allow==", -2, "allow", NULL },
	{ "=a.b", -1, NULL, NULL },
	{ " = a.b", -1, NULL, NULL },
	{ "", 0, NULL, NULL },
	{ "   \t", 0, NULL, NULL },
	{ "# allow x", 0, NULL, NULL },
};

/* The line --learn writes, through the splitter and the policy as
 * profile.c takes it: the exact name, not its subdomains. */
static void learned_rule_stays_exact(void)
{
	char line[] = "allow =www.google.com:443                     # 1 connection";
	char *name, *arg, err[512];
	struct policy *p = policy_new();

	ok(profile_split_line(line, &name, &arg) == 1 && arg, "the learned line splits");
	ok(arg && policy_add(p, strcmp(name, "allow") == 0, arg, "learned.profile:5", err,
			     sizeof(err)) == 0, "its value is a rule");
	is_int(policy_decide_name(p, "www.google.com", 443, NULL), POLICY_ALLOW,
	       "the learned name itself is allowed");
	is_int(policy_decide_name(p, "api.www.google.com", 443, NULL), POLICY_DENY,
	       "a subdomain of the learned name is not");
	is_int(policy_decide_name(p, "www.google.com", 80, NULL), POLICY_DENY,
	       "nor another port");
	policy_free(p);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[256], *name = NULL, *arg = NULL;
		int r;

		snprintf(buf, sizeof(buf), "%s", cases[i].line);
		r = profile_split_line(buf, &name, &arg);
		if (!is_int(r, cases[i].r, "'%s': result %d", cases[i].line, cases[i].r))
			continue;
		if (cases[i].name)
			is_str(name, cases[i].name, "'%s': name '%s'", cases[i].line, cases[i].name);
		if (r != 1)
			continue;
		if (cases[i].value)
			is_str(arg, cases[i].value, "'%s': value '%s'", cases[i].line, cases[i].value);
		else
			ok(arg == NULL, "'%s': no value", cases[i].line);
	}
	learned_rule_stays_exact();
	return tap_done();
}
