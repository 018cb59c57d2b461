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

#define ONDEMAND_MAGIC 0x6e62786fu /* "nbxo" */
#define ONDEMAND_MAX_PORTS 1024    /* listeners made on demand, at most */

enum ondemand_type {
	ONDEMAND_NFD = 1, /* program -> init -> netbox: the notification fd */
	ONDEMAND_LISTEN,  /* netbox -> init: make a listener for .port */
	ONDEMAND_LISTENER /* init -> netbox: here it is (or .err) */
};

struct ondemand_msg {
	uint32_t magic;
	uint32_t type;
	uint32_t port;
	int32_t err; /* a positive errno, or 0: NFD and LISTENER carry a descriptor */
};

struct ondemand {
	struct event_base *base;
	struct proxy *proxy;
	int chan, nfd;
	struct event *ev;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
	uint8_t served[65536 / 8];
	unsigned made;
};

/* ---- messages: one struct, at most one descriptor ------------------------ */

static int ondemand_send(int sock, enum ondemand_type type, uint16_t port, int err, int fd)
{
	struct ondemand_msg m = { ONDEMAND_MAGIC, type, port, err };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Receive one message of @type: 0 with *fd set (or -1 and m->err), -EPIPE at
 * EOF, -EPROTO for anything malformed (no descriptor leaks either way). */
static int ondemand_recv(int sock, enum ondemand_type type, struct ondemand_msg *m, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int fds[4], nfds = 0;
	ssize_t r;

	*fd = -1;
	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -EPIPE;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (nfds < 4)
				fds[nfds++] = f;
			else
				close(f);
		}
	}
	if ((size_t)r != sizeof(*m) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    m->magic != ONDEMAND_MAGIC || m->type != (uint32_t)type || m->port > 65535 ||
	    m->err < 0 || nfds != (type != ONDEMAND_LISTEN && m->err == 0)) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		return -EPROTO;
	}
	if (nfds)
		*fd = fds[0];
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
		ondemand_send(sp, ONDEMAND_NFD, 0, ENOSYS, -1);
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
		ondemand_send(sp, ONDEMAND_NFD, 0, errno, -1);
	} else {
		ondemand_send(sp, ONDEMAND_NFD, 0, 0, (int)fd);
		close((int)fd);
	}
#else
	ondemand_send(sp, ONDEMAND_NFD, 0, ENOSYS, -1);
#endif
	close(sp);
}

void ondemand_init_forward(int sp, int chan)
{
	struct ondemand_msg m;
	int fd, r = ondemand_recv(sp, ONDEMAND_NFD, &m, &fd);

	close(sp);
	/* The program's process died before it could say (EPIPE): netbox
	 * learns it from the init's exit; tell it without a warning. */
	if (r < 0)
		m.err = r == -EPIPE ? ECHILD : EPROTO;
	ondemand_send(chan, ONDEMAND_NFD, 0, m.err, fd);
	if (fd >= 0)
		close(fd);
}

int ondemand_init_serve(int chan)
{
	struct ondemand_msg m;
	int fd, r = ondemand_recv(chan, ONDEMAND_LISTEN, &m, &fd);

	if (r == -EPIPE || r == -ECONNRESET)
		return -1;
	if (r < 0 || m.port == 0)
		return ondemand_send(chan, ONDEMAND_LISTENER, 0, EPROTO, -1) < 0 ? -1 : 0;
	fd = listeners_proxy_socket((uint16_t)m.port);
	r = ondemand_send(chan, ONDEMAND_LISTENER, (uint16_t)m.port, fd < 0 ? -fd : 0, fd);
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
	int fd, r = ondemand_send(o->chan, ONDEMAND_LISTEN, port, 0, -1);

	if (r < 0)
		return r;
	/* A late answer to an earlier request that timed out comes first:
	 * drop it rather than stay one answer behind for the rest of the run. */
	do {
		r = ondemand_recv(o->chan, ONDEMAND_LISTENER, &m, &fd);
		if (r < 0)
			return r;
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

/* Is the program's descriptor @tfd of thread @tid a TCP socket?  (A UDP
 * socket connect()s too; it needs no listener.)  When that cannot be told,
 * say yes: a listener too many costs a descriptor, one too few a refused
 * connection. */
static bool ondemand_is_stream(pid_t tid, int tfd)
{
	int pidfd, fd, type = 0;
	socklen_t len = sizeof(type);

	/* The notification names the calling thread, often not the leader
	 * (runtimes connect from worker threads): before 6.9 only a leader
	 * has a pidfd, and then the answer stays unknown. */
	pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (pidfd < 0)
		pidfd = (int)syscall(SYS_pidfd_open, tid, 0);
	if (pidfd < 0)
		return true;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, tfd, 0);
	close(pidfd);
	if (fd < 0)
		return errno != EBADF; /* EBADF: it has no such descriptor */
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		type = SOCK_STREAM;
	close(fd);
	return type == SOCK_STREAM;
}

/* The port the program asks for, or 0 (not IP, unreadable). */
static uint16_t ondemand_port(const struct seccomp_notif *req)
{
	struct sockaddr_storage sa = { 0 };
	size_t len = req->data.args[2] < sizeof(sa) ? (size_t)req->data.args[2] : sizeof(sa);
	struct iovec local = { &sa, len };
	/* An address in the program's memory, only ever given to the kernel. */
	struct iovec remote = { (void *)(uintptr_t)req->data.args[1], len }; /* NOLINT(performance-no-int-to-ptr) */
	struct in6_addr addr;
	uint16_t port;

	if (len == 0 || syscall(SYS_process_vm_readv, req->pid, &local, 1, &remote, 1, 0) != (long)len ||
	    policy_addr_from_sockaddr((const struct sockaddr *)&sa, (socklen_t)len, &addr, &port) < 0)
		return 0;
	return port;
}

static void ondemand_notify(evutil_socket_t fd UNUSED, short what UNUSED, void *arg)
{
	struct ondemand *o = arg;
	struct seccomp_notif *req = o->req;
	struct seccomp_notif_resp *resp = o->resp;
	uint16_t port = 0;

	memset(req, 0, o->req_size);
	if (ioctl(o->nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return; /* the caller went away (ENOENT), or a signal */
	if (req->data.nr == __NR_connect)
		port = ondemand_port(req);
	/* Checked after reading its memory: the pid was still the caller's. */
	if (ioctl(o->nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
		return;
	if (port && !(o->served[port / 8] & (1u << (port % 8))) && o->made < ONDEMAND_MAX_PORTS &&
	    ondemand_is_stream((pid_t)req->pid, (int)req->data.args[0])) {
		int r = ondemand_listen(o, port);

		/* EADDRINUSE: the program listens there itself, and its
		 * connection reaches its own server, as without netbox.  Any
		 * other failure is said once: the port is not asked for again. */
		o->served[port / 8] |= (uint8_t)(1u << (port % 8));
		o->made += r == 0;
		if (r < 0 && r != -EADDRINUSE)
			warn("cannot serve port %u for the program: %s", port, strerror(-r));
	}
	memset(resp, 0, o->resp_size);
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	/* ENOENT: the caller was interrupted meanwhile; it will ask again. */
	ioctl(o->nfd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

struct ondemand *ondemand_new(struct event_base *base, int chan, struct proxy *proxy,
			      const uint8_t *served, bool quiet)
{
	struct seccomp_notif_sizes sizes;
	struct timeval tv = { 10, 0 };
	struct ondemand_msg m = { 0 };
	struct ondemand *o;
	uint64_t id = 0;
	int nfd, r;

	/* The init answers in microseconds; never hang on one that does not. */
	setsockopt(chan, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r = ondemand_recv(chan, ONDEMAND_NFD, &m, &nfd);
	if (r < 0 || m.err) {
		/* EPIPE, ECHILD: the init or the program died, and says so. */
		if (!quiet && r != -EPIPE && m.err != ECHILD)
			notice("this kernel cannot tell netbox about connect() (%s): only ports 80, 443 and "
			       "those rules name are served \u2014 name the ports in the rules",
			       strerror(r < 0 ? -r : m.err));
		close(chan);
		return NULL;
	}
	/* A seccomp notification descriptor says ENOENT for an unknown id. */
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 || errno != ENOENT ||
	    syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		close(nfd);
		close(chan);
		die(NULL, "bad notification descriptor from the sandbox init");
	}
	o = xcalloc(1, sizeof(*o));
	o->base = base;
	o->proxy = proxy;
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
