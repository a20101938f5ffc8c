#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make profile (bench/profile.sh): one path of the test-run bench under
# `perf record`, its samples in shakeoff_xdp put on source lines through the
# kernel's line info for the JITed image. The stateless SYN spends a good
# share of its time in SipHash (include/cookie.h) and the checksums
# (bpf/lib/csum.h), so a tool that still finds the program, reads its
# lines and maps samples onto them names those files; a broken one prints
# nothing, no program samples, or lines of some other code.
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/../net/lib.sh"

out=$WORK/profile.txt
if ! (cd "$ROOT" && timeout 120 bash bench/profile.sh syn_stateless) >"$out" 2>&1; then
	fail "make profile runs" "$(tail -n 5 "$out")"
	finish
fi
pass "make profile runs"
# The header, the program's share of all samples, then by source line.
check "it times the path (ns/packet with the wrapper)" \
	grep -Eq '^bench_cost syn_stateless, median of [0-9]+ calls: [0-9.]+ ns/packet' "$out"
in_prog=$(sed -n 's/^[0-9]* samples, \([0-9]*\) (.*in the program$/\1/p' "$out")
check "samples land in the program ($in_prog; want at least 100)" test "${in_prog:-0}" -ge 100
# The lines the samples were put on: "  12.3%  file.h:NN  source".
lines=$(sed -n '/^by source line/,/^$/p' "$out" | grep -E '^ +[0-9.]+%  ')
# has_line FILE: a line of FILE among them (else show them).
has_line() { grep -q "%  $1:[0-9]" <<<"$lines" || { echo "$lines"; return 1; }; }
check "SipHash's lines (cookie.h) among the hottest" has_line cookie.h
# ours_only: every file named is one of shakeoff's BPF sources.
ours_only() {
	local f bad=
	while read -r f; do
		[ -e "$ROOT/bpf/$f" ] || [ -e "$ROOT/bpf/lib/$f" ] || [ -e "$ROOT/include/$f" ] || bad+=" $f"
	done < <(sed -n 's/^ *[0-9.]*%  \([^: ]*\):[0-9].*/\1/p' <<<"$lines" | sort -u)
	[ -z "$bad" ] || { echo "not shakeoff's:$bad"; return 1; }
}
check "every line named is in shakeoff's BPF sources" ours_only
check "the hottest instructions are listed by offset" \
	grep -Eq '^ +[0-9.]+%  \+0x[0-9a-f]+  ' "$out"
finish
