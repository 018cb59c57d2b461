/* netlink.c — configuring the sandbox's network namespace over rtnetlink.
 *
 * Runs in the sandbox init, which holds CAP_NET_ADMIN over the new network
 * namespace.  No shelling out to ip(8): one request per change, each
 * acknowledged by the kernel (NLM_F_ACK) and checked.
 */
#include "netlink.h"
#include "util.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

struct netlink_req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct rtmsg rt;
		struct ifaddrmsg ifa;
	};
	char attrs[64];
};

/* Send one request and wait for its acknowledgement: 0 or -errno. */
static int netlink_talk(int fd, struct netlink_req *req)
{
	static uint32_t seq;
	char buf[4096];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	req->nh.nlmsg_seq = ++seq;
	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != req->nh.nlmsg_seq || nh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return -EPROTO;
			return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
		}
	}
}

static void netlink_attr(struct netlink_req *req, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	if (NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_SPACE(len) > sizeof(*req))
		die(NULL, "netlink: request too large");
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + (uint32_t)RTA_SPACE(len);
}

int netlink_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		die_errno(NULL, "cannot open a netlink socket");
	return fd;
}

static uint32_t netlink_ifindex(const char *ifname)
{
	uint32_t idx = if_nametoindex(ifname);

	if (!idx)
		die_errno(NULL, "no interface %s in the sandbox", ifname);
	return idx;
}

void netlink_link_up(int fd, const char *ifname)
{
	struct netlink_req req = { 0 };
	int idx = (int)netlink_ifindex(ifname), r;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = idx;
	req.ifi.ifi_flags = IFF_UP;
	req.ifi.ifi_change = IFF_UP;
	r = netlink_talk(fd, &req);
	if (r < 0) {
		errno = -r;
		die_errno(NULL, "cannot bring %s up", ifname);
	}
}

int netlink_route_local_all(int fd, int family, const char *ifname, bool required)
{
	struct netlink_req req = { 0 };
	uint32_t idx = netlink_ifindex(ifname);
	int r;

	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_NEWROUTE;
	req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	req.rt.rtm_family = (unsigned char)family;
	req.rt.rtm_dst_len = 0;
	req.rt.rtm_table = RT_TABLE_LOCAL;
	req.rt.rtm_protocol = RTPROT_STATIC;
	req.rt.rtm_scope = RT_SCOPE_HOST;
	req.rt.rtm_type = RTN_LOCAL;
	netlink_attr(&req, RTA_OIF, &idx, sizeof(idx));
	r = netlink_talk(fd, &req);
	if (r < 0 && required) {
		errno = -r;
		die_errno(NULL, "cannot route every %s address to %s",
			  family == AF_INET ? "IPv4" : "IPv6", ifname);
	}
	return r;
}

void netlink_addr_add_v4(int fd, const char *ifname, struct in_addr addr)
{
	struct netlink_req req = { 0 };
	uint32_t idx = netlink_ifindex(ifname);
	int r;

	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = 32;
	req.ifa.ifa_scope = RT_SCOPE_HOST;
	req.ifa.ifa_index = idx;
	netlink_attr(&req, IFA_LOCAL, &addr, sizeof(addr));
	netlink_attr(&req, IFA_ADDRESS, &addr, sizeof(addr));
	r = netlink_talk(fd, &req);
	if (r < 0) {
		errno = -r;
		die_errno(NULL, "cannot add an address to %s", ifname);
	}
}
