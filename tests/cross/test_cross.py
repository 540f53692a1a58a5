#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The arm64 cross build (ci/cross-build.sh) makes what ci/build.sh --arch
arm64 ships: a fully static AArch64 coretrace whose embedded bundle is the
.btfb beside it, holding exactly the arm64 fixture kernels (BTFHub's aarch64
directory, keyed arm64), reduced against the arm64 BPF object (compiled
against bpf/vmlinux/arm64/vmlinux.h) and bound to it, not to the x86_64 one.
Run by with-cross.sh, which makes the build (or skips)."""
import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tap import done, ok  # noqa: E402


def elf_header(path):
    """(e_machine, has PT_INTERP) of an ELF64 little-endian file."""
    with open(path, 'rb') as f:
        ehdr = f.read(64)
        if len(ehdr) < 64 or ehdr[:4] != b'\x7fELF' or ehdr[4] != 2:
            return None, None
        machine, = struct.unpack_from('<H', ehdr, 18)
        phoff, = struct.unpack_from('<Q', ehdr, 32)
        phentsize, phnum = struct.unpack_from('<HH', ehdr, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    interp = any(struct.unpack_from('<I', ph, i * phentsize)[0] == 3 for i in range(phnum))
    return machine, interp


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def object_digest(native, obj):
    """The digest embedgen binds a bundle to for @obj (libbtfbundle/FORMAT.md),
    read back from an empty bundle made for it."""
    with tempfile.TemporaryDirectory() as d:
        embedgen = os.path.join(native, 'embedgen', 'embedgen')
        r = subprocess.run([embedgen, '-q', '--object', obj, '-o', os.path.join(d, 'b.c'),
                            '--bundle-file', os.path.join(d, 'b.btfb')], capture_output=True, text=True)
        ok(r.returncode == 0, 'embedgen --object %s: %s' % (obj, r.stderr.strip()))
        r = subprocess.run([embedgen, '--list', os.path.join(d, 'b.btfb'), '--json'],
                           capture_output=True, text=True)
        return json.loads(r.stdout)['objects'][0]['digest'] if r.returncode == 0 else None


def btf_dump(obj):
    r = subprocess.run(['bpftool', 'btf', 'dump', 'file', obj], capture_output=True, text=True)
    if r.returncode != 0:
        r = subprocess.run(['/usr/sbin/bpftool', 'btf', 'dump', 'file', obj],
                           capture_output=True, text=True)
    ok(r.returncode == 0, 'bpftool btf dump file %s' % obj)
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cross', required=True)
    ap.add_argument('--native', required=True)
    ap.add_argument('--fixtures', required=True)
    a = ap.parse_args()
    static = os.path.join(a.cross, 'tracer', 'coretrace_static')
    machine, interp = elf_header(static)
    ok(machine == 183, '%s is an AArch64 ELF (e_machine %s)' % (static, machine))
    ok(interp is False, '%s is fully static (no PT_INTERP)' % static)

    obj = os.path.join(a.cross, 'bpf', 'coretrace.bpf.o')
    native_obj = os.path.join(a.native, 'bpf', 'coretrace.bpf.o')
    ok(sha256(obj) != sha256(native_obj), 'the arm64 BPF object differs from the x86_64 one')
    # arm64's thread_struct: the object's task_struct comes from the arm64 vmlinux.h.
    ok('cpu_context' in btf_dump(obj) and 'cpu_context' not in btf_dump(native_obj),
          'the arm64 object carries arm64 kernel types (struct cpu_context), the x86_64 one not')

    btfb = os.path.join(a.cross, 'tracer', 'bundle', 'coretrace.btfb')
    r = subprocess.run([os.path.join(a.native, 'embedgen', 'embedgen'), '--list', btfb, '--json'],
                       capture_output=True, text=True)
    ok(r.returncode == 0, 'embedgen --list %s: %s' % (btfb, r.stderr.strip()))
    doc = json.loads(r.stdout)
    have = sorted('%s/%s/%s/%s' % (e['distro'], e['version'], e['arch'], e['release'])
                  for e in doc['entries'])
    want = sorted('debian/12/arm64/' + n[:-len('.btf.tar.xz')] for n in os.listdir(a.fixtures)
                  if n.endswith('.btf.tar.xz'))
    ok(want and have == want, 'bundle entries %s are the arm64 fixtures %s' % (have, want))
    have_digests = [o['digest'] for o in doc['objects']]
    ok(have_digests == [object_digest(a.native, obj)] and
          have_digests != [object_digest(a.native, native_obj)],
          'the bundle is bound to the arm64 object, not the x86_64 one (%s)' % have_digests)

    with open(static, 'rb') as f:
        binary = f.read()
    with open(btfb, 'rb') as f:
        bundle = f.read()
    ok(bundle in binary, 'the static tracer embeds the .btfb beside it (%d bytes)' % len(bundle))
    with open(obj, 'rb') as f:
        ok(f.read() in binary, 'the static tracer embeds the arm64 BPF object')
    return done()


if __name__ == '__main__':
    sys.exit(main())
