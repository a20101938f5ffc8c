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

#define SO_TCPOPT_EOL 0
#define SO_TCPOPT_NOP 1
#define SO_TCPOPT_MSS 2
#define SO_TCPOPT_WSCALE 3
#define SO_TCPOPT_SACK_PERM 4
#define SO_TCPOPT_TS 8

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

/* Parse the options of the TCP header at l4_off (doff bytes long) into o. */
static __always_inline void parse_tcp_opts(struct xdp_md *ctx, __u32 l4_off, __u32 doff,
					   struct so_tcpopts *o)
{
	struct opt_walk w = {};
	__u32 len = doff - sizeof(struct tcphdr);

	w.o.wscale = SO_WSCALE_NONE;
	if (len > 0 && len <= SO_TCP_OPT_MAX && !bpf_xdp_load_bytes(ctx, l4_off + sizeof(struct tcphdr), w.buf, len)) {
		w.len = len;
		bpf_loop(SO_TCP_OPT_MAX, opt_step, &w, 0);
	}
	*o = w.o;
}

#endif /* SO_BPF_TCPOPT_H */
