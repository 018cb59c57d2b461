/* oominject.c — an LD_PRELOAD library for tests/shell/faults.sh: the
 * supervisor runs out of memory while it serves one connection, so that
 * the harness can show that connection reset and the next one served.
 *
 *   NETBOX_OOM=K:N     in the process that accepts the sandbox's
 *                      connections (the supervisor), from the K-th accepted
 *                      one (port 53, the resolver's, not counted) until its
 *                      descriptor is closed, the N-th allocation fails
 *   NETBOX_OOM=K:N+    ... the N-th and every later one in that window
 *
 * An allocation is a call of malloc, calloc, realloc, reallocarray,
 * posix_memalign, aligned_alloc or memalign, from netbox, libevent, c-ares
 * or libc's own (strdup, stdio); a failed one returns NULL (ENOMEM for
 * posix_memalign) with errno ENOMEM.  When the window closes, one line on
 * stderr:
 *
 *   netbox-oom: connection K: A allocations, F failed
 *
 * Every other process (netbox itself, the sandbox init) accepts no
 * connection and is left alone; keep the program itself out of it
 * (--unsetenv LD_PRELOAD).  Under AddressSanitizer, preload this library
 * and set ASAN_OPTIONS=verify_asan_link_order=0: the real allocator it
 * calls is then ASan's (dlsym(RTLD_NEXT)), and what ASan intercepts itself
 * (strdup, ...) never reaches this library.
 *
 * Built by the harness: cc -shared -fPIC -o oominject.so oominject.c -ldl
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static int (*real_close)(int);

/* dlsym() may allocate before the real allocator is known: from here. */
static _Alignas(16) char boot[16384];
static size_t boot_used;

static long conn_want, fail_at; /* K and N; 0: off */
static bool fail_after;         /* "N+" */
static long conns;              /* connections accepted so far */
static int window_fd = -1;      /* the K-th connection, while it is open */
static long window_allocs, window_failed;

static void *boot_alloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > sizeof(boot) - boot_used)
		return NULL;
	p = boot + boot_used;
	boot_used += n;
	return p;
}

static bool in_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}

static void oom_init(void)
{
	static bool busy;

	if (real_malloc || busy)
		return;
	busy = true;
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	real_accept4 = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(RTLD_NEXT, "accept4");
	real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	busy = false;
}

__attribute__((constructor)) static void oom_ctor(void)
{
	oom_init();
}

/* NETBOX_OOM, read at the first accept: the first allocation may come
 * before the environment is set up (AddressSanitizer's own start). */
static void oom_config(void)
{
	static bool done;
	const char *spec = getenv("NETBOX_OOM");
	char plus = 0;

	if (done)
		return;
	done = true;
	if (spec && sscanf(spec, "%ld:%ld%c", &conn_want, &fail_at, &plus) >= 2)
		fail_after = plus == '+';
	else
		conn_want = fail_at = 0;
}

/* Should this allocation fail? */
static bool oom_now(void)
{
	if (window_fd < 0)
		return false;
	window_allocs++;
	if (window_allocs == fail_at || (fail_after && window_allocs > fail_at)) {
		window_failed++;
		errno = ENOMEM;
		return true;
	}
	return false;
}

void *malloc(size_t n)
{
	if (!real_malloc) {
		oom_init();
		if (!real_malloc)
			return boot_alloc(n);
	}
	return oom_now() ? NULL : real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (!real_calloc) {
		oom_init();
		if (!real_calloc)
			return size && n > SIZE_MAX / size ? NULL : boot_alloc(n * size); /* zeroed */
	}
	return oom_now() ? NULL : real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	if (in_boot(p)) {
		void *q = malloc(n);
		size_t left = (size_t)(boot + sizeof(boot) - (char *)p);

		if (q)
			memcpy(q, p, n < left ? n : left);
		return q;
	}
	if (!real_realloc)
		oom_init();
	return oom_now() ? NULL : real_realloc(p, n);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size); /* NOLINT(clang-analyzer-optin.portability.UnixAPI): as realloc */
}

void free(void *p)
{
	if (!p || in_boot(p))
		return;
	if (!real_free)
		oom_init();
	real_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	if (!real_posix_memalign)
		oom_init();
	return oom_now() ? ENOMEM : real_posix_memalign(out, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	if (!real_aligned_alloc)
		oom_init();
	return oom_now() ? NULL : real_aligned_alloc(align, n);
}

void *memalign(size_t align, size_t n)
{
	if (!real_memalign)
		oom_init();
	return oom_now() ? NULL : real_memalign(align, n);
}

/* Is @fd a connection to port 53 (the resolver's, not the proxy's)? */
static bool oom_is_dns(int fd)
{
	struct sockaddr_in6 sa = { 0 };
	socklen_t len = sizeof(sa);

	return getsockname(fd, (struct sockaddr *)&sa, &len) == 0 && ntohs(sa.sin6_port) == 53;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	int c;

	if (!real_accept4)
		oom_init();
	oom_config();
	c = real_accept4(fd, addr, len, flags);
	if (c >= 0 && conn_want && window_fd < 0 && !oom_is_dns(c) && ++conns == conn_want) {
		window_fd = c;
		window_allocs = window_failed = 0;
	}
	return c;
}

int close(int fd)
{
	if (!real_close)
		oom_init();
	if (fd >= 0 && fd == window_fd) {
		char line[128];
		int n = snprintf(line, sizeof(line), "netbox-oom: connection %ld: %ld allocations, %ld failed\n",
				 conn_want, window_allocs, window_failed);

		window_fd = -1;
		if (n > 0 && write(2, line, (size_t)n) < 0)
			return real_close(fd); /* stderr gone: nothing to say it on */
	}
	return real_close(fd);
}
