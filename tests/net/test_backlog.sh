#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# (c) A flood larger than the backlog: shakeoff stops making state and
# answers with cookies only, real clients all connect, memory stays what
# was configured, established flows are untouched, and state comes back
# once the flood is over. (Topology: tests/net/lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
# 1024 entries living 3 s (one retransmission): the flood overruns them.
so_start --ports 7000 --max-half-open 1024 --max-flows 4096 --synack-retries 1 ||
	{ fail "shakeoff run"; finish; }
so_answering 1 || fail "shakeoff sees the listener"
bg_s "$WORK/events.json" "$SHAKEOFF" events "$IF_S" --json
events=$BG_PID

check "the half-open table holds 1024" test "$(map_field so_halfopen capacity)" = 1024
check "the flow table holds 4096" test "$(map_field so_flows capacity)" = 4096
mem_ho=$(map_field so_halfopen bytes) mem_fl=$(map_field so_flows bytes)

# A connection from before the flood, busy all through it.
tcptool_c hold $IP4_S 7000 --seconds 12 >"$WORK/hold.out" 2>&1 &
hold=$!
# The flows gauge is the daemon's count at its last sweep (every second).
flows_at_least() { test "$(so_stat flows)" -ge "$1"; }
wait_for 3 flows_at_least 1
flows0=$(so_stat flows)
in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_S" --dst $IP4_S --dport 7000 --opts \
	--duration 8 >"$WORK/flood.out" 2>&1 &
flood=$!
backlog_is() { test "$(so_stat backlog)" = "$1"; }
eventually 5 "the flood switched the backlog to cookies only" backlog_is cookies
retrans0=$(so_stat synack_retrans)
tcptool_c many $IP4_S 7000 --count 300 --parallel 8 --timeout 30 >"$WORK/many.out"
check "all 300 real clients connected during the flood ($(cat "$WORK/many.out"))" \
	test $? = 0
check "the flood was still on" kill -0 $flood
# Its entries are mostly spoofed: nothing is retransmitted to them.
check "and the backlog still cookies only" backlog_is cookies
check "no SYN-ACK was retransmitted meanwhile" stat_is synack_retrans "$retrans0"
wait $flood
check "cookie_fallback counted the flood's SYNs" test "$(so_stat cookie_fallback)" -gt 100000
check "the half-open table stayed at its size" test "$(map_field so_halfopen bytes)" = "$mem_ho"
check "the flow table stayed at its size" test "$(map_field so_flows bytes)" = "$mem_fl"
check "the flood added no flows (only the 300 clients did)" \
	test "$(so_stat flows)" -le $((flows0 + 300))
wait $hold
check "the connection from before the flood never noticed" grep -q "^ok" "$WORK/hold.out"

# The entries live 3 s; below 50% the backlog keeps state again.
wait_for 8 backlog_is state
check "after the flood, state comes back" backlog_is state
check "and new SYNs get entries again" tcptool_c client $IP4_S 7000 --bytes 1000
kill $events
switches() {
	python3 - "$WORK/events.json" <<'PY'
import json, sys
modes = [json.loads(l)["mode"] for l in open(sys.argv[1]) if '"backlog"' in l]
assert modes == ["cookies", "state"], modes
PY
}
check "each switch was an event" switches
finish
