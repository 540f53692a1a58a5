#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Two clean builds from the same inputs, in different directories and at
# different times (SOURCE_DATE_EPOCH), give byte-identical generated sources,
# bundle, BPF object and tracer binaries.
. "$(dirname "$0")/lib.sh"

targets=(tracer/coretrace tracer/coretrace_static)
outputs=(tracer/bundle/btf_bundle_data.c tracer/bundle/btf_bundle_data.h
	 tracer/bundle/coretrace.btfb bpf/coretrace.bpf.o bpf/coretrace.skel.h
	 tracer/coretrace tracer/coretrace_static)

build_one() {	# build_one SRC BUILD EPOCH
	SOURCE_DATE_EPOCH=$3 meson setup "$2" "$1" >"$2.log" 2>&1 || { cat "$2.log"; fail "meson setup $2"; }
	SOURCE_DATE_EPOCH=$3 ninja -C "$2" "${targets[@]}" >>"$2.log" 2>&1 || { tail -30 "$2.log"; fail "build $2"; }
}

copy_source "$TMP/a/src"
copy_source "$TMP/b/somewhere/else/src"
build_one "$TMP/a/src" "$TMP/a/build" 1
build_one "$TMP/b/somewhere/else/src" "$TMP/b/out" 1700000000

n=0
for f in "${outputs[@]}"; do
	[ -s "$TMP/a/build/$f" ] || fail "$f was not built"
	cmp "$TMP/a/build/$f" "$TMP/b/out/$f" || fail "$f differs between the two builds"
	n=$((n + 1))
done
kernels=$("$TMP/a/build/embedgen/embedgen" --list "$TMP/a/build/tracer/bundle/coretrace.btfb" --json |
	  python3 -c 'import json,sys; print(json.load(sys.stdin)["kernels"])')
[ "$kernels" -gt 0 ] || fail "the default bundle is empty"
ok "$n outputs byte-identical across two builds (bundle of $kernels kernels)"
tap_done
