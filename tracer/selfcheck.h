/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The self-check: a wrong BTF does not fail to load, it makes the program
 * read garbage (a Debian 6.1 kernel's reduced BTF on a 6.18 kernel loads,
 * attaches and reports tgid -30591). So once attached, coretrace forks a
 * child that opens a marker path and execs /proc/self/exe, and compares the
 * decoded pid, tgid, ppid, uid, comm, path and filename with what it knows.
 */
#ifndef CORETRACE_SELFCHECK_H
#define CORETRACE_SELFCHECK_H

struct coretrace;
struct ct_reader;

/* argv[1] that makes coretrace act as the self-check child's exec image. */
#define SELFCHECK_CHILD_ARG "__coretrace_selfcheck_child"
/* Exit status of that image, checked in the exit event. */
#define SELFCHECK_STATUS 42

/*
 * Run the check against the attached @skel. Returns 0 if every decoded
 * field matched; otherwise prints ONE line, "BTF does not match this kernel
 * (source: @btf_desc): <first mismatch>", and returns -EPROTO (or another
 * negative errno if the check itself could not run, also printed).
 * Reads through @r (its callback is replaced), and consumes whatever else
 * is in the buffer meanwhile.
 */
int selfcheck__run(struct coretrace *skel, struct ct_reader *r, const char *btf_desc);

#endif
