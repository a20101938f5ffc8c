#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A spoofed-source SYN flood, flat out and bounded, while real clients
# connect: every real connection must succeed. (Topology: tests/net/lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
so_start --ports 7000 || { fail "shakeoff run"; finish; }
so_answering 1 || fail "shakeoff sees the listener"

flood() {
	in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_S" --dst "$1" --dport 7000 --opts \
		--duration 8 --count 40000000 >"$WORK/flood$2.out" 2>&1
}

for fam in 4 6; do
	v=IP${fam}_S
	dst=${!v}
	syn0=$(so_stat syn_recv) sa0=$(so_stat synack_sent)
	flood "$dst" $fam &
	fpid=$!
	sleep 1
	tcptool_c many "$dst" 7000 --count 300 --parallel 8 --timeout 60 >"$WORK/many$fam.out"
	rc=$?
	still=$(kill -0 $fpid 2>/dev/null && echo yes)
	wait $fpid
	check "IPv$fam: all 300 real clients connected during the flood ($(cat "$WORK/many$fam.out"))" test $rc = 0
	check "IPv$fam: the flood was still running when they finished" test "$still" = yes
	sent=$(sed -n 's/.*sent \([0-9]*\) SYNs.*/\1/p' "$WORK/flood$fam.out")
	check "IPv$fam: the flood was a flood ($(cat "$WORK/flood$fam.out"))" test "${sent:-0}" -gt 1000000
	# veth drops what its queue cannot hold; what arrives is all answered.
	syns=$(($(so_stat syn_recv) - syn0)) synacks=$(($(so_stat synack_sent) - sa0))
	check "IPv$fam: shakeoff answered every SYN that arrived ($synacks of $syns)" \
		test "$syns" -gt 1000000 -a "$synacks" = "$syns"
done
check "no handoff failed" test "$(so_stat handoff_fail)" = 0
check "nothing was malformed" test "$(so_stat dropped_malformed)" = 0
finish
