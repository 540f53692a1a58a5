#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Quick start #1: set up a fresh Debian 12 machine, build the portable tracer
# from the bundled default kernels, then (ci/trace-demo.sh) show its bundle,
# say in one line which BTF it uses and why, and trace a small workload of
# its own (exec with arguments, file open, loopback TCP connect): its events
# decoded, then the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD"
meson compile -C "$BUILD"
exec bash ci/trace-demo.sh "$BUILD"
