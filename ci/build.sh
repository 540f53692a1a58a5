#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The CI build stage: install dependencies, build, test, and produce the
# portable tracer and the standalone bundle in dist/, with a size report.
#
#   ci/build.sh [MESON_SETUP_OPTIONS...]
#   e.g. ci/build.sh -Dbtf_manifest=$PWD/kernels.json          # kernels from BTFHub
#        ci/build.sh -Dbtf_manifest=kernels.json -Dbtfhub_dir=/srv/btfhub-archive
#
# Environment: BUILD (build dir, default build-ci), DIST (default dist),
# SKIP_TESTS=1 to skip the test suite.
#
# The shipped tracer links the pinned libbpf (subprojects/libbpf.wrap), never
# the build machine's: its tarball is placed in subprojects/packagecache/
# from Debian's identical source package when it can be (offline runners);
# otherwise meson downloads it from the wrap's URL and checks its SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
BUILD=${BUILD:-build-ci}
DIST=${DIST:-dist}
rc=0
bash ci/libbpf-source.sh || rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || exit 1
if [ -f "$BUILD/build.ninja" ]; then
	[ $# -eq 0 ] || meson configure "$BUILD" "$@"
else
	meson setup "$BUILD" --buildtype=release --force-fallback-for=libbpf "$@"
fi
meson compile -C "$BUILD"
[ "${SKIP_TESTS:-0}" = 1 ] || meson test -C "$BUILD" --print-errorlogs --num-processes 2

mkdir -p "$DIST"
# coretrace_static links every library statically (libbpf, libelf, zlib,
# libzstd, liblzma, jansson, glibc): it runs on any x86_64 Linux with BPF.
cp "$BUILD/tracer/coretrace_static" "$DIST/coretrace"
cp "$BUILD/tracer/bundle/coretrace.btfb" "$DIST/coretrace.btfb"
(cd "$DIST" && sha256sum coretrace coretrace.btfb > SHA256SUMS)

kernels=$("$BUILD/embedgen/embedgen" --list "$DIST/coretrace.btfb" --json |
	  python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["kernels"], j["unique_blobs"])')
bundle_bytes=$(stat -c %s "$DIST/coretrace.btfb")
static_bytes=$(stat -c %s "$DIST/coretrace")
dyn_bytes=$(stat -c %s "$BUILD/tracer/coretrace")
libbpf_inside=$("$DIST/coretrace" --version | sed -n 's/.*(\(libbpf [^)]*\)).*/\1/p')
dyn_libs=$(ldd "$BUILD/tracer/coretrace" | awk '{print $1}' | grep -v -e linux-vdso -e ld-linux | tr '\n' ' ')
static_check=$( (ldd "$DIST/coretrace" 2>&1 || true) | head -1 | sed "s/^[[:space:]]*//")
cat <<REPORT

## btfkit build report
| item | value |
|---|---|
| kernels in the bundle (distinct BTFs) | ${kernels% *} (${kernels#* }) |
| bundle bytes (dist/coretrace.btfb, also linked in) | $bundle_bytes |
| portable tracer bytes (dist/coretrace, static) | $static_bytes ($static_check) |
| libbpf inside the portable tracer | ${libbpf_inside:-unknown} (subprojects/libbpf.wrap) |
| dynamic tracer bytes (build/tracer/coretrace) | $dyn_bytes, needs: $dyn_libs |
REPORT
