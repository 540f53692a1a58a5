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
# The kernel without BTF (suite vm, nobtf) takes minutes of compiling the
# first time: start it now, at nice 19, so that it uses the CPU the tests
# leave idle (downloads, one-at-a-time tests) instead of holding a test
# slot; its test runs last and finds it cached, or waits on its lock. It
# needs this build's btfhub-make (for its BTF), hence after the compile.
# A full run only: `ci/test.sh --suite X` has no use for it.
nobtf_pid=
if [ $# -eq 0 ]; then
	nobtf_log=$(mktemp "${TMPDIR:-/tmp}/btfkit-nobtf.XXXXXX")
	# Its own process group, so that an early exit stops make and its children too.
	BTFHUB_MAKE=$(cd "$BUILD" && pwd)/tools/btfhub-make \
		setsid nice -n 19 python3 ci/cpu.py step "$cpu_log" "nobtf kernel (background)" -- \
		sh tests/vm/nobtf/build-kernel.sh >"$nobtf_log" 2>&1 &
	nobtf_pid=$!
	# `|| true`: the build has usually finished (at once when cached), and
	# under set -e a failed kill in this trap would turn a passing run's
	# exit status into 1 (stop 13's CI: every test passed, exit 1).
	trap 'kill -TERM -- "-$nobtf_pid" 2>/dev/null || true; rm -f "$nobtf_log"' EXIT
fi
rc=0
# meson names the logs of a run under a wrapper after it: testlog-python3.*
testlog=$BUILD/meson-logs/testlog-python3.json
rm -f "$testlog"	# counted below: this run's only
meson test -C "$BUILD" --print-errorlogs --num-processes 2 \
	--wrapper "python3 $PWD/ci/cpu.py wrap $cpu_log --" "$@" || rc=$?
# The qemu proofs skip rather than fail when no kernel can be had: say
# in one line how many ran, so that a skipped proof shows in the CI log.
[ ! -f "$testlog" ] || python3 - "$testlog" <<'PY'
import json, sys
run, passed, skipped = 0, 0, []
for line in open(sys.argv[1]):
    t = json.loads(line)
    # "name": "PROJECT:SUITE / TEST" (meson's testlog.json has no suite field)
    if t['name'].split(' / ')[0].split(':')[-1] not in ('vm', 'vm-arm64'):
        continue
    if t['result'] == 'SKIP':
        # TAP: "1..0 # SKIP reason" (tests/lib/tap.py)
        why = [l.split('# SKIP ', 1)[1] for l in (t.get('stdout') or '').splitlines()
               if '# SKIP ' in l]
        skipped.append('%s (%s)' % (t['name'].split(' / ', 1)[-1], why[-1][:120] if why else '?'))
    else:
        run += 1
        passed += t['result'] == 'OK'
print('vm scenarios: %d run (%d passed, %d failed), %d skipped%s' % (
    run, passed, run - passed, len(skipped), ': ' + '; '.join(skipped) if skipped else ''))
PY
# The unit suites once more under ASan+UBSan (a build of their own), on a
# whole run only: ci/sanitize.sh.
[ $# -ne 0 ] || [ "${SKIP_SANITIZE:-0}" = 1 ] || step "ci/sanitize.sh" bash ci/sanitize.sh || rc=$?
# The CPU each step and test consumed (ci/cpu.py), the five slowest tests
# (where the next minute is to be won), then every test that did not pass
# with the end of its output, last: a CI log is often read from its tail,
# which the sanitizer build above fills.
python3 ci/cpu.py report "$cpu_log" "$testlog" --top 10 || echo "ci/test.sh: no CPU table ($cpu_log)" >&2
[ ! -f "$testlog" ] || python3 - "$testlog" <<'PY'
import json, sys
tests = [json.loads(line) for line in open(sys.argv[1])]
tests.sort(key=lambda t: -t['duration'])
print('slowest tests:')
for t in tests[:5]:
    print('  %7.1f s  %s (%s)' % (t['duration'], t['name'].split(':', 1)[-1], t['result']))
bad = [t for t in tests if t['result'] not in ('OK', 'SKIP', 'EXPECTEDFAIL')]
for t in bad:
    print('FAILED: %s (%s, %.1f s); its last lines:' % (t['name'].split(':', 1)[-1],
                                                      t['result'], t['duration']))
    out = ((t.get('stdout') or '') + (t.get('stderr') or '')).splitlines()
    for line in out[-25:]:
        print('    ' + line)
print('main suite: %d tests, %d not passed%s' % (
    len(tests), len(bad), ': ' + ', '.join(t['name'].split(':', 1)[-1] for t in bad) if bad else ''))
PY
exit $rc
