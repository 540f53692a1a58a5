#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfgen tests on real kernel BTF, one case per meson test.

Each case builds a BTFHub-shaped input tree in a private temp dir from the
committed Debian fixtures (tests/data), this host's /sys/kernel/btf/vmlinux
and ../shared/btfhub-sample, runs build/btfgen/btfgen --json and checks its
summary, its outputs (parsed with libbpf through ctypes) and its cache.
Exit 0 pass, 1 fail, 77 skip (reason printed).
"""
import argparse
import ctypes
import io
import json
import lzma
import os
import random
import shlex
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time

SKIP = 77
HOST_BTF = '/sys/kernel/btf/vmlinux'


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


class Skip(Exception):
    pass


# --- libbpf through ctypes: the same parser the tracer will use -----------

_libbpf = None


def libbpf():
    global _libbpf
    if _libbpf is None:
        lib = ctypes.CDLL('libbpf.so.1', use_errno=True)
        lib.btf__parse.restype = ctypes.c_void_p
        lib.btf__parse.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
        lib.btf__free.argtypes = [ctypes.c_void_p]
        lib.btf__type_cnt.restype = ctypes.c_uint
        lib.btf__type_cnt.argtypes = [ctypes.c_void_p]
        lib.btf__find_by_name.restype = ctypes.c_int
        lib.btf__find_by_name.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        _libbpf = lib
    return _libbpf


def btf_types(path):
    """(type count, has struct task_struct) of a BTF file; Fail if libbpf rejects it."""
    lib = libbpf()
    btf = lib.btf__parse(path.encode(), None)
    if not btf:
        raise Fail(f'{path}: libbpf cannot parse it: {os.strerror(ctypes.get_errno())}')
    try:
        return lib.btf__type_cnt(btf), lib.btf__find_by_name(btf, b'task_struct') > 0
    finally:
        lib.btf__free(btf)


# --- input trees -----------------------------------------------------------

def raw_btf_of(archive):
    """The BTF bytes inside a fixture .btf.tar.xz."""
    with tarfile.open(archive, 'r:xz') as tar:
        member = tar.getmembers()[0]
        return tar.extractfile(member).read()


def fixtures(args):
    names = sorted(f for f in os.listdir(args.fixtures) if f.endswith('.btf.tar.xz'))
    check(len(names) >= 3, f'{args.fixtures}: expected >= 3 fixtures, found {names}')
    return [os.path.join(args.fixtures, n) for n in names]


def release_of(archive):
    return os.path.basename(archive)[:-len('.btf.tar.xz')]


def make_tree(args, root, raw=True, host=True):
    """debian/12/x86_64/*.btf.tar.xz as given, two of them also unpacked as
    raw .btf under raw/12/x86_64/, and this host's BTF under host/."""
    arch_dir = os.path.join(root, 'debian', '12', 'x86_64')
    os.makedirs(arch_dir)
    fx = fixtures(args)
    for f in fx:
        shutil.copy(f, arch_dir)
    if raw:
        raw_dir = os.path.join(root, 'raw', '12', 'x86_64')
        os.makedirs(raw_dir)
        for f in fx[:2]:
            with open(os.path.join(raw_dir, release_of(f) + '.btf'), 'wb') as out:
                out.write(raw_btf_of(f))
    if host and os.path.exists(HOST_BTF):
        host_dir = os.path.join(root, 'host', 'local', os.uname().machine)
        os.makedirs(host_dir)
        shutil.copy(HOST_BTF, os.path.join(host_dir, os.uname().release + '.btf'))
    return root


def input_files(root):
    out = []
    for d, _, files in os.walk(root):
        out += [os.path.join(d, f) for f in files if f.endswith(('.btf', '.btf.tar.xz'))]
    return sorted(out)


def write_tar_xz(path, members):
    """A .btf.tar.xz with the given (name, bytes) members."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tarfile.open(path, 'w:xz') as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


# --- running btfgen --------------------------------------------------------

class Run:
    def __init__(self, rc, summary, stderr):
        self.rc, self.summary, self.stderr = rc, summary, stderr

    def by_status(self, status):
        return sorted(r['kernel'] for r in self.summary['results'] if r['status'] == status)


def btfgen(args, outdir, indir, objects=None, extra=(), env=None, expect_json=True):
    cmd = [args.btfgen, '--json', '-j', '2', *extra, '-o', outdir, indir,
           *(objects or [args.object])]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    sys.stderr.write(p.stderr)
    summary = None
    if expect_json:
        try:
            summary = json.loads(p.stdout)
        except json.JSONDecodeError as e:
            raise Fail(f'{" ".join(cmd)}: stdout is not JSON ({e}): {p.stdout[:500]!r}')
        if 'results' in summary:
            s = summary
            print(f'btfgen: kernels={s["kernels"]} reduced={s["reduced"]} cached={s["cached"]} '
                  f'failed={s["failed"]} skipped={s["skipped"]} in={s["input_bytes"]} '
                  f'out={s["output_bytes"]} wall={s["wall_time_s"]:.3f}s')
    return Run(p.returncode, summary, p.stderr)


def expect_ok(run, reduced=None, cached=None):
    s = run.summary
    check(run.rc == 0, f'btfgen exited {run.rc}: {run.stderr}')
    check(s['failed'] == 0 and s['skipped'] == 0, f'failures: {s}')
    check(s['kernels'] == len(s['results']), 'kernels != len(results)')
    check(s['reduced'] + s['cached'] == s['kernels'], f'unaccounted kernels: {s}')
    if reduced is not None:
        check(s['reduced'] == reduced, f'expected {reduced} reduced, got {s["reduced"]}: '
              f'{run.by_status("reduced")}')
    if cached is not None:
        check(s['cached'] == cached, f'expected {cached} cached, got {s["cached"]}')


def output_tree(outdir):
    """{relative path: bytes} of the reduced tree, cache records included."""
    tree = {}
    for d, _, files in os.walk(outdir):
        for f in files:
            p = os.path.join(d, f)
            with open(p, 'rb') as fh:
                tree[os.path.relpath(p, outdir)] = fh.read()
    return tree


# --- cases -------------------------------------------------------------------

def case_cli(args, tmp):
    p = subprocess.run([args.btfgen, '--help'], capture_output=True, text=True)
    check(p.returncode == 0 and '--shard I/N' in p.stdout and '--fail-fast' in p.stdout,
          f'--help: rc {p.returncode}: {p.stdout}')
    p = subprocess.run([args.btfgen, '--version'], capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.startswith('btfgen '), f'--version: {p.stdout}')
    for bad in (['-j', '0', '-o', tmp, tmp, args.object], ['-o', tmp, tmp],
                ['--shard', '2/2', '-o', tmp, tmp, args.object], ['--bogus']):
        p = subprocess.run([args.btfgen, *bad], capture_output=True, text=True)
        check(p.returncode == 2, f'{bad}: expected usage error 2, got {p.returncode}')
        check('btfgen: error:' in p.stderr or 'unrecognized' in p.stderr or 'Usage' in p.stderr,
              f'{bad}: no message: {p.stderr}')

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


def case_reduce(args, tmp):
    indir = make_tree(args, os.path.join(tmp, 'in'))
    if not os.path.exists(HOST_BTF):
        print(f'note: {HOST_BTF} absent, host kernel not covered')
    inputs = input_files(indir)
    out = os.path.join(tmp, 'out')
    r = btfgen(args, out, indir)
    expect_ok(r, reduced=len(inputs))
    for res in r.summary['results']:
        inp, outp = res['input'], res['output']
        check(outp == os.path.join(out, res['kernel'] + '.btf'), f'output path {outp}')
        check(os.path.getsize(outp) == res['output_bytes'], f'{outp}: size mismatch')
        raw_size = len(raw_btf_of(inp)) if inp.endswith('.tar.xz') else os.path.getsize(inp)
        ntypes, has_task = btf_types(outp)
        full_types, _ = btf_types(inp) if not inp.endswith('.tar.xz') else (None, None)
        check(has_task, f'{outp}: no struct task_struct, which the object relocates against')
        check(res['output_bytes'] * 20 < raw_size,
              f'{outp}: {res["output_bytes"]} bytes is not much smaller than {raw_size}')
        if full_types:
            check(ntypes * 20 < full_types, f'{outp}: {ntypes} of {full_types} types kept')
        print(f'{res["kernel"]}: {raw_size} -> {res["output_bytes"]} bytes, {ntypes} types')
    check(r.summary['input_bytes'] == sum(os.path.getsize(f) for f in inputs), 'input_bytes')
    # No temporary files left beside the outputs.
    leftovers = [p for p in output_tree(out) if os.path.basename(p).startswith('.')]
    check(not leftovers, f'temporary files left: {leftovers}')
    # Same inputs, same bytes: outputs and cache records are deterministic.
    # The second run unpacks into O_TMPFILEs in --unpack-dir instead of
    # memfds: same bytes, and neither way leaves a file in TMPDIR or there.
    out2 = os.path.join(tmp, 'out2')
    tmpdir, unpack = os.path.join(tmp, 'tmpdir'), os.path.join(tmp, 'unpack')
    os.makedirs(tmpdir)
    os.makedirs(unpack)
    expect_ok(btfgen(args, out2, indir, extra=['-j', '1', '--unpack-dir', unpack],
                     env=dict(os.environ, TMPDIR=tmpdir)), reduced=len(inputs))
    check(not os.listdir(tmpdir) and not os.listdir(unpack),
          f'files left in TMPDIR or --unpack-dir: {os.listdir(tmpdir) + os.listdir(unpack)}')
    # bpftool read the archive's member (through /proc/self/fd/3), not
    # something else: it reduces to exactly what the raw copy reduces to.
    for f in fixtures(args)[:2]:
        rel = os.path.join('12', 'x86_64', release_of(f) + '.btf')
        with open(os.path.join(out, 'debian', rel), 'rb') as x, \
             open(os.path.join(out, 'raw', rel), 'rb') as y:
            check(x.read() == y.read(), f'{rel}: archive and raw inputs reduce differently')
    a, b = output_tree(out), output_tree(out2)
    a = {k: v for k, v in a.items() if not k.endswith('.stat')}
    b = {k: v for k, v in b.items() if not k.endswith('.stat')}
    check(a == b, 'two runs over the same inputs differ')


def case_incremental(args, tmp):
    indir = make_tree(args, os.path.join(tmp, 'in'))
    out = os.path.join(tmp, 'out')
    n = len(input_files(indir))
    expect_ok(btfgen(args, out, indir), reduced=n, cached=0)
    expect_ok(btfgen(args, out, indir), reduced=0, cached=n)

    # New mtimes, same bytes: the cache is keyed by content.
    for f in input_files(indir):
        os.utime(f)
    expect_ok(btfgen(args, out, indir), reduced=0, cached=n)

    # One input's content changes (another real kernel's BTF): redo that one.
    fx = fixtures(args)
    target = os.path.join(indir, 'raw', '12', 'x86_64', release_of(fx[0]) + '.btf')
    with open(target, 'wb') as f:
        f.write(raw_btf_of(fx[2]))
    r = btfgen(args, out, indir)
    expect_ok(r, reduced=1, cached=n - 1)
    check(r.by_status('reduced') == ['raw/12/x86_64/' + release_of(fx[0])],
          f'redid {r.by_status("reduced")}')

    # One kernel added: only it is reduced.
    extra = os.path.join(indir, 'extra', '1', 'x86_64')
    os.makedirs(extra)
    shutil.copy(fx[1], extra)
    r = btfgen(args, out, indir)
    expect_ok(r, reduced=1, cached=n)
    check(r.by_status('reduced') == ['extra/1/x86_64/' + release_of(fx[1])], 'added kernel')

    # An output deleted or tampered with is not trusted: redone.
    victim = r.summary['results'][0]['output']
    os.unlink(victim)
    other = r.summary['results'][1]['output']
    with open(other, 'ab') as f:
        f.write(b'\0')
    r = btfgen(args, out, indir)
    expect_ok(r, reduced=2, cached=n - 1)
    btf_types(victim)
    btf_types(other)

    # A kernel leaves the input: its output stays unless --prune.
    gone = os.path.join(extra, os.path.basename(fx[1]))
    gone_out = os.path.join(out, 'extra/1/x86_64', release_of(fx[1]) + '.btf')
    os.unlink(gone)
    r = btfgen(args, out, indir)
    expect_ok(r, reduced=0, cached=n)
    check(r.summary['pruned'] == 0 and os.path.exists(gone_out), 'pruned without --prune')
    r = btfgen(args, out, indir, extra=['--prune'])
    expect_ok(r, reduced=0, cached=n)
    check(r.summary['pruned'] == 1 and not os.path.exists(gone_out),
          f'--prune: pruned {r.summary["pruned"]}, output still there: {os.path.exists(gone_out)}')
    check(not os.path.exists(os.path.join(out, '.btfgen-cache/extra/1/x86_64',
                                          release_of(fx[1]) + '.key')),
          '--prune left the cache record')
    check(len([p for p in output_tree(out) if p.endswith('.btf')]) == n, 'outputs after prune')


def case_object(args, tmp):
    indir = make_tree(args, os.path.join(tmp, 'in'), raw=False)
    out = os.path.join(tmp, 'out')
    n = len(input_files(indir))
    obj = os.path.join(tmp, 'probe.bpf.o')
    shutil.copy(args.probe, obj)
    expect_ok(btfgen(args, out, indir, objects=[obj]), reduced=n)
    before = output_tree(out)
    expect_ok(btfgen(args, out, indir, objects=[obj]), reduced=0, cached=n)

    # The object changes (rebuilt with one more field read): redo every kernel.
    shutil.copy(args.probe_v2, obj)
    r = btfgen(args, out, indir, objects=[obj])
    expect_ok(r, reduced=n, cached=0)
    after = output_tree(out)
    for res in r.summary['results']:
        rel = os.path.relpath(res['output'], out)
        check(after[rel] != before[rel], f'{rel}: output unchanged although the object changed')
    expect_ok(btfgen(args, out, indir, objects=[obj]), reduced=0, cached=n)

    # Several objects: one reduced BTF serving all; a new set is a new key.
    expect_ok(btfgen(args, out, indir, objects=[args.probe, obj]), reduced=n)
    expect_ok(btfgen(args, out, indir, objects=[args.probe, obj]), reduced=0, cached=n)


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


def evil_escaped(tmp):
    for d, _, files in os.walk(tmp):
        if 'evil.btf' in files:
            return True
    return False


def case_archives(args, tmp):
    """Hostile and damaged .btf.tar.xz inputs: each is refused with a reason
    (or, if a mutation left it valid, reduced), btfgen never crashes, and
    nothing is written outside its temp dir."""
    # A small real payload: one fixture's reduced BTF.
    seed_in = os.path.join(tmp, 'seed-in', 'debian', '12', 'x86_64')
    os.makedirs(seed_in)
    shutil.copy(fixtures(args)[0], seed_in)
    r = btfgen(args, os.path.join(tmp, 'seed-out'), os.path.join(tmp, 'seed-in'))
    expect_ok(r, reduced=1)
    with open(r.summary['results'][0]['output'], 'rb') as f:
        payload = f.read()

    indir = os.path.join(tmp, 'in')

    def crafted(name, build):
        path = os.path.join(indir, 'crafted', '1', 'x86_64', name + '.btf.tar.xz')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with tarfile.open(path, 'w:xz') as tar:
            build(tar, name)
        return 'crafted/1/x86_64/' + name

    def add(tar, name, data=payload, **kw):
        info = tarfile.TarInfo(name)
        info.size = len(data) if kw.get('type', tarfile.REGTYPE) == tarfile.REGTYPE else 0
        for k, v in kw.items():
            setattr(info, k, v)
        tar.addfile(info, io.BytesIO(data) if info.size else None)

    expect = {
        crafted('ok-dotslash', lambda t, n: (add(t, './', type=tarfile.DIRTYPE),
                                             add(t, f'./{n}.btf'))): None,
        crafted('symlink', lambda t, n: add(t, f'{n}.btf', type=tarfile.SYMTYPE,
                                            linkname='/etc/passwd')): 'is a symlink',
        crafted('hardlink', lambda t, n: add(t, f'{n}.btf', type=tarfile.LNKTYPE,
                                             linkname='x.btf')): 'is a hard link',
        crafted('twice', lambda t, n: (add(t, f'{n}.btf'), add(t, f'{n}.btf'))): 'more than one member',
        crafted('extra', lambda t, n: (add(t, f'{n}.btf'), add(t, 'README'))): "more than one member ('README'",
        crafted('absolute', lambda t, n: add(t, f'/tmp/{n}.btf')): 'absolute member path',
        crafted('empty', lambda t, n: None): 'empty archive',
        crafted('zero', lambda t, n: add(t, f'{n}.btf', data=b'')): 'member is empty',
    }
    # Seeded random damage: flipped bytes and truncation, half of it to the
    # xz stream (caught by its checks) and half to the tar inside a valid xz
    # stream (headers, sizes and data as libarchive and btfgen see them).
    good = os.path.join(tmp, 'good.btf.tar.xz')
    write_tar_xz(good, [('good.btf', payload)])
    with open(good, 'rb') as f:
        base_xz = f.read()
    base_tar = lzma.decompress(base_xz)
    rng = random.Random(4)
    mutants = 200
    for i in range(mutants + 1):
        inner = i % 2 == 1
        data = bytearray(base_tar if inner else base_xz)
        if i == mutants:
            pass                    # the unmutated control
        elif i % 4 < 2:
            data = data[:rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        if inner:
            data = lzma.compress(bytes(data), format=lzma.FORMAT_XZ)
        d = os.path.join(indir, f'mutant{i:03d}', '1', 'x86_64')
        os.makedirs(d)
        with open(os.path.join(d, 'good.btf.tar.xz'), 'wb') as f:
            f.write(data)

    out = os.path.join(tmp, 'out')
    priv_tmp = os.path.join(tmp, 'tmpdir')
    os.makedirs(priv_tmp)
    r = btfgen(args, out, indir, objects=[args.probe], env=dict(os.environ, TMPDIR=priv_tmp))
    check(r.rc in (0, 1), f'btfgen exit {r.rc}: crashed?')
    res = {x['kernel']: x for x in r.summary['results']}
    check(len(res) == len(expect) + mutants + 1, f'{len(res)} results')
    for kernel, why in expect.items():
        x = res[kernel]
        if why is None:
            check(x['status'] == 'reduced', f'{kernel}: {x}')
        else:
            check(x['status'] == 'failed' and why in x.get('error', ''), f'{kernel}: want {why!r}: {x}')
    check(res[f'mutant{mutants:03d}/1/x86_64/good']['status'] == 'reduced',
          'unmutated control not reduced')
    failed = 0
    for kernel, x in res.items():
        check(x['status'] in ('reduced', 'failed'), f'{kernel}: {x["status"]}')
        if x['status'] == 'failed':
            failed += 1
            check(x.get('error') and '\n' not in x['error'], f'{kernel}: error {x.get("error")!r}')
        else:
            btf_types(x['output'])
    check(os.listdir(priv_tmp) == [], f'temp files left: {os.listdir(priv_tmp)}')
    check(not evil_escaped(tmp), 'a member escaped')
    print(f'{len(res)} archives: {failed} refused, {len(res) - failed} reduced')


def case_shard(args, tmp):
    indir = make_tree(args, os.path.join(tmp, 'in'))
    # More kernels make a split meaningful: link the fixtures under other names.
    fx = fixtures(args)
    for i in range(4):
        d = os.path.join(indir, f'distro{i}', '1', 'x86_64')
        os.makedirs(d)
        for f in fx:
            os.symlink(os.path.abspath(f), os.path.join(d, os.path.basename(f)))
    r = btfgen(args, os.path.join(tmp, 'all'), indir)
    expect_ok(r)
    all_kernels = set(r.by_status('reduced'))
    shards = []
    for i in range(2):
        out = os.path.join(tmp, f'shard{i}')
        r = btfgen(args, out, indir, extra=['--shard', f'{i}/2'])
        expect_ok(r)
        check(r.summary['shard'] == {'index': i, 'count': 2}, f'shard: {r.summary["shard"]}')
        shards.append(set(r.by_status('reduced')))
        # Deterministic: the same shard again picks the same kernels (now cached).
        again = btfgen(args, out, indir, extra=['--shard', f'{i}/2'])
        expect_ok(again, reduced=0)
        check(set(again.by_status('cached')) == shards[i], f'shard {i} not deterministic')
    check(not (shards[0] & shards[1]), f'shards overlap: {shards[0] & shards[1]}')
    check(shards[0] | shards[1] == all_kernels, 'shards do not cover every kernel')
    check(shards[0] and shards[1], f'a shard is empty: {[len(s) for s in shards]}')
    print(f'shards: {len(shards[0])} + {len(shards[1])} = {len(all_kernels)} kernels')
    # Merged shard trees equal the unsharded tree.
    merged = {**output_tree(os.path.join(tmp, 'shard0')), **output_tree(os.path.join(tmp, 'shard1'))}
    whole = output_tree(os.path.join(tmp, 'all'))
    strip = lambda t: {k: v for k, v in t.items() if not k.endswith('.stat')}
    check(strip(merged) == strip(whole), 'merged shards differ from the unsharded run')


def case_arch(args, tmp):
    """--arch: one build per target arch reduces only that arch's kernels
    (aarch64 directories are arm64), and --prune spares the other arch's."""
    arm = sorted(f for f in os.listdir(args.fixtures_arm64) if f.endswith('.btf.tar.xz'))
    check(arm, f'{args.fixtures_arm64}: no arm64 fixtures')
    indir = make_tree(args, os.path.join(tmp, 'in'), raw=False, host=False)
    arm_dir = os.path.join(indir, 'debian', '12', 'aarch64')
    os.makedirs(arm_dir)
    for f in arm:
        shutil.copy(os.path.join(args.fixtures_arm64, f), arm_dir)
    out = os.path.join(tmp, 'out')
    r = btfgen(args, out, indir, extra=['--arch', 'arm64'])
    expect_ok(r, reduced=len(arm))
    want = sorted('debian/12/arm64/' + release_of(f) for f in arm)
    check(r.by_status('reduced') == want, f'--arch arm64 reduced {r.by_status("reduced")}')
    r = btfgen(args, out, indir, extra=['--arch', 'aarch64'])
    expect_ok(r, reduced=0, cached=len(arm))
    x86 = fixtures(args)
    r = btfgen(args, out, indir, extra=['--arch', 'x86_64', '--prune'])
    expect_ok(r, reduced=len(x86))
    check(all('/x86_64/' in k for k in r.by_status('reduced')), 'x86_64 run took another arch')
    check(r.summary['pruned'] == 0, f'--arch x86_64 --prune pruned {r.summary["pruned"]}')
    for k in want:
        check(os.path.exists(os.path.join(out, k + '.btf')), f'{k}: pruned by the x86_64 run')
    r = btfgen(args, out, indir, extra=['--arch', 'x86_64/1'], expect_json=False)
    check(r.rc == 2 and '--arch' in r.stderr, f'--arch x86_64/1: exit {r.rc}: {r.stderr}')


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


def case_rewrite(args, tmp):
    """An input rewritten in place (same inode, same size) with its mtime put
    back is not "cached": the hint that spares re-reading an input rests on
    its ctime too (tools/lib/fileid.h), which no one can set back."""
    indir = make_tree(args, os.path.join(tmp, 'in'), host=False)
    out = os.path.join(tmp, 'out')
    n = len(input_files(indir))
    fx = fixtures(args)
    target = os.path.join(indir, 'raw', '12', 'x86_64', release_of(fx[0]) + '.btf')
    # Past the settle window (a second), so the first run records a hint.
    time.sleep(1.2)
    expect_ok(btfgen(args, out, indir), reduced=n)
    expect_ok(btfgen(args, out, indir), cached=n)
    check(os.path.exists(os.path.join(out, '.btfgen-cache', 'raw', '12', 'x86_64',
                                      release_of(fx[0]) + '.stat')), 'no input hint recorded')
    before = os.stat(target)
    with open(target, 'r+b') as f:
        data = bytearray(f.read())
        # Rename a type the object relocates against: same length, other BTF.
        at = data.find(b'\0task_struct\0')
        check(at > 0, f'{target}: no task_struct name')
        data[at + 1:at + 12] = b'task_strucX'
        f.seek(0)
        f.write(data)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(target)
    check((after.st_ino, after.st_size, after.st_mtime_ns) ==
          (before.st_ino, before.st_size, before.st_mtime_ns), 'rewrite changed the identity')
    r = btfgen(args, out, indir, expect_json=True)
    want = 'raw/12/x86_64/' + release_of(fx[0])
    res = {x['kernel']: x['status'] for x in r.summary['results']}
    check(res[want] != 'cached', f'{want}: rewritten in place with its mtime restored, '
          f'still "cached": {res}')
    check(sorted(k for k, v in res.items() if v == 'cached') ==
          sorted(k for k in res if k != want), f'the other inputs: {res}')


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


def case_full_disk(args, tmp):
    """An output filesystem that is full: bpftool exits 0 with an empty file,
    and each kernel fails with the disk's own error (ENOSPC), not "not valid
    BTF". Needs root for a small tmpfs (77 otherwise)."""
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


def case_btfhub(args, tmp):
    shared = os.environ.get('BTFKIT_SHARED_DIR', '')
    sample = os.path.join(shared, 'btfhub-sample')
    if not shared or not os.path.isdir(sample):
        raise Skip(f'{sample or "BTFKIT_SHARED_DIR"} absent')
    archives = input_files(sample)
    check(archives, f'{sample}: no archives')
    out = os.path.join(tmp, 'out')
    r = btfgen(args, out, sample)
    expect_ok(r, reduced=len(archives))
    for res in r.summary['results']:
        check('/aarch64/' not in res['kernel'], f'{res["kernel"]}: aarch64 not normalised')
        btf_types(res['output'])
    check(any('/arm64/' in res['kernel'] for res in r.summary['results']),
          'expected arm64 kernels in the sample')
    check(not any('aarch64' == d for _, dirs, _ in os.walk(out) for d in dirs),
          'an aarch64 directory in the output tree')


def case_load(args, tmp):
    if not os.path.exists(HOST_BTF):
        raise Skip(f'{HOST_BTF} absent')
    indir = os.path.join(tmp, 'in')
    host_dir = os.path.join(indir, 'host', 'local', os.uname().machine)
    os.makedirs(host_dir)
    shutil.copy(HOST_BTF, os.path.join(host_dir, os.uname().release + '.btf'))
    out = os.path.join(tmp, 'out')
    r = btfgen(args, out, indir)
    expect_ok(r, reduced=1)
    reduced = r.summary['results'][0]['output']
    p = subprocess.run([args.load_helper, args.object, reduced], capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode == SKIP:
        raise Skip(p.stdout.strip())
    check(p.returncode == 0, f'object does not load with the reduced host BTF')
    # Negative control: a BTF without task_struct must make the load fail,
    # or the loader was not really using the BTF we gave it.
    int_only = os.path.join(tmp, 'int-only.btf')
    types = struct.pack('<IIII', 1, 1 << 24, 4, (1 << 24) | 32)   # INT 'int' 32 bits signed
    strs = b'\0int\0'
    with open(int_only, 'wb') as f:
        f.write(struct.pack('<HBBIIIII', 0xEB9F, 1, 0, 24, 0, len(types), len(types),
                            len(strs)) + types + strs)
    p = subprocess.run([args.load_helper, '--expect-fail', args.object, int_only],
                       capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    check(p.returncode == 0, f'negative control: {p.stderr[-2000:]}')


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith('case_')}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('case', choices=sorted(CASES))
    ap.add_argument('--btfgen', required=True)
    ap.add_argument('--object', required=True, help='the object to reduce against')
    ap.add_argument('--probe', required=True, help='test CO-RE object')
    ap.add_argument('--probe-v2', required=True, help='its variant')
    ap.add_argument('--load-helper', required=True)
    ap.add_argument('--fixtures', required=True)
    ap.add_argument('--fixtures-arm64', help='the arm64 fixtures (case arch)')
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='btfgen-test-')
    try:
        CASES[args.case](args, tmp)
    except Skip as e:
        print(f'SKIP: {e}')
        return SKIP
    except Fail as e:
        print(f'FAIL: {args.case}: {e}')
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f'ok: {args.case}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
