/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame parsing: Ethernet (up to two VLAN tags), IPv4 (with options), IPv6
 * (with a bounded extension-header walk), TCP.
 *
 * The rule: shakeoff acts only on what it can identify as TCP to a protected
 * port. Anything else, including frames too short or too broken to tell, is
 * passed untouched, and the kernel judges it as it always did. A TCP segment
 * to a protected port whose lengths do not add up is dropped and counted,
 * and so is any fragment of one (a legitimate SYN is never fragmented).
 */
#ifndef SO_BPF_PARSE_H
#define SO_BPF_PARSE_H

#include "common.h"

#define SO_L2_MAX (14 + 4 * SO_VLAN_MAX)
#define SO_IPV6_EXT_MAX 8 /* extension headers walked before TCP */
#define SO_L4_OFF_MAX 4096

#define SO_NEXTHDR_HOP 0
#define SO_NEXTHDR_ROUTING 43
#define SO_NEXTHDR_FRAGMENT 44
#define SO_NEXTHDR_DEST 60

/* A TCP segment to a protected port, as parsed. */
struct so_pkt {
	struct so_tuple t; /* client -> server */
	__u32 seq;         /* host order */
	__u32 ack_seq;
	__u16 l3_off;      /* 14, 18 or 22 */
	__u16 l4_off;      /* the TCP header */
	__u16 tcp_len;     /* TCP header + payload, per the IP header */
	__u16 doff;        /* TCP header length in bytes */
	__u8 flags;        /* TCP flags byte */
	__u8 pad;
};

static __always_inline int port_protected(const struct so_config *cfg, __u16 port_be)
{
	__u16 port = bpf_ntohs(port_be);

	return cfg->ports[(port >> 3) & (SO_PORT_BITMAP_BYTES - 1)] & (1 << (port & 7));
}

/*
 * A pointer at data + off that clang must keep in one register. Left to
 * itself it may rebuild data + off for the loads after a bounds check, and
 * the verifier does not know the rebuilt pointer is in bounds.
 */
static __always_inline void *pkt_ptr(void *data, __u32 off)
{
	void *ptr = data + off;

	barrier_var(ptr);
	return ptr;
}

/* The TCP header at p->l4_off of a segment to a protected port. */
static __always_inline int parse_tcp(void *data, void *end, struct so_pkt *p)
{
	struct tcphdr *th;
	__u8 *raw;

	/*
	 * The verifier tracks packet bounds only for offsets it knows are well
	 * below 64 KiB; an XDP frame is one page, so this changes no verdict.
	 */
	if (p->l4_off > SO_L4_OFF_MAX) {
		stat_inc(SO_STAT_DROP_HDRLEN);
		return XDP_DROP;
	}
	th = pkt_ptr(data, p->l4_off);
	raw = (__u8 *)th;
	if ((void *)(th + 1) > end || p->tcp_len < sizeof(*th)) {
		stat_inc(SO_STAT_DROP_HDRLEN);
		return XDP_DROP;
	}
	p->doff = th->doff * 4;
	if (p->doff < sizeof(*th) || p->doff > p->tcp_len) {
		stat_inc(SO_STAT_DROP_HDRLEN);
		return XDP_DROP;
	}
	p->flags = raw[13];
	p->seq = bpf_ntohl(th->seq);
	p->ack_seq = bpf_ntohl(th->ack_seq);
	return SO_CONTINUE;
}

/*
 * Ports of a TCP header at l4, if they are in the frame. Returns 1 when the
 * destination is protected, 0 when not, -1 when the ports are not there.
 */
static __always_inline int ports_protected(const struct so_config *cfg, void *l4, void *end,
					   struct so_pkt *p)
{
	__u16 *ports = l4;

	if ((void *)(ports + 2) > end)
		return -1;
	p->t.sport = ports[0];
	p->t.dport = ports[1];
	return port_protected(cfg, ports[1]) ? 1 : 0;
}

static __always_inline int parse_ipv4(void *data, void *end, const struct so_config *cfg,
				      struct so_pkt *p)
{
	struct iphdr *ip = data + p->l3_off;
	__u32 ihl, tot_len, frag;
	int prot;

	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return XDP_PASS; /* not an IPv4 header we can read: the kernel drops it */
	frag = bpf_ntohs(ip->frag_off);
	if (frag & SO_IP_OFFMASK)
		return XDP_PASS; /* no TCP header in here; its first fragment is judged below */
	p->l4_off = p->l3_off + ihl;
	prot = ports_protected(cfg, pkt_ptr(data, p->l4_off), end, p);
	if (prot == 0)
		return XDP_PASS;
	if (frag & SO_IP_MF) {
		/* A first fragment to a protected port, or one too small to name a port. */
		stat_inc(SO_STAT_DROP_FRAGMENT);
		return XDP_DROP;
	}
	if (prot < 0)
		return XDP_PASS; /* truncated before the ports: the kernel drops it */
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < ihl || (void *)ip + tot_len > end) {
		stat_inc(SO_STAT_DROP_HDRLEN);
		return XDP_DROP;
	}
	p->t.v6 = 0;
	p->t.saddr[0] = ip->saddr;
	p->t.daddr[0] = ip->daddr;
	p->tcp_len = tot_len - ihl;
	return parse_tcp(data, end, p);
}

static __always_inline int parse_ipv6(void *data, void *end, const struct so_config *cfg,
				      struct so_pkt *p)
{
	struct ipv6hdr *ip6 = data + p->l3_off;
	__u32 off = p->l3_off + sizeof(*ip6), plen;
	int i, frag = 0, prot;
	__u8 nh;

	if ((void *)(ip6 + 1) > end)
		return XDP_PASS;
	nh = ip6->nexthdr;
	/*
	 * Walk the extension headers a SYN could hide behind. A chain longer
	 * than we walk is dropped when it still leads on: otherwise one more
	 * header would slip a SYN past us.
	 */
#pragma unroll
	for (i = 0; i < SO_IPV6_EXT_MAX; i++) {
		__u8 *h = pkt_ptr(data, off);

		if (nh == IPPROTO_TCP)
			break;
		if ((nh == SO_NEXTHDR_HOP && i == 0) || nh == SO_NEXTHDR_ROUTING ||
		    nh == SO_NEXTHDR_DEST) {
			if ((void *)(h + 2) > end)
				return XDP_PASS;
			nh = h[0];
			off += (h[1] + 1) * 8;
		} else if (nh == SO_NEXTHDR_FRAGMENT) {
			if ((void *)(h + 8) > end)
				return XDP_PASS;
			if ((h[2] << 8 | h[3]) & 0xfff8)
				return XDP_PASS; /* not a first fragment: no TCP header */
			nh = h[0];
			off += 8;
			frag = 1;
		} else {
			return XDP_PASS; /* not TCP (or a hop-by-hop header out of place) */
		}
	}
	if (nh != IPPROTO_TCP) {
		stat_inc(SO_STAT_DROP_EXTHDRS);
		return XDP_DROP;
	}
	p->l4_off = off;
	prot = ports_protected(cfg, pkt_ptr(data, off), end, p);
	if (prot == 0)
		return XDP_PASS;
	if (frag) {
		/* RFC 7112: a first fragment holds the whole chain through TCP. */
		stat_inc(SO_STAT_DROP_FRAGMENT);
		return XDP_DROP;
	}
	if (prot < 0)
		return XDP_PASS;
	plen = bpf_ntohs(ip6->payload_len);
	if (off > p->l3_off + sizeof(*ip6) + plen || (void *)(ip6 + 1) + plen > end) {
		stat_inc(SO_STAT_DROP_HDRLEN);
		return XDP_DROP;
	}
	p->t.v6 = 1;
	__builtin_memcpy(p->t.saddr, &ip6->saddr, 16);
	__builtin_memcpy(p->t.daddr, &ip6->daddr, 16);
	p->tcp_len = plen - (off - p->l3_off - sizeof(*ip6));
	return parse_tcp(data, end, p);
}

/*
 * Skip the Ethernet header and up to two VLAN tags. Returns the L3 offset
 * and sets *proto (network order), or -1 if the frame ends first.
 */
static __always_inline int parse_l2(void *data, void *end, __u16 *proto)
{
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth);
	int i;

	if ((void *)(eth + 1) > end)
		return -1;
	*proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < SO_VLAN_MAX; i++) {
		struct vlan_hdr *vh = data + off;

		if (*proto != bpf_htons(SO_ETH_P_8021Q) && *proto != bpf_htons(SO_ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > end)
			return -1;
		*proto = vh->h_vlan_encapsulated_proto;
		off += sizeof(*vh);
	}
	return off;
}

/* SO_CONTINUE for a well-formed TCP segment to a protected port, else an action. */
static __always_inline int parse_frame(struct xdp_md *ctx, const struct so_config *cfg,
				       struct so_pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u16 proto;
	int off = parse_l2(data, end, &proto);

	if (off < 0)
		return XDP_PASS;
	p->l3_off = off;
	if (proto == bpf_htons(SO_ETH_P_IP))
		return parse_ipv4(data, end, cfg, p);
	if (proto == bpf_htons(SO_ETH_P_IPV6))
		return parse_ipv6(data, end, cfg, p);
	return XDP_PASS;
}

#endif /* SO_BPF_PARSE_H */
