// SPDX-License-Identifier: GPL-2.0
/*
 * The client side's veth needs an XDP program of its own, or frames the
 * server side sends with XDP_TX are never delivered (veth native XDP).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
