#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# btfgen throughput (issue 4), not a timed test: the Debian fixtures
# replicated to COUNT BTFHub entries (<distro>/<version>/x86_64/<release>.btf.tar.xz),
# reduced against a BPF object by
#   - a serial shell loop over bpftool, the way btfhub's btfgen.sh does it
#     (tar -xJf each archive, bpftool gen min_core_btf, remove),
#   - btfgen -j 1 and btfgen -j 2 from a cold cache,
#   - btfgen -j 2 again with nothing changed (the incremental case).
# Prints a markdown table. Targets: -j 2 >= 1.8x the serial loop on 2 cores;
# the no-change re-run < 5% of a cold run.
#
# Usage: bench/btfgen.sh [-B BUILD_ROOT] [-n COUNT] [-r ROUNDS] [-o OBJECT.bpf.o] [-k]
#   -r runs every measurement ROUNDS times (default 1) and keeps the fastest;
#   -k keeps the work directory.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build="$src/build"
count=300
rounds=1
object=
keep=
while getopts B:n:r:o:k opt; do
	case $opt in
	B) build=$(cd "$OPTARG" && pwd) ;;
	n) count=$OPTARG ;;
	r) rounds=$OPTARG ;;
	o) object=$OPTARG ;;
	k) keep=1 ;;
	*) echo "usage: $0 [-B BUILD_ROOT] [-n COUNT] [-r ROUNDS] [-o OBJECT.bpf.o] [-k]" >&2; exit 2 ;;
	esac
done
btfgen="$build/btfgen/btfgen"
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
fixtures="$src/tests/data/btfhub/debian/12/x86_64"
if [ -z "$object" ]; then
	for o in "$build/bpf/coretrace.bpf.o" "$build/tests/core_probe.bpf.o"; do
		[ -f "$o" ] && { object=$o; break; }
	done
fi
[ -x "$btfgen" ] || { echo "$btfgen: not built (meson compile -C $build)" >&2; exit 1; }
[ -n "$object" ] && [ -f "$object" ] || { echo "no BPF object; pass -o" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/btfgen-bench.XXXXXX")
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT INT TERM

# Replicas are hard links: same bytes and mtime as the fixtures, so the
# no-change run sees old, unchanged inputs, as in a real mirror.
n=0 d=0
while [ "$n" -lt "$count" ]; do
	dir="$work/in/replica$d/12/x86_64"
	mkdir -p "$dir"
	for f in "$fixtures"/*.btf.tar.xz; do
		[ "$n" -lt "$count" ] || break
		ln "$f" "$dir/" 2>/dev/null || cp -p "$f" "$dir/"
		n=$((n + 1))
	done
	d=$((d + 1))
done

# Each run timed by python3 (no GNU time or bc needed): wall seconds and the
# children's user+system CPU seconds. CPU time shows the cost per kernel even
# when other jobs share the machine.
timed() { # name command...
	name=$1
	shift
	python3 - "$work/time.$name" "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[2:])
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], 'w').write(f'{wall:.3f} {ru.ru_utime:.3f} {ru.ru_stime:.3f}\n')
sys.exit(rc)
PY
}

cat > "$work/serial.sh" <<'LOOP'
#!/bin/sh
set -eu
work=$1 bpftool=$2 object=$3
mkdir -p "$work/serial" "$work/x"
for a in $(find "$work/in" -name '*.btf.tar.xz' | sort); do
	rel=${a#"$work/in/"}
	rel=${rel%.tar.xz}
	mkdir -p "$work/serial/$(dirname "$rel")"
	tar -xJf "$a" -C "$work/x"
	"$bpftool" gen min_core_btf "$work/x/$(basename "$rel")" "$work/serial/$rel" "$object"
	rm -f "$work/x/$(basename "$rel")"
done
LOOP

# How much parallelism the machine gives right now (others may be using
# it): the same CPU-bound job (xz -d of a fixture, 8 times) serially and
# as 2 x 4 at once. 2.0 on an idle 2-CPU machine.
probe_parallelism() {
	f=$(ls "$fixtures"/*.btf.tar.xz | sed -n 1p)
	python3 - "$f" <<'PY'
import subprocess, sys, time
cmd = ['xz', '-dc', sys.argv[1]]
def run(n):
    for _ in range(n):
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
t = time.monotonic(); run(8); serial = time.monotonic() - t
t = time.monotonic()
procs = [subprocess.Popen([sys.executable, '-c',
         f'import subprocess\nfor _ in range(4): subprocess.run({cmd!r}, stdout=subprocess.DEVNULL)'])
         for _ in range(2)]
for p in procs:
    p.wait()
parallel = time.monotonic() - t
print(f'{serial / parallel:.2f}')
PY
}
par_before=$(probe_parallelism)

# Interleaved rounds, each from a cold output tree; the table keeps each
# run's fastest round, the one least disturbed by whatever else is running.
r=1
while [ "$r" -le "$rounds" ]; do
	rm -rf "$work/serial" "$work/j1" "$work/j2"
	timed "serial.$r" sh "$work/serial.sh" "$work" "$bpftool" "$object"
	timed "j1.$r" "$btfgen" -q -j 1 -o "$work/j1" "$work/in" "$object"
	timed "j2.$r" "$btfgen" -q -j 2 -o "$work/j2" "$work/in" "$object"
	timed "re.$r" "$btfgen" -q -j 2 -o "$work/j2" "$work/in" "$object"
	r=$((r + 1))
done
# One more cached run, to check it really reduced nothing.
reduced=$("$btfgen" --json -j 2 -o "$work/j2" "$work/in" "$object" |
	  sed -n 's/^  "reduced": \([0-9]*\),$/\1/p')

# Same bytes as the serial loop's outputs.
same=yes
for f in $(cd "$work/serial" && find . -name '*.btf'); do
	cmp -s "$work/serial/$f" "$work/j2/$f" || same=no
done

par_after=$(probe_parallelism)

# Fastest round: its wall and CPU seconds.
best() { cat "$work/time.$1".* | sort -n | sed -n 1p; }
wall() { best "$1" | cut -d' ' -f1; }
cpu() { best "$1" | awk '{ print $2 + $3 }'; }
calc() { awk "BEGIN { print ($1) }"; }
t_serial=$(wall serial)
row() { # name label
	t=$(wall "$1")
	[ "$(calc "$t > 0")" = 1 ] || t=0.001
	printf '| %s | %.2f | %.2f | %.0f | %.2fx |\n' "$2" "$t" "$(cpu "$1")" \
		"$(calc "$count / $t")" "$(calc "$t_serial / $t")"
}
echo "btfgen throughput: $count kernels (Debian 12 fixtures, .btf.tar.xz), object $(basename "$object"), best of $rounds round(s), $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg), bpftool $("$bpftool" --version | head -1 | sed 's/^[^ ]* //')"
echo "machine parallelism (2 x xz vs serial, 2.00 = two free CPUs): $par_before before, $par_after after"
echo
echo "| run | wall s | CPU s | kernels/s | speed-up vs serial loop |"
echo "|---|---:|---:|---:|---:|"
row serial "serial shell loop (tar -xJf + bpftool)"
row j1 "btfgen -j 1 (cold)"
row j2 "btfgen -j 2 (cold)"
row re "btfgen -j 2 (no change)"
echo
printf 'no-change re-run: %.1f%% of the cold -j 2 run (it reduced %s kernels); outputs identical to the serial loop: %s\n' \
	"$(calc "100 * $(wall re) / $(wall j2)")" "$reduced" "$same"
