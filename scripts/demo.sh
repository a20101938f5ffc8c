#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: a veth testbed, shakeoff in front of nginx and an echo server,
# a spoofed SYN flood flat out for 6 seconds while real clients connect;
# then the counters and the clients' success rate. Cleans up after itself.
set -u
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/../tests/net/lib.sh"

say() { printf '\n== %s\n' "$*"; }

say "testbed: client netns $NS_C <-veth-> server netns $NS_S"
topo_up || { echo "demo: could not build the testbed" >&2; exit 1; }
nginx_start || { echo "demo: nginx did not start" >&2; exit 1; }
tcp_server 7000 || { echo "demo: echo server did not start" >&2; exit 1; }

say "shakeoff run $IF_S --ports 80,7000"
so_start --ports 80,7000 || exit 1
so_answering 2
sed 's/^/   /' "$SO_LOG"

say "SYN flood from 198.18.0.0/15 (spoofed), 6 s flat out, while real clients connect"
in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$MAC_S" --dst $IP4_S --dport 80 --opts \
	--duration 6 >"$WORK/flood.out" 2>&1 &
flood=$!
sleep 1
tcptool_c many $IP4_S 7000 --count 500 --parallel 8 --timeout 30 >"$WORK/many4.out"
tcptool_c many $IP6_S 7000 --count 200 --parallel 8 --timeout 30 >"$WORK/many6.out"
ok=0
for _ in $(seq 20); do
	in_c curl -sf -m 10 -o "$WORK/got" "http://$IP4_S/1m.bin" && cmp -s "$WORK/got" "$WORK/www/1m.bin" &&
		ok=$((ok + 1))
done
wait $flood
echo "   $(cat "$WORK/flood.out")"

say "shakeoff stats $IF_S"
in_s "$SHAKEOFF" stats "$IF_S"

say "real clients during the flood"
python3 - "$WORK/many4.out" "$WORK/many6.out" "$ok" <<'PY'
import json, sys
for name, path in (("IPv4 echo", sys.argv[1]), ("IPv6 echo", sys.argv[2])):
    r = json.load(open(path))
    n = r["ok"] + r["fail"]
    print(f"   {name}: {r['ok']}/{n} connected ({100 * r['ok'] / n:.1f}%), "
          f"connect p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms")
print(f"   nginx 1 MiB downloads, byte-exact: {sys.argv[3]}/20")
PY
say "cleaning up"
