/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A keyed, fast, non-cryptographic hash of a connection's tuple: it picks a
 * tuple's half-open set and its bit in the flow-mark filter. The seed is
 * random per run, so a remote sender cannot aim at one set or one bit; and
 * need not be more: a crowded set or a shared bit costs a retransmission
 * or a lookup, never a verdict. Shared: the daemon rebuilds the flow marks.
 */
#ifndef SHAKEOFF_TUPLEHASH_H
#define SHAKEOFF_TUPLEHASH_H

#include "shakeoff.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

static __always_inline __u64 so_mix(__u64 h, __u32 w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static __always_inline __u64 so_tuple_hash(__u64 seed, const struct so_tuple *t)
{
	__u64 h = so_mix(seed, (__u32)t->sport << 16 | t->dport);
	int i;

	h = so_mix(h, t->saddr[0]);
	h = so_mix(h, t->daddr[0]);
	if (t->v6) {
		for (i = 1; i < 4; i++)
			h = so_mix(so_mix(h, t->saddr[i]), t->daddr[i]);
	}
	return h;
}

/*
 * A tuple's place in so_flowmark, from its so_tuple_hash h: word slot / 32,
 * bit slot % 32 of the word's low half (generation 0) and the same bit of its
 * high half (generation 1). The set (so_set_of) takes h's high half.
 */
static __always_inline __u32 so_flowmark_slot(__u64 h, __u32 words)
{
	return (__u32)h & (words * 32 - 1);
}

/* Generation gen's half of a so_flowmark word, bit 0; and both halves. */
#define SO_FLOWMARK_GEN(gen) (1ULL << (32 * (gen)))
#define SO_FLOWMARK_BOTH     (SO_FLOWMARK_GEN(0) | SO_FLOWMARK_GEN(1))

/* Slot's bits, in the generations gens, of its word (slot / 32). */
static __always_inline __u64 so_flowmark_bits(__u32 slot, __u64 gens)
{
	return gens << (slot % 32);
}

#endif /* SHAKEOFF_TUPLEHASH_H */
