#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/examples/pipeline: a separate meson project with btfkit as a
# subproject runs btfgen and embedgen as its own custom targets (found by
# find_program() and the documented btfkit_* variables) on the fixture
# tree, and gets a bundle for its object. TAP output.
set -euo pipefail
SRC=${BTFKIT_SOURCE_ROOT:?run from meson test}
BUILD=${BTFKIT_BUILD_ROOT:?run from meson test}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfkit-pipeline-sub.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
n=0
fail() { echo "not ok $((n + 1)) - $*"; echo "1..$((n + 1))"; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }

cp -r "$SRC/tests/examples/pipeline" "$TMP/p"
mkdir "$TMP/p/subprojects"
ln -s "$SRC" "$TMP/p/subprojects/btfkit"
obj=$BUILD/bpf/coretrace.bpf.o
meson setup "$TMP/p/build" "$TMP/p" -Dtree="$SRC/tests/data/btfhub" -Dobject="$obj" \
	>"$TMP/setup.log" 2>&1 || { tail -30 "$TMP/setup.log"; fail "meson setup with btfkit as subproject"; }
ok "a project with btfkit as subproject configures; find_program('btfgen'/'embedgen') and btfkit_* resolve"
meson compile -C "$TMP/p/build" tool-bundle build-version >"$TMP/compile.log" 2>&1 ||
	{ tail -30 "$TMP/compile.log"; fail "the pipeline as custom targets"; }
python3 - "$TMP/p/build/btfgen.json" <<'PY' || fail "btfgen's summary: $(cat "$TMP/p/build/btfgen.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["failed"] == 0 and j["kernels"] >= 1 and j["reduced"] + j["cached"] == j["kernels"], j
PY
list=$("$BUILD/embedgen/embedgen" --list "$TMP/p/build/tool.btfb" --json)
python3 -c 'import json,sys; j=json.loads(sys.argv[1]); assert j["entries"] and j["objects"], j' "$list" ||
	fail "the consumer's bundle: $list"
grep -q "^btfkit-build " "$TMP/p/build/btfkit-build.version" || fail "btfkit-build --version"
ok "btfgen and embedgen ran as the consumer's custom targets: $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["kernels"])' "$list") kernels in its bundle"
echo "1..$n"
