#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The fast unit suites once more under AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer, in a build directory of their own; only the
# targets those tests need are built (meson test rebuilds no more).
#
#   ci/sanitize.sh          (ci/test.sh runs it beside the main suite, at nice 10)
#
# Environment: SAN_BUILD (default build-san).
# The tests: every test of the lib, audit and bundle suites and btfgen's
# jobpool, but these: bundle/hostile measures RSS under `ulimit -v`, which
# ASan's shadow memory cannot live with; bundle/api, bundle/abi and
# bundle/version check the static and shared library's symbols and version
# by building against them (not memory safety); bundle/embedgen
# and audit/floor-gate run whole pipelines (minutes under ASan). The fuzz
# target has its own sanitizers (tests/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
SAN=${SAN_BUILD:-build-san}
t0=$(date +%s)
# -Db_lundef=false: the sanitizer runtimes are linked into executables only.
[ -f "$SAN/build.ninja" ] ||
	meson setup "$SAN" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
tests=$(meson test -C "$SAN" --list 2>/dev/null |
	sed -n -e 's#^btfkit:\(lib\|audit\|bundle\) / ##p' -e 's#^btfkit:btfgen / \(jobpool\)$#\1#p' |
	grep -vxE 'hostile|api|abi|version|embedgen|floor-gate')
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# shellcheck disable=SC2086 # one test name per word
meson test -C "$SAN" --print-errorlogs --num-processes 2 --timeout-multiplier 3 $tests
echo "sanitizers (ASan+UBSan): $(echo $tests | wc -w) unit tests passed in $(( $(date +%s) - t0 )) s"
