/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shakeoff's maps, all in one place. Sizes marked "sized by the daemon" are
 * set from its flags before load; the values are structs of
 * include/shakeoff.h, so `bpftool map dump` shows named fields.
 */
#ifndef SO_BPF_MAPS_H
#define SO_BPF_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "shakeoff.h"
#include "budget.h"

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

/* The data plane's counters: one struct per CPU, one lookup per packet. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct so_counters);
} so_stats SEC(".maps");

/* Handshake RTTs (include/rtt.h), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct so_rtt);
} so_rtt SEC(".maps");

/* Sized by the daemon (--max-half-open), which reads it through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SO_HALFOPEN_DEFAULT);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct so_halfopen);
} so_halfopen SEC(".maps");

/* Sized by the daemon (--max-flows), which reads it through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SO_FLOWS_DEFAULT);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct so_flow);
} so_flows SEC(".maps");

/*
 * Which tuples may be in so_flows: a one-hash Bloom filter in two
 * generations (SO_FLOWMARK_BITS_PER_FLOW bits per flow each), interleaved:
 * the low 32 bits of each word are generation 0, the high 32 generation 1.
 * A SYN reads its bit of the current generation and looks so_flows up only
 * if it is set, so a flood of new tuples never pays for a walk of the big
 * hash table. A new flow sets its bit of both generations in one atomic OR
 * of one word; the daemon rebuilds the other generation from so_flows every
 * second and switches, so forgotten flows fade out. Sized by the daemon.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32768);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} so_flowmark SEC(".maps");

/* Which ways of so_flows may be in use (include/shakeoff.h). Sized by the
 * daemon, which sets a way's bit when it seeds a flow, through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SO_FLOWS_DEFAULT / SO_FLOW_WAYS / SO_FLOWROOM_SETS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} so_flowroom SEC(".maps");

/* --synack-rate's buckets (include/budget.h); the daemon takes from them
 * through mmap for its retransmissions. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SO_BUDGET_BUCKETS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct so_budget);
} so_budget SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SO_PROTECT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct so_protect_key);
	__type(value, struct so_protect);
} so_protect SEC(".maps");

/* --forward-xdp: the interfaces a front may XDP_REDIRECT to, by ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, SO_TX_MAX);
	__type(key, __u32);
	__type(value, __u32);
} so_tx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SO_EVENTS_RING_BYTES);
} so_events SEC(".maps");

/*
 * Not used by the programs: written by the daemon, found by the read-only
 * commands through the XDP program it is bound to (bpf_prog_bind_map) and
 * pinned beside the others for bpftool.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct so_daemon);
} so_daemon SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct so_status);
} so_status SEC(".maps");

#endif /* SO_BPF_MAPS_H */
