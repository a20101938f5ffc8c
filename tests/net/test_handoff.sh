#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Real clients through shakeoff to real servers, IPv4 and IPv6: data arrives
# byte-exact both ways, every handshake is XDP's, and the server's own stack
# never answers a SYN on a protected port. (Topology: tests/net/lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_up || { fail "topology"; finish; }
nginx_start || fail "nginx"
tcp_server 7000 || fail "echo server"
tcp_server 7001 || fail "unprotected echo server"
so_start --ports 80,7000 || { fail "shakeoff run"; finish; }
so_answering 2 || fail "shakeoff sees the listeners"

# Kernel-made SYN-ACKs leaving the server; XDP_TX frames bypass this tap.
bg_s /dev/null tcpdump -i "$IF_S" -nn -U -w "$WORK/synack.pcap" 'tcp[13] & 0x12 == 0x12'
dump=$BG_PID
sleep 1

sent0=$(so_stat synack_sent) valid0=$(so_stat ack_valid) ok0=$(so_stat handoff_ok)

download() { in_c curl -sf -m 10 -o "$WORK/got" "http://$1/1m.bin" && cmp "$WORK/got" "$WORK/www/1m.bin"; }
check "IPv4 1 MiB download (nginx) byte-exact" download $IP4_S
check "IPv6 1 MiB download (nginx) byte-exact" download "[$IP6_S]"
check "IPv4 2 MiB echoed both ways byte-exact" tcptool_c client $IP4_S 7000 --bytes 2097152
check "IPv6 2 MiB echoed both ways byte-exact" tcptool_c client $IP6_S 7000 --bytes 2097152

n=4
check "synack_sent moved by $n" test "$(($(so_stat synack_sent) - sent0))" = $n
check "ack_valid moved by $n" test "$(($(so_stat ack_valid) - valid0))" = $n
check "handoff_ok moved by $n" test "$(($(so_stat handoff_ok) - ok0))" = $n
check "handoff_fail stayed 0" test "$(so_stat handoff_fail)" = 0

# The unprotected port is the kernel's: its SYN-ACK shows in the capture,
# proving the capture would have seen the server's stack answer ours.
check "unprotected port still served by the kernel" tcptool_c client $IP4_S 7001 --bytes 1000
sleep 1
kill $dump
wait $dump 2>/dev/null
synacks=$(tcpdump -nn -r "$WORK/synack.pcap" 2>/dev/null)
check "the kernel's SYN-ACK for the unprotected port was captured" \
	test "$(echo "$synacks" | grep -c "\.7001 >")" = 1
check "the server's stack sent no SYN-ACK for protected ports" \
	test "$(echo "$synacks" | grep -cE "\.(80|7000) >")" = 0
no_cookies() { in_s nstat -az TcpExtSyncookiesSent | awk 'NR > 1 && $2 != 0 { exit 1 }'; }
check "the server's stack made no SYN cookies" no_cookies
finish
