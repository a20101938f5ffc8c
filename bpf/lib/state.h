/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection state: the half-open table (SYN_RECV, struct so_halfopen), the
 * flow table (ESTABLISHED, CLOSING, TIME_WAIT, struct so_flow) with its
 * flow marks, and the kernel's own sockets.
 */
#ifndef SO_BPF_STATE_H
#define SO_BPF_STATE_H

#include "common.h"
#include "flowtable.h"

/* ---- the half-open table ------------------------------------------------ */

/* The first way of the set of a tuple whose so_tuple_hash is hash. */
static __always_inline __u32 halfopen_set(const struct so_config *cfg, __u64 hash)
{
	return so_set_of(hash, cfg->halfopen_sets, SO_HALFOPEN_WAYS);
}

/*
 * Entry e's age at now_ns (CLOCK_MONOTONIC), in `born` ticks. The coarse
 * clock may lag the precise one `born` came from by a jiffy: never negative.
 */
static __always_inline __u64 halfopen_age_ns(const struct so_halfopen *e, __u64 now_ns)
{
	__s32 age = (__u32)(now_ns >> SO_BORN_SHIFT) - e->born;

	return age > 0 ? (__u64)age << SO_BORN_SHIFT : 0;
}

/* Which of two entries is older: born compared modulo 2^32. */
static __always_inline int born_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

/* What a walk of a tuple's set found. */
struct halfopen_find {
	struct so_halfopen *mine; /* the tuple's live entry */
	struct so_halfopen *room; /* where a new entry for it goes (none: all busy) */
	__u8 evicts;		  /* room is another tuple's live entry */
};

/* ns as a count of `born` ticks, rounded up: age_ns >= ns exactly when
 * age_ticks >= born_ticks(ns). */
static __always_inline __s32 born_ticks(__u64 ns)
{
	return (ns + (1 << SO_BORN_SHIFT) - 1) >> SO_BORN_SHIFT;
}

/*
 * The one walk of a set (t's, at idx): the tuple's live entry, and the way a
 * new entry would take. A free way first (never used, freed, or past its life by
 * SO_HALFOPEN_GRACE_NS, so the daemon has counted its expiry); else the
 * oldest live entry, to a jiffy (an entry sampled for RTT is born on the
 * precise clock, the others on the coarse one); an entry that expired
 * within the grace is left alone. Ages in `born` ticks, as signed 32 bits:
 * the longest life (--synack-retries 10) and its grace are under 2^31, and
 * an entry born on the precise clock a jiffy ahead of the coarse one reads
 * a negative age, which is live.
 */
static __always_inline void halfopen_find(const struct so_config *cfg, const struct so_tuple *t,
					  __u32 idx, __u64 now_ns, struct halfopen_find *f)
{
	__s32 life = born_ticks(cfg->halfopen_life_ns);
	__s32 gone = born_ticks(cfg->halfopen_life_ns + SO_HALFOPEN_GRACE_NS), age;
	__u32 now = now_ns >> SO_BORN_SHIFT, room_born = 0;
	struct so_halfopen *e;
	int i, free = 0;

	f->mine = f->room = NULL;
	f->evicts = 0;
#pragma unroll
	for (i = 0; i < SO_HALFOPEN_WAYS; i++, idx++) {
		e = bpf_map_lookup_elem(&so_halfopen, &idx);
		if (!e)
			return;
		age = now - e->born;
		if (!(e->flags & SO_HO_LIVE) || age >= gone) {
			if (!free) {
				f->room = e;
				f->evicts = 0;
				free = 1;
			}
			continue;
		}
		if (age >= life)
			continue; /* expired, not yet counted */
		if (so_addrs_match(e->saddr, e->flags & SO_HO_V6, t)) {
			f->mine = e;
			return;
		}
		if (!free && (!f->room || born_before(e->born, room_born))) {
			f->room = e;
			room_born = e->born;
			f->evicts = 1;
		}
	}
}

/* The seqlock: odd while writing, so the daemon never acts on a torn entry. */
static __always_inline void halfopen_free(struct so_halfopen *e)
{
	e->seq++;
	so_barrier();
	e->flags = 0;
	so_barrier();
	e->seq++;
}

/*
 * Write entry src (just made on the stack) into the table at dst. Field by
 * field, each as wide as it was written: a wider copy would read across
 * several fresh narrow stores, which the CPU cannot forward, and wait.
 */
static __always_inline void halfopen_store(struct so_halfopen *dst, const struct so_halfopen *src)
{
	int i;

	dst->seq++;
	so_barrier();
	dst->born = src->born;
#pragma unroll
	for (i = 0; i < 4; i++) {
		dst->saddr[i] = src->saddr[i];
		dst->daddr[i] = src->daddr[i];
	}
	dst->sport = src->sport;
	dst->dport = src->dport;
	dst->isn = src->isn;
	dst->cisn = src->cisn;
	dst->tsval = src->tsval;
	dst->tsecr = src->tsecr;
	dst->mss = src->mss;
	dst->copts = src->copts;
	dst->flags = src->flags;
	so_barrier();
	dst->seq++;
}

/* A consistent copy of e into out; -1 if a writer was in it. */
static __always_inline int halfopen_copy(const struct so_halfopen *e, struct so_halfopen *out)
{
	__u32 seq = e->seq;

	so_barrier();
	__builtin_memcpy(out, e, sizeof(*out));
	so_barrier();
	return (seq & 1) || e->seq != seq ? -1 : 0;
}

/* ---- the flow table and its marks ---------------------------------------- */

/* The so_flowmark word of the tuple whose so_tuple_hash is hash, and its
 * *slot; NULL without marks (none configured). */
static __always_inline __u64 *flowmark_word(const struct so_config *cfg, __u64 hash, __u32 *slot)
{
	__u32 idx;

	if (!cfg->flowmark_words)
		return NULL;
	*slot = so_flowmark_slot(hash, cfg->flowmark_words);
	idx = *slot / 32;
	return bpf_map_lookup_elem(&so_flowmark, &idx);
}

/*
 * Whether the tuple whose so_tuple_hash is hash may be in so_flows (no marks:
 * assume it may). Never a false no: a flow's bits are set whenever it is
 * placed, and the daemon's rebuild keeps them.
 */
static __always_inline int flowmark_test(const struct so_config *cfg, __u64 hash)
{
	__u32 slot = 0;
	__u64 *w = flowmark_word(cfg, hash, &slot);

	return !w || (*w & so_flowmark_bits(slot, SO_FLOWMARK_GEN(cfg->flowmark_gen & 1)));
}

/* Both generations: the one in use, and the one the daemon is rebuilding. */
static __always_inline void flowmark_set(const struct so_config *cfg, __u64 hash)
{
	__u32 slot = 0;
	__u64 *w = flowmark_word(cfg, hash, &slot);

	if (w)
		__sync_fetch_and_or(w, so_flowmark_bits(slot, SO_FLOWMARK_BOTH));
}

/*
 * The so_flows index of t's flow (hash: its so_tuple_hash), or -1. A global
 * function: the verifier checks it once, on its own, instead of following
 * each of its four exits through every caller (which made the program too
 * large to verify).
 */
__noinline int flow_index(const struct so_config *cfg, const struct so_tuple *t, __u64 hash)
{
	__u32 idx;
	struct so_flow *f;
	int i;

	if (!cfg || !t)
		return -1;
	idx = so_set_of(hash, cfg->flow_sets, SO_FLOW_WAYS);
	for (i = 0; i < SO_FLOW_WAYS; i++, idx++) {
		f = bpf_map_lookup_elem(&so_flows, &idx);
		if (!f)
			return -1;
		if (f->state && so_addrs_match(f->saddr, f->v6, t))
			return idx;
	}
	return -1;
}

/* t's flow, or NULL. */
static __always_inline struct so_flow *flow_find(const struct so_config *cfg,
						 const struct so_tuple *t, __u64 hash)
{
	int i = flow_index(cfg, t, hash);
	__u32 idx = i;

	return i < 0 ? NULL : bpf_map_lookup_elem(&so_flows, &idx);
}

/* Segment s's flow, or NULL: the flow mark first, which a new tuple nearly
 * always finds clear, so it never reads a random set of the large table. */
static __always_inline struct so_flow *seg_flow(const struct so_config *cfg, const struct so_seg *s)
{
	return flowmark_test(cfg, s->hash) ? flow_find(cfg, &s->t, s->hash) : NULL;
}

static __always_inline __u32 flow_now(__u64 mono_ns)
{
	return mono_ns >> SO_FLOW_TICK_SHIFT;
}

/* The first way whose so_flowroom bit is clear in used (a set's 4 bits, not all set). */
static __always_inline __u32 flowroom_free_way(__u32 used)
{
	return !(used & 1) ? 0 : !(used & 2) ? 1 : !(used & 4) ? 2 : 3;
}

/*
 * Track segment s's flow in state (a handshake completed, or a segment of a
 * connection the kernel has), which its caller's seg_flow() just failed to
 * find. Where so_flowroom shows a free way, the flow goes there unread (a
 * random set of a large table is a cache and TLB miss, which the entry's
 * stores then take without the program waiting on a load); its bit is set
 * first. Else the set is walked: the first free way, else the least
 * recently seen flow, which is counted; and the bits of the other free ways
 * the walk saw are cleared. The flow mark is set before the entry is
 * written: a locked OR after the entry's stores would wait for them, and
 * they miss the cache (the daemon's rebuild of a generation waits for
 * running programs to finish, so it sees each entry whose mark it cleared).
 * The walk keeps an index, not a pointer: the verifier then has one pointer
 * to follow, not one per way. now: flow_now() of the caller's clock.
 */
static __always_inline void flow_add(struct so_ctx *c, __u8 state, __u32 now)
{
	const struct so_seg *s = &c->seg;
	__u32 idx = so_set_of(s->hash, c->cfg->flow_sets, SO_FLOW_WAYS);
	__u32 widx = so_flowroom_word(idx), shift = so_flowroom_shift(idx);
	__u32 pick = ~0U, pick_seen = 0, used, seen_free = 0;
	__u64 *room = bpf_map_lookup_elem(&so_flowroom, &widx);
	struct so_flow *f;
	int i, evicts = 0;

	used = room ? (*room >> shift) & 0xf : 0xf;
	if (room && used != 0xf) {
		pick = idx + flowroom_free_way(used);
		__sync_fetch_and_or(room, so_flowroom_bit(pick));
	} else {
#pragma unroll
		for (i = 0; i < SO_FLOW_WAYS; i++, idx++) {
			f = bpf_map_lookup_elem(&so_flows, &idx);
			if (!f)
				return;
			if (!f->state) {
				if (pick == ~0U || evicts) {
					pick = idx;
					evicts = 0;
				} else {
					seen_free |= 1 << i;
				}
				continue;
			}
			if (pick == ~0U || (evicts && (__s32)(f->seen - pick_seen) < 0)) {
				pick = idx;
				pick_seen = f->seen;
				evicts = 1;
			}
		}
		if (room && seen_free)
			__sync_fetch_and_and(room, ~((__u64)seen_free << shift));
	}
	f = bpf_map_lookup_elem(&so_flows, &pick);
	if (!f)
		return;
	if (evicts)
		c->cnt->flow_evicted++;
	flowmark_set(c->cfg, s->hash);
	/* A new sequence count without reading the old: the tuple's hash and
	 * the time (the same tuple in the same way again: a tick later). */
	so_flow_place(f, &s->t, state, now, ((__u32)s->hash ^ now) << 1);
}

/* Forget flow f: the kernel has no socket for its tuple any more. */
static __always_inline void flow_forget(struct so_flow *f)
{
	f->seq += 2;
	so_barrier();
	f->state = 0;
}

/*
 * A segment of a known flow, with TCP flags, from side (SO_FIN_CLIENT/SERVER).
 * The clock is read only when the flow's state changes, and then the
 * precise one if tracing (tracing programs may not read the coarse one). A
 * segment only marks the flow touched, once a sweep: the daemon keeps its
 * idle time, to the second, so a data segment reads no clock (a helper
 * call, a quarter of the established path's time) and writes no line.
 */
static __always_inline void flow_note(struct so_flow *f, __u8 flags, __u8 side, int tracing)
{
	__u8 state = f->state;

	if (flags & SO_TCP_RST) {
		state = SO_TIME_WAIT;
	} else if ((flags & SO_TCP_FIN) && !(f->fin & side)) {
		f->fin |= side;
		state = f->fin == (SO_FIN_CLIENT | SO_FIN_SERVER) ? SO_TIME_WAIT : SO_CLOSING;
	}
	if (state != f->state) {
		f->state = state;
		f->since = flow_now(tracing ? bpf_ktime_get_ns() : coarse_ns());
	}
	if (!f->touched)
		f->touched = 1;
}

/* ---- the kernel's sockets -------------------------------------------------- */

/* t as the socket lookup helpers want it. Returns the tuple's size. */
static __always_inline __u32 sock_tuple_of(const struct so_tuple *t, struct bpf_sock_tuple *bt)
{
	if (t->v6) {
		__builtin_memcpy(bt->ipv6.saddr, t->saddr, 16);
		__builtin_memcpy(bt->ipv6.daddr, t->daddr, 16);
		bt->ipv6.sport = t->sport;
		bt->ipv6.dport = t->dport;
		return sizeof(bt->ipv6);
	}
	bt->ipv4.saddr = t->saddr[0];
	bt->ipv4.daddr = t->daddr[0];
	bt->ipv4.sport = t->sport;
	bt->ipv4.dport = t->dport;
	return sizeof(bt->ipv4);
}

/*
 * The state of the kernel's socket for tuple t (a BPF_TCP_* value), or -1
 * when there is none but maybe a listener.
 */
static __always_inline int kernel_socket(struct xdp_md *xdp, const struct so_tuple *t)
{
	struct bpf_sock_tuple bt = {};
	struct bpf_sock *sk;
	__u32 size = sock_tuple_of(t, &bt);
	int state;

	sk = bpf_skc_lookup_tcp(xdp, &bt, size, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return -1;
	state = sk->state;
	bpf_sk_release(sk);
	return state == BPF_TCP_LISTEN ? -1 : state;
}

#endif /* SO_BPF_STATE_H */
