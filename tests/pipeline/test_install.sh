#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# meson install puts the tools, the tracer, libbtfbundle with its header and
# pkg-config file, and the man pages in place; a program builds against the
# installed library through pkg-config alone.
. "$(dirname "$0")/lib.sh"

dest=$TMP/dest
meson install -C "$BUILD" --destdir "$dest" --no-rebuild >"$TMP/install.log" 2>&1 || { cat "$TMP/install.log"; fail "meson install"; }
prefix=$(meson introspect "$BUILD" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root=$dest$prefix
for f in bin/coretrace bin/embedgen bin/btfgen bin/btfhub-fetch include/btfkit/btf_bundle.h share/btfkit/coretrace.bpf.o; do
	[ -e "$root/$f" ] || fail "$f not installed"
done
for t in coretrace embedgen btfgen btfhub-fetch; do
	[ -n "$(find "$root" -path "*/man1/$t.1*" | head -1)" ] || fail "no man page for $t"
done
pc=$(find "$root" -name libbtfbundle.pc | head -1)
[ -n "$pc" ] || fail "libbtfbundle.pc not installed"
lib=$(find "$root" -name 'libbtfbundle.so*' | head -1)
[ -n "$lib" ] || fail "libbtfbundle.so not installed"

cat >"$TMP/consumer.c" <<'C'
#include <btf_bundle.h>
#include <stdio.h>
int main(void)
{
	struct btf_host *h = btf_host__parse("centos/8.4/aarch64/4.18.0-305.el8.aarch64");

	if (!h)
		return 1;
	printf("%s/%s/%s\n", btf_host__distro(h), btf_host__version(h), btf_host__arch(h));
	btf_host__free(h);
	return 0;
}
C
# Relocatable: the .pc finds the headers and libraries relative to itself
# (${pcfiledir}), wherever the tree was installed or copied.
grep -q '^prefix=${pcfiledir}/' "$pc" || fail "libbtfbundle.pc is not relocatable: $(grep ^prefix= "$pc")"
grep -q -- '-pthread' "$pc" && fail "libbtfbundle.pc drags -pthread in"
export PKG_CONFIG_PATH=$(dirname "$pc")
cflags=$(pkg-config --cflags libbtfbundle)
libs=$(pkg-config --libs libbtfbundle)
cc $cflags "$TMP/consumer.c" -o "$TMP/consumer" $libs || fail "cannot build against the installed libbtfbundle"
out=$(LD_LIBRARY_PATH=$(dirname "$lib") "$TMP/consumer")
[ "$out" = "centos/8/arm64" ] || fail "consumer printed '$out', expected centos/8/arm64"
[ -f "$(dirname "$lib")/libbtfbundle.a" ] || fail "libbtfbundle.a not installed"
cc $cflags "$TMP/consumer.c" -o "$TMP/consumer-static" "$(dirname "$lib")/libbtfbundle.a" \
	$(pkg-config --libs --static libbpf liblzma zlib) || fail "cannot link the installed libbtfbundle.a"
[ "$("$TMP/consumer-static")" = "centos/8/arm64" ] || fail "static consumer failed"
echo "ok: installed tools, tracer, man pages, libbtfbundle (consumer built via pkg-config)"
