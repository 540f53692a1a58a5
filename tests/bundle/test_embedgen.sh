#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# embedgen end to end on real BTF: BTFHub kylin/V10/aarch64 members from
# ../shared/btfhub-sample (without it, the repository's own Debian 12 arm64
# fixtures from tests/data stand in, and the kylin cases are skipped) and
# this machine's /sys/kernel/btf/vmlinux, and,
# where clang and bpftool can, the same reduced with bpftool gen min_core_btf
# against a small CO-RE object and found again with the reader.
#
# usage: test_embedgen.sh EMBEDGEN BUNDLE_FIND LIBBTFBUNDLE.a PROBE.bpf.o PROBE_V2.bpf.o
# Exit 0 = pass, 1 = fail. Never skips as a whole: tests/data is always there.
set -u
# meson passes build-relative paths; the test runs in a temp dir
EMBEDGEN=$(realpath "$1") FIND=$(realpath "$2") LIBBTFBUNDLE=$(realpath "$3") PROBE_OBJ=$(realpath "$4") \
	OTHER_OBJ=$(realpath "$5") || exit 99
SRC=${BTFKIT_SOURCE_ROOT:?}
SHARED=${BTFKIT_SHARED_DIR:-$SRC/../shared}
KYLIN=$SHARED/btfhub-sample/kylin/V10/aarch64
CC=${CC:-cc}

work=$(mktemp -d /tmp/test_embedgen.XXXXXX) || exit 99
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 99

n=0 failed=0
ok() {	# ok DESCRIPTION COMMAND...: run, report as TAP-like line
	local what=$1
	shift
	n=$((n + 1))
	if "$@" >"$work/last.out" 2>&1; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		sed 's/^/#   /' "$work/last.out" | tail -n 20
		failed=$((failed + 1))
	fi
}
# fails DESCRIPTION PATTERN OUTDIR COMMAND...: must exit non-zero, say PATTERN
# on stderr and leave OUTDIR empty (no output, no temp file)
fails() {
	local what=$1 pattern=$2 outdir=$3 rc
	shift 3
	n=$((n + 1))
	"$@" >"$work/last.out" 2>"$work/last.err"
	rc=$?
	if [ $rc -ne 0 ] && grep -qF -- "$pattern" "$work/last.err" && [ -z "$(ls -A "$outdir")" ]; then
		echo "ok $n - $what (exit $rc: $(head -n 1 "$work/last.err"))"
	else
		echo "not ok $n - $what: exit $rc, expected '$pattern' on stderr, output dir: $(ls -A "$outdir" | tr '\n' ' ')"
		sed 's/^/#   /' "$work/last.err" | tail -n 10
		failed=$((failed + 1))
	fi
}

# --- trees of real BTF ------------------------------------------------------
# tree1: two real kernels under BTFHub's "aarch64" directory name: kylin
# V10 (4.19, BTFHub's own archives) from ../shared, or else the Debian 12
# arm64 fixtures (tests/data/make-fixtures.sh); $T1 is their distro/version.
# tree2: this kernel as debian/12/x86_64 (a shard built elsewhere).
T1=kylin/V10 T1SRC=$KYLIN rels=(4.19.90-52.22.v2207.ky10.aarch64 4.19.90-25.41.v2101.ky10.aarch64)
if [ ! -r "$KYLIN/${rels[0]}.btf.tar.xz" ]; then
	echo "# $KYLIN: not readable: the kylin (4.19) cases are skipped, tree1 is the Debian 12 arm64 fixtures"
	T1=debian/12 T1SRC=$SRC/tests/data/btfhub/debian/12/aarch64
	rels=(6.1.0-56-arm64 6.12.117+deb12-arm64)
fi
export T1
mkdir -p "tree1/$T1/aarch64" tree2/debian/12/x86_64
members=()
for rel in "${rels[@]}"; do
	if [ -r "$T1SRC/$rel.btf.tar.xz" ] &&
	   tar -xJf "$T1SRC/$rel.btf.tar.xz" -C "tree1/$T1/aarch64" "$rel.btf"; then
		members+=("$rel")
	fi
done
host_rel=$(uname -r)
have_vmlinux=0
if [ -r /sys/kernel/btf/vmlinux ] && cp /sys/kernel/btf/vmlinux "tree2/debian/12/x86_64/$host_rel.btf"; then
	have_vmlinux=1
fi
kernels=$(( ${#members[@]} + have_vmlinux ))
if [ ${#members[@]} -ne 2 ]; then
	echo "not ok 1 - tree1: ${#members[@]} of ${rels[*]} extracted from $T1SRC"
	exit 1
fi
echo "# real BTF: ${#members[@]} $T1 members (from $T1SRC), vmlinux: $have_vmlinux"
trees=()
[ ${#members[@]} -gt 0 ] && trees+=(tree1)
[ $have_vmlinux -eq 1 ] && trees+=(tree2)
rtrees=()
for ((i = ${#trees[@]} - 1; i >= 0; i--)); do rtrees+=("${trees[i]}"); done

# --- the main bundle: trees merged, C + header + standalone file -------------
# xz -9e of ~12 MB of full BTF dominates this test, so the second run (trees
# in the other order, for the determinism check) runs at the same time.
mkdir -p run1 run2
start=$SECONDS
"$EMBEDGEN" -q -o run2/x.c --header run2/x.h --bundle-file run2/x.btfb \
	"${rtrees[@]}" >run2.out 2>&1 &
run2_pid=$!
ok "embedgen merges ${#trees[@]} trees ($kernels kernels)" "$EMBEDGEN" -q --json \
	-o run1/x.c --header run1/x.h --bundle-file run1/x.btfb "${trees[@]}"
cp "$work/last.out" summary.json
wait $run2_pid
rc2=$?
ok "second run, trees in reverse order" bash -c 'cat run2.out; exit $1' _ $rc2
echo "# two embedgen runs took $((SECONDS - start)) s: $(cat summary.json)"
ok "--json summary counts $kernels kernels" python3 -c '
import json, sys
s = json.load(open("summary.json"))
assert s["kernels"] == int(sys.argv[1]) and s["unique_blobs"] == int(sys.argv[1]), s
assert s["codec"] == "xz" and 0 < s["bundle_bytes"] < s["raw_bytes"], s
' "$kernels"

"$EMBEDGEN" --list run1/x.btfb --json >list.json 2>list.err
ok "--list --json lists every kernel, aarch64 normalised to arm64" python3 -c '
import json, sys
j = json.load(open("list.json"))
want = {("arm64", *sys.argv[5].split("/"), r) for r in sys.argv[2].split()}
if sys.argv[3] == "1":
    want.add(("x86_64", "debian", "12", sys.argv[4]))
got = {(e["arch"], e["distro"], e["version"], e["release"]) for e in j["entries"]}
assert got == want, (got, want)
assert j["kernels"] == len(want) and j["codec"] == "xz" and j["format_version"] == 5, j
assert j["size"] == int(sys.argv[1]), j
assert all(e["raw_size"] > 0 and 0 <= e["block"] < j["blocks"] for e in j["entries"]), j
' "$(stat -c %s run1/x.btfb)" "${members[*]}" "$have_vmlinux" "$host_rel" "$T1"
ok "--list (text) prints the header" grep -q . <("$EMBEDGEN" --list run1/x.btfb)

ok "generated C compiles with -Wall -Wextra -Werror" \
	"$CC" -c -Wall -Wextra -Werror run1/x.c -o run1/x.o
ok "generated header compiles on its own" \
	"$CC" -fsyntax-only -Wall -Wextra -Werror -include run1/x.h -x c /dev/null
ok "linked table equals the .btfb and opens" bash -c '
	"$1" -Wall -Wextra -Werror -I"$2/libbtfbundle" -I"$BTFKIT_BUILD_ROOT/libbtfbundle" -I"$2/tools/lib" -I"$PWD/run1" \
		-DBUNDLE_HEADER="\"x.h\"" -DBUNDLE_SYM=btfkit_bundle \
		"$2/tests/bundle/check_linked.c" run1/x.c -o check_x "$3" \
		$(pkg-config --libs libbpf liblzma zlib) && ./check_x run1/x.btfb' _ "$CC" "$SRC" "$LIBBTFBUNDLE"

# Determinism: the same inputs, trees in the other order, another run.
for f in x.c x.h x.btfb; do
	ok "deterministic: $f byte-identical across runs" cmp run1/$f run2/$f
done

for m in "${members[@]}"; do
	ok "reader finds $T1/aarch64/$m" \
		"$FIND" run1/x.btfb --host "$T1/aarch64/$m" --dump found.btf
	ok "  ... byte-identical to the archive member" cmp found.btf "tree1/$T1/aarch64/$m.btf"
done
if [ $have_vmlinux -eq 1 ]; then
	ok "reader finds debian/bookworm/x86_64/$host_rel through the alias" bash -c \
		'"$1" run1/x.btfb --host "debian/bookworm/x86_64/$2" --dump found.btf | grep -q "^alias " &&
		 cmp found.btf /sys/kernel/btf/vmlinux' _ "$FIND" "$host_rel"
fi

# --- smaller bundles: one solid block + incbin, overlapping shards ----------
small=tree1
[ ${#members[@]} -eq 0 ] && small=tree2
mkdir -p inc
ok "--format incbin --name my_btfs --block-size 16M (one solid block)" "$EMBEDGEN" -q --json \
	--format incbin --name my_btfs --block-size $((16 << 20)) -o inc/inc.c --header inc/inc.h \
	--bundle-file "$work/inc/inc.btfb" $small
cp last.out inc.json
echo "# $(cat inc.json)"
if [ ${#members[@]} -ge 2 ]; then
	ok "both $T1 kernels share one block" python3 -c '
import json; s = json.load(open("inc.json")); assert s["blocks"] == 1 and s["unique_blobs"] == 2, s'
	for m in "${members[@]}"; do
		ok "solid block: reader finds $T1/arm64/$m byte-identical" bash -c \
			'"$1" inc/inc.btfb --host "$T1/arm64/$2" --dump found.btf &&
			 cmp found.btf "tree1/$T1/aarch64/$2.btf"' _ "$FIND" "$m"
	done
fi
ok "incbin source compiles with -Wall -Wextra -Werror" \
	"$CC" -c -Wall -Wextra -Werror inc/inc.c -o inc/inc.o
ok "incbin table equals the .btfb and opens" bash -c '
	"$1" -Wall -Wextra -Werror -I"$2/libbtfbundle" -I"$BTFKIT_BUILD_ROOT/libbtfbundle" -I"$2/tools/lib" -I"$PWD/inc" \
		-DBUNDLE_HEADER="\"inc.h\"" -DBUNDLE_SYM=my_btfs \
		"$2/tests/bundle/check_linked.c" inc/inc.c -o check_inc "$3" \
		$(pkg-config --libs libbpf liblzma zlib) && ./check_inc inc/inc.btfb' _ "$CC" "$SRC" "$LIBBTFBUNDLE"

# --- object digests in the generated header ---------------------------------
# Bound to the probe and its V2: two CO-RE digests, as macros. The objects
# in the other order give the same header; the header alone, its macros
# used, compiles pedantic as C11 and C++; its digests are the ones the
# bundle lists and btf_bundle__object_digest() computes (check_linked).
mkdir -p dig1 dig2
ok "embedgen --object PROBE --object V2 --header" "$EMBEDGEN" -q --codec zlib --all-kernels \
	--object "$PROBE_OBJ" --object "$OTHER_OBJ" -o dig1/d.c --header dig1/d.h \
	--bundle-file dig1/d.btfb $small
ok "  ... the objects in the other order: byte-identical header" bash -c \
	'"$1" -q --codec zlib --all-kernels --object "$3" --object "$2" -o dig2/d.c \
		--header dig2/d.h "$4" && cmp dig1/d.h dig2/d.h' _ "$EMBEDGEN" "$PROBE_OBJ" "$OTHER_OBJ" "$small"
cat >dig1/use.c <<'EOF_C'
#include "d.h"
static const unsigned char d[btfkit_bundle_OBJECT_CNT][32] = btfkit_bundle_OBJECT_DIGESTS;
typedef char two_digests[btfkit_bundle_OBJECT_CNT == 2 && sizeof(d) == 64 ? 1 : -1];
int main(void) { return d[0][0] == d[1][0] && d[0][31] == d[1][31]; }
EOF_C
ok "  ... the header with its digest macros compiles alone (C11 and C++, -pedantic)" bash -c '
	"$1" -std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only dig1/use.c &&
	"$2" -x c++ -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only dig1/use.c' \
	_ "$CC" "${CXX:-c++}"
ok "  ... header digests == the bundle's list == btf_bundle__object_digest() of both" bash -c '
	"$1" -Wall -Wextra -Werror -I"$2/libbtfbundle" -I"$BTFKIT_BUILD_ROOT/libbtfbundle" -I"$PWD/dig1" \
		-DBUNDLE_HEADER="\"d.h\"" -DBUNDLE_SYM=btfkit_bundle \
		"$2/tests/bundle/check_linked.c" dig1/d.c -o check_dig "$3" \
		$(pkg-config --libs libbpf liblzma zlib) && ./check_dig dig1/d.btfb "$4" "$5" &&
	! ./check_dig dig1/d.btfb "$4"' _ "$CC" "$SRC" "$LIBBTFBUNDLE" "$PROBE_OBJ" "$OTHER_OBJ"
ok "a bundle without objects: OBJECT_CNT 0 and no digest macro" bash -c \
	'grep -q "^#define btfkit_bundle_OBJECT_CNT 0$" run1/x.h && ! grep -q OBJECT_DIGESTS run1/x.h'

# The same kernel in two shards, once as aarch64 and once as arm64, same bytes: kept once.
first=$(ls tree1/$T1/aarch64 2>/dev/null | head -n 1)
if [ -n "$first" ]; then
	mkdir -p shard/$T1/arm64 ovl
	cp "tree1/$T1/aarch64/$first" shard/$T1/arm64/
	ok "overlapping shards with identical BTF merge" "$EMBEDGEN" -q --codec zlib \
		--bundle-file ovl/o.btfb tree1 shard
	ok "  ... into one entry per kernel" bash -c \
		'"$1" --list ovl/o.btfb --json | python3 -c "import json,sys; assert json.load(sys.stdin)[\"kernels\"] == $2"' \
		_ "$EMBEDGEN" "${#members[@]}"
fi

# --- bad input: one clear error naming the file, non-zero exit, no output ---
mkdir -p out bad1/debian/12/x86_64 bad2/debian/12/x86_64 bad3/debian/12
echo "this is not BTF" >bad1/debian/12/x86_64/6.1.0-1-amd64.btf
fails "a non-BTF file" "bad1/debian/12/x86_64/6.1.0-1-amd64.btf" out \
	"$EMBEDGEN" -o out/x.c --header out/x.h --bundle-file out/x.btfb bad1
cp /dev/null bad2/debian/12/x86_64/README.txt
fails "a name outside the layout (.txt)" "bad2/debian/12/x86_64/README.txt" out \
	"$EMBEDGEN" -o out/x.c --header out/x.h --bundle-file out/x.btfb bad2
echo x >bad3/debian/12/stray.btf
fails "a file at the wrong depth" "bad3/debian/12/stray.btf" out \
	"$EMBEDGEN" -o out/x.c --header out/x.h --bundle-file out/x.btfb bad3
fails "an unreadable tree" "$work/no-such-tree" out \
	"$EMBEDGEN" -o out/x.c --header out/x.h --bundle-file out/x.btfb "$work/no-such-tree"
if [ ${#members[@]} -ge 2 ]; then
	# the second member's BTF filed under the first member's key, as arm64
	mkdir -p dup/$T1/arm64
	cp "tree1/$T1/aarch64/${members[1]}.btf" "dup/$T1/arm64/${members[0]}.btf"
	fails "duplicate key with different content across two trees" \
		"dup/$T1/arm64/${members[0]}.btf" out \
		"$EMBEDGEN" -o out/x.c --header out/x.h --bundle-file out/x.btfb tree1 dup
fi
head -c 200 run1/x.btfb >trunc.btfb
fails "--list of a truncated bundle" "trunc.btfb" out "$EMBEDGEN" --list trunc.btfb
fails "an unknown codec" "unknown codec" out "$EMBEDGEN" --codec lz4 -o out/x.c $small
fails "nothing to write" "nothing to write" out "$EMBEDGEN" $small
ok "--help exits 0 and shows usage" bash -c '"$1" --help | grep -q "^Usage: embedgen"' _ "$EMBEDGEN"
ok "--version exits 0" bash -c '"$1" --version | grep -q "^embedgen"' _ "$EMBEDGEN"

# --- reduced BTF: bpftool gen min_core_btf against a CO-RE object ------------
reason=""
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
[ -x "$BPFTOOL" ] || reason="${reason:+$reason, }no bpftool"
[ $have_vmlinux -eq 1 ] || reason="${reason:+$reason, }no /sys/kernel/btf/vmlinux"
cp "$PROBE_OBJ" core.bpf.o	# tests/data/core_probe.bpf.c
mkdir -p red/debian/12/x86_64 "red/$T1/aarch64" redout ent/none
if [ -z "$reason" ] &&
   ! "$BPFTOOL" gen min_core_btf /sys/kernel/btf/vmlinux "red/debian/12/x86_64/$host_rel.btf" core.bpf.o; then
	reason="bpftool gen min_core_btf does not work here"
fi
if [ -n "$reason" ]; then
	echo "# min_core_btf part skipped: $reason"
else
	for m in "${members[@]}"; do
		"$BPFTOOL" gen min_core_btf "tree1/$T1/aarch64/$m.btf" \
			"red/$T1/aarch64/$m.btf" core.bpf.o || echo "# cannot reduce $m"
	done
	echo "# reduced: $(cd red && find . -name '*.btf' -printf '%p %s bytes; ')"
	ok "embedgen --object on reduced BTFs" "$EMBEDGEN" -q --object core.bpf.o \
		--provenance "bpftool=$("$BPFTOOL" version | head -n 1)" \
		-o redout/r.c --header redout/r.h --bundle-file redout/r.btfb red
	ok "reduced bundle C compiles" "$CC" -c -Wall -Wextra -Werror redout/r.c -o redout/r.o
	ok "--list records the object" bash -c '"$1" --list redout/r.btfb --json | python3 -c "
import json, sys
j = json.load(sys.stdin)
assert [o[\"name\"] for o in j[\"objects\"]] == [\"core.bpf.o\"], j
assert j[\"provenance\"].startswith(\"bpftool=\"), j"' _ "$EMBEDGEN"
	ok "reader finds this kernel (exact) with task_struct" bash -c \
		'"$1" redout/r.btfb --object core.bpf.o --host "debian/12/x86_64/$2" --type task_struct \
			--dump red.found | grep -q "^exact " &&
		 cmp red.found "red/debian/12/x86_64/$2.btf"' _ "$FIND" "$host_rel"
	if grep -qs '^ID=debian' /etc/os-release && grep -qs '^VERSION_ID="12"' /etc/os-release &&
	   [ "$(uname -m)" = x86_64 ]; then
		ok "reader finds it for the detected host (os-release + uname)" bash -c \
			'"$1" redout/r.btfb --object core.bpf.o --detect | grep -q "^exact debian/12/x86_64/$2 "' \
			_ "$FIND" "$host_rel"
	fi
	n=$((n + 1))
	"$FIND" redout/r.btfb --object "$OTHER_OBJ" --host "debian/12/x86_64/$host_rel" >/dev/null 2>&1
	rc=$?
	if [ $rc -eq 4 ]; then echo "ok $n - reader refuses the bundle for another object (ESTALE)"
	else echo "not ok $n - reader with another object: exit $rc, expected 4 (ESTALE)"; failed=$((failed + 1)); fi
	for m in "${members[@]}"; do
		[ -s "red/$T1/aarch64/$m.btf" ] || continue
		ok "reader finds reduced $T1/arm64/$m" bash -c \
			'"$1" redout/r.btfb --host "$T1/arm64/$2" --type task_struct | grep -q "^exact "' \
			_ "$FIND" "$m"
	done
	# --entry: one file under an explicit key, next to a tree
	mkdir -p ent
	ok "--entry D/V/A/R=PATH adds a kernel under an explicit key" "$EMBEDGEN" -q \
		--entry "ubuntu/22.04/aarch64/5.15.0-1-generic=red/debian/12/x86_64/$host_rel.btf" \
		--bundle-file ent/e.btfb red
	ok "  ... found as ubuntu/jammy/arm64 (alias, arch normalised)" bash -c \
		'"$1" ent/e.btfb --host ubuntu/jammy/aarch64/5.15.0-1-generic | grep -q "^alias ubuntu/22.04/arm64/"' \
		_ "$FIND"
	fails "a malformed --entry" "--entry debian/12=" ent/none "$EMBEDGEN" --bundle-file ent/none/x.btfb \
		--entry "debian/12=red/debian/12/x86_64/$host_rel.btf"
	# (missing parent directories are created; a file in the way is an error)
	mkdir -p nowrite && : >nowrite/f
	fails "an unwritable output path" "nowrite/f/x.c" out "$EMBEDGEN" -o nowrite/f/x.c red
	# CO-RE relocation against the bundled BTF: needs root and a working bpf().
	if [ "$(id -u)" -eq 0 ] && "$FIND" redout/r.btfb --host "debian/12/x86_64/$host_rel" \
			--load core.bpf.o >load.out 2>&1; then
		n=$((n + 1)); echo "ok $n - core.bpf.o loads with the bundled BTF as btf_custom_path (memfd)"
	elif [ "$(id -u)" -eq 0 ] && ! grep -qiE "operation not permitted|function not implemented" load.out; then
		n=$((n + 1)); echo "not ok $n - core.bpf.o load with the bundled BTF"; sed 's/^/#   /' load.out | tail -n 10
		failed=$((failed + 1))
	else
		echo "# BPF load check skipped: not root or bpf() unavailable"
	fi
fi

echo "# $n checks, $failed failed"
[ $failed -eq 0 ]
