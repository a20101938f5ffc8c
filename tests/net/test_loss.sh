#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# 10% loss both ways: the client namespace drops one TCP segment in ten at
# random, in and out (SYNs, SYN-ACKs, final ACKs and data alike). Every
# connection still completes byte-exact, IPv4 and IPv6, client-first and
# server-speaks-first: lost SYN-ACKs are answered again from their entry
# (syn_repeat), lost final ACKs are rescued by the daemon's retransmission.
# (Topology: tests/net/lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

CONNS=300
BYTES=262144

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
tcp_server 7100 --banner "220 ready" || fail "banner server"
so_start --ports 7000,7100 || { fail "shakeoff run"; finish; }
so_answering 2 || fail "shakeoff sees the listeners"

in_c nft -f - <<'NFT' || fail "nft"
table inet loss {
	chain in {
		type filter hook input priority 0;
		meta l4proto tcp numgen random mod 10 == 0 counter drop
	}
	chain out {
		type filter hook output priority 0;
		meta l4proto tcp numgen random mod 10 == 0 counter drop
	}
}
NFT
dropped() { in_c nft list table inet loss | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | paste -sd+ | bc; }

# many LABEL ARGS...: CONNS connections; the check shows tcptool's summary.
many() {
	local label=$1 out=$WORK/many.$RANDOM
	shift
	tcptool_c many "$@" --count $CONNS --parallel 32 --timeout 300 >"$out"
	check "$label: $CONNS connections byte-exact ($(cat "$out"))" \
		grep -q "\"ok\": $CONNS, \"fail\": 0" "$out"
}
t0=$(date +%s)
many "IPv4, 256 KiB both ways" $IP4_S 7000 --bytes $BYTES
many "IPv6, 256 KiB both ways" $IP6_S 7000 --bytes $BYTES
many "IPv4, server speaks first" $IP4_S 7100 --bytes $BYTES --banner "220 ready"
many "IPv6, server speaks first" $IP6_S 7100 --bytes $BYTES --banner "220 ready"
echo "# $((4 * CONNS)) connections in $(($(date +%s) - t0)) s, $(dropped) segments dropped"

check "the loss was real ($(dropped) segments dropped)" test "$(dropped)" -gt 1000
check "lost SYN-ACKs were answered from their entries (syn_repeat $(so_stat syn_repeat))" \
	test "$(so_stat syn_repeat)" -gt 0
check "lost final ACKs were rescued (synack_retrans $(so_stat synack_retrans))" \
	test "$(so_stat synack_retrans)" -gt 0
check "every connection was handed off ($(so_stat handoff_ok))" \
	test "$(so_stat handoff_ok)" -ge $((4 * CONNS))
check "no handoff failed" stat_is handoff_fail 0
finish
