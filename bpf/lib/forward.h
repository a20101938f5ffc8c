/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A front forwarding what it let through (a validated ACK, a known flow's
 * segment) itself: with --forward-xdp, XDP_REDIRECT to an interface in
 * so_tx where the kernel's FIB has a route and a resolved neighbour, the
 * TTL decremented and the MACs rewritten as the kernel would. Anything
 * else (no route, no neighbour yet, TTL running out, a VLAN tag, an
 * interface the operator did not name) is left to the kernel's forwarding.
 */
#ifndef SO_BPF_FORWARD_H
#define SO_BPF_FORWARD_H

#include "common.h"

/* RFC 1624 incremental update: the TTL is the high byte of its 16-bit word. */
static __always_inline void ip_ttl_dec(struct iphdr *ip)
{
	__u32 sum = ip->check + bpf_htons(0x0100);

	ip->check = (__u16)(sum + (sum >> 16));
	ip->ttl--;
}

static __always_inline int front_forward(struct so_ctx *c)
{
	struct xdp_md *xdp = c->xdp;
	void *data = (void *)(long)xdp->data, *end = (void *)(long)xdp->data_end;
	const struct so_seg *s = &c->seg;
	struct bpf_fib_lookup p = {};
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	struct iphdr *ip;

	if (!c->cfg->front_redirect || s->l3_off != sizeof(*eth))
		return XDP_PASS;
	ip = data + sizeof(*eth);
	ip6 = data + sizeof(*eth);
	p.l4_protocol = IPPROTO_TCP;
	p.sport = s->t.sport;
	p.dport = s->t.dport;
	p.ifindex = xdp->ingress_ifindex;
	if (s->t.v6) {
		if ((void *)(ip6 + 1) > end || ip6->hop_limit <= 1)
			return XDP_PASS; /* the kernel sends the ICMPv6 error */
		p.family = SO_AF_INET6;
		p.flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		p.tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		__builtin_memcpy(p.ipv6_src, s->t.saddr, 16);
		__builtin_memcpy(p.ipv6_dst, s->t.daddr, 16);
	} else {
		if ((void *)(ip + 1) > end || ip->ttl <= 1)
			return XDP_PASS;
		p.family = SO_AF_INET;
		p.tos = ip->tos;
		p.tot_len = bpf_ntohs(ip->tot_len);
		p.ipv4_src = s->t.saddr[0];
		p.ipv4_dst = s->t.daddr[0];
	}
	if (bpf_fib_lookup(xdp, &p, sizeof(p), 0) != BPF_FIB_LKUP_RET_SUCCESS ||
	    !bpf_map_lookup_elem(&so_tx, &p.ifindex))
		return XDP_PASS;
	if (s->t.v6)
		ip6->hop_limit--;
	else
		ip_ttl_dec(ip);
	__builtin_memcpy(eth->h_dest, p.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, p.smac, ETH_ALEN);
	c->cnt->forwarded_xdp++;
	return bpf_redirect_map(&so_tx, p.ifindex, XDP_PASS);
}

#endif /* SO_BPF_FORWARD_H */
