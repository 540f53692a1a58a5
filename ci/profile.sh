#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The CPU (user+sys, children included) and cache growth of some tests, one
# at a time, optionally on an empty download cache: the figures behind the
# CI time budget (docs/testing.md), independent of the machine's load.
#
#   ci/profile.sh [--cold DIR] [MESON_TEST_ARGS...]
#   e.g. ci/profile.sh --cold /tmp/cold pinned-libbpf make fuzz_bundle
#        ci/profile.sh --suite make-apt
#
# --cold DIR: DIR is emptied and used as XDG_CACHE_HOME, so every download
# the tests make (Debian packages, kernels, the libbpf source) is counted.
# BUILD (default build) must be built. ci/test.sh prints the same table for
# a whole run (ci/cpu.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ "${1:-}" = --cold ]; then
	[ -n "${2:-}" ] || { echo "ci/profile.sh: --cold needs a directory" >&2; exit 2; }
	rm -rf "$2" && mkdir -p "$2"
	export XDG_CACHE_HOME
	XDG_CACHE_HOME=$(cd "$2" && pwd)
	shift 2
fi
# Named by this process: two profiles may run at once.
base=profile-$$
log=$(cd "$BUILD/meson-logs" && pwd)/$base-cpu.jsonl
rc=0
meson test -C "$BUILD" --num-processes 1 --print-errorlogs --logbase "$base" \
	--wrapper "python3 $PWD/ci/cpu.py wrap $log --" "$@" || rc=$?
python3 ci/cpu.py report "$log" "$BUILD/meson-logs/$base-python3.json" --top 1000
exit $rc
