# SPDX-License-Identifier: BSD-2-Clause
# Real BTFHub kernels of this arch (/btf/hub/*.btf, reduced by btfgen against
# the tracer's object on the build machine) forced with --btf: libbpf must
# relocate every access and the programs load and attach on this kernel
# (--no-selfcheck: the BTF is another kernel's by design). libbpf's
# relocation log of the exit program goes to the console for the harness.
scenario_run() {
	_n=0
	for _btf in /btf/hub/*.btf; do
		_n=$((_n + 1))
		coretrace -vvv --no-selfcheck --btf-source=file --btf "$_btf" \
			-e exit -d 1 -c ctnothing >/tmp/hub.out 2>/tmp/hub.log
		_rc=$?
		{ echo "btf=$_btf"; grep "prog 'handle_exit': relo #" /tmp/hub.log; } >/tmp/hub$_n.out
		tail -n 3 /tmp/hub.log >/tmp/hub$_n.err
		show hub$_n $_rc
	done
	[ $_n -gt 0 ] || { verdict fail "no /btf/hub/*.btf"; return; }
	verdict pass "$_n BTFHub kernels' BTF forced"
}
