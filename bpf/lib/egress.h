/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TC egress: XDP sees only what the client sends, so the server's FIN and
 * RST are noted here, to move a flow through CLOSING to TIME_WAIT. Anything
 * without FIN or RST leaves after a few loads.
 */
#ifndef SO_BPF_EGRESS_H
#define SO_BPF_EGRESS_H

#include "common.h"
#include "parse.h"
#include "state.h"

static __always_inline int egress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct so_tuple t = {};
	struct tcphdr *th;
	struct so_flow *f;
	__u8 flags;
	__u16 proto;
	int off = parse_l2(data, end, &proto);

	if (off < 0 || off > SO_L2_MAX)
		return TC_ACT_OK;
	/* Our own segments carry no IP options or extension headers. */
	if (proto == bpf_htons(SO_ETH_P_IP)) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl != 5)
			return TC_ACT_OK;
		t.saddr[0] = ip->daddr;
		t.daddr[0] = ip->saddr;
		th = (void *)(ip + 1);
	} else if (proto == bpf_htons(SO_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_TCP)
			return TC_ACT_OK;
		t.v6 = 1;
		__builtin_memcpy(t.saddr, &ip6->daddr, 16);
		__builtin_memcpy(t.daddr, &ip6->saddr, 16);
		th = (void *)(ip6 + 1);
	} else {
		return TC_ACT_OK;
	}
	if ((void *)(th + 1) > end)
		return TC_ACT_OK;
	flags = ((__u8 *)th)[13];
	if (!(flags & (SO_TCP_FIN | SO_TCP_RST)))
		return TC_ACT_OK;
	/* The flow is keyed as the client sends it. */
	t.sport = th->dest;
	t.dport = th->source;
	f = bpf_map_lookup_elem(&so_flows, &t);
	if (f)
		flow_note(f, flags, SO_FIN_SERVER);
	return TC_ACT_OK;
}

#endif /* SO_BPF_EGRESS_H */
