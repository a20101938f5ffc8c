/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection state: the half-open table (SYN_RECV, struct so_halfopen) and
 * the flow table (ESTABLISHED, CLOSING, TIME_WAIT, struct so_flow).
 */
#ifndef SO_BPF_STATE_H
#define SO_BPF_STATE_H

#include "common.h"
#include "parse.h"

/*
 * Which set of so_halfopen a tuple uses. Keyed by a random seed so a remote
 * sender cannot aim at one set; not cryptographic, and need not be: a
 * crowded set only costs SYN-ACK retransmissions, never a handshake.
 */
static __always_inline __u64 mix(__u64 h, __u32 w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static __always_inline __u32 halfopen_set(const struct so_config *cfg, const struct so_tuple *t)
{
	__u64 h = mix(cfg->hash_seed, (__u32)t->sport << 16 | t->dport);
	int i;

	h = mix(h, t->saddr[0]);
	h = mix(h, t->daddr[0]);
	if (t->v6) {
#pragma unroll
		for (i = 1; i < 4; i++)
			h = mix(mix(h, t->saddr[i]), t->daddr[i]);
	}
	return cfg->halfopen_buckets ? (__u32)(h >> 32) % cfg->halfopen_buckets * SO_HALFOPEN_WAYS : 0;
}

static __always_inline int tuple_eq(const struct so_tuple *a, const struct so_tuple *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	__u32 diff = 0;
	int i;

#pragma unroll
	for (i = 0; i < sizeof(*a) / 4; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

static __always_inline int halfopen_live(const struct so_config *cfg,
					 const struct so_halfopen *e, __u64 now)
{
	return e->state == SO_SYN_RECV && now - e->first_ns < cfg->halfopen_life_ns;
}

/*
 * The entry for a SYN of tuple t, client ISN cisn: the tuple's own live
 * entry (*repeat set when it is for this very SYN, a retransmission), else a
 * free or expired one, else the set's oldest. NULL without a table.
 */
static __always_inline struct so_halfopen *halfopen_pick(const struct so_config *cfg,
							 const struct so_tuple *t, __u32 cisn,
							 __u64 now, int *repeat)
{
	struct so_halfopen *e, *pick = NULL;
	__u32 idx = halfopen_set(cfg, t);
	__u64 oldest = ~0ULL;
	int i;

	*repeat = 0;
#pragma unroll
	for (i = 0; i < SO_HALFOPEN_WAYS; i++, idx++) {
		e = bpf_map_lookup_elem(&so_halfopen, &idx);
		if (!e)
			return NULL;
		if (!halfopen_live(cfg, e, now)) {
			if (oldest) {
				pick = e;
				oldest = 0; /* free beats old */
			}
			continue;
		}
		if (tuple_eq(&e->t, t)) {
			*repeat = e->sa.ack == cisn + 1;
			return e; /* a new ISN for the tuple replaces its entry */
		}
		if (e->first_ns < oldest) {
			pick = e;
			oldest = e->first_ns;
		}
	}
	return pick;
}

/* The live entry a handshake ACK (our ISN isn, the client's cisn) completes. */
static __always_inline struct so_halfopen *halfopen_match(const struct so_config *cfg,
							  const struct so_tuple *t, __u32 isn,
							  __u32 cisn, __u64 now, __u32 *slot)
{
	struct so_halfopen *e;
	__u32 idx = halfopen_set(cfg, t);
	int i;

#pragma unroll
	for (i = 0; i < SO_HALFOPEN_WAYS; i++, idx++) {
		e = bpf_map_lookup_elem(&so_halfopen, &idx);
		if (!e)
			return NULL;
		if (halfopen_live(cfg, e, now) && e->sa.seq == isn && e->sa.ack == cisn + 1 &&
		    tuple_eq(&e->t, t)) {
			*slot = idx;
			return e;
		}
	}
	return NULL;
}

/* The seqlock: odd while writing, so the daemon never acts on a torn entry. */
#define so_barrier() asm volatile("" ::: "memory")

static __always_inline void halfopen_free(struct so_halfopen *e)
{
	e->seq++;
	so_barrier();
	e->state = SO_FREE;
	so_barrier();
	e->seq++;
}

/* Record the SYN in p (its frame still unchanged) answered with sa. */
static __always_inline void halfopen_write(struct so_halfopen *e, struct xdp_md *ctx,
					   const struct so_pkt *p, const struct so_synack *sa,
					   __u32 data, __u8 ttl, __u64 now)
{
	void *pkt = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = pkt;
	__u32 *tags = pkt + 2 * ETH_ALEN;
	__u32 nvlan = (p->l3_off - sizeof(*eth)) / 4;

	if ((void *)(eth + 1) > end)
		return;
	e->seq++;
	so_barrier();
	e->state = SO_SYN_RECV;
	e->data = data;
	e->ttl = ttl;
	e->first_ns = now;
	e->t = p->t;
	e->sa = *sa;
	__builtin_memcpy(e->mac_client, eth->h_source, ETH_ALEN);
	__builtin_memcpy(e->mac_server, eth->h_dest, ETH_ALEN);
	e->nvlan = 0;
	if (nvlan >= 1 && (void *)(tags + 1) <= end) {
		e->vlan[0] = tags[0];
		e->nvlan = 1;
	}
	if (nvlan >= 2 && (void *)(tags + 2) <= end) {
		e->vlan[1] = tags[1];
		e->nvlan = 2;
	}
	so_barrier();
	e->seq++;
}

static __always_inline void flow_add(const struct so_tuple *t, __u8 state)
{
	struct so_flow f = {
		.state = state,
		.since_ns = bpf_ktime_get_ns(),
		.seen_ns = bpf_ktime_get_coarse_ns(),
	};

	bpf_map_update_elem(&so_flows, t, &f, BPF_ANY);
}

/* A segment of a known flow, with TCP flags, from side (SO_FIN_CLIENT/SERVER). */
static __always_inline void flow_note(struct so_flow *f, __u8 flags, __u8 side)
{
	__u8 state = f->state;
	__u64 now;

	if (flags & SO_TCP_RST) {
		state = SO_TIME_WAIT;
	} else if ((flags & SO_TCP_FIN) && !(f->fin & side)) {
		f->fin |= side;
		state = f->fin == (SO_FIN_CLIENT | SO_FIN_SERVER) ? SO_TIME_WAIT : SO_CLOSING;
	}
	if (state != f->state) {
		f->state = state;
		f->since_ns = bpf_ktime_get_ns();
	}
	/* Idle tracking to the second: no cache-line write per segment. */
	now = bpf_ktime_get_coarse_ns();
	if (now - f->seen_ns > 1000000000ULL)
		f->seen_ns = now;
}

/*
 * The state of the kernel's socket for this segment's 4-tuple (a
 * BPF_TCP_* value), or -1 when there is none but maybe a listener.
 */
static __always_inline int kernel_socket(struct xdp_md *ctx, const struct so_pkt *p)
{
	struct bpf_sock_tuple bt = {};
	struct bpf_sock *sk;
	__u32 size;
	int state;

	if (p->t.v6) {
		__builtin_memcpy(bt.ipv6.saddr, p->t.saddr, 16);
		__builtin_memcpy(bt.ipv6.daddr, p->t.daddr, 16);
		bt.ipv6.sport = p->t.sport;
		bt.ipv6.dport = p->t.dport;
		size = sizeof(bt.ipv6);
	} else {
		bt.ipv4.saddr = p->t.saddr[0];
		bt.ipv4.daddr = p->t.daddr[0];
		bt.ipv4.sport = p->t.sport;
		bt.ipv4.dport = p->t.dport;
		size = sizeof(bt.ipv4);
	}
	sk = bpf_skc_lookup_tcp(ctx, &bt, size, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return -1;
	state = sk->state;
	bpf_sk_release(sk);
	return state == BPF_TCP_LISTEN ? -1 : state;
}

#endif /* SO_BPF_STATE_H */
