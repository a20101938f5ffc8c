#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shakeoff backend: a server that never answers a SYN turns the cookies of
# a front holding the same key into connections, at TC ingress, without
# XDP. The router of test_keys.sh sends every SYN to server 1 (shakeoff run
# with the key: it stands in for a front) and everything else to server 2
# (shakeoff backend with the key). Server 2's stack never sees a SYN;
# forged ACKs sent to it die there; with another key nothing connects.
# (Topology: lib.sh, topo_router.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_router || { fail "topology"; finish; }
# The key files carry what the hosts must agree on: the window scale they
# advertise (7, not what either's sysctls would give) and the slot length.
for k in key other; do
	key_file "$WORK/$k" "# shared settings" "wscale 7" "slot-shift 31"
done
same() { [ "$1" = "$2" ] || { echo "'$1' != '$2'"; return 1; }; }
tcp_server 7000 || fail "echo server 1"
in_s2 python3 "$TCPTOOL" server 7000 >>"$WORK/s2.log" 2>&1 &
BG_PIDS+=("$!")
listening2() { in_s2 ss -Htln "sport = :7000" | grep -q .; }
wait_for 5 listening2 || fail "echo server 2"
# Server 2 counts the SYNs its stack is given.
in_s2 nft -f - <<-NFT || fail "nft on server 2"
	table inet seen {
		chain in {
			type filter hook input priority 0;
			tcp dport 7000 tcp flags & (syn | ack) == syn counter
		}
	}
NFT
syns2() { in_s2 nft list chain inet seen in | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

S1_LOG=$WORK/front.log S2_LOG=$WORK/backend.log
nsenter --net=/run/netns/"$NS_S" "$SHAKEOFF" run "$IF_S" --ports 7000 \
	--key-file "$WORK/key" >>"$S1_LOG" 2>&1 &
BG_PIDS+=("$!")
# backend_start KEYFILE: shakeoff backend on server 2, waiting until attached.
backend_start() {
	local n
	n=$(grep -c "attached (" "$S2_LOG" 2>/dev/null)
	nsenter --net=/run/netns/"$NS_S2" "$SHAKEOFF" backend "$IF_S2" --ports 7000 \
		--key-file "$1" >>"$S2_LOG" 2>&1 &
	B_PID=$!
	BG_PIDS+=("$B_PID")
	more() { test "$(grep -c "attached (" "$S2_LOG" 2>/dev/null)" -gt "${n:-0}"; }
	wait_for 10 more
}
ans1() { in_s "$SHAKEOFF" status "$IF_S" --json | grep -q '"ports_answered":1[,}]'; }
wait_for 10 ans1 || { fail "shakeoff run on server 1" "$(tail -n 5 "$S1_LOG")"; finish; }
backend_start "$WORK/key" || { fail "shakeoff backend on server 2" "$(tail -n 5 "$S2_LOG")"; finish; }
st1() { in_s "$SHAKEOFF" stats "$IF_S" --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
st2() { in_s2 "$SHAKEOFF" stats "$IF_S2" --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

ws7() { grep -q "wscale 7," "$S1_LOG" && grep -q "wscale 7," "$S2_LOG"; }
check "both hosts take wscale 7 from the key file" ws7
slot31() { bpftool map dump pinned "$PIN_S"/so_config | grep -q '"slot_shift": 31'; }
check "and its slot length" slot31
disagree() {
	local err rc
	err=$(in_s2 "$SHAKEOFF" backend "$IF_S2" --ports 7000 --key-file "$WORK/key" --slot-shift 32 2>&1)
	rc=$?
	if [ "$rc" != 2 ] || [[ $err != *"the hosts sharing it must agree"* ]]; then
		echo "exit $rc: $err"
		return 1
	fi
}
check "a --slot-shift that contradicts the key file is refused at start" disagree
role() { in_s2 "$SHAKEOFF" status "$IF_S2" | grep -q "backend (the front's cookies), TC ingress"; }
check "status says what server 2 runs" role
no_xdp2() { ! ip -n "$NS_S2" link show "$IF_S2" | grep -q prog/xdp; }
check "and that it runs no XDP program" no_xdp2

tcptool_c many "$SRV" 7000 --count 100 --parallel 4 --bytes 65536 --timeout 30 >"$WORK/many.out"
rc=$?
check "100 connections, 64 KiB each way, byte-exact ($(cat "$WORK/many.out"))" test $rc = 0
check "the front answered every SYN (synack_sent $(st1 synack_sent))" test "$(st1 synack_sent)" -ge 100
check "the backend handed off every one (handoff_ok $(st2 handoff_ok))" same "$(st2 handoff_ok)" 100
check "none failed (handoff_fail $(st2 handoff_fail))" same "$(st2 handoff_fail)" 0
check "server 2's stack was given no SYN ($(syns2))" same "$(syns2)" 0
banner() { tcptool_c client "$SRV" 7000 --bytes 1000 --timeout 5; }
check "and a later connection still echoes" banner

# Forged ACKs (random sequence numbers) through the router to server 2.
inv0=$(st2 ack_invalid) ho0=$(st2 handoff_ok)
MAC_RC=$(ip -n "$NS_R" -br link show "$IF_RC" | awk '{print $3}')
tcptool_c forge "$IF_C" 10.79.0.2 "$SRV" 7000 --dst-mac "$MAC_RC" --count 200 >/dev/null ||
	fail "tcptool forge"
dropped() { test "$(st2 ack_invalid)" -ge $((inv0 + 200)); }
eventually 3 "200 forged ACKs die at the backend (ack_invalid $inv0 -> $(st2 ack_invalid))" dropped
check "and none became a connection (handoff_ok $(st2 handoff_ok), was $ho0)" same "$(st2 handoff_ok)" "$ho0"

# Another key: server 2 cannot tell the front's cookies from forgeries.
kill -TERM "$B_PID"
wait "$B_PID" 2>/dev/null
backend_start "$WORK/other" || { fail "shakeoff backend with another key"; finish; }
refused() { ! tcptool_c client "$SRV" 7000 --bytes 1000 --timeout 2; }
check "another key: the connection fails" refused
check "its ACKs were dropped as invalid ($(st2 ack_invalid)), none handed off ($(st2 handoff_ok))" \
	test "$(st2 ack_invalid)" -gt 0 -a "$(st2 handoff_ok)" = 0
kill -TERM "$B_PID"
wait "$B_PID" 2>/dev/null
gone() { ! in_s2 "$SHAKEOFF" status "$IF_S2" >/dev/null 2>&1 && ! in_s2 tc filter show dev "$IF_S2" ingress | grep -q .; }
check "stopped, the backend leaves nothing behind" gone
finish
