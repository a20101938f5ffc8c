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

#include "sockdiag.h"

/* The kernel's TCP states (include/net/tcp_states.h). */
enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
	TCP_NEW_SYN_RECV,
};

typedef void (*msg_fn)(const struct inet_diag_msg *m, void *ctx);

static int loopback(const struct inet_diag_msg *m)
{
	const __u32 *a = m->id.idiag_src;

	if (m->idiag_family == AF_INET)
		return (ntohl(a[0]) >> 24) == 127;
	return !a[0] && !a[1] && !a[2] && a[3] == htonl(1);
}

static int dump_family(int fd, int family, __u32 states, msg_fn fn, void *ctx)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
	    .nlh = {.nlmsg_len = sizeof(msg),
		    .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
	    .req = {.sdiag_family = family, .sdiag_protocol = IPPROTO_TCP, .idiag_states = states},
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
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -EIO;
			}
			fn(NLMSG_DATA(h), ctx);
		}
	}
}

static int dump(__u32 states, msg_fn fn, void *ctx)
{
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	err = dump_family(fd, AF_INET, states, fn, ctx);
	if (!err)
		err = dump_family(fd, AF_INET6, states, fn, ctx);
	close(fd);
	return err;
}

static void on_listener(const struct inet_diag_msg *m, void *ctx)
{
	__u8 *bitmap = ctx;
	__u16 port = ntohs(m->id.idiag_sport);

	if (!loopback(m))
		bitmap[port / 8] |= 1 << (port % 8);
}

int listeners_get(__u8 bitmap[SO_PORT_BITMAP_BYTES])
{
	memset(bitmap, 0, SO_PORT_BITMAP_BYTES);
	return dump(1 << TCP_LISTEN, on_listener, bitmap);
}

struct conn_walk {
	const __u8 *ports;
	conn_fn fn;
	void *ctx;
};

static void on_connection(const struct inet_diag_msg *m, void *ctx)
{
	struct conn_walk *w = ctx;
	__u16 port = ntohs(m->id.idiag_sport);
	struct so_tuple t = {.sport = m->id.idiag_dport, .dport = m->id.idiag_sport};
	int v4mapped = m->idiag_family == AF_INET6 && !m->id.idiag_src[0] && !m->id.idiag_src[1] &&
		       m->id.idiag_src[2] == htonl(0xffff);
	__u8 state;

	if (!(w->ports[port / 8] & (1 << (port % 8))))
		return;
	switch (m->idiag_state) {
	case TCP_TIME_WAIT:
		state = SO_TIME_WAIT;
		break;
	case TCP_ESTABLISHED:
	case TCP_SYN_RECV:
	case TCP_NEW_SYN_RECV:
		state = SO_ESTABLISHED;
		break;
	default:
		state = SO_CLOSING;
	}
	/* The tuple as the data plane sees it: the client's side first. */
	if (m->idiag_family == AF_INET || v4mapped) {
		t.saddr[0] = m->id.idiag_dst[v4mapped ? 3 : 0];
		t.daddr[0] = m->id.idiag_src[v4mapped ? 3 : 0];
	} else {
		t.v6 = 1;
		memcpy(t.saddr, m->id.idiag_dst, 16);
		memcpy(t.daddr, m->id.idiag_src, 16);
	}
	w->fn(&t, state, m->idiag_expires, w->ctx);
}

int connections_get(const __u8 ports[SO_PORT_BITMAP_BYTES], conn_fn fn, void *ctx)
{
	struct conn_walk w = {ports, fn, ctx};
	__u32 states = ~((1 << TCP_LISTEN) | (1 << TCP_SYN_SENT) | (1 << TCP_CLOSE));

	return dump(states, on_connection, &w);
}
