/* util.h — helpers shared by every part of netbox.
 *
 * Two error tiers, as in passt and OpenBSD daemons:
 *   - setup code calls die()/die_errno(): one line on stderr,
 *     "netbox: <what> — <how to fix>", and exit status 125;
 *   - runtime code (the proxy, the resolver) returns -errno and keeps serving.
 *
 * Cleanup attributes follow bubblewrap's utils.h: a variable declared
 * `cleanup_free char *p` is freed when it leaves scope, `steal_pointer(&p)`
 * hands ownership on.
 */
#ifndef NETBOX_UTIL_H
#define NETBOX_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define NETBOX_EXIT_FAILURE 125 /* netbox itself failed */
#define NETBOX_EXIT_NOEXEC 126  /* program found but not executable */
#define NETBOX_EXIT_NOTFOUND 127 /* program not found */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Set by --quiet: notices are dropped, errors never are. */
extern bool util_quiet;
/* Where the input being read comes from ("npm.profile:3"), printed after
 * "netbox: " by die() and friends while set; NULL otherwise. */
extern const char *util_context;

/* die(what, fix): "netbox: what — fix" and exit 125.  @fix may be NULL.
 * die() and friends pass the text they print through util_escape(): a path
 * or a name in a message cannot break its line. */
NORETURN void die(const char *fix, const char *fmt, ...) PRINTF(2, 3);
/* As die(), with ": strerror(errno)" after the formatted text. */
NORETURN void die_errno(const char *fix, const char *fmt, ...) PRINTF(2, 3);
/* A notice ("netbox: ...") unless --quiet. */
void notice(const char *fmt, ...) PRINTF(1, 2);
/* A warning: always printed. */
void warn(const char *fmt, ...) PRINTF(1, 2);

/* Untrusted text (a name as asked, an SNI or Host, a path, the program's
 * argv, a reason quoting them) for one line of a terminal, a message or a
 * profile: printable ASCII (0x20-0x7e) is kept, and the em dash of netbox's
 * own "what — how to fix" messages; every other byte, a backslash included,
 * becomes \xNN.  So nothing can move the cursor, start a line (a live
 * profile line after a '#' comment), or pass for an escape of its own.
 * JSON has its own form (report_json_escape()).
 * util_escape() writes into @out (@outlen > 0), ending with "..." when it
 * does not fit, and returns @out; util_escape_dup() allocates. */
char *util_escape(const char *s, char *out, size_t outlen);
char *util_escape_dup(const char *s);

/* The kernel's octal escapes in /proc/self/mountinfo ("\040" for a space)
 * undone in place; returns @s. */
char *util_unescape_octal(char *s);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);

/* Close every descriptor from 3 up but the @n in @keep (any order). */
void util_close_fds_except(const int *keep, size_t n);

/* Write all of buf, retrying on EINTR and short writes.  0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
/* Read exactly len bytes.  len, 0 at EOF before anything, or -errno. */
ssize_t read_all(int fd, void *buf, size_t len);
/* Write a small string to a file (e.g. /proc/PID/uid_map).  0 or -errno. */
int write_file(const char *path, const char *text);
/* The first line of a small file (a sysctl), without its newline, in
 * @buf (@len > 1); false if it cannot be read or is empty. */
bool read_file_line(const char *path, char *buf, size_t len);

/* Fill @buf from getrandom() without blocking; before the kernel has
 * entropy, a weaker mix of the clock and the pid (hash keys, DNS ids:
 * unpredictable enough, never a secret). */
void random_fill(void *buf, size_t len);

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void);

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_fd __attribute__((cleanup(cleanup_closep)))

static inline void *steal_pointer_(void *pp)
{
	void **p = pp, *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))steal_pointer_(pp))
static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#endif
