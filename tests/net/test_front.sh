#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Front mode: a router answers SYNs for the server behind it (shakeoff run
# --front), validates the final ACK and lets the kernel forward it; the
# server (shakeoff backend, the same key file) turns it into a connection.
# Nothing is translated, and the server's stack never sees a SYN.
# (Topology: lib.sh, topo_front.)
#
#   client $NS_C             front $NS_F (forwarding)           server $NS_S
#  +----------------+      +------------------------------+     +-----------------+
#  | $IF_C          |<---->| $IF_FC 10.82.0.1  fd82::1    |     | $IF_S 10.83.0.2 |
#  | 10.82.0.2      |      |   XDP: shakeoff run --front  |     |   fd83::2       |
#  | fd82::2        |      | $IF_FS 10.83.0.1  fd83::1 <--+---->| TC: backend     |
#  | XDP: xdp_pass  |      +------------------------------+     | nginx, tcptool  |
#  +----------------+                                           +-----------------+
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

same() { [ "$1" = "$2" ] || { echo "'$1' != '$2'"; return 1; }; }
topo_front || { fail "topology"; finish; }
for k in key other; do
	key_file "$WORK/$k" "wscale 7" "features wscale sack ts   # no ecn"
done

# The server: nginx (80), an echo (7000), a server-speaks-first service
# (7100); nft counts the SYNs its stack is given, and spoofed sources.
nginx_start || fail "nginx"
tcp_server 7000 || fail "echo server"
bg_s "$WORK/banner.log" python3 "$TCPTOOL" server 7100 --banner "220 ready"
wait_for 5 listening 7100 || fail "banner server"
in_s nft -f - <<-NFT || fail "nft on the server"
	table inet seen {
		chain in {
			type filter hook input priority 0;
			tcp flags & (syn | ack) == syn counter
			ip saddr 198.18.0.0/15 counter
		}
	}
NFT
seen() { in_s nft list chain inet seen in | grep "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

F_LOG=$WORK/front.log B_LOG=$WORK/backend.log
nsenter --net=/run/netns/"$NS_F" "$SHAKEOFF" run "$IF_FC" --front --protect 10.83.0.0/24:80,7000,7100 \
	--protect fd83::/64:80,7000,7100 --key-file "$WORK/key" >>"$F_LOG" 2>&1 &
F_PID=$!
BG_PIDS+=("$F_PID")
# backend_start KEYFILE
backend_start() {
	local n
	n=$(grep -c "attached (" "$B_LOG" 2>/dev/null)
	bg_s "$B_LOG" "$SHAKEOFF" backend "$IF_S" --ports 80,7000,7100 --key-file "$1"
	B_PID=$BG_PID
	more() { test "$(grep -c "attached (" "$B_LOG" 2>/dev/null)" -gt "${n:-0}"; }
	wait_for 10 more
}
front_up() { grep -q "attached (" "$F_LOG"; }
wait_for 10 front_up || { fail "shakeoff run --front" "$(tail -n 5 "$F_LOG")"; finish; }
backend_start "$WORK/key" || { fail "shakeoff backend" "$(tail -n 5 "$B_LOG")"; finish; }
fst() { in_f "$SHAKEOFF" stats "$IF_FC" --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
bst() { in_s "$SHAKEOFF" stats "$IF_S" --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

role() { in_f "$SHAKEOFF" status "$IF_FC" | grep -q "front for the servers behind it"; }
check "status says what the front is" role
ws() { grep -q "wscale 7, .*features wscale sack ts$" "$F_LOG" &&
	grep -q "wscale 7, .*features wscale sack ts$" "$B_LOG"; }
check "front and backend take wscale 7 and the features from the key file" ws
refused_ts() {
	local err rc
	in_s sysctl -qw net.ipv4.tcp_timestamps=0
	err=$(in_s "$SHAKEOFF" backend "$IF_S" --ports 7000 --key-file "$WORK/key" 2>&1)
	rc=$?
	in_s sysctl -qw net.ipv4.tcp_timestamps=1
	if [ "$rc" != 2 ] || [[ $err != *"offers ts, but net.ipv4.tcp_timestamps is 0"* ]]; then
		echo "exit $rc: $err"
		return 1
	fi
}
check "a server whose stack refuses an offered option is refused at start" refused_ts

# Real clients, IPv4 and IPv6, both kinds of protocol.
get() { in_c curl -s -g -o "$WORK/got" --max-time 10 "http://$1/1m.bin" && cmp -s "$WORK/got" "$WORK/www/1m.bin"; }
for a in $B4 "[$B6]"; do
	check "nginx through the front ($a): 1 MiB byte-exact" get "$a"
done
for a in $B4 $B6; do
	tcptool_c many "$a" 7000 --count 100 --parallel 4 --bytes 65536 --timeout 30 >"$WORK/many.out"
	rc=$?
	check "echo through the front ($a): 100 x 64 KiB byte-exact ($(cat "$WORK/many.out"))" test $rc = 0
	check "server speaks first ($a)" tcptool_c client "$a" 7100 --banner "220 ready" --bytes 1000 --timeout 5
done
n=$((2 + 200 + 2))
check "the front answered every SYN ($(fst synack_sent) of $n)" test "$(fst synack_sent)" -ge $n
check "and validated every handshake ($(fst ack_valid))" test "$(fst ack_valid)" -ge $n
check "the backend handed off every one ($(bst handoff_ok))" test "$(bst handoff_ok)" -ge $n
check "none failed (handoff_fail $(bst handoff_fail))" same "$(bst handoff_fail)" 0
check "the server's stack was given no SYN ($(seen 'syn'))" same "$(seen 'syn')" 0

# --forward-xdp: the front forwards what it let through by XDP_REDIRECT
# (bpf_fib_lookup for the route and neighbour; a veth delivers redirected
# frames only to a peer with an XDP program: the server's end gets one).
kill -TERM "$F_PID"
wait "$F_PID" 2>/dev/null
in_s ip link set dev "$IF_S" xdpdrv obj "$ROOT/.output/xdp_pass.bpf.o" sec xdp ||
	fail "xdp_pass on the server's end"
nsenter --net=/run/netns/"$NS_F" "$SHAKEOFF" run "$IF_FC" --front --protect 10.83.0.0/24:80,7000,7100 \
	--protect fd83::/64:80,7000,7100 --key-file "$WORK/key" --forward-xdp "$IF_FS" \
	--flow-idle 3 >>"$F_LOG" 2>&1 &
F_PID=$!
BG_PIDS+=("$F_PID")
front_again() { test "$(grep -c "attached (" "$F_LOG")" -ge 2; }
wait_for 10 front_again || { fail "shakeoff run --front --forward-xdp" "$(tail -n 5 "$F_LOG")"; finish; }
fwd0=$(fst forwarded_xdp) ho0=$(bst handoff_ok)
for a in $B4 $B6; do
	tcptool_c many "$a" 7000 --count 50 --parallel 4 --bytes 65536 --timeout 30 >"$WORK/many.out"
	rc=$?
	check "XDP_REDIRECT ($a): 50 x 64 KiB byte-exact ($(cat "$WORK/many.out"))" test $rc = 0
done
check "nginx by XDP_REDIRECT: 1 MiB byte-exact" get "[$B6]"
check "the front forwarded them itself (forwarded_xdp $fwd0 -> $(fst forwarded_xdp))" \
	test "$(fst forwarded_xdp)" -ge $((fwd0 + 100 * 30))
check "and the backend handed off each handshake ($ho0 -> $(bst handoff_ok))" \
	test "$(bst handoff_ok)" -ge $((ho0 + 101))
check "the server's stack still saw no SYN ($(seen 'syn'))" same "$(seen 'syn')" 0

# Idle connections: a front has no socket to ask about a connection it has
# forgotten, so it waits as a NAT must (RFC 5382: 2 h 4 min), and the
# operator can say otherwise (here --flow-idle 3).
check "a front forgets an idle connection after 2 h 4 min by default" \
	grep -q "front for 2 destinations, forgets a connection idle 7440 s;" "$F_LOG"
check "--flow-idle says otherwise" grep -q "forgets a connection idle 3 s;" "$F_LOG"
check "a connection silent for less goes on" tcptool_c client $B4 7000 --bytes 1000 --pause 1 --timeout 5
idle0=$(fst flow_idle_expired)
# The client's own segments after the pause are dropped: it times out.
# (Forgotten 5 s into the silence at most: the sweep runs every second.)
forgotten() { ! tcptool_c client "$B4" 7000 --bytes 1000 --pause 8 --timeout 3; }
check "one silent for longer is forgotten: its next segments are dropped" forgotten
idle_counted() { # says the counter when it has not moved
	test "$(fst flow_idle_expired)" -gt "$idle0" || { fst flow_idle_expired; return 1; }
}
eventually 2 "... as an idle expiry (flow_idle_expired was $idle0)" idle_counted

# The final ACK lost: the front's daemon retransmits the SYN-ACK (from the
# server's address, through the front's routing) and the server-speaks-first
# client, which would otherwise wait forever, completes.
lose_first_acks 7100 || fail "nft on the client"
rt0=$(fst synack_retrans)
for a in $B4 $B6; do
	check "final ACK lost ($a): the banner still arrives" \
		tcptool_c client "$a" 7100 --banner "220 ready" --bytes 100 --timeout 5
done
check "the client's first ACKs really were lost ($(lost_acks))" test "$(lost_acks)" -ge 2
check "the front retransmitted the SYN-ACKs ($rt0 -> $(fst synack_retrans))" \
	test "$(fst synack_retrans)" -ge $((rt0 + 2))
in_c nft delete table inet lossy

# A spoofed flood through the front reaches the server as nothing.
syn0=$(fst syn_recv)
in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_FC" --dst $B4 --dport 7000 --opts \
	--duration 3 --count 100000 >"$WORK/flood.out" 2>&1 || fail "synflood" "$(cat "$WORK/flood.out")"
check "the front took the flood ($(($(fst syn_recv) - syn0)) SYNs; $(cat "$WORK/flood.out"))" \
	test $(($(fst syn_recv) - syn0)) -ge 1000
check "and the server saw none of it ($(seen '198.18'))" same "$(seen '198.18')" 0
check "while real clients still connect" tcptool_c many $B4 7000 --count 50 --parallel 4 --bytes 1000 --timeout 30

# Forged ACKs: through the front they die there; sent straight to the server,
# there. (From an address no client used, so none hits a flow the front
# still knows: such an ACK is passed on, and dies at the backend.)
finv0=$(fst ack_invalid) binv0=$(bst ack_invalid)
tcptool_c forge "$IF_C" 10.82.0.3 $B4 7000 --dst-mac "$MAC_FC" --count 200 >/dev/null || fail "forge"
died_front() { test "$(fst ack_invalid)" -ge $((finv0 + 200)); }
eventually 3 "200 forged ACKs die at the front ($finv0 -> $(fst ack_invalid))" died_front
check "and none reached the backend ($(bst ack_invalid), was $binv0)" same "$(bst ack_invalid)" "$binv0"
MAC_S=$(ip -n "$NS_S" -br link show "$IF_S" | awk '{print $3}')
in_f python3 "$TCPTOOL" forge "$IF_FS" 10.82.0.3 $B4 7000 --dst-mac "$MAC_S" --count 200 >/dev/null ||
	fail "forge to the backend"
died_back() { test "$(bst ack_invalid)" -ge $((binv0 + 200)); }
eventually 3 "200 forged ACKs sent past the front die at the backend ($(bst ack_invalid))" died_back

# A backend with another key: the front's cookies are forgeries to it.
kill -TERM "$B_PID"
wait "$B_PID" 2>/dev/null
backend_start "$WORK/other" || { fail "backend with another key"; finish; }
refused() { ! tcptool_c client "$B4" 7000 --bytes 100 --timeout 2; }
check "another key on the backend: the connection fails" refused
# No backend at all: the server's kernel takes the ACK for a cookie of its
# own, finds none, and resets it: the client is refused at once.
kill -TERM "$B_PID"
wait "$B_PID" 2>/dev/null
reset() { tcptool_c client "$B4" 7000 --bytes 100 --timeout 5 | grep -q "reset\|refused"; }
check "no backend agent: the client is reset, not left hanging" reset
finish
