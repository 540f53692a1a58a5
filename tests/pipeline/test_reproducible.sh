#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Two builds from the same inputs, in different directories and at different
# times (SOURCE_DATE_EPOCH), give byte-identical generated sources, bundle,
# BPF object and tracer binaries. The first is the build these tests run in
# (from $SRC, already made: a second clean build of it would cost its whole
# compile again); the second is a clean build of a copy of the tree elsewhere,
# configured with the first's options.
. "$(dirname "$0")/lib.sh"

targets=(tracer/coretrace tracer/coretrace_static)
outputs=(tracer/bundle/btf_bundle_data.c tracer/bundle/btf_bundle_data.h
	 tracer/bundle/coretrace.btfb bpf/coretrace.bpf.o bpf/coretrace.skel.h
	 tracer/coretrace tracer/coretrace_static)

# The options the first build was configured with (meson setup -D...).
mapfile -t opts < <(python3 -c '
import configparser, sys
c = configparser.ConfigParser(interpolation=None)
c.read(sys.argv[1])
for k, v in c["options"].items() if c.has_section("options") else ():
    print("-D%s=%s" % (k, v))' "$BUILD/meson-private/cmd_line.txt")
a=$BUILD
ninja -C "$a" -n "${targets[@]}" | grep -q 'no work to do' ||
	fail "$a is not up to date for ${targets[*]}: build it before this test"
b=$TMP/b/out
copy_source "$TMP/b/somewhere/else/src"
SOURCE_DATE_EPOCH=1700000000 meson setup "$b" "$TMP/b/somewhere/else/src" "${opts[@]}" >"$b.log" 2>&1 ||
	{ cat "$b.log"; fail "meson setup $b ${opts[*]}"; }
SOURCE_DATE_EPOCH=1700000000 ninja -C "$b" "${targets[@]}" >>"$b.log" 2>&1 ||
	{ tail -30 "$b.log"; fail "build $b"; }

n=0
for f in "${outputs[@]}"; do
	[ -s "$a/$f" ] || fail "$f was not built"
	cmp "$a/$f" "$b/$f" || fail "$f differs between $a and $b"
	n=$((n + 1))
done
kernels=$("$a/embedgen/embedgen" --list "$a/tracer/bundle/coretrace.btfb" --json |
	  python3 -c 'import json,sys; print(json.load(sys.stdin)["kernels"])')
[ "$kernels" -gt 0 ] || fail "the default bundle is empty"
ok "$n outputs byte-identical across two builds (bundle of $kernels kernels)"
tap_done
