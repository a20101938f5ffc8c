// SPDX-License-Identifier: GPL-2.0
/*
 * The flood generator's frame writer, run by BPF_PROG_TEST_RUN in live-frames
 * mode: each run rewrites the template frame's source address, source port
 * and ISN at random, fixes both checksums, and sends it with XDP_TX. The
 * page pool hands frames back dirty, so every varying field is rewritten.
 *
 * One thing cannot be rewritten from here: live-frames mode sends the page's
 * stored xdp_frame, refreshed from the context only when this program
 * changes the context. A responder across veth that shortens our frame in
 * place (an answer shorter than the SYN) shortens that stored length, and
 * the next SYN from that page goes out cut. Trimming here on every run would
 * fix it and cost more than half the generator's rate, so the responders
 * measured answer at the SYN's own length (shakeoff does for --opts SYNs).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "synack.h"

#define TMPL_WORDS 32

/* Set by bench/synflood before load. */
const volatile __u32 tmpl[TMPL_WORDS]; /* the frame, padded to whole words */
const volatile __u32 tmpl_words;
const volatile __u8 v6;
const volatile __u16 tcp_len;	  /* header + options, a multiple of 4 */
const volatile __u32 src_base[4]; /* network order */
const volatile __u32 src_mask;	  /* host order, applied to the last word */

__u64 sent; /* frames written (single-threaded caller: no atomics needed) */

static __always_inline __u64 sum_words(const __u32 *w, void *end, int n)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < n && i < 15; i++) {
		if ((void *)(w + i + 1) > end)
			break;
		sum += w[i];
	}
	return sum;
}

SEC("xdp")
int synflood(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 r = bpf_get_prandom_u32(), src[4], *w = data;
	struct tcphdr *th;
	__u64 sum;
	int i;

	for (i = 0; i < tmpl_words && i < TMPL_WORDS; i++) {
		if ((void *)(w + i + 1) > end)
			break;
		w[i] = tmpl[i];
	}
	if (v6) {
		struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);

		if ((void *)(ip6 + 1) > end)
			return XDP_ABORTED;
		for (i = 0; i < 4; i++)
			src[i] = src_base[i];
		src[3] = bpf_htonl(bpf_ntohl(src[3]) | (r & src_mask));
		__builtin_memcpy(&ip6->saddr, src, 16);
		th = (void *)(ip6 + 1);
		sum = so_pseudo6(src, (__u32 *)&ip6->daddr, tcp_len);
	} else {
		struct iphdr *ip = data + sizeof(struct ethhdr);

		if ((void *)(ip + 1) > end)
			return XDP_ABORTED;
		ip->saddr = bpf_htonl(bpf_ntohl(src_base[3]) | (r & src_mask));
		ip->check = 0;
		ip->check = so_csum_fold(sum_words((__u32 *)ip, end, 5));
		th = (void *)(ip + 1);
		sum = so_pseudo4(ip->saddr, ip->daddr, tcp_len);
	}
	if ((void *)(th + 1) > end)
		return XDP_ABORTED;
	th->source = bpf_htons(1024 + (bpf_get_prandom_u32() % 64512));
	th->seq = bpf_get_prandom_u32();
	th->check = 0;
	th->check = so_csum_fold(sum + sum_words((__u32 *)th, end, tcp_len / 4));
	sent++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
