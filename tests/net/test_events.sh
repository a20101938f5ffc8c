#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Events without a wakeup per event: at 100k handshakes/s every one reaches
# a `shakeoff events` reader, none is lost, the last within a few hundred
# ms of the load's end, and the daemon is woken a few times a second, not
# per event. Without a reader the data plane writes no events at all.
# The load is bench/hsload: real handshakes through the attached program by
# BPF_PROG_TEST_RUN (veth could not carry 100k/s). (Topology: lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

HSLOAD=$ROOT/.output/hsload
topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
so_start --ports 7000 --stateless || { fail "shakeoff run"; finish; }
so_answering 1 || fail "shakeoff sees the listener"
load() { in_s "$HSLOAD" --dev "$IF_S" --dst $IP4_S --dport 7000 --count "$1" --rate "$2"; }
handshakes() { grep -c '"type":"handshake"' "$1" 2>/dev/null; }
ctxsw() { awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/"$SO_PID"/status; }

bg_s "$WORK/ev1.json" "$SHAKEOFF" events "$IF_S" --json
reader=$BG_PID
sleep 0.3
n=200000
sw0=$(ctxsw)
load $n 100000 >"$WORK/load.out" || fail "hsload" "$(cat "$WORK/load.out")"
t_end=$(date +%s%N)
sw1=$(ctxsw)
check "the load ran at about 100k handshakes/s ($(cat "$WORK/load.out"))" \
	grep -q "($n valid)" "$WORK/load.out"
all_in() { test "$(handshakes "$WORK/ev1.json")" = "$n"; }
wait_for 5 all_in
t_all=$(date +%s%N)
check "every handshake reached the reader: $(handshakes "$WORK/ev1.json") of $n" all_in
check "the last within 500 ms of the load's end ($(((t_all - t_end) / 1000000)) ms)" \
	test $(((t_all - t_end) / 1000000)) -le 500
check "the ring lost none" stat_is events_lost 0
check "nor the reader" test "$(grep -c '"type":"lost"' "$WORK/ev1.json")" = 0
# Woken per event, the daemon would have switched in 200000 times.
check "the daemon was woken $((sw1 - sw0)) times for $n events" test $((sw1 - sw0)) -lt 2000
kill $reader
wait $reader 2>/dev/null

# No reader: the daemon notices within a second and the data plane stops
# writing events; a new reader gets only what happens after it came.
not_wanted() { in_s bpftool map dump pinned "$PIN_S"/so_config |
	grep -q '"events": 0'; }
eventually 3 "the reader gone, the data plane reports nothing" not_wanted
load 1000 10000 >/dev/null || fail "hsload (no reader)"
bg_s "$WORK/ev2.json" "$SHAKEOFF" events "$IF_S" --json
sleep 0.3
load 10 1000 >/dev/null || fail "hsload (a new reader)"
ten() { test "$(handshakes "$WORK/ev2.json")" = 10; }
eventually 2 "a new reader sees the 10 handshakes after it, none of the 1000 before" ten
finish
