/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btfgen inputs: the kernels found in a BTFHub-shaped tree
 * (<distro>/<version>/<arch>/<release>.btf or .btf.tar.xz), and unpacking
 * of one archive's BTF member into a file bpftool can read.
 */
#ifndef BTFGEN_INPUT_H
#define BTFGEN_INPUT_H

#include <stdbool.h>
#include <stddef.h>

struct input_kernel {
	char *path;	/* input file, IN_DIR-prefixed */
	char *rel;	/* "<distro>/<version>/<arch>/<release>", arch normalised */
	char *release;	/* points into rel */
	bool archive;	/* .btf.tar.xz rather than raw .btf */
};

struct input_list {
	struct input_kernel *v;
	size_t cnt;
	size_t cap;
};

/*
 * Collect the kernels under @dir (layout__walk()), sorted by rel. Entries
 * whose name starts with '.' are skipped, "aarch64" arch directories map
 * to "arm64", and when
 * two inputs name the same kernel (raw and archive, or aarch64 and arm64)
 * the first in sort order wins with a warning. Returns 0 or a negative
 * errno; the caller frees @list with input__free().
 */
int input__scan(const char *dir, struct input_list *list);
/*
 * Append the input @path of @kernel ("<distro>/<version>/<arch>/<release>")
 * to @list, for a caller that knows its kernels without a tree: then
 * input__sort(). Returns 0, -EINVAL (a bad name) or -ENOMEM.
 */
int input__add(struct input_list *list, const char *path, const char *kernel, bool archive);
/* Sort by kernel and drop repeats, as input__scan() does. */
void input__sort(struct input_list *list);
void input__free(struct input_list *list);
/* One entry's strings (the list's owner compacts the array itself). */
void input__kernel_free(struct input_kernel *k);

/*
 * Unpack the single member "<release>.btf" of the .btf.tar.xz open at
 * @archive_fd (read with pread(), its offset untouched), by
 * extract__btf_fd()'s rules, into a new anonymous file: a memfd when
 * @tmpdir is NULL, else an unnamed O_TMPFILE in @tmpdir. Nothing of it has
 * a name, so nothing outlives the process. Returns the descriptor
 * (close-on-exec, read-write, positioned anywhere) or a negative errno with
 * a one-line reason in @err. Thread-safe.
 */
int input__unpack(int archive_fd, const char *release, const char *tmpdir,
		  char *err, size_t err_sz);

#endif
