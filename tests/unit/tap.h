/* tap.h — a minimal Test Anything Protocol emitter for the C unit tests.
 *
 *   ok(cond, "what was checked %d", n);
 *   return tap_done();
 *
 * The plan line is printed at the end, so tests need not count up front.
 * tap_stderr_begin()/tap_stderr_end() capture what code under test prints
 * on stderr; tap_text_lines() checks that text is printable lines.
 */
#ifndef NETBOX_TAP_H
#define NETBOX_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One count per test program, even one of several files (weak: each file
 * that includes this defines them, the linker keeps one). */
__attribute__((weak)) int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char *fmt, ...)
{
	char desc[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	/* A description may quote the bytes under test; a raw newline in it
	 * would start a line TAP cannot read. */
	for (const char *c = desc; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			printf("\\x%02x", (unsigned char)*c);
		else
			putchar(*c);
	}
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

#define is_int(got, want, ...) \
	(ok((long long)(got) == (long long)(want), __VA_ARGS__) || \
	 (printf("#   got %lld, want %lld\n", (long long)(got), (long long)(want)), 0))
#define is_str(got, want, ...) \
	(ok((got) && (want) && strcmp((got), (want)) == 0, __VA_ARGS__) || \
	 (printf("#   got '%s', want '%s'\n", (got) ? (got) : "(null)", (want) ? (want) : "(null)"), 0))

/* What code writes on stderr: int fd = tap_stderr_begin(); ...;
 * tap_stderr_end(fd, buf, sizeof(buf)) puts stderr back and fills @buf. */
static inline int tap_stderr_begin(void)
{
	FILE *tmp = tmpfile();
	int saved;

	fflush(stderr);
	saved = dup(2);
	if (!tmp || saved < 0 || dup2(fileno(tmp), 2) < 0) {
		printf("Bail out! cannot capture stderr\n");
		exit(1);
	}
	fclose(tmp); /* fd 2 keeps the file */
	return saved;
}

static inline void tap_stderr_end(int saved, char *buf, size_t len)
{
	ssize_t n;

	fflush(stderr);
	n = pread(2, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	dup2(saved, 2);
	close(saved);
}

/* The number of newlines in @s if every other byte is printable ASCII,
 * else -1. */
static inline int tap_text_lines(const char *s)
{
	int n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			n++;
		else if (*p < 0x20 || *p > 0x7e)
			return -1;
	}
	return n;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
