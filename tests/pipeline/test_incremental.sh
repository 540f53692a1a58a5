#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The build pipeline is incremental: with a manifest (the lockfile) and a
# local BTFHub tree as source, adding one kernel (btfhub-fetch --add) makes
# the next build reduce exactly that kernel; a changed BPF program redoes
# every reduction; an unchanged tree rebuilds nothing.
. "$(dirname "$0")/lib.sh"

src=$TMP/src
copy_source "$src"
hub=$TMP/btfhub			# a packager's local clone of btfhub-archive
mkdir -p "$hub/debian/12"
cp -r "$SRC/tests/data/btfhub/debian/12/x86_64" "$hub/debian/12/"	# this build's arch
find "$hub" -name '*.txt' -delete
# A fourth kernel in the source tree that the manifest does not list yet.
extra=$(find "$hub" -name '*.btf.tar.xz' | sort | head -1)
rel=$(basename "$extra" .btf.tar.xz)
mkdir -p "$hub/debian/12/x86_64"
tar -xJf "$extra" -C "$TMP"
newrel="$rel-extra"
mv "$TMP/$rel.btf" "$TMP/$newrel.btf"
tar -C "$TMP" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cJf "$hub/debian/12/x86_64/$newrel.btf.tar.xz" "$newrel.btf"

manifest=$TMP/kernels.json
fetch=$BUILD/tools/btfhub-fetch
for f in $(cd "$hub" && find . -name '*.btf.tar.xz' ! -name "$newrel.*" | sort); do
	f=${f#./}
	"$fetch" -q -m "$manifest" --add "${f%.btf.tar.xz}"
done
[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["kernels"]))' "$manifest")" -eq 3 ] ||
	fail "manifest does not list 3 kernels"

b=$TMP/build
meson setup "$b" "$src" -Dbtf_manifest="$manifest" -Dbtfhub_dir="$hub" -Dtests=false >"$TMP/setup.log" 2>&1 ||
	{ cat "$TMP/setup.log"; fail "meson setup"; }
build() { ninja -C "$b" tracer/coretrace >"$TMP/ninja.log" 2>&1 || { tail -30 "$TMP/ninja.log"; fail "build: $1"; }; }
reduced() { json_get "$b/tracer/bundle/btfgen.json" "$1"; }
kernels() { "$b/embedgen/embedgen" --list "$b/tracer/bundle/coretrace.btfb" --json |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["kernels"])'; }

build "first build"
[ "$(reduced reduced)" -eq 3 ] || fail "first build reduced $(reduced reduced) kernels, expected 3"
[ "$(kernels)" -eq 3 ] || fail "bundle has $(kernels) kernels, expected 3"

ninja -C "$b" -n tracer/coretrace | grep -q 'no work to do' ||
	{ ninja -C "$b" -n -d explain tracer/coretrace | head; fail "an unchanged tree rebuilds"; }

"$fetch" -q -m "$manifest" --add "debian/12/x86_64/$newrel"
build "after adding a kernel"
[ "$(reduced reduced)" -eq 1 ] && [ "$(reduced cached)" -eq 3 ] ||
	fail "adding one kernel: reduced $(reduced reduced), cached $(reduced cached); expected 1 and 3"
[ "$(kernels)" -eq 4 ] || fail "bundle has $(kernels) kernels, expected 4"
"$b/embedgen/embedgen" --list "$b/tracer/bundle/coretrace.btfb" | grep -q -- "$newrel" ||
	fail "the new kernel is not in the bundle"

# A change to the program changes the object (here: its BTF line info), so
# every reduction is stale.
sed -i '1a /* changed: every line below moves down */' "$src/bpf/coretrace.bpf.c"
build "after changing the BPF program"
[ "$(reduced reduced)" -eq 4 ] || fail "changed BPF object: reduced $(reduced reduced), expected 4"
"$b/tracer/coretrace" btf --json >/dev/null || fail "coretrace btf failed on the rebuilt tracer"
ok "+1 kernel reduced 1 (3 cached); changed object reduced 4; no-change rebuild does nothing"
tap_done
