#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfgen cases: reducing real kernels (raw and archived), the incremental
cache, several objects, shards, --arch, the ../shared sample, and a load
through libbpf with the reduced BTF."""
import os
import shutil
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from tap import Skip, check  # noqa: E402
import tap  # noqa: E402
from btfgenlib import HOST_BTF, LOAD_SKIP, btf_types, btfgen, expect_ok, \
    fixtures, input_files, make_tree, output_tree, raw_btf_of, release_of  # noqa: E402



def case_reduce(args, tmp):
    indir = make_tree(args, os.path.join(tmp, 'in'))
    if not os.path.exists(HOST_BTF):
        tap.diag(f'note: {HOST_BTF} absent, host kernel not covered')
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
        tap.diag(f'{res["kernel"]}: {raw_size} -> {res["output_bytes"]} bytes, {ntypes} types')
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
    tap.diag(f'shards: {len(shards[0])} + {len(shards[1])} = {len(all_kernels)} kernels')
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
    tap.diag(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode == LOAD_SKIP:
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
    tap.diag(p.stdout)
    check(p.returncode == 0, f'negative control: {p.stderr[-2000:]}')


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

