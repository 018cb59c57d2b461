/* ondemand.c — listeners made when the program first connects to a port
 * no listener serves, for rules that allow every port (`host:*`, --learn):
 * the supervisor's half (launcher/listeners.c makes the socket in the
 * sandbox).  65,535 listeners made in advance would be absurd; instead
 * notify.c, told of each connect() before it happens, calls
 * ondemand_connect(), which asks the init for a listener on that port and
 * hands it to the proxy; then the call goes on.
 *
 * The notification decides nothing: enforcement stays where it is, at
 * accept, on the connection that arrives.  So the classic TOCTOU of
 * user notifications (another thread rewriting the address after it was
 * read) gains the program nothing — at worst a listener on a port it then
 * does not use.
 */
#include "ondemand.h"
#include "channel.h"
#include "handover.h"
#include "netproxy/proxy.h"
#include "policy/policy.h"
#include "bitmap.h"
#include "util.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#define ONDEMAND_MAX_PORTS 1024    /* listeners made on demand, at most */

struct ondemand {
	struct proxy *proxy;
	const struct policy *policy;
	int chan;
	bool broken, said_cap;
	uint8_t served[BITMAP_BYTES(65536)];
	unsigned made;
};

/* A listener for @port from the init, handed to the proxy.  The init answers
 * at once (it only creates a socket), so this waits for it, bounded by the
 * channel's receive timeout. */
static int ondemand_listen(struct ondemand *o, uint16_t port)
{
	struct timeval tv = { 10, 0 };
	uint16_t got;
	int err, fd, r;

	if (o->broken)
		return -EPIPE;
	/* The init answers in microseconds; never stall the loop long on one
	 * that does not.  (Set here, not before: the program's notification
	 * descriptor came over the same channel, and must be waited for.) */
	setsockopt(o->chan, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
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

void ondemand_connect(struct ondemand *o, const struct in6_addr *addr, uint16_t port,
		      bool stream)
{
	int r;

	if (!stream || !ondemand_wanted(o, addr, port))
		return;
	if (o->made >= ONDEMAND_MAX_PORTS) {
		if (!o->said_cap)
			warn("the program connected to over %u ports no rule names: no more are served",
			     ONDEMAND_MAX_PORTS);
		o->said_cap = true;
		return;
	}
	r = ondemand_listen(o, port);
	/* EADDRINUSE: the program listens there itself, and its connection
	 * reaches its own server, as without netbox.  Any other failure is
	 * said once. */
	bitmap_set(o->served, port);
	o->made += r == 0;
	if (r < 0 && r != -EADDRINUSE)
		warn("cannot serve port %d for the program: %s", port, strerror(-r));
}

struct ondemand *ondemand_new(int chan, struct proxy *proxy, const struct policy *policy,
			      const uint8_t *served)
{
	struct ondemand *o = xcalloc(1, sizeof(*o));

	o->proxy = proxy;
	o->policy = policy;
	o->chan = chan;
	memcpy(o->served, served, sizeof(o->served));
	bitmap_set(o->served, 53);
	return o;
}

void ondemand_free(struct ondemand *o)
{
	if (!o)
		return;
	close(o->chan);
	free(o);
}
