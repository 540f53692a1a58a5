#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The quick start shows the tracer working (issue 17): ci/trace-demo.sh, the
part of ci/quickstart.sh after setup and build, run on this build, must say
in one line which BTF it uses and why, and print its workload's events -
an exec of /bin/echo with its arguments, a fork, an exit, the open of its
file, the TCP connect to its listener - decoded, then coretrace's summary."""
import os
import re

from ctlib import BUILD, SOURCE, check, fail, require_bpf, run
import tap  # noqa: E402

COLUMNS = ['TIME', 'EVENT', 'PID', 'TGID', 'PPID', 'UID', 'COMM', 'DETAILS']


def main():
    require_bpf()
    r = run(['bash', os.path.join(SOURCE, 'ci', 'trace-demo.sh'), BUILD], timeout=170)
    out = r.stdout
    check(r.returncode == 0, 'ci/trace-demo.sh: exit %d: %s' % (r.returncode, r.stderr.strip()))
    btf = [l for l in out.splitlines() if l.startswith('trace-demo: BTF source')]
    check(len(btf) == 1 and re.match(r'trace-demo: BTF source: (file|system|embedded bundle|bundle) '
                                      r'\S.* \(.+\)', btf[0]), 'no one-line BTF decision: %r' % btf)
    m = re.search(r'/bin/cat (\S+/hello\.txt) and a connect to 127\.0\.0\.1:(\d+), all from pid (\d+)',
                  out)
    check(m, 'the demo does not say what it ran: %.500s' % out)
    path, port, wpid = m.group(1), m.group(2), m.group(3)

    lines = out.splitlines()
    try:
        head = next(i for i, l in enumerate(lines) if l.split() == COLUMNS)
    except StopIteration:
        fail('no event table (header %s) in: %.800s' % (' '.join(COLUMNS), out))
    events = []
    for l in lines[head + 1:]:
        f = l.split(None, 7)
        if len(f) < 7 or not re.match(r'\d\d:\d\d:\d\d\.\d+$', f[0]):
            break
        events.append(dict(zip(COLUMNS, f + [''] * (8 - len(f)))))
    mine = [e for e in events if wpid in (e['TGID'], e['PPID'])]
    check(len(mine) == len(events), 'events of other processes shown: %r' % [
        e for e in events if e not in mine][:3])

    def has(kind, what, desc):
        if not any(e['EVENT'] == kind and what(e) for e in mine):
            fail('no %s event %s among the workload\'s: %s' % (
                kind, desc, '\n'.join(' '.join(e.values()) for e in mine)[:2000]))

    has('exec', lambda e: e['COMM'] == 'echo' and e['PPID'] == wpid and
        '/bin/echo' in e['DETAILS'] and 'btfkit-demo' in e['DETAILS'] and 'two words' in e['DETAILS'],
        'of /bin/echo btfkit-demo "two words" by a child of %s' % wpid)
    has('open', lambda e: e['COMM'] == 'cat' and path in e['DETAILS'], 'of %s by cat' % path)
    has('connect', lambda e: e['TGID'] == wpid and '127.0.0.1' in e['DETAILS'] and port in e['DETAILS'],
        'to 127.0.0.1:%s by %s' % (port, wpid))
    has('fork', lambda e: True, 'by the workload')
    has('exit', lambda e: True, 'of the workload')
    check(re.search(r'^\(\d+ events of other processes not shown\)$', out, re.M),
          'no count of the hidden events')
    s = re.search(r'^coretrace: (\d+) events, (\d+) lost \((?:ring|perf) buffer; BTF: (.+)\)$',
                  r.stdout + r.stderr, re.M)
    check(s and int(s.group(1)) >= len(mine), 'no summary line after the events')
    tap.diag('%s; %d workload events (exec/open/connect/fork/exit) of %s; %s' % (
        btf[0], len(mine), s.group(1), s.group(0)))


if __name__ == '__main__':
    tap.main(main)
