#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Quick start #2: set up a fresh Debian 12 machine, build, and run the tests.
# Run as root (or with sudo) so that the BPF tests run instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh --arch arm64	# suite vm-arm64 cross-builds the tracer
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD"
meson compile -C "$BUILD"
meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@"
