/* fuzz_profile.c — libFuzzer target for the profile syntax
 * (launcher/profileparse.c) and the rules profiles carry (policy/).
 *
 * The input is a profile file.  Each line is split and expanded, and these
 * properties are checked:
 *   - a split line has a non-empty name with no blank or '=' in it,
 *     and a value (if any) that does not start or end with a blank, nor
 *     start with '=' and a blank (those lines are refused, -2);
 *   - the value means the same whichever separator is used: "NAME=VALUE"
 *     splits back to the same name and value, and so does "NAME VALUE"
 *     unless the value starts with '#' (a comment after a blank);
 *   - an expansion either fails with a message or contains no "${" that
 *     the input did not have outside a variable, and is no longer than the
 *     worst case;
 *   - `allow`/`deny` values go through policy_add() as profile.c does:
 *     accepted or refused with a "bad rule" message, never a crash.
 */
#include "fuzz.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launcher/profileparse.h"
#include "policy/policy.h"

static const char home[] = "/home/user", cwd[] = "/home/user/project/with a space";

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* @name and @arg joined by @sep split back to the same two. */
static void resplit(const char *name, const char *arg, char sep)
{
	char *line, *n2, *a2;
	size_t nlen = strlen(name), alen = strlen(arg);

	line = malloc(nlen + alen + 2);
	if (!line)
		return;
	memcpy(line, name, nlen);
	line[nlen] = sep;
	memcpy(line + nlen + 1, arg, alen + 1);
	CHECK(profile_split_line(line, &n2, &a2) == 1);
	CHECK(strcmp(n2, name) == 0);
	CHECK(a2 && strcmp(a2, arg) == 0);
	free(line);
}

static void one_line(struct policy *p, char *line)
{
	char *name, *arg, err[512];
	size_t inlen = strlen(line);
	char *x;

	int r = profile_split_line(line, &name, &arg);

	if (r == -2)
		CHECK(*name && !strpbrk(name, " \t\r="));
	if (r <= 0)
		return;
	CHECK(*name);
	CHECK(!strpbrk(name, " \t\r="));
	if (!arg)
		return;
	size_t alen = strlen(arg);

	CHECK(alen > 0);
	CHECK(!blank(arg[0]) && !blank(arg[alen - 1]));
	CHECK(!(arg[0] == '=' && (!arg[1] || blank(arg[1]))));
	resplit(name, arg, '=');
	if (arg[0] != '#')
		resplit(name, arg, ' ');
	x = profile_expand(arg, strcmp(name, "nohome") == 0 ? NULL : home, cwd, err, sizeof(err));
	if (!x) {
		CHECK(strstr(err, " \u2014 "));
		return;
	}
	CHECK(strlen(x) <= inlen * sizeof(cwd));
	CHECK(!strstr(x, "${") || strstr(arg, "${"));
	if (strcmp(name, "allow") == 0 || strcmp(name, "deny") == 0) {
		if (policy_add(p, name[0] == 'a', x, "fuzz.profile:1", err, sizeof(err)) < 0)
			CHECK(strncmp(err, "bad rule '", 10) == 0);
	}
	free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy *p;
	char *buf, *line, *save = NULL;

	if (size > 64 * 1024)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	p = policy_new();
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		one_line(p, line);
	policy_free(p);
	free(buf);
	return 0;
}
