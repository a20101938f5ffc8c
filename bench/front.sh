#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench-front: front mode against netfilter SYNPROXY in FORWARD, on
# lib.sh's client -- front (router) -- server testbed, into bench/front.md
# (bench/report.py carries it into RESULTS.md). Interleaved rounds
# (SO_BENCH_ROUNDS, default 3), medians and per-round ratios.
#
#  1. Established traffic through the front: iperf3 (one stream, 5 s) with
#     plain forwarding, shakeoff's front (+ backend), and SYNPROXY.
#  2. Flood capacity: a spoofed SYN flood flat out through the front,
#     SYN-ACKs/s at the client (bench/sink.bpf.c counts them) and the
#     front's CPU per SYN-ACK: its client-facing NAPI thread alone on CPU 1
#     (threaded NAPI, SCHED_FIFO), the generator and the client on CPU 0,
#     as in part 2 of bench/run.sh. Both answer from the front's NAPI.
set -u
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/../tests/net/lib.sh"
# shellcheck source=bench/napi.sh
. "$(dirname "$0")/napi.sh"
SINK=$ROOT/.output/sink.bpf.o
ROUNDS=${SO_BENCH_ROUNDS:-3}
FLOOD_S=4
PORT=7000
R=$WORK/results
: >"$R"
note() { echo "bench-front: $*" >&2; }
put() { echo "$1 $2" >>"$R"; }

topo_front || exit 1
# The front answers the flood's spoofed sources (SYNPROXY through its routing).
in_f ip route add 198.18.0.0/15 via $C4
in_c ip link set dev "$IF_C" xdpdrv off
in_c ip link set dev "$IF_C" xdpdrv obj "$SINK" sec xdp || exit 1
key_file "$WORK/key" "wscale 7"
tcp_server $PORT || exit 1
in_s nft add table inet seen &&
	in_s nft add chain inet seen in '{ type filter hook input priority 0; }' &&
	in_s nft add rule inet seen in tcp flags '& (syn | ack) == syn' counter

rx_packets() { ip -n "$NS_F" -s -j link show "$IF_FC" | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'; }
syns_seen() { in_s nft list chain inet seen in | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }
# shakeoff's rounds add up the SYNs the server's stack was given (SYNPROXY's
# rounds cannot: SYNPROXY sends the server a SYN for every connection).
shakeoff_syns=0
sink_count() {
	bpftool -j map dump name sink_synacks 2>/dev/null | python3 -c '
import json, sys
print(sum(v["value"] for e in json.load(sys.stdin) for v in e["formatted"]["values"]))'
}

setup() {
	case $1 in
	forward) ;;
	shakeoff | shakeoff_redirect)
		local fwd=()
		if [ "$1" = shakeoff_redirect ]; then
			# XDP_REDIRECT to a veth needs an XDP program on its peer.
			in_s ip link set dev "$IF_S" xdpdrv obj "$ROOT/.output/xdp_pass.bpf.o" sec xdp
			fwd=(--forward-xdp "$IF_FS")
		fi
		nsenter --net=/run/netns/"$NS_F" "$SHAKEOFF" run "$IF_FC" --front --protect "$B4/32:$PORT,5201" \
			--key-file "$WORK/key" "${fwd[@]}" >>"$WORK/front.log" 2>&1 &
		FRONT=$!
		bg_s "$WORK/backend.log" "$SHAKEOFF" backend "$IF_S" --ports "$PORT,5201" \
			--key-file "$WORK/key"
		BACKEND=$BG_PID
		up() { [ "$(grep -c "attached (" "$WORK/front.log")" -gt "$1" ] &&
			[ "$(grep -c "attached (" "$WORK/backend.log")" -gt "$1" ]; }
		wait_for 10 up "$((STARTS))" || { note "shakeoff did not start"; exit 1; }
		STARTS=$((STARTS + 1))
		;;
	synproxy)
		in_f ethtool -K "$IF_FC" gro on >/dev/null # a NAPI instance, as XDP gives shakeoff
		in_f sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
		in_f iptables -t raw -A PREROUTING -i "$IF_FC" -p tcp -m multiport --dports "$PORT,5201" \
			--syn -j CT --notrack
		in_f iptables -A FORWARD -i "$IF_FC" -p tcp -m multiport --dports "$PORT,5201" \
			-m conntrack --ctstate INVALID,UNTRACKED \
			-j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460
		in_f iptables -A FORWARD -i "$IF_FC" -m conntrack --ctstate INVALID -j DROP
		;;
	esac
}
STARTS=0
teardown() {
	case $1 in
	shakeoff | shakeoff_redirect)
		kill -TERM "$FRONT" "$BACKEND" 2>/dev/null
		wait "$FRONT" "$BACKEND" 2>/dev/null
		in_s ip link set dev "$IF_S" xdpdrv off
		;;
	synproxy)
		in_f iptables -t raw -F
		in_f iptables -F
		in_f sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1
		in_f ethtool -K "$IF_FC" gro off >/dev/null
		;;
	esac
}

# ---- 1: established traffic through the front ----------------------------
for round in $(seq "$ROUNDS"); do
	for cfg in forward shakeoff shakeoff_redirect synproxy; do
		note "part 1: iperf3 through the front, $cfg (round $round of $ROUNDS)"
		setup $cfg
		syn0=$(syns_seen)
		bg_s /dev/null iperf3 -s -1 -p 5201
		wait_for 5 listening 5201
		rx0=$(rx_packets)
		in_c iperf3 -c $B4 -p 5201 -t 5 -J >"$WORK/iperf.json"
		put "iperf.$cfg.$round" "$(python3 -c '
import json, sys
print(round(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9, 2))' "$WORK/iperf.json")"
		# How the front's client-facing interface took it: bytes per packet.
		put "iperf_seg.$cfg.$round" "$(python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["end"]["sum_sent"]["bytes"]
print(round(b / max(int(sys.argv[2]) - int(sys.argv[3]), 1)))' "$WORK/iperf.json" "$(rx_packets)" "$rx0")"
		[[ $cfg == shakeoff* ]] && shakeoff_syns=$((shakeoff_syns + $(syns_seen) - syn0))
		teardown $cfg
	done
done

# ---- 2: flood capacity -----------------------------------------------------
napi_runtime() {
	local p t=0
	for p in $(napi_pids "$IF_FC"); do t=$((t + $(awk '{ print $1 }' /proc/"$p"/schedstat))); done
	echo $t
}
threaded "$NS_C" "$IF_C"
for round in $(seq "$ROUNDS"); do
	for cfg in shakeoff synproxy; do
		note "part 2: flood through the front, $cfg (round $round of $ROUNDS)"
		setup $cfg
		threaded "$NS_F" "$IF_FC"
		for p in $(napi_pids "$IF_FC"); do taskset -pc 1 "$p" >/dev/null; chrt -f -p 50 "$p"; done
		for p in $(napi_pids "$IF_C"); do taskset -pc 0 "$p" >/dev/null; chrt -f -p 50 "$p"; done
		sleep 0.5
		taskset -c 1 chrt -i 0 timeout $((FLOOD_S + 3)) sh -c 'while :; do :; done' &
		spin=$!
		s0=$(sink_count) x0=$(napi_runtime) syn0=$(syns_seen)
		taskset -c 0 nsenter --net=/run/netns/"$NS_C" "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_FC" \
			--dst $B4 --dport $PORT --opts --duration $FLOOD_S >"$WORK/flood.out" 2>&1
		s1=$(sink_count) x1=$(napi_runtime)
		kill $spin 2>/dev/null
		wait $spin 2>/dev/null
		[ $cfg = shakeoff ] && shakeoff_syns=$((shakeoff_syns + $(syns_seen) - syn0))
		put "flood.$cfg.$round.sent" "$(sed -n 's/.* \([0-9]*\) pps/\1/p' "$WORK/flood.out")"
		put "flood.$cfg.$round.synacks" $(((s1 - s0) / FLOOD_S))
		[ $((s1 - s0)) -gt 0 ] && put "flood.$cfg.$round.ns" $(((x1 - x0) / (s1 - s0)))
		teardown $cfg
	done
done
put server_syns "$shakeoff_syns"
mkdir -p "$ROOT/.output/bench"
cp "$R" "$ROOT/.output/bench/front" # the readings, for a report made again

python3 - "$R" "$ROOT/bench/front.md" "$ROUNDS" <<'PY'
import statistics, sys
vals = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    vals[k] = float(v)
rounds = range(1, int(sys.argv[3]) + 1)
def series(fmt):
    return [vals[fmt % r] for r in rounds if fmt % r in vals]
med = lambda xs: statistics.median(xs) if xs else float("nan")
ip = {c: series(f"iperf.{c}.%d") for c in ("forward", "shakeoff", "shakeoff_redirect", "synproxy")}
fl = {c: {m: series(f"flood.{c}.%d.{m}") for m in ("synacks", "ns", "sent")}
      for c in ("shakeoff", "synproxy")}
ratio = lambda a, b: ", ".join(f"{x / y:.2f}" for x, y in zip(a, b) if y)
fwd = med(ip["shakeoff_redirect"]) / med(ip["shakeoff"])
fwd_word = "no difference beyond the rounds' swing" if abs(fwd - 1) < 0.05 else \
    "faster" if fwd > 1 else "slower"
out = ["## 7. Front mode: a router shielding the server behind it", "",
       "Measured by `make bench-front` (bench/front.sh) on lib.sh's client -- front -- server "
       f"veth testbed, {len(rounds)} interleaved rounds, medians. The front runs "
       "`shakeoff run --front` (XDP on its client-facing interface) and the server "
       "`shakeoff backend`; SYNPROXY is iptables' in the front's FORWARD chain with "
       "conntrack, as netfilter documents it for a router.", "",
       "| established traffic through the front | iperf3, Gbit/s | per round vs forwarding |",
       "|---|---|---|"]
for c, name in (("forward", "plain forwarding, no protection"),
                ("shakeoff", "shakeoff front + backend, kernel forwarding"),
                ("shakeoff_redirect", "shakeoff front + backend, --forward-xdp (XDP_REDIRECT)"),
                ("synproxy", "netfilter SYNPROXY in FORWARD")):
    out.append(f"| {name} | {med(ip[c]):.2f} | {ratio(ip[c], ip['forward']) if c != 'forward' else '-'} |")
out += ["", "| SYN flood through the front | SYN-ACKs/s | front CPU ns per SYN-ACK | generator pps |",
        "|---|---|---|---|"]
for c, name in (("shakeoff", "shakeoff front (XDP)"), ("synproxy", "netfilter SYNPROXY in FORWARD")):
    out.append(f"| {name} | {med(fl[c]['synacks']):,.0f} | {med(fl[c]['ns']):.0f} | "
               f"{med(fl[c]['sent']):,.0f} |")
out += ["", "Per round, shakeoff against SYNPROXY: SYN-ACKs/s "
        f"{ratio(fl['shakeoff']['synacks'], fl['synproxy']['synacks'])}; CPU per SYN-ACK "
        f"{ratio(fl['shakeoff']['ns'], fl['synproxy']['ns'])}. SYNs the server's stack was "
        f"given in shakeoff's rounds: {vals.get('server_syns', float('nan')):.0f} (SYNPROXY "
        "sends the server a SYN of its own for every connection it lets through).", "",
        "Established traffic is where the front costs: "
        f"{med(ip['shakeoff']) / med(ip['forward']):.2f}x plain forwarding against SYNPROXY's "
        f"{med(ip['synproxy']) / med(ip['forward']):.2f}x. Bytes of the stream per packet the "
        "front's client-facing interface received: "
        + ", ".join(f"{n} {med(series('iperf_seg.' + c + '.%d')):,.0f}" for c, n in
                    (("forward", "plain forwarding"), ("shakeoff", "shakeoff"),
                     ("synproxy", "SYNPROXY")))
        + ". So every configuration moves the same MTU-sized packets (the testbed's veths "
        "have TX offloads off): the gap is per-packet work, shakeoff's XDP program on the "
        "front (parse, flow lookup) and the backend's TC program (a socket lookup per "
        "segment: it keeps no flow table), against SYNPROXY's conntrack. The two are not "
        "measured apart yet. `--forward-xdp` (XDP_REDIRECT) moved "
        f"{med(ip['shakeoff_redirect']):.2f} Gbit/s, {fwd:.2f}x the kernel's forwarding behind "
        f"the same front ({fwd_word}: per round "
        f"{ratio(ip['shakeoff_redirect'], ip['shakeoff'])}); on veth its redirect target must "
        "itself run an XDP program (the server's end runs XDP_PASS for it)."]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY
