#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Run a test on the cross build: build (or bring up to date) CROSS_BUILD with
# ci/cross-build.sh first, one test at a time (flock), then run CMD. A test
# step rather than a build target, so that `meson compile` never cross-builds.
#   with-cross.sh ARCH NATIVE_BUILD CROSS_BUILD [MESON_OPTIONS...] -- CMD...
# TAP "1..0 # SKIP reason" when the cross toolchain is not installed; a real
# build failure fails the test, with the build's log.
set -u
arch=$1 native=$2 cross=$3
shift 3
opts=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	opts="$opts $1"
	shift
done
[ "${1:-}" = -- ] || { echo "usage: with-cross.sh ARCH NATIVE CROSS [OPTS...] -- CMD..." >&2; exit 99; }
shift
log=$cross.log
rc=0
# shellcheck disable=SC2086 # opts: meson options without spaces
flock "$cross.lock" bash "$(dirname "$0")/../../ci/cross-build.sh" "$arch" "$native" "$cross" $opts \
	>"$log" 2>&1 || rc=$?
case $rc in
0) exec "$@" ;;
77) echo "1..0 # SKIP $(tail -n 1 "$log" | sed "s/^SKIP: //")"; exit 0 ;;	# TAP: the tests it runs are
*) sed "s/^/# /" "$log"; echo "Bail out! with-cross.sh: ci/cross-build.sh $arch failed (exit $rc)"; exit 1 ;;
esac
