/* SPDX-License-Identifier: GPL-2.0 */
/* What every part of the BPF side shares: includes, maps, counters. */
#ifndef SO_BPF_COMMON_H
#define SO_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "shakeoff.h"
#include "cookie.h"
#include "pkt.h"

/* Helpers return an action (XDP_* / TC_ACT_*, all >= 0) or carry on. */
#define SO_CONTINUE (-1)
#define TC_ACT_OK 0

#define ETH_ALEN 6
#define SO_ETH_P_IP 0x0800
#define SO_ETH_P_IPV6 0x86dd
#define SO_ETH_P_8021Q 0x8100
#define SO_ETH_P_8021AD 0x88a8

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct so_config);
} so_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SO_NKEYS);
	__type(key, __u32);
	__type(value, struct so_key);
} so_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SO_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} so_stats SEC(".maps");

/* Sized by the daemon at load (--max-half-open); it reads it through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct so_halfopen);
} so_halfopen SEC(".maps");

/* Sized by the daemon at load (--max-flows). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 131072);
	__type(key, struct so_tuple);
	__type(value, struct so_flow);
} so_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} so_events SEC(".maps");

/* Not used by the programs: written by the daemon, pinned beside the maps. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct so_rtt);
} so_rtt SEC(".maps");

/* Not used by the programs: the daemon's record, pinned beside the maps. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct so_status);
} so_status SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&so_stats, &idx);

	if (v)
		*v += 1;
}

/* The key of cookie slot `slot`, or NULL when the daemon has not installed it. */
static __always_inline const struct so_key *key_of_slot(__u64 slot)
{
	__u32 idx = slot % SO_NKEYS;
	const struct so_key *k = bpf_map_lookup_elem(&so_keys, &idx);

	return k && k->slot == slot ? k : NULL;
}

static __always_inline __u64 slot_now(void)
{
	return bpf_ktime_get_tai_ns() >> SO_SLOT_SHIFT;
}

#endif /* SO_BPF_COMMON_H */
