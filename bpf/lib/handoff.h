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

/* Linux >= 6.9; `shakeoff run` checks for it before loading. */
extern int bpf_sk_assign_tcp_reqsk(struct __sk_buff *skb, struct sock *sk,
				   struct bpf_tcp_req_attrs *attrs, int attrs__sz) __ksym;

/* The 4-tuple of the validated ACK, found with the L4 offset XDP measured. */
static __always_inline int handoff_tuple(struct __sk_buff *skb, const struct so_meta *m,
					 struct bpf_sock_tuple *bt, __u32 *size)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	__u32 l4_off = m->l4_off;
	__u16 proto, *ports;
	int off = parse_l2(data, end, &proto);

	/* The kernel may have untagged a VLAN since XDP saw the frame. */
	if (off < 0 || l4_off > SO_L4_OFF_MAX)
		return -1;
	ports = data + off + l4_off;
	if ((void *)(ports + 2) > end)
		return -1;
	if (proto == bpf_htons(SO_ETH_P_IP)) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > end)
			return -1;
		bt->ipv4.saddr = ip->saddr;
		bt->ipv4.daddr = ip->daddr;
		bt->ipv4.sport = ports[0];
		bt->ipv4.dport = ports[1];
		*size = sizeof(bt->ipv4);
	} else if (proto == bpf_htons(SO_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > end)
			return -1;
		__builtin_memcpy(bt->ipv6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(bt->ipv6.daddr, &ip6->daddr, 16);
		bt->ipv6.sport = ports[0];
		bt->ipv6.dport = ports[1];
		*size = sizeof(bt->ipv6);
	} else {
		return -1;
	}
	return 0;
}

static __always_inline int handoff(struct __sk_buff *skb)
{
	struct so_meta *m = (void *)(long)skb->data_meta;
	struct bpf_tcp_req_attrs attrs = {};
	struct bpf_sock_tuple bt = {};
	struct bpf_sock *skc;
	struct tcp_sock *tp;
	__u32 size;
	int err;

	if ((void *)(m + 1) > (void *)(long)skb->data || m->magic != SO_META_MAGIC)
		return TC_ACT_OK; /* not a handshake shakeoff_xdp validated */
	if (handoff_tuple(skb, m, &bt, &size) < 0) {
		stat_inc(SO_STAT_HANDOFF_FAIL);
		return TC_ACT_OK;
	}
	skc = bpf_skc_lookup_tcp(skb, &bt, size, BPF_F_CURRENT_NETNS, 0);
	if (!skc) {
		/* No listener (it went away): the kernel answers with a RST. */
		stat_inc(SO_STAT_HANDOFF_FAIL);
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
		stat_inc(SO_STAT_HANDOFF_FAIL);
		return TC_ACT_OK;
	}
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
	err = bpf_sk_assign_tcp_reqsk(skb, (struct sock *)tp, &attrs, sizeof(attrs));
	bpf_sk_release(skc);
	stat_inc(err ? SO_STAT_HANDOFF_FAIL : SO_STAT_HANDOFF_OK);
	return TC_ACT_OK;
}

#endif /* SO_BPF_HANDOFF_H */
