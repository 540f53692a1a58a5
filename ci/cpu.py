#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""CPU per test and per CI step, independent of the machine's load.

Wall time on a shared 2-core machine says more about the neighbours than
about the test; the CPU a test and its children consume (user + system,
from wait4's rusage, so every descendant that was waited for) does not.

  cpu.py wrap LOG -- CMD...     run CMD, append its record to LOG (JSONL);
                                meson test --wrapper 'python3 ci/cpu.py wrap LOG --'
  cpu.py step LOG NAME -- CMD...  the same for one CI step, under NAME
  cpu.py report LOG [TESTLOG] [--top N]
                                the table: steps, then tests by CPU (names from
                                meson's testlog.json, matched by command line),
                                then the share of the cores' time the run left
                                unused (records since the start field was added)

Each record also carries how much the download cache grew meanwhile
(BTFKIT_VM_CACHE, BTFKIT_APT_DIR and ${XDG_CACHE_HOME:-~/.cache}/btfkit):
with tests running two at a time that is shared between neighbours, so a
cold run's figures are per test only where one test downloads at a time.
The exit status is CMD's (a signal is re-raised), so meson's verdicts
(0, 77, 99, timeouts) are unchanged.
"""
import fcntl
import json
import os
import signal
import sys
import time

from testlog import names as testlog_names  # ci/testlog.py


def cache_dirs():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache')
    dirs = {os.path.join(base, 'btfkit')}
    for var in ('BTFKIT_VM_CACHE', 'BTFKIT_APT_DIR'):
        if os.environ.get(var):
            dirs.add(os.environ[var])
    return sorted(dirs)


def cache_bytes():
    total = 0
    for top in cache_dirs():
        for root, _, files in os.walk(top):
            for f in files:
                try:
                    total += os.lstat(os.path.join(root, f)).st_size
                except OSError:
                    pass  # a temp file renamed away meanwhile
    return total


def run(log, name, argv):
    before = cache_bytes()
    t0 = time.monotonic()
    start = time.time()  # wall clock: records of separate processes line up
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            print('cpu.py: %s: %s' % (argv[0], e.strerror), file=sys.stderr)
        os._exit(127)
    # meson ends a timed-out test with SIGTERM to its process group, which
    # reaches the child too; the wrapper only has to outlive it to record it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        try:
            _, status, ru = os.wait4(pid, 0)
            break
        except InterruptedError:
            continue
    wall = time.monotonic() - t0
    rec = {'name': name, 'argv': argv, 'start': round(start, 2), 'wall': round(wall, 2),
           'user': round(ru.ru_utime, 2), 'sys': round(ru.ru_stime, 2),
           'maxrss_kb': ru.ru_maxrss, 'cache_growth': cache_bytes() - before,
           'status': os.waitstatus_to_exitcode(status)}
    with open(log, 'a') as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # tests run in parallel
        f.write(json.dumps(rec) + '\n')
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    return os.waitstatus_to_exitcode(status)


def report(log, testlog, top):
    recs = [json.loads(l) for l in open(log)]
    names = testlog_names(testlog) if testlog and os.path.exists(testlog) else {}
    steps = [r for r in recs if r['name']]
    tests = [r for r in recs if not r['name']]
    for r in tests:
        r['name'] = names.get(json.dumps(r['argv']), ' '.join(os.path.basename(a) for a in r['argv'][:3]))
    cpu = lambda r: r['user'] + r['sys']
    print('%-44s %8s %8s %8s %9s' % ('CPU (user+sys, children included)', 'cpu s', 'wall s', 'rss MB', 'cache MB'))
    for r in steps:
        print('%-44s %8.1f %8.1f %8.0f %9.1f' % ('step: ' + r['name'][:38], cpu(r), r['wall'],
                                                 r['maxrss_kb'] / 1024, r['cache_growth'] / 1e6))
    tests.sort(key=lambda r: -cpu(r))
    for r in tests[:top]:
        print('%-44s %8.1f %8.1f %8.0f %9.1f' % (r['name'][:44], cpu(r), r['wall'],
                                                 r['maxrss_kb'] / 1024, r['cache_growth'] / 1e6))
    rest = tests[top:]
    if rest:
        print('%-44s %8.1f' % ('(%d other tests)' % len(rest), sum(map(cpu, rest))))
    print('%-44s %8.1f   = %.1f CPU-minutes, %d tests' % (
        'total', sum(map(cpu, steps + tests)), sum(map(cpu, steps + tests)) / 60, len(tests)))
    # The share of the machine the run left unused: 1 - CPU / (cores x the
    # span from the first step's start to the last record's end), with the
    # background steps' CPU counted (they fill what the tests leave). On a
    # shared machine what neighbours took counts as unused too.
    timed = [r for r in steps + tests if 'start' in r]
    if timed:
        span = max(r['start'] + r['wall'] for r in timed) - min(r['start'] for r in timed)
        cores = os.cpu_count() or 1
        if span > 0:
            print('%-44s %8s %8.1f   = %.0f%% of %d cores not used by this run' % (
                'span (first start to last end)', '', span,
                100 * max(0.0, 1 - sum(map(cpu, timed)) / (cores * span)), cores))


def main(args):
    if len(args) >= 3 and args[0] == 'wrap' and args[2] == '--':
        return run(args[1], '', args[3:])
    if len(args) >= 4 and args[0] == 'step' and args[3] == '--':
        return run(args[1], args[2], args[4:])
    if len(args) >= 2 and args[0] == 'report':
        top = 15
        rest = args[1:]
        if '--top' in rest:
            i = rest.index('--top')
            top = int(rest[i + 1])
            del rest[i:i + 2]
        report(rest[0], rest[1] if len(rest) > 1 else None, top)
        return 0
    print(__doc__.split('\n\n')[1], file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
