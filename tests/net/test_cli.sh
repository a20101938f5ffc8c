#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The CLI contract (DESIGN.md section 5): exit statuses, one-line errors,
# status and stats output, clean detach, recovery after a crash, key files.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

# expect STATUS NAME CMD...: CMD exits STATUS with exactly one stderr line
# "shakeoff: ..." (STATUS 0: any output).
expect() {
	local want=$1 name=$2 err rc
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc != "$want" ]; then
		fail "$name" "exit $rc, want $want: $err"
	elif [ "$want" != 0 ] && { [ "$(echo "$err" | wc -l)" != 1 ] || [[ "$err" != "shakeoff: "* ]]; }; then
		fail "$name" "stderr is not one 'shakeoff: ' line: $err"
	else
		pass "$name"
	fi
}

topo_up || { fail "topology"; finish; }
S() { in_s "$SHAKEOFF" "$@"; }

expect 2 "run without arguments" S run
expect 2 "run without --ports" S run "$IF_S"
expect 2 "port 0" S run "$IF_S" --ports 0
expect 2 "port 65536" S run "$IF_S" --ports 80,65536
expect 2 "malformed list" S run "$IF_S" --ports 80,,81
expect 2 "backwards range" S run "$IF_S" --ports 90-80
expect 2 "not a number" S run "$IF_S" --ports http
expect 2 "unknown flag" S run "$IF_S" --ports 80 --frobnicate
expect 2 "bad --mode" S run "$IF_S" --ports 80 --mode fast
expect 2 "--mss below 536" S run "$IF_S" --ports 80 --mss 100
expect 2 "unknown interface" S run nosuch0 --ports 80
expect 2 "unknown command" S frobnicate
expect 2 "stats of an unknown interface" S stats nosuch0
expect 1 "stats where shakeoff is not attached" S stats "$IF_S"
expect 1 "detach where shakeoff is not attached" S detach "$IF_S"
expect 2 "stats --watch 0" S stats "$IF_S" --watch 0
expect 2 "--stateless with --max-half-open" S run "$IF_S" --ports 80 --stateless --max-half-open 100
expect 2 "--synack-retries 11" S run "$IF_S" --ports 80 --synack-retries 11
expect 2 "--msl 0" S run "$IF_S" --ports 80 --msl 0
expect 2 "--flow-idle 1" S run "$IF_S" --ports 80 --flow-idle 1
expect 2 "--flow-idle 86401" S run "$IF_S" --ports 80 --flow-idle 86401
expect 2 "--max-flows 5" S run "$IF_S" --ports 80 --max-flows 5
expect 2 "--max-half-open x" S run "$IF_S" --ports 80 --max-half-open x
expect 1 "events where no daemon runs" S events "$IF_S"
expect 2 "events without an interface" S events
expect 2 "--metrics-listen without a port" S run "$IF_S" --ports 80 --metrics-listen 127.0.0.1
expect 2 "--metrics-listen with a name" S run "$IF_S" --ports 80 --metrics-listen localhost:9464
expect 2 "--metrics-listen port 0" S run "$IF_S" --ports 80 --metrics-listen '[::1]:0'
expect 2 "stats --json --prometheus" S stats "$IF_S" --json --prometheus
expect 2 "no undocumented short options" S run "$IF_S" -p 80
json_error() {
	local out
	out=$(S stats nosuch0 --json 2>/dev/null)
	[ "$out" = '{"error":"stats: nosuch0: no such interface"}' ] || { echo "stdout: $out"; return 1; }
}
check "with --json, the error is JSON on stdout too" json_error
expect 2 "top --interval 0" S top "$IF_S" --interval 0
expect 2 "backend without --key-file" S backend "$IF_S" --ports 80
expect 2 "--front without --protect" S run "$IF_S" --front --key-file /dev/null
expect 2 "--protect without --front" S run "$IF_S" --ports 80 --protect 10.0.0.0/24
expect 2 "--protect with a bad prefix" S run "$IF_S" --front --key-file /dev/null --protect 10.0.0.0/33:80
expect 2 "--protect without ports" S run "$IF_S" --front --key-file /dev/null --protect 10.0.0.0/24
expect 2 "backend takes no --stateless" S backend "$IF_S" --ports 80 --key-file /dev/null --stateless
expect 1 "top where shakeoff is not attached" S top "$IF_S"
expect 2 "--config that is missing" S run "$IF_S" --config /nonexistent/shakeoff.conf
for c in run backend status stats top events detach; do
	expect 0 "$c --help" S $c --help
done
expect 1 "run as an unprivileged user" in_s setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$SHAKEOFF" run "$IF_S" --ports 80
echo 0123456789abcdef0123456789abcdef >"$WORK/key"
chmod 644 "$WORK/key"
expect 2 "key file readable by others" S run "$IF_S" --ports 80 --key-file "$WORK/key"
echo 0123456789abcdef >"$WORK/short"
chmod 600 "$WORK/key" "$WORK/short"
expect 2 "key file too short" S run "$IF_S" --ports 80 --key-file "$WORK/short"
in_s sysctl -qw net.ipv4.tcp_syncookies=0
expect 1 "refuses tcp_syncookies=0 (the handoff would be reset)" S run "$IF_S" --ports 80
in_s sysctl -qw net.ipv4.tcp_syncookies=1

tcp_server 7000 || fail "echo server"
so_start --ports 7000,7100-7199 --key-file "$WORK/key" || { fail "shakeoff run"; finish; }
so_answering 1 || fail "shakeoff answers for its one listener"
expect 1 "a second run on the same interface" S run "$IF_S" --ports 7000

status_text() {
	local s
	s=$(S status "$IF_S")
	echo "$s" | grep -q "native XDP attached, TC ingress by tcx, daemon pid $SO_PID running" &&
		echo "$s" | grep -q "ports 7000,7100-7199 (answering for 1 with a listener)"
}
check "status names mode, pid, ports" status_text
status_json() {
	S status --json | python3 -c '
import json, sys
s = [x for x in json.load(sys.stdin) if x["iface"] == sys.argv[1]][0]
assert s["mode"] == "native" and s["xdp_attached"] and s["daemon_alive"], s
assert {m["name"] for m in s["maps"]} >= {"so_config", "so_keys", "so_stats", "so_status",
                                         "so_halfopen", "so_flows", "so_events", "so_rtt"}, s
assert all(m["bytes"] > 0 for m in s["maps"]), s' "$IF_S"
}
check "status --json lists the maps with their memory" status_json
PIN=$(S status "$IF_S" --json | sed -n 's/.*"pin_dir":"\([^"]*\)".*/\1/p')
check "status --json says where the maps are pinned" test -e "$PIN/so_config"
check "a client connects through it" tcptool_c client $IP4_S 7000 --bytes 1000
# One connection stays open while the counters are read: flows counts live ones.
tcptool_c hold $IP4_S 7000 --seconds 5 >"$WORK/hold.out" 2>&1 &
hold=$!
stats_json() {
	S stats "$IF_S" --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
for k in ("syn_recv", "synack_sent", "synack_retrans", "ack_valid", "ack_invalid",
          "handoff_ok", "handoff_fail", "half_open", "flows", "cookie_fallback", "passed",
          "dropped_malformed", "expired_half_open", "time_wait_expired",
          "rtt_samples", "rtt_p50_us", "rtt_p90_us", "rtt_p99_us"):
    assert isinstance(s[k], int), k
assert s["handoff_ok"] == 2 and s["flows"] == 1 and s["backlog"] == "state", s' || {
		S stats "$IF_S" --json
		return 1
	}
}
eventually 3 "stats --json has the counters" stats_json
wait $hold
watch_rates() { timeout 2.5 nsenter --net=/run/netns/"$NS_S" "$SHAKEOFF" stats "$IF_S" --watch 1 | grep -q "/s"; }
check "stats --watch prints rates" watch_rates
bpftool_named() { bpftool map dump pinned "$PIN"/so_config | grep -q '"mss4": 1460'; }
check "bpftool shows named fields of the pinned config" bpftool_named
keys1=$(bpftool -j map dump pinned "$PIN"/so_keys)

so_stop
no_xdp() { ! ip -n "$NS_S" link show "$IF_S" | grep -q prog/xdp; }
no_tc() { test -z "$(in_s tc filter show dev "$IF_S" ingress)"; }
no_clsact() { ! in_s tc qdisc show dev "$IF_S" | grep -q clsact; }
check "SIGTERM: no XDP program left" no_xdp
check "SIGTERM: no TC filter left" no_tc
check "SIGTERM: no qdisc of ours left" no_clsact
check "SIGTERM: nothing pinned" test ! -e "$PIN"

# The same key file gives the same keys: hosts behind one address agree.
so_start --ports 7000 --key-file "$WORK/key" || fail "restart"
# Compared slot by slot: a slot boundary (every 68.7 s) between the two
# dumps changes which slots are installed, never a slot's key.
same_keys() {
	python3 - "$keys1" "$(bpftool -j map dump pinned "$PIN"/so_keys)" <<'PY'
import json, sys
def slots(text):
    return {e["formatted"]["value"]["slot"]: e["formatted"]["value"]["k"]
            for e in json.loads(text) if e["formatted"]["value"]["slot"]}
a, b = slots(sys.argv[1]), slots(sys.argv[2])
both = a.keys() & b.keys()
if len(both) < 2 or any(a[s] != b[s] for s in both):
    sys.exit(f"first run: {a}\nsecond run: {b}")
PY
}
check "the key file derives the same keys again" same_keys
check "which serve" tcptool_c client $IP4_S 7000 --bytes 1000
# A crash leaves everything behind; a new run adopts it, detach removes it.
kill -KILL "$SO_PID"
wait "$SO_PID" 2>/dev/null
has_xdp() { ! no_xdp; }
check "after kill -9 the XDP program stays" has_xdp
gone() { S status "$IF_S" | grep -q GONE; }
check "status says the daemon is gone" gone
so_start --ports 7000 || fail "run after a crash"
check "a new run adopts the pinned maps" grep -q "adopting the maps" "$SO_LOG"
check "and the connection counters survived" stat_is handoff_ok 1
check "and serves" tcptool_c client $IP6_S 7000 --bytes 1000
kill -KILL "$SO_PID"
wait "$SO_PID" 2>/dev/null
expect 0 "detach after a crash" S detach "$IF_S"
check "detach: no XDP program left" no_xdp
check "detach: no TC filter left" no_tc
check "detach: nothing pinned" test ! -e "$PIN"
so_start --ports 7000 || fail "run for detach"
expect 0 "detach stops a running daemon" S detach "$IF_S"
check "which cleaned up after itself" test ! -e "$PIN"
finish
