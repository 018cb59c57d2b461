/* profileparse.c — the syntax of one profile line (profileparse.h): pure
 * functions over untrusted text, fuzzed by fuzz/fuzz_profile.c.  profile.c
 * gives them meaning (options, include, mkdir). */
#include "profileparse.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static bool profile_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int profile_split_line(char *line, char **name, char **arg)
{
	char *n = line, *a, *end;

	/* A '#' inside a value (a URL fragment) stays: only one at the start
	 * or after a blank starts a comment. */
	for (char *p = line; *p; p++)
		if (*p == '#' && (p == line || profile_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	while (profile_blank(*n))
		n++;
	end = n + strlen(n);
	while (end > n && profile_blank(end[-1]))
		*--end = '\0';
	if (!*n)
		return 0;
	a = n + strcspn(n, " \t\r=");
	if (a == n)
		return -1; /* "=value": no name */
	*name = n;
	*arg = NULL;
	if (*a == '=') {
		/* The one '=' right after the name separates; the value is the
		 * rest as written, so "allow==x" is the exact rule "=x". */
		*a++ = '\0';
		if (profile_blank(*a))
			return -2; /* "NAME= VALUE" */
	} else if (*a) {
		/* A value after blanks is taken as written, a leading '=' with
		 * it: "allow =x" is the exact rule, as --allow =x and as
		 * --learn writes it. */
		*a++ = '\0';
		while (profile_blank(*a))
			a++;
	}
	/* "NAME = VALUE" is refused rather than read either way: as the value
	 * "= VALUE" it is a path that silently does not exist; as VALUE,
	 * "allow = x" (x and its subdomains) and "allow =x" (x alone) would
	 * differ by one blank. */
	if (*a == '=' && (!a[1] || profile_blank(a[1])))
		return -2;
	*arg = *a ? a : NULL;
	return 1;
}

char *profile_expand(const char *in, const char *home, const char *cwd, char *err, size_t errlen)
{
	size_t cap = strlen(in) + 1, len = 0;
	char *out = xmalloc(cap);

	for (const char *p = in; *p;) {
		const char *add = NULL;
		size_t skip = 1, alen;

		if ((p == in && p[0] == '~' && (p[1] == '/' || p[1] == '\0')) ||
		    (p[0] == '$' && strncmp(p, "${HOME}", 7) == 0)) {
			if (!home) {
				snprintf(err, errlen, "%s: there is no home directory to expand \u2014 write "
				         "the full path", p[0] == '~' ? "~" : "${HOME}");
				free(out);
				return NULL;
			}
			add = home;
			skip = p[0] == '~' ? 1 : 7;
		} else if (p[0] == '$' && strncmp(p, "${CWD}", 6) == 0) {
			add = cwd;
			skip = 6;
		} else if (p[0] == '$' && p[1] == '{') {
			snprintf(err, errlen, "unknown variable in '%.60s' \u2014 only ${HOME} and ${CWD} "
			         "are expanded", in);
			free(out);
			return NULL;
		}
		if (!add) {
			/* the text up to the next '$' as one piece */
			add = p;
			alen = 1 + strcspn(p + 1, "$");
			skip = alen;
		} else {
			alen = strlen(add);
		}
		if (len + alen + 1 > cap) {
			cap = (len + alen + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, add, alen);
		len += alen;
		p += skip;
	}
	out[len] = '\0';
	return out;
}
