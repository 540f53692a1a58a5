#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# examples/opensnoop, adopted the way bcc's opensnoop would be: a skeleton
# tool whose newer helper (bpf_get_current_task_btf, 5.11) sits behind a
# `const volatile` flag, using the one-call API. Built through pkg-config
# against the installed library, and as its own tiny meson project with
# btfkit as a subproject (library only); reduced with btfgen over several
# objects at once (getpid's and its own) into one bundle whose floor is
# what they always need; then run on this kernel through that bundle, with
# the system BTF switched off, the flag off and on. TAP output.
set -euo pipefail
SRC=${BTFKIT_SOURCE_ROOT:?run from meson test}
BUILD=${BTFKIT_BUILD_ROOT:?run from meson test}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfkit-opensnoop.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fail() { echo "not ok $((n + 1)) - $*"; echo "1..$((n + 1))"; exit 1; }
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }

meson install -C "$BUILD" --destdir "$TMP/dest" --no-rebuild >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log"; fail "meson install"; }
pc=$(find "$TMP/dest" -name libbtfbundle.pc | head -1)
[ -n "$pc" ] || fail "no libbtfbundle.pc installed"
libdir=$(dirname "$(dirname "$pc")")

# 1. pkg-config against the installed library (a non-system prefix: PKG_CONFIG_PATH, rpath).
for ex in opensnoop getpid; do
	cp -r "$SRC/examples/$ex" "$TMP/$ex"
	PKG_CONFIG_PATH=$(dirname "$pc") LDFLAGS="-Wl,-rpath,$libdir" \
		make -s -C "$TMP/$ex" CC="cc -Wl,-rpath,$libdir" >"$TMP/make-$ex.log" 2>&1 ||
		{ cat "$TMP/make-$ex.log"; fail "make examples/$ex (pkg-config)"; }
done
ok "examples/opensnoop and examples/getpid build with their Makefiles (pkg-config libbtfbundle)"
# Statically, with what Requires.private lists (docs/library.md's command line).
static_libs=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --static --libs libbtfbundle)
cflags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags libbtfbundle libbpf)
cc -O2 $cflags -I"$TMP/opensnoop" "$TMP/opensnoop/opensnoop.c" -o "$TMP/opensnoop/opensnoop-static" \
	-Wl,-Bstatic $static_libs -Wl,-Bdynamic >"$TMP/static.log" 2>&1 ||
	{ cat "$TMP/static.log"; fail "static link with pkg-config --static --libs libbtfbundle"; }
! ldd "$TMP/opensnoop/opensnoop-static" | grep -Eq "libbtfbundle|libbpf|libelf|liblzma|libz\." ||
	fail "the static opensnoop still loads: $(ldd "$TMP/opensnoop/opensnoop-static")"
ok "opensnoop links statically from pkg-config --static --libs libbtfbundle ($static_libs)"

# 2. Its own meson project, btfkit as a subproject: the override, the library alone.
cp -r "$SRC/examples/opensnoop" "$TMP/sub"
rm -f "$TMP/sub/opensnoop.skel.h" "$TMP/sub/opensnoop.bpf.o" "$TMP/sub/opensnoop"
mkdir -p "$TMP/sub/subprojects"
ln -s "$SRC" "$TMP/sub/subprojects/btfkit"
env -u PKG_CONFIG_PATH meson setup --force-fallback-for=libbtfbundle "$TMP/sub/build" "$TMP/sub" \
	>"$TMP/sub.log" 2>&1 && meson compile -C "$TMP/sub/build" >>"$TMP/sub.log" 2>&1 ||
	{ tail -40 "$TMP/sub.log"; fail "examples/opensnoop as a meson project with btfkit as subproject"; }
grep -q "library_only" "$TMP/sub.log" || fail "the subproject did not build the library alone"
[ -e "$TMP/sub/build/subprojects/btfkit/libbtfbundle/libbtfbundle.so" ] ||
	fail "opensnoop did not link the subproject's libbtfbundle"
[ ! -e "$TMP/sub/build/subprojects/btfkit/btfgen" ] || fail "library_only built the tools"
ok "examples/opensnoop builds as a meson project with dependency('libbtfbundle', fallback: 'btfkit') (library only)"

if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "1..$n # SKIP running it needs root (BPF) and /sys/kernel/btf/vmlinux to reduce from"
	exit 0
fi
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true

# 3. One reduction over every object, one bundle for both tools.
host=$("$BUILD/tracer/coretrace" btf --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["host"])')
mkdir -p "$TMP/in/$(dirname "$host")"
cp /sys/kernel/btf/vmlinux "$TMP/in/$host.btf"
# The subproject build compiled its own opensnoop.bpf.o (another source path in
# .BTF's line info, so another CO-RE digest): the bundle is reduced for all three.
objs=("$TMP/opensnoop/opensnoop.bpf.o" "$TMP/getpid/getpid.bpf.o" "$TMP/sub/build/opensnoop.bpf.o")
"$BUILD/btfgen/btfgen" -q --json -o "$TMP/red" "$TMP/in" "${objs[@]}" >"$TMP/btfgen.json" 2>"$TMP/btfgen.err" ||
	{ cat "$TMP/btfgen.err"; fail "btfgen over the three objects"; }
python3 - "$TMP/btfgen.json" <<'PY' || fail "btfgen's floor for the objects: $(cat "$TMP/btfgen.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["floor"] == "5.2" and j["below_floor"] == 0 and j["reduced"] == 1, j
assert "bpf_get_current_task_btf" in j["floor_conditional"] and "'full_path'" in j["floor_conditional"], j
PY
ok "btfgen over the three objects: floor 5.2 (what they always need), 5.11 only if full_path"
"$BUILD/embedgen/embedgen" -q --object "${objs[0]}" --object "${objs[1]}" --object "${objs[2]}" \
	--bundle-file "$TMP/tools.btfb" "$TMP/red" || fail "embedgen"

# 4. Both tools through the bundle, no system BTF; opensnoop with its flag off and on.
for exe in "$TMP/opensnoop/opensnoop" "$TMP/opensnoop/opensnoop-static" "$TMP/sub/build/opensnoop"; do
	for flag in "" --full-path; do
		out=$("$exe" --no-system --bundle "$TMP/tools.btfb" $flag 2>&1) || fail "$exe $flag: $out"
		grep -q "^BTF: bundle $TMP/tools.btfb, entry $host (exact match)" <<<"$out" ||
			fail "$exe did not use the bundle: $out"
		ok "$exe ${flag:-(flag off)}: $(tail -1 <<<"$out")"
	done
done
out=$("$TMP/getpid/getpid" "${objs[1]}" "$TMP/tools.btfb" --no-system 2>&1) ||
	fail "getpid through the shared bundle: $out"
ok "getpid through the same bundle: $(tail -1 <<<"$out")"
# No BTF at all: one line, naming the tool's own flag, not coretrace's.
if out=$("$TMP/opensnoop/opensnoop" --no-system 2>&1); then fail "ran without any BTF: $out"; fi
[ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "no usable BTF for $host" <<<"$out" &&
	grep -q "pass --btf FILE" <<<"$out" && ! grep -q "BTFKIT_BTF_FILE" <<<"$out" ||
	fail "unclear error: $out"
ok "no BTF at all: one line naming opensnoop's --btf"
echo "1..$n"
