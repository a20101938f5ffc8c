/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checksums of a SYN before it is answered. A SYN whose source address was
 * corrupted on the way would otherwise draw a SYN-ACK to an innocent host;
 * the kernel drops such a SYN, and so do we (drop_csum).
 */
#ifndef SO_BPF_CSUM_H
#define SO_BPF_CSUM_H

#include "common.h"
#include "parse.h"

/* Words summed at most: an XDP frame is one page (multi-buffer frames fail
 * the length check in parsing before they get here). */
#define SO_CSUM_WORDS_MAX (4096 / 4)
/* Headers are summed in blocks of this many words, one bounds check each:
 * three blocks cover a TCP header of up to 60 bytes. */
#define SO_CSUM_BLOCK  5
#define SO_CSUM_BLOCKS 3

/*
 * The ones' complement sum of len bytes of the frame (data, end) at off,
 * added to sum, in 32-bit words as they lie in memory (as include/synack.h
 * sums); a trailing 1-3 bytes are padded with zeros. Returns 0, or -1 if
 * the frame ends first (parsing has checked it does not: this is for the
 * verifier).
 */
static __always_inline int csum_add_frame(void *data, void *end, __u32 off, __u32 len, __u64 *sum)
{
	__u32 words, rest, tail_off, done = 0, i;
	__u8 tail[4] = {};
	__u32 *w;
	__u8 *b;

	if (off > SO_L4_OFF_MAX || len > SO_CSUM_WORDS_MAX * 4)
		return -1;
	barrier_var(len); /* what follows derives from the checked len, not a reload */
	words = len / 4;
	rest = len & 3;
	w = pkt_ptr(data, off);
#pragma unroll
	for (i = 0; i < SO_CSUM_BLOCKS; i++) {
		__u32 *blk = w + i * SO_CSUM_BLOCK;

		if (words < done + SO_CSUM_BLOCK)
			break;
		if ((void *)(blk + SO_CSUM_BLOCK) > end)
			return -1;
		*sum += (__u64)blk[0] + blk[1] + blk[2] + blk[3] + blk[4];
		done += SO_CSUM_BLOCK;
	}
	/* The header's last words, and a SYN's data if it has any. */
#pragma clang loop unroll(disable)
	for (i = done; i < SO_CSUM_WORDS_MAX && i < words; i++) {
		w = pkt_ptr(data, off + i * 4);
		if ((void *)(w + 1) > end)
			return -1;
		*sum += *w;
	}
	if (!rest)
		return 0;
	/* Bounded where it is used: clang may rebuild it from an unchecked copy of len. */
	tail_off = off + words * 4;
	barrier_var(tail_off);
	if (tail_off > SO_L4_OFF_MAX + SO_CSUM_WORDS_MAX * 4)
		return -1;
	b = pkt_ptr(data, tail_off);
	if ((void *)(b + 1) > end)
		return -1;
	tail[0] = b[0];
	if (rest > 1) {
		if ((void *)(b + 2) > end)
			return -1;
		tail[1] = b[1];
	}
	if (rest > 2) {
		if ((void *)(b + 3) > end)
			return -1;
		tail[2] = b[2];
	}
	*sum += *(__u32 *)tail;
	return 0;
}

/*
 * 1 when the SYN's IPv4 header and TCP checksums are right, 0 when not.
 * A TCP checksum field holding only the pseudo-header's sum is accepted
 * too: it is what a veth peer with TX checksum offload hands over (the
 * kernel trusts such a CHECKSUM_PARTIAL packet without looking), and it
 * still covers the addresses a SYN-ACK would be sent to.
 */
static __always_inline int syn_csum_ok(struct so_ctx *c)
{
	const struct so_seg *s = &c->seg;
	void *data = (void *)(long)c->xdp->data;
	void *end = (void *)(long)c->xdp->data_end;
	__u64 pseudo, sum = 0;
	struct tcphdr *th;

	if (s->l3_off > SO_L2_MAX)
		return 0;
	if (!s->t.v6) {
		if (csum_add_frame(data, end, s->l3_off, s->l4_off - s->l3_off, &sum) ||
		    so_csum_fold(sum))
			return 0;
		pseudo = so_pseudo4(s->t.saddr[0], s->t.daddr[0], s->tcp_len);
	} else {
		pseudo = so_pseudo6(s->t.saddr, s->t.daddr, s->tcp_len);
	}
	sum = pseudo;
	if (csum_add_frame(data, end, s->l4_off, s->tcp_len, &sum))
		return 0;
	if (!so_csum_fold(sum))
		return 1;
	if (s->l4_off > SO_L4_OFF_MAX)
		return 0;
	th = pkt_ptr(data, s->l4_off);
	if ((void *)(th + 1) > end)
		return 0;
	return th->check == (__u16)~so_csum_fold(pseudo);
}

#endif /* SO_BPF_CSUM_H */
