// SPDX-License-Identifier: GPL-2.0
/* shakeoff's entry points. The logic lives in lib/. */
#include "lib/common.h"
#include "lib/parse.h"
#include "lib/syn.h"
#include "lib/ack.h"
#include "lib/handoff.h"
#include "lib/egress.h"

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int shakeoff_xdp(struct xdp_md *ctx)
{
	const struct so_config *cfg;
	__u32 zero = 0;
	struct so_pkt p = {};
	int ret;

	cfg = bpf_map_lookup_elem(&so_config, &zero);
	if (!cfg)
		return XDP_PASS;
	ret = parse_frame(ctx, cfg, &p);
	if (ret == SO_CONTINUE) {
		if (p.flags & SO_TCP_SYN)
			ret = p.flags & SO_TCP_ACK ? XDP_PASS : handle_syn(ctx, cfg, &p);
		else if (p.flags & SO_TCP_RST)
			ret = handle_rst(cfg, &p);
		else if (p.flags & SO_TCP_ACK)
			ret = handle_ack(ctx, cfg, &p);
		else
			ret = XDP_PASS; /* neither SYN nor ACK: the kernel's rules apply */
	}
	if (ret == XDP_PASS)
		stat_inc(SO_STAT_PASSED);
	return ret;
}

/* Ingress: validated handshakes become sockets. */
SEC("tc")
int shakeoff_tc(struct __sk_buff *skb)
{
	return handoff(skb);
}

/* Egress: the server's FIN and RST, for the flow table's close tracking. */
SEC("tc")
int shakeoff_tc_out(struct __sk_buff *skb)
{
	return egress(skb);
}
