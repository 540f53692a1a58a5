#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfgen's canonical form changes nothing libbpf sees (issue 26), as TAP.

For every kernel of the fixtures (tests/data/btfhub, and ../shared/btfhub-
sample when it is there: only those cases skip without it) and every object
given (coretrace.bpf.o of both arches against the kernels of its arch, the
arch-neutral core_probe objects against all), btfgen reduces the kernel
twice, --raw (bpftool's bytes) and canonical (the default), and relo_dump
(libbpf's own CO-RE relocation code, built from the pinned libbpf's source)
must resolve every relocation of the object to the same result against
both: offsets, existence, sizes, enum values, poisoning, patched
instructions. Also: the canonical bytes are not bpftool's (else this proves
nothing), shuffling a reduced BTF's type IDs does not change its canonical
bytes, reducing a canonical output again gives the same bytes (a fixed
point), and a re-run with the other mode does not reuse the cache.

  test_canon.py --btfgen B --perm P --relo-dump-sh S --source-root R
                --build-root B --fixtures DIR [--shared DIR]
                --object ARCH:PATH...   (ARCH x86_64, arm64 or any)
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ARCHES = {'x86_64': 'x86_64', 'aarch64': 'arm64', 'arm64': 'arm64'}


class TAP:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, diag=''):
        self.n += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {what}")
        if not cond:
            self.failed += 1
            for line in diag.splitlines()[:20]:
                print(f'# {line}')
        return cond

    def skip(self, what, why):
        self.n += 1
        print(f'ok {self.n} - {what} # SKIP {why}')


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def kernels(root):
    """{"distro/version/arch/release": arch} of every .btf.tar.xz under root."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith('.btf.tar.xz'):
                rel = os.path.relpath(os.path.join(d, f[:-len('.btf.tar.xz')]), root)
                parts = rel.split(os.sep)
                if len(parts) == 4 and parts[2] in ARCHES:
                    parts[2] = ARCHES[parts[2]]
                    out['/'.join(parts)] = parts[2]
    return out


def link_tree(src, dst):
    for d, _, files in os.walk(src):
        for f in files:
            if f.endswith('.btf.tar.xz'):
                rel = os.path.relpath(os.path.join(d, f), src)
                os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
                os.symlink(os.path.join(d, f), os.path.join(dst, rel))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--btfgen', required=True)
    ap.add_argument('--perm', required=True, help='test_canon_perm')
    ap.add_argument('--relo-dump-sh', required=True)
    ap.add_argument('--source-root', required=True)
    ap.add_argument('--build-root', required=True)
    ap.add_argument('--fixtures', required=True)
    ap.add_argument('--shared')
    ap.add_argument('--object', action='append', required=True)
    a = ap.parse_args()
    tap = TAP()

    r = run(['bash', a.relo_dump_sh, a.source_root, os.path.join(a.build_root, 'relo-dump')])
    if r.returncode == 3:
        print(f'1..0 # SKIP libbpf source not obtainable here: {r.stderr.strip()[-200:]}')
        return 0
    if r.returncode != 0:
        print('1..1')
        tap.ok(False, 'build relo_dump against the pinned libbpf', r.stderr)
        return 1
    relo_dump = r.stdout.strip().splitlines()[-1]

    tmp = tempfile.mkdtemp(prefix='btfkit-canon-')
    try:
        indir = os.path.join(tmp, 'in')
        link_tree(a.fixtures, indir)
        shared = a.shared and os.path.join(a.shared, 'btfhub-sample')
        have_shared = bool(shared) and os.path.isdir(shared)
        if have_shared:
            link_tree(shared, indir)
        else:
            tap.skip('../shared/btfhub-sample kernels', 'no ../shared beside the source tree')
        ks = kernels(indir)
        tap.ok(len(ks) >= 5, f'{len(ks)} kernels in the fixtures'
               f'{" and ../shared" if have_shared else ""}')
        differs = 0
        for spec in a.object:
            arch, path = spec.split(':', 1)
            name = f'{os.path.basename(path)} ({arch})'
            mine = sorted(k for k, ka in ks.items() if arch == 'any' or ka == arch)
            outs = {}
            for mode in ('raw', 'canon'):
                out = os.path.join(tmp, f'{os.path.basename(path)}-{arch}-{mode}')
                cmd = [a.btfgen, '-q', '-j', '2', '--all-kernels', '-o', out, indir, path]
                if arch != 'any':
                    cmd[1:1] = ['--arch', arch]
                if mode == 'raw':
                    cmd[1:1] = ['--raw']
                r = run(cmd)
                tap.ok(r.returncode == 0, f'{name}: btfgen{" --raw" if mode == "raw" else ""}'
                       f' reduces {len(mine)} kernels', r.stderr)
                outs[mode] = out
            seen = set()
            for k in mine:
                raw_f, can_f = (os.path.join(outs[m], k + '.btf') for m in ('raw', 'canon'))
                dumps = [run([relo_dump, path, f]) for f in (raw_f, can_f)]
                bad = [d.stderr for d in dumps if d.returncode != 0]
                if not tap.ok(not bad, f'{name} {k}: relo_dump reads both', '\n'.join(bad)):
                    continue
                same = dumps[0].stdout == dumps[1].stdout
                diff = ''
                if not same:
                    ra, ca = dumps[0].stdout.splitlines(), dumps[1].stdout.splitlines()
                    diff = '\n'.join(f'raw:   {x}\ncanon: {y}' for x, y in zip(ra, ca) if x != y)
                n = len(dumps[0].stdout.splitlines())
                seen.add(dumps[0].stdout)
                tap.ok(same and n > 0, f'{name} {k}: {n} CO-RE relocations resolve the same '
                       'against the canonical BTF as against bpftool\'s', diff)
                differs += open(raw_f, 'rb').read() != open(can_f, 'rb').read()
            # The control: relo_dump's lines do tell kernels apart (else an
            # equality above would prove nothing).
            if len(mine) > 1 and 'core_probe' not in path:
                tap.ok(len(seen) > 1, f'{name}: {len(seen)} distinct relocation results '
                       f'over {len(mine)} kernels')
            # Shuffled type IDs, same canonical bytes (test_canon_perm).
            r = run([a.perm, '-n', '20'] + [os.path.join(outs['raw'], k + '.btf') for k in mine])
            tap.ok(r.returncode == 0, f'{name}: 20 shuffles of each of the {len(mine)} '
                   'reduced BTFs give its canonical bytes', r.stdout)
            # Reducing a canonical output again (a BTF is a valid btfgen
            # input) must give it back byte for byte: the form is a fixed point.
            fixed = os.path.join(tmp, f'{os.path.basename(path)}-{arch}-again')
            cmd = [a.btfgen, '-q', '-j', '2', '--all-kernels', '-o', fixed, outs['canon'], path]
            r = run(cmd)
            same = r.returncode == 0 and all(
                open(os.path.join(fixed, k + '.btf'), 'rb').read() ==
                open(os.path.join(outs['canon'], k + '.btf'), 'rb').read() for k in mine)
            tap.ok(same, f'{name}: canonical outputs reduced and canonicalised again are '
                   'the same bytes', r.stderr)
        tap.ok(differs > 0, f'canonical bytes differ from bpftool\'s for {differs} '
               'kernel/object pairs (the check compares different files)')

        # The cache keys the mode: a canonical run over a --raw output tree
        # redoes every kernel, and the reverse too.
        path = a.object[0].split(':', 1)[1]
        arch = a.object[0].split(':', 1)[0]
        out = os.path.join(tmp, 'modes')
        base = [a.btfgen, '--json', '-j', '2', '--all-kernels', '-o', out, indir, path]
        if arch != 'any':
            base[1:1] = ['--arch', arch]
        counts = []
        for extra in (['--raw'], [], [], ['--raw']):
            r = run(base[:1] + extra + base[1:])
            try:
                s = json.loads(r.stdout)
                counts.append((s['reduced'], s['cached']))
            except (ValueError, KeyError) as e:
                counts.append(('error', str(e) + r.stderr))
        n = counts[0][0]
        tap.ok(counts == [(n, 0), (n, 0), (0, n), (n, 0)],
               f'cache: --raw, canonical, canonical, --raw give (reduced, cached) {counts}')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f'1..{tap.n}')
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
