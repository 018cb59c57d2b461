/* util.c — error reporting, allocation and I/O helpers shared by netbox.
 * See util.h for the two error tiers. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>

bool util_quiet;
const char *util_context;

/* ---- untrusted text on one line (util.h) ---------------------------------- */

static const char util_dash[] = "\u2014";

/* The escaped form of the character at @p into @piece (5 bytes), its length
 * in *@plen; returns how many bytes of @p it stands for. */
static size_t util_escape_one(const unsigned char *p, char *piece, size_t *plen)
{
	if (strncmp((const char *)p, util_dash, sizeof(util_dash) - 1) == 0) {
		memcpy(piece, util_dash, sizeof(util_dash));
		*plen = sizeof(util_dash) - 1;
		return *plen;
	}
	if (*p >= 0x20 && *p <= 0x7e && *p != '\\') {
		piece[0] = (char)*p;
		piece[1] = '\0';
		*plen = 1;
		return 1;
	}
	*plen = (size_t)snprintf(piece, 5, "\\x%02x", *p);
	return 1;
}

static size_t util_escape_len(const unsigned char *p)
{
	char piece[5];
	size_t n = 0, plen;

	while (*p) {
		p += util_escape_one(p, piece, &plen);
		n += plen;
	}
	return n;
}

char *util_escape(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	/* Room kept for "..." only when the whole will not fit. */
	size_t o = 0, keep = util_escape_len(p) < outlen ? 0 : 3;
	char piece[5];

	if (!outlen)
		return out;
	while (*p) {
		size_t plen, used = util_escape_one(p, piece, &plen);

		if (o + plen + keep >= outlen)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
		p += used;
	}
	if (*p && o + 3 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

char *util_escape_dup(const char *s)
{
	size_t n = util_escape_len((const unsigned char *)(s ? s : "")) + 1;

	return util_escape(s, xmalloc(n), n);
}

char *util_unescape_octal(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

/* ---- messages ------------------------------------------------------------- */

/* Every message is one line of printable text, whatever a path or a name in
 * it holds: the formatted text, the context and the fix go through
 * util_escape() (on the stack: die() must work when malloc() does not). */
__attribute__((format(printf, 3, 0)))
static void util_vprint(const char *fix, int err, const char *fmt, va_list ap)
{
	char msg[1024], esc[4 * sizeof(msg)];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (n < 0)
		msg[0] = '\0';
	fputs("netbox: ", stderr);
	if (util_context)
		fprintf(stderr, "%s: ", util_escape(util_context, esc, sizeof(esc)));
	fputs(util_escape(msg, esc, sizeof(esc)), stderr);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	if (fix && *fix)
		fprintf(stderr, " \u2014 %s", util_escape(fix, esc, sizeof(esc)));
	fputc('\n', stderr);
	fflush(stderr);
}

void die(const char *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vprint(fix, 0, fmt, ap);
	va_end(ap);
	_exit(NETBOX_EXIT_FAILURE);
}

void die_errno(const char *fix, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	util_vprint(fix, err, fmt, ap);
	va_end(ap);
	_exit(NETBOX_EXIT_FAILURE);
}

void notice(const char *fmt, ...)
{
	va_list ap;

	if (util_quiet)
		return;
	va_start(ap, fmt);
	util_vprint(NULL, 0, fmt, ap);
	va_end(ap);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	util_vprint(NULL, 0, fmt, ap);
	va_end(ap);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die(NULL, "out of memory");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die(NULL, "out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(NULL, "out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die(NULL, "out of memory");
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);

	if (!r)
		die(NULL, "out of memory");
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(NULL, "out of memory");
	return p;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write_all(fd, text, strlen(text));
	close(fd);
	return ret;
}

bool read_file_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void random_fill(void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom((uint8_t *)buf + got, len - got, GRND_NONBLOCK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < len) {
		uint64_t t = now_ns() ^ (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)buf;

		for (size_t i = got; i < len; i++) {
			t = t * 6364136223846793005ULL + 1442695040888963407ULL;
			((uint8_t *)buf)[i] = (uint8_t)(t >> 56);
		}
	}
}

void util_close_fds_except(const int *keep, size_t n)
{
	unsigned int from = 3;

	/* The list is small: close the gaps between kept descriptors, lowest
	 * first. */
	for (;;) {
		unsigned int next = ~0U;

		for (size_t i = 0; i < n; i++)
			if (keep[i] >= 0 && (unsigned)keep[i] >= from && (unsigned)keep[i] < next)
				next = (unsigned)keep[i];
		if (next > from && syscall(SYS_close_range, from, next - 1, 0) < 0) {
			for (unsigned int fd = from; fd < next && fd < 65536; fd++)
				close((int)fd);
		}
		if (next == ~0U)
			break;
		from = next + 1;
	}
}
