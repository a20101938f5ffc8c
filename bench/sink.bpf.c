// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's sink, on the flood generator's side: counts SYN-ACKs and
 * drops those to the spoofed ranges (198.18.0.0/15, 2001:db8:ffff::/96), so
 * answering a flood costs the sink next to nothing; everything else passes
 * (real clients, and XDP_TX on the other side needs a program here anyway).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_synacks SEC(".maps");

SEC("xdp")
int sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *th;
	int spoofed;
	__u32 zero = 0;
	__u64 *n;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(0x0800)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP || ip->ihl != 5)
			return XDP_PASS;
		spoofed = (bpf_ntohl(ip->daddr) >> 17) == (0xc6120000 >> 17);
		th = (void *)(ip + 1);
	} else if (eth->h_proto == bpf_htons(0x86dd)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		spoofed = ip6->daddr.in6_u.u6_addr32[0] == bpf_htonl(0x20010db8) &&
			  ip6->daddr.in6_u.u6_addr32[1] == bpf_htonl(0xffff0000);
		th = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if ((void *)(th + 1) > end || !th->syn || !th->ack)
		return XDP_PASS;
	n = bpf_map_lookup_elem(&sink_synacks, &zero);
	if (n)
		*n += 1;
	return spoofed ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
