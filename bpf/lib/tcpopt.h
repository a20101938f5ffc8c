/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP option walk. The options are copied to the stack and walked one option
 * per bpf_loop() step: an open-coded walk over 40 bytes makes the verifier
 * explore every path through every step (over its 1M instruction budget),
 * while a callback is verified once.
 */
#ifndef SO_BPF_TCPOPT_H
#define SO_BPF_TCPOPT_H

#include "common.h"
#include "parse.h"

#define SO_TCPOPT_EOL	    0
#define SO_TCPOPT_NOP	    1
#define SO_TCPOPT_MSS	    2
#define SO_TCPOPT_WSCALE    3
#define SO_TCPOPT_SACK_PERM 4
#define SO_TCPOPT_TS	    8

struct opt_walk {
	__u8 buf[64]; /* 40 option bytes + room for a 10-byte read at offset 39 */
	__u32 len;
	__u32 pos;
	struct so_tcpopts o;
};

static __always_inline __u32 get_be32(const __u8 *b)
{
	return (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
}

static long opt_step(__u32 idx, struct opt_walk *w)
{
	__u32 i = w->pos, len;
	__u8 kind;

	if (i >= w->len || i >= SO_TCP_OPT_MAX)
		return 1;
	kind = w->buf[i];
	if (kind == SO_TCPOPT_EOL)
		return 1;
	if (kind == SO_TCPOPT_NOP) {
		w->pos = i + 1;
		return 0;
	}
	len = w->buf[i + 1];
	if (len < 2 || i + len > w->len)
		return 1; /* malformed: stop here, as the kernel does */
	switch (kind) {
	case SO_TCPOPT_MSS:
		if (len == 4)
			w->o.mss = w->buf[i + 2] << 8 | w->buf[i + 3];
		break;
	case SO_TCPOPT_WSCALE:
		if (len == 3)
			w->o.wscale = w->buf[i + 2] > SO_WSCALE_MAX ? SO_WSCALE_MAX : w->buf[i + 2];
		break;
	case SO_TCPOPT_SACK_PERM:
		if (len == 2)
			w->o.sack_ok = 1;
		break;
	case SO_TCPOPT_TS:
		if (len == 10) {
			w->o.ts_ok = 1;
			w->o.tsval = get_be32(&w->buf[i + 2]);
			w->o.tsecr = get_be32(&w->buf[i + 6]);
		}
		break;
	}
	w->pos = i + len;
	return 0;
}

/* A big-endian word of packet data (unaligned loads are fine where XDP
 * runs: the SYN-ACK's checksums read the packet a word at a time too). */
static __always_inline __u32 pkt_be32(const __u8 *b)
{
	return bpf_ntohl(*(const __u32 *)b);
}

/*
 * The layouts Linux sends, read straight from the packet a word at a time:
 * a SYN's MSS, SACK-permitted, timestamps, NOP, window scale (20 bytes), and
 * the NOP, NOP, timestamps of every later segment (12 bytes). Returns 0 if
 * the options are laid out otherwise.
 */
static __always_inline int tcp_opts_linux(void *data, void *end, __u32 l4_off, __u32 len,
					  struct so_tcpopts *o)
{
	__u32 w0, w4;
	__u8 *b;

	if (l4_off > SO_L4_OFF_MAX)
		return 0;
	b = pkt_ptr(data, l4_off + sizeof(struct tcphdr));
	if (len == 12 && (void *)(b + 12) <= end && pkt_be32(b) == 0x0101080aU) {
		o->ts_ok = 1;
		o->tsval = pkt_be32(b + 4);
		o->tsecr = pkt_be32(b + 8);
		return 1;
	}
	if (len != 20 || (void *)(b + 20) > end)
		return 0;
	w0 = pkt_be32(b);
	w4 = pkt_be32(b + 16);
	if (w0 >> 16 != 0x0204U || pkt_be32(b + 4) != 0x0402080aU || w4 >> 8 != 0x010303U)
		return 0;
	o->mss = w0 & 0xffff;
	o->sack_ok = 1;
	o->ts_ok = 1;
	o->tsval = pkt_be32(b + 8);
	o->tsecr = pkt_be32(b + 12);
	o->wscale = (w4 & 0xff) > SO_WSCALE_MAX ? SO_WSCALE_MAX : w4 & 0xff;
	return 1;
}

/* Any other layout: copied to the stack and walked. */
static __always_inline void tcp_opts_walk(void *ctx, const int skb, __u32 l4_off, __u32 len,
					  struct so_tcpopts *o)
{
	struct opt_walk w = {};
	long err;

	w.o.wscale = SO_WSCALE_NONE;
	if (len == 0 || len > SO_TCP_OPT_MAX)
		return;
	if (skb)
		err = bpf_skb_load_bytes(ctx, l4_off + sizeof(struct tcphdr), w.buf, len);
	else
		err = bpf_xdp_load_bytes(ctx, l4_off + sizeof(struct tcphdr), w.buf, len);
	if (!err) {
		w.len = len;
		bpf_loop(SO_TCP_OPT_MAX, opt_step, &w, 0);
	}
	*o = w.o;
}

/*
 * Parse the options of the TCP header at l4_off (doff bytes long) into o.
 * ctx is an XDP frame, or with skb a TC program's packet: each call site
 * passes a constant, so each program keeps only its own helper.
 */
static __always_inline void parse_tcp_opts(void *ctx, const int skb, __u32 l4_off, __u32 doff,
					   struct so_tcpopts *o)
{
	struct __sk_buff *sb = ctx;
	struct xdp_md *xdp = ctx;
	void *data = skb ? (void *)(long)sb->data : (void *)(long)xdp->data;
	void *end = skb ? (void *)(long)sb->data_end : (void *)(long)xdp->data_end;
	__u32 len = doff - sizeof(struct tcphdr);

	__builtin_memset(o, 0, sizeof(*o));
	o->wscale = SO_WSCALE_NONE;
	if (!tcp_opts_linux(data, end, l4_off, len, o))
		tcp_opts_walk(ctx, skb, l4_off, len, o);
}

#endif /* SO_BPF_TCPOPT_H */
