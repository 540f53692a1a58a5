#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Quick start #1: set up a fresh Debian 12 machine, build the portable tracer
# from the bundled default kernels, show its BTF decision and trace 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD"
meson compile -C "$BUILD"
"$BUILD/embedgen/embedgen" --list "$BUILD/tracer/bundle/coretrace.btfb"
echo
"$BUILD/tracer/coretrace" btf
echo
if [ "$(id -u)" != 0 ]; then
	echo "quickstart: not root; run 'sudo $BUILD/tracer/coretrace --duration 5' to trace" >&2
	exit 0
fi
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
exec "$BUILD/tracer/coretrace" --duration 5
