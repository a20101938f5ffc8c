#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make profile P=PATH: one path of bench_cost (bench/cost.c) run over and over
# under `perf record`, its samples in shakeoff_xdp put on source lines
# (bench/jitlines, bench/profile.py). Profile before you optimise.
set -eu
cd "$(dirname "$0")/.."
path=${1:?usage: bench/profile.sh PATH (a row of bench_cost: syn_stateful, ack_cookie, ...)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

perf record -q -F 4000 -o "$work/perf.data" -- .output/bench_cost "$path" >"$work/ns" &
pid=$!
# The program is loaded once the path's first figure is out: map it then.
for _ in $(seq 100); do
	[ -s "$work/ns" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.2
done
if ! [ -s "$work/ns" ]; then
	wait "$pid" || true
	echo "profile: bench_cost $path printed nothing" >&2
	exit 1
fi
.output/jitlines shakeoff_xdp >"$work/lines"
wait "$pid"
echo "bench_cost $path, median of $(wc -l <"$work/ns") calls: $(awk '{ print $2 }' "$work/ns" | sort -n |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }') ns/packet with the wrapper"
perf script -i "$work/perf.data" -F ip,sym 2>/dev/null | python3 bench/profile.py "$work/lines"
