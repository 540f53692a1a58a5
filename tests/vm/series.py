# SPDX-License-Identifier: BSD-2-Clause
"""The guests of the vm suite, chosen at test time.

kernels.txt lists kernel series, one a line:

    <series> <arch> <suite> <role> <package>=<version>

e.g. "deb12-6.1-cloud-amd64 amd64 bookworm bundled
linux-image-6.1.0-56-cloud-amd64-unsigned=6.1.192-2". The package pins a
kernel; its series is every ABI of the same name (6.1.0-*-cloud-amd64, or
6.12.*+deb12-cloud-amd64). Series.resolve() boots the pin while Debian's
archive still serves it (or it is cached) and otherwise the newest ABI the
archive has, so that a point release never turns the suite into skips.

Packages come from Debian's archive with `apt-get download`: the system's
apt for the system's own suite and architecture, otherwise a private apt
configuration under the cache (URIs derived from the system's Debian
sources, which are never edited). What the guests need (vmlinuz and the
kernel's raw .BTF, extracted by tests/data/make-fixtures.sh --btf) is cached
in $BTFKIT_VM_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/btfkit/vm.
"""

import fcntl
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import tap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
SERIES_FILE = os.path.join(HERE, 'kernels.txt')
FIXTURES = os.path.join(SOURCE_ROOT, 'tests', 'data', 'btfhub')
MAKE_FIXTURES = os.path.join(SOURCE_ROOT, 'tests', 'data', 'make-fixtures.sh')
APT_PRIVATE = os.path.join(SOURCE_ROOT, 'ci', 'apt-private.sh')

# Debian codename -> VERSION_ID: the distro version of the bundle entries.
SUITES = {'buster': '10', 'bullseye': '11', 'bookworm': '12', 'trixie': '13'}
# Debian architecture -> BTFHub architecture (the bundle's key).
BTFHUB_ARCH = {'amd64': 'x86_64', 'arm64': 'arm64'}
# Package lists older than this are refreshed before a pin is declared gone.
LISTS_MAX_AGE = 3600


Skip = tap.Skip	# this kernel cannot be had here: the test is skipped


class HarnessError(Exception):
    pass


def log(msg):
    print('# vmtest: ' + msg, flush=True)	# a TAP comment


def cache_dir():
    d = os.environ.get('BTFKIT_VM_CACHE')
    if not d:
        base = os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache')
        d = os.path.join(base, 'btfkit', 'vm')
    os.makedirs(d, exist_ok=True)
    return d


def release_of(pkg):
    """linux-image-6.1.0-56-amd64[-unsigned] -> 6.1.0-56-amd64"""
    if not pkg.startswith('linux-image-'):
        raise HarnessError('%s: not a linux-image-* package' % pkg)
    rel = pkg[len('linux-image-'):]
    return rel[:-len('-unsigned')] if rel.endswith('-unsigned') else rel


def abi_pattern(pkg):
    """The series of a kernel package as a regex whose group 1 is the ABI:
    linux-image-6.1.0-56-cloud-amd64-unsigned -> linux-image-6.1.0-(\\d+)-cloud-amd64-unsigned,
    linux-image-6.12.117+deb12-cloud-amd64-unsigned -> linux-image-6.12.(\\d+)+deb12-cloud-amd64-unsigned."""
    for r in (r'^(linux-image-\d+\.\d+\.0-)(\d+)(-.+)$',
              r'^(linux-image-\d+\.\d+\.)(\d+)(\+deb\d+-.+)$'):
        m = re.match(r, pkg)
        if m:
            return re.compile('^' + re.escape(m.group(1)) + r'(\d+)' + re.escape(m.group(3)) + '$')
    raise HarnessError('%s: no ABI number in the package name (X.Y.0-ABI-FLAVOUR '
                       'or X.Y.ABI+debN-FLAVOUR)' % pkg)


def version_key(v):
    """dpkg's ordering of two versions, for sorting."""
    import functools

    def cmp(a, b):
        if a == b:
            return 0
        return -1 if subprocess.run(['dpkg', '--compare-versions', a, 'lt', b]).returncode == 0 else 1
    return functools.cmp_to_key(cmp)(v)


class Apt:
    """apt-get/apt-cache for one suite and architecture: the system's own
    configuration when both are the system's, else a private one under the
    cache made by ci/apt-private.sh (the system's sources never edited)."""

    def __init__(self, suite, arch):
        self.suite, self.arch = suite, arch
        codename, native = host_suite_arch()
        self.system = suite == codename and arch == native
        if self.system:
            self.dir = os.path.join(cache_dir(), 'apt', 'system')
            self.lists = '/var/lib/apt/lists'
        else:
            self.dir = os.path.join(cache_dir(), 'apt', '%s-%s' % (suite, arch))
            self.lists = os.path.join(self.dir, 'lists')
        os.makedirs(self.dir, exist_ok=True)
        self.known, self.listed = {}, {}
        self.error = ''

    def run(self, tool, *args, cwd=None):
        cmd = [tool, '-q'] + list(args)
        if self.system:
            r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
            if r.returncode != 0:
                self.error = (r.stderr.strip().splitlines() or ['exit %d' % r.returncode])[-1]
            return r
        # apt-private.sh refreshes its lists when missing or a day old, and
        # does not lock them: one test at a time.
        cmd = ['bash', APT_PRIVATE, '--dir', self.dir, '--arch', self.arch, '--suites',
               '%s %s-updates %s-security' % ((self.suite,) * 3), '--'] + cmd
        with open(os.path.join(self.dir, '.lock'), 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        if r.returncode != 0:
            # Kept for the skip reason: "the archive lists none" alone
            # would hide an unreachable archive.
            self.error = (r.stderr.strip().splitlines() or ['exit %d' % r.returncode])[-1]
        return r

    def _stamp(self):
        return os.path.join(self.dir, 'updated')

    def lists_age(self):
        """Seconds since the lists were last refreshed (by us or, for the
        system's, by anyone); None if there are none."""
        stamps = [self._stamp()] + glob.glob(os.path.join(self.lists, '*Release'))
        mtimes = [os.stat(p).st_mtime for p in stamps if os.path.exists(p)]
        if not mtimes:
            return None
        return time.time() - max(mtimes)

    def stale(self):
        age = self.lists_age()
        return age is None or age >= LISTS_MAX_AGE

    def update(self, why):
        """Refresh the system's package lists (once per LISTS_MAX_AGE across
        tests: a lock serialises them, the stamp records the last refresh).
        A private configuration refreshes itself (apt-private.sh)."""
        if not self.system or os.geteuid() != 0:
            return
        with open(os.path.join(self.dir, '.lock'), 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self.stale():
                return
            log('apt-get update (system, %s): %s' % (self.suite, why))
            r = self.run('apt-get', 'update')
            if r.returncode != 0:
                log('apt-get update: exit %d: %s' % (
                    r.returncode, (r.stderr.strip().splitlines() or ['?'])[-1]))
            # Some lists may have failed (a third-party source of the
            # system's): whatever arrived is used; the stamp avoids a retry
            # by every test.
            open(self._stamp(), 'w').close()
            self.known, self.listed = {}, {}

    def madison(self, pkgs):
        """{package: [versions the lists offer for this arch]}: one apt-cache
        run for all (each takes seconds), remembered until an update."""
        want = [p for p in pkgs if p not in self.known]
        if want:
            r = self.run('apt-cache', 'madison', *want)
            for p in want:
                self.known[p] = []
            for line in r.stdout.splitlines():
                f = [x.strip() for x in line.split('|')]
                # A foreign architecture's package is named PKG:ARCH.
                pkg = f[0][:-len(':' + self.arch)] if f[0].endswith(':' + self.arch) else f[0]
                if len(f) == 3 and pkg in self.known and (' %s ' % self.arch) in f[2] + ' ':
                    self.known[pkg].append(f[1])
        return {p: self.known[p] for p in pkgs}

    def versions(self, pkg):
        """The versions of @pkg the lists offer for this architecture."""
        return self.madison([pkg])[pkg]

    def series(self, pattern, prefix):
        """[(abi, package, newest version)] of the packages matching
        @pattern, newest ABI first."""
        if pattern.pattern not in self.listed:
            r = self.run('apt-cache', 'pkgnames', prefix)
            pkgs = sorted(p for p in set(r.stdout.split()) if pattern.match(p))
            found = []
            for pkg, vs in self.madison(pkgs).items():
                if vs:
                    found.append((int(pattern.match(pkg).group(1)), pkg, max(vs, key=version_key)))
            self.listed[pattern.pattern] = sorted(found, reverse=True)
        return self.listed[pattern.pattern]

    def download(self, pkg, version, cwd):
        """apt-get download PKG[:ARCH]=VERSION into @cwd."""
        spec = '%s:%s' % (pkg, self.arch) + ('=' + version if version else '')
        return self.run('apt-get', 'download', spec, cwd=cwd)


def read_os_release(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                k, sep, v = line.strip().partition('=')
                if sep:
                    out[k] = v.strip('"\'')
    except OSError:
        pass
    return out


class Kernel:
    """A cached kernel: vmlinuz and its raw BTF, keyed by package and
    version. @spec is PKG or PKG=VERSION (the version is then pinned)."""

    def __init__(self, spec, apt=None):
        self.spec = spec
        self.pkg, _, self.version = spec.partition('=')
        self.release = release_of(self.pkg)
        self.apt = apt
        self.why = ''
        key = self.pkg + ('_' + self.version.replace(':', '%') if self.version else '')
        self.dir = os.path.join(cache_dir(), 'kernels', key)
        self.vmlinuz = os.path.join(self.dir, 'vmlinuz')
        self.btf = os.path.join(self.dir, 'vmlinux.btf')

    def cached(self):
        return os.path.exists(self.vmlinuz) and os.path.exists(self.btf)

    def fetch(self, keep_package=False):
        """Download and unpack once; parallel tests serialise on a lock.
        @keep_package: keep the .deb in the cache too (see package())."""
        if self.cached():
            return
        os.makedirs(self.dir, exist_ok=True)
        with open(os.path.join(self.dir, '.lock'), 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self.cached():
                self._fetch_locked(keep_package)

    def _fetch_locked(self, keep_package):
        work = tempfile.mkdtemp(prefix='.fetch-', dir=self.dir)
        try:
            deb = self._download(work)
            if keep_package:
                kept = os.path.join(self.dir, os.path.basename(deb))
                os.rename(deb, kept)
                deb = kept
            log('%s: unpacking %s' % (self.pkg, os.path.basename(deb)))
            vmlinuz = os.path.join(work, 'vmlinuz')
            deb_vmlinuz(deb, self.release, vmlinuz)
            btf = os.path.join(work, 'vmlinux.btf')
            r = subprocess.run(['sh', MAKE_FIXTURES, '--btf', vmlinuz, btf],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise HarnessError('%s: %s' % (self.pkg, r.stderr.strip() or
                                               'make-fixtures.sh --btf: exit %d' % r.returncode))
            # vmlinuz last: its presence (with the BTF) marks the entry complete.
            os.rename(btf, self.btf)
            os.rename(vmlinuz, self.vmlinuz)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def package(self):
        """The kernel's .deb itself (scenario made runs btfhub-make on it):
        downloaded once into the cache beside vmlinuz, under the same lock.
        apt-get download checks it against the archive's Packages SHA-256."""
        self.fetch(keep_package=True)
        found = glob.glob(os.path.join(self.dir, '*.deb'))
        if found:
            return found[0]
        with open(os.path.join(self.dir, '.lock'), 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            found = glob.glob(os.path.join(self.dir, '*.deb'))
            if found:
                return found[0]
            work = tempfile.mkdtemp(prefix='.fetch-', dir=self.dir)
            try:
                deb = self._download(work)
                dst = os.path.join(self.dir, os.path.basename(deb))
                os.rename(deb, dst)
                return dst
            finally:
                shutil.rmtree(work, ignore_errors=True)

    def _download(self, work):
        apt = self.apt or Apt(*host_suite_arch())
        log('%s: apt-get download into %s' % (self.spec, work))
        r = apt.download(self.pkg, self.version, work)
        debs = glob.glob(os.path.join(work, '*.deb'))
        if r.returncode != 0 or not debs:
            raise Skip('%s is not cached in %s and `apt-get download` failed: %s' % (
                self.spec, self.dir, (r.stderr.strip().splitlines() or ['?'])[-1]))
        return debs[0]


def deb_vmlinuz(deb, release, out_path):
    """Write boot/vmlinuz-@release of the package @deb to @out_path.
    Reading stops at that member: ./boot comes before ./lib/modules in a
    Debian kernel package, so most of data.tar (the modules: 3/4 of its
    decompression) is never unpacked. The .deb itself was checked whole
    against the archive's SHA-256 when apt-get downloaded it."""
    import tarfile
    member = './boot/vmlinuz-' + release
    p = subprocess.Popen(['dpkg-deb', '--fsys-tarfile', deb], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    found, err = False, ''
    try:
        with tarfile.open(fileobj=p.stdout, mode='r|') as tar:
            for m in tar:
                if m.name == member and m.isfile():
                    with open(out_path, 'wb') as out:
                        shutil.copyfileobj(tar.extractfile(m), out)
                    found = os.path.getsize(out_path) == m.size > 0
                    break
    except (tarfile.TarError, OSError) as e:
        err = str(e)
    finally:
        # Done with it: dpkg-deb's decompressor then dies of SIGPIPE, and
        # dpkg-deb reaps it (its CPU stays accounted to this test).
        p.stdout.close()
        stderr = p.stderr.read()
        p.wait()
    if not found:
        raise HarnessError('no %s in %s: %s' % (
            member, deb, err or stderr.decode(errors='replace').strip() or 'not in data.tar'))


def host_suite_arch():
    arch = subprocess.run(['dpkg', '--print-architecture'], capture_output=True,
                          text=True).stdout.strip()
    return read_os_release('/etc/os-release').get('VERSION_CODENAME', ''), arch


def fixture_kernels(version):
    """{package: (release, version, archive)} of the committed fixtures of
    debian/@version (every arch directory): the kernels of the default
    bundle (tests/data/make-fixtures.sh writes KERNELS.txt)."""
    out = {}
    for lst in sorted(glob.glob(os.path.join(FIXTURES, 'debian', version, '*', 'KERNELS.txt'))):
        with open(lst) as f:
            for line in f:
                fl = line.rstrip('\n').split('\t')
                if len(fl) >= 3 and not fl[0].startswith('#'):
                    out[fl[1]] = (fl[0], fl[2], os.path.join(os.path.dirname(lst),
                                                             fl[0] + '.btf.tar.xz'))
    return out


class Series:
    def __init__(self, name, arch, suite, role, pin):
        if suite not in SUITES:
            raise HarnessError('%s: series %s: unknown suite %r' % (SERIES_FILE, name, suite))
        if arch not in BTFHUB_ARCH:
            raise HarnessError('%s: series %s: unknown arch %r' % (SERIES_FILE, name, arch))
        self.name, self.arch, self.suite, self.role = name, arch, suite, role
        self.pin = pin
        self.pkg = pin.partition('=')[0]
        self.pattern = abi_pattern(self.pkg)
        self.distro_version = SUITES[suite]
        self.btfhub_arch = BTFHUB_ARCH[arch]

    def __str__(self):
        return '%s (%s %s, %s)' % (self.name, self.suite, self.arch, self.pattern.pattern)

    def in_default_bundle(self, kernel):
        """The fixture the default bundle has for @kernel's release, or None."""
        for pkg, (rel, ver, archive) in fixture_kernels(self.distro_version).items():
            if rel == kernel.release and release_of(pkg) == kernel.release:
                return {'version': ver, 'archive': archive}
        return None

    def resolve(self, pin=None, exclude=(), keep_package=False):
        """The kernel to boot: the pin (@pin overrides the line's) if cached
        or served, else the newest ABI the archive has (releases in
        @exclude left out), else the newest cached one of the series.
        @keep_package: a download keeps the .deb (Kernel.package())."""
        pin = pin or self.pin
        if abi_pattern(pin.partition('=')[0]).pattern != self.pattern.pattern:
            raise HarnessError('%s: %s is not of series %s' % (SERIES_FILE, pin, self))
        apt = self.apt = Apt(self.suite, self.arch)
        k = Kernel(pin, apt)
        if k.cached():
            k.why = 'pinned, cached'
            return k
        served = apt.versions(k.pkg)
        if k.version not in served and apt.stale():
            apt.update('%s not listed' % pin)
            served = apt.versions(k.pkg)
        if k.version in served and fetch(k, apt, keep_package):
            k.why = 'pinned'
            return k
        newest = [c for c in apt.series(self.pattern, prefix_of(self.pattern))
                  if release_of(c[1]) not in exclude]
        note = '%s not served by the archive' % pin
        if newest:
            abi, pkg, ver = newest[0]
            k = Kernel('%s=%s' % (pkg, ver), apt)
            if fetch(k, apt, keep_package):
                k.why = '%s: newest ABI of the series (%d)' % (note, abi)
                return k
        cached = self.cached_kernels(exclude)
        if cached:
            k = Kernel(cached[0][1], apt)
            k.why = '%s and nothing newer downloadable: newest cached of the series' % note
            return k
        listed = ', '.join('%s=%s' % (p, v) for _, p, v in newest) or 'none'
        if exclude:
            listed += ' (left out: %s)' % ' '.join(sorted(exclude))
        raise Skip('no kernel of series %s can be downloaded: %s; the archive lists %s%s' % (
            self, note, listed, '; apt: ' + apt.error if apt.error else ''))

    def cached_kernels(self, exclude=()):
        """[(abi, spec)] of the cached kernels of the series, newest first."""
        out = []
        for d in glob.glob(os.path.join(cache_dir(), 'kernels', '*_*')):
            pkg, _, ver = os.path.basename(d).partition('_')
            m = self.pattern.match(pkg)
            if m and release_of(pkg) not in exclude and Kernel(pkg + '=' + ver).cached():
                out.append((int(m.group(1)), pkg + '=' + ver.replace('%', ':')))
        return sorted(out, reverse=True)


def fetch(k, apt, keep_package=False):
    """Download @k; on failure refresh stale lists once and retry."""
    for attempt in (1, 2):
        try:
            k.fetch(keep_package)
            return True
        except Skip as e:
            log('%s' % e)
            if attempt == 2 or not apt.stale():
                return False
            apt.update('download of %s failed' % k.spec)
    return False


def prefix_of(pattern):
    """The literal package-name prefix of an abi_pattern() regex."""
    return re.sub(r'\\(.)', r'\1', pattern.pattern[1:].split('(', 1)[0])


def load_series(path=SERIES_FILE):
    out = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            f_ = line.split('#', 1)[0].split()
            if not f_:
                continue
            if len(f_) != 5 or '=' not in f_[4]:
                raise HarnessError('%s:%d: expected "<series> <arch> <suite> <role> '
                                   '<package>=<version>"' % (path, n))
            out[f_[0]] = Series(*f_)
    return out


def series(name):
    s = load_series()
    if name not in s:
        raise HarnessError('%s: no series %r (have: %s)' % (SERIES_FILE, name, ' '.join(s)))
    return s[name]
