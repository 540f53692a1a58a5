#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""vmtest.py's scenarios, host side: what each copies into the guest
(prepare_*) and what it asserts on the guest's console (check_*); the
guest side is guest/<name>.sh."""

import filecmp
import os
import re
import shutil
import subprocess

from series import BTFHUB_ARCH, HarnessError, Skip, deb_vmlinuz, fixture_kernels, log, series
from vmboot import GUEST_BUNDLE
import tap

def reduce_btf(src_btf, obj, out):
    r = subprocess.run(['bpftool', 'gen', 'min_core_btf', src_btf, out, obj],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise HarnessError('bpftool gen min_core_btf %s: %s' % (src_btf, r.stderr.strip()))


def prepare_probe(args, kernel, work):
    """vmprobe with the kernel's own BTF, its reduced BTF and a foreign one."""
    if not args.probe or not args.probe_obj:
        raise HarnessError('scenario probe needs --probe and --probe-obj')
    files = {'bin/vmprobe': args.probe}
    own = os.path.join(work, 'own.btf')
    reduce_btf(kernel.btf, args.probe_obj, own)
    files['btf/reduced.btf'] = own
    if args.foreign_series:
        out = os.path.join(work, 'foreign.btf')
        reduce_btf(foreign_kernel(args).btf, args.probe_obj, out)
        files['btf/foreign.btf'] = out
    return files


def foreign_kernel(args, name=None):
    """The kernel of --foreign-series, or series @name (resolved like the guest's)."""
    s = series(name or args.foreign_series)
    k = s.resolve(keep_package=args.scenario == 'made')
    log('foreign series %s: %s (%s): %s' % (s.name, k.release, k.spec, k.why))
    return k


def archive_btf(archive, release):
    """The BTF of a BTFHub archive (one member RELEASE.btf), or None."""
    import tarfile
    with tarfile.open(archive) as t:
        try:
            member = t.extractfile(release + '.btf')
        except KeyError:
            return None
        return member.read() if member else None


def check_fixture(kernel, fixture):
    """The booted kernel must be the one the bundle entry was made from:
    its .BTF equals the fixture's (BTFHub layout, one member REL.btf)."""
    want = archive_btf(fixture, kernel.release)
    with open(kernel.btf, 'rb') as f:
        have = f.read()
    if want != have:
        raise HarnessError('%s: its BTF differs from the fixture %s (%s bytes vs %s)' % (
            kernel.spec, fixture, len(have), len(want) if want is not None else 'no member'))


def make_bundle(args, kernel, key, work, obj=None, name='guest'):
    """The pipeline at test time on the booted kernel's own BTF: btfgen
    reduces it against @obj (default coretrace.bpf.o), embedgen makes a
    bundle file whose one entry is @key (DISTRO/VERSION/ARCH/RELEASE)."""
    obj = obj or args.bpf_obj
    if not obj or not args.btfgen or not args.embedgen:
        raise HarnessError('scenario %s needs --bpf-obj, --btfgen and --embedgen' % args.scenario)
    distro, version, arch, release = key.split('/')
    tree = os.path.join(work, name + '-btfhub')
    os.makedirs(os.path.join(tree, distro, version, arch))
    shutil.copy(kernel.btf, os.path.join(tree, distro, version, arch, release + '.btf'))
    reduced = os.path.join(work, name + '-reduced')
    bundle = os.path.join(work, name + '.btfb')
    for cmd in ([args.btfgen, '-q', '-o', reduced, tree, obj],
                [args.embedgen, '-q', '-o', os.path.join(work, name + '.c'),
                 '--header', os.path.join(work, name + '.h'), '--bundle-file', bundle,
                 '--object', obj, reduced]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise HarnessError('%s: exit %d: %s' % (' '.join(cmd), r.returncode, r.stderr.strip()))
    return bundle


def prepare_coretrace(args, kernel, work):
    if not args.coretrace:
        raise HarnessError('scenario %s needs --coretrace' % args.scenario)
    return {'bin/coretrace': args.coretrace}


def prepare_entry(args, kernel, work):
    """coretrace and the guest's bundle entry: the default bundle's (embedded
    in coretrace) when it has the booted kernel, and always a bundle made
    now from the booted kernel's BTF, in coretrace's default bundle
    directory. kernel.entry says which one the guest must use."""
    files = prepare_coretrace(args, kernel, work)
    files[GUEST_BUNDLE] = make_bundle(args, kernel, kernel.bundle_key, work)
    return files


def prepare_wrongbtf(args, kernel, work):
    """coretrace and another series' BTF reduced against coretrace.bpf.o."""
    files = prepare_coretrace(args, kernel, work)
    if not args.bpf_obj or not args.foreign_series:
        raise HarnessError('scenario wrongbtf needs --bpf-obj and --foreign-series')
    out = os.path.join(work, 'foreign.btf')
    reduce_btf(foreign_kernel(args).btf, args.bpf_obj, out)
    files['btf/foreign.btf'] = out
    return files


def prepare_nobtf(args, kernel, work):
    """coretrace-nobtf (its bundle made at build time) and a bundle file made
    now from the built kernel's BTF."""
    files = prepare_coretrace(args, kernel, work)
    if args.fixture:
        check_fixture(kernel, args.fixture)
    files['btf/nobtf.btfb'] = make_bundle(args, kernel, kernel.host, work)
    if not args.coretrace_nobtf:
        raise HarnessError('scenario nobtf needs --coretrace-nobtf')
    files['bin/coretrace-nobtf'] = args.coretrace_nobtf
    if args.example:
        # An adopter's tool (examples/opensnoop), through a bundle of its own.
        files['bin/opensnoop'] = args.example
        files['btf/opensnoop.btfb'] = make_bundle(args, kernel, kernel.host, work,
                                                  obj=args.example_obj, name='opensnoop')
    return files


def run_tool(cmd):
    """One step of the pipeline under test; its stdout. A failure is the
    test's (btfkit's tools), not the harness's."""
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise CheckFailed('%s: exit %d: %s' % (' '.join(cmd), r.returncode, r.stderr.strip()))
    return r.stdout


def prepare_made(args, kernel, work):
    """Issue 23's proof: the kernel package itself (the .deb the booted
    vmlinuz comes from, or --made-from's) -> btfhub-make -> btfkit-build ->
    embedgen's C -> coretrace relinked from coretrace-notable.o with that
    table. Nothing else goes into the guest: no bundle file, no BTF."""
    import json
    for opt in ('btfhub_make', 'btfkit_build', 'bpf_obj', 'embedgen', 'relink_obj'):
        if not getattr(args, opt):
            raise HarnessError('scenario made needs --%s' % opt.replace('_', '-'))
    source = foreign_kernel(args, args.made_from) if args.made_from else kernel
    deb = source.package()
    # The kernel booted (or --made-from's) is the package's own vmlinuz.
    vmlinuz = os.path.join(work, 'made-vmlinuz')
    deb_vmlinuz(deb, source.release, vmlinuz)
    if not filecmp.cmp(vmlinuz, source.vmlinuz, shallow=False):
        raise HarnessError('%s: its vmlinuz is not the cached %s' % (deb, source.vmlinuz))
    log('made: %s (%d bytes) -> btfhub-make -> btfkit-build -> embedgen -> relink' % (
        deb, os.path.getsize(deb)))
    hub = os.path.join(work, 'made-btfhub')
    doc = json.loads(run_tool([args.btfhub_make, '-q', '--json', '-o', hub, deb]))
    made = [k for k in doc.get('kernels', []) if k.get('status') == 'made']
    expect(len(made) == 1, 'btfhub-make %s: expected one kernel made: %s' % (deb, doc))
    kernel.made_key = made[0]['key']
    # Its BTF is the image's own .BTF, as make-fixtures.sh --btf extracted it
    # (the harness's way, independent of btfhub-make).
    with open(source.btf, 'rb') as f:
        expect(archive_btf(os.path.join(hub, kernel.made_key + '.btf.tar.xz'),
                           kernel.made_key.split('/')[-1]) == f.read(),
               'btfhub-make %s: the BTF of %s is not the .BTF of its vmlinuz' % (
                   deb, kernel.made_key))
    log('made: btfhub-make: %s (%s, %s bytes of BTF)' % (
        kernel.made_key, made[0].get('how'), made[0].get('btf_size')))
    reduced = os.path.join(work, 'made-reduced')
    doc = json.loads(run_tool([args.btfkit_build, '-q', '--json', '--arch', BTFHUB_ARCH[kernel.arch],
                               '-s', hub,
                               '--cache-dir', os.path.join(work, 'made-cache'),
                               '-o', reduced, args.bpf_obj]))
    kernel.made_sizes = {}
    for res in doc.get('results', []):
        if res.get('output'):
            kernel.made_sizes[res['kernel']] = os.path.getsize(res['output'])
    expect(list(kernel.made_sizes) == [kernel.made_key], 'btfkit-build -s %s: reduced %s, not %s'
           % (hub, list(kernel.made_sizes), kernel.made_key))
    table = os.path.join(work, 'table.c')
    run_tool([args.embedgen, '-q', '-o', table, '--header', os.path.join(work, 'table.h'),
              '--object', args.bpf_obj, '--provenance', 'source=btfhub-make ' +
              os.path.basename(deb), reduced])
    # The relink an adopter's CI does (tests/vm/README.md): the table's
    # object, then coretrace-notable.o, by the compiler that built it.
    cc = build_compiler(args.relink_obj)
    coretrace = os.path.join(work, 'coretrace-made')
    run_tool(cc + ['-c', '-o', table + '.o', table])
    run_tool(cc + ['-static', '-o', coretrace, args.relink_obj, table + '.o'])
    return {'bin/coretrace': coretrace}


def build_compiler(output):
    """The C compiler (argv) of the meson build that made @output, as its
    introspection (meson-info/intro-targets.json) names it: the native
    build's cc, or the cross build's aarch64-linux-gnu-gcc."""
    import json
    output = os.path.abspath(output)
    d = os.path.dirname(output)
    while not os.path.exists(os.path.join(d, 'meson-info', 'intro-targets.json')):
        if d == os.path.dirname(d):
            raise HarnessError('%s: not in a meson build directory' % output)
        d = os.path.dirname(d)
    with open(os.path.join(d, 'meson-info', 'intro-targets.json')) as f:
        for t in json.load(f):
            if output in t['filename']:
                for src in t['target_sources']:
                    if src.get('language') == 'c':
                        return src['compiler']
    raise HarnessError('%s: no C target makes it in %s' % (output, d))


def prepare_bundle(args, kernel, work):
    """coretrace and the .btfb the build wrote beside it."""
    files = prepare_coretrace(args, kernel, work)
    if not args.bundle:
        raise HarnessError('scenario bundle needs --bundle')
    files['btf/coretrace.btfb'] = args.bundle
    return files


def arch_dirs(arch):
    """The directory names BTFHub files a BTFHub arch under."""
    return [arch, 'aarch64'] if arch == 'arm64' else [arch]


def prepare_wrongentry(args, kernel, work):
    """coretrace told (--host) that it runs another series' kernel of the
    default bundle, embedded in it (the fixtures of the guest's arch)."""
    files = prepare_coretrace(args, kernel, work)
    minor = lambda rel: rel.split('.')[:2]
    dirs = arch_dirs(BTFHUB_ARCH[kernel.arch])
    others = sorted(rel for rel, _, archive in fixture_kernels(kernel.distro_version).values()
                    if os.path.basename(os.path.dirname(archive)) in dirs
                    and minor(rel) != minor(kernel.release))
    if not others:
        raise HarnessError('no fixture of another series for %s' % kernel.release)
    kernel.foreign_key = 'debian/%s/%s/%s' % (kernel.distro_version, BTFHUB_ARCH[kernel.arch],
                                              others[0])
    path = os.path.join(work, 'foreign-host')
    with open(path, 'w') as f:
        f.write(kernel.foreign_key + '\n')
    files['etc/btfkit-foreign-host'] = path
    return files


def prepare_btfhub(args, kernel, work):
    """The real BTFHub archives of the guest's arch in ../shared/btfhub-sample
    (BTFHub names arm64 both arm64 and aarch64), reduced by btfgen --arch
    against coretrace.bpf.o as the build pipeline does."""
    import glob
    import json
    files = prepare_coretrace(args, kernel, work)
    if not args.bpf_obj or not args.btfgen:
        raise HarnessError('scenario btfhub needs --bpf-obj and --btfgen')
    arch = BTFHUB_ARCH[kernel.arch]
    sample = os.path.join(os.environ.get('BTFKIT_SHARED_DIR', ''), 'btfhub-sample')
    dirs = arch_dirs(arch)
    archives = sorted(a for d in dirs
                      for a in glob.glob(os.path.join(sample, '*', '*', d, '*.btf.tar.xz')))
    if not archives:
        raise Skip('no %s archives in %s (../shared)' % ('/'.join(dirs), sample))
    tree = os.path.join(work, 'hub')
    for a in archives:
        dst = os.path.join(tree, os.path.relpath(a, sample))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(a, dst)
    out = os.path.join(work, 'hub-reduced')
    cmd = [args.btfgen, '-q', '--json', '--arch', arch, '-o', out, tree, args.bpf_obj]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise HarnessError('%s: exit %d: %s' % (' '.join(cmd), r.returncode, r.stderr.strip()))
    results = json.loads(r.stdout)['results']
    if len(results) != len(archives):
        raise HarnessError('btfgen reduced %d of %d archives' % (len(results), len(archives)))
    for res in results:
        # DISTRO-VERSION-ARCH-RELEASE.btf: the kernel's key, flattened.
        files['btf/hub/' + res['kernel'].replace('/', '-') + '.btf'] = res['output']
    return files


class CheckFailed(tap.Fail):
    """What the guest printed is not what the scenario asserts."""


def expect(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def section(sections, name):
    expect(name in sections, 'no %s output on the console' % name)
    return sections[name]


def json_doc(sections, name):
    import json
    text = section(sections, name)['out']
    try:
        return json.loads(text)
    except ValueError as e:
        raise CheckFailed('%s: not JSON (%s): %.300s' % (name, e, text))


def btf_desc_re(kind, key=None, where=''):
    """coretrace's BTF description: 'system /sys/kernel/btf/vmlinux',
    'embedded bundle..., entry D/V/A/R (...)', 'bundle FILE, entry ...'.
    Only the kind, the place and the exact entry are pinned."""
    r = '^' + re.escape(kind) + r'\b'
    if where:
        r += '.*' + re.escape(where)
    if key is not None:
        r += r'.*\bentry ' + re.escape(key) + r'(\s|$)'
    return r


def check_btf_report(sections, source, desc_re, name='btf'):
    """`coretrace btf --json` decided for @source with a matching description."""
    doc = json_doc(sections, name)
    expect(doc.get('source') == source, 'coretrace btf: source %r, expected %r (%s)' % (
        doc.get('source'), source, doc.get('error') or doc.get('btf')))
    expect(re.search(desc_re, doc.get('btf') or ''),
           'coretrace btf: BTF %r does not match %r' % (doc.get('btf'), desc_re))


def check_trace(sections, name, desc_re):
    """The events of `trace NAME` (guest/lib.sh) carry the right fields."""
    import json
    want = dict(line.split('=', 1) for line in
                section(sections, name + '-expect')['out'].split('\n') if '=' in line)
    expect(want.get('ready') == '1', '%s: coretrace never started tracing' % name)
    events, summary = [], None
    for line in section(sections, name)['out'].split('\n'):
        if not line.startswith('{'):
            continue
        try:
            j = json.loads(line)
        except ValueError:
            # A kernel message may land in the middle of a line.
            continue
        if j.get('summary'):
            summary = j
        else:
            events.append(j)
    expect(summary is not None, '%s: no summary line' % name)
    expect('self-check passed' in section(sections, name)['err'],
           '%s: coretrace -v did not report its self-check as passed' % name)
    expect(re.search(desc_re, summary.get('btf', '')), '%s: traced with BTF %r, not %r' % (
        name, summary.get('btf'), desc_re))
    # Every guest kernel has the ring buffer (5.8+): auto picks it, --buffer=perf
    # forces the per-CPU perf buffers of the pre-5.8 path.
    transport = 'perf' if want.get('buffer') == 'perf' else 'ringbuf'
    expect(summary.get('transport') == transport, '%s: transport %r, expected %r' % (
        name, summary.get('transport'), transport))
    ppid = int(want['ppid'])

    def find(kind, pid, what):
        for e in events:
            if e.get('event') == kind and e.get('pid') == pid and what(e):
                return e
        mine = [e for e in events if e.get('event') == kind and e.get('pid') == pid]
        raise CheckFailed('%s: no correct %s event of pid %d; its %s events: %s' % (
            name, kind, pid, kind, json.dumps(mine)[:1500] if mine else 'none'))

    def common(e, pid, comm):
        return e['tgid'] == pid and e['ppid'] == ppid and e['comm'] == comm and e['uid'] == 0

    pid = int(want['exec_pid'])
    find('exec', pid, lambda e: common(e, pid, 'echo') and e['filename'] == '/bin/echo'
         and e['argv'] == ['/bin/echo', 'btfkit-argv-1', 'two words'])
    pid = int(want['open_pid'])
    find('open', pid, lambda e: common(e, pid, 'cat') and e['path'] == '/tmp/btfkit-open-marker')
    pid = int(want['connect_pid'])
    find('connect', pid, lambda e: common(e, pid, 'nc') and e['family'] == 'ipv4'
         and e['daddr'] == '127.0.0.1' and e['dport'] == 7777)
    return '%d events, exec/open/connect fields right, %s, BTF: %s' % (
        len(events), summary['transport'], summary['btf'])


def entry_desc_re(kernel):
    """The description of the guest's entry (kernel.entry: embedded or bundle)."""
    if kernel.entry == 'embedded':
        return btf_desc_re('embedded bundle', kernel.entry_key)
    return btf_desc_re('bundle', kernel.entry_key, where='/' + GUEST_BUNDLE)


def check_embedded(kernel, sections):
    """The guest's entry traced; the bundle made now is found in any case."""
    want = entry_desc_re(kernel)
    check_btf_report(sections, kernel.entry, want)
    check_btf_report(sections, 'bundle', btf_desc_re('bundle', kernel.bundle_key,
                                                     where='/' + GUEST_BUNDLE), name='btf2')
    return check_trace(sections, 'trace', want)


def check_nosysbtf(kernel, sections):
    want = entry_desc_re(kernel)
    check_btf_report(sections, kernel.entry, want)
    return check_trace(sections, 'trace', want)


def check_auto(kernel, sections):
    want = btf_desc_re('system', where='/sys/kernel/btf/vmlinux')
    check_btf_report(sections, 'system', want)
    return check_trace(sections, 'trace', want)


def check_unbundled(kernel, sections):
    key = 'no usable BTF for ' + kernel.host
    doc = json_doc(sections, 'btf')
    expect(key in (doc.get('error') or ''), 'coretrace btf: error %r does not say %r' % (
        doc.get('error'), key))
    t = section(sections, 'trace')
    lines = [l for l in t['err'].split('\n') if l.strip()]
    expect(t['rc'] not in (0, None), 'coretrace exited %s' % t['rc'])
    expect(len(lines) == 1 and key in lines[0],
           'coretrace: expected one error line naming %s, got: %r' % (kernel.release, lines))
    return 'exit %d: %s' % (t['rc'], lines[0][:200])


def check_wrongbtf(kernel, sections):
    t = section(sections, 'trace')
    lines = [l for l in t['err'].split('\n') if l.strip()]
    expect(t['rc'] not in (0, None), 'coretrace exited %s' % t['rc'])
    bad = [l for l in lines if 'BTF does not match this kernel' in l and '/btf/foreign.btf' in l]
    expect(len(bad) == 1, 'coretrace: expected one "BTF does not match this kernel" line '
           'naming /btf/foreign.btf, got: %r' % lines)
    return 'exit %d: %s' % (t['rc'], bad[0][:200])


def check_bundle(kernel, sections):
    want = btf_desc_re('bundle', kernel.entry_key, where='/btf/coretrace.btfb')
    check_btf_report(sections, 'bundle', want)
    return check_trace(sections, 'trace', want)


def check_wrongentry(kernel, sections):
    t = section(sections, 'trace')
    lines = [l for l in t['err'].split('\n') if l.strip()]
    expect(t['rc'] not in (0, None), 'coretrace exited %s' % t['rc'])
    bad = [l for l in lines if 'BTF does not match this kernel' in l and
           re.search(r'\bentry %s(\s|$)' % re.escape(kernel.foreign_key), l)]
    expect(len(bad) == 1, 'coretrace: expected one "BTF does not match this kernel" line '
           'naming entry %s, got: %r' % (kernel.foreign_key, lines))
    return 'exit %d: %s' % (t['rc'], bad[0][:200])


def check_btfhub(kernel, sections):
    """Every forced BTFHub BTF loaded and attached (exit 0), with libbpf
    relocating the exit program's task_struct accesses: on 4.x kernels the
    start time is task_struct.real_start_time (start_boottime since 5.5)."""
    hubs = sorted(n for n in sections if re.match(r'hub\d+$', n))
    expect(hubs, 'no hub sections on the console')
    done = []
    for n in hubs:
        sec = sections[n]
        lines = sec['out'].split('\n')
        btf = lines[0][len('btf='):] if lines and lines[0].startswith('btf=') else '?'
        expect(sec['rc'] == 0, '%s: coretrace --btf %s exited %s: %s' % (
            n, btf, sec['rc'], sec['err'].strip()[-300:]))
        relos = [l for l in lines[1:] if 'relo #' in l]
        expect(relos, '%s: %s: no libbpf relocation log' % (n, btf))
        # /btf/hub/DISTRO-VERSION-ARCH-RELEASE.btf
        parts = os.path.basename(btf)[:-len('.btf')].split('-', 3)
        if len(parts) == 4 and parts[3].startswith('4.'):
            expect(any('matching candidate' in l and 'task_struct.real_start_time' in l
                       for l in relos), '%s: %s: real_start_time not relocated:\n%s' % (
                           n, btf, '\n'.join(relos)))
        done.append('%s (%d relocations)' % (os.path.basename(btf), len(relos)))
    return 'loaded and attached: ' + ', '.join(done)


def check_nobtf(kernel, sections):
    t = section(sections, 'plain')
    key = 'no usable BTF for ' + kernel.host
    lines = [l for l in t['err'].split('\n') if l.strip()]
    expect(t['rc'] not in (0, None) and len(lines) == 1 and key in lines[0],
           'coretrace without a bundle: expected one error line naming %s, got exit %s: %r' % (
               kernel.release, t['rc'], lines))
    want = btf_desc_re('embedded bundle', kernel.host)
    check_btf_report(sections, 'embedded', want)
    detail = 'coretrace-nobtf: ' + check_trace(sections, 'trace', want)
    want = btf_desc_re('bundle', kernel.host, where='/btf/nobtf.btfb')
    check_btf_report(sections, 'bundle', want, name='btf2')
    detail += '; coretrace --btf-bundle: ' + check_trace(sections, 'trace2', want)
    if 'opensnoop' in sections or 'opensnoop-full' in sections:
        used = 'BTF: bundle /btf/opensnoop.btfb, entry %s (exact match)' % kernel.host
        t = section(sections, 'opensnoop')
        expect(t['rc'] == 0 and used in t['out']
               and '3 opens of /dev/null seen, 0 wrong (full_path off)' in t['out'],
               'examples/opensnoop: exit %s: %r %r' % (t['rc'], t['out'], t['err']))
        # bpf_get_current_task_btf() needs the kernel's own BTF: refused, said once.
        t = section(sections, 'opensnoop-full')
        own = [l for l in t['err'].split('\n') if l.startswith('opensnoop:')]
        expect(t['rc'] not in (0, None) and used in t['out'] and len(own) == 1
               and 'cannot load or attach' in own[0],
               'examples/opensnoop --full-path on a kernel without BTF: exit %s: %r %r'
               % (t['rc'], t['out'], t['err']))
        detail += ('; examples/opensnoop traced through its bundle, and --full-path '
                   '(bpf_get_current_task_btf) was refused in one line')
    return detail


def check_made(kernel, sections):
    """The tracer relinked with the table made from the package traces with
    it: its one embedded entry is the key btfhub-make derived from the
    package (and that key is the booted kernel's), of the size btfkit-build
    reduced it to; --btf-source=embedded picks it, and exec/open/connect
    decode right."""
    want = btf_desc_re('embedded bundle', kernel.bundle_key)
    check_btf_report(sections, 'embedded', want)
    have = {'/'.join(e.get(f, '?') for f in ('distro', 'version', 'arch', 'release')):
            e.get('raw_size') for e in json_doc(sections, 'btf').get('embedded', [])}
    expect(have == kernel.made_sizes, 'coretrace btf: embedded entries %r, expected the one '
           'btfhub-make and btfkit-build made, %r' % (have, kernel.made_sizes))
    expect(kernel.made_key == kernel.bundle_key, 'btfhub-make derived key %s from the package, '
           'but the booted kernel is %s' % (kernel.made_key, kernel.bundle_key))
    return 'btfhub-make key %s; %s' % (kernel.made_key, check_trace(sections, 'trace', want))


# scenario: (prepare(args, kernel, work) -> {guest path: host file},
#            check(kernel, sections) -> detail, or None)
SCENARIOS = {
    'probe': (prepare_probe, None),
    'embedded': (prepare_entry, check_embedded),
    'unbundled': (prepare_coretrace, check_unbundled),
    'auto': (prepare_coretrace, check_auto),
    'nosysbtf': (prepare_entry, check_nosysbtf),
    'wrongbtf': (prepare_wrongbtf, check_wrongbtf),
    'nobtf': (prepare_nobtf, check_nobtf),
    'bundle': (prepare_bundle, check_bundle),
    'wrongentry': (prepare_wrongentry, check_wrongentry),
    'btfhub': (prepare_btfhub, check_btfhub),
    'made': (prepare_made, check_made),
}
