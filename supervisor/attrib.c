/* attrib.c — who made each attempt: the sandbox's process behind a socket,
 * for the log and the summary (report.h's report_proc).  Supervisor side.
 *
 * notify.c hears of each connect() and of each datagram sent with an
 * address before it happens, with the calling thread's id; here that
 * thread becomes a report_proc — its process's pid as the sandbox sees it,
 * executable, arguments and, for an npm/yarn/pnpm lifecycle script, the
 * package (npm_package_name, npm_package_version, npm_lifecycle_event of
 * its environment) — read from the supervisor's own /proc, which shows
 * the sandbox's processes and nothing else (isolate.c binds it read-only).
 * The socket itself is looked at only while its call waits (a duplicate
 * from pidfd_getfd(), closed before the answer): its inode and its local
 * address are remembered, until the proxy, the resolver or a watcher asks
 * whose is the program's end of a connection.  A socket that has no port
 * yet is bound to one now (port 0 on the wildcard address: what the
 * kernel's own autobind at connect() or sendto() gives), since the port
 * is the only key those callers have.  No duplicate outlives the call: a
 * kept one was the last reference once the program closed its own, and a
 * TCP socket with SO_LINGER set makes that close() wait — in the loop —
 * for as long as its peer does not read (the peer parked in the same
 * table: forever, and netbox never returned).
 *
 * What the program shows of itself is its own: a process may rewrite its
 * arguments or lie in its environment.  Attribution says who asked, for
 * the user's understanding; it decides nothing.
 *
 * Bounds: ATTRIB_PROCS process records for the run (past that, attempts
 * are logged without a process), ATTRIB_SOCKS remembered sockets, each
 * forgotten ATTRIB_TTL_NS after its last use (and not matched past it:
 * the port may be another socket's by then).
 */
#include "attrib.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define ATTRIB_PROCS 4096
#define ATTRIB_SOCKS 512
#define ATTRIB_TTL_NS (30ULL * 1000000000ULL)
#define ATTRIB_ENV_MAX (256 * 1024) /* environment bytes searched for npm's variables */

struct attrib_procrec {
	pid_t tgid;                 /* in the supervisor's pid namespace */
	unsigned long long start;   /* its start time: pids are reused */
	struct report_proc proc;
};

struct attrib_sock {
	ino_t ino;                  /* 0: a free slot */
	int proto;
	struct in6_addr local;      /* v4 mapped */
	uint16_t port;
	const struct report_proc *proc;
	uint64_t used_ns;
};

struct attrib {
	struct attrib_procrec *procs;
	size_t nprocs;
	struct attrib_sock socks[ATTRIB_SOCKS];
};

struct attrib *attrib_new(void)
{
	return xcalloc(1, sizeof(struct attrib));
}

void attrib_free(struct attrib *a)
{
	if (!a)
		return;
	free(a->procs);
	free(a);
}

/* ---- processes ------------------------------------------------------------ */

/* Up to @len bytes of /proc/@pid/@what into @buf; bytes read or -errno. */
static ssize_t attrib_read(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	size_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

/* The number after @key on its line of @status ("Tgid:\t12"), or -1; with
 * @last, the last number of the line (NStgid: the innermost namespace's). */
static long attrib_status_field(const char *status, const char *key, bool last)
{
	const char *p = strstr(status, key), *end;
	long v = -1;

	if (!p)
		return -1;
	p += strlen(key);
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	while (p < end) {
		char *next;
		long n = strtol(p, &next, 10);

		if (next == p)
			break;
		v = n;
		p = next;
		if (!last)
			break;
	}
	return v;
}

/* Field 22 of /proc/@pid/stat, the start time; 0 when unknown.  The
 * command name (field 2) may hold spaces and ')': count from the last ')'. */
static unsigned long long attrib_start_time(pid_t pid)
{
	char buf[1024];
	ssize_t n = attrib_read(pid, "stat", buf, sizeof(buf) - 1);
	unsigned long long start = 0;
	const char *p;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
				"%*d %*d %llu", &start) != 1)
		return 0;
	return start;
}

/* npm_package_name and friends from the environment @env (@len bytes of
 * NUL-terminated NAME=VALUE strings). */
static void attrib_package(struct report_proc *p, const char *env, size_t len)
{
	static const struct {
		const char *prefix;
		size_t off, size;
	} vars[] = {
		{ "npm_package_name=", offsetof(struct report_proc, pkg_name), sizeof(p->pkg_name) },
		{ "npm_package_version=", offsetof(struct report_proc, pkg_version), sizeof(p->pkg_version) },
		{ "npm_lifecycle_event=", offsetof(struct report_proc, pkg_script), sizeof(p->pkg_script) },
	};

	for (size_t off = 0; off < len;) {
		const char *e = env + off;
		size_t l = strnlen(e, len - off);

		for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
			size_t pl = strlen(vars[i].prefix);

			if (l > pl && strncmp(e, vars[i].prefix, pl) == 0)
				snprintf((char *)p + vars[i].off, vars[i].size, "%.*s", (int)(l - pl), e + pl);
		}
		off += l + 1;
	}
}

/* Fill @p for the process @tgid (its NStgid is @nspid). */
static void attrib_proc_read(struct report_proc *p, pid_t tgid, long nspid, const char *exe)
{
	cleanup_free char *env = malloc(ATTRIB_ENV_MAX);
	ssize_t n;

	p->pid = (int)nspid;
	snprintf(p->exe, sizeof(p->exe), "%s", exe);
	n = attrib_read(tgid, "cmdline", p->argv, sizeof(p->argv));
	if (n > 0) {
		p->argv_len = (size_t)n;
		/* A full buffer: more may follow; end it on a NUL. */
		if ((size_t)n == sizeof(p->argv)) {
			p->argv_truncated = true;
			p->argv[sizeof(p->argv) - 1] = '\0';
		} else if (p->argv[n - 1] != '\0') {
			p->argv[n] = '\0'; /* a process that rewrote its arguments */
			p->argv_len = (size_t)n + 1;
		}
		/* A process that set its title (npm, node's process.title)
		 * leaves the old arguments' room as NULs: no empty arguments
		 * at the end. */
		while (p->argv_len >= 2 && p->argv[p->argv_len - 2] == '\0')
			p->argv_len--;
	}
	n = env ? attrib_read(tgid, "environ", env, ATTRIB_ENV_MAX) : -ENOMEM;
	if (n > 0)
		attrib_package(p, env, (size_t)n);
}

const struct report_proc *attrib_proc(struct attrib *a, pid_t tid)
{
	char status[4096], exe[256] = "", path[64];
	unsigned long long start;
	long tgid, nspid;
	ssize_t n = attrib_read(tid, "status", status, sizeof(status) - 1);
	struct attrib_procrec *rec;

	if (n <= 0)
		return NULL;
	status[n] = '\0';
	tgid = attrib_status_field(status, "\nTgid:", false);
	nspid = attrib_status_field(status, "\nNStgid:", true);
	if (tgid <= 0)
		return NULL;
	if (nspid <= 0)
		nspid = tgid; /* before Linux 4.1 */
	start = attrib_start_time((pid_t)tgid);
	snprintf(path, sizeof(path), "/proc/%ld/exe", tgid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	/* The same process running the same program: known.  (After an
	 * execve() the pid and start time stay, the executable changes.) */
	for (size_t i = a->nprocs; i-- > 0;) {
		rec = &a->procs[i];
		if (rec->tgid == tgid && rec->start == start && strcmp(rec->proc.exe, exe) == 0)
			return &rec->proc;
	}
	if (a->nprocs == ATTRIB_PROCS)
		return NULL;
	if (!a->procs) {
		/* Records are never moved: report.h keeps pointers to them. */
		a->procs = calloc(ATTRIB_PROCS, sizeof(*a->procs));
		if (!a->procs)
			return NULL;
	}
	rec = &a->procs[a->nprocs++];
	rec->tgid = (pid_t)tgid;
	rec->start = start;
	attrib_proc_read(&rec->proc, (pid_t)tgid, nspid, exe);
	return &rec->proc;
}

/* ---- sockets ---------------------------------------------------------------- */

/* @sock's local address into @local (v4 mapped) and *@port; its family, or
 * -1 for a socket that is not IPv4 or IPv6. */
static int attrib_sock_name(int sock, struct in6_addr *local, uint16_t *port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);

	if (getsockname(sock, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

		memset(local, 0, sizeof(*local));
		local->s6_addr[10] = local->s6_addr[11] = 0xff;
		memcpy(&local->s6_addr[12], &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
		return AF_INET;
	}
	if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

		*local = in6->sin6_addr;
		*port = ntohs(in6->sin6_port);
		return AF_INET6;
	}
	return -1;
}

/* @sock's local address, bound first to an ephemeral port of the wildcard
 * address if it has none (the call about to run would do the same); 0, or
 * -1 when it has none (not IPv4/IPv6, IP_BIND_ADDRESS_NO_PORT). */
static int attrib_sock_bind(int sock, struct in6_addr *local, uint16_t *port)
{
	int family = attrib_sock_name(sock, local, port);

	if (family < 0)
		return -1;
	if (!*port) {
		struct sockaddr_in6 any6 = { .sin6_family = AF_INET6 };
		struct sockaddr_in any4 = { .sin_family = AF_INET };

		int r = family == AF_INET6 ? bind(sock, (const struct sockaddr *)&any6, sizeof(any6))
					   : bind(sock, (const struct sockaddr *)&any4, sizeof(any4));

		/* EINVAL: bound meanwhile (another thread's call): read again. */
		if ((r < 0 && errno != EINVAL) || attrib_sock_name(sock, local, port) < 0)
			return -1;
	}
	return *port ? 0 : -1;
}

static bool attrib_sock_stale(const struct attrib_sock *s, uint64_t now)
{
	return s->ino && now - s->used_ns > ATTRIB_TTL_NS;
}

void attrib_note(struct attrib *a, pid_t tid, int sock)
{
	const struct report_proc *proc = attrib_proc(a, tid);
	struct attrib_sock *s = NULL, *oldest = &a->socks[0];
	uint64_t now = now_ns();
	struct in6_addr local;
	uint16_t port = 0;
	int type = 0;
	socklen_t len = sizeof(type);
	struct stat st;
	int r = -1;

	if (fstat(sock, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) == 0)
		r = attrib_sock_bind(sock, &local, &port);
	/* Never kept past the call: see the top of the file. */
	close(sock);
	if (r < 0)
		return;
	for (size_t i = 0; i < ATTRIB_SOCKS && !s; i++) {
		struct attrib_sock *c = &a->socks[i];

		if (attrib_sock_stale(c, now))
			memset(c, 0, sizeof(*c));
		if (c->ino == st.st_ino)
			s = c; /* known: a socket shared with a child, a second send */
		else if (c->used_ns < oldest->used_ns)
			oldest = c;
	}
	if (!s) {
		s = oldest;
		*s = (struct attrib_sock){ .ino = st.st_ino };
	}
	/* Its address again: the same socket may have been bound since. */
	s->proto = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	s->local = local;
	s->port = port;
	/* The last process to use a socket is the one that made the attempt. */
	if (proc)
		s->proc = proc;
	s->used_ns = now;
}

const struct report_proc *attrib_lookup(void *ctx, int proto, const struct in6_addr *client,
					uint16_t port)
{
	struct attrib *a = ctx;
	struct attrib_sock *best = NULL;
	uint64_t now = now_ns();

	for (size_t i = 0; i < ATTRIB_SOCKS; i++) {
		struct attrib_sock *s = &a->socks[i];

		if (!s->ino || s->proto != proto || attrib_sock_stale(s, now))
			continue;
		/* A socket bound to the wildcard address sent from any. */
		if (s->port != port || (!IN6_IS_ADDR_UNSPECIFIED(&s->local) &&
					memcmp(&s->local, client, sizeof(*client)) != 0 &&
					!(IN6_IS_ADDR_V4MAPPED(&s->local) &&
					  s->local.s6_addr32[3] == 0)))
			continue;
		if (!best || s->used_ns > best->used_ns)
			best = s;
	}
	if (!best)
		return NULL;
	best->used_ns = now;
	return best->proc;
}
