#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a BPF program spends its time, by source line (make profile).

bench/profile.py JITLINES < `perf script -F ip,sym`

JITLINES is what bench/jitlines printed for the program: its functions'
address ranges and each source line's first address. A sample belongs to
the line whose first address is the nearest at or below it. A stalled
instruction's samples land on the instruction after it (the one waiting to
retire), so a cache miss or a locked instruction shows on the line that
follows it; the addresses list helps tell which.
"""
import bisect
import collections
import sys

TOP_LINES = 25
TOP_ADDRS = 8


def main():
    funcs, lines = [], []
    for row in open(sys.argv[1]):
        kind, rest = row.rstrip("\n").split(" ", 1)
        if kind == "func":
            addr, length = rest.split()
            funcs.append((int(addr, 16), int(length)))
        else:
            addr, where = rest.split(" ", 1)
            lines.append((int(addr, 16), where))
    lines.sort()
    starts = [a for a, _ in lines]

    def in_program(ip):
        return any(a <= ip < a + n for a, n in funcs)

    by_sym, by_line, by_addr = collections.Counter(), collections.Counter(), collections.Counter()
    total = ours = 0
    for row in sys.stdin:
        parts = row.split(None, 1)
        if len(parts) < 2:
            continue
        ip, sym = int(parts[0], 16), parts[1].strip()
        total += 1
        by_sym[sym] += 1
        if not in_program(ip):
            continue
        ours += 1
        i = bisect.bisect_right(starts, ip) - 1
        by_line[lines[i][1] if i >= 0 else "?"] += 1
        by_addr[ip] += 1
    if not ours:
        sys.exit("profile: no samples in the program (was it loaded while perf ran?)")
    print(f"{total} samples, {ours} ({100 * ours / total:.1f}%) in the program")
    print("\nby symbol:")
    for sym, n in by_sym.most_common(8):
        print(f"  {100 * n / total:5.1f}%  {sym}")
    print("\nby source line, share of the program's samples:")
    for where, n in by_line.most_common(TOP_LINES):
        print(f"  {100 * n / ours:5.1f}%  {where[:110]}")
    print("\nhottest instructions (a stall shows on the one after it):")
    for ip, n in by_addr.most_common(TOP_ADDRS):
        i = bisect.bisect_right(starts, ip) - 1
        func = next(a for a, m in funcs if a <= ip < a + m)
        print(f"  {100 * n / ours:5.1f}%  +{ip - func:#x}  {lines[i][1][:90] if i >= 0 else '?'}")


if __name__ == "__main__":
    main()
