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
	show $_name $_rc
	return $_rc
}

# show NAME: print /tmp/NAME.out and /tmp/NAME.err as sections (rc $2).
show() {
	echo "BTFKIT-VM-BEGIN $1.out"
	cat /tmp/$1.out
	echo "BTFKIT-VM-END $1.out rc=$2"
	echo "BTFKIT-VM-BEGIN $1.err"
	cat /tmp/$1.err
	echo "BTFKIT-VM-END $1.err rc=$2"
}

# trace NAME CORETRACE_OPTIONS...: run coretrace (or $CT) --json in the background,
# wait until it traces (after load, attach and self-check), cause an exec
# with argv, an open of a known path and a TCP connect to a guest-local
# port, each from a process whose pid is recorded, stop coretrace with
# SIGINT and print its output (section NAME) and what the events must say
# (section NAME-expect). The harness checks the fields. Returns coretrace's
# exit status.
trace() {
	_name=$1
	shift
	echo btfkit-vm > /tmp/btfkit-open-marker
	printf 'GET / HTTP/1.0\r\n\r\n' > /tmp/btfkit-http-req
	mkdir -p /tmp/www
	httpd -f -p 127.0.0.1:7777 -h /tmp/www &
	_httpd=$!
	# -v: the BTF steps and the self-check result go to stderr.
	# $BUFFER (from the harness's --buffer): the event transport to force.
	${CT:-coretrace} -v ${BUFFER:+--buffer=$BUFFER} "$@" --json --duration 300 \
		>/tmp/$_name.out 2>/tmp/$_name.err &
	_ct=$!
	_i=0
	_ready=0
	# Up to 120 s: loading under TCG on a busy host is slow.
	while [ $_i -lt 600 ]; do
		if grep -q 'coretrace: tracing' /tmp/$_name.err; then
			_ready=1
			break
		fi
		kill -0 $_ct 2>/dev/null || break
		usleep 200000
		_i=$((_i + 1))
	done
	_t=
	if [ $_ready = 1 ]; then
		# Boot to first event, for bench/arch: the guest's uptime now.
		_t=$(cut -d' ' -f1 /proc/uptime)
		# A path with a slash makes busybox sh execve() the applet
		# instead of running it in-process.
		sh -c 'echo $$ >/tmp/exec.pid; exec /bin/echo btfkit-argv-1 "two words"' >/dev/null
		sh -c 'echo $$ >/tmp/open.pid; exec /bin/cat /tmp/btfkit-open-marker' >/dev/null
		# nc, not wget: static busybox's wget crashes in getaddrinfo.
		sh -c 'echo $$ >/tmp/connect.pid; exec /bin/nc -w 10 127.0.0.1 7777' \
			</tmp/btfkit-http-req >/dev/null 2>&1
		sleep 1
		kill -INT $_ct
	fi
	wait $_ct
	_rc=$?
	kill $_httpd
	wait $_httpd 2>/dev/null
	show $_name $_rc
	echo "BTFKIT-VM-BEGIN $_name-expect.out"
	echo "ready=$_ready"
	echo "release=$(uname -r)"
	echo "buffer=${BUFFER:-auto}"
	echo "ppid=$$"
	echo "exec_pid=$(cat /tmp/exec.pid 2>/dev/null)"
	echo "open_pid=$(cat /tmp/open.pid 2>/dev/null)"
	echo "connect_pid=$(cat /tmp/connect.pid 2>/dev/null)"
	echo "first_event_uptime=$_t"
	echo "BTFKIT-VM-END $_name-expect.out rc=0"
	[ $_ready = 1 ] || return 99
	return $_rc
}
