// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>

#include "sysenv.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#define TRACEFS_MAGIC 0x74726163

#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"
#define TRACEFS "/sys/kernel/tracing"

static bool cap_effective(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int sysenv__check_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (geteuid() == 0)
		return 0;
	/* glibc has no capget() wrapper without libcap; the syscall is stable. */
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (cap_effective(data, CAP_SYS_ADMIN))
		return 0;
	if (cap_effective(data, CAP_BPF) && cap_effective(data, CAP_PERFMON))
		return 0;
	return -EPERM;
}

/* The inode of the initial PID namespace is fixed (PROC_PID_INIT_INO). */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

int sysenv__check_pidns(void)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st))
		return -errno;
	return st.st_ino == PROC_PID_INIT_INO ? 0 : -EXDEV;
}

static const char *tracing_dir(void)
{
	/* Same preference as libbpf: debugfs's tracing dir if it exists. */
	if (!access(DEBUGFS_TRACING, F_OK))
		return DEBUGFS_TRACING;
	return TRACEFS;
}

static bool is_tracefs(const char *dir)
{
	struct statfs st;
	char events[256];

	if (statfs(dir, &st))
		return false;
	if ((unsigned long)st.f_type == TRACEFS_MAGIC)
		return true;
	/* Old kernels: tracing inside debugfs, no separate tracefs. */
	snprintf(events, sizeof(events), "%s/events", dir);
	return !access(events, F_OK);
}

int sysenv__ensure_tracefs(void)
{
	const char *dir = tracing_dir();

	if (is_tracefs(dir))
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	return is_tracefs(TRACEFS) ? 0 : -ENOENT;
}

bool sysenv__has_tracepoint(const char *category, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/events/%s/%s", tracing_dir(), category, name);
	return !access(path, F_OK);
}
