# SPDX-License-Identifier: BSD-2-Clause
# Helpers for the guest scenarios (sourced by /init).

VERDICT_DONE=

# verdict pass|fail|skip REASON: the line the harness reads; the first wins.
verdict() {
	[ -n "$VERDICT_DONE" ] && return 0
	VERDICT_DONE=1
	echo "BTFKIT-VM-VERDICT: $1 $2"
}

# section NAME CMD...: run CMD, print its stdout and stderr between markers
# the harness parses (NAME.out, NAME.err with rc=), return its exit status.
section() {
	_name=$1
	shift
	"$@" >/tmp/$_name.out 2>/tmp/$_name.err
	_rc=$?
	echo "BTFKIT-VM-BEGIN $_name.out"
	cat /tmp/$_name.out
	echo "BTFKIT-VM-END $_name.out rc=$_rc"
	echo "BTFKIT-VM-BEGIN $_name.err"
	cat /tmp/$_name.err
	echo "BTFKIT-VM-END $_name.err rc=$_rc"
	return $_rc
}
