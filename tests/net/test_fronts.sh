#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Two fronts sharing one key file behind an ECMP stand-in: the router sends
# every SYN through front 1 and everything else through front 2 (policy
# routing on the TCP flags, the worst a hash can do), so front 2 validates
# cookies front 1 made and forwards to the server's backend, which accepts
# them. The server answers back through front 1.
#
#  client $NS_C     router $NS_R            fronts                 server $NS_S
#  10.84.0.2 <----> 10.84.0.1
#                   SYN: r1 10.85.1.1 <---> $NS_F1 10.85.1.2 [XDP front]
#                                               10.86.1.1 <------> 10.86.1.2 (replies)
#                   rest: r2 10.85.2.1 <--> $NS_F2 10.85.2.2 [XDP front]
#                                               10.86.2.1 <------> 10.86.2.2 [TC backend]
#                                                                  10.86.0.1 on lo: the service
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

NS_R=so${ID}r NS_F1=so${ID}f NS_F2=so${ID}g
IF_RC=so${ID}rc IF_R1=so${ID}r1 IF_R2=so${ID}r2
IF_F1R=so${ID}f1r IF_F1S=so${ID}f1s IF_F2R=so${ID}f2r IF_F2S=so${ID}f2s
IF_S1=so${ID}s1 IF_S2=so${ID}s2
SRV=10.86.0.1
EXTRA_NS=("$NS_R" "$NS_F1 $IF_F1R" "$NS_F2 $IF_F2R")
in_r() { nsenter --net=/run/netns/"$NS_R" "$@"; }
in_f1() { nsenter --net=/run/netns/"$NS_F1" "$@"; }
in_f2() { nsenter --net=/run/netns/"$NS_F2" "$@"; }
same() { [ "$1" = "$2" ] || { echo "'$1' != '$2'"; return 1; }; }

topo() {
	local ns i
	for ns in "$NS_C" "$NS_R" "$NS_F1" "$NS_F2" "$NS_S"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0
	done
	veth_pair "$NS_C" "$IF_C" "$NS_R" "$IF_RC" &&
		veth_pair "$NS_R" "$IF_R1" "$NS_F1" "$IF_F1R" &&
		veth_pair "$NS_R" "$IF_R2" "$NS_F2" "$IF_F2R" &&
		veth_pair "$NS_F1" "$IF_F1S" "$NS_S" "$IF_S1" &&
		veth_pair "$NS_F2" "$IF_F2S" "$NS_S" "$IF_S2" || return 1
	# The fronts' SYN-ACKs leave by XDP_TX: the router's ends need a program.
	for i in "$IF_R1" "$IF_R2"; do
		in_r ip link set dev "$i" xdpdrv obj "$ROOT/.output/xdp_pass.bpf.o" sec xdp || return 1
	done
	in_c ip addr add 10.84.0.2/24 dev "$IF_C"
	in_c ip route add default via 10.84.0.1
	in_r ip addr add 10.84.0.1/24 dev "$IF_RC"
	in_r ip addr add 10.85.1.1/24 dev "$IF_R1"
	in_r ip addr add 10.85.2.1/24 dev "$IF_R2"
	in_r ip route add $SRV/32 via 10.85.2.2
	in_r ip route add $SRV/32 via 10.85.1.2 table 100
	in_r ip rule add fwmark 1 table 100
	in_r nft -f - <<-NFT || return 1
		table ip ecmp {
			chain pre {
				type filter hook prerouting priority mangle;
				iifname "$IF_RC" tcp flags & (syn | ack) == syn meta mark set 1
			}
		}
	NFT
	in_f1 ip addr add 10.85.1.2/24 dev "$IF_F1R"
	in_f1 ip addr add 10.86.1.1/24 dev "$IF_F1S"
	in_f1 ip route add 10.84.0.0/24 via 10.85.1.1
	in_f1 ip route add $SRV/32 via 10.86.1.2
	in_f2 ip addr add 10.85.2.2/24 dev "$IF_F2R"
	in_f2 ip addr add 10.86.2.1/24 dev "$IF_F2S"
	in_f2 ip route add 10.84.0.0/24 via 10.85.2.1
	in_f2 ip route add $SRV/32 via 10.86.2.2
	in_s ip addr add 10.86.1.2/24 dev "$IF_S1"
	in_s ip addr add 10.86.2.2/24 dev "$IF_S2"
	in_s ip addr add $SRV/32 dev lo
	in_s ip route add default via 10.86.1.1
	for ns in "$NS_R" "$NS_F1" "$NS_F2"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
	in_s sysctl -qw net.ipv4.tcp_syncookies=1
	for i in "$IF_S1" "$IF_S2"; do
		in_s sysctl -qw net.ipv4.conf."$i".rp_filter=0
	done
}
topo || { fail "topology"; finish; }
key_file "$WORK/key" "wscale 7" "slot-shift 31"
tcp_server 7000 || fail "echo server"

front() { # NS IFACE LOG
	nsenter --net=/run/netns/"$1" "$SHAKEOFF" run "$2" --front --protect $SRV/32:7000 \
		--key-file "$WORK/key" >>"$3" 2>&1 &
	BG_PIDS+=("$!")
}
front "$NS_F1" "$IF_F1R" "$WORK/f1.log"
front "$NS_F2" "$IF_F2R" "$WORK/f2.log"
bg_s "$WORK/b.log" "$SHAKEOFF" backend "$IF_S2" --ports 7000 --key-file "$WORK/key"
up() { grep -q "attached (" "$WORK/f1.log" && grep -q "attached (" "$WORK/f2.log" &&
	grep -q "attached (" "$WORK/b.log"; }
wait_for 10 up || { fail "two fronts and a backend" "$(tail -n 3 "$WORK"/*.log)"; finish; }
st() { nsenter --net=/run/netns/"$1" "$SHAKEOFF" stats "$2" --json |
	sed -n "s/.*\"$3\":\([0-9]*\).*/\1/p"; }

# Across cookie slot boundaries (2.1 s each): every connection completes.
s0=$(cookie_slot)
tcptool_c many $SRV 7000 --count 300 --parallel 4 --seconds 5 --bytes 4096 --timeout 30 \
	>"$WORK/many.out"
rc=$?
s1=$(cookie_slot)
check "300 connections over $((s1 - s0)) slot boundaries, SYN by one front, ACK by the other ($(cat "$WORK/many.out"))" \
	test $rc = 0 -a $((s1 - s0)) -ge 2
check "front 1 answered the SYNs ($(st "$NS_F1" "$IF_F1R" synack_sent)) and validated none" \
	test "$(st "$NS_F1" "$IF_F1R" synack_sent)" -ge 300 -a "$(st "$NS_F1" "$IF_F1R" ack_valid)" = 0
check "front 2 answered none and validated every ACK ($(st "$NS_F2" "$IF_F2R" ack_valid))" \
	test "$(st "$NS_F2" "$IF_F2R" synack_sent)" = 0 -a "$(st "$NS_F2" "$IF_F2R" ack_valid)" -ge 300
check "the backend handed off every one ($(st "$NS_S" "$IF_S2" handoff_ok))" \
	same "$(st "$NS_S" "$IF_S2" handoff_ok)" 300
finish
