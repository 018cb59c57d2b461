/* oomwrap.h — failing allocations on demand, for the unit tests linked
 * with --wrap for malloc, calloc and realloc (their meson.build says which):
 * calls from netbox's own code (not libevent's, c-ares' or libc's) come
 * here.  With oom_after >= 0, that many more are granted and every later one
 * fails, until it is set back to -1.  Include it in one file of a test. */
#ifndef NETBOX_TEST_OOMWRAP_H
#define NETBOX_TEST_OOMWRAP_H

#include <stdbool.h>
#include <stddef.h>

static int oom_after = -1;

/* The linker's --wrap names them: reserved identifiers on purpose. */
/* NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static bool oom_fail(void)
{
	if (oom_after < 0)
		return false;
	if (oom_after == 0)
		return true;
	oom_after--;
	return false;
}

void *__wrap_malloc(size_t n)
{
	return oom_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return oom_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return oom_fail() ? NULL : __real_realloc(p, n);
}
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

#endif
