#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""What ci/test.sh prints from meson's JSON test log (one line per test,
build/meson-logs/testlog-python3.json under ci/cpu.py's wrapper).

  testlog.py vm TESTLOG       "vm scenarios: N run (P passed, F failed), S skipped[: why]"
  testlog.py summary TESTLOG  the five slowest tests, every test that did not
                              pass with the last 25 lines of its output, then
                              "main suite: N tests, K not passed[: names]"

CI logs and people read these lines: keep their wording. ci/cpu.py names
its table's tests through names() below.
"""
import json
import sys

PASSED = ('OK', 'SKIP', 'EXPECTEDFAIL')


def load(path):
    return [json.loads(line) for line in open(path)]


def suite_of(t):
    # "name": "PROJECT:SUITE / TEST" (meson's JSON log has no suite field)
    return t['name'].split(' / ')[0].split(':')[-1]


def short(t):
    """"SUITE / TEST", as the table and the summary print it."""
    return t['name'].split(':', 1)[-1]


def names(path):
    """{JSON of a test's own command line: its short name}. Under a
    --wrapper the logged command is the wrapper's words, '--', the test's."""
    out = {}
    for t in load(path):
        cmd = t['command']
        if 'wrap' in cmd[:3] and '--' in cmd:
            cmd = cmd[cmd.index('--') + 1:]
        out[json.dumps(cmd)] = short(t)
    return out


def vm(tests):
    # The qemu proofs skip rather than fail when no kernel can be had: one
    # line says how many ran, so that a skipped proof shows in the CI log.
    run, passed, skipped = 0, 0, []
    for t in tests:
        if suite_of(t) not in ('vm', 'vm-arm64'):
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


def summary(tests):
    tests = sorted(tests, key=lambda t: -t['duration'])
    print('slowest tests:')
    for t in tests[:5]:
        print('  %7.1f s  %s (%s)' % (t['duration'], short(t), t['result']))
    bad = [t for t in tests if t['result'] not in PASSED]
    for t in bad:
        print('FAILED: %s (%s, %.1f s); its last lines:' % (short(t), t['result'], t['duration']))
        out = ((t.get('stdout') or '') + (t.get('stderr') or '')).splitlines()
        for line in out[-25:]:
            print('    ' + line)
    print('main suite: %d tests, %d not passed%s' % (
        len(tests), len(bad), ': ' + ', '.join(short(t) for t in bad) if bad else ''))


def main(args):
    if len(args) == 2 and args[0] in ('vm', 'summary'):
        {'vm': vm, 'summary': summary}[args[0]](load(args[1]))
        return 0
    print(__doc__.split('\n\n')[1], file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
