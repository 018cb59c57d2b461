/* notify.c — the program's system calls the supervisor hears of before they
 * happen: the supervisor's half of the seccomp user notifications
 * (launcher/notify.c installs the filter and says which calls, per run).
 *
 * Each notification is read, dispatched by system call (notify_calls[]),
 * and answered: let go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE) or failed
 * with an errno.
 *   socket()    a raw or ICMP socket: reported, refused as the kernel
 *               would (EPERM, EACCES) — the filter only asks about those;
 *   connect()   a listener first for a port no listener serves, with
 *               every-port rules (ondemand.c); the socket remembered for
 *               attribution (attrib.c); a unix socket that is not there in
 *               the sandbox reported;
 *   sendto(), sendmsg(), sendmmsg() with an address: a datagram anywhere
 *               but DNS or the sandbox's own loopback is reported and
 *               fails with EPERM (there is nowhere it could go); DNS
 *               queries are remembered for attribution.
 * The same calls of a 32-bit program on x86_64 (int $0x80: i386's numbers,
 * its socketcall() multiplexer with the arguments in memory, its smaller
 * message headers) are read into the same form first (notify_compat_*).
 * Enforcement stays in the network namespace, not here: a thread that
 * rewrites the address after it was read (the TOCTOU of user
 * notifications) sends into a namespace whose only way out is netbox's
 * listeners, and the watchers (netproxy/watch.c) still see the attempt.
 *
 * The pidfd is opened before the notification is checked valid: if the id
 * is still valid then, the pid was the caller's when the pidfd was made
 * (no reaching into an unrelated process that reused it).
 */
#include "notify.h"
#include "attrib.h"
#include "channel.h"
#include "ondemand.h"
#include "policy/policy.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>

/* Before Linux 5.9 (47e33c05f9f0) ID_VALID had the wrong direction bit;
 * newer kernels take both numbers, older ones only this one. */
#define NOTIFY_ID_VALID_OLD _IOR(SECCOMP_IOC_MAGIC, 2, __u64)
/* sendmmsg() messages looked at: all the kernel sends (UIO_MAXIOV) — past
 * 16 a datagram to anywhere went out unrefused; one read each. */
#define NOTIFY_MMSG_MAX 1024

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9 */
#endif

#if defined(__x86_64__)
#define NOTIFY_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NOTIFY_ARCH AUDIT_ARCH_AARCH64
#else
#define NOTIFY_ARCH 0 /* (launcher/notify.c installs no filter) */
#endif

struct notify {
	struct notify_deps d;
	int nfd;
	unsigned long id_valid;   /* the ioctl number this kernel knows */
	bool said_read;
	struct event *ev;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
};

/* One notification being answered. */
struct notify_call {
	const struct seccomp_notif *req;
	uint64_t args[6];         /* the call's (socketcall's: read from memory) */
	bool compat;              /* i386: its struct msghdr and mmsghdr */
	pid_t tid;
	int pidfd;                /* the caller's, or -1 */
};

/* i386's struct msghdr and mmsghdr (the kernel's compat_*). */
struct notify_msghdr32 {
	uint32_t name, namelen, iov, iovlen, control, controllen, flags;
};
struct notify_mmsghdr32 {
	struct notify_msghdr32 hdr;
	uint32_t len;
};

/* ---- reading the program ------------------------------------------------- */

/* A pidfd for the calling thread @tid (often not the leader: runtimes
 * connect from worker threads, and before 6.9 only a leader has a pidfd
 * without PIDFD_THREAD), or -1. */
static int notify_pidfd(pid_t tid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	return pidfd >= 0 ? pidfd : (int)syscall(SYS_pidfd_open, tid, 0);
}

/* @len bytes at @addr in the caller's memory: 0, or -errno (-EFAULT for a
 * bad or partly unmapped pointer: the call will fail the same way). */
static int notify_peek(struct notify *n, const struct notify_call *c, uint64_t addr, void *buf,
		       size_t len)
{
	struct iovec local = { buf, len };
	/* An address in the program's memory, only ever given to the kernel. */
	struct iovec remote = { (void *)(uintptr_t)addr, len }; /* NOLINT(performance-no-int-to-ptr) */
	long got = syscall(SYS_process_vm_readv, c->tid, &local, 1, &remote, 1, 0);

	if (got < 0 && errno != EFAULT && !n->said_read) {
		n->said_read = true;
		warn("cannot read the program's socket addresses (%s): on-demand ports and attribution "
		     "miss them \u2014 is ptrace restricted (kernel.yama.ptrace_scope)?", strerror(errno));
	}
	if (got < 0)
		return -errno;
	return got == (long)len ? 0 : -EFAULT;
}

/* The socket address at @addr (@len bytes) into @sa; its length, 0 if none. */
static socklen_t notify_sockaddr(struct notify *n, const struct notify_call *c, uint64_t addr,
				 uint64_t len, struct sockaddr_storage *sa)
{
	size_t l = len < sizeof(*sa) ? (size_t)len : sizeof(*sa);

	memset(sa, 0, sizeof(*sa));
	if (!addr || !l || notify_peek(n, c, addr, sa, l) < 0)
		return 0;
	return (socklen_t)l;
}

/* A duplicate of the caller's descriptor @tfd, or -1. */
static int notify_getfd(const struct notify_call *c, uint64_t tfd)
{
	return c->pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, c->pidfd, (int)tfd, 0);
}

static bool notify_valid(const struct notify *n, const struct seccomp_notif *req)
{
	return ioctl(n->nfd, n->id_valid, &req->id) == 0;
}

static const struct report_proc *notify_who(struct notify *n, const struct notify_call *c)
{
	return n->d.attrib ? attrib_proc(n->d.attrib, c->tid) : NULL;
}

/* ---- the calls ---------------------------------------------------------------- */

/* socket(): the filter asks only about raw sockets and ICMP ones. */
static int notify_socket(struct notify *n, const struct notify_call *c)
{
	const uint64_t *args = c->args;
	int type = (int)(args[1] & 0xf);
	struct report_socket s = { .family = (int)args[0], .type = type, .protocol = (int)args[2] };


	/* What the kernel says without CAP_NET_RAW, and for ICMP outside
	 * ping_group_range. */
	s.err = type == SOCK_RAW ? EPERM : EACCES;
	if (!notify_valid(n, c->req))
		return -s.err;
	s.proc = notify_who(n, c);
	report_socket(n->d.report, &s);
	return -s.err;
}

/* May a datagram to @sa go from the caller's socket @fd (a duplicate, or
 * -1)?  Reported when not. */
static bool notify_datagram_ok(struct notify *n, const struct notify_call *c, int fd,
			       const struct sockaddr_storage *sa, socklen_t len)
{
	struct sockaddr_storage v4;
	struct in6_addr dst;
	uint16_t port;
	int type = 0, domain = 0;
	socklen_t tl = sizeof(type), dl = sizeof(domain);

	/* An IPv4 UDP socket takes AF_UNSPEC for AF_INET (udp_sendmsg()):
	 * read so, or its datagram went out unrefused. */
	if (sa->ss_family == AF_UNSPEC && len >= sizeof(struct sockaddr_in) && fd >= 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dl) == 0 && domain == AF_INET) {
		v4 = *sa;
		v4.ss_family = AF_INET;
		sa = &v4;
	}
	/* DNS, TCP Fast Open, the sandbox's own services: on. */
	if (fd < 0 || policy_addr_from_sockaddr((const struct sockaddr *)sa, len, &dst, &port) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type == SOCK_STREAM ||
	    port == 53 || policy_addr_class(&dst) == POLICY_ADDR_LOOPBACK)
		return true;
	if (notify_valid(n, c->req))
		report_connection(n->d.report, &(struct report_conn){
			.proto = IPPROTO_UDP, .dst = dst, .port = port,
			.reason = "only DNS leaves the sandbox over UDP",
			.proc = notify_who(n, c),
		});
	return false;
}

/* The call goes on with the socket @fd (a duplicate, owned): remembered
 * for attribution, or closed. */
static void notify_keep(struct notify *n, const struct notify_call *c, int fd)
{
	if (fd >= 0 && n->d.attrib)
		attrib_note(n->d.attrib, c->tid, fd);
	else if (fd >= 0)
		close(fd);
}

/* A datagram to @sa from @fd (owned): let go on (0) or -EPERM, reported. */
static int notify_datagram(struct notify *n, const struct notify_call *c, int fd,
			   const struct sockaddr_storage *sa, socklen_t len)
{
	if (notify_datagram_ok(n, c, fd, sa, len)) {
		notify_keep(n, c, fd);
		return 0;
	}
	close(fd);
	return -EPERM;
}

static int notify_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Is @path one of the host's sockets?  (/var/run is /run on every current
 * distribution: a program asks either.) */
static bool notify_host_socket(const struct notify *n, const char *path)
{
	char alias[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	const char *key = path;

	if (!n->d.nhost_sockets)
		return false;
	if (bsearch(&key, n->d.host_sockets, n->d.nhost_sockets, sizeof(char *), notify_strcmp))
		return true;
	if (strncmp(path, "/var/run/", 9) != 0)
		return false;
	snprintf(alias, sizeof(alias), "/run/%s", path + 9);
	key = alias;
	return bsearch(&key, n->d.host_sockets, n->d.nhost_sockets, sizeof(char *), notify_strcmp);
}

/* connect() to a unix socket of the host that the sandbox hides (the
 * ssh-agent, docker, dbus): reported.  Abstract sockets belong to the
 * sandbox's network namespace; a relative path, or a socket the program
 * made itself, is the program's business. */
static void notify_unix(struct notify *n, const struct notify_call *c,
			const struct sockaddr_un *un, socklen_t len)
{
	char path[sizeof(un->sun_path) + 1], where[sizeof(path) + 64];
	size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t l = len > off ? len - off : 0;
	struct stat st;

	if (l > sizeof(un->sun_path))
		l = sizeof(un->sun_path);
	if (!n->d.attrib || l == 0 || un->sun_path[0] != '/')
		return; /* (the sandbox's view is read through /proc: attribution) */
	memcpy(path, un->sun_path, l);
	path[l] = '\0';
	if (!notify_host_socket(n, path))
		return;
	/* Shown to the sandbox after all (--allow-unix): nothing refused. */
	snprintf(where, sizeof(where), "/proc/%d/root%s", (int)c->tid, path);
	if (stat(where, &st) == 0 && S_ISSOCK(st.st_mode))
		return;
	report_unix(n->d.report, &(struct report_unix){
		.path = path, .reason = "hidden by netbox", .proc = notify_who(n, c),
	});
}

static int notify_connect(struct notify *n, const struct notify_call *c)
{
	const uint64_t *args = c->args;
	struct sockaddr_storage sa;
	socklen_t len = notify_sockaddr(n, c, args[1], args[2], &sa);
	struct in6_addr dst;
	uint16_t port;
	int fd, type = SOCK_STREAM;
	socklen_t tl = sizeof(type);

	if (!notify_valid(n, c->req))
		return 0;
	if (len && sa.ss_family == AF_UNIX) {
		notify_unix(n, c, (const struct sockaddr_un *)&sa, len);
		return 0;
	}
	if (!len || policy_addr_from_sockaddr((const struct sockaddr *)&sa, len, &dst, &port) < 0)
		return 0;
	fd = notify_getfd(c, args[0]);
	/* Unknown type: say TCP — a listener too many costs a descriptor,
	 * one too few a refused connection. */
	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0)
		type = SOCK_STREAM;
	if (n->d.ondemand)
		ondemand_connect(n->d.ondemand, &dst, port, type == SOCK_STREAM);
	/* A UDP connect() sends nothing (glibc's getaddrinfo() connects one
	 * to each address to sort them): only its sends are judged. */
	if (fd >= 0 && n->d.attrib)
		attrib_note(n->d.attrib, c->tid, fd);
	else if (fd >= 0)
		close(fd);
	return 0;
}

static int notify_sendto(struct notify *n, const struct notify_call *c)
{
	const uint64_t *args = c->args;
	struct sockaddr_storage sa;
	socklen_t len = notify_sockaddr(n, c, args[4], args[5], &sa);

	if (!len)
		return 0;
	return notify_datagram(n, c, notify_getfd(c, args[0]), &sa, len);
}

/* The address of the message header at @at, or 0. */
static socklen_t notify_msg_name(struct notify *n, const struct notify_call *c, uint64_t at,
				 struct sockaddr_storage *sa)
{
	struct notify_msghdr32 m32;
	struct msghdr m;

	if (c->compat) {
		if (notify_peek(n, c, at, &m32, sizeof(m32)) < 0 || !m32.name)
			return 0;
		return notify_sockaddr(n, c, m32.name, m32.namelen, sa);
	}
	if (notify_peek(n, c, at, &m, sizeof(m)) < 0 || !m.msg_name)
		return 0;
	return notify_sockaddr(n, c, (uint64_t)(uintptr_t)m.msg_name, m.msg_namelen, sa);
}

static int notify_sendmsg(struct notify *n, const struct notify_call *c)
{
	const uint64_t *args = c->args;
	struct sockaddr_storage sa;
	socklen_t len = notify_msg_name(n, c, args[1], &sa);

	if (!len)
		return 0; /* a connected socket: TCP's data, most often */
	return notify_datagram(n, c, notify_getfd(c, args[0]), &sa, len);
}

static int notify_sendmmsg(struct notify *n, const struct notify_call *c)
{
	const uint64_t *args = c->args;
	size_t vlen = (uint32_t)args[2] < NOTIFY_MMSG_MAX ? (uint32_t)args[2] : NOTIFY_MMSG_MAX;
	size_t stride = c->compat ? sizeof(struct notify_mmsghdr32) : sizeof(struct mmsghdr);
	int fd = -2; /* not taken yet */

	for (size_t i = 0; i < vlen; i++) {
		struct sockaddr_storage sa;
		socklen_t len = notify_msg_name(n, c, args[1] + i * stride, &sa);

		if (!len)
			continue;
		if (fd == -2)
			fd = notify_getfd(c, args[0]);
		if (!notify_datagram_ok(n, c, fd, &sa, len)) {
			close(fd);
			return -EPERM; /* one refused destination fails the call */
		}
	}
	if (fd != -2)
		notify_keep(n, c, fd);
	return 0;
}

typedef int notify_fn(struct notify *n, const struct notify_call *c);

/* What each notified call does (by ABI and number); needs_pidfd: it may
 * take the caller's descriptors. */
static const struct notify_callspec {
	uint32_t arch;
	long nr;
	notify_fn *fn;
	bool needs_pidfd;
} notify_calls[] = {
	{ NOTIFY_ARCH, __NR_socket, notify_socket, false },
	{ NOTIFY_ARCH, __NR_connect, notify_connect, true },
	{ NOTIFY_ARCH, __NR_sendto, notify_sendto, true },
	{ NOTIFY_ARCH, __NR_sendmsg, notify_sendmsg, true },
	{ NOTIFY_ARCH, __NR_sendmmsg, notify_sendmmsg, true },
#ifdef __x86_64__
	{ AUDIT_ARCH_I386, 359, notify_socket, false },
	{ AUDIT_ARCH_I386, 362, notify_connect, true },
	{ AUDIT_ARCH_I386, 369, notify_sendto, true },
	{ AUDIT_ARCH_I386, 370, notify_sendmsg, true },
	{ AUDIT_ARCH_I386, 345, notify_sendmmsg, true },
#endif
};

#ifdef __x86_64__
/* i386's socketcall(CALL, ARGS): the calls the filter asks about, with how
 * many 32-bit arguments ARGS holds. */
static const struct {
	unsigned call, nargs;
	notify_fn *fn;
	bool needs_pidfd;
} notify_socketcalls[] = {
	{ 3, 3, notify_connect, true },  /* SYS_CONNECT */
	{ 11, 6, notify_sendto, true },  /* SYS_SENDTO */
	{ 16, 3, notify_sendmsg, true }, /* SYS_SENDMSG */
	{ 20, 4, notify_sendmmsg, true }, /* SYS_SENDMMSG */
};

/* socketcall()'s call into @c->args, read from the caller's memory; its
 * function, or NULL (an unknown call, or unreadable arguments: the kernel
 * fails it the same way, or it is none of ours). */
static notify_fn *notify_compat_socketcall(struct notify *n, struct notify_call *c, bool *needs_pidfd)
{
	uint32_t a[6] = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(notify_socketcalls); i++) {
		if (notify_socketcalls[i].call != (uint32_t)c->req->data.args[0])
			continue;
		if (notify_peek(n, c, (uint32_t)c->req->data.args[1], a,
				notify_socketcalls[i].nargs * sizeof(a[0])) < 0)
			return NULL;
		for (size_t k = 0; k < ARRAY_SIZE(a); k++)
			c->args[k] = a[k];
		*needs_pidfd = notify_socketcalls[i].needs_pidfd;
		return notify_socketcalls[i].fn;
	}
	return NULL;
}
#endif

/* The function for @c's call, its arguments in @c->args; NULL: let it go. */
static notify_fn *notify_lookup(struct notify *n, struct notify_call *c, bool *needs_pidfd)
{
	const struct seccomp_data *d = &c->req->data;

	memcpy(c->args, d->args, sizeof(c->args));
#ifdef __x86_64__
	c->compat = d->arch == AUDIT_ARCH_I386;
	if (c->compat) {
		/* 32-bit registers: the upper halves mean nothing */
		for (size_t k = 0; k < ARRAY_SIZE(c->args); k++)
			c->args[k] = (uint32_t)c->args[k];
		if (d->nr == 102)
			return notify_compat_socketcall(n, c, needs_pidfd);
	}
#endif
	for (size_t i = 0; i < ARRAY_SIZE(notify_calls); i++) {
		if (notify_calls[i].arch == d->arch && notify_calls[i].nr == d->nr) {
			*needs_pidfd = notify_calls[i].needs_pidfd;
			return notify_calls[i].fn;
		}
	}
	return NULL;
}

static void notify_event(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct notify *n = arg;
	struct notify_call c = { .req = n->req, .pidfd = -1 };
	bool needs_pidfd = false;
	notify_fn *fn;
	int r = 0;

	memset(n->req, 0, n->req_size);
	if (ioctl(n->nfd, SECCOMP_IOCTL_NOTIF_RECV, n->req) < 0)
		return; /* the caller went away (ENOENT), or a signal */
	c.tid = (pid_t)n->req->pid;
	fn = notify_lookup(n, &c, &needs_pidfd);
	if (fn) {
		if (needs_pidfd)
			c.pidfd = notify_pidfd(c.tid);
		r = fn(n, &c);
	}
	memset(n->resp, 0, n->resp_size);
	n->resp->id = n->req->id;
	if (r < 0)
		n->resp->error = r;
	else
		n->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	/* ENOENT: the caller was interrupted meanwhile; it will ask again. */
	ioctl(n->nfd, SECCOMP_IOCTL_NOTIF_SEND, n->resp);
	if (c.pidfd >= 0)
		close(c.pidfd);
}

struct notify *notify_new(struct event_base *base, int chan, const struct notify_deps *deps)
{
	struct seccomp_notif_sizes sizes;
	unsigned long id_valid = SECCOMP_IOCTL_NOTIF_ID_VALID;
	struct notify *n;
	uint64_t id = 0;
	uint16_t port;
	int err = 0, nfd, r;

	/* No timeout here: the filter is in place once the program's process
	 * sent this, and dropping it would fail every notified call (ENOSYS).
	 * EOF says the init or the program died. */
	r = channel_recv_port(chan, CHANNEL_NFD, &port, &err, &nfd);
	if (r < 0 || err) {
		/* EPIPE, ECHILD: the init or the program died, and says so. */
		if (!deps->quiet && r != -EPIPE && err != ECHILD && (deps->ondemand || deps->attrib))
			notice("no notifications of the program's connect() and send() for netbox (%s%s): "
			       "%s \u2014 a kernel of Linux 5.5 or later has them",
			       strerror(r < 0 ? -r : err),
			       err == EBUSY ? ": netbox runs under another supervisor" : "",
			       deps->ondemand ? "only ports 80, 443 and those rules name are served"
					      : "the log names no process");
		return NULL;
	}
	/* A seccomp notification descriptor says ENOENT for an unknown id. */
	if (ioctl(nfd, id_valid, &id) < 0 && errno == EINVAL) {
		id_valid = NOTIFY_ID_VALID_OLD;
		errno = 0;
		ioctl(nfd, id_valid, &id);
	}
	if (errno != ENOENT || syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		close(nfd);
		die(NULL, "bad notification descriptor from the sandbox init");
	}
	n = xcalloc(1, sizeof(*n));
	n->d = *deps;
	n->id_valid = id_valid;
	n->nfd = nfd;
	/* The kernel's structs may be larger than this build's headers. */
	n->req_size = sizes.seccomp_notif > sizeof(*n->req) ? sizes.seccomp_notif : sizeof(*n->req);
	n->resp_size = sizes.seccomp_notif_resp > sizeof(*n->resp) ? sizes.seccomp_notif_resp
								   : sizeof(*n->resp);
	n->req = xcalloc(1, n->req_size);
	n->resp = xcalloc(1, n->resp_size);
	n->ev = event_new(base, nfd, EV_READ | EV_PERSIST, notify_event, n);
	if (!n->ev || event_add(n->ev, NULL) < 0)
		die(NULL, "cannot watch the sandbox's notifications");
	return n;
}

void notify_free(struct notify *n)
{
	if (!n)
		return;
	event_free(n->ev);
	close(n->nfd);
	free(n->req);
	free(n->resp);
	free(n);
}
