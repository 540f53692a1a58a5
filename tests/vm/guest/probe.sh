# SPDX-License-Identifier: BSD-2-Clause
# Harness self-test, independent of coretrace: vmprobe attaches a CO-RE
# tracepoint and checks the fields of its own child's exec event, first
# with the kernel's BTF, then with the kernel's BTF reduced on the host
# (btf_custom_path), then with another kernel's reduced BTF, which must
# not give correct events.
scenario_run() {
	section own vmprobe || { verdict fail "vmprobe with /sys/kernel/btf/vmlinux: rc=$?"; return; }
	section reduced vmprobe --btf /btf/reduced.btf ||
		{ verdict fail "vmprobe with the reduced BTF: rc=$?"; return; }
	if [ -f /btf/foreign.btf ]; then
		section foreign vmprobe --btf /btf/foreign.btf &&
			{ verdict fail "vmprobe passed with another kernel's BTF"; return; }
		verdict pass "own BTF, reduced BTF ok; foreign BTF rejected"
		return
	fi
	verdict pass "own BTF, reduced BTF ok"
}
