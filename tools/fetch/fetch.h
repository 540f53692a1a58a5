/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One run over a list of kernels: obtain each archive (local source, or the
 * cache filled by transfer.c), check it against the manifest's sha256, and
 * extract it to <out>/<distro>/<version>/<arch>/<release>.btf unless the
 * output is already known to come from this very archive.
 */
#ifndef BTFHUB_FETCH_FETCH_H
#define BTFHUB_FETCH_FETCH_H

#include "cache.h"
#include "kernel.h"
#include "source.h"
#include "transfer.h"

struct fetch_opts {
	const char *out_dir;	/* NULL: verify only, the archive is the output (k->archive) */
	const struct source *src;
	const struct cache *cache;
	struct transfer_opts transfer;	/* for HTTP sources; src and cache filled in here */
	uint64_t max_size;		/* cap on archive and decompressed BTF sizes */
	const volatile sig_atomic_t *cancel;	/* set (by a signal handler) to stop; NULL = never */
	int jobs;	/* threads verifying and extracting; 0 = one per online CPU */
	/*
	 * Called once per kernel as soon as it ends FETCHED, CACHED or FAILED,
	 * while other kernels are still downloading or verifying: from a
	 * verifying thread, concurrently. @archive_fd is the archive the
	 * SHA-256 in k->got_sha256 was taken from, open (a regular file, read
	 * with pread()) for the call only: read that, never k->archive again,
	 * which may have been replaced since. -1 when failed. NULL = none.
	 */
	void (*on_kernel)(struct kernel *k, int archive_fd, void *ctx);
	void *ctx;
};

/*
 * Process every PENDING kernel of @l; each ends FETCHED, CACHED or FAILED
 * (with k->error naming the URL or path): transfers, o->transfer.jobs at a
 * time, each archive handed as it arrives to hashing, decompression and BTF
 * checks on o->jobs threads. Returns 0 when the run itself
 * worked, whatever happened to single kernels, -EINTR when cancelled (no
 * half-written output is left), or a negative errno.
 */
int fetch__run(struct kernel_list *l, const struct fetch_opts *opts);

/*
 * Forget @k's downloaded archive, found bad (here, or by whoever read it
 * after fetch__run()), so the next run fetches it again instead of trusting
 * a 304 for a copy that may have been damaged on the way. Archives of a
 * local source are not ours to delete.
 */
void fetch__forget(const struct kernel *k, const struct fetch_opts *opts);

#endif
