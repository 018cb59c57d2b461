/* test_profileparse.c — unit tests of the profile line syntax
 * (launcher/profileparse.h): what name and value each form of line gives,
 * so that a value means in a profile what it means after --NAME (the
 * learned profile read back: test_report.c).  TAP. */
#include <stdio.h>
#include <string.h>

#include "launcher/profileparse.h"
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
	/* request rules: the value is every word after the name */
	{ "allow GET,HEAD https://registry.npmjs.org/", 1, "allow", "GET,HEAD https://registry.npmjs.org/" },
	{ "allow\tGET,HEAD\t https://r.test/  # read-only", 1, "allow", "GET,HEAD\t https://r.test/" },
	{ "allow=PUT https://r.test/a", 1, "allow", "PUT https://r.test/a" },
	{ "deny * https://r.test/#x", 1, "deny", "* https://r.test/#x" },
	{ "allow POST https://r.test/a #x", 1, "allow", "POST https://r.test/a" },
	{ "allow = GET r.test", -2, "allow", NULL },
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
	return tap_done();
}
