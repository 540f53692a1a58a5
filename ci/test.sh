#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Quick start #2: set up a fresh Debian 12 machine, build, and run the tests.
# Run as root (or with sudo) so that the BPF tests run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
# First, as on a fresh machine nothing else (python3 included) may be there.
bash ci/setup.sh --arch arm64	# suite vm-arm64 cross-builds the tracer
BUILD=${BUILD:-build}
# The CPU of every step and test (ci/cpu.py; user+sys with children, which
# unlike wall time does not depend on what else the machine is running),
# tabled at the end: where the next minute is to be won.
mkdir -p "$BUILD/meson-logs"
cpu_log=$(cd "$BUILD/meson-logs" && pwd)/cpu.jsonl
rm -f "$cpu_log"
step() { name=$1; shift; python3 ci/cpu.py step "$cpu_log" "$name" -- "$@"; }
[ -f "$BUILD/build.ninja" ] ||
	step "meson setup" meson setup "$BUILD" -Dwerror=true	# CI: no warning lands
step "meson compile" meson compile -C "$BUILD"
# Two builds run in the background at a low priority, so that they use the
# CPU the tests leave idle instead of holding a test slot (meson starts the
# one-at-a-time tests first, each with a core to spare: tests/meson.build).
# A full run only: `ci/test.sh --suite X` has no use for them. Each runs in
# its own process group, so that an early exit stops it and its children.
bg_pids=() nobtf_log='' san_log=''
bg() { local n=$1; shift; setsid nice -n "$n" python3 ci/cpu.py step "$cpu_log" "$@" & bg_pids+=($!); }
# `|| true`: a build has usually finished by then (at once when cached), and
# under set -e a failed kill in this trap would turn a passing run's exit
# status into 1 (stop 13's CI: every test passed, exit 1).
# shellcheck disable=SC2317 # called by the EXIT trap
stop_bg() {
	local p
	for p in "${bg_pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
	rm -f "$nobtf_log" "$san_log"
}
trap stop_bg EXIT
if [ $# -eq 0 ]; then
	# The kernel without BTF (suite vm, nobtf): minutes of compiling the
	# first time. Its test runs last and finds it cached, or waits on its
	# lock. It needs this build's btfhub-make (for its BTF), hence after
	# the compile. Nice 19: it has no time limit short of its test's hour.
	nobtf_log=$(mktemp "${TMPDIR:-/tmp}/btfkit-nobtf.XXXXXX")
	BTFHUB_MAKE=$(cd "$BUILD" && pwd)/tools/btfhub-make \
		bg 19 "nobtf kernel (background)" -- sh tests/vm/nobtf/build-kernel.sh >"$nobtf_log" 2>&1
	# The unit suites once more under ASan+UBSan, in a build of their own
	# (ci/sanitize.sh); its log is printed when it is done, not interleaved.
	# Nice 10, not 19: its tests have timeouts, and at 19 a test that falls
	# among two busy test slots gets ~1.5% of a core (10: ~10%), while the
	# kernel build at 19 leaves it nearly all the spare core.
	if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
		san_log=$(mktemp "${TMPDIR:-/tmp}/btfkit-sanitize.XXXXXX")
		bg 10 "ci/sanitize.sh" -- bash ci/sanitize.sh >"$san_log" 2>&1
		san_pid=$!
	fi
fi
rc=0
# meson names the logs of a run under a wrapper after it: testlog-python3.*
testlog=$BUILD/meson-logs/testlog-python3.json
rm -f "$testlog"	# summed up below: this run's only
meson test -C "$BUILD" --print-errorlogs --num-processes 2 \
	--wrapper "python3 $PWD/ci/cpu.py wrap $cpu_log --" "$@" || rc=$?
[ ! -f "$testlog" ] || python3 ci/testlog.py vm "$testlog"
if [ -n "$san_log" ]; then
	san_rc=0
	wait "$san_pid" || san_rc=$?
	if [ $san_rc = 0 ]; then
		tail -n 1 "$san_log"
	else
		rc=$san_rc
		echo "ci/sanitize.sh failed ($san_rc); the end of its log:"
		tail -n 60 "$san_log"
	fi
fi
# The CPU each step and test consumed (ci/cpu.py), the five slowest tests
# (where the next minute is to be won), then every test that did not pass
# with the end of its output, last: a CI log is often read from its tail.
python3 ci/cpu.py report "$cpu_log" "$testlog" --top 10 || echo "ci/test.sh: no CPU table ($cpu_log)" >&2
[ ! -f "$testlog" ] || python3 ci/testlog.py summary "$testlog"
exit $rc
