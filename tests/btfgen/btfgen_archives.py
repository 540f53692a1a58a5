#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfgen cases: .btf.tar.xz inputs read in memory, and hostile archives."""
import io
import lzma
import os
import random
import shutil
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tap import check  # noqa: E402
import tap  # noqa: E402
from btfgenlib import btf_types, btfgen, evil_escaped, \
    expect_ok, fixtures, write_tar_xz  # noqa: E402



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
    tap.diag(f'{len(res)} archives: {failed} refused, {len(res) - failed} reduced')
