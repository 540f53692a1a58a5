#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Quick start #2: set up a fresh Debian 12 machine, build, and run the tests.
# Run as root (or with sudo) so that the BPF tests run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh --arch arm64	# suite vm-arm64 cross-builds the tracer
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dwerror=true	# CI: no warning lands
meson compile -C "$BUILD"
rc=0
rm -f "$BUILD/meson-logs/testlog.json"	# counted below: this run's only
meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@" || rc=$?
# The qemu proofs skip (77) rather than fail when no kernel can be had: say
# in one line how many ran, so that a skipped proof shows in the CI log.
[ ! -f "$BUILD/meson-logs/testlog.json" ] || python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
run, passed, skipped = 0, 0, []
for line in open(sys.argv[1]):
    t = json.loads(line)
    # "name": "PROJECT:SUITE / TEST" (meson's testlog.json has no suite field)
    if t['name'].split(' / ')[0].split(':')[-1] not in ('vm', 'vm-arm64'):
        continue
    if t['result'] == 'SKIP':
        why = [l[6:] for l in (t.get('stdout') or '').splitlines() if l.startswith('SKIP: ')]
        skipped.append('%s (%s)' % (t['name'].split(' / ', 1)[-1], why[-1][:120] if why else '?'))
    else:
        run += 1
        passed += t['result'] == 'OK'
print('vm scenarios: %d run (%d passed, %d failed), %d skipped%s' % (
    run, passed, run - passed, len(skipped), ': ' + '; '.join(skipped) if skipped else ''))
PY
# The unit suites once more under ASan+UBSan (a build of their own), on a
# whole run only: ci/sanitize.sh.
[ $# -ne 0 ] || [ "${SKIP_SANITIZE:-0}" = 1 ] || bash ci/sanitize.sh || rc=$?
exit $rc
