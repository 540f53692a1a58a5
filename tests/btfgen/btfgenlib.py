#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""What the btfgen cases share (btfgen_*.py, run by test_btfgen.py): libbpf
through ctypes, input trees built from the committed fixtures, running
btfgen --json and reading its summary and its output tree."""
import ctypes
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tap import Fail, check  # noqa: E402
import tap  # noqa: E402

HOST_BTF = '/sys/kernel/btf/vmlinux'
LOAD_SKIP = 77     # load_custom_btf: BPF not permitted here


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
            tap.diag(f'btfgen: kernels={s["kernels"]} reduced={s["reduced"]} cached={s["cached"]} '
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


def evil_escaped(tmp):
    for d, _, files in os.walk(tmp):
        if 'evil.btf' in files:
            return True
    return False
