#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The CI build stage: install dependencies, build, test, and produce the
# portable tracer and the standalone bundle in dist/ARCH/, with a size report.
#
#   ci/build.sh [--arch x86_64|arm64] [MESON_SETUP_OPTIONS...]
#   e.g. ci/build.sh -Dbtf_manifest=$PWD/kernels.json          # kernels from BTFHub
#        ci/build.sh -Dbtf_manifest=kernels.json -Dbtfhub_dir=/srv/btfhub-archive
#        ci/build.sh --arch arm64 -Dbtf_manifest=$PWD/kernels.json
#
# The native build (BUILD) always comes first: it is tested, and its tools
# (btfhub-fetch, btfgen, embedgen) make every arch's bundle. --arch arm64
# then cross-builds the tracer in BUILD-arm64 (ci/cross-build.sh): the
# manifest's arm64/aarch64 kernels reduced against the arm64 BPF object.
# dist/ARCH/ gets coretrace (fully static), coretrace.btfb and SHA256SUMS.
#
# Environment: BUILD (native build dir, default build-ci), DIST (default
# dist), SKIP_TESTS=1 to skip the test suite.
#
# The shipped tracers link the pinned libbpf (subprojects/libbpf.wrap), never
# the build machine's: its tarball is placed in subprojects/packagecache/
# from Debian's identical source package when it can be (offline runners);
# otherwise meson downloads it from the wrap's URL and checks its SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."
native_arch=$(uname -m)
[ "$native_arch" != aarch64 ] || native_arch=arm64
arch=$native_arch
case ${1:-} in
--arch) arch=${2:-}; shift 2 || { echo "ci/build.sh: --arch needs a value" >&2; exit 2; } ;;
--arch=*) arch=${1#--arch=}; shift ;;
esac
[ "$arch" != aarch64 ] || arch=arm64
case $arch in
x86_64|arm64) ;;
*) echo "ci/build.sh: unsupported arch '$arch' (x86_64, arm64)" >&2; exit 2 ;;
esac
bash ci/setup.sh --arch "$arch"
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

out=$BUILD
if [ "$arch" != "$native_arch" ]; then
	out=$BUILD-$arch
	t0=$(date +%s.%N)
	bash ci/cross-build.sh "$arch" "$BUILD" "$out" --buildtype=release --force-fallback-for=libbpf "$@"
	cross_s=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)")
fi

dist=$DIST/$arch
mkdir -p "$dist"
# coretrace_static links every library statically (libbpf, libelf, zlib,
# libzstd, liblzma, jansson, glibc): it runs on any Linux of its arch with BPF.
cp "$out/tracer/coretrace_static" "$dist/.coretrace.tmp"
mv "$dist/.coretrace.tmp" "$dist/coretrace"
cp "$out/tracer/bundle/coretrace.btfb" "$dist/.coretrace.btfb.tmp"
mv "$dist/.coretrace.btfb.tmp" "$dist/coretrace.btfb"
(cd "$dist" && sha256sum coretrace coretrace.btfb > .SHA256SUMS.tmp && mv .SHA256SUMS.tmp SHA256SUMS)

kernels=$("$BUILD/embedgen/embedgen" --list "$dist/coretrace.btfb" --json |
	  python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["kernels"], j["unique_blobs"])')
bundle_bytes=$(stat -c %s "$dist/coretrace.btfb")
static_bytes=$(stat -c %s "$dist/coretrace")
dyn_bytes=$(stat -c %s "$out/tracer/coretrace")
machine=$(readelf -h "$dist/coretrace" | sed -n 's/^ *Machine: *//p')
if readelf -lW "$dist/coretrace" | grep -q INTERP; then linking="NOT static"; else linking=static; fi
if [ "$arch" = "$native_arch" ]; then
	dyn_libs=$(ldd "$out/tracer/coretrace" | awk '{print $1}' | grep -v -e linux-vdso -e ld-linux | tr '\n' ' ')
else
	dyn_libs=$(objdump -p "$out/tracer/coretrace" | awk '/NEEDED/ {print $2}' | tr '\n' ' ')
fi
if [ "$arch" = "$native_arch" ]; then
	libbpf_inside=$("$dist/coretrace" --version | sed -n 's/.*(\(libbpf [^)]*\)).*/\1/p')
else
	# A cross-built tracer cannot run here: the build's own record.
	libbpf_inside=$(meson introspect "$out" --projectinfo | python3 -c 'import json,sys
print(*["libbpf " + p["version"] for p in json.load(sys.stdin).get("subprojects", []) if p["name"] == "libbpf"][:1])')
fi
cat <<REPORT

## btfkit build report ($arch)
| item | value |
|---|---|
| kernels in the bundle (distinct BTFs) | ${kernels% *} (${kernels#* }) |
| bundle bytes ($dist/coretrace.btfb, also linked in) | $bundle_bytes |
| portable tracer bytes ($dist/coretrace) | $static_bytes ($machine, $linking) |
| libbpf inside the portable tracer | ${libbpf_inside:-unknown} (subprojects/libbpf.wrap) |
| dynamic tracer bytes ($out/tracer/coretrace) | $dyn_bytes, needs: $dyn_libs |
REPORT
[ -z "${cross_s:-}" ] || echo "| cross build ($out, tracer + bundle) | ${cross_s} s |"
