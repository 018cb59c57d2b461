/* unixsock.h — the host's unix sockets reachable by path (unixsock.c). */
#ifndef NETBOX_UNIXSOCK_H
#define NETBOX_UNIXSOCK_H

struct config;

/* After the mounts are planned: cover the host's path sockets outside the
 * trees the user gave, and the daemons' socket directories; bind in the
 * --allow-unix ones that lie in covered trees. */
void unixsock_plan(struct config *cfg);

#endif
