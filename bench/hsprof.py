#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a handshake's CPU goes: one connrate run under `perf record -a -g`.

bench/hsprof.py CONNECTIONS MS < `perf report --children --sort sym -g none --stdio`

MS: the recording's sample duration, as `perf report --header-only` gives it.

perf samples every CPU at a fixed rate, busy or idle, so a function's
inclusive share of the samples times (CPUs x seconds) is the CPU time spent
in it and below it; divided by the connections made, its cost per
handshake. Prints "PART NS" lines, one per part of the handshake below:
the kernel's own work that shakeoff takes over or adds, the generic XDP
hook's, and shakeoff's programs'. A part nobody ran reads 0.
"""
import os
import re
import sys

# part -> the functions whose inclusive samples it is (summed: none of a
# part's functions calls another of the same part on this path).
PARTS = {
    # The kernel answers a SYN itself: a request socket, a SYN-ACK.
    "kernel_syn": [r"tcp_conn_request"],
    # ... and completes the handshake from its SYN queue.
    "kernel_ack": [r"tcp_check_req"],
    # ... or from the request socket shakeoff's TC program handed it.
    "kernel_handoff": [r"cookie_v4_check", r"cookie_v6_check"],
    # Generic XDP on the skb, all of it: its copies, the program, XDP_TX.
    "xdp_hook": [r"do_xdp_generic"],
    "xdp_tx": [r"generic_xdp_tx"],
    "xdp_pass": [r"bpf_prog_\w+_xdp_pass"],
    "shakeoff_xdp": [r"bpf_prog_\w+_shakeoff_xdp"],
    # With the listener lookup and bpf_sk_assign_tcp_reqsk.
    "shakeoff_tc": [r"bpf_prog_\w+_shakeoff_tc"],
    # The tracepoint's call into BPF and shakeoff_close (the only tp_btf program here).
    "close_hook": [r"bpf_trace_run\d"],
}


def main():
    n, seconds = int(sys.argv[1]), float(sys.argv[2]) / 1000
    ncpu = os.cpu_count()
    share = {}
    for line in sys.stdin:
        m = re.match(r"\s*([0-9.]+)%\s+[0-9.]+%\s+\[[k.]\]\s+(\S+)", line)
        if m:
            share[m.group(2)] = share.get(m.group(2), 0.0) + float(m.group(1))
    if not share or n <= 0:
        sys.exit("hsprof: no samples or no connections")
    per_hs = ncpu * seconds * 1e9 / n
    print(f"total {per_hs:.0f}")
    for part, pats in PARTS.items():
        pct = sum(v for sym, v in share.items() if any(re.fullmatch(p, sym) for p in pats))
        print(f"{part} {pct / 100 * per_hs:.0f}")


if __name__ == "__main__":
    main()
