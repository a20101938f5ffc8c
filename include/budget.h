/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --synack-rate: a SYN-ACK budget per source prefix (/24 and /64 unless
 * told), so a flood spoofed from one network cannot turn shakeoff into a
 * stream of SYN-ACKs at it. A token bucket per prefix, refilled at the rate
 * and holding one second's worth; the data plane takes from it for every
 * SYN-ACK it sends, the daemon for every one it retransmits.
 *
 * Buckets are an array indexed by a keyed hash of the prefix, not a hash
 * map: a SYN from a new prefix (every SYN of a random-source flood) costs
 * one load, never an insertion. A prefix shares its bucket with about one
 * in SO_BUDGET_BUCKETS others, picked by the run's secret seed, so a
 * sender cannot aim at another's bucket. Updates are not atomic: two CPUs
 * taking from one bucket at once may both succeed, so under contention a
 * prefix gets slightly more than its budget, never less.
 * Shared: BPF and the daemon run this same code.
 */
#ifndef SHAKEOFF_BUDGET_H
#define SHAKEOFF_BUDGET_H

#include "shakeoff.h"
#include "tuplehash.h"

#define SO_BUDGET_BUCKETS    65536    /* 1 MiB of struct so_budget */
#define SO_BUDGET_TICK_SHIFT 20	      /* buckets refill every 2^20 ns (about 1 ms) */
#define SO_BUDGET_ONE	     65536ULL /* one SYN-ACK, in tokens: rates below 1 per tick */
#define SO_BUDGET_FULL_TICKS 1024     /* more than a second: any bucket is full again */

struct so_budget {
	__u64 tokens; /* SO_BUDGET_ONE per SYN-ACK */
	__u64 tick;   /* coarse clock >> SO_BUDGET_TICK_SHIFT when last taken from */
};

/* The bucket of the prefix of saddr (4 words; v4 in the first). */
static __always_inline __u32 so_budget_bucket(const struct so_config *cfg, const __u32 *saddr,
					      int v6)
{
	__u64 h;
	int i;

	if (!v6)
		return (__u32)(so_mix(cfg->hash_seed, saddr[0] & cfg->budget_mask4) >> 32) &
		       (SO_BUDGET_BUCKETS - 1);
	h = cfg->hash_seed ^ 6;
	SO_UNROLL
	for (i = 0; i < 4; i++)
		h = so_mix(h, saddr[i] & cfg->budget_mask6[i]);
	return (__u32)(h >> 32) & (SO_BUDGET_BUCKETS - 1);
}

/* Take one SYN-ACK from bucket b at coarse time now: 1 if there was one. */
static __always_inline int so_budget_take(const struct so_config *cfg, struct so_budget *b,
					  __u64 now_ns)
{
	__u64 now = now_ns >> SO_BUDGET_TICK_SHIFT, dt = now - b->tick, tokens;

	tokens =
	    dt >= SO_BUDGET_FULL_TICKS ? cfg->budget_burst : b->tokens + dt * cfg->budget_refill;
	if (tokens > cfg->budget_burst)
		tokens = cfg->budget_burst;
	b->tick = now;
	if (tokens < SO_BUDGET_ONE) {
		b->tokens = tokens;
		return 0;
	}
	b->tokens = tokens - SO_BUDGET_ONE;
	return 1;
}

/* The config's refill and burst for a rate of n SYN-ACKs per second per prefix. */
static inline void so_budget_config(struct so_config *cfg, __u64 n)
{
	cfg->budget_refill = n * SO_BUDGET_ONE * (1ULL << SO_BUDGET_TICK_SHIFT) / 1000000000ULL;
	if (n && !cfg->budget_refill)
		cfg->budget_refill = 1;
	cfg->budget_burst = n * SO_BUDGET_ONE;
}

#endif /* SHAKEOFF_BUDGET_H */
