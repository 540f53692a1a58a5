/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What btfhub-make's modules share privately: the maker, the per-kernel job
 * every input reader fills, and the scratch files big payloads go to.
 */
#ifndef BTFKIT_MAKE_INTERNAL_H
#define BTFKIT_MAKE_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "make.h"

struct maker {
	char *out_dir;
	char *pahole;		/* as given, or "pahole" */
	uint64_t max_payload;
	bool force;
	const volatile sig_atomic_t *cancel;
	enum make_prefer prefer;
	uint32_t xz_preset;	/* 0-9 | MAKE_XZ_EXTREME */
	/*
	 * When this run began, by the clock file times come from (coarse): a
	 * temporary file is another run's leftover only if it is older.
	 */
	struct timespec started;
	/*
	 * One kernel's work in this process peaks at ~85 MB (decoders, the
	 * BTF and libbpf's parse of it, the xz encoder at --xz-preset 9, its
	 * dictionary cut to the BTF's size; ~20 MB at the default): at most
	 * MAKE_MAX_INFLIGHT kernels hold memory at once, whatever -j, so that
	 * btfhub-make stays under 256 MB. A kernel waiting for pahole (a
	 * child of its own) gives its slot up meanwhile.
	 */
	sem_t slots;
	/* keys written this run and whether from DWARF (--prefer), under @lock */
	pthread_mutex_t lock;
	struct made_key { char *key; bool dwarf; } *made;
	size_t nmade, made_cap;
	/* pahole's path and version, found once (pahole.c) */
	pthread_mutex_t pahole_lock;
	bool pahole_checked;
	int pahole_err;
	char pahole_path[4096];
	char pahole_version[32];
};

#define MAKE_MAX_INFLIGHT 2

/* Take / give back a memory slot (EINTR-safe). */
void maker__slot_take(struct maker *m);
void maker__slot_give(struct maker *m);

/* Nesting of containers (a package holding an image holding an ELF). */
#define MAKE_MAX_DEPTH 4

/* One kernel being made: what the readers found so far. */
struct make_job {
	struct maker *m;
	const char *name;	/* the input as error lines call it */
	int depth;
	/* key parts the input itself says ("" = it does not) */
	char distro[LAYOUT_DISTRO_MAX + 1];
	char version[LAYOUT_VERSION_MAX + 1];
	char arch[LAYOUT_ARCH_MAX + 1];
	char release[LAYOUT_RELEASE_MAX + 1];
	/* the raw BTF found: an anonymous file, and its size */
	int btf_fd;
	uint64_t btf_size;
	char how[96];		/* appended to by each layer: "deb:vmlinuz:xz" */
	bool dwarf;		/* the BTF was made from DWARF (pahole) */
	char why[768];		/* what was wrong, without the input's name */
};

/* Set job->why (printf) and return @err. */
int job__fail(struct make_job *job, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append ":@what" (or @what first) to job->how. */
void job__how(struct make_job *job, const char *what);
/* Fill part @p (job->distro etc.) if empty and @s is non-empty, cut to fit. */
void job__set_part(struct make_job *job, enum layout_part p, const char *s, size_t len);

/*
 * An anonymous scratch file for payloads (a decompressed vmlinux, a package
 * member): an unlinked O_TMPFILE in $TMPDIR (default /tmp) so that big ones
 * go to disk, not into this process's memory; a memfd where O_TMPFILE is
 * not supported. Returns the fd (O_CLOEXEC) or a negative errno.
 */
int scratch__new(void);

/*
 * Find the kernel's BTF in the @size bytes of regular file @fd, whatever
 * it is (infile.c: raw BTF, ELF, kernel image, package), into job->btf_fd.
 * Returns 0 or a negative errno with job->why set.
 */
int infile__btf(struct make_job *job, int fd, uint64_t size);

/* Raw BTF at offset @off of @fd, @len bytes: checked with libbpf, copied to job->btf_fd. */
int infile__take_btf(struct make_job *job, int fd, uint64_t off, uint64_t len);

#endif
