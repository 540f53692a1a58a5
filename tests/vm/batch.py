# SPDX-License-Identifier: BSD-2-Clause
"""One boot for the scenarios of one kernel (vmtest.py --batch).

Booting a Debian kernel under TCG costs more CPU than any scenario run in
it (4-10 CPU-s to init for amd64, more for arm64), so the meson tests of
one series share one boot: each test is still one scenario, with its own
name, result and checks, but the first of them to run boots the kernel
once with every scenario of the batch (guest/init runs each alone, its own
files installed and removed, its mounts undone) and keeps the console; the
others read their part of it. A member id is the scenario's name, with
"+BUFFER" for a --buffer run (embedded+perf).

What they share is keyed by everything the boot is made from: the kernel
image, the batch, every file named on the command line (tracer, objects,
tools) and the harness itself; a boot is reused by each member once, and
dropped when all have read it or after an hour, so that a later run boots
again. Tests of one batch running at the same time wait on its lock.
"""

import fcntl
import glob
import hashlib
import os
import shutil
import time

from series import HERE, cache_dir, log

MAX_AGE = 3600	# a kept boot older than this is never reused


def member_id(scenario, buffer=None):
    return scenario + ('+' + buffer if buffer else '')


def parse_member(ident):
    """member id -> (scenario, buffer or None)"""
    scenario, _, buffer = ident.partition('+')
    return scenario, buffer or None


def _file_digest(path, h):
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)


def boot_key(kernel, batch, argv):
    """The digest of what the boot is made of. @argv: vmtest.py's arguments
    without --scenario and --buffer (the same for every member)."""
    h = hashlib.sha256()
    h.update(repr((kernel.spec, kernel.release, list(batch))).encode())
    _file_digest(kernel.vmlinuz, h)
    harness = sorted(glob.glob(os.path.join(HERE, '*.py')) +
                     glob.glob(os.path.join(HERE, 'guest', '*')))
    for a in list(argv) + harness:
        h.update(b'\0' + a.encode())
        if os.path.isfile(a):
            _file_digest(a, h)
    return h.hexdigest()[:32]


def _prune(root):
    """Drop what earlier builds left: boots and locks a day old (no test
    holds a lock that long: meson's timeout ends it first)."""
    for name in os.listdir(root):
        path = os.path.join(root, name)
        try:
            if time.time() - os.lstat(path).st_mtime < 24 * MAX_AGE:
                continue
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
        except OSError:
            pass	# another test pruned it first


class SharedBoot:
    """The kept console of one batch's boot, under its lock (a context
    manager: held while the boot is looked up, made and read)."""

    def __init__(self, key, batch):
        self.batch = list(batch)
        root = os.path.join(cache_dir(), 'boots')
        os.makedirs(root, exist_ok=True)
        _prune(root)
        self.dir = os.path.join(root, key)
        self.lockpath = self.dir + '.lock'

    def __enter__(self):
        self.lock = open(self.lockpath, 'w')
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.lock.close()

    def _path(self, name):
        return os.path.join(self.dir, name)

    def console(self, ident):
        """The kept console of a boot that ran @ident and that @ident has
        not read yet, or None."""
        try:
            age = time.time() - os.stat(self._path('console.log')).st_mtime
            with open(self._path('members')) as f:
                members = f.read().split()
        except OSError:
            return None
        if age > MAX_AGE or ident not in members or os.path.exists(self._path('read.' + ident)):
            return None
        with open(self._path('console.log'), 'rb') as f:
            text = f.read().decode('utf-8', errors='replace').replace('\r', '')
        log('batch: the boot of %s kept %.0f s ago (%s)' % (' '.join(members), age, self.dir))
        return text

    def keep(self, console_path, members):
        """Record a new boot of @members (its console at @console_path)."""
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        shutil.copy(console_path, self._path('console.log'))
        with open(self._path('members'), 'w') as f:
            f.write('\n'.join(members) + '\n')

    def read(self, ident):
        """@ident has its result: once every member has, drop the boot."""
        if not os.path.isdir(self.dir):
            return
        open(self._path('read.' + ident), 'w').close()
        with open(self._path('members')) as f:
            members = f.read().split()
        if all(os.path.exists(self._path('read.' + m)) for m in members):
            shutil.rmtree(self.dir, ignore_errors=True)
