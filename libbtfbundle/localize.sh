#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# usage: localize.sh OUT.a IN.a [LD] [OBJCOPY] [AR]
# The installed static libbtfbundle.a: every object of IN.a partially linked
# into one, then every hidden symbol made local, so that a program linking
# it sees only the exported API (btf_bundle__*, btf_host__*): its own
# read_file() or sha256_buf() neither clashes with nor replaces ours. The
# same rule the version script applies to the shared library.
set -eu
out=$1 in=$2 ld=${3:-ld} objcopy=${4:-objcopy} ar=${5:-ar}
tmp=$out.tmp.o
rm -f "$out" "$tmp"
"$ld" -r --whole-archive "$in" -o "$tmp"
"$objcopy" --localize-hidden "$tmp"
"$ar" rcD "$out" "$tmp"
rm -f "$tmp"
