#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo-front: front mode on a veth testbed. A router (the front) shields
# nginx and an echo server on the host behind it: shakeoff run --front on
# the router, shakeoff backend on the server, one key file. A spoofed SYN
# flood flat out for 6 seconds while real clients connect; then both
# sides' counters, and how many SYNs the server's stack was given.
set -u
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/../tests/net/lib.sh"

say() { printf '\n== %s\n' "$*"; }

say "testbed: client $NS_C <-> front $NS_F (router) <-> server $NS_S ($B4, $B6)"
topo_front || { echo "demo-front: could not build the testbed" >&2; exit 1; }
nginx_start || { echo "demo-front: nginx did not start" >&2; exit 1; }
tcp_server 7000 || { echo "demo-front: echo server did not start" >&2; exit 1; }
in_s nft add table inet seen &&
	in_s nft add chain inet seen in '{ type filter hook input priority 0; }' &&
	in_s nft add rule inet seen in tcp flags '& (syn | ack) == syn' counter
key_file "$WORK/key" "wscale 7"

say "front: shakeoff run $IF_FC --front --protect 10.83.0.0/24:80,7000 --protect fd83::/64:80,7000"
nsenter --net=/run/netns/"$NS_F" "$SHAKEOFF" run "$IF_FC" --front --protect 10.83.0.0/24:80,7000 --protect fd83::/64:80,7000 \
	--key-file "$WORK/key" >"$WORK/front.log" 2>&1 &
BG_PIDS+=("$!")
say "server: shakeoff backend $IF_S --ports 80,7000"
bg_s "$WORK/backend.log" "$SHAKEOFF" backend "$IF_S" --ports 80,7000 --key-file "$WORK/key"
up() { grep -q "attached (" "$WORK/front.log" && grep -q "attached (" "$WORK/backend.log"; }
wait_for 10 up || { echo "demo-front: shakeoff did not start" >&2; cat "$WORK"/*.log >&2; exit 1; }
sed 's/^/   /' "$WORK/front.log" "$WORK/backend.log"

say "SYN flood from 198.18.0.0/15 (spoofed) through the front, 6 s flat out, while real clients connect"
demo_clients "$MAC_FC" $B4 $B6

say "shakeoff stats $IF_FC (the front)"
in_f "$SHAKEOFF" stats "$IF_FC" | grep -v "  0  "
say "shakeoff stats $IF_S (the server's backend)"
in_s "$SHAKEOFF" stats "$IF_S" | grep -v "  0  "
say "SYNs the server's TCP stack was given: $(in_s nft list chain inet seen in |
	sed -n 's/.*packets \([0-9]*\).*/\1/p')"

say "real clients during the flood"
demo_report
say "cleaning up"
