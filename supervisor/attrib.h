/* attrib.h — who made each attempt: the sandbox's process behind a socket
 * (attrib.c). */
#ifndef NETBOX_ATTRIB_H
#define NETBOX_ATTRIB_H

#include "report.h"

#include <netinet/in.h>
#include <sys/types.h>

struct attrib;

struct attrib *attrib_new(void);
void attrib_free(struct attrib *a);

/* The process the thread @tid (as the supervisor's /proc numbers it)
 * belongs to, read once per process and program; NULL when it cannot be
 * read (gone, or past the run's bound). */
const struct report_proc *attrib_proc(struct attrib *a, pid_t tid);

/* The thread @tid is about to connect() or send() with @sock, a duplicate
 * of its socket (pidfd_getfd(); closed here, before the call goes on):
 * remember whose it is, by its local address — bound to an ephemeral port
 * first if it has none. */
void attrib_note(struct attrib *a, pid_t tid, int sock);

/* report_attrib_fn: whose socket has the address @client:@port with
 * @proto (IPPROTO_TCP, IPPROTO_UDP)?  @ctx is the struct attrib. */
const struct report_proc *attrib_lookup(void *ctx, int proto, const struct in6_addr *client,
					uint16_t port);

#endif
