/* SPDX-License-Identifier: GPL-2.0 */
/* What every part of the BPF side shares: includes, constants, a packet's context. */
#ifndef SO_BPF_COMMON_H
#define SO_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "shakeoff.h"
#include "cookie.h"
#include "synack.h"
#include "maps.h"

/* Helpers return an action (XDP_* / TC_ACT_*, all >= 0) or carry on. */
#define SO_CONTINUE (-1)
#define TC_ACT_OK   0
#define TC_ACT_SHOT 2

#define ETH_ALEN	6
#define SO_ETH_P_IP	0x0800
#define SO_ETH_P_IPV6	0x86dd
#define SO_ETH_P_8021Q	0x8100
#define SO_ETH_P_8021AD 0x88a8
#define SO_AF_INET	2
#define SO_AF_INET6	10

/* A TCP segment to a protected port, as parsed. */
struct so_seg {
	struct so_tuple t; /* client -> server */
	__u32 seq;	   /* host order */
	__u32 ack_seq;
	__u16 l3_off;  /* 14, 18 or 22 */
	__u16 l4_off;  /* the TCP header */
	__u16 tcp_len; /* TCP header + payload, per the IP header */
	__u16 doff;    /* TCP header length in bytes */
	__u8 flags;    /* TCP flags byte */
	__u8 pad[3];
	__u64 hash; /* so_tuple_hash(t): its sets and flow mark (shakeoff_xdp only) */
};

/* One frame's way through shakeoff_xdp. */
struct so_ctx {
	struct xdp_md *xdp;
	const struct so_config *cfg;
	struct so_counters *cnt; /* this CPU's */
	__u32 frame_len;	 /* the whole frame, linear or not */
	struct so_seg seg;
};

/* Start c for a frame (xdp: NULL in TC): the config and this CPU's counters,
 * -1 when the maps are not there (nothing to do but pass it). */
static __always_inline int ctx_init(struct so_ctx *c, struct xdp_md *xdp)
{
	__u32 zero = 0;

	c->xdp = xdp;
	c->cfg = bpf_map_lookup_elem(&so_config, &zero);
	c->cnt = bpf_map_lookup_elem(&so_stats, &zero);
	return c->cfg && c->cnt ? 0 : -1;
}

/*
 * Time. The precise clock costs a paravirtual clock read (about 20 ns live
 * on a KVM guest); the coarse one (a jiffy, 4 ms here) is a load. Cookie
 * slots and TSvals need only the coarse one; RTTs take the precise one.
 */
static __always_inline __u64 coarse_ns(void)
{
	return bpf_ktime_get_coarse_ns();
}

/* The cookie slot of a CLOCK_MONOTONIC time: slots are CLOCK_TAI. */
static __always_inline __u64 slot_of(const struct so_config *cfg, __u64 mono_ns)
{
	return (mono_ns + cfg->tai_off_ns) >> cfg->slot_shift;
}

/* The key of cookie slot `slot`, or NULL when the daemon has not installed it. */
static __always_inline const struct so_key *key_of_slot(__u64 slot)
{
	__u32 idx = slot % SO_NKEYS;
	const struct so_key *k = bpf_map_lookup_elem(&so_keys, &idx);

	return k && k->slot == slot ? k : NULL;
}

#endif /* SO_BPF_COMMON_H */
