# SPDX-License-Identifier: BSD-2-Clause
# The case btfkit exists for: a kernel built without BTF (nobtf/), so no
# /sys/kernel/btf/vmlinux.
#  plain: coretrace, whose bundle lacks this kernel, fails clearly;
#  btf, trace: coretrace-nobtf, whose embedded bundle the build made from the
#    kernel's pahole BTF (btfgen, embedgen), with --btf-source=auto falls
#    back to that embedded entry and traces correctly;
#  btf2, trace2: coretrace with the bundle file the harness made at test time
#    from the booted kernel's own pahole BTF (--btf-bundle, step 4);
#  opensnoop, opensnoop-full: examples/opensnoop, an adopter's tool, through
#    a bundle reduced against its own object: traces with its const volatile
#    flag off; with it on (bpf_get_current_task_btf needs the kernel's own
#    BTF) fails to load in one clear line.
# The harness checks the sources, entries and event fields.
scenario_run() {
	[ -e /sys/kernel/btf/vmlinux ] &&
		{ verdict fail "this kernel has /sys/kernel/btf/vmlinux"; return; }
	section plain coretrace --json --duration 5 &&
		{ verdict fail "coretrace ran with no BTF for this kernel"; return; }
	section btf coretrace-nobtf btf --json ||
		{ verdict fail "coretrace-nobtf btf: rc=$?"; return; }
	CT=coretrace-nobtf trace trace --btf-source=auto ||
		{ verdict fail "coretrace-nobtf --btf-source=auto: rc=$?"; return; }
	section btf2 coretrace btf --btf-bundle /btf/nobtf.btfb --json ||
		{ verdict fail "coretrace btf --btf-bundle: rc=$?"; return; }
	trace trace2 --btf-source=auto --btf-bundle /btf/nobtf.btfb ||
		{ verdict fail "coretrace --btf-source=auto --btf-bundle: rc=$?"; return; }
	# An adopter's tool (examples/opensnoop), through its own bundle file.
	if [ -x /bin/opensnoop ]; then
		section opensnoop opensnoop --no-system --bundle /btf/opensnoop.btfb ||
			{ verdict fail "opensnoop: rc=$?"; return; }
		# Its 5.11 helper returns a pointer into the kernel's own BTF: on this
		# kernel the flag's branch cannot load, and must say so.
		section opensnoop-full opensnoop --no-system --bundle /btf/opensnoop.btfb --full-path &&
			{ verdict fail "opensnoop --full-path loaded on a kernel without BTF"; return; }
	fi
	verdict pass "no system BTF: refused without an entry, traced from the embedded entry and from a bundle file"
}
