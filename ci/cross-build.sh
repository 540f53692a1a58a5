#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Cross-build the target side of btfkit (libbtfbundle, coretrace and its
# bundle) for ARCH with the build tools of an already compiled native build.
#
#   ci/cross-build.sh ARCH NATIVE_BUILD CROSS_BUILD [MESON_SETUP_OPTIONS...]
#
# ARCH: arm64 (cross file ci/aarch64-linux-gnu.txt). Leaves
# CROSS_BUILD/tracer/coretrace_static and CROSS_BUILD/tracer/bundle/coretrace.btfb;
# the bundle holds the ARCH kernels reduced against CROSS_BUILD/bpf/coretrace.bpf.o.
# Exit 77 (one line saying why) when the cross toolchain or the ARCH
# libraries are not installed (ci/setup.sh --arch ARCH installs them).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 3 ] || { echo "usage: ci/cross-build.sh ARCH NATIVE_BUILD CROSS_BUILD [MESON_OPTIONS...]" >&2; exit 2; }
arch=$1 native=$2 cross=$3
shift 3
case $arch in
arm64|aarch64) triplet=aarch64-linux-gnu ;;
*) echo "ci/cross-build.sh: unsupported arch '$arch' (arm64)" >&2; exit 2 ;;
esac
for t in embedgen/embedgen btfgen/btfgen tools/btfhub-fetch; do
	[ -x "$native/$t" ] || { echo "ci/cross-build.sh: $native/$t missing: compile the native build first" >&2; exit 1; }
done
command -v "$triplet-gcc" >/dev/null ||
	{ echo "ci/cross-build.sh: $triplet-gcc not installed (bash ci/setup.sh --arch $arch)"; exit 77; }
PKG_CONFIG_LIBDIR=/usr/lib/$triplet/pkgconfig pkg-config --exists libbpf libelf zlib liblzma libzstd jansson ||
	{ echo "ci/cross-build.sh: the :$arch libraries are not installed (bash ci/setup.sh --arch $arch)"; exit 77; }
native=$(cd "$native" && pwd)
# meson configure rewrites its state even for unchanged values, which makes
# the next compile reconfigure: only when the options differ from last time.
opts=$cross/.btfkit-cross-options
if [ -f "$cross/build.ninja" ]; then
	[ "$*" = "$(cat "$opts" 2>/dev/null)" ] || meson configure "$cross" "$@"
else
	meson setup "$cross" "$src" --cross-file "$src/ci/$triplet.txt" \
		-Dnative_tools="$native" -Dtests=false "$@"
fi
printf '%s' "$*" >"$opts.tmp" && mv "$opts.tmp" "$opts"
meson compile -C "$cross"
