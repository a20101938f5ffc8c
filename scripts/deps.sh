#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install whatever shakeoff needs to build, test or benchmark that this Debian
# machine lacks. Idempotent and quiet when nothing is missing.
#   scripts/deps.sh build   compiler (with the fuzzer and sanitizer runtimes), libbpf, libxdp, bpftool
#   scripts/deps.sh deb     build + the Debian packaging tools
#   scripts/deps.sh lint    build + shellcheck, cppcheck, clang-format
#   scripts/deps.sh test    build + deb + lint + what the veth tests drive (nginx, curl, nft...)
#                           and perf (make profile is tested)
#   scripts/deps.sh bench   test + load generators and plotting
set -eu

build=(clang llvm make gcc pkg-config libbpf-dev libxdp-dev bpftool libelf-dev zlib1g-dev libc6-dev-i386
	libclang-rt-14-dev)
test=(iproute2 nftables iptables ethtool nginx curl tcpdump procps python3 util-linux bc valgrind xdp-tools prometheus tmux man-db systemd bash-completion bsdextrautils
	linux-perf)
deb=(dpkg-dev debhelper)
lint=(shellcheck cppcheck clang-format)
bench=(wrk iperf3 gnuplot-nox)

want=("${build[@]}")
case "${1:-build}" in
build) ;;
deb) want+=("${deb[@]}") ;;
lint) want+=("${lint[@]}") ;;
test) want+=("${test[@]}" "${deb[@]}" "${lint[@]}") ;;
bench) want+=("${test[@]}" "${deb[@]}" "${lint[@]}" "${bench[@]}") ;;
*) echo "deps.sh: unknown set '$1' (build, deb, lint, test, bench)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "shakeoff: missing packages: ${missing[*]}: run as root or install them" >&2
	exit 1
fi
echo "shakeoff: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
