/* SPDX-License-Identifier: GPL-2.0 */
/* SYN -> SYN-ACK, rewritten in place and sent back with XDP_TX. */
#ifndef SO_BPF_SYN_H
#define SO_BPF_SYN_H

#include "common.h"
#include "parse.h"
#include "tcpopt.h"
#include "state.h"

/*
 * Turn the SYN frame into sa's SYN-ACK. L3 and L4 are written afresh from
 * what was parsed, right after the L2 header, so IPv4 options and IPv6
 * extension headers simply fall away when the frame is trimmed to the
 * SYN-ACK's length (never longer than the SYN: growing a frame fails on many
 * drivers). MACs are swapped; VLAN tags stay as they came.
 */
static __always_inline int write_synack(struct xdp_md *ctx, const struct so_config *cfg,
					const struct so_pkt *p, const struct so_synack *sa)
{
	__u32 l3_off = p->l3_off, l4_off, ip_len = p->t.v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	__u16 tcp_len = so_synack_tcp_len(sa);
	void *data, *end, *l3;
	struct ethhdr *eth;
	__u8 mac[ETH_ALEN];
	int len;

	if (l3_off > SO_L2_MAX || tcp_len > p->doff) {
		stat_inc(SO_STAT_SYN_PASSED);
		return XDP_PASS;
	}
	l4_off = l3_off + ip_len;
	len = (int)(l4_off + tcp_len) - (int)(ctx->data_end - ctx->data);
	/* len <= 0: tcp_len <= doff, and the frame holds the SYN's headers. */
	if (len < 0 && bpf_xdp_adjust_tail(ctx, len))
		return XDP_ABORTED;

	barrier_var(ctx); /* read ctx->data afresh, not from a cached ctx + 4 */
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);

	l3 = data + l3_off;
	if (p->t.v6) {
		if (so_ip6_write(l3, end, p->t.daddr, p->t.saddr, cfg->ttl, tcp_len) < 0 ||
		    so_tcp_write(l3 + sizeof(struct ipv6hdr), end, sa,
				 so_pseudo6(p->t.daddr, p->t.saddr, tcp_len)) < 0)
			return XDP_ABORTED;
	} else {
		if (so_ip4_write(l3, end, p->t.daddr[0], p->t.saddr[0], cfg->ttl, tcp_len) < 0 ||
		    so_tcp_write(l3 + sizeof(struct iphdr), end, sa,
				 so_pseudo4(p->t.daddr[0], p->t.saddr[0], tcp_len)) < 0)
			return XDP_ABORTED;
	}
	stat_inc(SO_STAT_SYNACK_SENT);
	return XDP_TX;
}

static __always_inline int handle_syn(struct xdp_md *ctx, const struct so_config *cfg,
				      struct so_pkt *p)
{
	struct so_halfopen *e = NULL;
	struct so_synack sa = {};
	const struct so_key *key;
	struct so_tcpopts co;
	__u32 data, tsval = 0, wscale;
	__u64 slot, h, now;
	__u16 mss;
	int sack, ecn = 0, repeat;

	stat_inc(SO_STAT_SYN_RECV);
	if (p->flags & (SO_TCP_RST | SO_TCP_FIN)) {
		stat_inc(SO_STAT_DROP_FLAGS);
		return XDP_DROP;
	}
	/*
	 * A tuple we track: while the kernel has a socket for it (open,
	 * closing, TIME_WAIT) the SYN is the kernel's to judge; it recycles
	 * TIME_WAIT itself, and our handoff cannot place a socket over one.
	 * Without one the tuple is free again. Only reused tuples pay for the
	 * lookup, never a flood.
	 */
	if (bpf_map_lookup_elem(&so_flows, &p->t)) {
		if (kernel_socket(ctx, p) >= 0) {
			stat_inc(SO_STAT_SYN_KNOWN);
			return XDP_PASS;
		}
		bpf_map_delete_elem(&so_flows, &p->t);
	}
	now = bpf_ktime_get_ns();
	/* Above the backlog (a flood) the table is not even read: cookies only. */
	if (cfg->stateful && !cfg->fallback) {
		e = halfopen_pick(cfg, &p->t, p->seq, now, &repeat);
		if (e && repeat) {
			/* A retransmitted SYN gets the very same SYN-ACK. */
			sa = e->sa;
			stat_inc(SO_STAT_SYN_REPEAT);
			return write_synack(ctx, cfg, p, &sa);
		}
	}
	slot = slot_now();
	key = key_of_slot(slot);
	if (!key) {
		stat_inc(SO_STAT_SYN_PASSED);
		return XDP_PASS;
	}
	parse_tcp_opts(ctx, p->l4_off, p->doff, &co);

	/* What the handoff will need back from the ACK: in the cookie. */
	wscale = co.wscale != SO_WSCALE_NONE && (cfg->features & SO_F_WSCALE) ? co.wscale
									      : SO_WSCALE_NONE;
	sack = co.sack_ok && (cfg->features & SO_F_SACK);
	data = so_cookie_data(so_mss_idx(co.mss, p->t.v6), sack, wscale);
	h = so_cookie_hash(key->k, &p->t, p->seq, slot);

	if (co.ts_ok && (cfg->features & SO_F_TS)) {
		/* ECN needs somewhere to live in the ACK: the TSecr's low bit. */
		ecn = (p->flags & (SO_TCP_ECE | SO_TCP_CWR)) == (SO_TCP_ECE | SO_TCP_CWR) &&
		      (cfg->features & SO_F_ECN);
		tsval = (((__u32)(now / 1000000) + (__u32)h) & ~1U) | ecn;
	}
	mss = p->t.v6 ? cfg->mss6 : cfg->mss4;
	if (co.mss && co.mss < mss)
		mss = co.mss;

	sa.sport = p->t.dport;
	sa.dport = p->t.sport;
	sa.seq = so_cookie_make(h, slot, data);
	sa.ack = p->seq + 1;
	sa.window = cfg->window;
	sa.ece = ecn;
	so_synack_opts(&sa, &co, cfg->features, mss, cfg->wscale, tsval);
	if (e)
		halfopen_write(e, ctx, p, &sa, data, cfg->ttl, now);
	else if (cfg->stateful && cfg->fallback)
		stat_inc(SO_STAT_COOKIE_FALLBACK);
	return write_synack(ctx, cfg, p, &sa);
}

#endif /* SO_BPF_SYN_H */
