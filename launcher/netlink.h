/* netlink.h — rtnetlink requests for the sandbox's network namespace. */
#ifndef NETBOX_NETLINK_H
#define NETBOX_NETLINK_H

#include <netinet/in.h>
#include <stdbool.h>

int netlink_open(void);
/* Set IFF_UP on @ifname; dies on failure. */
void netlink_link_up(int fd, const char *ifname);
/* `local 0.0.0.0/0 dev IF` (or ::/0): every address of @family is local.
 * Dies on failure if @required, else returns -errno. */
int netlink_route_local_all(int fd, int family, const char *ifname, bool required);
/* Add @addr/32 to @ifname; dies on failure. */
void netlink_addr_add_v4(int fd, const char *ifname, struct in_addr addr);

#endif
