#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Half-open state and its timers, with real kernel peers: SYN-ACK
# retransmission rescues a lost final ACK, spoofed entries expire on the
# kernel's schedule, closed flows follow the server's sockets (a TIME_WAIT
# entry lives as long as the kernel's TIME_WAIT socket), and every
# handshake is an event. One daemon runs through (a) to (d), so the
# TIME_WAIT entries made early can be seen to expire at the end.
# (Topology: tests/net/lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_up || { fail "topology"; finish; }
tcp_server 7100 --banner "220 ready" || fail "banner server"
tcp_server 7200 --banner "bye" --close || fail "close-first server"
nginx_start || fail "nginx"

# The client loses the first pure ACK of every connection to port 7100:
# the handshake's last one. Later ACKs of the connection pass.
lose_first_acks 7100 || fail "nft on the client"
server_tw() { in_s ss -Htan state time-wait "sport = :7200" | grep -q ":$1\b"; }
no_server_tw() { ! server_tw "$1"; }

# A small flow table, so bpftool dumps it in a blink; half-open entries live
# 1 + 2 + 4 = 7 s (--synack-retries 2); 2*MSL is 4 s.
so_start --ports 7100,7200,80 --msl 2 --synack-retries 2 --max-flows 1024 ||
	{ fail "shakeoff run"; finish; }
so_answering 3 || fail "shakeoff sees the listeners"
bg_s "$WORK/events.json" "$SHAKEOFF" events "$IF_S" --json
events=$BG_PID
sleep 0.3

# (a) With state the banner arrives after one SYN-ACK retransmission...
t0=$(date +%s%N)
check "(a) server speaks first, final ACK lost: the banner arrives (IPv4)" \
	tcptool_c client $IP4_S 7100 --banner "220 ready" --bytes 1000 --timeout 5
t1=$(date +%s%N)
check "(a) ... after a SYN-ACK retransmission, about 1 s in ($(((t1 - t0) / 1000000)) ms)" \
	test $(((t1 - t0) / 1000000)) -ge 900 -a $(((t1 - t0) / 1000000)) -lt 3000
check "(a) server speaks first, final ACK lost: the banner arrives (IPv6)" \
	tcptool_c client $IP6_S 7100 --banner "220 ready" --bytes 1000 --timeout 5
check "(a) the ACKs really were lost" test "$(lost_acks)" = 2
eventually 2 "(a) synack_retrans counted both" stat_is synack_retrans 2
check "(a) both completed via state" stat_is ack_via_state 2

# (e) one handshake event per connection, with its tuple.
tw_at=$(date +%s) # every TIME_WAIT below begins after this
ports=()
for i in 1 2 3; do
	port=$((41000 + i))
	ports+=("$port")
	in_c curl -sf -m 10 -o /dev/null -H "Connection: close" --local-port $port "http://$IP4_S/1m.bin" ||
		fail "curl $i"
done
in_c curl -sf -m 10 -o /dev/null -H "Connection: close" --local-port 41004 "http://[$IP6_S]/1m.bin" ||
	fail "curl v6"
ports+=(41004)
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
# Events reach the reader within the daemon's 100 ms drain.
eventually 2 "(e) shakeoff events --json: one handshake event per connection" events_ok

# (d) Closed connections go ESTABLISHED -> CLOSING (one FIN) -> TIME_WAIT
# (both). A TIME_WAIT entry stands for the kernel's TIME_WAIT socket: the
# close-first server keeps one, so its client can reuse the port at once
# (the kernel recycles it), and the entry outlives 2*MSL while the socket
# lives (60 s). A connection the client closes first leaves the kernel no
# socket, and its entry goes at once.
flow_state() { # CLIENT_PORT: the state of its entry in so_flows, as bpftool shows it
	bpftool -j map dump pinned "$PIN_S"/so_flows | python3 -c '
import json, socket, sys
for e in json.load(sys.stdin):
    v = e["formatted"]["value"]
    if v["state"] and socket.ntohs(v["sport"]) == int(sys.argv[1]):
        print({1: "ESTABLISHED", 2: "CLOSING", 3: "TIME_WAIT"}[v["state"]])' "$1"
}
state_is() { # CLIENT_PORT STATE ("" for no entry); says what it found otherwise
	local got
	got=$(flow_state "$1")
	[ "$got" = "$2" ] || { echo "port $1: entry '$got', want '$2'"; return 1; }
}
bye() { # CLIENT_PORT [tcptool client options]
	local p=$1
	shift
	tcptool_c client "$IP4_S" 7200 --banner bye --bytes 0 --timeout 5 --local-port "$p" "$@"
}
check "(d) a server-closed connection" bye 42001
two_more() { bye 42002 && bye 42003; }
check "(d) two more" two_more
eventually 2 "(d) is in TIME_WAIT" state_is 42001 TIME_WAIT
check "(d) as the server's own socket is" server_tw 42001
# curl or nginx may close first: either way the entries mirror the server's sockets.
mirrors() {
	local p want
	for p in 41001 41002 41003; do
		want=""
		in_s ss -Htan state time-wait "sport = :80" | grep -q ":$p\b" && want=TIME_WAIT
		[ "$(flow_state "$p")" = "$want" ] || { echo "port $p: '$(flow_state "$p")', want '$want'"; return 1; }
	done
}
eventually 2 "(d) the curl connections' entries mirror nginx's TIME_WAIT sockets" mirrors
# A RST that ends the server's active close leaves the kernel no TIME_WAIT
# socket either (it closes with an error, from FIN_WAIT2), and no entry.
check "(d) a server-closed connection the client then resets" bye 42004 --reset
eventually 2 "(d) leaves no entry: the kernel keeps no TIME_WAIT after a RST" state_is 42004 ""
check "(d) ... as the server's own sockets show" no_server_tw 42004
passive() { tcptool_c client "$IP4_S" 7100 --banner "220 ready" --bytes 1000 --timeout 5 --local-port 43001; }
check "(d) a connection the client closes first" passive
eventually 2 "(d) leaves no entry: the kernel keeps no TIME_WAIT for it" state_is 43001 ""
# The same client port again at once: a SYN for a connection we track is
# the kernel's, which recycles its own TIME_WAIT socket.
known0=$(so_stat syn_known)
check "(d) the port is reused during TIME_WAIT" bye 42001
check "(d) by the kernel, as without shakeoff" test "$(($(so_stat syn_known) - known0))" = 1
sleep_until $((tw_at + 8))
check "(d) past 2*MSL, the entries stay while the kernel's sockets do" state_is 42003 TIME_WAIT
known0=$(so_stat syn_known)
check "(d) and a port reused then still goes to the kernel" bye 42002
check "(d) ... counted as such" test "$(($(so_stat syn_known) - known0))" = 1
kill $events

# (b) N spoofed SYNs: N half-open entries, retransmitted on schedule, gone
# after the last timeout (1 s, 2 s, then 4 s: 7 s in).
bg_c "$WORK/tcpdump.log" tcpdump -i "$IF_C" -nn -U -w "$WORK/synacks.pcap" 'src port 7100 and tcp[13] == 0x12'
dump=$BG_PID
sleep 0.5
n=500
retrans0=$(so_stat synack_retrans) expired0=$(so_stat expired_half_open)
in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_S" --dst $IP4_S --dport 7100 --opts \
	--count $n --rate 5000 >/dev/null
t0=$(date +%s%N)
eventually 1 "(b) $n spoofed SYNs: $n half-open entries" stat_is half_open $n
retransmitted() { test "$(($(so_stat synack_retrans) - retrans0))" = "$1"; }
eventually 5 "(b) each retransmitted twice, 3 s in" retransmitted $((2 * n))
check "(b) and all $n still half-open" stat_is half_open $n
eventually 6 "(b) about 7 s in: none left" stat_is half_open 0
t1=$(date +%s%N)
check "(b) ... not before ($(((t1 - t0) / 1000000)) ms)" test $(((t1 - t0) / 1000000)) -ge 6800
# The gauge and the counter are published together: no moment shows one without the other.
check "(b) all $n counted as expired, at that very moment" \
	test "$(($(so_stat expired_half_open) - expired0))" = $n
kill $dump
wait $dump 2>/dev/null
check "(b) the retransmissions were on the wire: $((3 * n)) SYN-ACKs" \
	test "$(tcpdump -nn -r "$WORK/synacks.pcap" 2>/dev/null | wc -l)" = $((3 * n))

# (d) ... and the TIME_WAIT entries go when the kernel's sockets do: 60 s.
tw0=$(so_stat time_wait_expired)
wait_for $((tw_at + 70 - $(date +%s))) state_is 42003 ""
check "(d) gone with the kernel's TIME_WAIT sockets, 60 s on ($(($(date +%s) - tw_at)) s)" \
	test "$(flow_state 42003)" = "" -a "$(($(date +%s) - tw_at))" -ge 60
eventually 2 "(d) and counted" test "$(($(so_stat time_wait_expired) - tw0))" -ge 1

# (a) ... and without state it does not: nothing retransmits the SYN-ACK.
so_stop
so_start --ports 7100 --stateless || fail "shakeoff run --stateless"
so_answering 1
no_banner() { ! tcptool_c client "$IP4_S" 7100 --banner "220 ready" --bytes 10 --timeout 4; }
check "(a) --stateless: the client waits for a banner that never comes" no_banner
check "(a) --stateless: and no SYN-ACK was retransmitted" stat_is synack_retrans 0
finish
