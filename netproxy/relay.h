/* relay.h — splice(2) relay between two connected sockets (relay.c). */
#ifndef NETBOX_RELAY_H
#define NETBOX_RELAY_H

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { RELAY_UP = 0, RELAY_DOWN = 1 }; /* program -> upstream, upstream -> program */

struct relay;
typedef void (*relay_done_fn)(struct relay *r, void *arg);

struct relay_dir {
	struct relay *relay;
	int from, to;
	int pipe[2];
	size_t in_pipe;  /* bytes spliced in, not yet out */
	uint64_t bytes;  /* delivered to @to */
	bool eof, shut;
	struct event ev_read, ev_write;
};

struct relay {
	struct relay_dir dir[2];
	relay_done_fn done_cb;
	void *done_arg;
	int err;         /* 0: both directions ended cleanly; else -errno */
	bool started, finished;
};

/* Start relaying; @done_cb runs once when it is over (it may free @r after
 * relay_close_pipes()).  The sockets stay the caller's.  With @hold_up, the
 * program -> upstream direction waits for relay_release_up(): what the
 * program sends stays in its socket (the proxy has yet to judge it) while
 * upstream -> program flows.  0 or -errno. */
int relay_start(struct relay *r, struct event_base *base, int client, int upstream, bool hold_up,
		relay_done_fn done_cb, void *arg);
/* Let the held program -> upstream direction flow. */
void relay_release_up(struct relay *r);
/* Release the pipes and events (not the sockets). */
void relay_close_pipes(struct relay *r);

#endif
