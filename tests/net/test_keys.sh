#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Keys across hosts and over time. Two servers with one address behind a
# router that sends every SYN to the first and every other segment to the
# second (policy routing on the TCP flags: the worst an ECMP hash can do):
# with one --key-file the second accepts the first's cookies, with
# different files it cannot; and connections keep succeeding across cookie
# slot boundaries (--slot-shift 31: a slot is 2.1 s here, 68.7 s by default).
#
#   client $NS_C            router $NS_R                 server 1 $NS_S
#  +--------------+        +-------------------------+   +------------------+
#  | $IF_C        |<------>| $IF_RC 10.79.0.1        |   | $IF_S 10.78.0.1  |
#  | 10.79.0.2    |        | $IF_R1 10.78.0.254 <----+-->| shakeoff: SYNs   |
#  +--------------+        |   SYN (no ACK): fwmark 1 -> table 100 -> $IF_R1
#                          | $IF_R2 10.78.0.254 <----+-->| server 2 $NS_S2  |
#                          |   everything else: main -> $IF_R2   $IF_S2 10.78.0.1
#                          +-------------------------+   | shakeoff: ACKs   |
#                                                        +------------------+
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_router || { fail "topology"; finish; }
for k in key other; do
	key_file "$WORK/$k"
done
tcp_server 7000 || fail "echo server 1"
bg_s2() { nsenter --net=/run/netns/"$NS_S2" "$@" >>"$WORK/s2.log" 2>&1 & BG_PIDS+=($!); }
listening2() { in_s2 ss -Htln "sport = :7000" | grep -q .; }
bg_s2 python3 "$TCPTOOL" server 7000
wait_for 5 listening2 || fail "echo server 2"

S1_LOG=$WORK/so1.log S2_LOG=$WORK/so2.log
# start2 KEYFILE: shakeoff on both servers, one slot length, the given key on 2.
start2() {
	local n1 n2
	n1=$(grep -c "attached (" "$S1_LOG" 2>/dev/null) n2=$(grep -c "attached (" "$S2_LOG" 2>/dev/null)
	if [ -z "${S1_PID:-}" ]; then
		nsenter --net=/run/netns/"$NS_S" "$SHAKEOFF" run "$IF_S" --ports 7000 --slot-shift 31 \
			--synack-retries 1 --key-file "$WORK/key" >>"$S1_LOG" 2>&1 &
		S1_PID=$!
		BG_PIDS+=("$S1_PID")
	fi
	nsenter --net=/run/netns/"$NS_S2" "$SHAKEOFF" run "$IF_S2" --ports 7000 --slot-shift 31 \
		--synack-retries 1 --key-file "$1" >>"$S2_LOG" 2>&1 &
	S2_PID=$!
	BG_PIDS+=("$S2_PID")
	more() { test "$(grep -c "attached (" "$1" 2>/dev/null)" -gt "$2"; }
	wait_for 10 more "$S1_LOG" "${n1:-0}" || [ "${n1:-0}" -gt 0 ] || return 1
	wait_for 10 more "$S2_LOG" "${n2:-0}" || return 1
	ans() { nsenter --net=/run/netns/"$1" "$SHAKEOFF" status "$2" --json | grep -q '"ports_answered":1[,}]'; }
	wait_for 5 ans "$NS_S" "$IF_S" && wait_for 5 ans "$NS_S2" "$IF_S2"
}
st1() { in_s "$SHAKEOFF" stats "$IF_S" --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
st2() { in_s2 "$SHAKEOFF" stats "$IF_S2" --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

start2 "$WORK/key" || { fail "shakeoff on both servers" "$(tail -n 5 "$S1_LOG" "$S2_LOG")"; finish; }

# (a) One key file: the SYN-ACK from server 1, the handoff on server 2.
check "one key: a connection echoes 64 KiB byte-exact" \
	tcptool_c client $SRV 7000 --bytes 65536 --timeout 5
check "server 1 answered the SYN (synack_sent $(st1 synack_sent))" test "$(st1 synack_sent)" = 1
check "and took no ACK (ack_valid $(st1 ack_valid))" test "$(st1 ack_valid)" = 0
check "server 2 answered no SYN (synack_sent $(st2 synack_sent))" test "$(st2 synack_sent)" = 0
check "and validated the cookie and handed it off (handoff_ok $(st2 handoff_ok))" \
	test "$(st2 handoff_ok)" = 1 -a "$(st2 ack_via_state)" = 0

# (b) Connections one after another for 7 s: three slot boundaries of 2.1 s.
s0=$(cookie_slot)
tcptool_c many $SRV 7000 --count 300 --parallel 2 --seconds 7 --bytes 4096 --timeout 30 \
	>"$WORK/slots.out"
rc=$?
s1=$(cookie_slot)
check "(b) 300 connections over $((s1 - s0)) slot boundaries: none lost ($(cat "$WORK/slots.out"))" \
	test $rc = 0 -a $((s1 - s0)) -ge 2
check "(b) every one handed off on server 2 ($(st2 handoff_ok) of 301)" test "$(st2 handoff_ok)" = 301
check "(b) no handoff failed" test "$(st1 handoff_fail)" = 0 -a "$(st2 handoff_fail)" = 0

# (c) Different key files: server 2 cannot tell a cookie from a forgery.
kill -TERM "$S2_PID"
wait "$S2_PID" 2>/dev/null
start2 "$WORK/other" || { fail "server 2 with another key" "$(tail -n 5 "$S2_LOG")"; finish; }
refused() { ! tcptool_c client "$SRV" 7000 --bytes 1000 --timeout 2; }
check "(c) different keys: the connection fails" refused
check "(c) server 2 dropped the ACKs as invalid ($(st2 ack_invalid)) and handed none off" \
	test "$(st2 ack_invalid)" -gt 0 -a "$(st2 handoff_ok)" = 0
finish
