/* ondemand.c — listeners made when the program first connects to a port:
 * the supervisor's half (launcher/ondemand.c is the sandbox's, and says why).
 *
 *   ondemand_new()            receive the program's notification descriptor
 *                             (the init forwards it) and watch it;
 *   ondemand_notify()         per connect(): read the destination from the
 *                             program's memory, and for a TCP socket and a
 *                             port not yet served ask the init for a
 *                             listener, hand it to the proxy, then let the
 *                             call go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
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
#include "handover.h"
#include "netproxy/proxy.h"
#include "policy/policy.h"
#include "bitmap.h"
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

/* Before Linux 5.9 (47e33c05f9f0) ID_VALID had the wrong direction bit;
 * newer kernels take both numbers, older ones only this one. */
#define ONDEMAND_ID_VALID_OLD _IOR(SECCOMP_IOC_MAGIC, 2, __u64)
#define ONDEMAND_MAX_PORTS 1024    /* listeners made on demand, at most */

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
	uint8_t served[BITMAP_BYTES(65536)];
	unsigned made;
};

/* A listener for @port from the init, handed to the proxy.  The init answers
 * at once (it only creates a socket), so this waits for it, bounded by the
 * channel's receive timeout. */
static int ondemand_listen(struct ondemand *o, uint16_t port)
{
	uint16_t got;
	int err, fd, r;

	if (o->broken)
		return -EPIPE;
	r = channel_send_port(o->chan, CHANNEL_LISTEN, port, 0, -1);
	if (r < 0) {
		o->broken = true;
		return r;
	}
	/* A late answer to an earlier request that timed out comes first:
	 * drop it rather than stay one answer behind for the rest of the run. */
	do {
		r = channel_recv_port(o->chan, CHANNEL_LISTENER, &got, &err, &fd);
		if (r < 0) {
			/* Timed out, or the init is gone: no more listeners
			 * this run (the loop must not stall on it again). */
			o->broken = true;
			return r;
		}
		if (got != port && fd >= 0)
			close(fd);
	} while (got != port);
	if (err)
		return -err;
	if (!handover_valid(fd, LISTENER_PROXY, port)) {
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
	long got;

	if (len == 0)
		return 0;
	got = syscall(SYS_process_vm_readv, req->pid, &local, 1, &remote, 1, 0);
	if (got < 0)
		return errno == EFAULT ? 0 : -errno; /* EFAULT: its bad pointer, its EFAULT */
	if (got != (long)len)
		return 0; /* part of it unmapped: its EFAULT too (errno is not set) */
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

	if (bitmap_test(o->served, port))
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
			bitmap_set(o->served, port);
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
	uint16_t port;
	int err = 0;
	unsigned long id_valid = SECCOMP_IOCTL_NOTIF_ID_VALID;
	struct ondemand *o;
	uint64_t id = 0;
	int nfd, r;

	/* No timeout here: the filter is in place once the program's process
	 * sent this, and dropping it would fail every connect() (ENOSYS).
	 * EOF says the init or the program died. */
	r = channel_recv_port(chan, CHANNEL_NFD, &port, &err, &nfd);
	if (r < 0 || err) {
		/* EPIPE, ECHILD: the init or the program died, and says so. */
		if (!quiet && r != -EPIPE && err != ECHILD)
			notice("no connect() notifications for netbox (%s%s): only ports 80, 443 and "
			       "those rules name are served \u2014 name the ports in the rules",
			       strerror(r < 0 ? -r : err),
			       err == EBUSY ? ": netbox runs under another supervisor" : "");
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
	bitmap_set(o->served, 53);
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
