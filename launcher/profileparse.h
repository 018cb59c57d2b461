/* profileparse.h — the syntax of one profile line, without side effects:
 * what profile.c reads and what fuzz/fuzz_profile.c feeds with anything. */
#ifndef NETBOX_PROFILEPARSE_H
#define NETBOX_PROFILEPARSE_H

#include <stddef.h>

/* Split @line in place: comments ('#' at the start or after a blank) and
 * surrounding blanks dropped, then one of
 *   NAME             no value
 *   NAME VALUE       blanks separate; VALUE is the rest as written, a
 *                    leading '=' included ("allow =x.com": the exact name),
 *                    blanks inside kept ("allow GET,HEAD https://x.com/"
 *                    is the request rule "GET,HEAD https://x.com/")
 *   NAME=VALUE       the one '=' right after NAME separates; VALUE is the
 *                    rest as written ("allow==x.com" is "=x.com" too)
 * so a value means the same here as after --NAME on the command line.
 * Returns 0 for a blank line, 1 with *name set and *arg set or NULL (an
 * empty value, "NAME="), -1 for a line with a value but no name ("=x"),
 * -2 with *name set for a blank beside an '=' that starts the value or
 * separates it ("NAME = VALUE", "NAME= VALUE", "NAME== VALUE"): refused,
 * as one blank there would change what the value means. */
int profile_split_line(char *line, char **name, char **arg);

/* Expand a leading ~, ${HOME} and ${CWD} in @in.  @home may be NULL (then
 * ~ and ${HOME} are errors).  Returns a new string, or NULL with a message
 * ("what — how to fix") in @err. */
char *profile_expand(const char *in, const char *home, const char *cwd, char *err, size_t errlen);

#endif
