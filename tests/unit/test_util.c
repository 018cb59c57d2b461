/* test_util.c — unit tests of common/util.c's util_escape(), the one form
 * in which untrusted text reaches a terminal, a message or a profile, and of
 * the messages die() and friends print with it.  TAP output. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "bitmap.h"
#include "list.h"
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

/* mountinfo's escapes: a space, a tab, a backslash; anything else as is. */
static void unescapes(void)
{
	char a[] = "/mnt/a\\040b\\011c\\134d", b[] = "\\8\\0\\04x\\", c[] = "\\400";

	is_str(util_unescape_octal(a), "/mnt/a b\tc\\d", "octal escapes undone");
	is_str(util_unescape_octal(b), "\\8\\0\\04x\\", "short or non-octal escapes kept");
	is_str(util_unescape_octal(c), "\\400", "above \\377 kept");
}

/* common/bitmap.h: the layout policy_port_bitmap() documents, edges included. */
static void bitmaps(void)
{
	uint8_t map[BITMAP_BYTES(65536)] = {0};

	is_int((int)sizeof(map), 8192, "65536 bits take 8192 bytes");
	is_int(BITMAP_BYTES(9), 2, "9 bits take 2 bytes");
	bitmap_set(map, 0);
	bitmap_set(map, 9);
	bitmap_set(map, 65535);
	ok(map[0] == 1 && map[1] == 2 && map[8191] == 0x80, "bit N is bit N %% 8 of byte N / 8");
	ok(bitmap_test(map, 65535) && !bitmap_test(map, 65534) && !bitmap_test(map, 8), "test");
	bitmap_assign(map, 9, false);
	bitmap_clear(map, 0);
	bitmap_clear(map, 0);
	ok(!map[0] && !map[1] && bitmap_byte(map, 65528) == 0x80, "clear, twice, and assign");
}

struct item {
	int v;
	struct list link;
};

/* common/list.h: order, deleting twice, and moving a whole list. */
static void lists(void)
{
	struct list head, moved;
	struct item it[3] = {{.v = 1}, {.v = 2}, {.v = 3}};
	int sum = 0, order = 0;

	list_init(&head);
	ok(list_empty(&head), "a new list is empty");
	for (int i = 0; i < 3; i++)
		list_add_tail(&head, &it[i].link);
	list_del(&it[1].link);
	list_del(&it[1].link);
	ok(list_empty(&it[1].link), "a deleted node is alone, and deleting it again changes nothing");
	list_move_all(&head, &moved);
	ok(list_empty(&head), "move_all empties the source");
	for (struct list *l = moved.next; l != &moved; l = l->next) {
		sum += list_entry(l, struct item, link)->v;
		order = order * 10 + list_entry(l, struct item, link)->v;
	}
	is_int(sum, 4, "the remaining items moved");
	is_int(order, 13, "in order");
	list_move_all(&head, &moved);
	ok(list_empty(&moved), "moving an empty list gives an empty list");
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
	unescapes();
	bitmaps();
	lists();
	return tap_done();
}
