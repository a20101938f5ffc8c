// SPDX-License-Identifier: GPL-2.0
/*
 * Programs for `make bench` part 1 (ns/packet with BPF_PROG_TEST_RUN).
 *
 * Test-run with repeat runs one frame over and over without restoring it,
 * so shakeoff would time its own output (a SYN-ACK) after the first pass.
 * `wrapper` rebuilds the input every time and tail-calls either shakeoff_xdp
 * or xdp_drop: the difference of the two runs is the path's own cost.
 * The baselines and the two cookie functions are idempotent and run bare.
 * The same wrapper, run once per call with a fresh frame each time, gives
 * the cold figures (bench/cost.c).
 */
#include "../bpf/lib/common.h"
#include "../bpf/lib/parse.h"
#include "../bpf/lib/state.h"
#include "../bpf/lib/csum.h"

char LICENSE[] SEC("license") = "GPL";

enum vary {
	VARY_NONE,   /* the same frame every time */
	VARY_SPORT,  /* a new client address and port: a new connection every time */
	VARY_ACK,    /* a new client and a random ack number: a forged ACK */
	VARY_COOKIE, /* a new client and its valid cookie */
};

/* Set by bench/cost.c between runs (globals, not rodata: one load serves all). */
#define TMPL_WORDS 32
__u32 tmpl[TMPL_WORDS];
__u32 tmpl_len;
__u32 l4_off;
__u32 vary;
__u32 target;		/* 0: shakeoff_xdp, 1: xdp_drop, 2: the reference responder */
__u32 rearm_slot = ~0U; /* a half-open entry to make live again */

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u32);
} targets SEC(".maps");

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* The frame parsed as shakeoff_xdp parses it: SO_CONTINUE when it is ours. */
static __always_inline int parse(struct xdp_md *ctx, struct so_ctx *c)
{
	if (ctx_init(c, ctx))
		return XDP_ABORTED;
	return parse_frame(c, (void *)(long)ctx->data, (void *)(long)ctx->data_end,
			   ctx->data_end - ctx->data);
}

/* Ethernet, IP and TCP headers read and the port looked up: the floor. */
SEC("xdp")
int parse_only(struct xdp_md *ctx)
{
	struct so_ctx c;

	parse(ctx, &c);
	return XDP_DROP;
}

/* Parsing and a SYN's two checksums checked: less parse_only, their cost. */
SEC("xdp")
int syn_csum(struct xdp_md *ctx)
{
	struct so_ctx c;

	if (parse(ctx, &c) != SO_CONTINUE)
		return XDP_ABORTED;
	return syn_csum_ok(&c) ? XDP_DROP : XDP_ABORTED;
}

/* What every XDP responder does at least: swap MACs, send back. */
SEC("xdp")
int macswap_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 mac[ETH_ALEN];

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	return XDP_TX;
}

/* The tuple of the template's IPv4 SYN/ACK, for the cookie functions. */
static __always_inline int tuple4(void *data, void *end, struct so_tuple *t, struct iphdr **ip,
				  struct tcphdr **th)
{
	*ip = data + sizeof(struct ethhdr);
	*th = (void *)(*ip + 1);
	if ((void *)(*th + 1) > end)
		return -1;
	t->saddr[0] = (*ip)->saddr;
	t->daddr[0] = (*ip)->daddr;
	t->sport = (*th)->source;
	t->dport = (*th)->dest;
	return 0;
}

/* Our cookie: SipHash-2-4 over the tuple, the ISN and the slot. */
SEC("xdp")
int cookie_siphash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct so_tuple t = {};
	const struct so_key *key;
	struct iphdr *ip;
	struct tcphdr *th;
	__u32 zero = 0;
	const struct so_config *cfg = bpf_map_lookup_elem(&so_config, &zero);
	__u64 slot;

	if (!cfg)
		return XDP_ABORTED;
	slot = slot_of(cfg, coarse_ns());
	key = key_of_slot(slot);
	if (!key || tuple4(data, end, &t, &ip, &th))
		return XDP_ABORTED;
	return so_cookie_make(so_cookie_hash(key->k, &t, bpf_ntohl(th->seq)), slot, 0x3f)
		   ? XDP_DROP
		   : XDP_PASS;
}

/* The kernel's cookie helper (the road not taken: docs/design.md). */
SEC("xdp")
int cookie_kernel(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct so_tuple t = {};
	struct iphdr *ip;
	struct tcphdr *th;

	/* th_len must be the header's own length: the template's is 40. */
	if (tuple4(data, end, &t, &ip, &th) || (void *)th + 40 > end)
		return XDP_ABORTED;
	return bpf_tcp_raw_gen_syncookie_ipv4(ip, th, 40) > 0 ? XDP_DROP : XDP_ABORTED;
}

/*
 * RFC 1624: the checksum after a 32-bit word it covers (read as it lies in
 * memory, as include/synack.h sums) changed from `from` to `to`. The input
 * stays a frame whose checksums are right, as shakeoff checks a SYN's.
 */
static __always_inline void csum_replace(__u16 *check, __u32 from, __u32 to)
{
	*check = so_csum_fold((__u64)(__u16) ~*check + (__u32)~from + to);
}

SEC("xdp")
int wrapper(struct xdp_md *ctx)
{
	void *data, *end;
	__u32 *w, i, meta;
	struct tcphdr *th;
	struct so_tuple t = {};
	int len;

	/* Undo what the last pass did: metadata, length, bytes. */
	meta = ctx->data - ctx->data_meta;
	if (meta)
		bpf_xdp_adjust_meta(ctx, meta);
	len = (int)tmpl_len - (int)(ctx->data_end - ctx->data);
	if (len)
		bpf_xdp_adjust_tail(ctx, len);
	barrier_var(ctx);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	w = data;
	for (i = 0; i < TMPL_WORDS && i < tmpl_len / 4; i++) {
		if ((void *)(w + i + 1) > end)
			return XDP_ABORTED;
		w[i] = tmpl[i];
	}
	th = data + (l4_off & 0xff);
	if ((void *)(th + 1) > end)
		return XDP_ABORTED;
	if (vary == VARY_SPORT || vary == VARY_COOKIE || vary == VARY_ACK) {
		/* 48 random bits of tuple: a port alone would repeat every 65536. */
		struct iphdr *ip = data + sizeof(struct ethhdr);

		__u32 saddr = bpf_get_prandom_u32();
		__u16 sport = bpf_get_prandom_u32();

		if ((void *)(ip + 1) > end)
			return XDP_ABORTED;
		csum_replace(&ip->check, ip->saddr, saddr);
		csum_replace(&th->check, ip->saddr, saddr);
		csum_replace(&th->check, th->source, sport);
		ip->saddr = saddr;
		th->source = sport;
	}
	if (vary == VARY_ACK) {
		__u32 ack = bpf_get_prandom_u32();

		csum_replace(&th->check, th->ack_seq, ack);
		th->ack_seq = ack;
	}
	if (vary == VARY_COOKIE) {
		struct iphdr *ip;
		struct tcphdr *th4;
		__u32 zero = 0;
		const struct so_config *cfg = bpf_map_lookup_elem(&so_config, &zero);
		const struct so_key *key;
		__u64 slot;
		__u32 ack;

		if (!cfg)
			return XDP_ABORTED;
		slot = slot_of(cfg, coarse_ns());
		key = key_of_slot(slot);
		if (!key || tuple4(data, end, &t, &ip, &th4))
			return XDP_ABORTED;
		ack = bpf_htonl(so_cookie_make(so_cookie_hash(key->k, &t, bpf_ntohl(th4->seq) - 1),
					       slot, so_copts(3, 1, 7)) +
				1);
		csum_replace(&th4->check, th4->ack_seq, ack);
		th4->ack_seq = ack;
	}
	if (rearm_slot != ~0U) {
		__u32 idx = rearm_slot;
		struct so_halfopen *e = bpf_map_lookup_elem(&so_halfopen, &idx);

		/*
		 * The ACK freed it and made a flow: bring back the entry, drop the
		 * flow and its mark, as for a new tuple (whose mark is clear).
		 * Untimed, as 15 entries in 16 are: whether the run's key made
		 * it one of the timed ones (the precise clock and the RTT
		 * histogram, about 25 ns more) swung the row between runs.
		 */
		if (e) {
			__u32 zero = 0, slot = 0;
			const struct so_config *cfg = bpf_map_lookup_elem(&so_config, &zero);
			struct so_flow *f;
			__u64 h, *w;

			e->flags = (e->flags | SO_HO_LIVE) & ~SO_HO_TIMED;
			if (!cfg)
				return XDP_ABORTED;
			__builtin_memcpy(t.saddr, e->saddr, SO_TUPLE_ADDR_WORDS * 4);
			h = so_tuple_hash(cfg->hash_seed, &t);
			f = flow_find(cfg, &t, h);
			if (f)
				flow_forget(f);
			w = flowmark_word(cfg, h, &slot);
			if (w)
				*w &= ~so_flowmark_bits(slot, SO_FLOWMARK_BOTH);
		}
	}
	bpf_tail_call(ctx, &targets, target);
	return XDP_ABORTED;
}
