// SPDX-License-Identifier: GPL-2.0
/* shakeoff's entry points. The logic lives in lib/. */
#include "lib/common.h"
#include "lib/parse.h"
#include "lib/syn.h"
#include "lib/ack.h"
#include "lib/handoff.h"
#include "lib/close.h"
#include "lib/backend.h"
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int shakeoff_xdp(struct xdp_md *xdp)
{
	struct so_ctx c; /* not zeroed: every field is written before it is read */
	int ret;

	if (ctx_init(&c, xdp))
		return XDP_PASS;
	ret = parse_frame(&c, (void *)(long)xdp->data, (void *)(long)xdp->data_end,
			  xdp->data_end - xdp->data);
	if (ret != SO_CONTINUE)
		return ret; /* not ours (passed untouched), or malformed (dropped, counted) */
	/* Once, for every table the segment looks in. */
	c.seg.hash = so_tuple_hash(c.cfg->hash_seed, &c.seg.t);
	if (c.seg.flags & SO_TCP_SYN)
		ret = c.seg.flags & SO_TCP_ACK ? XDP_PASS : handle_syn(&c);
	else if (c.seg.flags & SO_TCP_RST)
		ret = handle_rst(&c);
	else if (c.seg.flags & SO_TCP_ACK)
		ret = handle_ack(&c);
	else
		ret = XDP_PASS; /* neither SYN nor ACK: the kernel's rules apply */
	if (ret == XDP_PASS)
		c.cnt->passed++;
	return ret;
}

/* Ingress: validated handshakes become sockets. */
SEC("tc")
int shakeoff_tc(struct __sk_buff *skb)
{
	return handoff(skb);
}

/* Ingress of a backend (shakeoff backend): the front's cookies become sockets. */
SEC("tc")
int shakeoff_backend(struct __sk_buff *skb)
{
	return backend(skb);
}

/* The server's side of every close, from the kernel's socket states. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(shakeoff_close, const struct sock *sk, int oldstate, int newstate)
{
	return socket_closing(sk, oldstate, newstate);
}
