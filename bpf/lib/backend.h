/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend (shakeoff backend): a server behind a front that answered
 * the SYN with our cookie. Nothing in front of us left metadata, so this
 * TC ingress program checks the cookie itself: an ACK to a protected port
 * that finds only a listener must carry a cookie of the shared key, and
 * then becomes a request socket on that listener, its sequence numbers
 * continuing from the cookie; any other such ACK is dropped. Segments of
 * connections the kernel has (established, TIME_WAIT, its own SYN_RECV)
 * and everything not to a protected port pass untouched.
 */
#ifndef SO_BPF_BACKEND_H
#define SO_BPF_BACKEND_H

#include "common.h"
#include "parse.h"
#include "tcpopt.h"
#include "ack.h"
#include "handoff.h"

static __always_inline int backend_ack(struct __sk_buff *skb, struct so_ctx *c)
{
	struct so_seg *s = &c->seg;
	struct bpf_sock_tuple bt = {};
	struct so_tcpopts o;
	struct so_meta m;
	struct bpf_sock *skc;
	struct tcp_sock *tp;
	__u32 size = sock_tuple_of(&s->t, &bt);
	__u64 h;
	int copts;

	skc = bpf_skc_lookup_tcp(skb, &bt, size, BPF_F_CURRENT_NETNS, 0);
	if (!skc)
		return TC_ACT_OK; /* nobody listens: the kernel answers with a RST */
	if (skc->state != BPF_TCP_LISTEN) {
		bpf_sk_release(skc);
		c->cnt->established++;
		return TC_ACT_OK; /* a connection the kernel has */
	}
	copts = cookie_valid(c, coarse_ns(), &h);
	if (copts == -2) {
		bpf_sk_release(skc);
		return TC_ACT_OK; /* no keys (the daemon is gone): the kernel's own cookies */
	}
	if (copts < 0) {
		bpf_sk_release(skc);
		c->cnt->ack_invalid++;
		return TC_ACT_SHOT;
	}
	c->cnt->ack_valid++;
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp) {
		bpf_sk_release(skc);
		c->cnt->handoff_fail++;
		return TC_ACT_OK;
	}
	parse_tcp_opts(skb, 1, s->l4_off, s->doff, &o);
	meta_of(c->cfg, s, &o, copts, &m);
	if (reqsk_assign(skb, tp, &m))
		c->cnt->handoff_fail++;
	else
		c->cnt->handoff_ok++;
	bpf_sk_release(skc);
	return TC_ACT_OK;
}

static __always_inline int backend(struct __sk_buff *skb)
{
	struct so_ctx c; /* not zeroed: every field is written before it is read */
	int ret;

	if (ctx_init(&c, NULL))
		return TC_ACT_OK;
	ret = parse_frame(&c, (void *)(long)skb->data, (void *)(long)skb->data_end, skb->len);
	if (ret != SO_CONTINUE)
		return ret == XDP_DROP ? TC_ACT_SHOT : TC_ACT_OK;
	/* SYNs go to the kernel as ever (the front should have kept them); RSTs too. */
	if ((c.seg.flags & (SO_TCP_SYN | SO_TCP_RST)) || !(c.seg.flags & SO_TCP_ACK))
		return TC_ACT_OK;
	return backend_ack(skb, &c);
}

#endif /* SO_BPF_BACKEND_H */
