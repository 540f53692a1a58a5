#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The second half of the quick start, on an existing build: list the bundle,
# say in one line which BTF coretrace uses and why, then trace while running
# a small harmless workload of our own (an exec with arguments, a file open,
# a loopback TCP connect to a listener started here) and print the workload's
# events, decoded, and coretrace's summary. Needs root (BPF).
#
#   ci/trace-demo.sh [BUILD]          (default: $BUILD, else build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-${BUILD:-build}}
ct=$BUILD/tracer/coretrace
[ -x "$ct" ] || { echo "trace-demo: $ct: not built (meson compile -C $BUILD)" >&2; exit 1; }

"$BUILD/embedgen/embedgen" --list "$BUILD/tracer/bundle/coretrace.btfb"
echo
# coretrace btf explains its decision step by step; one line of it here.
"$ct" btf --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
steps = d.get("steps", [])
used = [s for s in steps if s["source"] == d.get("source")]
before = []
for s in steps:
    if s in used:
        break
    before.append("%s: %s" % (s["source"], s["detail"]))
if not used:
    print("trace-demo: no usable BTF for %s: %s" % (d.get("host"), d.get("error", "?")))
    sys.exit(1)
print("trace-demo: BTF source: %s (%s)%s" % (d.get("btf", d["source"]), used[0]["detail"],
      "; tried first: " + "; ".join(before) if before else ""))
'
echo
if [ "$(id -u)" != 0 ]; then
	echo "trace-demo: not root; run 'sudo $0 $BUILD' to trace" >&2
	exit 0
fi
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true

work=$(mktemp -d)
ctpid=
lpid=
cleanup() {
	[ -z "$ctpid" ] || kill "$ctpid" 2>/dev/null || true
	[ -z "$lpid" ] || kill "$lpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
echo "hello from btfkit" > "$work/hello.txt"

# The listener: 127.0.0.1, a free port, one connection.
python3 - "$work/port" <<'PY' &
import os, socket, sys
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(1)
with open(sys.argv[1] + '.tmp', 'w') as f:
    f.write('%d\n' % s.getsockname()[1])
os.rename(sys.argv[1] + '.tmp', sys.argv[1])
s.settimeout(60)
c, _ = s.accept()
c.close()
PY
lpid=$!

"$ct" --duration 120 >"$work/trace" 2>"$work/err" &
ctpid=$!
for _ in $(seq 300); do
	grep -q 'coretrace: tracing' "$work/err" && [ -s "$work/port" ] && break
	kill -0 "$ctpid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q 'coretrace: tracing' "$work/err"; then
	echo "trace-demo: coretrace did not start tracing:" >&2
	cat "$work/err" >&2
	exit 1
fi
port=$(cat "$work/port")

# The workload, in a subshell whose pid keys the events shown: its children
# exec (echo with arguments) and open (cat of a file); the subshell itself
# connects to the listener (bash's /dev/tcp).
(
	echo "$BASHPID" > "$work/wpid"
	export LC_ALL=C		# no locale files: the opens shown are the program's own
	/bin/echo btfkit-demo "two words" > /dev/null
	/bin/cat "$work/hello.txt" > /dev/null
	exec 3<>"/dev/tcp/127.0.0.1/$port"
	exec 3>&-
)
wait "$lpid" || true
lpid=
sleep 1
kill -INT "$ctpid"
rc=0
wait "$ctpid" || rc=$?
ctpid=
wpid=$(cat "$work/wpid")
echo "trace-demo: ran /bin/echo btfkit-demo \"two words\", /bin/cat $work/hello.txt and a" \
	"connect to 127.0.0.1:$port, all from pid $wpid; its events (and its children's):"
# Columns: TIME EVENT PID TGID PPID UID COMM DETAILS. Other processes of
# this machine are traced too; they are counted, not shown.
awk -v w="$wpid" 'NR == 1 || $4 == w || $5 == w { print; next } { hidden++ }
	END { printf "(%d events of other processes not shown)\n", hidden }' "$work/trace"
# coretrace's summary: events, lost, transport, BTF.
grep -v 'coretrace: tracing' "$work/err" || true
exit $rc
