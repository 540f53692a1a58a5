#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Build the kernel WITHOUT /sys/kernel/btf/vmlinux that tests/vm boots
# (scenario nobtf), once, and print the cache directory holding:
#   bzImage       the kernel
#   vmlinux.btf   its BTF, made by btfhub-make from its vmlinux's DWARF (pahole
#                 --btf_encode_detached, the way BTFHub does)
#   release       its uname -r
#   config        the full .config
#
# Source: Debian's linux-source-6.1 (apt-get download, pinned version);
# config: `make tinyconfig` + config.fragment. The result is cached in
# $BTFKIT_VM_CACHE/nobtf/<source version>-<key>, key = hash of the recipe
# version (RECIPE below), the fragment and the gcc and pahole versions, so it
# is rebuilt only when one of them changes. The first build takes minutes: it runs under
# nice -n 19 with -j$(nproc).
#
# With --fixture, also (re)write the committed BTFHub-shaped archive of its
# BTF, btfhub/debian/12/x86_64/<release>.btf.tar.xz (btfhub-make's
# deterministic archive), from which the build embeds the kernel into
# coretrace_nobtf (tests/vm/meson.build). btfhub-make comes from $BTFHUB_MAKE,
# else ${BTFKIT_BUILD_ROOT:-build}/tools/btfhub-make.
#
# Exit: 0 (directory on stdout), 77 if the source package cannot be had
# (no archive, nothing cached) or a build tool is missing, 1 on a failed build.
set -eu

fixture=
[ "${1:-}" = --fixture ] && fixture=1

SRC_PKG=linux-source-6.1
SRC_VER=${BTFKIT_NOBTF_SRC_VERSION:-6.1.192-2}

here=$(cd "$(dirname "$0")" && pwd)
cache=${BTFKIT_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit/vm}

skip() { echo "SKIP: $*"; exit 77; }
log() { echo "build-kernel: $*" >&2; }

for t in gcc pahole sha256sum; do
	command -v "$t" >/dev/null 2>&1 || skip "'$t' not installed (see ci/packages.txt)"
done
# Bump RECIPE when the build steps below change the kernel or its BTF.
RECIPE=2
key=$( { echo "recipe $RECIPE"; cat "$here/config.fragment"
	gcc --version | head -1; pahole --version; } | sha256sum | cut -c1-16)
out="$cache/nobtf/$SRC_VER-$key"

btfhub_make=${BTFHUB_MAKE:-${BTFKIT_BUILD_ROOT:-$here/../../../build}/tools/btfhub-make}
need_btfhub_make() {
	[ -x "$btfhub_make" ] || skip "$btfhub_make not built (meson compile -C build, or set BTFHUB_MAKE)"
}

write_fixture() {
	need_btfhub_make
	rel=$(cat "$out/release")
	"$btfhub_make" -q -o "$here/btfhub" --force --key "debian/12/x86_64/$rel" "$out/vmlinux.btf" >&2
	rm -f "$here/btfhub/btfhub-index.json"
	rm -rf "$here/btfhub/.btfhub-make"
	log "wrote $here/btfhub/debian/12/x86_64/$rel.btf.tar.xz"
}

if [ -s "$out/bzImage" ] && [ -s "$out/vmlinux.btf" ] && [ -s "$out/release" ]; then
	[ -z "$fixture" ] || write_fixture
	echo "$out"
	exit 0
fi

# Only a build needs the tools (gcc and pahole are part of the key, above).
for t in apt-get dpkg-deb make flex bison bc xz tar; do
	command -v "$t" >/dev/null 2>&1 || skip "'$t' not installed (see ci/packages.txt)"
done
need_btfhub_make
mkdir -p "$cache/nobtf" "$cache/src"
# One build at a time: parallel tests wait for the first.
exec 9>"$cache/nobtf/.lock"
flock 9
if [ -s "$out/bzImage" ] && [ -s "$out/vmlinux.btf" ] && [ -s "$out/release" ]; then
	[ -z "$fixture" ] || write_fixture
	echo "$out"
	exit 0
fi

deb=$(ls "$cache/src/${SRC_PKG}_${SRC_VER}_"*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	log "apt-get download $SRC_PKG=$SRC_VER"
	(cd "$cache/src" && apt-get download -q "$SRC_PKG=$SRC_VER" >&2) ||
		skip "$SRC_PKG=$SRC_VER not cached in $cache/src and apt-get download failed"
	deb=$(ls "$cache/src/${SRC_PKG}_${SRC_VER}_"*.deb | head -1)
fi

work="$cache/nobtf/.build-$SRC_VER-$key"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT INT TERM
log "unpacking $(basename "$deb")"
# The tarball is xz in 55 blocks: -T0 decodes them in parallel (same CPU,
# less wall time on the build's critical path).
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$SRC_PKG.tar.xz" | xz -dc -T0 |
	tar -x -C "$work"
cd "$work/$SRC_PKG"
# Reproducible: what Kbuild would take from the clock, the user and the host
# (uname -v, /proc/version, the built-in initramfs's mtimes) is fixed, so that
# two builds give the same bzImage, as they give the same BTF.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=btfkit KBUILD_BUILD_HOST=btfkit KBUILD_BUILD_VERSION=1

make -s tinyconfig >&2
scripts/kconfig/merge_config.sh -m .config "$here/config.fragment" >&2
make -s olddefconfig >&2
# merge_config only warns about options Kconfig dropped: insist on them.
missing=
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" .config || missing="$missing $line" ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		! grep -q "^$opt=" .config || missing="$missing $opt(off)" ;;
	esac
done <"$here/config.fragment"
[ -z "$missing" ] || { log "config.fragment options not in .config:$missing"; exit 1; }

log "building $(make -s kernelrelease) (nice -n 19, -j$(nproc)); this takes minutes"
nice -n 19 make -s -j"$(nproc)" bzImage >&2

# BTFHub's recipe, by btfhub-make: the vmlinux has DWARF and no .BTF, so
# pahole --btf_encode_detached makes its BTF; the archive's member is the
# raw .btf.
rel=$(make -s kernelrelease)
"$btfhub_make" -q -o "$work/btf" --key "debian/12/x86_64/$rel" vmlinux >&2
xz -dc "$work/btf/debian/12/x86_64/$rel.btf.tar.xz" | tar -xO "$rel.btf" >vmlinux.btf

tmp="$out.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
cp arch/x86/boot/bzImage vmlinux.btf .config "$tmp/"
mv "$tmp/.config" "$tmp/config"
make -s kernelrelease >"$tmp/release"
rm -rf "$out"
mv "$tmp" "$out"
log "cached in $out"
[ -z "$fixture" ] || write_fixture
echo "$out"
