#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Sharing the interface with another XDP program. This kernel refuses
# freplace, so libxdp's dispatcher cannot run and one program owns the XDP
# hook: with xdp-filter (Debian's xdp-tools) attached, shakeoff refuses and
# names it, leaving it in place; with --replace it takes over and says whom
# it detached. (Topology: lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
xdp_id() { in_s ip -j link show dev "$IF_S" | python3 -c '
import json, sys
l = json.load(sys.stdin)[0]
print(l.get("xdp", {}).get("prog", {}).get("id", 0))'; }

in_s xdp-filter load "$IF_S" >"$WORK/filter.log" 2>&1 || { fail "xdp-filter load" "$(cat "$WORK/filter.log")"; finish; }
theirs=$(xdp_id)
check "xdp-filter holds the XDP hook (program id $theirs)" test "$theirs" -gt 0
if in_s xdp-loader status "$IF_S" 2>/dev/null | grep -q xdp_dispatcher; then
	# A kernel with freplace: the two share the hook through the dispatcher.
	so_start --ports 7000 || { fail "shakeoff run beside xdp-filter"; finish; }
	both() { in_s xdp-loader status "$IF_S" | grep -q shakeoff_xdp &&
		in_s xdp-loader status "$IF_S" | grep -q xdpfilt_; }
	check "shakeoff joins xdp-filter in libxdp's dispatcher" both
	check "a client connects through both" tcptool_c client $IP4_S 7000 --bytes 1000
	so_stop
	in_s xdp-filter unload "$IF_S" --all >/dev/null 2>&1
	finish
fi

in_s "$SHAKEOFF" run "$IF_S" --ports 7000 >"$WORK/refused.out" 2>"$WORK/refused.err"
rc=$?
check "shakeoff run refuses: exit $rc, want 1" test $rc = 1
check "in one line naming the program and --replace: $(cat "$WORK/refused.err")" \
	grep -qx "shakeoff: run: $IF_S: XDP program xdpfilt_[a-z_]* (id $theirs) is attached.*--replace" \
	"$WORK/refused.err"
check "and one line only" test "$(wc -l <"$WORK/refused.err")" = 1
check "xdp-filter's program is still attached (id $(xdp_id), was $theirs)" test "$(xdp_id)" = "$theirs"
check "shakeoff left nothing behind" test ! -e "$PIN_S"

so_start --ports 7000 --replace || { fail "shakeoff run --replace"; finish; }
check "--replace names what it detached" grep -q "detached XDP program xdpfilt_[a-z_]* (id $theirs)" "$SO_LOG"
ours() { in_s "$SHAKEOFF" status "$IF_S" --json | grep -q '"xdp_attached":true'; }
check "shakeoff_xdp holds the hook now (id $(xdp_id))" ours
so_answering 1 || fail "shakeoff sees the listener"
check "a client connects through shakeoff" tcptool_c client $IP4_S 7000 --bytes 1000
check "through its handoff" stat_is handoff_ok 1
so_stop
check "stopped, it leaves the hook empty (id $(xdp_id))" test "$(xdp_id)" = 0
in_s xdp-filter unload "$IF_S" --all >/dev/null 2>&1
finish
