#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The daemon killed with -9 mid-flight: the data plane carries on without
# it (established connections finish byte-exact), a new `shakeoff run`
# adopts the maps and goes on with the dead one's half-open timers and
# counters; and with no daemon for longer than the keys it installed last,
# SYNs are left to the kernel (fail open) and clients still connect.
# (Topology: tests/net/lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

SPOOFED=200
CONNS=50

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
# Entries are retransmitted at 1 s and 3 s and expire at 7 s. Key slots are
# the default 68.7 s here: the restart must find the dead run's key of the
# entries' slot still installed (it writes slot now+2 over now-2).
ARGS=(--ports 7000 --synack-retries 2)
so_start "${ARGS[@]}" || { fail "shakeoff run"; finish; }
so_answering 1 || fail "shakeoff sees the listener"

# 50 connections echoing all through the crash and the restart, and 200
# spoofed half-open entries.
bg_c "$WORK/hold.out" python3 "$TCPTOOL" hold $IP4_S 7000 --count $CONNS --seconds 9
hold=$BG_PID
established() {
	local n
	n=$(in_s ss -Htn state established "sport = :7000" | wc -l)
	[ "$n" -ge "$CONNS" ] || { echo "$n established"; return 1; }
}
eventually 10 "$CONNS connections are moving data" established
in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_S" --dst $IP4_S --dport 7000 --opts \
	--src 198.18.9.0/24 --rate 2000 --count $SPOOFED --duration 5 >"$WORK/flood.out" 2>&1
flood_at=$(date +%s%N)
eventually 2 "$SPOOFED spoofed half-open entries" stat_is half_open $SPOOFED
# The first retransmission by this daemon, the second (due at 3 s) in the
# gap: the restart has until the expiry at 7 s to come up, however slow.
eventually 3 "the first retransmission, 1 s in" stat_is synack_retrans $SPOOFED
handoff0=$(so_stat handoff_ok)
kill -KILL "$SO_PID"
wait "$SO_PID" 2>/dev/null
since_flood() { echo $((($(date +%s%N) - flood_at) / 1000000)); }
killed_ms=$(since_flood)
check "killed while the connections moved data" established
check "and before the second retransmission was due ($killed_ms ms)" test "$killed_ms" -lt 3000
left=$((3200 - $(since_flood)))
[ $left -gt 0 ] && sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
so_start "${ARGS[@]}" || { fail "restart"; finish; }
restarted_ms=$(since_flood)
check "restarted after the second was due, before the expiry ($restarted_ms ms)" \
	test "$restarted_ms" -gt 3000 -a "$restarted_ms" -lt 6500
check "the restart adopted the maps" grep -q "adopting the maps" "$SO_LOG"
check "the counters went on (handoff_ok $(so_stat handoff_ok), $handoff0 before)" \
	test "$(so_stat handoff_ok)" = "$handoff0" -a "$handoff0" -ge $CONNS
wait $hold
check "all $CONNS connections went on echoing byte-exact ($(cat "$WORK/hold.out"))" \
	grep -q "^ok connections=$CONNS" "$WORK/hold.out"

# Every entry: the second retransmission late (by the new daemon), then
# expiry at 7 s.
eventually 3 "the entries were retransmitted twice each (the second late)" \
	stat_is synack_retrans $((2 * SPOOFED))
eventually 8 "then expired" stat_is expired_half_open $SPOOFED
expired_ms=$(since_flood)
check "on schedule: 7 s after the SYNs ($expired_ms ms)" \
	test "$expired_ms" -ge 6500 -a "$expired_ms" -lt 9000
check "the gauge agrees" stat_is half_open 0
check "no handoff failed" stat_is handoff_fail 0

# Fail open: no daemon for longer than its keys last. With 2.1 s slots
# (--slot-shift 31) the keys installed, up to slot now+2, run out in 4-7 s.
kill -KILL "$SO_PID"
wait "$SO_PID" 2>/dev/null
so_start "${ARGS[@]}" --slot-shift 31 || { fail "restart with short slots"; finish; }
kill -KILL "$SO_PID"
wait "$SO_PID" 2>/dev/null
passed0=$(so_stat syn_passed)
# SYNs go on being answered by XDP while an installed key covers the slot.
check "with the daemon gone, XDP still answers while its keys last" \
	tcptool_c client $IP4_S 7000 --bytes 1000 --timeout 3
fail_open() { tcptool_c client "$IP4_S" 7000 --bytes 1000 --timeout 3 && test "$(so_stat syn_passed)" -gt "$passed0"; }
eventually 10 "once they ran out, SYNs went to the kernel and clients still connect" fail_open
finish
