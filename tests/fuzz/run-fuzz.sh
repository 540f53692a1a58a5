#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Run the bundle reader fuzzer for a bounded time on a fresh seed corpus.
# usage: run-fuzz.sh FUZZER MAKE_SEEDS WORKDIR    (or: run-fuzz.sh --skip REASON)
# BTFKIT_FUZZ_SECONDS sets the time budget (default 45). TAP (tests/lib/tap.sh).
set -u
. "$(dirname "$0")/../lib/tap.sh"
if [ "$1" = --skip ]; then
	skip_all "$2"
fi
fuzzer=$1 make_seeds=$2 work=$3
secs=${BTFKIT_FUZZ_SECONDS:-45}

rm -rf "$work" && mkdir -p "$work/corpus" "$work/seeds" "$work/crashes" || exit 99
"$make_seeds" "$work/seeds" || { echo "Bail out! make_seeds failed"; exit 99; }
diag "seeds: $(ls "$work/seeds" | wc -l) bundles, $(cat "$work/seeds"/* | wc -c) bytes"

# -timeout: one input may not take 10 s. The reader's bounds (bundle_format.h,
# BTFB_MAX_*) keep any bundle under 64 MB: an input that makes it allocate
# more than 256 MB at once, or grow past 256 MB of RSS, is a failure. ASan's
# quarantine of freed blocks (256 MB by default) would count against that.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=256 -malloc_limit_mb=256 -timeout=10 \
	-max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$work/crashes/" \
	"$work/corpus" "$work/seeds" >"$work/fuzz.log" 2>&1
rc=$?
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^#[0-9]+.*DONE' \
	"$work/fuzz.log" | sed 's/^/# /'
diag "corpus: $(ls "$work/corpus" | wc -l) inputs"
if [ $rc -ne 0 ] || [ -n "$(ls "$work/crashes")" ]; then
	diag "artifacts in $work/crashes:" "$(ls -l "$work/crashes")" "$(tail -n 60 "$work/fuzz.log")"
	fail "fuzzer exit $rc, or a crash: ${secs}s on the bundle reader"
fi
ok "${secs}s of fuzzing the bundle reader: no crash, no sanitizer report, no limit exceeded"
tap_done
