#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Run a libFuzzer target on a fresh seed corpus. TAP (tests/lib/tap.sh).
# usage: run-fuzz.sh FUZZER MAKE_SEEDS WORKDIR RUNS   (or: run-fuzz.sh --skip REASON)
#
# The suite's run is a fixed number of inputs (RUNS) from a fixed seed: the
# same inputs on every machine, whatever its load, so a failure reproduces
# and the run costs the same CPU everywhere (meson.build sizes RUNS at ~10 s
# of CPU). A long random run is opt-in: BTFKIT_FUZZ_SECONDS=N runs for N
# seconds from a random seed instead, e.g.
#   BTFKIT_FUZZ_SECONDS=600 meson test -C build --suite fuzz --timeout-multiplier 0
set -u
. "$(dirname "$0")/../lib/tap.sh"
if [ "$1" = --skip ]; then
	skip_all "$2"
fi
fuzzer=$1 make_seeds=$2 work=$3 runs=$4
if [ -n "${BTFKIT_FUZZ_SECONDS:-}" ]; then
	budget=(-max_total_time="$BTFKIT_FUZZ_SECONDS")
	what="${BTFKIT_FUZZ_SECONDS}s of random fuzzing"
else
	budget=(-runs="$runs" -seed=1)
	what="$runs inputs from seed 1"
fi

rm -rf "$work" && mkdir -p "$work/corpus" "$work/seeds" "$work/crashes" || exit 99
"$make_seeds" "$work/seeds" || { echo "Bail out! make_seeds failed"; exit 99; }
diag "seeds: $(ls "$work/seeds" | wc -l) bundles, $(cat "$work/seeds"/* | wc -c) bytes"

# -timeout: one input may not take 10 s. The reader's bounds (bundle_format.h,
# BTFB_MAX_*) keep any bundle under 64 MB: an input that makes it allocate
# more than 256 MB at once, or grow past 256 MB of RSS, is a failure. ASan's
# quarantine of freed blocks (256 MB by default) would count against that.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
"$fuzzer" "${budget[@]}" -rss_limit_mb=256 -malloc_limit_mb=256 -timeout=10 \
	-max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$work/crashes/" \
	"$work/corpus" "$work/seeds" >"$work/fuzz.log" 2>&1
rc=$?
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^#[0-9]+.*DONE' \
	"$work/fuzz.log" | sed 's/^/# /'
diag "corpus: $(ls "$work/corpus" | wc -l) inputs"
if [ $rc -ne 0 ] || [ -n "$(ls "$work/crashes")" ]; then
	diag "artifacts in $work/crashes:" "$(ls -l "$work/crashes")" "$(tail -n 60 "$work/fuzz.log")"
	fail "$(basename "$fuzzer"): exit $rc, or a crash, in $what"
fi
ok "$(basename "$fuzzer"): $what: no crash, no sanitizer report, no limit exceeded"
tap_done
