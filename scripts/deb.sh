#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make deb: build the Debian package from a copy of the tracked sources (so
# the package's clean step never touches this tree); the .deb lands in
# .output/deb/.
set -eu
cd "$(dirname "$0")/.."
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
out=$PWD/.output/deb
src=$out/shakeoff-$version
rm -rf "$out"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z | xargs -0 cp --parents -t "$src"
else
	tar --exclude=./.output --exclude=./shakeoff -cf - . | tar -xf - -C "$src"
fi
(cd "$src" && dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1) || {
	tail -n 30 "$out/build.log" >&2
	echo "shakeoff: make deb failed: the whole log is $out/build.log" >&2
	exit 1
}
ls "$out"/*.deb
