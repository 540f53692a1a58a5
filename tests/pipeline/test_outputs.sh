#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Outputs that are not regular files, tool by tool: "-" is standard output,
# a character device (/dev/null) or a FIFO is written in place and stays
# what it was, and a symlink or another non-regular file is refused with
# one clear line and a non-zero exit, never replaced. Tools that write a
# tree (btfgen, btfhub-fetch) refuse -o /dev/null up front.
. "$(dirname "$0")/lib.sh"

EMBEDGEN=$BUILD/embedgen/embedgen
BTFGEN=$BUILD/btfgen/btfgen
FETCH=$BUILD/tools/btfhub-fetch
PROBE=$BUILD/tests/core_probe.bpf.o
[ -f "$PROBE" ] || PROBE=$BUILD/bpf/coretrace.bpf.o
in=$TMP/in tree=$TMP/tree
mkdir -p "$in/debian/12/x86_64"
cp "$SRC/tests/data/btfhub/debian/12/x86_64/6.1.0-56-amd64.btf.tar.xz" "$in/debian/12/x86_64/"
# A reduced tree: small BTFs keep each embedgen run short.
"$BTFGEN" -q -o "$tree" "$in" "$PROBE" || fail "btfgen: exit $?"
is_chr_null() { [ -c /dev/null ] && [ "$(stat -c %t:%T /dev/null)" = "1:3" ]; }
one_error_line() {	# one_error_line FILE WORDS...: exactly one line, naming all WORDS
	local f=$1
	shift
	[ "$(grep -c . "$f")" -eq 1 ] || fail "expected one error line: $(cat "$f")"
	for w in "$@"; do grep -qF -- "$w" "$f" || fail "error line lacks '$w': $(cat "$f")"; done
}

# --- embedgen ---------------------------------------------------------------
"$EMBEDGEN" -q -o /dev/null --header /dev/null --bundle-file /dev/null "$tree" ||
	fail "embedgen -o /dev/null: exit $?"
is_chr_null || fail "embedgen replaced /dev/null"
ok "embedgen -o /dev/null --header /dev/null --bundle-file /dev/null, /dev/null intact"
"$EMBEDGEN" -q --bundle-file - "$tree" >"$TMP/stdout.btfb" || fail "embedgen --bundle-file -"
"$EMBEDGEN" -q --bundle-file "$TMP/file.btfb" "$tree" || fail "embedgen --bundle-file FILE"
cmp "$TMP/stdout.btfb" "$TMP/file.btfb" || fail "--bundle-file - differs from the file"
"$EMBEDGEN" --list "$TMP/stdout.btfb" >"$TMP/list" || fail "embedgen --list of the stdout bundle: exit $?"
grep -qx 'kernels: *1' "$TMP/list" || fail "the stdout bundle lists no kernel: $(cat "$TMP/list")"
ok "embedgen --bundle-file - writes the bundle to stdout"
# Reading a bundle from "-" is not offered; asked for, it is one clear error.
rc=0
"$EMBEDGEN" --list - <"$TMP/file.btfb" >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" -eq 1 ] || fail "embedgen --list -: exit $rc, expected 1"
one_error_line "$TMP/err" "-"
ok "embedgen --list - (not offered): exit 1 and one error line"
mkfifo "$TMP/fifo"
cat "$TMP/fifo" >"$TMP/fifo.out" &
"$EMBEDGEN" -q --bundle-file "$TMP/fifo" "$tree" || fail "embedgen into a FIFO"
wait
[ -p "$TMP/fifo" ] && cmp "$TMP/fifo.out" "$TMP/file.btfb" || fail "FIFO replaced or wrong bytes"
ok "embedgen writes into a FIFO, which stays a FIFO"
echo precious >"$TMP/target"
ln -s "$TMP/target" "$TMP/link.btfb"
if "$EMBEDGEN" -q --bundle-file "$TMP/link.btfb" "$tree" 2>"$TMP/err"; then fail "symlink accepted"; fi
[ -L "$TMP/link.btfb" ] && [ "$(cat "$TMP/target")" = precious ] || fail "symlink or its target replaced"
one_error_line "$TMP/err" "$TMP/link.btfb" "symbolic link"
ok "embedgen refuses a symlink output: $(cat "$TMP/err")"
mkdir "$TMP/adir"
if "$EMBEDGEN" -q -o "$TMP/adir" "$tree" 2>"$TMP/err"; then fail "directory accepted"; fi
[ -d "$TMP/adir" ] || fail "directory replaced"
one_error_line "$TMP/err" "$TMP/adir" "directory"
ok "embedgen refuses a directory as -o"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$TMP/sock"
if "$EMBEDGEN" -q -o "$TMP/x.c" --header "$TMP/sock" "$tree" 2>"$TMP/err"; then fail "socket accepted"; fi
[ -S "$TMP/sock" ] || fail "socket replaced"
one_error_line "$TMP/err" "$TMP/sock" "not a regular file"
ok "embedgen refuses a socket as --header"

# --- btfgen -----------------------------------------------------------------
if "$BTFGEN" -q -o /dev/null "$in" "$PROBE" 2>"$TMP/err"; then fail "btfgen -o /dev/null accepted"; fi
is_chr_null || fail "btfgen replaced /dev/null"
one_error_line "$TMP/err" "/dev/null" "not a directory"
ok "btfgen -o /dev/null: one clear error, /dev/null intact"
"$BTFGEN" -q --json -o "$TMP/red" "$in" "$PROBE" >/dev/null || fail "btfgen --json >/dev/null"
ok "btfgen --json to /dev/null"

# --- btfhub-fetch -----------------------------------------------------------
if "$FETCH" -q -o /dev/null -s "$SRC/tests/data/btfhub" --cache-dir "$TMP/cache" --distro debian \
	--version 12 --arch x86_64 --release 6.1.0-56-amd64 2>"$TMP/err"; then
	fail "btfhub-fetch -o /dev/null accepted"
fi
is_chr_null || fail "btfhub-fetch replaced /dev/null"
one_error_line "$TMP/err" "/dev/null" "not a directory"
ok "btfhub-fetch -o /dev/null: one clear error, /dev/null intact"
echo '{"kernels": []}' >"$TMP/real.json"
ln -s "$TMP/real.json" "$TMP/m.json"
if "$FETCH" -q -m "$TMP/m.json" --add debian/12/x86_64/6.1.0-56-amd64 2>"$TMP/err"; then
	fail "btfhub-fetch replaced a symlinked manifest"
fi
[ -L "$TMP/m.json" ] && grep -q '"kernels": \[\]' "$TMP/real.json" || fail "manifest symlink replaced"
grep -q "symbolic link" "$TMP/err" || fail "no clear error: $(cat "$TMP/err")"
ok "btfhub-fetch refuses to replace a symlinked manifest"

# --- coretrace: writes standard output only ---------------------------------
# Exit 0 when it chose a BTF, 1 when none would do (an "error" instead):
# either way one JSON document, and the same exit into /dev/null.
rc=0
"$BUILD/tracer/coretrace" btf --json >"$TMP/btf.json" || rc=$?
python3 - "$TMP/btf.json" "$rc" <<'PY' || fail "coretrace btf --json (exit $rc): $(head -c 400 "$TMP/btf.json")"
import json, sys
d = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
assert isinstance(d, dict) and isinstance(d.get("steps"), list) and d["steps"], d
assert rc in (0, 1) and (rc == 0) == (d.get("source") is not None) == ("error" not in d), (rc, d)
PY
rc2=0
"$BUILD/tracer/coretrace" btf --json >/dev/null || rc2=$?
[ "$rc2" -eq "$rc" ] || fail "coretrace btf --json >/dev/null: exit $rc2, into a file $rc"
is_chr_null || fail "coretrace replaced /dev/null"
ok "coretrace btf --json: one JSON document (exit $rc), the same into /dev/null"
tap_done
