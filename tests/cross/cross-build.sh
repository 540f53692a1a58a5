#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# meson custom target: ci/cross-build.sh ARCH NATIVE CROSS [MESON_OPTIONS],
# its outcome in STATUS: "ok", or "skip: REASON" when the cross toolchain is
# not installed. A real build failure fails the target, with the build's log.
#   cross-build.sh ARCH NATIVE_BUILD CROSS_BUILD STATUS [MESON_OPTIONS...]
set -u
arch=$1 native=$2 cross=$3 status=$4
shift 4
log=$status.log
bash "$(dirname "$0")/../../ci/cross-build.sh" "$arch" "$native" "$cross" "$@" >"$log" 2>&1
rc=$?
case $rc in
0) echo ok >"$status.tmp" ;;
77) echo "skip: $(tail -n 1 "$log")" >"$status.tmp" ;;
*) cat "$log" >&2; echo "cross-build.sh: ci/cross-build.sh $arch failed (exit $rc)" >&2; exit 1 ;;
esac
mv "$status.tmp" "$status"
