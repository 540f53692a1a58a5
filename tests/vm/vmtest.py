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
            (arm64 series: qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on, busybox-static:arm64
            downloaded into the cache)

  vmtest.py ... --scenario auto --batch probe,nosysbtf,auto,embedded+perf
            (one boot for the batch's scenarios, shared by their tests: batch.py)

The kernel of a series (kernels.txt, series.py) is chosen at test time: the
pin while the archive serves it (or it is cached), else the newest ABI of
the series. Scenarios are guest/<name>.sh (run by guest/init) plus a prepare
and a check function here (SCENARIOS); README.md lists what each asserts.

TAP (tests/lib/tap.py): one result, "1..0 # SKIP reason" where qemu is
missing or cannot start, there is no static busybox, or no kernel of the
series can be downloaded nor is cached; "Bail out!" and exit 99 on a
harness error.
"""

import argparse
import os
import shutil
import sys
import tempfile

from series import HarnessError, Skip, fixture_kernels, log, series
from scenarios import SCENARIOS, CheckFailed, check_fixture
import tap
from vmboot import BOOTED_RE, HERE, QEMU, UNAME_ARCH, BuiltKernel, boot, build_initramfs, \
    parse_console, split_console
from batch import SharedBoot, boot_key, member_id, parse_member


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
    # made runs btfhub-make on the package itself: a download keeps it.
    k = s.resolve(pin=args.pin, exclude=exclude, keep_package=args.scenario == 'made')
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
    own = member_id(args.scenario, args.buffer)
    batch = args.batch.split(',') if args.batch else [own]
    if own not in batch:
        raise HarnessError('--batch %s does not have %s' % (args.batch, own))
    work = tempfile.mkdtemp(prefix='btfkit-vm-')
    try:
        # Its own prepare always runs: its check reads what it recorded.
        os.mkdir(os.path.join(work, 'own'))
        files = SCENARIOS[args.scenario][0](args, kernel, os.path.join(work, 'own'))
        text, timed_out = shared_boot(args, kernel, batch, own, files, work)
        check_member(args, kernel, own, text, timed_out)
    finally:
        if args.keep:
            log('kept %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def member_env(kernel, buffer):
    env = {'ENTRY_SOURCE': kernel.entry}
    if buffer:
        env['BUFFER'] = buffer
    return env


def shared_boot(args, kernel, batch, own, own_files, work):
    """The console of the boot that ran @own: one kept by another member of
    @batch (batch.py), or a new boot of the whole batch."""
    argv = [a for i, a in enumerate(sys.argv[1:])
            if a not in ('--scenario', '--buffer') and
            (i == 0 or sys.argv[i] not in ('--scenario', '--buffer'))]
    with SharedBoot(boot_key(kernel, batch, argv), batch) as kept:
        text = kept.console(own) if len(batch) > 1 else None
        timed_out = False
        if text is None:
            members = []
            for ident in batch:
                scenario, buffer = parse_member(ident)
                files = own_files
                if ident != own:
                    margs = argparse.Namespace(**vars(args))
                    margs.scenario, margs.buffer = scenario, buffer
                    os.mkdir(os.path.join(work, ident))
                    try:
                        files = SCENARIOS[scenario][0](margs, kernel, os.path.join(work, ident))
                    except Skip as e:
                        log('batch: %s left out of this boot: %s' % (ident, e))
                        continue
                members.append((ident, scenario, files, member_env(kernel, buffer)))
            initrd = os.path.join(work, 'initrd.gz')
            build_initramfs(initrd, members, kernel)
            console = os.path.join(work, 'console.log')
            # A minute more for each scenario past the first: a hang still
            # ends well within meson's timeout.
            timeout = args.timeout + 60 * (len(members) - 1)
            text, timed_out = boot(kernel, initrd, timeout, console)
            if len(batch) > 1 and not timed_out:
                kept.keep(console, [m[0] for m in members])
        kept.read(own)
    return text, timed_out


def check_member(args, kernel, own, text, timed_out):
    """The verdict of @own in its part of the console, and its checks."""
    part = split_console(text).get(own)
    verdict, reason, sections = parse_console(part) if part is not None else (None, '', {})
    booted = BOOTED_RE.search(text)
    if verdict == 'pass' and (not booted or booted.group(1) != kernel.release):
        verdict, reason = 'fail', 'the guest booted %s, not %s' % (
            booted.group(1) if booted else 'no kernel line', kernel.release)
    check = SCENARIOS[args.scenario][1]
    if verdict == 'pass' and check:
        try:
            reason += '; ' + check(kernel, sections)
        except CheckFailed as e:
            verdict, reason = 'fail', str(e)
    if args.console or verdict != 'pass':
        tap.diag('----- guest console (%s, %s) -----' % (kernel.release, own))
        tap.diag(text.rstrip())
        tap.diag('----- end of console -----')
    if verdict is None:
        tap.fail('%s/%s: no verdict on the console%s' % (
            kernel.release, own, ' (timed out)' if timed_out else ''))
    log('%s %s/%s (booted %s, %s): %s' % (verdict.upper(), kernel.release, own,
                                           kernel.spec, kernel.why, reason))
    if verdict == 'skip':
        tap.skip(reason)
    tap.check(verdict == 'pass', '%s/%s: %s' % (kernel.release, own, reason))
    tap.diag('%s/%s (booted %s, %s): %s' % (kernel.release, own, kernel.spec,
                                             kernel.why, reason))


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
    ap.add_argument('--btfhub-make', help='made: btfhub-make executable')
    ap.add_argument('--btfkit-build', help='made: btfkit-build executable')
    ap.add_argument('--relink-obj', help='made: coretrace-notable.o (coretrace without its table)')
    ap.add_argument('--made-from', metavar='SERIES',
                    help='made: take the package of this series instead of the guest\'s '
                         '(a negative control: must fail)')
    ap.add_argument('--bundle', help='bundle: the .btfb built with --coretrace')
    ap.add_argument('--fixture', help='nobtf: the kernel\'s BTF (REL.btf.tar.xz) to compare with')
    ap.add_argument('--buffer', choices=['auto', 'ringbuf', 'perf'],
                    help='coretrace --buffer in the guest\'s traces (default: its own, auto)')
    ap.add_argument('--batch', metavar='ID,...',
                    help='the scenarios (SCENARIO or SCENARIO+BUFFER) that share one boot '
                         'of this kernel, --scenario\'s among them (batch.py)')
    ap.add_argument('--timeout', type=int, default=240,
                    help='hard limit of one boot, s (240; +60 per further scenario of a --batch)')
    ap.add_argument('--console', action='store_true', help='print the console even on success')
    ap.add_argument('--keep', action='store_true', help='keep the work dir (initramfs, console)')
    ap.add_argument('--fetch', nargs='+', metavar='SERIES',
                    help='only resolve the series and fill the kernel cache')
    args = ap.parse_args()
    if args.fetch:
        try:
            for name in args.fetch:
                k = series(name).resolve(pin=args.pin)
                log('series %s: %s (%s): %s, in %s' % (name, k.release, k.spec, k.why, k.dir))
        except tap.Skip as e:
            print('SKIP: %s' % e, flush=True)
            return 77
        return 0
    if not args.scenario:
        ap.error('--scenario is required')
    name = '%s %s%s' % (args.scenario, args.series or 'built kernel',
                        ' --buffer ' + args.buffer if args.buffer else '')

    def one():
        try:
            run(args)
        except HarnessError as e:
            # Not a verdict on btfkit: meson's hard error.
            print('Bail out! vmtest: error: %s' % e, flush=True)
            sys.exit(99)
    tap.main(one, name=name)


if __name__ == '__main__':
    sys.exit(main())
