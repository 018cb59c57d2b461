/* test_util.c — unit tests of common/util.c's util_escape(), the one form
 * in which untrusted text reaches a terminal, a message or a profile, and of
 * the messages die() and friends print with it.  TAP output. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "util.h"

static const struct {
	const char *in, *want;
} cases[] = {
	{ "registry.npmjs.org", "registry.npmjs.org" },
	{ "", "" },
	{ "a b~!#'\"", "a b~!#'\"" },
	{ "\x1b[2Jx.test", "\\x1b[2Jx.test" },
	{ "x\nallow *", "x\\x0aallow *" },
	{ "cr\rtab\tdel\x7f", "cr\\x0dtab\\x09del\\x7f" },
	{ "back\\slash\\x41", "back\\x5cslash\\x5cx41" },
	{ "caf\xc3\xa9", "caf\\xc3\\xa9" },
	{ "c1\x9b" "2J \xc2\x9b", "c1\\x9b2J \\xc2\\x9b" },
	{ "\xff\x80", "\\xff\\x80" },
	{ "what \xe2\x80\x94 fix", "what \xe2\x80\x94 fix" },  /* netbox's own dash */
	{ "half \xe2\x80", "half \\xe2\\x80" },
	{ "\xe2\x80\x95", "\\xe2\\x80\\x95" },               /* not the dash */
};

/* Every byte but the dash's comes out as printable ASCII. */
static void every_byte(void)
{
	int bad = 0;

	for (int c = 1; c < 256; c++) {
		char in[2] = { (char)c, '\0' }, out[8];

		util_escape(in, out, sizeof(out));
		if (tap_text_lines(out) != 0 || (c != '\\' && c >= 0x20 && c <= 0x7e) != (strlen(out) == 1))
			bad++;
	}
	is_int(bad, 0, "each byte 1-255 alone: itself if printable ASCII (not '\\'), else \\xNN");
}

static void bounded(void)
{
	char out[16];

	is_str(util_escape("0123456789abcde", out, 16), "0123456789abcde", "15 bytes fit 16");
	is_str(util_escape("0123456789abcdef", out, 16), "0123456789ab...", "16 do not: '...'");
	is_str(util_escape("0123456789\n\n", out, 16), "0123456789...", "an escape is never cut");
	is_str(util_escape("abcdef", out, 4), "...", "4 bytes: only '...'");
	is_str(util_escape("abcdef", out, 3), "", "3 bytes: no room for '...', nothing");
	is_str(util_escape("abc", out, 1), "", "1 byte: empty");
	is_str(util_escape(NULL, out, sizeof(out)), "", "NULL: empty");
}

/* A message quoting hostile bytes is one printable line, the context and
 * the fix too. */
static void messages(void)
{
	char buf[4096];
	const char *got = buf;
	int fd = tap_stderr_begin();

	util_context = "/x/\x1b]0;t\x07.profile:3";
	warn("cannot read %s: %s", "/tmp/a\nnetbox: all good\r", "\x9b" "2J");
	util_context = NULL;
	notice("path \\ %s", "\x1b[2J");
	tap_stderr_end(fd, buf, sizeof(buf));
	is_int(tap_text_lines(buf), 2, "two messages, two printable lines");
	is_str(got,
	       "netbox: /x/\\x1b]0;t\\x07.profile:3: cannot read /tmp/a\\x0anetbox: all good\\x0d: "
	       "\\x9b2J\n"
	       "netbox: path \\x5c \\x1b[2J\n",
	       "context, message and arguments escaped");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[256];
		char *dup = util_escape_dup(cases[i].in);

		is_str(util_escape(cases[i].in, out, sizeof(out)), cases[i].want, "escape '%s'", cases[i].in);
		is_str(dup, cases[i].want, "escape_dup '%s'", cases[i].in);
		free(dup);
	}
	every_byte();
	bounded();
	messages();
	return tap_done();
}
