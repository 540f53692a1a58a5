#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# examples/getpid, a third-party-style tool, built against the *installed*
# libbtfbundle twice (its Makefile: pkg-config; its meson.build:
# dependency()), then run on this kernel with the system BTF switched off,
# so its BTF comes from a bundle reduced against its own object.
set -euo pipefail
SRC=${BTFKIT_SOURCE_ROOT:?run from meson test}
BUILD=${BTFKIT_BUILD_ROOT:?run from meson test}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfkit-example.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
. "$SRC/tests/lib/tap.sh"

meson install -C "$BUILD" --destdir "$TMP/dest" --no-rebuild >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log"; fail "meson install"; }
pc=$(find "$TMP/dest" -name libbtfbundle.pc | head -1)
[ -n "$pc" ] || fail "no libbtfbundle.pc installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
export LD_LIBRARY_PATH=$(dirname "$(dirname "$pc")")

cp -r "$SRC/examples/getpid" "$TMP/make"
make -s -C "$TMP/make" >"$TMP/make.log" 2>&1 || { cat "$TMP/make.log"; fail "make (pkg-config)"; }
ok "examples/getpid builds with its Makefile (pkg-config libbtfbundle)"
cp -r "$SRC/examples/getpid" "$TMP/meson-src"
meson setup "$TMP/meson-src/build" "$TMP/meson-src" >"$TMP/meson.log" 2>&1 &&
	meson compile -C "$TMP/meson-src/build" >>"$TMP/meson.log" 2>&1 ||
	{ cat "$TMP/meson.log"; fail "meson (dependency('libbtfbundle'))"; }
ok "examples/getpid builds with its meson.build (dependency('libbtfbundle'))"

if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	skipped "getpid runs through a bundle reduced against its own object" \
		"running it needs root and /sys/kernel/btf/vmlinux to reduce from"
	tap_done
	exit
fi
obj=$TMP/make/getpid.bpf.o
host=$("$BUILD/tracer/coretrace" btf --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"])')
mkdir -p "$TMP/red/$(dirname "$host")"
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
"$bpftool" gen min_core_btf /sys/kernel/btf/vmlinux "$TMP/red/$host.btf" "$obj" ||
	fail "bpftool gen min_core_btf"
"$BUILD/embedgen/embedgen" -q --object "$obj" --bundle-file "$TMP/getpid.btfb" "$TMP/red" ||
	fail "embedgen"
for exe in "$TMP/make/getpid" "$TMP/meson-src/build/getpid"; do
	out=$("$exe" "$obj" "$TMP/getpid.btfb" --no-system 2>&1) || fail "$exe: $out"
	grep -q "^BTF: bundle $TMP/getpid.btfb, entry $host (exact match)" <<<"$out" ||
		fail "$exe did not use the bundle: $out"
	grep -q "^getpid calls: 3," <<<"$out" || fail "$exe: $out"
	ok "$(basename "$(dirname "$exe")")/getpid traced 3 getpid() through the bundle: $(tail -1 <<<"$out")"
done
# Without the bundle and without the system BTF: one clear line, exit 1.
if out=$("$TMP/make/getpid" "$obj" --no-system 2>&1); then fail "ran without any BTF: $out"; fi
grep -q "no usable BTF for $host" <<<"$out" || fail "unclear error: $out"
ok "no BTF at all: $out"
tap_done
