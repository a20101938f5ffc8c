#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Soak: a spoofed flood, real clients and connection churn for SOAK_SECONDS
# (60 in `make test`, 600 in `make soak`). The daemon's memory and file
# descriptors stay flat, the tables stay within their sizes, no handoff
# fails, no client fails, and a stop leaves nothing behind. Then a shorter
# run under valgrind: no errors, no leaks. (Topology: tests/net/lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

SOAK=${SOAK_SECONDS:-60}
VG_SECONDS=$((SOAK / 4 > 60 ? 60 : SOAK / 4))
HALF_OPEN=4096
FLOWS=8192

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
nginx_start || fail "nginx"
# Small tables the flood overruns; short timers, so entries come and go.
ARGS=(--ports "80,7000" --max-half-open "$HALF_OPEN" --max-flows "$FLOWS" --synack-retries 2 --msl 2)
so_start "${ARGS[@]}" || { fail "shakeoff run"; finish; }
so_answering 2 || fail "shakeoff sees the listeners"

# load SECONDS: flood, echo clients and downloads until SECONDS pass; each
# loop bounded in rounds too. Client failures are appended to $WORK/fails.
load() {
	local end=$(($(date +%s) + $1)) i
	: >"$WORK/fails"
	in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_S" --dst $IP4_S --dport 7000 --opts \
		--rate 20000 --duration "$1" >"$WORK/flood.out" 2>&1 &
	FLOOD=$!
	(
		for ((i = 0; i < $1 && $(date +%s) < end; i++)); do
			tcptool_c many $IP4_S 7000 --count 100 --parallel 8 --timeout 30 >"$WORK/many.out" ||
				cat "$WORK/many.out" >>"$WORK/fails"
			tcptool_c many $IP6_S 7000 --count 50 --parallel 4 --timeout 30 >"$WORK/many.out" ||
				cat "$WORK/many.out" >>"$WORK/fails"
		done
	) &
	CLIENTS=$!
	(
		for ((i = 0; i < $1 && $(date +%s) < end; i++)); do
			in_c curl -sf -m 10 -o /dev/null "http://$IP4_S/1m.bin" ||
				echo "curl failed" >>"$WORK/fails"
			in_c curl -sf -m 10 -o /dev/null "http://[$IP6_S]/1m.bin" ||
				echo "curl failed" >>"$WORK/fails"
		done
	) &
	CHURN=$!
}
load_wait() { wait $FLOOD $CLIENTS $CHURN; }

rss_kb() { awk '/^VmRSS/ { print $2 }' /proc/"$SO_PID"/status; }
fds() { find /proc/"$SO_PID"/fd -mindepth 1 | wc -l; }

load "$SOAK"
# A sample every 2 s: RSS, fds, and the gauges against the tables' sizes.
samples=$WORK/samples
for ((i = 0; i < SOAK / 2; i++)); do
	sleep 2
	echo "$(rss_kb) $(fds) $(so_stat half_open) $(so_stat flows)" >>"$samples"
done
load_wait
n=$(wc -l <"$samples")
echo "# samples (RSS KiB, fds, half_open, flows): $(awk '{ printf "%s ", $1 "/" $2 "/" $3 "/" $4 }' "$samples")"
check "the flood ran ($(cat "$WORK/flood.out"))" grep -q "sent [1-9]" "$WORK/flood.out"
check "and filled the backlog (cookie_fallback $(so_stat cookie_fallback))" \
	test "$(so_stat cookie_fallback)" -gt 0
check "every client connected and every download completed ($(head -c 300 "$WORK/fails"))" \
	test ! -s "$WORK/fails"
check "handoffs happened ($(so_stat handoff_ok)) and none failed" \
	test "$(so_stat handoff_ok)" -gt 1000 -a "$(so_stat handoff_fail)" = 0
# Flat: after the first quarter (tables and buffers warmed up), RSS grows
# by no more than a page or two and the descriptors do not change.
q=$((n / 4 + 1))
rss_q=$(sed -n "${q}p" "$samples" | cut -d' ' -f1) rss_max=$(tail -n +"$q" "$samples" | sort -n | tail -1 | cut -d' ' -f1)
check "daemon RSS flat: ${rss_q} KiB at a quarter, at most ${rss_max} KiB after" \
	test "$rss_max" -le $((rss_q + 64))
fds_q=$(sed -n "${q}p" "$samples" | cut -d' ' -f2) fds_end=$(tail -n 1 "$samples" | cut -d' ' -f2)
check "daemon file descriptors flat: $fds_q at a quarter, $fds_end at the end" \
	test "$fds_q" = "$fds_end"
within() { awk -v h="$HALF_OPEN" -v f="$FLOWS" '$3 > h || $4 > f { exit 1 }' "$samples"; }
check "half_open <= $HALF_OPEN and flows <= $FLOWS in every sample" within
check "the tables' memory is what was configured" \
	test "$(map_field so_halfopen capacity)" = $HALF_OPEN -a "$(map_field so_flows capacity)" = $FLOWS

so_stop
check "a stop leaves no pins" test ! -e "$PIN_S"
check "and no XDP program" eval "! ip -n $NS_S link show $IF_S | grep -q prog/xdp"

# Under valgrind (slow: a lighter flood), then SIGTERM.
VG_LOG=$WORK/valgrind.log
bg_s "$VG_LOG" valgrind --suppressions="$ROOT/tests/valgrind/shakeoff.supp" --leak-check=full \
	--show-leak-kinds=all --errors-for-leak-kinds=all --error-exitcode=99 \
	"$SHAKEOFF" run "$IF_S" "${ARGS[@]}"
vg=$BG_PID
wait_for 60 grep -q "attached (" "$VG_LOG" ||
	fail "shakeoff under valgrind" "$(grep -v '^==[0-9]*== *$' "$VG_LOG" | tail -n 8)"
wait_for 20 answering 2
load "$VG_SECONDS"
load_wait
check "under valgrind, every client connected ($(head -c 300 "$WORK/fails"))" test ! -s "$WORK/fails"
kill -TERM $vg
wait $vg
rc=$?
summary=$(grep -E "ERROR SUMMARY|in use at exit" "$VG_LOG" | sed 's/==[0-9]*== //' | paste -sd';')
check "valgrind: no errors, no leaks, clean exit (exit $rc: $summary)" \
	test $rc = 0 -a -n "$summary"
finish
