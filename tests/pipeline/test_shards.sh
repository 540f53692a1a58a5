#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# A CI matrix splits btfgen with --shard I/N and embedgen merges the shards:
# the merged bundle must equal the one built without sharding, byte for byte.
. "$(dirname "$0")/lib.sh"

OBJ=$BUILD/bpf/coretrace.bpf.o
[ -s "$OBJ" ] || fail "$OBJ missing"
in=$TMP/in
mkdir -p "$in"
cp -r "$SRC/tests/data/btfhub/." "$in/"
find "$in" -name '*.txt' -delete
if [ -r /sys/kernel/btf/vmlinux ]; then
	mkdir -p "$in/debian/12/x86_64"
	cp /sys/kernel/btf/vmlinux "$in/debian/12/x86_64/$(uname -r).btf"
fi
total=$(find "$in" -name '*.btf*' | wc -l)

"$BUILD/btfgen/btfgen" -q --json -o "$TMP/all" "$in" "$OBJ" >"$TMP/all.json"
for i in 0 1; do
	"$BUILD/btfgen/btfgen" -q --json --shard "$i/2" -o "$TMP/shard$i" "$in" "$OBJ" >"$TMP/shard$i.json"
done
s0=$(json_get "$TMP/shard0.json" reduced)
s1=$(json_get "$TMP/shard1.json" reduced)
[ $((s0 + s1)) -eq "$total" ] || fail "shards reduced $s0 + $s1 kernels, expected $total"
# The committed fixtures alone fall on both sides of the split (a fixed
# hash of fixed names), so an empty shard is a broken split, not bad luck.
[ "$s0" -gt 0 ] && [ "$s1" -gt 0 ] || fail "one shard is empty ($s0/$s1) with $total kernels"

"$BUILD/embedgen/embedgen" -q --object "$OBJ" --bundle-file "$TMP/all.btfb" "$TMP/all"
"$BUILD/embedgen/embedgen" -q --object "$OBJ" --bundle-file "$TMP/merged.btfb" "$TMP/shard0" "$TMP/shard1"
cmp "$TMP/all.btfb" "$TMP/merged.btfb" || fail "merged shards differ from the unsharded bundle"
n=$("$BUILD/embedgen/embedgen" --list "$TMP/merged.btfb" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["kernels"])')
[ "$n" -eq "$total" ] || fail "merged bundle has $n kernels, expected $total"
ok "$total kernels in 2 shards ($s0 + $s1) merge into the same bundle as one run"
tap_done
