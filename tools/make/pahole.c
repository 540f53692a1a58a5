// SPDX-License-Identifier: BSD-2-Clause
/*
 * DWARF -> BTF the way BTFHub's generator makes it:
 *   pahole --btf_encode_detached OUT vmlinux
 * (aquasecurity/btfhub pkg/job/utils.go GenerateBTF: no other flag). pahole
 * is found once per run (--pahole PATH, else PATH's) and its version read
 * once and recorded in every such kernel's "how". The vmlinux and the
 * output are this process's anonymous files, handed over as /proc/PID/fd/N.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errmsg.h"
#include "escape.h"
#include "jobpool.h"
#include "readers.h"

#define PAHOLE_OUTPUT_MAX (16 << 10)

/* @name as execvp() would find it: a path as is, a bare name in $PATH. */
static int find_program(const char *name, char *out, size_t sz)
{
	const char *path = getenv("PATH") ?: "/usr/local/bin:/usr/bin:/bin", *p, *end;

	if (strchr(name, '/')) {
		if (access(name, X_OK))
			return -errno;
		snprintf(out, sz, "%s", name);
		return 0;
	}
	for (p = path; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (snprintf(out, sz, "%.*s/%s", (int)(end - p), p, name) < (int)sz &&
		    !access(out, X_OK))
			return 0;
	}
	return -ENOENT;
}

/* Once per maker: find pahole and read its version ("v1.24" -> "1.24"). */
static int pahole_check(struct maker *m)
{
	char *argv[3] = { m->pahole_path, "--version", NULL }, *out = NULL, *v;
	int status, err;

	err = find_program(m->pahole, m->pahole_path, sizeof(m->pahole_path));
	if (err)
		return err;
	err = jobpool__run_capture(argv, &status, &out, 256);
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status)))
		err = -ENOEXEC;
	if (!err) {
		v = out + strspn(out, "v \t");
		v[strcspn(v, " \t\r\n")] = '\0';
		if (!*v || strspn(v, "0123456789.") != strlen(v))
			err = -ENOEXEC;
		else
			snprintf(m->pahole_version, sizeof(m->pahole_version), "%s", v);
	}
	free(out);
	return err;
}

int pahole__btf(struct make_job *job, int fd)
{
	struct maker *m = job->m;
	char in_path[64], out_path[64], how[48], *output = NULL;
	char *argv[] = { m->pahole_path, "--btf_encode_detached", out_path, in_path, NULL };
	struct stat st;
	int out, status, err;

	pthread_mutex_lock(&m->pahole_lock);
	if (!m->pahole_checked) {
		m->pahole_err = pahole_check(m);
		m->pahole_checked = true;
	}
	err = m->pahole_err;
	pthread_mutex_unlock(&m->pahole_lock);
	if (err)
		return job__fail(job, err, "DWARF only, and pahole '%s' %s", ESC(m->pahole),
				 err == -ENOENT ? "is not found (install dwarves or give --pahole)"
						: "does not run or print its version");
	out = memfd_create("btfhub-make-pahole", MFD_CLOEXEC);
	if (out < 0)
		return job__fail(job, -errno, "memfd_create: %s", errmsg(-errno));
	snprintf(in_path, sizeof(in_path), "/proc/%d/fd/%d", (int)getpid(), fd);
	snprintf(out_path, sizeof(out_path), "/proc/%d/fd/%d", (int)getpid(), out);
	/* pahole's memory is its own: other kernels may use this one's slot meanwhile */
	maker__slot_give(m);
	err = jobpool__run_capture(argv, &status, &output, PAHOLE_OUTPUT_MAX);
	maker__slot_take(m);
	if (err) {
		job__fail(job, err, "cannot run %s: %s", ESC(m->pahole_path), errmsg(err));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* pahole's own last words, on the same line */
		char *nl;

		while ((nl = strrchr(output, '\n')) && !nl[1])
			*nl = '\0';
		nl = strrchr(output, '\n');
		err = job__fail(job, -EBADMSG, "pahole %s: %s", WIFEXITED(status) ? "failed" :
				"was killed", ESC_N(nl ? nl + 1 : output, 300));
	} else if (fstat(out, &st)) {
		err = job__fail(job, -errno, "pahole's output: %s", errmsg(-errno));
	} else if (!st.st_size) {
		err = job__fail(job, -EBADMSG, "pahole wrote no BTF: %s", ESC_N(output, 300));
	} else {
		snprintf(how, sizeof(how), "pahole=%s", m->pahole_version);
		job__how(job, how);
		job->dwarf = true;
		err = infile__take_btf(job, out, 0, st.st_size);
	}
	free(output);
	close(out);
	return err;
}
