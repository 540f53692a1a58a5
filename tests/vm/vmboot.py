#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The guest side of vmtest.py: qemu per Debian arch, the busybox
initramfs (written in memory), one boot, and the console's verdict and
sections."""

import gzip
import io
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time

from series import Apt, HarnessError, Skip, SUITES, cache_dir, log

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST = os.path.join(HERE, 'guest')
# Per Debian arch of the guest: qemu and its machine, the serial console,
# extra kernel parameters, and what qemu prints once it really runs (x86:
# SeaBIOS; arm64 loads the Image itself: any output at all).
# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer
# check can miss its ticks and panic ("IO-APIC + timer doesn't work")
# before init runs; the check proves nothing about what the guest tests.
# arm64: -cpu max keeps every feature the kernel may use (LSE, BTI, pointer
# authentication), but TCG's emulation of the architected PAC cipher
# (QARMA) cost ~10 of the ~14.5 CPU-s a Debian 6.1 arm64 kernel took to
# reach init: the kernel signs and checks return addresses in every
# function. pauth-impdef=on keeps PAC, with qemu's cheap
# implementation-defined algorithm (3.2-4.9 CPU-s to init, measured).
QEMU = {
    'amd64': {'qemu': 'qemu-system-x86_64', 'pkg': 'qemu-system-x86', 'machine': [],
              'console': 'ttyS0', 'cmdline': 'no_timer_check ', 'started': 'Booting from ROM'},
    'arm64': {'qemu': 'qemu-system-aarch64', 'pkg': 'qemu-system-arm',
              'machine': ['-M', 'virt', '-cpu', 'max,pauth-impdef=on'], 'console': 'ttyAMA0', 'cmdline': '',
              'started': None},
}
VERDICT_RE = re.compile(r'BTFKIT-VM-VERDICT: (pass|fail|skip) ?(.*)')
SECTION_RE = re.compile(r'BTFKIT-VM-(BEGIN|END) (\S+)(?: rc=(\d+))?')
BOOTED_RE = re.compile(r'btfkit-vm: kernel (\S+), scenario')
SCENARIO_RE = re.compile(r'^BTFKIT-VM-SCENARIO (\S+)$', re.M)
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


def build_initramfs(path, members, kernel):
    """One boot's initramfs: busybox, /init and the scenario scripts, and
    per member (id, scenario name, files {guest path: host path}, env
    {name: value}) what guest/init installs for it alone (/scn/ID/files,
    /scn/ID/env). A host file is stored once (/scn/blob/N) however many
    members install it: the coretrace of a batch is one copy."""
    c = Cpio()
    for d in ('bin', 'sbin', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'btf'):
        c.dir(d)
    c.chardev('dev/console', 5, 1)
    c.chardev('dev/null', 1, 3)
    c.copy('bin/busybox', find_busybox(kernel), 0o755)
    c.symlink('bin/sh', 'busybox')
    c.file('etc/os-release', os_release(kernel.suite).encode())
    c.copy('init', os.path.join(GUEST, 'init'), 0o755)
    c.copy('lib.sh', os.path.join(GUEST, 'lib.sh'), 0o644)
    blobs = {}
    for ident, name, files, env in members:
        c.copy('guest/%s.sh' % name, os.path.join(GUEST, name + '.sh'), 0o644)
        manifest = []
        for guest, host in sorted(files.items()):
            if guest.startswith('bin/') and not elf_is_static(host):
                raise HarnessError('%s: not a statically linked ELF executable' % host)
            key = os.path.realpath(host)
            if key not in blobs:
                blobs[key] = str(len(blobs))
                c.copy('scn/blob/' + blobs[key], host, 0o755 if guest.startswith('bin/') else 0o644)
            manifest.append('%s /%s\n' % (blobs[key], guest.lstrip('/')))
        c.file('scn/%s/files' % ident, ''.join(manifest).encode())
        c.file('scn/%s/env' % ident,
               ''.join("%s='%s'\n" % kv for kv in sorted(env.items())).encode())
    c.file('scn/list', ''.join('%s %s\n' % (m[0], m[1]) for m in members).encode())
    with open(path, 'wb') as f:
        # mtime 0: the same inputs give the same image.
        f.write(gzip.compress(c.finish(), compresslevel=1, mtime=0))


def boot(kernel, initrd, timeout, console_path):
    """Run qemu to power-off (or the timeout); return the console text."""
    q = QEMU[kernel.arch]
    cmdline = 'console=%s panic=-1 loglevel=4 %s' % (q['console'], q['cmdline'].strip())
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


def split_console(text):
    """{scenario id: its part of the console} of a batched boot (guest/init
    prints BTFKIT-VM-SCENARIO ID before each); a scenario the guest never
    reached has no part."""
    marks = list(SCENARIO_RE.finditer(text))
    return {m.group(1): text[m.end():marks[i + 1].start() if i + 1 < len(marks) else len(text)]
            for i, m in enumerate(marks)}
