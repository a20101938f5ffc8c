/* SPDX-License-Identifier: GPL-2.0 */
/* SYN -> SYN-ACK, rewritten in place and sent back with XDP_TX. */
#ifndef SO_BPF_SYN_H
#define SO_BPF_SYN_H

#include "common.h"
#include "parse.h"
#include "tcpopt.h"
#include "state.h"
#include "csum.h"

/*
 * Turn the SYN frame into the SYN-ACK of entry e. L3 and L4 are written
 * afresh right after the L2 header, so IPv4 options and IPv6 extension
 * headers simply fall away when the frame is trimmed to the SYN-ACK's length
 * (never longer than the SYN: growing a frame fails on many drivers). MACs
 * are swapped; VLAN tags stay as they came.
 */
static __always_inline int write_synack(struct so_ctx *c, const struct so_halfopen *e)
{
	const struct so_config *cfg = c->cfg;
	struct xdp_md *xdp = c->xdp;
	__u32 l3_off = c->seg.l3_off;
	__u32 ip_len = c->seg.t.v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	struct so_synack sa;
	void *data, *end;
	struct ethhdr *eth;
	__u8 mac[ETH_ALEN];
	__u16 tcp_len;
	int len;

	so_synack_of(&sa, e, cfg->window, cfg->wscale);
	tcp_len = so_synack_tcp_len(&sa);
	if (l3_off > SO_L2_MAX || tcp_len > c->seg.doff) {
		c->cnt->syn_passed++;
		return XDP_PASS;
	}
	len = (int)(l3_off + ip_len + tcp_len) - (int)(xdp->data_end - xdp->data);
	/* len <= 0: tcp_len <= doff, and the frame holds the SYN's headers. */
	if (len < 0 && bpf_xdp_adjust_tail(xdp, len))
		return XDP_ABORTED;

	barrier_var(xdp); /* read xdp->data afresh, not from a cached xdp + 4 */
	data = (void *)(long)xdp->data;
	end = (void *)(long)xdp->data_end;
	eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	if (so_synack_write(data + l3_off, end, e, &sa, cfg->ttl) < 0)
		return XDP_ABORTED;
	c->cnt->synack_sent++;
	return XDP_TX;
}

/*
 * The entry a SYN makes, on the stack: what its SYN-ACK is made of. The ISN
 * is the cookie, and the options the handoff will need back from the ACK
 * are in it; ECN, which has no room there, rides in the TSval's low bit.
 * Returns the cookie hash.
 */
static __always_inline __u64 synack_entry(struct so_ctx *c, const struct so_key *key, __u64 slot,
					  __u64 coarse, struct so_halfopen *e)
{
	const struct so_config *cfg = c->cfg;
	const struct so_seg *s = &c->seg;
	struct so_tcpopts co;
	__u32 wscale, copts;
	__u16 mss;
	__u64 h;
	int sack, ecn = 0;

	parse_tcp_opts(c->xdp, 0, s->l4_off, s->doff, &co);
	wscale = co.wscale != SO_WSCALE_NONE && (cfg->features & SO_F_WSCALE) ? co.wscale
									      : SO_WSCALE_NONE;
	sack = co.sack_ok && (cfg->features & SO_F_SACK);
	copts = so_copts(so_mss_idx(co.mss, s->t.v6), sack, wscale);
	h = so_cookie_hash(key->k, &s->t, s->seq);

	__builtin_memcpy(e->saddr, s->t.saddr, SO_TUPLE_ADDR_WORDS * 4);
	e->seq = 0;
	e->born = 0;
	e->isn = so_cookie_make(h, slot, copts);
	e->cisn = s->seq;
	e->copts = copts;
	e->flags = SO_HO_LIVE | (s->t.v6 ? SO_HO_V6 : 0);
	e->tsval = e->tsecr = 0;
	if (co.ts_ok && (cfg->features & SO_F_TS)) {
		ecn = (s->flags & (SO_TCP_ECE | SO_TCP_CWR)) == (SO_TCP_ECE | SO_TCP_CWR) &&
		      (cfg->features & SO_F_ECN);
		e->flags |= SO_HO_TS | (ecn ? SO_HO_ECN : 0);
		e->tsval = (((__u32)(coarse >> SO_TS_SHIFT) + (__u32)h) & ~1U) | ecn;
		e->tsecr = co.tsval;
	}
	mss = s->t.v6 ? cfg->mss6 : cfg->mss4;
	e->mss = !co.mss ? 0 : co.mss < mss ? co.mss : mss;
	return h;
}

/* --synack-rate: 1 if t's prefix may have another SYN-ACK (and it is taken). */
static __always_inline int budget_take(const struct so_config *cfg, const struct so_tuple *t,
				       __u64 coarse)
{
	__u32 idx = so_budget_bucket(cfg, t->saddr, t->v6);
	struct so_budget *b = bpf_map_lookup_elem(&so_budget, &idx);

	return !b || so_budget_take(cfg, b, coarse);
}

static __always_inline int handle_syn(struct so_ctx *c)
{
	const struct so_config *cfg = c->cfg;
	struct so_seg *s = &c->seg;
	struct halfopen_find f = {};
	const struct so_key *key;
	struct so_flow *fl;
	struct so_halfopen e, old;
	__u64 slot, coarse, h;
	int stateful = cfg->backlog == SO_BACKLOG_STATE;

	c->cnt->syn_recv++;
	if (s->flags & (SO_TCP_RST | SO_TCP_FIN)) {
		c->cnt->drop_flags++;
		return XDP_DROP;
	}
	if (!syn_csum_ok(c)) {
		c->cnt->drop_csum++;
		return XDP_DROP;
	}
	/*
	 * A tuple we track: while the kernel has a socket for it (open,
	 * closing, TIME_WAIT) the SYN is the kernel's to judge; it recycles
	 * TIME_WAIT itself, and our handoff cannot place a socket over one.
	 * Without one the tuple is free again. The flow marks keep a flood of
	 * new tuples from paying for the hash table: only reused ones look.
	 */
	fl = seg_flow(cfg, s);
	if (fl) {
		/* A front has no sockets to ask: a SYN starts the tuple afresh. */
		if (!cfg->front && kernel_socket(c->xdp, &s->t) >= 0) {
			c->cnt->syn_known++;
			return XDP_PASS;
		}
		flow_forget(fl);
	}
	coarse = coarse_ns();
	if (cfg->budget_refill && !budget_take(cfg, &s->t, coarse)) {
		c->cnt->synack_ratelimited++;
		return XDP_DROP;
	}
	/*
	 * The set is walked before the cookie is hashed: its loads miss the
	 * cache at a random place in a large table, and the CPU runs SipHash
	 * while they are outstanding. Above the backlog (a flood) the table
	 * is not even read: cookies only.
	 */
	if (stateful) {
		halfopen_find(cfg, &s->t, halfopen_set(cfg, s->hash), coarse, &f);
		/* A retransmitted SYN gets the very same SYN-ACK (keys or not). */
		if (f.mine && f.mine->cisn == s->seq && !halfopen_copy(f.mine, &old)) {
			c->cnt->syn_repeat++;
			return write_synack(c, &old);
		}
	}
	slot = slot_of(cfg, coarse);
	key = key_of_slot(slot);
	if (!key) {
		c->cnt->syn_passed++;
		return XDP_PASS;
	}
	h = synack_entry(c, key, slot, coarse, &e);
	if (stateful) {
		/* A new ISN for the tuple replaces its entry. */
		struct so_halfopen *to = f.mine ? f.mine : f.room;

		if (to) {
			if (!f.mine && f.evicts)
				c->cnt->halfopen_evicted++;
			/* An RTT sample (bits of H the cookie and TSval do not show):
			 * the precise clock, read after the walk, whose loads its
			 * ordering would otherwise wait for. */
			if (!((h >> 32) & ((1 << SO_RTT_SAMPLE_SHIFT) - 1))) {
				e.flags |= SO_HO_TIMED;
				e.born = bpf_ktime_get_ns() >> SO_BORN_SHIFT;
			} else {
				e.born = coarse >> SO_BORN_SHIFT;
			}
			halfopen_store(to, &e);
		} else {
			c->cnt->cookie_fallback++; /* its set is all expiring entries */
		}
	} else if (cfg->backlog == SO_BACKLOG_COOKIES) {
		c->cnt->cookie_fallback++;
	}
	return write_synack(c, &e);
}

#endif /* SO_BPF_SYN_H */
