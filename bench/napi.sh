# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Threaded NAPI for the flood benchmarks (bench/run.sh, bench/front.sh):
# source it after tests/net/lib.sh.
threaded() { # NS IF
	ip netns exec "$1" sh -c "echo 1 > /sys/class/net/$2/threaded" 2>/dev/null
	[ "$(ip netns exec "$1" cat /sys/class/net/"$2"/threaded)" = 1 ] ||
		{ note "cannot make $2's NAPI threaded"; exit 1; }
}
# A NAPI thread is "napi/IFACE-ID", its comm cut to 15 characters.
napi_pids() { ps -eo pid,comm | awk -v n="napi/$1-" 'index($2, substr(n, 1, 15)) == 1 { print $1 }'; }
