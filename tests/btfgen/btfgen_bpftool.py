#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfgen cases: the bpftool it runs (environment, probe record)."""
import os
import shlex
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tap import Skip, check  # noqa: E402
from btfgenlib import btfgen, expect_ok, input_files, make_tree, output_tree  # noqa: E402



def bpftool_spy(tmp, line):
    """A bpftool that runs the shell @line, then execs the real one."""
    real = shutil.which('bpftool', path=os.environ.get('PATH', '') + ':/usr/sbin:/sbin')
    if not real:
        raise Skip('no bpftool')
    spy = os.path.join(tmp, 'bpftool')
    with open(spy, 'w') as f:
        f.write(f'#!/bin/sh\n{line}\nexec {real} "$@"\n')
    os.chmod(spy, 0o755)
    return spy


def case_bpftool_env(args, tmp):
    """bpftool runs with glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES (its
    heap faulted in huge pages); a user's own hugetlb setting stands, other
    tunables are kept, and the reduced BTFs are the same bytes either way."""
    log = os.path.join(tmp, 'env.log')
    # Only the reductions are logged: the probes (--version, gen help) are not the point.
    spy = bpftool_spy(tmp, f'[ "$2" = min_core_btf ] && echo "${{GLIBC_TUNABLES-unset}}" >> {log}')
    indir = make_tree(args, os.path.join(tmp, 'in'), host=False)
    n = len(input_files(indir))
    # The probe record says whether bpftool's file had settled (ctime over
    # FILE_ID_SETTLE_NS old, tools/lib/fileid.h) when it was probed: a spy
    # made a moment ago is "unsettled" in the first run only. Let it settle,
    # so that the three runs' trees, cache records included, must be equal.
    time.sleep(max(0.0, os.stat(spy).st_ctime + 1.1 - time.time()))
    trees = {}
    for name, tun, want in (('default', None, 'glibc.malloc.hugetlb=1'),
                            ('other', 'glibc.malloc.check=0',
                             'glibc.malloc.check=0:glibc.malloc.hugetlb=1'),
                            ('off', 'glibc.malloc.hugetlb=0', 'glibc.malloc.hugetlb=0')):
        env = {k: v for k, v in os.environ.items() if k != 'GLIBC_TUNABLES'}
        if tun is not None:
            env['GLIBC_TUNABLES'] = tun
        if os.path.exists(log):
            os.unlink(log)
        out = os.path.join(tmp, 'out-' + name)
        expect_ok(btfgen(args, out, indir, extra=['--bpftool', spy], env=env), reduced=n)
        with open(log) as f:
            seen = f.read().split()
        check(seen == [want] * n, f'{name}: bpftool saw GLIBC_TUNABLES {seen}, want {want!r} x{n}')
        # The .stat validators record the output files' own inode and times.
        trees[name] = {k: v for k, v in output_tree(out).items() if not k.endswith('.stat')}
    for name in ('off', 'other'):
        diff = sorted(k for k in trees['default'].keys() | trees[name].keys()
                      if trees['default'].get(k) != trees[name].get(k))
        check(not diff, f'{name}: reduced tree differs from the default run: {diff}')


def case_bpftool_probe(args, tmp):
    """bpftool's probe (--version, gen help) is kept in OUTDIR's cache: a re-run
    with the same bpftool file starts no probe; a changed bpftool (here its
    mtime) is probed again; a garbled record is only a miss."""
    log = os.path.join(tmp, 'calls.log')
    spy = bpftool_spy(tmp, f'echo "$1 $2" >> {log}')
    indir = make_tree(args, os.path.join(tmp, 'in'), host=False)
    n = len(input_files(indir))
    out = os.path.join(tmp, 'out')
    record = os.path.join(out, '.btfgen-cache', 'bpftool.probe')

    def calls(**kw):
        if os.path.exists(log):
            os.unlink(log)
        r = btfgen(args, out, indir, extra=['--bpftool', spy])
        expect_ok(r, **kw)
        if not os.path.exists(log):
            return []  # bpftool never started
        with open(log) as f:
            return [ln.strip() for ln in f if not ln.startswith('gen min_core_btf')]

    probes = ['--version', 'gen help']
    seen = calls(reduced=n)
    check(seen == probes and os.path.isfile(record), f'first run: probes {seen}')
    seen = calls(cached=n)
    check(seen == [], f'no-change re-run still probed bpftool: {seen}')
    st = os.stat(spy)
    os.utime(spy, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    seen = calls(cached=n)
    check(seen == probes, f'a changed bpftool was not probed again: {seen}')
    with open(record, 'wb') as f:
        f.write(b'btfgen-probe 1\npath /elsewhere\n\nbpftool v0\n')
    seen = calls(cached=n)
    check(seen == probes, f'a record of another bpftool was trusted: {seen}')


def case_bpftool_id(args, tmp):
    """The cache names bpftool by its executable, not by what it prints:
    another program printing the same --version text keeps no cached output;
    the same bytes at a new inode (a re-install) keep them all."""
    real = shutil.which('bpftool', path=os.environ.get('PATH', '') + ':/usr/sbin:/sbin')
    if not real:
        raise Skip('no bpftool')
    version = subprocess.run([real, '--version'], capture_output=True, text=True).stdout
    indir = make_tree(args, os.path.join(tmp, 'in'), host=False)
    n = len(input_files(indir))
    out = os.path.join(tmp, 'out')
    expect_ok(btfgen(args, out, indir, extra=['--bpftool', real]), reduced=n)
    expect_ok(btfgen(args, out, indir, extra=['--bpftool', real]), cached=n)
    # An impostor: the very same --version text (argv[0] included), and
    # reductions done by the real one, so that only the cache key can differ.
    imp = os.path.join(tmp, 'bin', 'bpftool')
    os.makedirs(os.path.dirname(imp))
    with open(imp, 'w') as f:
        f.write('#!/bin/sh\n'
                f'[ "$1" = --version ] && {{ printf %s {shlex.quote(version)}; exit 0; }}\n'
                f'exec {real} "$@"\n')
    os.chmod(imp, 0o755)
    r = btfgen(args, out, indir, extra=['--bpftool', imp])
    expect_ok(r)
    check(r.summary['reduced'] == n, f'another bpftool with the same version text: '
          f'{r.summary["cached"]} of {n} kernels kept from the cache')
    # The same bytes at another path and inode: nothing to redo.
    copy = os.path.join(tmp, 'bin2', 'bpftool')
    os.makedirs(os.path.dirname(copy))
    shutil.copy(imp, copy)
    expect_ok(btfgen(args, out, indir, extra=['--bpftool', copy]), cached=n)

