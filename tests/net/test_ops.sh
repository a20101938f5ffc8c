#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An operator's shakeoff: the CLI and its man page from one table, make
# install and uninstall, the systemd unit, the config file reloaded on
# SIGHUP with the readiness protocol around it, `shakeoff top` in an 80x24
# terminal, bash completion, and the Debian package installed and removed.
# (Topology: lib.sh.)
# shellcheck source=tests/net/lib.sh
. "$(dirname "$0")/lib.sh"

VERSION=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
CMDS=(run backend status stats top events detach)
same() { [ "$1" = "$2" ] || { echo "'$1' != '$2'"; return 1; }; }

# --- the CLI and the man page --------------------------------------------
check "--version is debian/changelog's ($VERSION)" same "$("$SHAKEOFF" --version)" "shakeoff $VERSION"
for c in "${CMDS[@]}"; do
	check "shakeoff --help lists $c" grep -q "^  $c " <("$SHAKEOFF" --help)
done
MAN=$ROOT/.output/shakeoff.8
groff_clean() {
	local w
	w=$(groff -wall -man -Tutf8 "$MAN" 2>&1 >/dev/null)
	[ -z "$w" ] || { echo "$w"; return 1; }
}
check "the man page renders without a warning (groff -wall)" groff_clean
MAN_TXT=$WORK/man.txt
MANWIDTH=80 man -l "$MAN" 2>"$WORK/man.err" | col -b >"$MAN_TXT"
check "man -l renders it, silently ($(head -c 200 "$WORK/man.err"))" test -s "$MAN_TXT" -a ! -s "$WORK/man.err"
for s in SYNOPSIS COMMANDS COUNTERS FILES "EXIT STATUS" EXAMPLES; do
	check "the man page has $s" grep -q "^$s" "$MAN_TXT"
done
# Every option a command's --help shows is in the man page, and back.
opts_help() { "$SHAKEOFF" "$1" --help | grep -o '^  --[a-z-]*' | sed 's/^ *//' | grep -vx -- --help | sort; }
opts_man() { sed -n "/^   shakeoff $1 /,/^   shakeoff [a-z]* /p" "$MAN_TXT" | grep -o '^       --[a-z-]*' |
	sed 's/^ *//' | sort; }
for c in "${CMDS[@]}"; do
	check "$c: --help and the man page name the same options" \
		same "$(opts_help "$c" | paste -sd' ')" "$(opts_man "$c" | paste -sd' ')"
done
# Every counter stats --json prints is explained in the man page.
topo_up || { fail "topology"; finish; }
so_start --ports 7000 || { fail "shakeoff run"; finish; }
missing=$(in_s "$SHAKEOFF" stats "$IF_S" --json | python3 -c '
import json, sys
for k in json.load(sys.stdin):
    print(k)' | grep -v '^\(iface\|time\|rtt_samples\|rtt_p[0-9]*_us\|half_open\|flows\|backlog\|dropped_malformed\)$' |
	while read -r k; do grep -q "^       $k\( \|\$\)" "$MAN_TXT" || echo "$k"; done)
check "the man page explains every counter of stats --json (missing: ${missing:-none})" test -z "$missing"
so_stop

# --- bash completion -------------------------------------------------------
complete_words() {
	bash -c 'source /usr/share/bash-completion/bash_completion
		source "$1/.output/shakeoff.bash"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_shakeoff; echo "${COMPREPLY[*]}"' _ "$ROOT" "$@"
}
check "completion: the commands" same "$(complete_words shakeoff s)" "status stats"
check "completion: run's options" same "$(complete_words shakeoff run --max)" "--max-half-open --max-flows"
check "completion: --mode's values" same "$(complete_words shakeoff run eth0 --mode '')" "native skb"

# --- make install, the unit, make uninstall ------------------------------------
DEST=$WORK/root
make -s -C "$ROOT" install PREFIX=/usr DESTDIR="$DEST" >"$WORK/install.log" 2>&1 ||
	fail "make install" "$(tail -n 5 "$WORK/install.log")"
for f in usr/sbin/shakeoff usr/share/man/man8/shakeoff.8 lib/systemd/system/shakeoff@.service \
	etc/shakeoff/example.conf usr/share/bash-completion/completions/shakeoff; do
	check "make install lays out /$f" test -s "$DEST/$f"
done
UNIT=$DEST/lib/systemd/system/shakeoff@.service
check "the unit runs /usr/sbin/shakeoff with /etc/shakeoff/IFACE.conf" \
	grep -qx 'ExecStart=/usr/sbin/shakeoff run %I --config /etc/shakeoff/%I.conf' "$UNIT"
# systemd-analyze checks the unit against this system: point it at the installed binary.
mkdir -p "$WORK/units"
sed "s|/usr/sbin/shakeoff|$DEST/usr/sbin/shakeoff|" "$UNIT" >"$WORK/units/shakeoff@.service"
verify() {
	local out
	if ! out=$(systemd-analyze verify --man=no "$WORK/units/shakeoff@.service" 2>&1) || [ -n "$out" ]; then
		echo "$out"
		return 1
	fi
}
check "systemd-analyze verify passes" verify
make -s -C "$ROOT" uninstall PREFIX=/usr DESTDIR="$DEST" >/dev/null 2>&1
left=$(find "$DEST" -type f)
check "make uninstall removes every file (left: ${left:-none})" test -z "$left"

# --- --config, SIGHUP, and the readiness protocol ------------------------------
tcp_server 7000 || fail "echo server"
tcp_server 7001 || fail "second echo server"
CONF=$WORK/s.conf
printf '# test\nports 7000\nsynack-rate 1000   # per /24\n' >"$CONF"
NOTIFY=$WORK/notify.sock
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    print(s.recv(4096).decode().replace("\n", " "), flush=True)' "$NOTIFY" >"$WORK/notify.log" 2>&1 &
BG_PIDS+=($!)
wait_for 3 test -S "$NOTIFY"
NOTIFY_SOCKET=$NOTIFY so_start --config "$CONF" || { fail "shakeoff run --config"; finish; }
notified() { grep -q "$1" "$WORK/notify.log"; }
eventually 3 "READY=1 reaches \$NOTIFY_SOCKET once attached" notified "READY=1"
so_answering 1 || fail "the config's port is answered"
ports_are() { in_s "$SHAKEOFF" status "$IF_S" --json | grep -q "\"ports\":\"$1\""; }
check "the config's ports are in force" ports_are 7000
burst() { bpftool -j map dump pinned "$PIN_S"/so_config | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["formatted"]["value"]["budget_burst"])'; }
burst0=$(burst)
printf 'ports 7000,7001\nsynack-rate 50\n' >"$CONF"
kill -HUP "$SO_PID"
eventually 3 "SIGHUP reloads the ports" ports_are 7000,7001
check "and the SYN-ACK budget: 1000/s -> 50/s (burst $burst0 -> $(burst))" \
	test "$(($(burst) * 20))" = "$burst0" -a "$burst0" -gt 0
eventually 3 "and the new port is answered" answering 2
check "a client of the new port is handed off" tcptool_c client $IP4_S 7001 --bytes 100
check "RELOADING=1 then READY=1 around the reload" grep -q "RELOADING=1" "$WORK/notify.log"
printf 'ports 7000,http\n' >"$CONF"
kill -HUP "$SO_PID"
eventually 3 "a broken config is refused, and said so" grep -q "nothing changed" "$SO_LOG"
check "and the running ports stay" ports_are 7000,7001
check "the daemon still serves" tcptool_c client $IP4_S 7000 --bytes 100

# --- top, in an 80x24 terminal ------------------------------------------------
TMUX_SOCK=so$ID
tmux -L "$TMUX_SOCK" new-session -d -x 80 -y 24 \
	"nsenter --net=/run/netns/$NS_S $SHAKEOFF top $IF_S; sleep 0.5"
screen() { tmux -L "$TMUX_SOCK" capture-pane -p; }
shows() { screen | grep -q "$1" || { screen; return 1; }; }
eventually 3 "top shows its screen" shows "SYNs to protected ports"
for _ in 1 2 3; do tcptool_c client "$IP4_S" 7000 --bytes 100 >/dev/null; done
ho=$(so_stat handoff_ok)
eventually 3 "top shows the handshakes' total ($ho)" shows "handed to the server  *[0-9]* *$ho\$"
eventually 3 "and rates per second" shows "per second"
fits() {
	local lines width
	lines=$(screen | sed '/^$/d' | wc -l)
	width=$(screen | awk '{ if (length > w) w = length } END { print w + 0 }')
	if [ "$lines" -gt 24 ] || [ "$width" -gt 80 ]; then
		echo "$lines lines, $width columns"
		return 1
	fi
}
check "it fits 80x24" fits
tmux -L "$TMUX_SOCK" send-keys q
gone() { ! tmux -L "$TMUX_SOCK" has-session 2>/dev/null; }
eventually 3 "q quits it" gone
tmux -L "$TMUX_SOCK" kill-server 2>/dev/null

so_stop
eventually 3 "STOPPING=1 at the end" notified "STOPPING=1"

# --- the Debian package ----------------------------------------------------
if dpkg -s shakeoff >/dev/null 2>&1; then
	fail "a shakeoff package is already installed here: the package test would replace it"
	finish
fi
make -s -C "$ROOT" deb >"$WORK/deb.log" 2>&1 || { fail "make deb" "$(tail -n 10 "$WORK/deb.log")"; finish; }
DEB=$ROOT/.output/deb/shakeoff_${VERSION}_$(dpkg --print-architecture).deb
check "make deb builds $(basename "$DEB")" test -s "$DEB"
dpkg -i "$DEB" >"$WORK/dpkg.log" 2>&1 || fail "dpkg -i" "$(tail -n 5 "$WORK/dpkg.log")"
check "the package's shakeoff runs" same "$(/usr/sbin/shakeoff --version)" "shakeoff $VERSION"
check "its man page is found by man" same "$(man -w shakeoff 2>&1)" /usr/share/man/man8/shakeoff.8.gz
check "and renders" sh -c 'man shakeoff 2>/dev/null | grep -q "SYN-flood shield"'
check "the unit is installed" test -s /lib/systemd/system/shakeoff@.service
dpkg -P shakeoff >>"$WORK/dpkg.log" 2>&1 || fail "dpkg -P" "$(tail -n 5 "$WORK/dpkg.log")"
gone_all() {
	local f left=
	for f in /usr/sbin/shakeoff /usr/share/man/man8/shakeoff.8.gz /lib/systemd/system/shakeoff@.service \
		/etc/shakeoff /usr/share/bash-completion/completions/shakeoff; do
		[ -e "$f" ] && left="$left $f"
	done
	[ -z "$left" ] || { echo "left:$left"; return 1; }
}
check "dpkg -P removes it cleanly" gone_all
check "and dpkg forgets it" sh -c '! dpkg -s shakeoff >/dev/null 2>&1'
finish
