/* rtnetlink address notifications and IPv6 flags; see netlink.h. */
#include "netlink.h"

#include "proto/errors.h"

#ifdef __linux__

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NL_BUF 16384
#define NL_DUMP_MAX_READS 256   /* a cap on a dump, whatever the kernel says */

int nl_watch_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
	};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	                NETLINK_ROUTE);
	if (fd < 0)
		return DZ_EIO;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return DZ_EIO;
	}
	return fd;
}

int nl_watch_drain(int fd)
{
	char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	int changed = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return changed;
			if (errno == ENOBUFS) {   /* we fell behind: rescan */
				changed = 1;
				continue;
			}
			return DZ_EIO;
		}
		int len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf;
		     NLMSG_OK(h, (unsigned)len); h = NLMSG_NEXT(h, len))
			if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR)
				changed = 1;
	}
}

/* Apply one RTM_NEWADDR of the dump to the matching entries of `l`. */
static void apply_addr(struct nlmsghdr *h, struct addr_local *l, size_t n)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int alen = (int)IFA_PAYLOAD(h);
	const uint8_t *addr = NULL;
	uint32_t flags = ifa->ifa_flags;

	if (ifa->ifa_family != AF_INET6)
		return;
	for (struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, alen);
	     rta = RTA_NEXT(rta, alen)) {
		if (rta->rta_type == IFA_ADDRESS && RTA_PAYLOAD(rta) == 16)
			addr = RTA_DATA(rta);
		else if (rta->rta_type == IFA_FLAGS && RTA_PAYLOAD(rta) == 4)
			memcpy(&flags, RTA_DATA(rta), 4);
	}
	if (!addr)
		return;
	for (size_t i = 0; i < n; i++) {
		if (l[i].family != AF_INET6 || memcmp(l[i].a, addr, 16) != 0)
			continue;
		l[i].flags = 0;
		l[i].plen = ifa->ifa_prefixlen;
		if (flags & IFA_F_TEMPORARY)
			l[i].flags |= ADDR_F_TEMPORARY;
		if (flags & IFA_F_DEPRECATED)
			l[i].flags |= ADDR_F_DEPRECATED;
		if (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
			l[i].flags |= ADDR_F_TENTATIVE;
	}
}

int nl_addr_flags(struct addr_local *l, size_t n)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg m;
	} req = {
		.h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
		       .nlmsg_type = RTM_GETADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.m = { .ifa_family = AF_INET6 },
	};
	char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int err = DZ_EIO;

	if (fd < 0)
		return DZ_EIO;
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
		goto out;
	for (int reads = 0; reads < NL_DUMP_MAX_READS; reads++) {
		ssize_t got = recv(fd, buf, sizeof buf, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			goto out;
		int len = (int)got;
		for (struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf;
		     NLMSG_OK(h, (unsigned)len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				err = 0;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				goto out;
			if (h->nlmsg_type == RTM_NEWADDR &&
			    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
				apply_addr(h, l, n);
		}
	}
out:
	close(fd);
	return err;
}

#else /* no rtnetlink: the daemon falls back to rescanning on its interval */

int nl_watch_open(void)
{
	return DZ_ENOTSUP;
}

int nl_watch_drain(int fd)
{
	(void)fd;
	return 0;
}

int nl_addr_flags(struct addr_local *l, size_t n)
{
	(void)l;
	(void)n;
	return 0;
}

#endif
