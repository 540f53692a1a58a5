// SPDX-License-Identifier: BSD-2-Clause
/*
 * The first Linux release of each BPF facility the audit looks for.
 *
 * Sources: bcc's "BPF Features by Linux Kernel Version"
 * (https://github.com/iovisor/bcc/blob/master/docs/kernel-versions.md:
 * program types, map types, helpers, bpf2bpf calls), cross-checked with
 * the kernel's include/uapi/linux/bpf.h (helper, program and map type ids
 * are the enum values there; the names below were checked against Linux
 * 6.1's ___BPF_FUNC_MAPPER). Facilities that are not an enum value:
 *   - global data (.rodata/.data/.bss maps): 5.2, d8eca5bbb2be "bpf:
 *     implement lookup-free direct value access for maps";
 *   - programs over 4096 instructions: 5.2, c04c0d2b968a "bpf: increase
 *     complexity limit and maximum program size" (BPF_MAXINSNS before);
 *   - bounded loops (back edges): 5.3, 2589726d12a1 "bpf: introduce
 *     bounded loops";
 *   - JMP32 instructions: 5.1, 092ed0968bb6 "bpf: verifier support JMP32";
 *   - BPF_JLT/JLE/JSLT/JSLE: 4.14, 92b31a9af73b "bpf: add BPF_J{LT,LE,SLT,SLE}
 *     instructions";
 *   - kfunc calls: 5.13 (e6ac2450d6de), ksym (BTF id) externs: 5.10
 *     (4976b718c355);
 *   - tracepoints: sock:inet_sock_set_state 4.16 (563e0bb0dc74),
 *     syscalls:sys_enter_openat2 with the openat2(2) syscall, 5.6 (fddb5d430ad9).
 * libbpf rewrites bpf_probe_read_{kernel,user}[_str] into
 * bpf_probe_read[_str] where the kernel lacks them (bpf_object__sanitize_prog),
 * so those count as the older helpers.
 */
#include <string.h>
#include <linux/bpf.h>

#include "bpf_audit.h"
#include "facilities.h"

static const struct facility helpers[] = {
	[1] = { "bpf_map_lookup_elem", AUDIT_KV(3, 19) },
	[2] = { "bpf_map_update_elem", AUDIT_KV(3, 19) },
	[3] = { "bpf_map_delete_elem", AUDIT_KV(3, 19) },
	[4] = { "bpf_probe_read", AUDIT_KV(4, 1) },
	[5] = { "bpf_ktime_get_ns", AUDIT_KV(4, 1) },
	[6] = { "bpf_trace_printk", AUDIT_KV(4, 1) },
	[7] = { "bpf_get_prandom_u32", AUDIT_KV(4, 1) },
	[8] = { "bpf_get_smp_processor_id", AUDIT_KV(4, 1) },
	[9] = { "bpf_skb_store_bytes", AUDIT_KV(4, 1) },
	[10] = { "bpf_l3_csum_replace", AUDIT_KV(4, 1) },
	[11] = { "bpf_l4_csum_replace", AUDIT_KV(4, 1) },
	[12] = { "bpf_tail_call", AUDIT_KV(4, 2) },
	[13] = { "bpf_clone_redirect", AUDIT_KV(4, 2) },
	[14] = { "bpf_get_current_pid_tgid", AUDIT_KV(4, 2) },
	[15] = { "bpf_get_current_uid_gid", AUDIT_KV(4, 2) },
	[16] = { "bpf_get_current_comm", AUDIT_KV(4, 2) },
	[17] = { "bpf_get_cgroup_classid", AUDIT_KV(4, 3) },
	[18] = { "bpf_skb_vlan_push", AUDIT_KV(4, 3) },
	[19] = { "bpf_skb_vlan_pop", AUDIT_KV(4, 3) },
	[20] = { "bpf_skb_get_tunnel_key", AUDIT_KV(4, 3) },
	[21] = { "bpf_skb_set_tunnel_key", AUDIT_KV(4, 3) },
	[22] = { "bpf_perf_event_read", AUDIT_KV(4, 3) },
	[23] = { "bpf_redirect", AUDIT_KV(4, 4) },
	[24] = { "bpf_get_route_realm", AUDIT_KV(4, 4) },
	[25] = { "bpf_perf_event_output", AUDIT_KV(4, 4) },
	[26] = { "bpf_skb_load_bytes", AUDIT_KV(4, 5) },
	[27] = { "bpf_get_stackid", AUDIT_KV(4, 6) },
	[28] = { "bpf_csum_diff", AUDIT_KV(4, 6) },
	[29] = { "bpf_skb_get_tunnel_opt", AUDIT_KV(4, 6) },
	[30] = { "bpf_skb_set_tunnel_opt", AUDIT_KV(4, 6) },
	[31] = { "bpf_skb_change_proto", AUDIT_KV(4, 8) },
	[32] = { "bpf_skb_change_type", AUDIT_KV(4, 8) },
	[33] = { "bpf_skb_under_cgroup", AUDIT_KV(4, 8) },
	[34] = { "bpf_get_hash_recalc", AUDIT_KV(4, 8) },
	[35] = { "bpf_get_current_task", AUDIT_KV(4, 8) },
	[36] = { "bpf_probe_write_user", AUDIT_KV(4, 8) },
	[37] = { "bpf_current_task_under_cgroup", AUDIT_KV(4, 9) },
	[38] = { "bpf_skb_change_tail", AUDIT_KV(4, 9) },
	[39] = { "bpf_skb_pull_data", AUDIT_KV(4, 9) },
	[40] = { "bpf_csum_update", AUDIT_KV(4, 9) },
	[41] = { "bpf_set_hash_invalid", AUDIT_KV(4, 9) },
	[42] = { "bpf_get_numa_node_id", AUDIT_KV(4, 10) },
	[43] = { "bpf_skb_change_head", AUDIT_KV(4, 10) },
	[44] = { "bpf_xdp_adjust_head", AUDIT_KV(4, 10) },
	[45] = { "bpf_probe_read_str", AUDIT_KV(4, 11) },
	[46] = { "bpf_get_socket_cookie", AUDIT_KV(4, 12) },
	[47] = { "bpf_get_socket_uid", AUDIT_KV(4, 12) },
	[48] = { "bpf_set_hash", AUDIT_KV(4, 13) },
	[49] = { "bpf_setsockopt", AUDIT_KV(4, 13) },
	[50] = { "bpf_skb_adjust_room", AUDIT_KV(4, 13) },
	[51] = { "bpf_redirect_map", AUDIT_KV(4, 14) },
	[52] = { "bpf_sk_redirect_map", AUDIT_KV(4, 14) },
	[53] = { "bpf_sock_map_update", AUDIT_KV(4, 14) },
	[54] = { "bpf_xdp_adjust_meta", AUDIT_KV(4, 15) },
	[55] = { "bpf_perf_event_read_value", AUDIT_KV(4, 15) },
	[56] = { "bpf_perf_prog_read_value", AUDIT_KV(4, 15) },
	[57] = { "bpf_getsockopt", AUDIT_KV(4, 15) },
	[58] = { "bpf_override_return", AUDIT_KV(4, 16) },
	[59] = { "bpf_sock_ops_cb_flags_set", AUDIT_KV(4, 16) },
	[60] = { "bpf_msg_redirect_map", AUDIT_KV(4, 17) },
	[61] = { "bpf_msg_apply_bytes", AUDIT_KV(4, 17) },
	[62] = { "bpf_msg_cork_bytes", AUDIT_KV(4, 17) },
	[63] = { "bpf_msg_pull_data", AUDIT_KV(4, 17) },
	[64] = { "bpf_bind", AUDIT_KV(4, 17) },
	[65] = { "bpf_xdp_adjust_tail", AUDIT_KV(4, 18) },
	[66] = { "bpf_skb_get_xfrm_state", AUDIT_KV(4, 18) },
	[67] = { "bpf_get_stack", AUDIT_KV(4, 18) },
	[68] = { "bpf_skb_load_bytes_relative", AUDIT_KV(4, 18) },
	[69] = { "bpf_fib_lookup", AUDIT_KV(4, 18) },
	[70] = { "bpf_sock_hash_update", AUDIT_KV(4, 18) },
	[71] = { "bpf_msg_redirect_hash", AUDIT_KV(4, 18) },
	[72] = { "bpf_sk_redirect_hash", AUDIT_KV(4, 18) },
	[73] = { "bpf_lwt_push_encap", AUDIT_KV(4, 18) },
	[74] = { "bpf_lwt_seg6_store_bytes", AUDIT_KV(4, 18) },
	[75] = { "bpf_lwt_seg6_adjust_srh", AUDIT_KV(4, 18) },
	[76] = { "bpf_lwt_seg6_action", AUDIT_KV(4, 18) },
	[77] = { "bpf_rc_repeat", AUDIT_KV(4, 18) },
	[78] = { "bpf_rc_keydown", AUDIT_KV(4, 18) },
	[79] = { "bpf_skb_cgroup_id", AUDIT_KV(4, 18) },
	[80] = { "bpf_get_current_cgroup_id", AUDIT_KV(4, 18) },
	[81] = { "bpf_get_local_storage", AUDIT_KV(4, 19) },
	[82] = { "bpf_sk_select_reuseport", AUDIT_KV(4, 19) },
	[83] = { "bpf_skb_ancestor_cgroup_id", AUDIT_KV(4, 19) },
	[84] = { "bpf_sk_lookup_tcp", AUDIT_KV(4, 20) },
	[85] = { "bpf_sk_lookup_udp", AUDIT_KV(4, 20) },
	[86] = { "bpf_sk_release", AUDIT_KV(4, 20) },
	[87] = { "bpf_map_push_elem", AUDIT_KV(4, 20) },
	[88] = { "bpf_map_pop_elem", AUDIT_KV(4, 20) },
	[89] = { "bpf_map_peek_elem", AUDIT_KV(4, 20) },
	[90] = { "bpf_msg_push_data", AUDIT_KV(4, 20) },
	[91] = { "bpf_msg_pop_data", AUDIT_KV(5, 0) },
	[92] = { "bpf_rc_pointer_rel", AUDIT_KV(5, 0) },
	[93] = { "bpf_spin_lock", AUDIT_KV(5, 1) },
	[94] = { "bpf_spin_unlock", AUDIT_KV(5, 1) },
	[95] = { "bpf_sk_fullsock", AUDIT_KV(5, 1) },
	[96] = { "bpf_tcp_sock", AUDIT_KV(5, 1) },
	[97] = { "bpf_skb_ecn_set_ce", AUDIT_KV(5, 1) },
	[98] = { "bpf_get_listener_sock", AUDIT_KV(5, 1) },
	[99] = { "bpf_skc_lookup_tcp", AUDIT_KV(5, 2) },
	[100] = { "bpf_tcp_check_syncookie", AUDIT_KV(5, 2) },
	[101] = { "bpf_sysctl_get_name", AUDIT_KV(5, 2) },
	[102] = { "bpf_sysctl_get_current_value", AUDIT_KV(5, 2) },
	[103] = { "bpf_sysctl_get_new_value", AUDIT_KV(5, 2) },
	[104] = { "bpf_sysctl_set_new_value", AUDIT_KV(5, 2) },
	[105] = { "bpf_strtol", AUDIT_KV(5, 2) },
	[106] = { "bpf_strtoul", AUDIT_KV(5, 2) },
	[107] = { "bpf_sk_storage_get", AUDIT_KV(5, 2) },
	[108] = { "bpf_sk_storage_delete", AUDIT_KV(5, 2) },
	[109] = { "bpf_send_signal", AUDIT_KV(5, 3) },
	[110] = { "bpf_tcp_gen_syncookie", AUDIT_KV(5, 3) },
	[111] = { "bpf_skb_output", AUDIT_KV(5, 5) },
	[112] = { "bpf_probe_read_user", AUDIT_KV(5, 5) },
	[113] = { "bpf_probe_read_kernel", AUDIT_KV(5, 5) },
	[114] = { "bpf_probe_read_user_str", AUDIT_KV(5, 5) },
	[115] = { "bpf_probe_read_kernel_str", AUDIT_KV(5, 5) },
	[116] = { "bpf_tcp_send_ack", AUDIT_KV(5, 5) },
	[117] = { "bpf_send_signal_thread", AUDIT_KV(5, 5) },
	[118] = { "bpf_jiffies64", AUDIT_KV(5, 5) },
	[119] = { "bpf_read_branch_records", AUDIT_KV(5, 6) },
	[120] = { "bpf_get_ns_current_pid_tgid", AUDIT_KV(5, 7) },
	[121] = { "bpf_xdp_output", AUDIT_KV(5, 6) },
	[122] = { "bpf_get_netns_cookie", AUDIT_KV(5, 7) },
	[123] = { "bpf_get_current_ancestor_cgroup_id", AUDIT_KV(5, 7) },
	[124] = { "bpf_sk_assign", AUDIT_KV(5, 6) },
	[125] = { "bpf_ktime_get_boot_ns", AUDIT_KV(5, 8) },
	[126] = { "bpf_seq_printf", AUDIT_KV(5, 7) },
	[127] = { "bpf_seq_write", AUDIT_KV(5, 7) },
	[128] = { "bpf_sk_cgroup_id", AUDIT_KV(5, 8) },
	[129] = { "bpf_sk_ancestor_cgroup_id", AUDIT_KV(5, 8) },
	[130] = { "bpf_ringbuf_output", AUDIT_KV(5, 8) },
	[131] = { "bpf_ringbuf_reserve", AUDIT_KV(5, 8) },
	[132] = { "bpf_ringbuf_submit", AUDIT_KV(5, 8) },
	[133] = { "bpf_ringbuf_discard", AUDIT_KV(5, 8) },
	[134] = { "bpf_ringbuf_query", AUDIT_KV(5, 8) },
	[135] = { "bpf_csum_level", AUDIT_KV(5, 8) },
	[136] = { "bpf_skc_to_tcp6_sock", AUDIT_KV(5, 9) },
	[137] = { "bpf_skc_to_tcp_sock", AUDIT_KV(5, 9) },
	[138] = { "bpf_skc_to_tcp_timewait_sock", AUDIT_KV(5, 9) },
	[139] = { "bpf_skc_to_tcp_request_sock", AUDIT_KV(5, 9) },
	[140] = { "bpf_skc_to_udp6_sock", AUDIT_KV(5, 9) },
	[141] = { "bpf_get_task_stack", AUDIT_KV(5, 9) },
	[142] = { "bpf_load_hdr_opt", AUDIT_KV(5, 10) },
	[143] = { "bpf_store_hdr_opt", AUDIT_KV(5, 10) },
	[144] = { "bpf_reserve_hdr_opt", AUDIT_KV(5, 10) },
	[145] = { "bpf_inode_storage_get", AUDIT_KV(5, 10) },
	[146] = { "bpf_inode_storage_delete", AUDIT_KV(5, 10) },
	[147] = { "bpf_d_path", AUDIT_KV(5, 10) },
	[148] = { "bpf_copy_from_user", AUDIT_KV(5, 10) },
	[149] = { "bpf_snprintf_btf", AUDIT_KV(5, 10) },
	[150] = { "bpf_seq_printf_btf", AUDIT_KV(5, 10) },
	[151] = { "bpf_skb_cgroup_classid", AUDIT_KV(5, 10) },
	[152] = { "bpf_redirect_neigh", AUDIT_KV(5, 10) },
	[153] = { "bpf_per_cpu_ptr", AUDIT_KV(5, 10) },
	[154] = { "bpf_this_cpu_ptr", AUDIT_KV(5, 10) },
	[155] = { "bpf_redirect_peer", AUDIT_KV(5, 10) },
	[156] = { "bpf_task_storage_get", AUDIT_KV(5, 11) },
	[157] = { "bpf_task_storage_delete", AUDIT_KV(5, 11) },
	[158] = { "bpf_get_current_task_btf", AUDIT_KV(5, 11) },
	[159] = { "bpf_bprm_opts_set", AUDIT_KV(5, 11) },
	[160] = { "bpf_ktime_get_coarse_ns", AUDIT_KV(5, 11) },
	[161] = { "bpf_ima_inode_hash", AUDIT_KV(5, 11) },
	[162] = { "bpf_sock_from_file", AUDIT_KV(5, 11) },
	[163] = { "bpf_check_mtu", AUDIT_KV(5, 12) },
	[164] = { "bpf_for_each_map_elem", AUDIT_KV(5, 13) },
	[165] = { "bpf_snprintf", AUDIT_KV(5, 13) },
	[166] = { "bpf_sys_bpf", AUDIT_KV(5, 14) },
	[167] = { "bpf_btf_find_by_name_kind", AUDIT_KV(5, 14) },
	[168] = { "bpf_sys_close", AUDIT_KV(5, 14) },
	[169] = { "bpf_timer_init", AUDIT_KV(5, 15) },
	[170] = { "bpf_timer_set_callback", AUDIT_KV(5, 15) },
	[171] = { "bpf_timer_start", AUDIT_KV(5, 15) },
	[172] = { "bpf_timer_cancel", AUDIT_KV(5, 15) },
	[173] = { "bpf_get_func_ip", AUDIT_KV(5, 15) },
	[174] = { "bpf_get_attach_cookie", AUDIT_KV(5, 15) },
	[175] = { "bpf_task_pt_regs", AUDIT_KV(5, 15) },
	[176] = { "bpf_get_branch_snapshot", AUDIT_KV(5, 16) },
	[177] = { "bpf_trace_vprintk", AUDIT_KV(5, 16) },
	[178] = { "bpf_skc_to_unix_sock", AUDIT_KV(5, 16) },
	[179] = { "bpf_kallsyms_lookup_name", AUDIT_KV(5, 16) },
	[180] = { "bpf_find_vma", AUDIT_KV(5, 17) },
	[181] = { "bpf_loop", AUDIT_KV(5, 17) },
	[182] = { "bpf_strncmp", AUDIT_KV(5, 17) },
	[183] = { "bpf_get_func_arg", AUDIT_KV(5, 17) },
	[184] = { "bpf_get_func_ret", AUDIT_KV(5, 17) },
	[185] = { "bpf_get_func_arg_cnt", AUDIT_KV(5, 17) },
	[186] = { "bpf_get_retval", AUDIT_KV(5, 18) },
	[187] = { "bpf_set_retval", AUDIT_KV(5, 18) },
	[188] = { "bpf_xdp_get_buff_len", AUDIT_KV(5, 18) },
	[189] = { "bpf_xdp_load_bytes", AUDIT_KV(5, 18) },
	[190] = { "bpf_xdp_store_bytes", AUDIT_KV(5, 18) },
	[191] = { "bpf_copy_from_user_task", AUDIT_KV(5, 18) },
	[192] = { "bpf_skb_set_tstamp", AUDIT_KV(5, 18) },
	[193] = { "bpf_ima_file_hash", AUDIT_KV(5, 18) },
	[194] = { "bpf_kptr_xchg", AUDIT_KV(5, 19) },
	[195] = { "bpf_map_lookup_percpu_elem", AUDIT_KV(5, 19) },
	[196] = { "bpf_skc_to_mptcp_sock", AUDIT_KV(5, 19) },
	[197] = { "bpf_dynptr_from_mem", AUDIT_KV(5, 19) },
	[198] = { "bpf_ringbuf_reserve_dynptr", AUDIT_KV(5, 19) },
	[199] = { "bpf_ringbuf_submit_dynptr", AUDIT_KV(5, 19) },
	[200] = { "bpf_ringbuf_discard_dynptr", AUDIT_KV(5, 19) },
	[201] = { "bpf_dynptr_read", AUDIT_KV(5, 19) },
	[202] = { "bpf_dynptr_write", AUDIT_KV(5, 19) },
	[203] = { "bpf_dynptr_data", AUDIT_KV(5, 19) },
	[204] = { "bpf_tcp_raw_gen_syncookie_ipv4", AUDIT_KV(6, 0) },
	[205] = { "bpf_tcp_raw_gen_syncookie_ipv6", AUDIT_KV(6, 0) },
	[206] = { "bpf_tcp_raw_check_syncookie_ipv4", AUDIT_KV(6, 0) },
	[207] = { "bpf_tcp_raw_check_syncookie_ipv6", AUDIT_KV(6, 0) },
	[208] = { "bpf_ktime_get_tai_ns", AUDIT_KV(6, 1) },
	[209] = { "bpf_user_ringbuf_drain", AUDIT_KV(6, 1) },
	[210] = { "bpf_cgrp_storage_get", AUDIT_KV(6, 2) },
	[211] = { "bpf_cgrp_storage_delete", AUDIT_KV(6, 2) },
};

static const struct facility prog_types[] = {
	[BPF_PROG_TYPE_SOCKET_FILTER] = { "socket filter", AUDIT_KV(3, 19) },
	[BPF_PROG_TYPE_KPROBE] = { "kprobe", AUDIT_KV(4, 1) },
	[BPF_PROG_TYPE_SCHED_CLS] = { "tc classifier", AUDIT_KV(4, 1) },
	[BPF_PROG_TYPE_SCHED_ACT] = { "tc action", AUDIT_KV(4, 1) },
	[BPF_PROG_TYPE_TRACEPOINT] = { "tracepoint", AUDIT_KV(4, 7) },
	[BPF_PROG_TYPE_XDP] = { "xdp", AUDIT_KV(4, 8) },
	[BPF_PROG_TYPE_PERF_EVENT] = { "perf event", AUDIT_KV(4, 9) },
	[BPF_PROG_TYPE_CGROUP_SKB] = { "cgroup skb", AUDIT_KV(4, 10) },
	[BPF_PROG_TYPE_CGROUP_SOCK] = { "cgroup sock", AUDIT_KV(4, 10) },
	[BPF_PROG_TYPE_LWT_IN] = { "lwt in", AUDIT_KV(4, 10) },
	[BPF_PROG_TYPE_LWT_OUT] = { "lwt out", AUDIT_KV(4, 10) },
	[BPF_PROG_TYPE_LWT_XMIT] = { "lwt xmit", AUDIT_KV(4, 10) },
	[BPF_PROG_TYPE_SOCK_OPS] = { "sock ops", AUDIT_KV(4, 13) },
	[BPF_PROG_TYPE_SK_SKB] = { "sk skb", AUDIT_KV(4, 14) },
	[BPF_PROG_TYPE_CGROUP_DEVICE] = { "cgroup device", AUDIT_KV(4, 15) },
	[BPF_PROG_TYPE_SK_MSG] = { "sk msg", AUDIT_KV(4, 17) },
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = { "raw tracepoint", AUDIT_KV(4, 17) },
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = { "cgroup sock addr", AUDIT_KV(4, 17) },
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = { "lwt seg6local", AUDIT_KV(4, 18) },
	[BPF_PROG_TYPE_LIRC_MODE2] = { "lirc mode2", AUDIT_KV(4, 18) },
	[BPF_PROG_TYPE_SK_REUSEPORT] = { "sk reuseport", AUDIT_KV(4, 19) },
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = { "flow dissector", AUDIT_KV(4, 20) },
	[BPF_PROG_TYPE_CGROUP_SYSCTL] = { "cgroup sysctl", AUDIT_KV(5, 2) },
	[BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = { "writable raw tracepoint", AUDIT_KV(5, 2) },
	[BPF_PROG_TYPE_CGROUP_SOCKOPT] = { "cgroup sockopt", AUDIT_KV(5, 3) },
	[BPF_PROG_TYPE_TRACING] = { "tracing (fentry/fexit/tp_btf)", AUDIT_KV(5, 5) },
	[BPF_PROG_TYPE_STRUCT_OPS] = { "struct_ops", AUDIT_KV(5, 6) },
	[BPF_PROG_TYPE_EXT] = { "freplace", AUDIT_KV(5, 6) },
	[BPF_PROG_TYPE_LSM] = { "lsm", AUDIT_KV(5, 7) },
	[BPF_PROG_TYPE_SK_LOOKUP] = { "sk lookup", AUDIT_KV(5, 9) },
	[BPF_PROG_TYPE_SYSCALL] = { "syscall", AUDIT_KV(5, 14) },
};

static const struct facility map_types[] = {
	[BPF_MAP_TYPE_HASH] = { "hash", AUDIT_KV(3, 19) },
	[BPF_MAP_TYPE_ARRAY] = { "array", AUDIT_KV(3, 19) },
	[BPF_MAP_TYPE_PROG_ARRAY] = { "prog array", AUDIT_KV(4, 2) },
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = { "perf event array", AUDIT_KV(4, 3) },
	[BPF_MAP_TYPE_PERCPU_HASH] = { "per-CPU hash", AUDIT_KV(4, 6) },
	[BPF_MAP_TYPE_PERCPU_ARRAY] = { "per-CPU array", AUDIT_KV(4, 6) },
	[BPF_MAP_TYPE_STACK_TRACE] = { "stack trace", AUDIT_KV(4, 6) },
	[BPF_MAP_TYPE_CGROUP_ARRAY] = { "cgroup array", AUDIT_KV(4, 8) },
	[BPF_MAP_TYPE_LRU_HASH] = { "LRU hash", AUDIT_KV(4, 10) },
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = { "LRU per-CPU hash", AUDIT_KV(4, 10) },
	[BPF_MAP_TYPE_LPM_TRIE] = { "LPM trie", AUDIT_KV(4, 11) },
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = { "array of maps", AUDIT_KV(4, 12) },
	[BPF_MAP_TYPE_HASH_OF_MAPS] = { "hash of maps", AUDIT_KV(4, 12) },
	[BPF_MAP_TYPE_DEVMAP] = { "devmap", AUDIT_KV(4, 14) },
	[BPF_MAP_TYPE_SOCKMAP] = { "sockmap", AUDIT_KV(4, 14) },
	[BPF_MAP_TYPE_CPUMAP] = { "cpumap", AUDIT_KV(4, 15) },
	[BPF_MAP_TYPE_XSKMAP] = { "xskmap", AUDIT_KV(4, 18) },
	[BPF_MAP_TYPE_SOCKHASH] = { "sockhash", AUDIT_KV(4, 18) },
	[BPF_MAP_TYPE_CGROUP_STORAGE] = { "cgroup storage", AUDIT_KV(4, 19) },
	[BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = { "reuseport sockarray", AUDIT_KV(4, 19) },
	[BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = { "per-CPU cgroup storage", AUDIT_KV(4, 20) },
	[BPF_MAP_TYPE_QUEUE] = { "queue", AUDIT_KV(4, 20) },
	[BPF_MAP_TYPE_STACK] = { "stack", AUDIT_KV(4, 20) },
	[BPF_MAP_TYPE_SK_STORAGE] = { "sk storage", AUDIT_KV(5, 2) },
	[BPF_MAP_TYPE_DEVMAP_HASH] = { "devmap hash", AUDIT_KV(5, 4) },
	[BPF_MAP_TYPE_STRUCT_OPS] = { "struct_ops", AUDIT_KV(5, 6) },
	[BPF_MAP_TYPE_RINGBUF] = { "ring buffer", AUDIT_KV(5, 8) },
	[BPF_MAP_TYPE_INODE_STORAGE] = { "inode storage", AUDIT_KV(5, 10) },
	[BPF_MAP_TYPE_TASK_STORAGE] = { "task storage", AUDIT_KV(5, 11) },
	[BPF_MAP_TYPE_BLOOM_FILTER] = { "bloom filter", AUDIT_KV(5, 16) },
	[BPF_MAP_TYPE_USER_RINGBUF] = { "user ring buffer", AUDIT_KV(6, 1) },
};

static const struct facility tracepoints[] = {
	{ "inet_sock_set_state", AUDIT_KV(4, 16) },
	{ "sys_enter_openat2", AUDIT_KV(5, 6) },
	{ "sys_exit_openat2", AUDIT_KV(5, 6) },
};

static const struct facility features[FEAT_CNT] = {
	[FEAT_BPF2BPF_CALLS] = { "bpf2bpf function calls", AUDIT_KV(4, 16) },
	[FEAT_JMP_V2] = { "BPF_JLT/JLE/JSLT/JSLE jumps (-mcpu=v2)", AUDIT_KV(4, 14) },
	[FEAT_JMP32] = { "JMP32 instructions (-mcpu=v3)", AUDIT_KV(5, 1) },
	[FEAT_GLOBAL_DATA] = { "global data (.rodata/.data/.bss/.kconfig)", AUDIT_KV(5, 2) },
	[FEAT_LONG_PROGRAM] = { "over 4096 instructions", AUDIT_KV(5, 2) },
	[FEAT_BOUNDED_LOOPS] = { "bounded loop (back edge)", AUDIT_KV(5, 3) },
	[FEAT_KFUNC_CALLS] = { "kfunc call", AUDIT_KV(5, 13) },
	[FEAT_KSYM] = { "ksym extern (BTF id)", AUDIT_KV(5, 10) },
};

#define LOOKUP(table, id)							\
	((id) < sizeof(table) / sizeof(table[0]) ? (table)[id] : (struct facility){ 0 })

bool facility__helper_needs_kernel_btf(int32_t id)
{
	switch (id) {
	case BPF_FUNC_skc_to_tcp6_sock:		/* these return PTR_TO_BTF_ID */
	case BPF_FUNC_skc_to_tcp_sock:
	case BPF_FUNC_skc_to_tcp_timewait_sock:
	case BPF_FUNC_skc_to_tcp_request_sock:
	case BPF_FUNC_skc_to_udp6_sock:
	case BPF_FUNC_get_current_task_btf:
	case BPF_FUNC_sock_from_file:
	case BPF_FUNC_task_pt_regs:		/* takes one */
	case BPF_FUNC_skc_to_unix_sock:
	case BPF_FUNC_skc_to_mptcp_sock:
		return true;
	default:
		return false;
	}
}

struct facility facility__helper(int32_t id)
{
	struct facility f;

	if (id < 0)
		return (struct facility){ 0 };
	f = LOOKUP(helpers, (uint32_t)id);
	/* libbpf falls back to bpf_probe_read[_str] (see the comment above). */
	switch (id) {
	case BPF_FUNC_probe_read_kernel:
	case BPF_FUNC_probe_read_user:
		f.kv = helpers[BPF_FUNC_probe_read].kv;
		break;
	case BPF_FUNC_probe_read_kernel_str:
	case BPF_FUNC_probe_read_user_str:
		f.kv = helpers[BPF_FUNC_probe_read_str].kv;
		break;
	}
	return f;
}

struct facility facility__prog_type(uint32_t type)
{
	return LOOKUP(prog_types, type);
}

struct facility facility__map_type(uint32_t type)
{
	return LOOKUP(map_types, type);
}

struct facility facility__tracepoint(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tracepoints) / sizeof(tracepoints[0]); i++)
		if (!strcmp(tracepoints[i].name, name))
			return tracepoints[i];
	return (struct facility){ 0 };
}

struct facility facility__feature(enum facility_feature f)
{
	return features[f];
}
