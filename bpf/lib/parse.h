/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame parsing: Ethernet (up to two VLAN tags), IPv4 (with options), IPv6
 * (with a bounded extension-header walk), TCP. The one walker of frames:
 * XDP (and the backend's TC program) parse with parse_frame(), which
 * returns XDP_* verdicts; TC finds a handed-off ACK's tuple with parse_l2()
 * and tuple_at().
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

#define SO_L2_MAX	(14 + 4 * SO_VLAN_MAX)
#define SO_IPV6_EXT_MAX 8 /* extension headers walked before TCP */
#define SO_L4_OFF_MAX	4096

#define SO_NEXTHDR_HOP	    0
#define SO_NEXTHDR_ROUTING  43
#define SO_NEXTHDR_FRAGMENT 44
#define SO_NEXTHDR_DEST	    60

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

/* The tuple of an IPv4 or IPv6 header and the ports after it; every byte written. */
static __always_inline void tuple4_of(struct so_tuple *t, const struct iphdr *ip,
				      const __u16 *ports)
{
	__builtin_memset(t, 0, sizeof(*t));
	t->saddr[0] = ip->saddr;
	t->daddr[0] = ip->daddr;
	t->sport = ports[0];
	t->dport = ports[1];
}

static __always_inline void tuple6_of(struct so_tuple *t, const struct ipv6hdr *ip6,
				      const __u16 *ports)
{
	__builtin_memcpy(t->saddr, &ip6->saddr, 16);
	__builtin_memcpy(t->daddr, &ip6->daddr, 16);
	t->sport = ports[0];
	t->dport = ports[1];
	t->v6 = 1;
	t->pad[0] = t->pad[1] = t->pad[2] = 0;
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

/*
 * The tuple of the TCP segment whose L3 header (of ethertype proto) is at
 * l3_off and TCP header at l4_off. Returns 0, or -1 if they are not there.
 */
static __always_inline int tuple_at(void *data, void *end, __u32 l3_off, __u16 proto, __u32 l4_off,
				    struct so_tuple *t)
{
	__u16 *ports;

	if (l3_off > SO_L2_MAX || l4_off > SO_L4_OFF_MAX)
		return -1;
	ports = pkt_ptr(data, l4_off);
	if ((void *)(ports + 2) > end)
		return -1;
	if (proto == bpf_htons(SO_ETH_P_IP)) {
		struct iphdr *ip = data + l3_off;

		if ((void *)(ip + 1) > end)
			return -1;
		tuple4_of(t, ip, ports);
		return 0;
	}
	if (proto == bpf_htons(SO_ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + l3_off;

		if ((void *)(ip6 + 1) > end)
			return -1;
		tuple6_of(t, ip6, ports);
		return 0;
	}
	return -1;
}

/* The TCP header at s->l4_off of a segment to a protected port. */
static __always_inline int parse_tcp(struct so_ctx *c, void *data, void *end)
{
	struct so_seg *s = &c->seg;
	struct tcphdr *th;
	__u8 *raw;

	/*
	 * The verifier tracks packet bounds only for offsets it knows are well
	 * below 64 KiB; an XDP frame is one page, so this changes no verdict.
	 */
	if (s->l4_off > SO_L4_OFF_MAX)
		goto bad;
	th = pkt_ptr(data, s->l4_off);
	raw = (__u8 *)th;
	if ((void *)(th + 1) > end || s->tcp_len < sizeof(*th))
		goto bad;
	s->doff = th->doff * 4;
	if (s->doff < sizeof(*th) || s->doff > s->tcp_len)
		goto bad;
	s->flags = raw[13];
	s->seq = bpf_ntohl(th->seq);
	s->ack_seq = bpf_ntohl(th->ack_seq);
	return SO_CONTINUE;
bad:
	c->cnt->drop_hdrlen++;
	return XDP_DROP;
}

/* A front's destination: its port in the ports of the longest prefix holding it. */
static __always_inline int front_protected(const __u32 *daddr, int v6, __u16 port_be)
{
	struct so_protect_key k = {.prefixlen = 128};
	struct so_protect *p;
	__u16 port = bpf_ntohs(port_be);

	if (v6) {
		__builtin_memcpy(k.addr, daddr, 16);
	} else {
		k.addr[2] = bpf_htonl(0xffff);
		k.addr[3] = daddr[0];
	}
	p = bpf_map_lookup_elem(&so_protect, &k);
	return p && (p->ports[(port >> 3) & (SO_PORT_BITMAP_BYTES - 1)] & (1 << (port & 7)));
}

/*
 * 1 when the TCP header at ports is ours (a protected port; on a front, of
 * a protected destination daddr), 0 when not, -1 when cut short.
 */
static __always_inline int ports_protected(const struct so_config *cfg, const __u32 *daddr, int v6,
					   __u16 *ports, void *end)
{
	if ((void *)(ports + 2) > end)
		return -1;
	if (cfg->front)
		return front_protected(daddr, v6, ports[1]) ? 1 : 0;
	return port_protected(cfg, ports[1]) ? 1 : 0;
}

static __always_inline int parse_ipv4(struct so_ctx *c, void *data, void *end)
{
	struct so_seg *s = &c->seg;
	struct iphdr *ip = data + s->l3_off;
	__u32 ihl, tot_len, frag;
	__u16 *ports;
	int prot;

	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip) || ip->version != 4)
		return XDP_PASS; /* not an IPv4 header we can read: the kernel drops it */
	frag = bpf_ntohs(ip->frag_off);
	if (frag & SO_IP_OFFMASK)
		return XDP_PASS; /* no TCP header in here; its first fragment is judged below */
	s->l4_off = s->l3_off + ihl;
	ports = pkt_ptr(data, s->l4_off);
	prot = ports_protected(c->cfg, &ip->daddr, 0, ports, end);
	if (prot == 0)
		return XDP_PASS;
	if (frag & SO_IP_MF) {
		/* A first fragment to a protected port, or one too small to name a port. */
		c->cnt->drop_fragment++;
		return XDP_DROP;
	}
	if (prot < 0)
		return XDP_PASS; /* truncated before the ports: the kernel drops it */
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < ihl || s->l3_off + tot_len > c->frame_len) {
		c->cnt->drop_hdrlen++;
		return XDP_DROP;
	}
	tuple4_of(&s->t, ip, ports);
	s->tcp_len = tot_len - ihl;
	return parse_tcp(c, data, end);
}

static __always_inline int parse_ipv6(struct so_ctx *c, void *data, void *end)
{
	struct so_seg *s = &c->seg;
	struct ipv6hdr *ip6 = data + s->l3_off;
	__u32 off = s->l3_off + sizeof(*ip6), plen;
	int i, frag = 0, prot;
	__u16 *ports;
	__u8 nh;

	if ((void *)(ip6 + 1) > end || ip6->version != 6)
		return XDP_PASS; /* not an IPv6 header: the kernel drops it */
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
		c->cnt->drop_exthdrs++;
		return XDP_DROP;
	}
	if (off > SO_L4_OFF_MAX)
		return XDP_PASS; /* no frame is this long: the ports are not there */
	s->l4_off = off;
	ports = pkt_ptr(data, off);
	prot = ports_protected(c->cfg, (__u32 *)&ip6->daddr, 1, ports, end);
	if (prot == 0)
		return XDP_PASS;
	if (frag) {
		/* RFC 7112: a first fragment holds the whole chain through TCP. */
		c->cnt->drop_fragment++;
		return XDP_DROP;
	}
	if (prot < 0)
		return XDP_PASS;
	plen = bpf_ntohs(ip6->payload_len);
	if (off > s->l3_off + sizeof(*ip6) + plen ||
	    s->l3_off + sizeof(*ip6) + plen > c->frame_len) {
		c->cnt->drop_hdrlen++;
		return XDP_DROP;
	}
	tuple6_of(&s->t, ip6, ports);
	s->tcp_len = plen - (off - s->l3_off - sizeof(*ip6));
	return parse_tcp(c, data, end);
}

/* SO_CONTINUE for a well-formed TCP segment to a protected port, else an action. */
/*
 * data..end is what can be read directly; frame_len is the whole frame's
 * length, which in TC may run on past end into fragments (the lengths are
 * checked against it, the headers read below end).
 */
static __always_inline int parse_frame(struct so_ctx *c, void *data, void *end, __u32 frame_len)
{
	__u16 proto;
	int off = parse_l2(data, end, &proto);

	if (off < 0)
		return XDP_PASS;
	c->frame_len = frame_len;
	c->seg.l3_off = off;
	if (proto == bpf_htons(SO_ETH_P_IP))
		return parse_ipv4(c, data, end);
	if (proto == bpf_htons(SO_ETH_P_IPV6))
		return parse_ipv6(c, data, end);
	return XDP_PASS;
}

#endif /* SO_BPF_PARSE_H */
