#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prometheus: `stats --prometheus`, the daemon's HTTP endpoint
# (--metrics-listen) and its textfile (--metrics-file) all pass `promtool
# check metrics`, and say what `stats --json` says. (Topology: lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
PORT=9464
URL=http://127.0.0.1:$PORT/metrics
PROM=$WORK/shakeoff.prom
so_start --ports 7000 --metrics-listen 127.0.0.1:$PORT --metrics-file "$PROM" ||
	{ fail "shakeoff run with metrics"; finish; }
so_answering 1 || fail "shakeoff sees the listener"
for i in $(seq 20); do
	tcptool_c client $IP4_S 7000 --bytes 100 >/dev/null || fail "handshake $i"
done

# valid WHAT FILE: promtool accepts it and has nothing to say (lint included).
valid() {
	local out
	if ! out=$(promtool check metrics <"$2" 2>&1) || [ -n "$out" ]; then
		echo "$out"
		return 1
	fi
}
# metric FILE NAME [LABELS]: a sample's value.
metric() { awk -v n="$2{interface=\"$IF_S\"${3:-}}" '$1 == n { print $2 }' "$1"; }
same() { [ "$1" = "$2" ] || { echo "'$1' != '$2'"; return 1; }; }

in_s "$SHAKEOFF" stats "$IF_S" --prometheus >"$WORK/stats.prom"
in_s "$SHAKEOFF" stats "$IF_S" --json >"$WORK/stats.json"
check "stats --prometheus passes promtool check metrics" valid stats "$WORK/stats.prom"
json() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/stats.json" "$1"; }
for c in syn_recv established handoff_ok synack_retrans half_open flows; do
	suffix=_total
	case $c in half_open | flows) suffix= ;; esac
	check "shakeoff_$c$suffix is what stats --json says ($(json $c))" \
		same "$(metric "$WORK/stats.prom" shakeoff_$c$suffix)" "$(json $c)"
done
check "20 handshakes handed off" same "$(json handoff_ok)" 20
n=$(metric "$WORK/stats.prom" shakeoff_handshake_rtt_seconds_count)
check "the RTT histogram counts the timed handshakes ($n, rtt_samples $(json rtt_samples))" \
	same "$n" "$(json rtt_samples)"
check "its +Inf bucket is its count" \
	same "$(metric "$WORK/stats.prom" shakeoff_handshake_rtt_seconds_bucket ',le="+Inf"')" "$n"
check "the backlog's mode is a 1 among 0s" \
	same "$(metric "$WORK/stats.prom" shakeoff_backlog ',mode="state"')" 1
check "the daemon is up" same "$(metric "$WORK/stats.prom" shakeoff_daemon_up)" 1

in_s curl -sS -D "$WORK/headers" -o "$WORK/http.prom" "$URL"
check "GET /metrics: 200 ($(head -1 "$WORK/headers" | tr -d '\r'))" grep -q "^HTTP/1.0 200" "$WORK/headers"
check "in the text format's content type" grep -qi "^Content-Type: text/plain; version=0.0.4" "$WORK/headers"
check "the scrape passes promtool check metrics" valid http "$WORK/http.prom"
check "and counts the same handshakes" \
	same "$(metric "$WORK/http.prom" shakeoff_established_total)" "$(json established)"
code() { in_s curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "another path is 404" same "$(code http://127.0.0.1:$PORT/other)" 404
check "another method is 405" same "$(code -X POST "$URL")" 405
# A client that connects and says nothing does not stop the next scrape.
in_s python3 -c 'import socket, time; s = socket.create_connection(("127.0.0.1", '$PORT')); time.sleep(5)' &
silent=$!
sleep 0.2
check "a scrape beside a silent client still answers" same "$(code --max-time 4 "$URL")" 200
kill $silent 2>/dev/null
wait $silent 2>/dev/null

file_current() { same "$(metric "$PROM" shakeoff_established_total)" "$(json established)"; }
eventually 3 "--metrics-file holds the same count within a second" file_current
check "--metrics-file passes promtool check metrics" valid file "$PROM"
check "and leaves no temporary file" test ! -e "$PROM.tmp"

so_stop
refused() { in_s curl -s -o /dev/null "$URL"; test $? = 7; }
check "stopped, the endpoint is gone" refused
finish
