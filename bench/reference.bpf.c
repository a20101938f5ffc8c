// SPDX-License-Identifier: GPL-2.0
/*
 * The flood benchmark's reference responder: the least an XDP program can
 * do and still answer an IPv4 SYN correctly. The kernel's own cookie
 * helper, MACs/addresses/ports swapped, a SYN-ACK carrying the MSS option
 * only (padded with NOPs to the SYN's length: bench/synflood.bpf.c says
 * why the frame is not shortened), both checksums, XDP_TX. No state, no counters, no
 * options beyond MSS, SYNs with Linux's 20 option bytes only, no IPv6, no VLAN, no port filter (it
 * answers any SYN): what is left is the physical price of a SYN-ACK from XDP on this machine, which
 * shakeoff is measured against.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "synack.h"

SEC("xdp")
int reference(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th = (void *)(ip + 1);
	__u8 mac[6];
	__u32 addr, *w;
	__u64 sum = 0;
	__s64 cookie;
	__u16 p;
	int i;

	if ((void *)(th + 1) > end || eth->h_proto != bpf_htons(0x0800) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	/* The helper wants the header's length as a constant: the flood's SYNs
	 * carry Linux's 20 bytes of options. */
	if (!th->syn || th->ack || th->doff != 10 || (void *)th + 40 > end)
		return XDP_PASS;
	cookie = bpf_tcp_raw_gen_syncookie_ipv4(ip, th, 40);
	if (cookie < 0)
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_source, 6);
	__builtin_memcpy(eth->h_source, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, mac, 6);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->tot_len = bpf_htons(sizeof(*ip) + 40);
	ip->ttl = 64;
	ip->check = 0;
	w = (__u32 *)ip;
	for (i = 0; i < 5; i++)
		sum += w[i];
	ip->check = so_csum_fold(sum);

	p = th->source;
	th->source = th->dest;
	th->dest = p;
	th->ack_seq = bpf_htonl(bpf_ntohl(th->seq) + 1);
	th->seq = bpf_htonl((__u32)cookie);
	*((__u16 *)th + 6) = bpf_htons(10 << 12 | SO_TCP_SYN | SO_TCP_ACK);
	th->window = bpf_htons(64240);
	th->urg_ptr = 0;
	th->check = 0;
	w = (__u32 *)th;
	w[5] = bpf_htonl(0x02040000U | (__u16)(cookie >> 32));
	for (i = 6; i < 10; i++)
		w[i] = 0x01010101U;
	sum = so_pseudo4(ip->saddr, ip->daddr, 40);
	for (i = 0; i < 10; i++)
		sum += w[i];
	th->check = so_csum_fold(sum);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
