#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Inspection that does not depend on where bpffs is: a daemon started with
# `ip netns exec` (which remounts /sys and hides the host's bpffs) is seen,
# streamed and stopped from `ip netns exec` and from `nsenter --net`
# alike, because stats, status, events and detach find it through the
# interface. Its pins are in the host's bpffs for bpftool; when it can see
# no bpffs at all it says so in one line, and still everything but the
# pins works, a crash included. (Topology: lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

topo_up || { fail "topology"; finish; }
tcp_server 7000 || fail "echo server"
NX() { ip netns exec "$NS_S" "$SHAKEOFF" "$@"; }
NE() { in_s "$SHAKEOFF" "$@"; }
HIDDEN="no bpffs in sight"

# nx_start [CMD-PREFIX...]: shakeoff run under ip netns exec, wait until attached.
nx_start() {
	local before
	before=$(attached_count)
	"$@" ip netns exec "$NS_S" "$SHAKEOFF" run "$IF_S" --ports 7000 >>"$SO_LOG" 2>&1 &
	BG_PIDS+=($!)
	wait_for 10 attached_more "$before" || {
		echo "    shakeoff did not start:" && sed 's/^/    | /' "$SO_LOG"
		return 1
	}
}
daemon_pid() { NE status "$IF_S" --json | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'; }
handshake() { tcptool_c client $IP4_S 7000 --bytes 100; }
stats_ok() { "$1" stats "$IF_S" --json | grep -q "\"iface\":\"$IF_S\""; }
status_live() {
	local o
	o=$("$1" status "$IF_S")
	grep -q "daemon pid $(daemon_pid) running" <<<"$o" || { echo "$o"; return 1; }
}
# inspect HOW WHAT: stats, status and events work from HOW (NX or NE).
inspect() {
	local how=$1 what=$2 ev=$WORK/events.$RANDOM reader
	check "$what: stats from $how" stats_ok "$how"
	check "$what: status from $how names the live daemon" status_live "$how"
	"$how" events "$IF_S" --json >"$ev" 2>&1 &
	reader=$!
	sleep 0.3
	handshake >/dev/null || fail "$what: a handshake while $how events listens"
	eventually 3 "$what: events from $how see the handshake" grep -q '"type":"handshake"' "$ev"
	kill $reader 2>/dev/null
	wait $reader 2>/dev/null
}

# 1. Started with ip netns exec: the host's bpffs, seen from both ways in.
nx_start || { fail "shakeoff run under ip netns exec"; finish; }
so_answering 1 || fail "shakeoff sees the listener"
no_warning() { ! grep "$HIDDEN" "$SO_LOG"; }
check "under ip netns exec it found the host's bpffs" no_warning
check "its pins are in the host's bpffs ($PIN_S)" bpftool map dump pinned "$PIN_S"/so_stats
pin_dir_is() { NX status "$IF_S" --json | grep -q "\"pin_dir\":\"$PIN_S\""; }
check "status names the pin directory" pin_dir_is
inspect NX "ip netns exec daemon"
inspect NE "ip netns exec daemon"

# The pins gone (an operator's rm): the interface still leads to the maps.
rm -f "$PIN_S"/so_*
est_counted() { NE stats "$IF_S" --json | grep -q '"established":[1-9]'; }
check "pins removed, stats still read the counters" est_counted
not_pinned() {
	local o
	o=$(NE status "$IF_S")
	grep -q "not pinned" <<<"$o" || { echo "$o"; return 1; }
}
check "and status says the pins are out of view" not_pinned
pid=$(daemon_pid)
stopped() { "$1" detach "$IF_S" | grep -q "stopped shakeoff (pid $2)"; }
check "detach from ip netns exec stops it (pid $pid)" stopped NX "$pid"
none_left() { NX status | grep -qx "shakeoff is not attached anywhere"; }
check "and nothing is attached" none_left

# 2. No bpffs in sight: the daemon's parent sees none either. One line says
#    so; nothing is pinned where others look, the interface serves instead.
nx_start unshare -m sh -c 'umount -l /sys/fs/bpf; "$@"; exit $?' sh ||
	{ fail "shakeoff run with no bpffs in sight"; finish; }
check "it says so in one line, with the fix" test "$(grep -c "$HIDDEN.*nsenter --net" "$SO_LOG")" = 1
check "nothing pinned in the host's bpffs" test ! -e "$PIN_S"
inspect NX "hidden pins"
inspect NE "hidden pins"
est=$(so_stat established)
pid=$(daemon_pid)
kill -9 "$pid"
gone() { NE status "$IF_S" | grep -q GONE; }
eventually 5 "kill -9: status from nsenter sees it gone" gone
nx_start || fail "restart under ip netns exec"
check "the restart adopted the maps it found through the interface" grep -q "adopting the maps" "$SO_LOG"
at_least() { test "$(so_stat established)" -ge "$1"; }
check "the counters went on (established was $est)" at_least "$est"
handshake >/dev/null || fail "a handshake after the restart"
check "and the adopted maps are pinned again" bpftool map dump pinned "$PIN_S"/so_stats
pid=$(daemon_pid)
check "detach from nsenter stops it (pid $pid)" stopped NE "$pid"
check "and removes its pins" test ! -e "$PIN_S"
finish
