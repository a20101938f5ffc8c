/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TC ingress: turn an ACK that shakeoff_xdp validated (it left struct
 * so_meta in front of the frame) into a request socket on the listener with
 * bpf_sk_assign_tcp_reqsk(); the kernel then completes the connection and
 * accept() returns it, its sequence numbers continuing from our cookie.
 */
#ifndef SO_BPF_HANDOFF_H
#define SO_BPF_HANDOFF_H

#include "common.h"
#include "parse.h"
#include "state.h"

/* Linux >= 6.9; `shakeoff run` checks for it before loading. */
extern int bpf_sk_assign_tcp_reqsk(struct __sk_buff *skb, struct sock *sk,
				   struct bpf_tcp_req_attrs *attrs, int attrs__sz) __ksym;

/* Count a handoff's outcome; the TC program has no packet context to carry. */
static __always_inline void handoff_count(int ok)
{
	__u32 zero = 0;
	struct so_counters *cnt = bpf_map_lookup_elem(&so_stats, &zero);

	if (!cnt)
		return;
	if (ok)
		cnt->handoff_ok++;
	else
		cnt->handoff_fail++;
}

/* A request socket on listener tp with the options of m; 0 or -errno. */
static __always_inline int reqsk_assign(struct __sk_buff *skb, struct tcp_sock *tp,
					const struct so_meta *m)
{
	struct bpf_tcp_req_attrs attrs = {};

	attrs.mss = m->mss;
	attrs.rcv_tsval = m->tsval;
	attrs.rcv_tsecr = m->tsecr;
	if (m->features & SO_F_WSCALE) {
		attrs.wscale_ok = 1;
		attrs.snd_wscale = m->snd_wscale; /* the client's shift */
		attrs.rcv_wscale = m->rcv_wscale; /* the shift we advertised */
	}
	attrs.sack_ok = !!(m->features & SO_F_SACK);
	attrs.tstamp_ok = !!(m->features & SO_F_TS);
	attrs.ecn_ok = !!(m->features & SO_F_ECN);
	/* The kfunc wants the full socket, not the sock_common of the lookup. */
	return bpf_sk_assign_tcp_reqsk(skb, (struct sock *)tp, &attrs, sizeof(attrs));
}

static __always_inline int handoff(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct so_meta *m = (void *)(long)skb->data_meta;
	struct bpf_sock_tuple bt = {};
	struct so_tuple t;
	struct bpf_sock *skc;
	struct tcp_sock *tp;
	__u16 proto;
	__u32 size;
	int l3_off, err;

	if ((void *)(m + 1) > data || m->magic != SO_META_MAGIC)
		return TC_ACT_OK; /* not a handshake shakeoff_xdp validated */
	/* The kernel may have untagged a VLAN since XDP saw the frame: walk L2 again. */
	l3_off = parse_l2(data, end, &proto);
	if (l3_off < 0 || tuple_at(data, end, l3_off, proto, l3_off + m->l4_off, &t) < 0) {
		handoff_count(0);
		return TC_ACT_OK;
	}
	size = sock_tuple_of(&t, &bt);
	skc = bpf_skc_lookup_tcp(skb, &bt, size, BPF_F_CURRENT_NETNS, 0);
	if (!skc) {
		/* No listener (it went away): the kernel answers with a RST. */
		handoff_count(0);
		return TC_ACT_OK;
	}
	if (skc->state != BPF_TCP_LISTEN) {
		/* A socket exists already (a duplicate ACK raced us): the kernel's. */
		bpf_sk_release(skc);
		return TC_ACT_OK;
	}
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp) {
		bpf_sk_release(skc);
		handoff_count(0);
		return TC_ACT_OK;
	}
	err = reqsk_assign(skb, tp, m);
	bpf_sk_release(skc);
	handoff_count(!err);
	return TC_ACT_OK;
}

#endif /* SO_BPF_HANDOFF_H */
