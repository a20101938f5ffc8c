/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The set-associative tables' shared logic, header-only: a tuple's set, a
 * tuple's match (so_halfopen and so_flows), and writing a flow into a way of
 * so_flows, which the data plane does for handshakes and the daemon for the
 * connections the kernel had before it started. Each walks a set its own
 * way (BPF map lookups, the daemon's mmap).
 */
#ifndef SHAKEOFF_FLOWTABLE_H
#define SHAKEOFF_FLOWTABLE_H

#include "shakeoff.h"
#include "tuplehash.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define so_barrier() asm volatile("" ::: "memory")

/*
 * The SO_TUPLE_ADDRS at addrs, of a v6 or v4 tuple, are t's. Another tuple
 * nearly always differs in the first word or the source port: those first.
 */
static __always_inline int so_addrs_match(const void *addrs, int v6, const struct so_tuple *t)
{
	const __u32 *x = addrs, *y = t->saddr;
	__u32 diff;
	int i;

	if (x[0] != y[0] || ((const __u16 *)(x + 8))[0] != t->sport)
		return 0;
	diff = !v6 != !t->v6;
	SO_UNROLL
	for (i = 1; i < SO_TUPLE_ADDR_WORDS; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

/*
 * The index of the first way of a tuple's set in a table of `sets` sets of
 * `ways`, from its so_tuple_hash h.
 */
static __always_inline __u32 so_set_of(__u64 h, __u32 sets, __u32 ways)
{
	/* A multiply, not a modulo: no division. */
	return (__u32)((h >> 32) * sets >> 32) * ways;
}

/* The so_flowroom word of the set whose first way is idx, and its 4 bits' shift. */
static __always_inline __u32 so_flowroom_word(__u32 idx)
{
	return idx / SO_FLOW_WAYS / SO_FLOWROOM_SETS;
}

static __always_inline __u32 so_flowroom_shift(__u32 idx)
{
	return idx / SO_FLOW_WAYS % SO_FLOWROOM_SETS * SO_FLOW_WAYS;
}

/* Way idx's bit in its so_flowroom word. */
static __always_inline __u64 so_flowroom_bit(__u32 idx)
{
	return 1ULL << (so_flowroom_shift(idx) + idx % SO_FLOW_WAYS);
}

/* so_flowroom's words for a flow table of `sets` sets. */
static __always_inline __u32 so_flowroom_words(__u32 sets)
{
	return (sets + SO_FLOWROOM_SETS - 1) / SO_FLOWROOM_SETS;
}

/*
 * Write t, in state, into way f at time now (SO_FLOW_TICK_SHIFT ticks), with
 * seq (even) as its new sequence count: one that differs from the way's last,
 * so the daemon's compare-and-swap on the first word fails against the new
 * flow (the daemon takes the next even count after the last; the data
 * plane, which does not read the way, makes one from the tuple and the
 * time). Free while it is
 * written, so a reader never matches half a tuple.
 */
static __always_inline void so_flow_place(struct so_flow *f, const struct so_tuple *t, __u8 state,
					  __u32 now, __u32 seq)
{
	int i;

	f->seq = seq - 1;
	so_barrier();
	f->state = 0;
	so_barrier();
	SO_UNROLL
	for (i = 0; i < 4; i++) {
		f->saddr[i] = t->saddr[i];
		f->daddr[i] = t->daddr[i];
	}
	f->sport = t->sport;
	f->dport = t->dport;
	f->v6 = t->v6;
	f->fin = 0;
	f->touched = 0;
	f->since = now;
	f->seen = now;
	so_barrier();
	f->state = state;
	so_barrier();
	f->seq = seq;
}

#endif /* SHAKEOFF_FLOWTABLE_H */
