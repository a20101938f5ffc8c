# SPDX-License-Identifier: GPL-2.0
# Shared by the veth tests and the demo: source it. It builds this topology,
# and a trap tears it down however the script ends.
#
#   client netns $NS_C                         server netns $NS_S
#  +-----------------------------+            +------------------------------+
#  | $IF_C  10.77.0.2/24         |<-- veth -->| $IF_S  10.77.0.1/24          |
#  |        fd77::2/64           |            |        fd77::1/64            |
#  | XDP: xdp_pass (so XDP_TX    |            | XDP: shakeoff_xdp            |
#  |      frames are delivered)  |            | TC ingress: shakeoff_tc      |
#  | tx checksum offload off     |            | tx checksum offload off      |
#  | curl, tcptool, synflood     |            | nginx, tcptool servers       |
#  +-----------------------------+            +------------------------------+
#
# Names carry the script's PID, so tests never collide with anything else.
# Commands run in a namespace with nsenter --net (not `ip netns exec`, which
# remounts /sys and would hide the pinned maps from the next command).
# SO_KEEP=1 keeps the namespaces and logs for debugging.

# shellcheck shell=bash disable=SC2034 # (variables for the tests that source this)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHAKEOFF=$ROOT/shakeoff
TCPTOOL=$ROOT/tests/net/tcptool.py
SYNFLOOD=$ROOT/.output/synflood
ID=$$
NS_C=so${ID}c
NS_S=so${ID}s
IF_C=so${ID}c
IF_S=so${ID}s
IP4_C=10.77.0.2
IP4_S=10.77.0.1
IP6_C=fd77::2
IP6_S=fd77::1
WORK=$(mktemp -d /tmp/shakeoff-test.XXXXXX)
SO_LOG=$WORK/shakeoff.log
BG_PIDS=()
FAILED=0
# More namespaces a test makes ("NS IFACE": shakeoff may run on IFACE there);
# cleanup detaches and deletes them like the two above.
EXTRA_NS=()

in_c() { nsenter --net=/run/netns/"$NS_C" "$@"; }
in_s() { nsenter --net=/run/netns/"$NS_S" "$@"; }
# bg_s LOG CMD...: CMD in the server namespace, in the background, its PID
# in $BG_PID (nsenter execs CMD: signals reach it, not a subshell).
bg_s() {
	local log=$1
	shift
	nsenter --net=/run/netns/"$NS_S" "$@" >>"$log" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# bg_c LOG CMD...: the same in the client namespace.
bg_c() {
	local log=$1
	shift
	nsenter --net=/run/netns/"$NS_C" "$@" >>"$log" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# sleep_until EPOCH: sleep until the given second (not at all if it passed).
sleep_until() {
	local left=$(($1 - $(date +%s)))
	[ $left -gt 0 ] && sleep $left
	return 0
}

# cookie_slot: the cookie slot now under --slot-shift 31 (CLOCK_TAI >> 31:
# 2.1 s slots), the shift tests use to make connections straddle boundaries.
cookie_slot() { python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_TAI) >> 31)'; }

cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	if [ -f "$WORK/nginx.pid" ]; then
		kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
	fi
	sleep 0.3
	# A daemon that did not get to clean up leaves pins behind.
	[ -e /run/netns/"$NS_S" ] && in_s "$SHAKEOFF" detach "$IF_S" >/dev/null 2>&1
	local ns ifc
	for p in "${EXTRA_NS[@]}"; do
		read -r ns ifc <<<"$p"
		[ -e /run/netns/"$ns" ] && nsenter --net=/run/netns/"$ns" "$SHAKEOFF" detach "$ifc" >/dev/null 2>&1
	done
	if [ "${SO_KEEP:-0}" = 1 ]; then
		echo "# SO_KEEP=1: kept $NS_C, $NS_S and $WORK" >&2
		return
	fi
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	for p in "${EXTRA_NS[@]}"; do
		ip netns del "${p%% *}" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "PASS $*"; }
fail() {
	echo "FAIL $1"
	shift
	# Every line of the detail indented: tests/run shows those lines.
	[ $# -gt 0 ] && printf '%s\n' "$*" | sed 's/^/    /'
	FAILED=1
}
# check NAME CMD...: PASS if CMD succeeds, else FAIL with its output.
check() {
	local _name=$1 _out
	shift
	if _out=$("$@" 2>&1); then
		pass "$_name"
	else
		# A silent check (test, grep -q) shows what it compared instead.
		fail "$_name" "$(echo "${_out:-$*}" | tail -n 5)"
	fi
}
# eventually SECONDS NAME CMD...: PASS as soon as CMD succeeds, retrying every
# 0.1 s for up to SECONDS, else FAIL with its last output. For anything that
# settles over time (the daemon publishes its gauges every 0.1 s or 1 s).
eventually() {
	local _tries=$(($1 * 10)) _name=$2 _out
	shift 2
	while :; do
		_out=$("$@" 2>&1) && { pass "$_name"; return 0; }
		_tries=$((_tries - 1))
		[ $_tries -le 0 ] && break
		sleep 0.1
	done
	fail "$_name" "$(echo "${_out:-$*}" | tail -n 5)"
}
finish() { exit $FAILED; }

topo_up() {
	ip netns add "$NS_C" && ip netns add "$NS_S" || return 1
	ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_S" netns "$NS_S" || return 1
	in_c ip addr add $IP4_C/24 dev "$IF_C"
	in_s ip addr add $IP4_S/24 dev "$IF_S"
	in_c ip addr add $IP6_C/64 dev "$IF_C" nodad
	in_s ip addr add $IP6_S/64 dev "$IF_S" nodad
	in_c ip link set lo up
	in_s ip link set lo up
	in_c ip link set "$IF_C" up
	in_s ip link set "$IF_S" up
	in_c ethtool -K "$IF_C" tx off >/dev/null
	in_s ethtool -K "$IF_S" tx off >/dev/null
	in_c ip link set dev "$IF_C" xdpdrv obj "$ROOT/.output/xdp_pass.bpf.o" sec xdp || return 1
	# Spoofed flood sources answer through the client side.
	in_s ip route add 198.18.0.0/15 via $IP4_C
	in_s ip -6 route add 2001:db8:ffff::/96 via $IP6_C
	in_s sysctl -qw net.ipv4.tcp_syncookies=1
	# Where shakeoff on $IF_S pins its maps (IFACE@<netns inode>, pin.h).
	PIN_S=/sys/fs/bpf/shakeoff/$IF_S@$(stat -L -c %i /run/netns/"$NS_S")
	MAC_S=$(ip -n "$NS_S" -br link show "$IF_S" | awk '{print $3}')
	MAC_C=$(ip -n "$NS_C" -br link show "$IF_C" | awk '{print $3}')
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds or time is up.
# (Locals are _-prefixed: bash scoping is dynamic, and CMD sees them.)
wait_for() {
	local _tries=$(($1 * 10))
	shift
	while [ $_tries -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_tries=$((_tries - 1))
	done
	return 1
}

# so_start ARGS...: shakeoff run on $IF_S, waiting until it has attached.
attached_count() {
	local n
	n=$(grep -c "attached (" "$SO_LOG" 2>/dev/null)
	echo "${n:-0}"
}
attached_more() { test "$(attached_count)" -gt "$1"; }
so_start() {
	local before
	before=$(attached_count)
	bg_s "$SO_LOG" "$SHAKEOFF" run "$IF_S" "$@"
	SO_PID=$BG_PID
	wait_for 10 attached_more "$before" || {
		echo "    shakeoff did not start:" && sed 's/^/    | /' "$SO_LOG"
		return 1
	}
}

so_stop() {
	kill -TERM "$SO_PID" 2>/dev/null
	wait "$SO_PID" 2>/dev/null
}

# so_answering N: wait until shakeoff answers for N ports (listeners seen).
answering() { in_s "$SHAKEOFF" status "$IF_S" --json | grep -q "\"ports_answered\":$1[,}]"; }
so_answering() { wait_for 5 answering "$1"; }

# so_stat NAME: one value from `shakeoff stats --json`.
so_stat() {
	in_s "$SHAKEOFF" stats "$IF_S" --json | sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# stat_is NAME VALUE: the counter or gauge is VALUE (else says what it is).
stat_is() {
	local v
	v=$(so_stat "$1")
	[ "$v" = "$2" ] || { echo "$1 is '$v', want '$2'"; return 1; }
}

# map_field MAP FIELD: a field of one map in `shakeoff status --json`
# (capacity, bytes ...).
map_field() {
	in_s "$SHAKEOFF" status "$IF_S" --json | python3 -c '
import json, sys
m = [m for m in json.load(sys.stdin)["maps"] if m["name"] == sys.argv[1]][0]
print(m[sys.argv[2]])' "$1" "$2"
}

# nginx_start: serves $WORK/www (1m.bin: 1 MiB of random bytes) on port 80.
nginx_start() {
	mkdir -p "$WORK/www"
	chmod 755 "$WORK" "$WORK/www" # nginx workers run as www-data
	head -c 1048576 /dev/urandom >"$WORK/www/1m.bin"
	chmod 644 "$WORK/www/1m.bin"
	cat >"$WORK/nginx.conf" <<-EOF
		daemon on;
		pid $WORK/nginx.pid;
		error_log $WORK/nginx.err;
		worker_processes 1;
		events { worker_connections 4096; }
		http {
			access_log off;
			client_body_temp_path $WORK/body;
			proxy_temp_path $WORK/proxy;
			fastcgi_temp_path $WORK/fcgi;
			uwsgi_temp_path $WORK/uwsgi;
			scgi_temp_path $WORK/scgi;
			server { listen 80 backlog=4096; listen [::]:80 backlog=4096; root $WORK/www; }
		}
	EOF
	in_s nginx -c "$WORK/nginx.conf"
}

# tcp_server PORT [ARGS]: a tcptool echo server in the server namespace.
listening() { in_s ss -Htln "sport = :$1" | grep -q .; }
tcp_server() {
	bg_s "$WORK/tcptool.log" python3 "$TCPTOOL" server "$@"
	wait_for 5 listening "$1"
}

tcptool_c() { in_c python3 "$TCPTOOL" "$@"; }

# key_file PATH [SETTING...]: a fresh key (mode 600), then one setting a
# line ("wscale 7", "slot-shift 31", "features sack ts").
key_file() {
	local path=$1
	shift
	{
		head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'
		echo
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} >"$path"
	chmod 600 "$path"
}

# lose_first_acks PORT: the client drops the first pure ACK of every
# connection to PORT (so a server-speaks-first handshake needs a SYN-ACK
# retransmission); lost_acks says how many it dropped.
lose_first_acks() {
	in_c nft -f - <<-NFT
		table inet lossy {
			set seen4 { type ipv4_addr . inet_service; timeout 60s; }
			set seen6 { type ipv6_addr . inet_service; timeout 60s; }
			chain out {
				type filter hook output priority 0;
				tcp dport $1 tcp flags == ack ip saddr . tcp sport @seen4 accept
				tcp dport $1 tcp flags == ack ip6 saddr . tcp sport @seen6 accept
				tcp dport $1 tcp flags == ack meta nfproto ipv4 add @seen4 { ip saddr . tcp sport } counter drop
				tcp dport $1 tcp flags == ack meta nfproto ipv6 add @seen6 { ip6 saddr . tcp sport } counter drop
			}
		}
	NFT
}
lost_acks() { in_c nft list table inet lossy | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | paste -sd+ | bc; }

# topo_router: two servers with one address ($SRV) behind a router that
# sends every SYN to the first ($NS_S) and every other segment to the
# second ($NS_S2): policy routing on the TCP flags, the worst an ECMP hash
# can do. The client ($NS_C) reaches $SRV through the router ($NS_R).
# (test_keys.sh draws it.)
NS_R=so${ID}r
NS_S2=so${ID}t
IF_RC=so${ID}rc
IF_R1=so${ID}r1
IF_R2=so${ID}r2
IF_S2=so${ID}t
SRV=10.78.0.1
in_r() { nsenter --net=/run/netns/"$NS_R" "$@"; }
in_s2() { nsenter --net=/run/netns/"$NS_S2" "$@"; }

# veth_pair NS1 IF1 NS2 IF2: checksums complete on both sides; an XDP
# program on both, so XDP_TX from either end is delivered.
veth_pair() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || return 1
	nsenter --net=/run/netns/"$1" ethtool -K "$2" tx off >/dev/null
	nsenter --net=/run/netns/"$3" ethtool -K "$4" tx off >/dev/null
	nsenter --net=/run/netns/"$1" ip link set "$2" up
	nsenter --net=/run/netns/"$3" ip link set "$4" up
}

topo_router() {
	local ns
	EXTRA_NS+=("$NS_R" "$NS_S2 $IF_S2")
	for ns in "$NS_C" "$NS_S" "$NS_R" "$NS_S2"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
	done
	veth_pair "$NS_C" "$IF_C" "$NS_R" "$IF_RC" &&
		veth_pair "$NS_R" "$IF_R1" "$NS_S" "$IF_S" &&
		veth_pair "$NS_R" "$IF_R2" "$NS_S2" "$IF_S2" || return 1
	for ns in "$IF_R1" "$IF_R2"; do
		in_r ip link set dev "$ns" xdpdrv obj "$ROOT/.output/xdp_pass.bpf.o" sec xdp || return 1
	done
	in_c ip addr add 10.79.0.2/24 dev "$IF_C"
	in_c ip route add default via 10.79.0.1
	in_r ip addr add 10.79.0.1/24 dev "$IF_RC"
	in_r ip addr add 10.78.0.254/32 dev "$IF_R1"
	in_r ip addr add 10.78.0.254/32 dev "$IF_R2"
	in_r ip route add $SRV/32 dev "$IF_R2"
	in_r ip route add $SRV/32 dev "$IF_R1" table 100
	in_r ip rule add fwmark 1 table 100
	in_r sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	for ns in "$IF_RC" "$IF_R1" "$IF_R2"; do
		in_r sysctl -qw net.ipv4.conf."$ns".rp_filter=0
	done
	in_r nft -f - <<-NFT || return 1
		table ip ecmp {
			chain pre {
				type filter hook prerouting priority mangle;
				iifname "$IF_RC" tcp flags & (syn | ack) == syn meta mark set 1
			}
		}
	NFT
	PIN_S=/sys/fs/bpf/shakeoff/$IF_S@$(stat -L -c %i /run/netns/"$NS_S")
	in_s ip addr add $SRV/32 dev "$IF_S"
	in_s2 ip addr add $SRV/32 dev "$IF_S2"
	for ns in "$NS_S" "$NS_S2"; do
		ip -n "$ns" route add 10.78.0.254/32 dev "$([ "$ns" = "$NS_S" ] && echo "$IF_S" || echo "$IF_S2")"
		ip -n "$ns" route add default via 10.78.0.254
		ip netns exec "$ns" sysctl -qw net.ipv4.tcp_syncookies=1
	done
}

# topo_front: client $NS_C -- front $NS_F (forwarding; $IF_FC faces the
# client, $IF_FS the server) -- server $NS_S at $B4 and $B6. The client's
# end has an XDP program, so the front's XDP_TX is delivered. (test_front.sh
# draws it.)
NS_F=so${ID}f
IF_FC=so${ID}fc
IF_FS=so${ID}fs
C4=10.82.0.2 C6=fd82::2
B4=10.83.0.2 B6=fd83::2
in_f() { nsenter --net=/run/netns/"$NS_F" "$@"; }

topo_front() {
	local ns
	EXTRA_NS+=("$NS_F $IF_FC")
	for ns in "$NS_C" "$NS_F" "$NS_S"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
	done
	veth_pair "$NS_C" "$IF_C" "$NS_F" "$IF_FC" && veth_pair "$NS_F" "$IF_FS" "$NS_S" "$IF_S" ||
		return 1
	in_c ip link set dev "$IF_C" xdpdrv obj "$ROOT/.output/xdp_pass.bpf.o" sec xdp || return 1
	in_c ip addr add $C4/24 dev "$IF_C"
	in_c ip addr add $C6/64 dev "$IF_C" nodad
	in_c ip route add default via 10.82.0.1
	in_c ip -6 route add default via fd82::1
	in_f ip addr add 10.82.0.1/24 dev "$IF_FC"
	in_f ip addr add fd82::1/64 dev "$IF_FC" nodad
	in_f ip addr add 10.83.0.1/24 dev "$IF_FS"
	in_f ip addr add fd83::1/64 dev "$IF_FS" nodad
	in_f sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	in_s ip addr add $B4/24 dev "$IF_S"
	in_s ip addr add $B6/64 dev "$IF_S" nodad
	in_s ip route add default via 10.83.0.1
	in_s ip -6 route add default via fd83::1
	in_s sysctl -qw net.ipv4.tcp_syncookies=1
	MAC_FC=$(ip -n "$NS_F" -br link show "$IF_FC" | awk '{print $3}')
}

# demo_clients MAC V4 V6: the demos' load. A spoofed flood flat out for 6 s
# at V4:80 (frames to MAC) while real clients connect to the echo server
# (port 7000) over IPv4 and IPv6 and download nginx's 1 MiB file; then
# demo_report says how they fared.
demo_clients() {
	local flood
	in_c "$SYNFLOOD" --dev "$IF_C" --dst-mac "$1" --dst "$2" --dport 80 --opts \
		--duration 6 >"$WORK/flood.out" 2>&1 &
	flood=$!
	sleep 1
	tcptool_c many "$2" 7000 --count 500 --parallel 8 --timeout 30 >"$WORK/many4.out"
	tcptool_c many "$3" 7000 --count 200 --parallel 8 --timeout 30 >"$WORK/many6.out"
	DEMO_OK=0
	for _ in $(seq 20); do
		in_c curl -sf -m 10 -o "$WORK/got" "http://$2/1m.bin" &&
			cmp -s "$WORK/got" "$WORK/www/1m.bin" && DEMO_OK=$((DEMO_OK + 1))
	done
	wait $flood
	echo "   $(cat "$WORK/flood.out")"
}
demo_report() {
	python3 - "$WORK/many4.out" "$WORK/many6.out" "$DEMO_OK" <<'PY'
import json, sys
for name, path in (("IPv4 echo", sys.argv[1]), ("IPv6 echo", sys.argv[2])):
    r = json.load(open(path))
    n = r["ok"] + r["fail"]
    print(f"   {name}: {r['ok']}/{n} connected ({100 * r['ok'] / n:.1f}%), "
          f"connect p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms")
print(f"   nginx 1 MiB downloads, byte-exact: {sys.argv[3]}/20")
PY
}
