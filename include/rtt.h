/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake RTT histogram's buckets, shared by the data plane (which
 * counts) and userspace (which reports percentiles and Prometheus buckets).
 * Values are 1.024 us ticks (SO_BORN_SHIFT). Four buckets per power of two:
 * a value with its highest bit at m >= 2 falls in bucket 4m + (the next two
 * bits); 1 is bucket 0, 2 and 3 bucket 4. So bucket b ends below
 * so_rtt_bucket_top(b), and the buckets run up to 2^20 ticks (1.07 s).
 */
#ifndef SHAKEOFF_RTT_H
#define SHAKEOFF_RTT_H

#include "shakeoff.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* The index of v's highest set bit (0 for 0). BPF has no count-leading-
 * zeros: a five-step binary search. */
static __always_inline __u32 so_msb32(__u32 v)
{
	__u32 m = 0;

	if (v >> 16) {
		v >>= 16;
		m += 16;
	}
	if (v >> 8) {
		v >>= 8;
		m += 8;
	}
	if (v >> 4) {
		v >>= 4;
		m += 4;
	}
	if (v >> 2) {
		v >>= 2;
		m += 2;
	}
	if (v >> 1)
		m += 1;
	return m;
}

/* The bucket of v ticks; the last one takes everything above. */
static __always_inline __u32 so_rtt_bucket(__u32 v)
{
	__u32 m = so_msb32(v), b;

	b = 4 * m + (m >= 2 ? (v >> (m - 2)) & 3 : 0);
	return b < SO_RTT_BUCKETS ? b : SO_RTT_BUCKETS - 1;
}

/* The first value (in ticks) above bucket b (but the last, which is open). */
static __always_inline __u64 so_rtt_bucket_top(__u32 b)
{
	__u32 m = b / 4, s = b % 4;

	if (m < 2)
		return 2ULL << m;
	return (1ULL << m) + ((__u64)(s + 1) << (m - 2));
}

#endif /* SHAKEOFF_RTT_H */
