#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make lint (and tests/run): shellcheck on every shell script, cppcheck on
# the userspace C, clang-format on every C file. A line "PASS/FAIL name"
# each, the findings under a FAIL. Needs `make` first (.output/cli.c).
set -u
cd "$(dirname "$0")/.." || exit 1
failed=0
# lint NAME CMD...: PASS if CMD succeeds and says nothing.
lint() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1) && [ -z "$out" ]; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		printf '%s\n' "$out" | head -n 40 | sed 's/^/    /'
		failed=1
	fi
}

mapfile -t shells < <(git ls-files '*.sh' tests/run tests/fuzz/run .ci/run 2>/dev/null ||
	find . -name '*.sh' -not -path './.output/*')
mapfile -t csrc < <(git ls-files '*.c' '*.h' 2>/dev/null | grep -vx vmlinux.h ||
	find . -name '*.[ch]' -not -path './.output/*' -not -name vmlinux.h)

lint "shellcheck: ${#shells[@]} scripts (.shellcheckrc)" shellcheck -f gcc "${shells[@]}"
lint "cppcheck: the userspace C" cppcheck --quiet -j 2 --enable=warning,performance,portability \
	--std=c11 --inline-suppr -Iinclude -Iuser -I.output -I/usr/include -D__x86_64__ \
	--max-configs=1 --suppress=missingIncludeSystem --suppress='*:/usr/include/*' \
	user/*.c .output/cli.c
lint "clang-format: ${#csrc[@]} C files (.clang-format)" clang-format --dry-run -Werror "${csrc[@]}"
exit $failed
