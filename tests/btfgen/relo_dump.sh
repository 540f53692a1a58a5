#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Build relo_dump (relo_dump.c) against the pinned libbpf's source: it calls
# libbpf's CO-RE relocation internals (relo_core.c, bpf_core_add_cands()),
# which no installed libbpf exports. The source is the tarball
# subprojects/libbpf.wrap pins (ci/libbpf-source.sh puts it in
# subprojects/packagecache/, from Debian's identical source package).
#
#   relo_dump.sh SOURCE_ROOT OUT_DIR
# Prints the helper's path. Exit 0 built (or up to date), 1 error, 3 the
# libbpf source cannot be obtained here. Rebuilds only when relo_dump.c or
# the tarball changed (a stamp of their SHA-256 in OUT_DIR); concurrent
# callers wait for one another (flock).
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2
wrap=$src/subprojects/libbpf.wrap
field() { sed -n "s/^$1[ \t]*=[ \t]*//p" "$wrap"; }
tarball=$src/subprojects/packagecache/$(field source_filename)
dir=$(field directory)
helper=$out/relo_dump

mkdir -p "$out"
exec 9> "$out/.lock"
flock 9
rc=0
bash "$src/ci/libbpf-source.sh" >&2 || rc=$?
[ $rc = 0 ] || exit $rc
stamp=$(cat "$src/tests/btfgen/relo_dump.c" "$tarball" | sha256sum | cut -d' ' -f1)
if [ -x "$helper" ] && [ "$(cat "$out/relo_dump.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$helper"
	exit 0
fi
rm -rf "${out:?}/$dir" "$helper"
tar -xzf "$tarball" -C "$out"
lsrc=$out/$dir/src
# libbpf's own flags (src/Makefile), -O1: a test helper, built once.
cflags=(-O1 -g0 -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 -w
	-I"$lsrc" -I"$out/$dir/include" -I"$out/$dir/include/uapi")
# shellcheck disable=SC2046
${CC:-cc} "${cflags[@]}" -o "$helper.tmp" "$src/tests/btfgen/relo_dump.c" "$lsrc"/*.c \
	$(pkg-config --cflags --libs libelf zlib) >&2 ||
	{ echo "relo_dump.sh: cannot build relo_dump against libbpf $dir" >&2; exit 1; }
mv -f "$helper.tmp" "$helper"
echo "$stamp" > "$out/relo_dump.stamp"
echo "$helper"
