/* SPDX-License-Identifier: GPL-2.0 */
/* ACKs to a protected port: established traffic, or a handshake to validate. */
#ifndef SO_BPF_ACK_H
#define SO_BPF_ACK_H

#include "common.h"
#include "parse.h"
#include "tcpopt.h"

/* The kernel's socket for this segment's 4-tuple is anything but a listener. */
static __always_inline int kernel_has_socket(struct xdp_md *ctx, const struct so_pkt *p)
{
	struct bpf_sock_tuple bt = {};
	struct bpf_sock *sk;
	__u32 size, state;

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
		return 0;
	state = sk->state;
	bpf_sk_release(sk);
	return state != BPF_TCP_LISTEN;
}

/* Put what the cookie and the ACK say in front of the frame for shakeoff_tc. */
static __always_inline int write_meta(struct xdp_md *ctx, const struct so_config *cfg,
				      const struct so_pkt *p, __u32 data)
{
	struct so_tcpopts o;
	struct so_meta *m;
	__u8 features = 0;

	parse_tcp_opts(ctx, p->l4_off, p->doff, &o);
	if (SO_DATA_WSCALE(data) != SO_WSCALE_NONE)
		features |= SO_F_WSCALE;
	if (SO_DATA_SACK(data))
		features |= SO_F_SACK;
	if (o.ts_ok && (cfg->features & SO_F_TS)) {
		features |= SO_F_TS;
		if ((o.tsecr & 1) && (cfg->features & SO_F_ECN))
			features |= SO_F_ECN;
	}
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return -1;
	barrier_var(ctx);
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return -1;
	m->magic = SO_META_MAGIC;
	m->tsval = o.tsval;
	m->tsecr = o.tsecr;
	m->mss = so_mss_of_idx(SO_DATA_MSS_IDX(data), p->t.v6);
	m->snd_wscale = SO_DATA_WSCALE(data);
	m->rcv_wscale = cfg->wscale;
	m->features = features;
	m->pad = 0;
	m->l4_off = p->l4_off - p->l3_off;
	return 0;
}

static __always_inline int handle_ack(struct xdp_md *ctx, const struct so_config *cfg,
				      struct so_pkt *p)
{
	const struct so_key *key;
	__u32 cookie = p->ack_seq - 1;
	__u64 slot;
	int data;

	if (kernel_has_socket(ctx, p)) {
		stat_inc(SO_STAT_ESTABLISHED);
		return XDP_PASS;
	}
	slot = so_cookie_slot(cookie, slot_now());
	key = key_of_slot(slot);
	if (!key)
		return XDP_PASS; /* no keys (daemon gone): the kernel answers SYNs itself */
	data = so_cookie_check(cookie, so_cookie_hash(key->k, &p->t, p->seq - 1, slot));
	if (data < 0) {
		stat_inc(SO_STAT_ACK_INVALID);
		return XDP_DROP;
	}
	stat_inc(SO_STAT_ACK_VALID);
	if (write_meta(ctx, cfg, p, data) < 0)
		stat_inc(SO_STAT_HANDOFF_FAIL); /* the driver cannot carry metadata */
	return XDP_PASS;
}

#endif /* SO_BPF_ACK_H */
