#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Boot a real Debian kernel under qemu (TCG) with a busybox initramfs, run one
scenario in the guest and read its verdict from the serial console.

  vmtest.py --series deb12-6.1-cloud-amd64 --scenario probe \
            --probe build/tests/vm/vmprobe --probe-obj build/tests/vm/vmprobe.bpf.o \
            --foreign-series deb12-6.12-cloud-amd64
  vmtest.py --series deb12-6.1-amd64 --scenario embedded --coretrace build/tracer/coretrace_static \
            --bpf-obj build/bpf/coretrace.bpf.o --btfgen build/btfgen/btfgen \
            --embedgen build/embedgen/embedgen
  vmtest.py --scenario nobtf --coretrace ... --coretrace-nobtf ... --bpf-obj ... \
            --btfgen ... --embedgen ...
            (boots the kernel without BTF that nobtf/build-kernel.sh builds)
  vmtest.py --fetch SERIES...   resolve series and fill the kernel cache only
  vmtest.py --series deb12-6.1-arm64 --scenario embedded \
            --coretrace build/arm64/tracer/coretrace_static --bpf-obj build/arm64/bpf/coretrace.bpf.o \
            --btfgen build/btfgen/btfgen --embedgen build/embedgen/embedgen
            (arm64 series: qemu-system-aarch64 -M virt -cpu max, busybox-static:arm64
            downloaded into the cache)

The kernel of a series (kernels.txt, series.py) is chosen at test time: the
pin while the archive serves it (or it is cached), else the newest ABI of
the series. Scenarios are guest/<name>.sh (run by guest/init) plus a prepare
and a check function here (SCENARIOS); README.md lists what each asserts.

Exit status follows meson: 0 pass, 1 fail, 77 skip (qemu missing or unable
to start, no static busybox, or no kernel of the series downloadable nor
cached), 99 harness error.
"""

import argparse
import gzip
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from series import Apt, BTFHUB_ARCH, HarnessError, Skip, SUITES, cache_dir, fixture_kernels, \
    log, series

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST = os.path.join(HERE, 'guest')
# Per Debian arch of the guest: qemu and its machine, the serial console,
# extra kernel parameters, and what qemu prints once it really runs (x86:
# SeaBIOS; arm64 loads the Image itself: any output at all).
# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer
# check can miss its ticks and panic ("IO-APIC + timer doesn't work")
# before init runs; the check proves nothing about what the guest tests.
QEMU = {
    'amd64': {'qemu': 'qemu-system-x86_64', 'pkg': 'qemu-system-x86', 'machine': [],
              'console': 'ttyS0', 'cmdline': 'no_timer_check ', 'started': 'Booting from ROM'},
    'arm64': {'qemu': 'qemu-system-aarch64', 'pkg': 'qemu-system-arm',
              'machine': ['-M', 'virt', '-cpu', 'max'], 'console': 'ttyAMA0', 'cmdline': '',
              'started': None},
}
VERDICT_RE = re.compile(r'BTFKIT-VM-VERDICT: (pass|fail|skip) ?(.*)')
SECTION_RE = re.compile(r'BTFKIT-VM-(BEGIN|END) (\S+)(?: rc=(\d+))?')
BOOTED_RE = re.compile(r'btfkit-vm: kernel (\S+), scenario')
# Where the guest finds the bundle made at test time: coretrace's default
# bundle directory (step 4 of --btf-source=auto), no option needed.
GUEST_BUNDLE = 'usr/local/share/btfkit/guest.btfb'
# uname -m of a Debian architecture: the arch of coretrace's host identity.
UNAME_ARCH = {'amd64': 'x86_64', 'arm64': 'aarch64'}


def os_release(suite):
    """The guest's /etc/os-release: the distro whose bundle entries the
    kernels have, so that the tracer's host identification finds them."""
    v = SUITES[suite]
    return ('PRETTY_NAME="Debian GNU/Linux %s (%s)"\nNAME="Debian GNU/Linux"\n'
            'VERSION_ID="%s"\nVERSION="%s (%s)"\nVERSION_CODENAME=%s\nID=debian\n'
            % (v, suite, v, v, suite, suite))


class BuiltKernel:
    """The kernel without BTF that nobtf/build-kernel.sh builds and caches:
    bzImage and the BTF pahole made from its DWARF."""

    def __init__(self, script):
        r = subprocess.run(['sh', script], stdout=subprocess.PIPE, text=True)
        if r.returncode == 77:
            raise Skip(r.stdout.strip().replace('SKIP: ', '') or 'cannot build the kernel')
        if r.returncode != 0:
            raise HarnessError('%s failed (exit %d)' % (script, r.returncode))
        self.dir = r.stdout.strip().splitlines()[-1]
        self.spec = 'built:' + self.dir
        self.vmlinuz = os.path.join(self.dir, 'bzImage')
        self.btf = os.path.join(self.dir, 'vmlinux.btf')
        self.why = 'built by nobtf/build-kernel.sh'
        with open(os.path.join(self.dir, 'release')) as f:
            self.release = f.read().strip()

    def fetch(self):
        pass


class Cpio:
    """Write a newc initramfs in memory; no cpio(1) and no root needed."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1
        self.names = set()

    def _add(self, name, mode, data=b'', rdev=(0, 0)):
        name = name.lstrip('/')
        if name in self.names:
            return
        self.names.add(name)
        nb = name.encode() + b'\0'
        hdr = '070701' + ''.join('%08X' % v for v in (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0))
        self.ino += 1
        self.buf.write(hdr.encode() + nb)
        self.buf.write(b'\0' * (-(110 + len(nb)) % 4))
        self.buf.write(data)
        self.buf.write(b'\0' * (-len(data) % 4))

    def dir(self, name):
        parts = name.strip('/').split('/')
        for i in range(1, len(parts) + 1):
            self._add('/'.join(parts[:i]), 0o040755)

    def _parent(self, name):
        parent = os.path.dirname(name.strip('/'))
        if parent:
            self.dir(parent)

    def file(self, name, data, mode=0o644):
        self._parent(name)
        self._add(name, 0o100000 | mode, data)

    def copy(self, name, src, mode=None):
        with open(src, 'rb') as f:
            data = f.read()
        self.file(name, data, mode if mode is not None else os.stat(src).st_mode & 0o777)

    def symlink(self, name, target):
        self._parent(name)
        self._add(name, 0o120777, target.encode())

    def chardev(self, name, major, minor):
        self._parent(name)
        self._add(name, 0o020600, rdev=(major, minor))

    def finish(self):
        self._add('TRAILER!!!', 0)
        return self.buf.getvalue()


def elf_is_static(path):
    """True if @path is an ELF64 executable without a PT_INTERP header: the
    guest has no dynamic loader or libraries."""
    with open(path, 'rb') as f:
        ehdr = f.read(64)
        if len(ehdr) < 64 or ehdr[:4] != b'\x7fELF' or ehdr[4] != 2:
            return False
        phoff, = struct.unpack_from('<Q', ehdr, 32)
        phentsize, phnum = struct.unpack_from('<HH', ehdr, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    return all(struct.unpack_from('<I', ph, i * phentsize)[0] != 3 for i in range(phnum))


def find_busybox(kernel):
    if kernel.arch != 'amd64':
        return guest_busybox(kernel.suite, kernel.arch)
    for p in ('/bin/busybox', '/usr/bin/busybox'):
        if os.path.exists(p) and elf_is_static(p):
            return p
    raise Skip('no static busybox (apt-get install busybox-static)')


def guest_busybox(suite, arch):
    """busybox-static of another arch, downloaded once into the cache (it
    cannot be installed beside the build machine's)."""
    d = os.path.join(cache_dir(), 'busybox-%s-%s' % (suite, arch))
    path = os.path.join(d, 'busybox')
    if os.path.exists(path):
        return path
    os.makedirs(d, exist_ok=True)
    import fcntl
    with open(os.path.join(d, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(path):
            return path
        work = tempfile.mkdtemp(prefix='.fetch-', dir=d)
        try:
            r = Apt(suite, arch).download('busybox-static', '', work)
            debs = [os.path.join(work, f) for f in os.listdir(work) if f.endswith('.deb')]
            if r.returncode != 0 or not debs:
                raise Skip('busybox-static:%s is not cached in %s and `apt-get download` failed: %s'
                           % (arch, d, (r.stderr.strip().splitlines() or ['?'])[-1]))
            p1 = subprocess.Popen(['dpkg-deb', '--fsys-tarfile', debs[0]], stdout=subprocess.PIPE)
            tar = subprocess.run(['tar', '-xO', './bin/busybox'], stdin=p1.stdout, capture_output=True)
            p1.stdout.close()
            if p1.wait() != 0 or tar.returncode != 0 or not tar.stdout:
                raise HarnessError('%s: no ./bin/busybox' % debs[0])
            tmp = os.path.join(work, 'busybox')
            with open(tmp, 'wb') as f:
                f.write(tar.stdout)
            if not elf_is_static(tmp):
                raise HarnessError('%s: ./bin/busybox is not a static ELF' % debs[0])
            os.rename(tmp, path)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return path


def build_initramfs(path, scenario, files, env, kernel):
    """files: {guest path: host path} added next to busybox and the scripts;
    env: {name: value} the guest's /init reads from /etc/btfkit-vm.env."""
    c = Cpio()
    for d in ('bin', 'sbin', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'btf'):
        c.dir(d)
    c.chardev('dev/console', 5, 1)
    c.chardev('dev/null', 1, 3)
    c.copy('bin/busybox', find_busybox(kernel), 0o755)
    c.symlink('bin/sh', 'busybox')
    c.file('etc/os-release', os_release(kernel.suite).encode())
    c.file('etc/btfkit-vm.env', ''.join("%s='%s'\n" % kv for kv in sorted(env.items())).encode())
    c.copy('init', os.path.join(GUEST, 'init'), 0o755)
    c.copy('lib.sh', os.path.join(GUEST, 'lib.sh'), 0o644)
    c.copy('scenario.sh', os.path.join(GUEST, scenario + '.sh'), 0o644)
    for guest, host in sorted(files.items()):
        if guest.startswith('bin/') and not elf_is_static(host):
            raise HarnessError('%s: not a statically linked ELF executable' % host)
        c.copy(guest, host)
    with open(path, 'wb') as f:
        # mtime 0: the same inputs give the same image.
        f.write(gzip.compress(c.finish(), compresslevel=1, mtime=0))


def boot(kernel, initrd, scenario, timeout, console_path):
    """Run qemu to power-off (or the timeout); return the console text."""
    q = QEMU[kernel.arch]
    cmdline = 'console=%s panic=-1 loglevel=4 %sbtfkit.scenario=%s' % (
        q['console'], q['cmdline'], scenario)
    cmd = [q['qemu']] + q['machine'] + [
        '-nographic', '-no-reboot', '-m', '512', '-accel', 'tcg', '-smp', '1',
        '-nic', 'none', '-kernel', kernel.vmlinuz, '-initrd', initrd, '-append', cmdline]
    log('boot %s: %s' % (kernel.release, ' '.join(cmd)))
    t0 = time.monotonic()
    timed_out = False
    with open(console_path, 'wb') as out:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            p.kill()
            p.wait()
    with open(console_path, 'rb') as f:
        text = f.read().decode('utf-8', errors='replace').replace('\r', '')
    log('boot %s: qemu exit %s after %.1f s%s' % (
        kernel.release, p.returncode, time.monotonic() - t0,
        ' (TIMEOUT %d s)' % timeout if timed_out else ''))
    # qemu that fails before the firmware even starts (no ROMs, no memory,
    # a broken install) cannot run here: that is a skip, not a kernel result.
    started = q['started'] in text if q['started'] else text.strip() != ''
    if not timed_out and p.returncode != 0 and not started:
        raise Skip('qemu cannot run here (exit %d): %s' % (
            p.returncode, (text.strip().splitlines() or ['no output'])[-1][:300]))
    return text, timed_out


def parse_console(text):
    """Return (verdict, reason, sections); a section is {'out','err','rc'}."""
    verdict, reason = None, ''
    sections = {}
    cur, lines = None, []
    for line in text.split('\n'):
        m = SECTION_RE.search(line)
        if m:
            kind, name, rc = m.groups()
            if kind == 'BEGIN':
                cur, lines = name, []
            elif cur == name:
                base, _, stream = name.rpartition('.')
                sec = sections.setdefault(base, {'out': '', 'err': '', 'rc': None})
                sec[stream] = '\n'.join(lines)
                if rc is not None:
                    sec['rc'] = int(rc)
                cur = None
            continue
        if cur is not None:
            lines.append(line)
            continue
        m = VERDICT_RE.search(line)
        if m:
            verdict, reason = m.group(1), m.group(2).strip()
    return verdict, reason, sections


# --- scenarios: host-side preparation and checks -----------------------------

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


def foreign_kernel(args):
    """The kernel of --foreign-series (resolved like the guest's)."""
    s = series(args.foreign_series)
    k = s.resolve()
    log('foreign series %s: %s (%s): %s' % (s.name, k.release, k.spec, k.why))
    return k


def check_fixture(kernel, fixture):
    """The booted kernel must be the one the bundle entry was made from:
    its .BTF equals the fixture's (BTFHub layout, one member REL.btf)."""
    import tarfile
    with tarfile.open(fixture) as t:
        member = t.extractfile(kernel.release + '.btf')
        want = member.read() if member else None
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


class CheckFailed(Exception):
    pass


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
}


def guest_kernel(args):
    """The kernel to boot (resolved from its series) and the names of its
    BTF: kernel.host (coretrace's host identity), kernel.bundle_key (the
    entry of the bundle made at test time), kernel.entry/entry_key (the
    entry the guest must use: the default bundle's, embedded in coretrace,
    when it has this release, else the one made at test time)."""
    if args.scenario == 'nobtf':
        k = BuiltKernel(os.path.join(HERE, 'nobtf', 'build-kernel.sh'))
        k.suite, k.arch, k.distro_version = 'bookworm', 'amd64', '12'
        k.host = k.bundle_key = k.entry_key = 'debian/12/x86_64/' + k.release
        k.entry = 'embedded'
        return k
    if not args.series:
        raise HarnessError('--series is required')
    s = series(args.series)
    exclude = ()
    if s.role == 'unbundled':
        # A kernel the default bundle has no entry for.
        exclude = {rel for rel, _, _ in fixture_kernels(s.distro_version).values()}
    k = s.resolve(pin=args.pin, exclude=exclude)
    k.suite, k.arch, k.distro_version = s.suite, s.arch, s.distro_version
    k.host = 'debian/%s/%s/%s' % (s.distro_version, UNAME_ARCH[s.arch], k.release)
    k.bundle_key = 'debian/%s/%s/%s' % (s.distro_version, s.btfhub_arch, k.release)
    fx = s.in_default_bundle(k)
    if fx:
        k.entry = 'embedded'
        # The bundle's key: BTFHub's arch, aarch64 directories being arm64.
        k.entry_key = 'debian/%s/%s/%s' % (s.distro_version, s.btfhub_arch, k.release)
        if fx['version'] == k.version:
            check_fixture(k, fx['archive'])
        else:
            log('%s: the fixture was made from version %s: its BTF is not compared' % (
                k.spec, fx['version']))
    else:
        k.entry, k.entry_key = 'bundle', k.bundle_key
    log('series %s: kernel %s (%s): %s; %s' % (
        s.name, k.release, k.spec, k.why, 'not in the default bundle' if s.role == 'unbundled'
        else 'its entry: %s %s' % (k.entry, k.entry_key)))
    if args.expect_newest:
        check_newest(s, k, args.pin or s.pin)
    return k


def check_newest(s, k, pin):
    """--expect-newest: the pin is not in the archive and the kernel is the
    newest ABI the archive lists for the series."""
    from series import prefix_of
    apt = s.apt	# what resolve() read from the lists
    pkg, _, version = pin.partition('=')
    listed = apt.series(s.pattern, prefix_of(s.pattern))
    if not listed:
        raise Skip('the archive lists no kernel of series %s: cannot tell the newest' % s)
    if version in apt.versions(pkg):
        raise HarnessError('%s is in the archive: it does not simulate a vanished pin' % pin)
    abi, newest, ver = listed[0]
    if (k.pkg, k.version) != (newest, ver):
        raise CheckFailed('series %s: pin %s gone, resolved %s, but the newest is %s=%s' % (
            s.name, pin, k.spec, newest, ver))


def run(args):
    arch = series(args.series).arch if args.series and args.scenario != 'nobtf' else 'amd64'
    q = QEMU[arch]
    if shutil.which(q['qemu']) is None:
        raise Skip('%s not installed (apt-get install %s)' % (q['qemu'], q['pkg']))
    for tool in ('dpkg-deb', 'objcopy', 'bpftool'):
        if shutil.which(tool) is None and not os.path.exists('/usr/sbin/' + tool):
            raise Skip('%s not installed' % tool)
    kernel = guest_kernel(args)
    work = tempfile.mkdtemp(prefix='btfkit-vm-')
    try:
        prepare, check = SCENARIOS[args.scenario]
        files = prepare(args, kernel, work)
        initrd = os.path.join(work, 'initrd.gz')
        env = {'ENTRY_SOURCE': kernel.entry}
        if args.buffer:
            env['BUFFER'] = args.buffer
        build_initramfs(initrd, args.scenario, files, env, kernel)
        console = os.path.join(work, 'console.log')
        text, timed_out = boot(kernel, initrd, args.scenario, args.timeout, console)
        verdict, reason, sections = parse_console(text)
        booted = BOOTED_RE.search(text)
        if verdict == 'pass' and (not booted or booted.group(1) != kernel.release):
            verdict, reason = 'fail', 'the guest booted %s, not %s' % (
                booted.group(1) if booted else 'no kernel line', kernel.release)
        if verdict == 'pass' and check:
            try:
                reason += '; ' + check(kernel, sections)
            except CheckFailed as e:
                verdict, reason = 'fail', str(e)
        if args.console or verdict != 'pass':
            print('----- guest console (%s, %s) -----' % (kernel.release, args.scenario))
            print(text.rstrip())
            print('----- end of console -----')
        if verdict is None:
            log('FAIL %s/%s: no verdict on the console%s' % (
                kernel.release, args.scenario, ' (timed out)' if timed_out else ''))
            return 1
        log('%s %s/%s (booted %s, %s): %s' % (verdict.upper(), kernel.release, args.scenario,
                                               kernel.spec, kernel.why, reason))
        return {'pass': 0, 'fail': 1, 'skip': 77}[verdict]
    finally:
        if args.keep:
            log('kept %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--series', help='the kernel series to boot (kernels.txt; not for nobtf)')
    ap.add_argument('--pin', metavar='PKG=VERSION',
                    help='pin of the series instead of kernels.txt\'s (a vanished one: --expect-newest)')
    ap.add_argument('--expect-newest', action='store_true',
                    help='the pin must be absent from the archive and the newest ABI booted')
    ap.add_argument('--scenario', choices=sorted(SCENARIOS))
    ap.add_argument('--probe', help='static vmprobe binary')
    ap.add_argument('--probe-obj', help='vmprobe.bpf.o (to reduce BTF against)')
    ap.add_argument('--foreign-series', help='series whose reduced BTF must NOT work (probe, wrongbtf)')
    ap.add_argument('--bpf-obj', help='coretrace.bpf.o (to reduce BTF against)')
    ap.add_argument('--btfgen', help='btfgen executable (bundles made at test time)')
    ap.add_argument('--embedgen', help='embedgen executable (bundles made at test time)')
    ap.add_argument('--coretrace', help='static coretrace binary')
    ap.add_argument('--coretrace-nobtf', help='static coretrace with the nobtf kernel embedded (nobtf)')
    ap.add_argument('--example', help='nobtf: static examples/opensnoop, run through its own bundle')
    ap.add_argument('--example-obj', help='nobtf: the opensnoop.bpf.o that --example embeds')
    ap.add_argument('--bundle', help='bundle: the .btfb built with --coretrace')
    ap.add_argument('--fixture', help='nobtf: the kernel\'s BTF (REL.btf.tar.xz) to compare with')
    ap.add_argument('--buffer', choices=['auto', 'ringbuf', 'perf'],
                    help='coretrace --buffer in the guest\'s traces (default: its own, auto)')
    ap.add_argument('--timeout', type=int, default=240, help='hard limit of one boot, s (240)')
    ap.add_argument('--console', action='store_true', help='print the console even on success')
    ap.add_argument('--keep', action='store_true', help='keep the work dir (initramfs, console)')
    ap.add_argument('--fetch', nargs='+', metavar='SERIES',
                    help='only resolve the series and fill the kernel cache')
    args = ap.parse_args()
    try:
        if args.fetch:
            for name in args.fetch:
                k = series(name).resolve(pin=args.pin)
                log('series %s: %s (%s): %s, in %s' % (name, k.release, k.spec, k.why, k.dir))
            return 0
        if not args.scenario:
            ap.error('--scenario is required')
        return run(args)
    except Skip as e:
        print('SKIP: %s' % e, flush=True)
        return 77
    except CheckFailed as e:
        log('FAIL: %s' % e)
        return 1
    except HarnessError as e:
        print('vmtest: error: %s' % e, file=sys.stderr, flush=True)
        return 99


if __name__ == '__main__':
    sys.exit(main())
