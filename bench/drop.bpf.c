// SPDX-License-Identifier: GPL-2.0
/* The flood benchmark's floor: a server side that drops every frame. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
