#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Half-open state and its timers, with real kernel peers: SYN-ACK
# retransmission rescues a lost final ACK, spoofed entries expire on the
# kernel's schedule, closed flows pass through TIME_WAIT for 2*MSL, and
# every handshake is an event. (Topology: tests/net/lib.sh.)
. "$(dirname "$0")/lib.sh"

topo_up || { fail "topology"; finish; }
tcp_server 7100 --banner "220 ready" || fail "banner server"
tcp_server 7200 --banner "bye" --close || fail "close-first server"
nginx_start || fail "nginx"

# The client loses the first pure ACK of every connection to port 7100:
# the handshake's last one. Later ACKs of the connection pass.
in_c nft -f - <<'NFT' || fail "nft"
table inet lossy {
	set seen4 { type ipv4_addr . inet_service; timeout 60s; }
	set seen6 { type ipv6_addr . inet_service; timeout 60s; }
	chain out {
		type filter hook output priority 0;
		tcp dport 7100 tcp flags == ack ip saddr . tcp sport @seen4 accept
		tcp dport 7100 tcp flags == ack ip6 saddr . tcp sport @seen6 accept
		tcp dport 7100 tcp flags == ack meta nfproto ipv4 add @seen4 { ip saddr . tcp sport } counter drop
		tcp dport 7100 tcp flags == ack meta nfproto ipv6 add @seen6 { ip6 saddr . tcp sport } counter drop
	}
}
NFT
server_tw() { in_s ss -Htan state time-wait "sport = :7200" | grep -q ":$1\b"; }
lost_acks() { in_c nft list ruleset | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | paste -sd+ | bc; }

# (a) With state the banner arrives after one SYN-ACK retransmission...
so_start --ports 7100,7200,80 --msl 2 || { fail "shakeoff run"; finish; }
so_answering 3 || fail "shakeoff sees the listeners"
bg_s "$WORK/events.json" "$SHAKEOFF" events "$IF_S" --json
events=$BG_PID
sleep 0.3
retrans0=$(so_stat synack_retrans)
t0=$(date +%s%N)
check "(a) server speaks first, final ACK lost: the banner arrives (IPv4)" \
	tcptool_c client $IP4_S 7100 --banner "220 ready" --bytes 1000 --timeout 5
t1=$(date +%s%N)
check "(a) ... after a SYN-ACK retransmission, about 1 s in" \
	test $(((t1 - t0) / 1000000)) -ge 900 -a $(((t1 - t0) / 1000000)) -lt 3000
check "(a) server speaks first, final ACK lost: the banner arrives (IPv6)" \
	tcptool_c client $IP6_S 7100 --banner "220 ready" --bytes 1000 --timeout 5
check "(a) the ACKs really were lost" test "$(lost_acks)" = 2
check "(a) synack_retrans counted both" test "$(($(so_stat synack_retrans) - retrans0))" = 2
check "(a) both completed via state" test "$(so_stat ack_via_state)" = 2

# (e) one handshake event per connection, with its tuple.
ports=()
for i in 1 2 3; do
	port=$((41000 + i))
	ports+=($port)
	in_c curl -sf -m 10 -o /dev/null -H "Connection: close" --local-port $port "http://$IP4_S/1m.bin" ||
		fail "curl $i"
done
in_c curl -sf -m 10 -o /dev/null -H "Connection: close" --local-port 41004 "http://[$IP6_S]/1m.bin" ||
	fail "curl v6"
ports+=(41004)
sleep 0.5
kill $events
events_ok() {
	python3 - "$WORK/events.json" "${ports[@]}" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
hs = [e for e in evs if e["type"] == "handshake" and e["server_port"] == 80]
want = sorted(int(p) for p in sys.argv[2:])
assert sorted(e["client_port"] for e in hs) == want, hs
# No retransmission: the RTT is the handshake's age (to a jiffy, or to the us if timed).
assert all(e["via"] == "state" and e["retrans"] == 0 and e["rtt_us"] == e["age_us"] < 100000
           and e["mss"] in (1440, 1460) for e in hs), hs
b = [e for e in evs if e["type"] == "handshake" and e["server_port"] == 7100]
assert len(b) == 2 and all(e["retrans"] == 1 for e in b), b
PY
}
check "(e) shakeoff events --json: one handshake event per connection" events_ok

# (d) Closed connections go ESTABLISHED -> CLOSING (one FIN) -> TIME_WAIT
# (both), and leave after 2*MSL = 4 s. The close-first server keeps the
# TIME_WAIT socket on its side, so its client can reuse the port at once.
flow_state() {
	bpftool -j map dump pinned /sys/fs/bpf/shakeoff/"$IF_S"/so_flows | python3 -c '
import json, socket, sys
for e in json.load(sys.stdin):
    k, v = e["formatted"]["key"], e["formatted"]["value"]
    if socket.ntohs(k["sport"]) == int(sys.argv[1]):
        print({1: "ESTABLISHED", 2: "CLOSING", 3: "TIME_WAIT"}[v["state"]])' "$1"
}
bye() { tcptool_c client $IP4_S 7200 --banner bye --bytes 0 --timeout 5 --local-port "$1"; }
check "(d) a server-closed connection" bye 42001
check "(d) is in TIME_WAIT" test "$(flow_state 42001)" = TIME_WAIT
check "(d) as the server's own socket is" server_tw 42001
check "(d) client-closed ones are too" test "$(flow_state 41001)" = TIME_WAIT
tw0=$(so_stat time_wait_expired)
# The same client port again at once: a SYN for a connection we track is
# the kernel's, which recycles its own TIME_WAIT socket.
known0=$(so_stat syn_known)
check "(d) the port is reused during TIME_WAIT" bye 42001
check "(d) by the kernel, as without shakeoff" test "$(($(so_stat syn_known) - known0))" = 1
sleep 1
check "(d) 1 s later the other entries are still there" test "$(flow_state 41002)" = TIME_WAIT
sleep 5
check "(d) after 2*MSL they are gone" test -z "$(flow_state 41002)"
check "(d) and counted" test "$(($(so_stat time_wait_expired) - tw0))" -ge 4

# (a) ... and without state it does not: nothing retransmits the SYN-ACK.
so_stop
so_start --ports 7100 --stateless || fail "shakeoff run --stateless"
so_answering 1
no_banner() { ! tcptool_c client $IP4_S 7100 --banner "220 ready" --bytes 10 --timeout 4; }
check "(a) --stateless: the client waits for a banner that never comes" no_banner
check "(a) --stateless: and no SYN-ACK was retransmitted" test "$(so_stat synack_retrans)" = 0

# (b) N spoofed SYNs: N half-open entries, retransmitted on schedule, gone
# after the last timeout (--synack-retries 2: 1 s, 2 s, then 4 s: 7 s).
so_stop
so_start --ports 7100 --synack-retries 2 || fail "shakeoff run (b)"
so_answering 1
in_c tcpdump -i "$IF_C" -nn -U -w "$WORK/synacks.pcap" 'src port 7100 and tcp[13] == 0x12' 2>/dev/null &
dump=$!
BG_PIDS+=($dump)
sleep 0.5
n=500
in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_S" --dst $IP4_S --dport 7100 --opts \
	--count $n --rate 5000 >/dev/null
t0=$(date +%s)
sleep 0.3
check "(b) $n spoofed SYNs: $n half-open entries" test "$(so_stat half_open)" = $n
sleep 4.5
check "(b) 5 s in: still $n, each retransmitted twice" \
	test "$(so_stat half_open)" = $n -a "$(so_stat synack_retrans)" = $((2 * n))
half_open_is() { test "$(so_stat half_open)" = "$1"; }
wait_for 5 half_open_is 0
check "(b) about 7 s in: none left ($(($(date +%s) - t0)) s)" half_open_is 0
check "(b) all $n counted as expired" test "$(so_stat expired_half_open)" = $n
kill $dump
wait $dump 2>/dev/null
check "(b) the retransmissions were on the wire: $((3 * n)) SYN-ACKs" \
	test "$(tcpdump -nn -r "$WORK/synacks.pcap" 2>/dev/null | wc -l)" = $((3 * n))
finish
