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
demo_clients "$MAC_S" $IP4_S $IP6_S

say "shakeoff stats $IF_S"
in_s "$SHAKEOFF" stats "$IF_S"

say "real clients during the flood"
demo_report
say "cleaning up"
