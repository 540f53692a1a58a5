/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Checks of the running system before coretrace loads anything, so that a
 * bad environment gives one clear line instead of a verifier dump:
 * privileges, BPF ring buffer support, tracefs.
 */
#ifndef CORETRACE_SYSENV_H
#define CORETRACE_SYSENV_H

#include <stdbool.h>

/*
 * 0 if the process may load tracing BPF programs (root, CAP_SYS_ADMIN, or
 * CAP_BPF with CAP_PERFMON), -EPERM otherwise. Prints nothing.
 */
int sysenv__check_privileges(void);
/*
 * 0 in the initial PID namespace, -EXDEV in another one: there getpid()
 * differs from the ids the kernel reports, which the --pid filter and the
 * self-check compare with. -errno if it cannot be told.
 */
int sysenv__check_pidns(void);
/*
 * Make sure a tracefs is reachable where libbpf looks for tracepoint ids
 * (/sys/kernel/debug/tracing or /sys/kernel/tracing), mounting tracefs on
 * /sys/kernel/tracing if needed. Returns 0 or a negative errno.
 */
int sysenv__ensure_tracefs(void);
/* Whether tracepoint CATEGORY/NAME exists (needs sysenv__ensure_tracefs()). */
bool sysenv__has_tracepoint(const char *category, const char *name);

#endif
