/* ondemand.c — listeners made when the program first connects to a port.
 *
 * netbox serves the ports its rules name, fixed at startup (listeners.c).
 * A rule that allows every port (`--allow host:*`, and --learn, which allows
 * `*:*`) cannot be served that way: 65,535 listeners would be absurd.  So
 * for such runs the program's process also gets a seccomp filter that turns
 * connect() into a user notification (SECCOMP_RET_USER_NOTIF), and netbox,
 * told of the attempt before it happens, has the sandbox init create a
 * listener for that port first.  Theory of operation:
 *
 *   ondemand_init_prepare()   the init makes a socketpair before forking;
 *   ondemand_child_install()  the program's process installs the filter
 *                             (SECCOMP_FILTER_FLAG_NEW_LISTENER) and sends
 *                             its notification descriptor to the init;
 *   ondemand_init_forward()   the init passes it on to netbox over the
 *                             channel the listeners came by;
 *   ondemand_new()            netbox receives it and watches it;
 *   ondemand_notify()         per connect(): read the destination from the
 *                             program's memory, and for a TCP socket and a
 *                             port not yet served ask the init for a
 *                             listener (ondemand_init_serve()), hand it to
 *                             the proxy, then let the call go on
 *                             (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 *
 * The notification decides nothing: enforcement stays where it is, at
 * accept, on the connection that arrives.  So the classic TOCTOU of
 * user notifications (another thread rewriting the address after it was
 * read) gains the program nothing — at worst a listener on a port it then
 * does not use.  Only connect() of the native ABI is watched; other ABIs
 * still reach the ports served from the start.
 */
#include "ondemand.h"
#include "channel.h"
#include "listeners.h"
#include "netproxy/proxy.h"
#include "policy/policy.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#if defined(__x86_64__)
#define ONDEMAND_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ONDEMAND_ARCH AUDIT_ARCH_AARCH64
#endif

/* Before Linux 5.9 (47e33c05f9f0) ID_VALID had the wrong direction bit;
 * newer kernels take both numbers, older ones only this one. */
#define ONDEMAND_ID_VALID_OLD _IOR(SECCOMP_IOC_MAGIC, 2, __u64)
#define ONDEMAND_MAX_PORTS 1024    /* listeners made on demand, at most */

/* The body of the channel's NFD, LISTEN and LISTENER messages. */
struct ondemand_msg {
	uint32_t port;
	int32_t err; /* a positive errno, or 0: NFD and LISTENER carry a descriptor */
};

struct ondemand {
	struct event_base *base;
	struct proxy *proxy;
	const struct policy *policy;
	int chan, nfd;
	unsigned long id_valid;   /* the ioctl number this kernel knows */
	bool broken, said_read, said_cap;
	struct event *ev;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
	uint8_t served[65536 / 8];
	unsigned made;
};

/* ---- messages: one struct, at most one descriptor ------------------------ */

static int ondemand_send(int sock, enum channel_type type, uint16_t port, int err, int fd)
{
	struct ondemand_msg m = { port, err };

	return channel_send(sock, type, &m, sizeof(m), &fd, fd >= 0);
}

/* Receive one message of @type: 0 with *fd set (or -1 and m->err), -EPIPE at
 * EOF, -EPROTO for anything malformed (no descriptor leaks either way). */
static int ondemand_recv(int sock, enum channel_type type, struct ondemand_msg *m, int *fd)
{
	size_t n;
	int r = channel_recv(sock, type, m, sizeof(*m), fd, 1, &n, 0);

	if (r < 0) {
		*fd = -1;
		return r;
	}
	if (m->port > 65535 || m->err < 0 || n != (type != CHANNEL_LISTEN && m->err == 0)) {
		if (n)
			close(*fd);
		*fd = -1;
		return -EPROTO;
	}
	if (!n)
		*fd = -1;
	return 0;
}

/* ---- in the sandbox ------------------------------------------------------- */

void ondemand_init_prepare(int sp[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		die_errno(NULL, "cannot create the sandbox's notification channel");
}

/* SECCOMP_USER_NOTIF_FLAG_CONTINUE came in Linux 5.5; a 5.0-5.4 kernel
 * takes the filter but refuses the answer, and the program's connect()
 * would wait forever.  There is no probe for a flag of the answer. */
static bool ondemand_kernel_can_continue(void)
{
	struct utsname u;
	unsigned major = 0, minor = 0;

	return uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
	       (major > 5 || (major == 5 && minor >= 5));
}

void ondemand_child_install(int sp)
{
	if (!ondemand_kernel_can_continue()) {
		ondemand_send(sp, CHANNEL_NFD, 0, ENOSYS, -1);
		close(sp);
		return;
	}
#ifdef ONDEMAND_ARCH
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ONDEMAND_ARCH, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(insns), .filter = insns };
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);

	if (fd < 0) {
		ondemand_send(sp, CHANNEL_NFD, 0, errno, -1);
	} else if (ondemand_send(sp, CHANNEL_NFD, 0, 0, (int)fd) < 0) {
		/* Nobody would answer: every connect() would fail (ENOSYS). */
		die_errno(NULL, "cannot hand the connect() notifications to netbox");
	} else {
		close((int)fd);
	}
#else
	ondemand_send(sp, CHANNEL_NFD, 0, ENOSYS, -1);
#endif
	close(sp);
}

void ondemand_init_forward(int sp, int chan)
{
	struct ondemand_msg m;
	int fd, r = ondemand_recv(sp, CHANNEL_NFD, &m, &fd);

	close(sp);
	/* The program's process died before it could say (EPIPE): netbox
	 * learns it from the init's exit; tell it without a warning. */
	if (r < 0)
		m.err = r == -EPIPE ? ECHILD : EPROTO;
	if (ondemand_send(chan, CHANNEL_NFD, 0, m.err, fd) < 0 && fd >= 0)
		die_errno(NULL, "cannot hand the connect() notifications to netbox");
	if (fd >= 0)
		close(fd);
}

int ondemand_init_serve(int chan)
{
	struct ondemand_msg m;
	int fd, r = ondemand_recv(chan, CHANNEL_LISTEN, &m, &fd);

	if (r == -EPIPE || r == -ECONNRESET)
		return -1;
	if (r < 0 || m.port == 0)
		return ondemand_send(chan, CHANNEL_LISTENER, 0, EPROTO, -1) < 0 ? -1 : 0;
	fd = listeners_proxy_socket((uint16_t)m.port);
	r = ondemand_send(chan, CHANNEL_LISTENER, (uint16_t)m.port, fd < 0 ? -fd : 0, fd);
	if (fd >= 0)
		close(fd);
	return r < 0 ? -1 : 0;
}

/* ---- in netbox ------------------------------------------------------------ */

/* A listener for @port from the init, handed to the proxy.  The init answers
 * at once (it only creates a socket), so this waits for it, bounded by the
 * channel's receive timeout. */
static int ondemand_listen(struct ondemand *o, uint16_t port)
{
	struct ondemand_msg m;
	int fd, r;

	if (o->broken)
		return -EPIPE;
	r = ondemand_send(o->chan, CHANNEL_LISTEN, port, 0, -1);
	if (r < 0) {
		o->broken = true;
		return r;
	}
	/* A late answer to an earlier request that timed out comes first:
	 * drop it rather than stay one answer behind for the rest of the run. */
	do {
		r = ondemand_recv(o->chan, CHANNEL_LISTENER, &m, &fd);
		if (r < 0) {
			/* Timed out, or the init is gone: no more listeners
			 * this run (the loop must not stall on it again). */
			o->broken = true;
			return r;
		}
		if (m.port != port && fd >= 0)
			close(fd);
	} while (m.port != port);
	if (m.err)
		return -m.err;
	if (!listeners_valid(fd, LISTENER_PROXY, port)) {
		close(fd);
		return -EPROTO;
	}
	r = proxy_add_listener(o->proxy, fd);
	if (r < 0)
		close(fd);
	return r;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9 */
#endif

/* A pidfd for the calling thread @tid (often not the leader: runtimes
 * connect from worker threads, and before 6.9 only a leader has a pidfd
 * without PIDFD_THREAD), or -1. */
static int ondemand_pidfd(pid_t tid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	return pidfd >= 0 ? pidfd : (int)syscall(SYS_pidfd_open, tid, 0);
}

/* Is the program's descriptor @tfd (of the process @pidfd refers to) a TCP
 * socket?  (A UDP socket connect()s too; it needs no listener.)  When that
 * cannot be told, say yes: a listener too many costs a descriptor, one too
 * few a refused connection. */
static bool ondemand_is_stream(int pidfd, int tfd)
{
	int fd, type = 0;
	socklen_t len = sizeof(type);

	if (pidfd < 0)
		return true;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, tfd, 0);
	if (fd < 0)
		return errno != EBADF; /* EBADF: it has no such descriptor */
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		type = SOCK_STREAM;
	close(fd);
	return type == SOCK_STREAM;
}

/* The destination the program asks for: its port, or 0 (not IP); -errno
 * when its memory cannot be read. */
static int ondemand_dest(const struct seccomp_notif *req, struct in6_addr *addr)
{
	struct sockaddr_storage sa = { 0 };
	size_t len = req->data.args[2] < sizeof(sa) ? (size_t)req->data.args[2] : sizeof(sa);
	struct iovec local = { &sa, len };
	/* An address in the program's memory, only ever given to the kernel. */
	struct iovec remote = { (void *)(uintptr_t)req->data.args[1], len }; /* NOLINT(performance-no-int-to-ptr) */
	uint16_t port;

	if (len == 0)
		return 0;
	if (syscall(SYS_process_vm_readv, req->pid, &local, 1, &remote, 1, 0) != (long)len)
		return errno == EFAULT ? 0 : -errno; /* EFAULT: its bad pointer, its EFAULT */
	if (policy_addr_from_sockaddr((const struct sockaddr *)&sa, (socklen_t)len, addr, &port) < 0)
		return 0;
	return port;
}

/* Should the first connect() to @addr:@port get a listener?  Not for the
 * sandbox's own loopback unless a rule names it: a health check on
 * 127.0.0.1:3000 must not take port 3000 before the program's own server
 * binds it.  Anywhere else, yes: the connection is judged (and a refusal
 * reported) at accept, as on the ports served from the start. */
static bool ondemand_wanted(const struct ondemand *o, const struct in6_addr *addr, uint16_t port)
{
	enum policy_addr_class c = policy_addr_class(addr);

	if (o->served[port / 8] & (1u << (port % 8)))
		return false;
	if (c == POLICY_ADDR_LOOPBACK || c == POLICY_ADDR_UNSPECIFIED)
		return policy_decide_addr(o->policy, addr, port, NULL) == POLICY_ALLOW;
	return true;
}

static void ondemand_notify(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct ondemand *o = arg;
	struct seccomp_notif *req = o->req;
	struct seccomp_notif_resp *resp = o->resp;
	struct in6_addr addr;
	int port = 0, pidfd = -1;

	memset(req, 0, o->req_size);
	if (ioctl(o->nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return; /* the caller went away (ENOENT), or a signal */
	if (req->data.nr == __NR_connect) {
		/* The pidfd before the check below: if the id is still valid
		 * then, the pid was the caller's when the pidfd was made (no
		 * reaching into an unrelated process that reused it). */
		pidfd = ondemand_pidfd((pid_t)req->pid);
		port = ondemand_dest(req, &addr);
	}
	if (ioctl(o->nfd, o->id_valid, &req->id) < 0 && errno == ENOENT)
		goto out; /* gone: no answer is wanted */
	if (port < 0 && !o->said_read) {
		o->said_read = true;
		warn("cannot read the program's connect() address (%s): ports no rule names stay "
		     "closed — is ptrace restricted (kernel.yama.ptrace_scope)?", strerror(-port));
	}
	if (port > 0 && ondemand_wanted(o, &addr, (uint16_t)port) &&
	    ondemand_is_stream(pidfd, (int)req->data.args[0])) {
		if (o->made >= ONDEMAND_MAX_PORTS) {
			if (!o->said_cap)
				warn("the program connected to over %u ports no rule names: no more are served",
				     ONDEMAND_MAX_PORTS);
			o->said_cap = true;
		} else {
			int r = ondemand_listen(o, (uint16_t)port);

			/* EADDRINUSE: the program listens there itself, and
			 * its connection reaches its own server, as without
			 * netbox.  Any other failure is said once. */
			o->served[port / 8] |= (uint8_t)(1u << (port % 8));
			o->made += r == 0;
			if (r < 0 && r != -EADDRINUSE)
				warn("cannot serve port %d for the program: %s", port, strerror(-r));
		}
	}
	memset(resp, 0, o->resp_size);
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	/* ENOENT: the caller was interrupted meanwhile; it will ask again. */
	ioctl(o->nfd, SECCOMP_IOCTL_NOTIF_SEND, resp);
out:
	if (pidfd >= 0)
		close(pidfd);
}

struct ondemand *ondemand_new(struct event_base *base, int chan, struct proxy *proxy,
			      const struct policy *policy, const uint8_t *served, bool quiet)
{
	struct seccomp_notif_sizes sizes;
	struct timeval tv = { 10, 0 };
	struct ondemand_msg m = { 0 };
	unsigned long id_valid = SECCOMP_IOCTL_NOTIF_ID_VALID;
	struct ondemand *o;
	uint64_t id = 0;
	int nfd, r;

	/* No timeout here: the filter is in place once the program's process
	 * sent this, and dropping it would fail every connect() (ENOSYS).
	 * EOF says the init or the program died. */
	r = ondemand_recv(chan, CHANNEL_NFD, &m, &nfd);
	if (r < 0 || m.err) {
		/* EPIPE, ECHILD: the init or the program died, and says so. */
		if (!quiet && r != -EPIPE && m.err != ECHILD)
			notice("no connect() notifications for netbox (%s%s): only ports 80, 443 and "
			       "those rules name are served \u2014 name the ports in the rules",
			       strerror(r < 0 ? -r : m.err),
			       m.err == EBUSY ? ": netbox runs under another supervisor" : "");
		close(chan);
		return NULL;
	}
	/* A seccomp notification descriptor says ENOENT for an unknown id. */
	if (ioctl(nfd, id_valid, &id) < 0 && errno == EINVAL) {
		id_valid = ONDEMAND_ID_VALID_OLD;
		errno = 0;
		ioctl(nfd, id_valid, &id);
	}
	if (errno != ENOENT || syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		close(nfd);
		close(chan);
		die(NULL, "bad notification descriptor from the sandbox init");
	}
	/* Listener requests: the init answers in microseconds; never stall
	 * the loop long on one that does not. */
	setsockopt(chan, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	o = xcalloc(1, sizeof(*o));
	o->base = base;
	o->proxy = proxy;
	o->policy = policy;
	o->id_valid = id_valid;
	o->chan = chan;
	o->nfd = nfd;
	/* The kernel's structs may be larger than this build's headers. */
	o->req_size = sizes.seccomp_notif > sizeof(*o->req) ? sizes.seccomp_notif : sizeof(*o->req);
	o->resp_size = sizes.seccomp_notif_resp > sizeof(*o->resp) ? sizes.seccomp_notif_resp
								     : sizeof(*o->resp);
	o->req = xcalloc(1, o->req_size);
	o->resp = xcalloc(1, o->resp_size);
	memcpy(o->served, served, sizeof(o->served));
	o->served[53 / 8] |= 1u << (53 % 8);
	o->ev = event_new(base, nfd, EV_READ | EV_PERSIST, ondemand_notify, o);
	if (!o->ev || event_add(o->ev, NULL) < 0)
		die(NULL, "cannot watch the sandbox's notifications");
	return o;
}

void ondemand_free(struct ondemand *o)
{
	if (!o)
		return;
	event_free(o->ev);
	close(o->nfd);
	close(o->chan);
	free(o->req);
	free(o->resp);
	free(o);
}
