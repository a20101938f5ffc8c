// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "listen.h"

#define TCP_LISTEN 10

static int loopback(const struct inet_diag_msg *m)
{
	const __u32 *a = m->id.idiag_src;

	if (m->idiag_family == AF_INET)
		return (ntohl(a[0]) >> 24) == 127;
	return !a[0] && !a[1] && !a[2] && a[3] == htonl(1);
}

static int dump_family(int fd, int family, __u8 *bitmap)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = family, .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = 1 << TCP_LISTEN },
	};
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));

	if (send(fd, &msg, sizeof(msg), 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0)
			return -errno;
		for (; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			const struct inet_diag_msg *m = NLMSG_DATA(h);
			__u16 port;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -EIO;
			}
			if (loopback(m))
				continue;
			port = ntohs(m->id.idiag_sport);
			bitmap[port / 8] |= 1 << (port % 8);
		}
	}
}

int listeners_get(__u8 bitmap[SO_PORT_BITMAP_BYTES])
{
	int fd, err;

	memset(bitmap, 0, SO_PORT_BITMAP_BYTES);
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	err = dump_family(fd, AF_INET, bitmap);
	if (!err)
		err = dump_family(fd, AF_INET6, bitmap);
	close(fd);
	return err;
}
