/* inspect_internal.h — what the three files of HTTP inspection share, and
 * nothing else includes: inspect.c (one connection: the two sides' I/O on
 * the loop, the exchanges one at a time), inspect_http.c (each request's
 * verdict, netbox's own responses, the log record) and inspect_tls.c (the
 * TLS contexts and the I/O of a side, TLS or plain).
 */
#ifndef NETBOX_INSPECT_INTERNAL_H
#define NETBOX_INSPECT_INTERNAL_H

#include "netproxy/httpreq.h"
#include "netproxy/httpresp.h"
#include "netproxy/inspect.h"

#include <event2/event_struct.h>
#include <openssl/ssl.h>
#include <stddef.h>

/* The buffers, allocated with the connection: its memory is bounded by
 * them (and by openssl's records, released when idle).  Up holds a whole
 * request head (HTTPREQ_HEAD_MAX) besides body bytes; down a reply of
 * netbox's own (INSPECT_REPLY_MAX) besides the response relayed. */
#define INSPECT_IN_MAX (16 * 1024)	/* the program's bytes, not parsed yet */
#define INSPECT_UP_MAX (32 * 1024)	/* to the upstream */
#define INSPECT_DOWN_MAX (32 * 1024)	/* to the program */
#define INSPECT_REPLY_MAX 2048		/* a 403, 400 or 502 of netbox's */
/* A denied request's body is read and dropped, keeping the connection,
 * up to this length; a longer one (or one the client waits to send, with
 * Expect: 100-continue) closes it after the 403. */
#define INSPECT_SKIP_MAX (1024 * 1024)
#define INSPECT_HANDSHAKE_MS 10000	/* both TLS handshakes */
#define INSPECT_LINGER_MS 2000		/* reading what a refused client still sends */

struct inspect_buf {
	uint8_t *data;
	size_t cap, start, end;
};

/* One side: the program's (c) or the upstream's (u). */
struct inspect_side {
	int fd;
	SSL *ssl;		/* NULL: plain */
	bool upstream;
	struct event ev;
	short armed;		/* what ev waits for now (0: not added) */
	short need;		/* what the blocked operations of this turn wait for */
	bool ready;		/* handshake done (always, plain) */
	bool eof;		/* the peer closed its sending side */
	bool shut;		/* netbox's close_notify (TLS) and FIN went */
	unsigned long ssl_err;	/* openssl's error when the handshake failed */
	uint64_t bytes;		/* plaintext delivered to it */
};

/* The exchange in course: a request, and its response or netbox's. */
struct inspect_exchange {
	bool active;		/* a head came and was not reported yet */
	bool forwarded;		/* it went upstream: its response is awaited */
	bool allowed;
	int status;
	uint64_t up, down, start_ns;
	const char *rule, *origin;
	char method[64];
	char path[1024];
	char query[1024];	/* (truncated: the log has it only with --log-query) */
	bool has_query;
	char reason[640];
};

enum inspect_phase {
	INSPECT_HANDSHAKE,	/* TLS: the two handshakes */
	INSPECT_RUN,		/* requests and responses */
	INSPECT_CLOSING,	/* what is queued for the program, then its close */
	INSPECT_LINGER,		/* closed for writing: dropping what the program sends */
};

enum inspect_req {
	INSPECT_REQ_IDLE,	/* between requests */
	INSPECT_REQ_FORWARD,	/* an allowed request's body goes upstream */
	INSPECT_REQ_SKIP,	/* a refused request's body is dropped */
};

struct inspect {
	struct event_base *base;
	struct inspect_tls *tls;
	const struct policy *policy;
	struct report *report;
	const struct report_proc *proc;
	char name[256];
	uint16_t port;
	bool use_tls;
	inspect_done_fn done;
	void *arg;

	struct inspect_side c, u;
	enum inspect_phase phase;
	enum inspect_req req_state;
	int fatal;		/* -errno: over, both sides reset */
	bool over;		/* over cleanly */
	bool started;		/* the first turn ran */
	bool close_after;	/* close once the exchange in course ends */
	unsigned long answered;	/* responses the program got on this connection */
	char up_error[512];	/* why the upstream's TLS failed: each request gets a 502 */
	struct httpreq *req;
	struct httpresp *resp;
	struct inspect_exchange ex;
	struct event timer;

	struct inspect_buf in, up, down;
	uint8_t in_data[INSPECT_IN_MAX];
	uint8_t up_data[INSPECT_UP_MAX];
	uint8_t down_data[INSPECT_DOWN_MAX];
};

/* ---- inspect_tls.c: a side's TLS and I/O ------------------------------------ */

/* Make the side's SSL: the program's presents the CA's leaf for the name,
 * the upstream's verifies the host.  0, or -ENOMEM / -EINVAL. */
int inspect_tls_side(struct inspect *in, struct inspect_side *s);
void inspect_tls_side_free(struct inspect_side *s);
/* 1 done, 0 blocked (s->need says on what), -EPROTO failed. */
int inspect_io_handshake(struct inspect_side *s);
/* Why the handshake of @s failed, for a person: the certificate's error
 * (X509_verify_cert_error_string) or openssl's reason. */
void inspect_io_failure(const struct inspect_side *s, char *out, size_t len);
/* Bytes read (> 0), 0 at the end of the stream, -EAGAIN blocked (s->need
 * says on what), or -errno. */
ssize_t inspect_io_read(struct inspect_side *s, void *buf, size_t len);
/* Bytes written (> 0), -EAGAIN blocked, or -errno. */
ssize_t inspect_io_write(struct inspect_side *s, const void *buf, size_t len);
/* close_notify (TLS) then FIN: 1 done, 0 blocked, -errno. */
int inspect_io_shutdown(struct inspect_side *s);

/* ---- inspect_http.c: requests, replies, records ------------------------------ */

/* Judge the head just parsed: fills in->ex (verdict, rule, reason). */
void inspect_http_decide(struct inspect *in, const struct httpreq_head *h);
/* Queue netbox's own response for the program: @status, a one-line @text
 * body (no body for a HEAD request), Connection: close if @close.  False
 * when it does not fit (the caller makes room first: INSPECT_REPLY_MAX). */
bool inspect_http_reply(struct inspect *in, int status, const char *text, bool close);
/* The exchange in course is over: its record, once. */
void inspect_http_report(struct inspect *in);

/* ---- inspect.c: buffers ------------------------------------------------------ */

size_t inspect_buf_len(const struct inspect_buf *b);
/* Free room at the end, after moving what is held to the start. */
size_t inspect_buf_room(struct inspect_buf *b);
void inspect_buf_add(struct inspect_buf *b, const void *p, size_t n);

#endif
