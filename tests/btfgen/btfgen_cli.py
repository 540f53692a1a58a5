#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfgen cases: the command line, per-kernel failures and hostile names."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tap import Fail, Skip, check  # noqa: E402
from btfgenlib import btf_types, btfgen, evil_escaped, expect_ok, fixtures, input_files, \
    make_tree, output_tree, raw_btf_of, release_of, write_tar_xz  # noqa: E402



def case_cli(args, tmp):
    p = subprocess.run([args.btfgen, '--help'], capture_output=True, text=True)
    check(p.returncode == 0 and '--shard I/N' in p.stdout and '--fail-fast' in p.stdout,
          f'--help: rc {p.returncode}: {p.stdout}')
    p = subprocess.run([args.btfgen, '--version'], capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.startswith('btfgen '), f'--version: {p.stdout}')
    # Each usage error is exit 2 and a first line that names what is wrong
    # (the usage text that follows would satisfy any looser test).
    for bad, names in ((['-j', '0', '-o', tmp, tmp, args.object], ('-j', "'0'")),
                       (['-o', tmp, tmp], ('IN_DIR', 'OBJECT')),
                       (['--shard', '2/2', '-o', tmp, tmp, args.object], ('--shard', "'2/2'")),
                       (['--bogus'], ("'--bogus'",))):
        p = subprocess.run([args.btfgen, *bad], capture_output=True, text=True)
        check(p.returncode == 2, f'{bad}: expected usage error 2, got {p.returncode}')
        first = (p.stderr.splitlines() or [''])[0]
        check(not first.startswith('Usage') and all(n in first for n in names),
              f'{bad}: the first line does not name {names}: {p.stderr!r}')

    indir = make_tree(args, os.path.join(tmp, 'in'), raw=False, host=False)
    # A bpftool without min_core_btf must be refused up front, by name.
    fake = os.path.join(tmp, 'old-bpftool')
    with open(fake, 'w') as f:
        f.write('#!/bin/sh\n[ "$1" = --version ] && { echo "$0 v5.10.0"; exit 0; }\n'
                'echo "Usage: bpftool gen skeleton FILE"; exit 0\n')
    os.chmod(fake, 0o755)
    r = btfgen(args, os.path.join(tmp, 'out'), indir, extra=['--bpftool', fake])
    check(r.rc == 1 and "does not support 'gen min_core_btf'" in r.stderr and fake in r.stderr,
          f'old bpftool: rc {r.rc}: {r.stderr}')
    check('error' in r.summary, f'--json fatal error is not {{"error": ...}}: {r.summary}')
    r = btfgen(args, os.path.join(tmp, 'out'), indir, extra=['--bpftool', '/nonexistent/bpftool'])
    check(r.rc == 1 and '/nonexistent/bpftool' in r.stderr, f'missing bpftool: {r.stderr}')
    r = btfgen(args, indir, indir)
    check(r.rc == 1 and 'must not be IN_DIR' in r.stderr, f'OUTDIR == IN_DIR: {r.stderr}')
    r = btfgen(args, os.path.join(tmp, 'out'), indir, objects=[os.path.join(tmp, 'missing.o')])
    check(r.rc == 1 and 'missing.o' in r.stderr, f'missing object: {r.stderr}')
    # Not an object at all: refused once, up front, not once per kernel.
    notobj = os.path.join(tmp, 'notobj.bpf.o')
    with open(notobj, 'w') as f:
        f.write('int main;\n')
    r = btfgen(args, os.path.join(tmp, 'out'), indir, objects=[notobj])
    check(r.rc == 1 and r.stderr.count('error:') == 1 and 'not an ELF BPF object' in r.stderr,
          f'non-ELF object: {r.stderr}')
    # Without --json, the summary is one human line.
    p = subprocess.run([args.btfgen, '-o', os.path.join(tmp, 'out'), indir, args.object],
                       capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.startswith('3 kernels: 3 reduced, 0 cached, 0 failed'),
          f'text summary: {p.stdout!r} {p.stderr}')


def case_failures(args, tmp):
    indir = make_tree(args, os.path.join(tmp, 'in'))
    good = input_files(indir)
    fx = fixtures(args)
    raw = raw_btf_of(fx[0])
    bad = {
        # Truncated real BTF: bpftool itself refuses it.
        'corrupt/1/x86_64/broken': (os.path.join(indir, 'corrupt/1/x86_64/broken.btf'),
                                    "failed parsing"),
        # An archive member escaping its directory.
        'badtar/1/x86_64/evil': (os.path.join(indir, 'badtar/1/x86_64/evil.btf.tar.xz'),
                                 "member path '../evil.btf' contains '..'"),
        # Not an xz archive at all.
        'garbage/1/x86_64/junk': (os.path.join(indir, 'garbage/1/x86_64/junk.btf.tar.xz'),
                                  'not a .tar.xz'),
    }
    os.makedirs(os.path.dirname(bad['corrupt/1/x86_64/broken'][0]))
    with open(bad['corrupt/1/x86_64/broken'][0], 'wb') as f:
        f.write(raw[:100000])
    write_tar_xz(bad['badtar/1/x86_64/evil'][0], [('../evil.btf', raw)])
    os.makedirs(os.path.dirname(bad['garbage/1/x86_64/junk'][0]))
    with open(bad['garbage/1/x86_64/junk'][0], 'wb') as f:
        f.write(b'not an archive\n' * 100)

    out = os.path.join(tmp, 'out')
    priv_tmp = os.path.join(tmp, 'tmpdir')
    os.makedirs(priv_tmp)
    env = dict(os.environ, TMPDIR=priv_tmp)
    r = btfgen(args, out, indir, env=env)
    s = r.summary
    check(r.rc == 1, f'exit {r.rc} with failed kernels')
    check(s['failed'] == len(bad) and s['reduced'] == len(good),
          f'expected {len(bad)} failed and {len(good)} reduced: {s}')
    check(sorted(r.by_status('failed')) == sorted(bad), f'failed: {r.by_status("failed")}')
    errors = {x['kernel']: x.get('error', '') for x in s['results']}
    err_lines = [l for l in r.stderr.splitlines() if 'error:' in l]
    for kernel, (path, why) in bad.items():
        check(why in errors[kernel], f'{kernel}: error {errors[kernel]!r} lacks {why!r}')
        lines = [l for l in err_lines if path in l]
        check(len(lines) == 1 and why in lines[0],
              f'{kernel}: want one stderr line naming {path}: {err_lines}')
        check(not os.path.exists(os.path.join(out, kernel + '.btf')), f'{kernel}: output written')
    check('bpftool gen min_core_btf failed' in errors['corrupt/1/x86_64/broken'],
          'bpftool failure not labelled')
    for res in s['results']:
        if res['status'] == 'reduced':
            btf_types(res['output'])
    check(os.listdir(priv_tmp) == [], f'temp dir left behind: {os.listdir(priv_tmp)}')
    check(not evil_escaped(tmp), '../evil.btf was written outside the temp dir')

    # --fail-fast: the first failure (badtar sorts first) stops the rest.
    r = btfgen(args, os.path.join(tmp, 'out-ff'), indir, extra=['--fail-fast', '-j', '1'],
               env=env)
    check(r.rc == 1 and r.summary['failed'] == 1 and
          r.summary['skipped'] == r.summary['kernels'] - 1,
          f'--fail-fast: {r.summary}')


def case_names(args, tmp):
    """Bytes that are not UTF-8: a kernel named with one is refused in one escaped line;
    an IN_DIR with one still gets every --json field, escaped (jansson refuses raw bytes,
    and a dropped field or report is a bug)."""
    indir = os.path.join(tmp, 'in\udcff')            # b'in\xff' (surrogateescape)
    arch_dir = os.path.join(indir, 'debian', '12', 'x86_64')
    os.makedirs(arch_dir)
    fx = fixtures(args)[0]
    shutil.copy(fx, arch_dir)
    shutil.copy(fx, os.path.join(arch_dir, '6.1.0-\udcff.btf.tar.xz'))
    os.makedirs(os.path.join(indir, 'debian', '1\udcc2\udc9b', 'x86_64'))  # a C1 control
    shutil.copy(fx, os.path.join(indir, 'debian', '1\udcc2\udc9b', 'x86_64'))
    cmd = [args.btfgen, '--json', '-o', os.path.join(tmp, 'out'), indir, args.object]
    p = subprocess.run(cmd, capture_output=True)
    err = p.stderr.decode('utf-8', 'surrogateescape')
    sys.stderr.write(err)
    check(p.returncode == 0, f'exit {p.returncode}: {err}')
    try:
        s = json.loads(p.stdout.decode('utf-8'))      # strict: the document is valid UTF-8
    except ValueError as e:
        raise Fail(f'stdout is not a UTF-8 JSON document ({e}): {p.stdout[:300]!r}')
    check(s['kernels'] == 1 and s['reduced'] == 1, f'summary: {s}')
    res = s['results'][0]
    want_in = os.path.join(tmp, 'in\\xff', 'debian', '12', 'x86_64', os.path.basename(fx))
    check(res['kernel'] == 'debian/12/x86_64/' + release_of(fx) and res['input'] == want_in and
          res['output'] == os.path.join(tmp, 'out', res['kernel'] + '.btf'), f'result: {res}')
    warns = [l for l in err.splitlines() if 'warning:' in l]
    check(len(warns) == 2 and b'\xff' not in p.stderr and b'\xc2\x9b' not in p.stderr,
          f'warnings: {warns}')
    check(any('6.1.0-\\xff.btf.tar.xz: is not valid UTF-8' in l for l in warns) and
          any('1\\xc2\\x9b: ' in l and 'control character' in l for l in warns),
          f'refusals not escaped, or not said: {warns}')


def case_full_disk(args, tmp):
    """An output filesystem that is full: bpftool exits 0 with an empty file,
    and each kernel fails with the disk's own error (ENOSPC), not "not valid
    BTF". Needs root for a small tmpfs (skipped otherwise)."""
    if os.geteuid() != 0:
        raise Skip('mounting a small tmpfs needs root')
    indir = make_tree(args, os.path.join(tmp, 'in'), raw=False, host=False)
    n = len(input_files(indir))
    mnt = os.path.join(tmp, 'small')
    os.makedirs(mnt)
    p = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt],
                       capture_output=True, text=True)
    if p.returncode:
        raise Skip(f'cannot mount a tmpfs: {p.stderr.strip()}')
    try:
        out = os.path.join(mnt, 'out')
        os.makedirs(out)
        fd = os.open(os.path.join(mnt, 'filler'), os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while os.write(fd, b'\0' * 4096):
                pass
        except OSError:
            pass
        os.close(fd)
        r = btfgen(args, out, indir, extra=['-j', '1'])
        check(r.rc == 1 and r.summary['failed'] == n, f'full disk: exit {r.rc}: {r.stderr}')
        errs = [ln for ln in r.stderr.splitlines() if 'error:' in ln]
        check(len(errs) == n, f'want one line per kernel: {errs}')
        for ln in errs:
            check('No space left on device' in ln and 'not valid BTF' not in ln and
                  out in ln, f'not reported as ENOSPC, naming the output: {ln}')
        check(not [f for f in output_tree(out) if f.endswith('.btf') or
                   os.path.basename(f).startswith('.')], f'left behind: {output_tree(out)}')
    finally:
        subprocess.run(['umount', '-l', mnt])


def case_stale_temps(args, tmp):
    """A killed run's bpftool temp files (.<release>.btf.XXXXXX, unlocked) are
    swept at the next run's start; a live one (locked by its writer) and
    files of other names are left alone."""
    import fcntl
    indir = make_tree(args, os.path.join(tmp, 'in'), raw=False, host=False)
    out = os.path.join(tmp, 'out')
    n = len(input_files(indir))
    rel = release_of(fixtures(args)[0])
    d = os.path.join(out, 'debian', '12', 'x86_64')
    os.makedirs(d)
    stale = [os.path.join(d, f'.{rel}.btf.Ab12Cd'), os.path.join(out, 'debian', '.x.btf.zZ9yY8')]
    live = os.path.join(d, f'.{rel}.btf.Live01')
    foreign = [os.path.join(d, '.notes'), os.path.join(d, f'.{rel}.btf.tmp')]
    for p in stale + [live] + foreign:
        with open(p, 'wb') as f:
            f.write(b'half')
    holder = open(live, 'rb')
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        expect_ok(btfgen(args, out, indir), reduced=n)
        left = [p for p in stale if os.path.exists(p)]
        check(not left, f'stale temporary files of a killed run kept: {left}')
        check(os.path.exists(live), 'a live (locked) temporary file was removed')
        check(all(os.path.exists(p) for p in foreign), 'a file of another name was removed')
    finally:
        holder.close()
