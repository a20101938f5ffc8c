#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Reflection: a flood spoofed from one /24 gets at most --synack-rate
# SYN-ACKs a second back (first answers and retransmissions together), while
# real clients in other prefixes all connect. (Topology: tests/net/lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

RATE=200
FLOOD_SYNS=3000 # at 1000/s: 3 s

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
so_start --ports 7000 --synack-rate $RATE || { fail "shakeoff run"; finish; }
so_answering 1 || fail "shakeoff sees the listener"

# Every SYN-ACK to the spoofed /24 that reaches the wire, retransmissions too.
bg_c "$WORK/tcpdump.log" tcpdump -i "$IF_C" -nn -U -w "$WORK/reflected.pcap" \
	'dst net 198.18.7.0/24 and tcp[13] == 0x12'
dump=$BG_PID
wait_for 5 grep -q "listening on" "$WORK/tcpdump.log" || fail "tcpdump started"
rl0=$(so_stat synack_ratelimited)
t0=$(date +%s%N)
in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_S" --dst $IP4_S --dport 7000 --opts \
	--src 198.18.7.0/24 --rate 1000 --count $FLOOD_SYNS --duration 20 >"$WORK/flood.out" 2>&1 &
fpid=$!
tcptool_c many $IP4_S 7000 --count 100 --parallel 4 --timeout 30 >"$WORK/many4.out"
rc4=$?
tcptool_c many $IP6_S 7000 --count 100 --parallel 4 --timeout 30 >"$WORK/many6.out"
rc6=$?
wait $fpid
check "real IPv4 clients all connected meanwhile ($(cat "$WORK/many4.out"))" test $rc4 = 0
check "real IPv6 clients all connected meanwhile ($(cat "$WORK/many6.out"))" test $rc6 = 0
sent=$(sed -n 's/.*sent \([0-9]*\) SYNs.*/\1/p' "$WORK/flood.out")
check "the flood sent its $FLOOD_SYNS SYNs ($(cat "$WORK/flood.out"))" \
	test "${sent:-0}" = $FLOOD_SYNS
# The flood's entries would be retransmitted 1 s and 3 s on: watch them too.
sleep 4
kill $dump
wait $dump 2>/dev/null
t1=$(date +%s%N)
secs_ms=$(((t1 - t0) / 1000000))
# At most a second's burst plus the rate over the whole window; 5% for
# two writers (XDP and the daemon's retransmissions) racing on one bucket.
budget=$((RATE * (secs_ms + 1000) * 105 / 100000))
wire=$(tcpdump -nn -r "$WORK/reflected.pcap" 2>/dev/null | wc -l)
check "SYN-ACKs to the spoofed /24: $wire in $secs_ms ms, at most $budget" test "$wire" -le $budget
check "and not none: the budget was used ($wire)" test "$wire" -ge $((RATE * 2))
limited=$(($(so_stat synack_ratelimited) - rl0))
check "the rest were counted synack_ratelimited ($limited of ${sent:-0})" \
	test "$limited" -ge $((${sent:-0} - budget))
check "no handoff failed" stat_is handoff_fail 0
finish
