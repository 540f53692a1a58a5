#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The pinned libbpf (subprojects/libbpf.wrap), proven offline: its tarball
# comes from Debian's source package into subprojects/packagecache/ and must
# have the wrap's SHA-256; a separate build with -Dwrap_mode=forcefallback
# links it, and the tracer's event tests and the library's tests pass on it.
#
#   test_pinned_libbpf.sh SOURCE_ROOT BUILD_ROOT
# Skips (77) only when the source package cannot be downloaded.
set -uo pipefail
src=$1 build=$2/pinned-libbpf
wrap=$src/subprojects/libbpf.wrap
field() { sed -n "s/^$1[ \t]*=[ \t]*//p" "$wrap"; }
version=$(field directory); version=${version#libbpf-}
tarball=$src/subprojects/packagecache/$(field source_filename)
. "$src/tests/lib/tap.sh"

bash "$src/ci/libbpf-source.sh"
case $? in
0) ;;
3) skip_all "the libbpf $version source package cannot be downloaded here" ;;
*) fail "ci/libbpf-source.sh could not place $tarball" ;;
esac
got=$(sha256sum "$tarball" | cut -d' ' -f1)
[ "$got" = "$(field source_hash)" ] || fail "$tarball: SHA-256 $got is not the wrap's"
ok "$tarball has the wrap's SHA-256 ($got)"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$src" -Dwrap_mode=forcefallback -Dfuzz=disabled > "$2/pinned-libbpf.setup.log" 2>&1 ||
		fail "meson setup -Dwrap_mode=forcefallback failed (see $2/pinned-libbpf.setup.log)"
fi
# The tracers only; `meson test` below builds what its tests depend on and
# nothing else (the other tools, the fuzz and qemu targets prove nothing here).
meson compile -C "$build" tracer/coretrace tracer/coretrace_static > "$2/pinned-libbpf.build.log" 2>&1 ||
	fail "building against the pinned libbpf failed (see $2/pinned-libbpf.build.log)"
[ -f "$build/subprojects/libbpf-$version/libbpf.a" ] ||
	fail "the forcefallback build did not build libbpf $version from subprojects/"
ok "-Dwrap_mode=forcefallback builds libbpf $version from subprojects/"

# The binaries report the libbpf they run (libbpf_version_string()).
want="libbpf v${version%.*}"
for exe in coretrace coretrace_static; do
	v=$("$build/tracer/$exe" --version) || fail "$exe --version"
	case $v in *"$want"*) ok "$exe links $want: $v" ;; *) fail "$exe --version says '$v', not $want" ;; esac
done
ldd "$build/tracer/coretrace" | grep -q 'libbpf\.so' && fail "coretrace links a shared libbpf: $(ldd "$build/tracer/coretrace" | grep libbpf)"
ok "coretrace has no shared libbpf"

# Behaviour on the pinned libbpf: the tracer suite (events, bundles,
# refusals, bursts), tools/lib's unit tests and libbtfbundle's (the bundle
# suite's C units; its embedgen, ABI and hostile-file tests are about the
# library's own code and run in the main build), in that build.
bundle_units="roundtrip lookup read objects host host_names select select_steps validate
	crafted_top crafted_decoded select_nomem"
# shellcheck disable=SC2086 # one test name per word
{ meson test -C "$build" --suite tracer --suite lib --num-processes 1 --print-errorlogs &&
  meson test -C "$build" --suite bundle --print-errorlogs $bundle_units; } > "$2/pinned-libbpf.test.log" 2>&1
rc=$?
sed -n '/^ *[0-9]*\/[0-9]* /p; /^Ok:/,/^Timeout:/p' "$2/pinned-libbpf.test.log" | sed 's/^/# /'
[ $rc = 0 ] || fail "tests against the pinned libbpf failed (see $2/pinned-libbpf.test.log)"
if grep -q '^Skipped: *[1-9]' "$2/pinned-libbpf.test.log"; then
	diag "note: some tests skipped (no BPF privileges?)"
fi
ok "tracer and library tests pass on libbpf $version"
tap_done
