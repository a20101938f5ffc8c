#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Real kernel TCP peers for shakeoff's veth tests. Every wait is bounded.

  tcptool.py server PORT [--banner TEXT] [--close]
                    echo server on [::]:PORT (v4 too); --close: write the banner
                    and close first (the server keeps the TIME_WAIT)
  tcptool.py client HOST PORT [--bytes N] [--banner TEXT] [--timeout S]
                    [--local-port P] [--reset] [--pause S]
                    send N random bytes, expect them echoed byte-exact
                    (N = 0: read until the server closes); --reset: close
                    with a RST (SO_LINGER 0), not a FIN; --pause: echo N
                    bytes, stay silent S seconds, then echo N more
  tcptool.py many HOST PORT --count N [--parallel K] [--timeout S]
                    [--bytes B] [--banner TEXT] [--seconds S]
                    N connections, each echoing B random bytes (default 16;
                    after reading TEXT first: a server-speaks-first service);
                    --seconds: paced to spread N over S seconds. JSON: ok,
                    fail, connect-time percentiles, the first errors
  tcptool.py hold HOST PORT --seconds S [--count N]
                    N connections (default 1) kept busy for S seconds (1 KiB
                    echoes every 50 ms, compared byte for byte)
  tcptool.py forge-ack IFACE SRC DST PORT --dst-mac MAC
                    one ACK with random seq/ack from SRC; count replies for 1 s
"""
import argparse
import json
import os
import random
import socket
import struct
import sys
import threading
import time


def serve(args):
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.bind(("::", args.port))
    ls.listen(4096)
    banner = args.banner.encode() if args.banner else b""

    def handle(c):
        with c:
            c.settimeout(60)
            try:
                if banner:
                    c.sendall(banner)
                if args.close:
                    return
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    c.sendall(d)
            except OSError:
                pass

    while True:
        c, _ = ls.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


def connect(host, port, timeout, local_port=0):
    t0 = time.monotonic()
    s = socket.create_connection((host, port), timeout=timeout,
                                 source_address=("", local_port) if local_port else None)
    return s, (time.monotonic() - t0) * 1000


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        d = s.recv(min(65536, n - len(buf)))
        if not d:
            break
        buf += d
    return bytes(buf)


def client(args):
    s, ms = connect(args.host, args.port, args.timeout, args.local_port)
    s.settimeout(args.timeout)
    if args.reset:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if args.banner:
        got = recv_exact(s, len(args.banner))
        if got != args.banner.encode():
            print(f"fail: banner {got!r}")
            return 1
    if args.bytes == 0:
        if s.recv(1) != b"":
            print("fail: the server sent more than its banner")
            return 1
        # After the server's FIN: the server keeps the TIME_WAIT, unless we reset.
        s.close()
        print(f"ok closed connect_ms={ms:.2f}")
        return 0
    if args.pause:
        data = os.urandom(args.bytes)
        s.sendall(data)
        if recv_exact(s, len(data)) != data:
            print("fail: the echo before the pause")
            return 1
        time.sleep(args.pause)
    data = os.urandom(args.bytes)
    sender = threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)))
    sender.start()
    got = recv_exact(s, len(data))
    sender.join()
    s.close()
    if got != data:
        print(f"fail: {len(got)} of {len(data)} bytes came back, or different ones")
        return 1
    print(f"ok bytes={len(data)} connect_ms={ms:.2f}")
    return 0


def echo_once(s, args):
    """One connection's exchange: the banner first if the server speaks
    first, then B random bytes both ways, compared byte for byte."""
    if args.banner and recv_exact(s, len(args.banner)) != args.banner.encode():
        return "banner differs"
    data = os.urandom(args.bytes)
    err = []

    def send():
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(str(e))
    sender = threading.Thread(target=send)
    sender.start()
    got = recv_exact(s, len(data))
    sender.join()
    if err:
        return err[0]
    return None if got == data else f"{len(got)} of {len(data)} bytes came back, or different"


def many(args):
    times, fails, errors, lock = [], [0], [], threading.Lock()
    start = time.monotonic()
    deadline = start + args.timeout
    todo = list(range(args.count))

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if not todo:
                    return
                n = args.count - len(todo)
                todo.pop()
            if args.seconds:  # connection n starts n/count of the way through
                time.sleep(max(0.0, start + args.seconds * n / args.count - time.monotonic()))
            try:
                s, ms = connect(args.host, args.port, max(0.1, deadline - time.monotonic()))
                s.settimeout(max(0.1, deadline - time.monotonic()))
                why = echo_once(s, args)
                s.close()
            except OSError as e:
                why = str(e)
            with lock:
                if why is None:
                    times.append(ms)
                else:
                    fails[0] += 1
                    if len(errors) < 3:
                        errors.append(why)

    threads = [threading.Thread(target=worker) for _ in range(args.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fails[0] += len(todo)  # never tried: out of time
    times.sort()

    def pct(p):
        return round(times[min(len(times) - 1, int(p * len(times)))], 3) if times else None

    print(json.dumps({"ok": len(times), "fail": fails[0], "p50_ms": pct(0.5),
                      "p90_ms": pct(0.9), "p99_ms": pct(0.99), "errors": errors}))
    return 0 if fails[0] == 0 else 1


def hold(args):
    """--count connections at once, each kept busy for --seconds with 1 KiB
    random echoes (every 50 ms), compared byte for byte."""
    results, lock = [], threading.Lock()

    def one():
        rounds, why = 0, None
        try:
            s, _ = connect(args.host, args.port, 5)
            s.settimeout(5)
            end = time.monotonic() + args.seconds
            while time.monotonic() < end:
                data = os.urandom(1024)
                s.sendall(data)
                if recv_exact(s, 1024) != data:
                    why = f"echo differs after {rounds} rounds"
                    break
                rounds += 1
                time.sleep(0.05)
            s.close()
        except OSError as e:
            why = f"{e} after {rounds} rounds"
        with lock:
            results.append((why, rounds))

    threads = [threading.Thread(target=one) for _ in range(args.count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = [w for w, _ in results if w]
    if bad:
        print(f"fail: {len(bad)} of {args.count}: {bad[:3]}")
        return 1
    print(f"ok connections={args.count} rounds={min(r for _, r in results)}-"
          f"{max(r for _, r in results)}")
    return 0


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def forge(args):
    """Bare IPv4 segments (an ACK with random numbers, or a SYN), one new
    source port each, optionally with a wrong TCP checksum; counts the
    ports that get any frame back within a second (a retransmitted
    SYN-ACK is not a second answer)."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    sock.bind((args.iface, 0))
    smac = sock.getsockname()[4]
    dmac = bytes.fromhex(args.dst_mac.replace(":", ""))
    src, dst = socket.inet_aton(args.src), socket.inet_aton(args.dst)
    flags = 0x02 if args.syn else 0x10
    ports = set()
    for sport in random.sample(range(20000, 60000), args.count):
        ports.add(sport)
        tcp = struct.pack("!HHIIBBHHH", sport, args.port, random.getrandbits(32),
                          0 if args.syn else random.getrandbits(32), 5 << 4, flags, 64240, 0, 0)
        check = csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
        if args.bad_csum:
            check ^= 0x0100
        tcp = tcp[:16] + struct.pack("!H", check) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        sock.send(dmac + smac + b"\x08\x00" + ip + tcp)
    answered, end = set(), time.monotonic() + 1.0
    sock.settimeout(0.1)
    while time.monotonic() < end:
        try:
            f = sock.recv(2048)
        except socket.timeout:
            continue
        if len(f) >= 54 and f[23] == 6 and f[26:30] == dst and f[30:34] == src:
            sport, dport = struct.unpack("!HH", f[34:38])
            if sport == args.port and dport in ports:
                answered.add(dport)
    print(f"replies={len(answered)}")
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("server")
    a.add_argument("port", type=int)
    a.add_argument("--banner")
    a.add_argument("--close", action="store_true")
    a = sub.add_parser("client")
    a.add_argument("host")
    a.add_argument("port", type=int)
    a.add_argument("--bytes", type=int, default=1 << 20)
    a.add_argument("--banner")
    a.add_argument("--timeout", type=float, default=10)
    a.add_argument("--local-port", type=int, default=0)
    a.add_argument("--reset", action="store_true")
    a.add_argument("--pause", type=float, default=0)
    a = sub.add_parser("many")
    a.add_argument("host")
    a.add_argument("port", type=int)
    a.add_argument("--count", type=int, required=True)
    a.add_argument("--parallel", type=int, default=8)
    a.add_argument("--timeout", type=float, default=60)
    a.add_argument("--bytes", type=int, default=16)
    a.add_argument("--banner")
    a.add_argument("--seconds", type=float, default=0)
    a = sub.add_parser("hold")
    a.add_argument("host")
    a.add_argument("port", type=int)
    a.add_argument("--seconds", type=float, required=True)
    a.add_argument("--count", type=int, default=1)
    a = sub.add_parser("forge")
    a.add_argument("iface")
    a.add_argument("src")
    a.add_argument("dst")
    a.add_argument("port", type=int)
    a.add_argument("--dst-mac", required=True)
    a.add_argument("--syn", action="store_true")
    a.add_argument("--bad-csum", action="store_true")
    a.add_argument("--count", type=int, default=1)
    args = p.parse_args()
    try:
        return {"server": serve, "client": client, "many": many, "hold": hold,
                "forge": forge}[args.cmd](args)
    except OSError as e:
        print(f"fail: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
