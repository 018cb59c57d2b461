/* channel.h — typed, size-checked messages with descriptors between
 * netbox's processes: the sandbox init, the supervisor and netbox
 * (channel.c). */
#ifndef NETBOX_CHANNEL_H
#define NETBOX_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#define CHANNEL_MAX_FDS 128  /* the kernel passes at most SCM_MAX_FD = 253 */
#define CHANNEL_MAX_BODY 512

enum channel_type {
	CHANNEL_LISTENERS = 1, /* init -> netbox: a batch of listening sockets */
	CHANNEL_COVERS,        /* init -> netbox: the throw-away tmpfs mounts */
	CHANNEL_NFD,           /* init -> netbox: the program's notification fd */
	CHANNEL_LISTEN,        /* netbox -> init: make a listener for a port */
	CHANNEL_LISTENER,      /* init -> netbox: here it is, or why not */
	CHANNEL_LEARNED,       /* supervisor -> netbox: the learned profile */
	CHANNEL_TRUST,         /* supervisor -> init: the CAs the sandbox trusts */
};

/* The kinds of sockets the init makes: listening ones, and the raw ones
 * that see what no listener takes (netproxy/watch.h). */
enum channel_listener_kind {
	LISTENER_DNS_UDP4,
	LISTENER_DNS_UDP6,
	LISTENER_DNS_TCP,
	LISTENER_PROXY,
	LISTENER_WATCH_TCP4,
	LISTENER_WATCH_UDP4,
	LISTENER_WATCH_TCP6,
	LISTENER_WATCH_UDP6,
	LISTENER_KIND_LAST = LISTENER_WATCH_UDP6,
};

#define CHANNEL_LISTENERS_BATCH 128

/* The body of CHANNEL_LISTENERS: a batch of sockets, in order (.seq), the
 * last one marked. */
struct channel_listeners {
	uint32_t seq;
	uint32_t count;
	uint32_t last;
	uint8_t kind[CHANNEL_LISTENERS_BATCH];
	uint16_t port[CHANNEL_LISTENERS_BATCH];
};

/* The body of CHANNEL_LEARNED: a piece of the learned profile's text. */
struct channel_text {
	uint32_t len;
	uint32_t last;
	char text[496];
};

/* The body of CHANNEL_TRUST, which carries one descriptor: a memfd of
 * @bundle_len bytes, the host's CAs then the run's CA (its last @ca_len
 * bytes), all PEM certificates (launcher/trust.c checks them). */
struct channel_trust {
	uint32_t bundle_len;
	uint32_t ca_len;
	uint32_t ca_hash; /* X509_NAME_hash() of the CA's subject: its name
			   * in a hashed directory (c_rehash) */
	uint32_t reserved; /* 0 */
};

/* Send one message: @len bytes of body (at most CHANNEL_MAX_BODY) and
 * @nfds descriptors (at most CHANNEL_MAX_FDS; not closed).  0 or -errno. */
int channel_send(int sock, enum channel_type type, const void *body, size_t len, const int *fds,
		 size_t nfds);

/* Receive one message that must be of @type with a body of exactly @len
 * bytes; its descriptors (close-on-exec) into @fds, at most @maxfds, their
 * number in *nfds.  @flags for recvmsg (MSG_DONTWAIT).  0; -EPROTO for a
 * message that is not what the header says or not what was expected (its
 * descriptors closed); -EPIPE when the other side is gone; else -errno. */
int channel_recv(int sock, enum channel_type type, void *body, size_t len, int *fds, size_t maxfds,
		 size_t *nfds, int flags);

/* NFD, LISTEN and LISTENER: a port and a positive errno or 0, with one
 * descriptor when that is 0 (never for LISTEN).  Receiving checks that too:
 * 0 with *fd set or -1; -EPIPE, -EPROTO, -errno as channel_recv(). */
int channel_send_port(int sock, enum channel_type type, uint16_t port, int err, int fd);
int channel_recv_port(int sock, enum channel_type type, uint16_t *port, int *err, int *fd);

#endif
