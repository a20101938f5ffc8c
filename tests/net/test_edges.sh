#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What shakeoff must leave alone or refuse: forged ACKs and damaged SYNs
# get no answer,
# connections older than shakeoff keep working, so do connections it forgot
# while they were idle, ports without a listener and unprotected ports stay
# the kernel's. (Topology: tests/net/lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
tcp_server 7001 || fail "unprotected echo server"
tcp_server 7003 --banner "bye" --close || fail "close-first server"

# The server closes first: it keeps a TIME_WAIT socket, the client none.
get() { tcptool_c client $IP4_S 7003 --banner bye --bytes 0 --timeout 5 --local-port "$1"; }
get 45000 || fail "a connection before shakeoff"
server_tw() { in_s ss -Htan state time-wait "sport = :7003" | grep -q ":$1\b"; }
check "the server kept its TIME_WAIT socket" server_tw 45000

# A connection opened before shakeoff attaches, busy across the attach.
tcptool_c hold $IP4_S 7000 --seconds 6 >"$WORK/hold.out" 2>&1 &
hold=$!
sleep 1.5
so_start --ports 7000,7002,7003 --flow-idle 3 || { fail "shakeoff run"; finish; }
so_answering 2 || fail "shakeoff answers for the two ports with a listener"
wait $hold
check "a connection from before shakeoff keeps working" grep -q "^ok" "$WORK/hold.out"
check "its segments were passed as established" test "$(so_stat established)" -gt 0

check "the kernel's TIME_WAIT sockets from before shakeoff are tracked" \
	grep -q "tracking .* connections the kernel already had (1 in TIME_WAIT)" "$SO_LOG"
known0=$(so_stat syn_known)
check "a client reusing its port over such a socket connects" get 45000
check "through the kernel, which recycles TIME_WAIT" test "$(($(so_stat syn_known) - known0))" = 1

inv0=$(so_stat ack_invalid)
replies=$(tcptool_c forge "$IF_C" $IP4_C $IP4_S 7000 --dst-mac "$MAC_S")
check "a forged ACK gets no answer" test "$replies" = "replies=0"
check "and counts ack_invalid" test "$(($(so_stat ack_invalid) - inv0))" = 1
# The same forgery at an unprotected port reaches the kernel, which resets it:
# so the probe above could have seen an answer.
replies=$(tcptool_c forge "$IF_C" $IP4_C $IP4_S 7001 --dst-mac "$MAC_S")
check "the kernel answers it on an unprotected port (RST)" test "$replies" = "replies=1"

# SYNs damaged on the way are not answered: a SYN-ACK would go to whoever
# the damaged source address names. The same SYNs intact are.
csum0=$(so_stat drop_csum)
replies=$(tcptool_c forge "$IF_C" $IP4_C $IP4_S 7000 --dst-mac "$MAC_S" --syn --bad-csum --count 20)
check "20 SYNs with a wrong TCP checksum get no answer" test "$replies" = "replies=0"
check "and count drop_csum" stat_is drop_csum $((csum0 + 20))
replies=$(tcptool_c forge "$IF_C" $IP4_C $IP4_S 7000 --dst-mac "$MAC_S" --syn --count 20)
check "the same 20 SYNs intact get 20 SYN-ACKs" test "$replies" = "replies=20"

syn0=$(so_stat syn_recv)
check "an unprotected port works normally" tcptool_c client $IP4_S 7001 --bytes 100000
check "without shakeoff seeing its SYN" test "$(so_stat syn_recv)" = "$syn0"
# 7002 is protected but has no listener: the kernel refuses, as it would.
refused() { tcptool_c client "$IP4_S" 7002 --bytes 10 --timeout 3 | grep -q "Connection refused"; }
check "a protected port without a listener is refused at once" refused
check "and shakeoff did not answer its SYN" test "$(so_stat syn_recv)" = "$syn0"

# A listener that appears later is picked up within a couple of seconds.
tcp_server 7002 || fail "late listener"
if so_answering 3; then pass "a new listener is answered for"; else fail "a new listener is answered for"; fi
check "and serves through shakeoff" tcptool_c client $IP6_S 7002 --bytes 100000
check "with the handshake from XDP" test "$(so_stat syn_recv)" = $((syn0 + 1))

# A connection busy for longer than --flow-idle (3 s here) is never taken
# for idle; one silent past it is forgotten, and its next segment finds the
# kernel's socket and brings it back. (No other connection is open now.)
idle0=$(so_stat flow_idle_expired)
tcptool_c hold $IP4_S 7000 --seconds 7 >"$WORK/hold2.out" 2>&1
check "a connection busy for twice --flow-idle" grep -q "^ok" "$WORK/hold2.out"
check "... is never taken for idle ($idle0 -> $(so_stat flow_idle_expired))" \
	test "$(so_stat flow_idle_expired)" = "$idle0"
# Silent 8 s: the sweep (every second) moves `seen` on up to a second late
# and forgets the flow up to a second after --flow-idle, 5 s at most.
check "a connection silent past --flow-idle goes on" \
	tcptool_c client $IP4_S 7000 --bytes 1000 --pause 8 --timeout 5
idle_counted() { # says the counter when it has not moved
	test "$(so_stat flow_idle_expired)" -gt "$idle0" || { so_stat flow_idle_expired; return 1; }
}
eventually 2 "... forgotten meanwhile (flow_idle_expired was $idle0)" idle_counted
finish
