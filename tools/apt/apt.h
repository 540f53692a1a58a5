/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btfhub-make's APT front end (--apt URL --suite S --arch A): the kernels of
 * a Debian or Ubuntu package repository, each handed over as a verified
 * package file. Trust flows down APT's chain and nothing is used before its
 * link is checked:
 *
 *   dists/S/InRelease (or Release + Release.gpg)   gpgv with --keyring
 *     -> C/binary-A/Packages.xz                     size + SHA-256 from Release
 *       -> pool/.../linux-image-R_V_A.deb           size + SHA-256 from Packages
 *
 * Downloads go through btfhub-fetch's transfer code (parallel, resumable,
 * retried, a low-speed limit) into a cache outside the output:
 *
 *   <cache>/src-<hash of URL>/dists/<suite>/<arch>/{Release,Release.gpg,<component>.Packages}
 *   <cache>/src-<hash of URL>/pool/<component>/<arch>/<package file>
 *
 * A kernel that apt_opts.made says was made from this very package (by the
 * SHA-256 its Packages entry gives) is skipped without a download: a re-run
 * with nothing new downloads no package and rewrites nothing. A kernel
 * rebuilt under the same release (a new upload) is made again.
 */
#ifndef BTFKIT_APT_H
#define BTFKIT_APT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "layout.h"
#include "transfer.h"

/*
 * Real kernel images by default: Debian's linux-image-<release>[-unsigned]
 * and Ubuntu's linux-image-unsigned-<release>; a meta package
 * (linux-image-amd64, linux-image-cloud-amd64) has no digit after the
 * prefix and never matches; -dbg / -dbgsym packages are never images.
 */
#define APT_DEFAULT_GLOBS "linux-image-[0-9]*,linux-image-unsigned-[0-9]*"

/* One kernel's package, verified, as handed to apt_opts.make. */
struct apt_kernel {
	struct layout_key key;	/* distro, canonical version, BTFHub arch, release */
	const char *suite;
	const char *package, *version;
	const char *url;	/* where it came from: names it in error lines */
	const char *path;	/* the package in the cache */
	int fd;			/* open on it: the bytes verified (read with pread()) */
	const char *sha256;	/* its verified SHA-256, hex */
	bool dbg;		/* a -dbg package: its vmlinux has DWARF only */
};

struct apt_opts {
	size_t sz;
	const char *url;		/* repository base (http or https); required */
	const char *const *suites;	/* required, NULL-terminated */
	const char *arch;		/* Debian's name: amd64, arm64; required */
	const char *component;		/* default "main" */
	const char *keyring;		/* gpgv keyring for the Release signature; NULL = none */
	const char *globs;		/* comma-separated fnmatch() globs; default APT_DEFAULT_GLOBS */
	bool prefer_dbg;		/* the -dbg package even when the image has .BTF */
	bool force;			/* make kernels already in the output again */
	unsigned int shard, nshards;	/* this run's share, I/N; 0/0 = all */
	const char *cache_dir;		/* default $XDG_CACHE_HOME/btfkit/make */
	const char *out_dir;		/* the output tree; required */
	const struct transfer_opts *transfer;	/* jobs, retries, timeouts; cache/src set here */
	const volatile sig_atomic_t *cancel;	/* NULL = never */
	/*
	 * Make the kernel @k (called in this thread, one kernel at a time).
	 * Return 0 when made, -ENOMSG when an image has no .BTF (its -dbg
	 * package is then tried; apt__run() reports it if there is none), or
	 * another negative errno when it failed (the callback reports that).
	 */
	int (*make)(const struct apt_kernel *k, void *ctx);
	/*
	 * Whether @k (fd -1, no path or url yet) was made before from the
	 * package with k->sha256, its archive intact: then it is skipped.
	 * NULL = never.
	 */
	bool (*made)(const struct apt_kernel *k, void *ctx);
	/*
	 * A failure of the repository's own (an index, a download, a
	 * verification), one line naming the URL, for the caller's summary;
	 * NULL = printed with pr_err(). @key is "D/V/A/R" when a kernel is
	 * concerned, else NULL.
	 */
	void (*failed)(const char *key, const char *line, void *ctx);
	void *ctx;
};
#define apt_opts__last_field ctx

/* What a run did (counts of kernels). */
struct apt_stats {
	size_t listed;		/* kernel images selected over all suites, before sharding */
	size_t selected;	/* in this shard */
	size_t skipped;		/* already made */
	size_t made;		/* make() returned 0 */
	size_t failed;		/* kernels and suites that failed */
	/*
	 * Downloaded this run: Release files (fetched conditionally, when the
	 * server gives validators) and indexes (only when Release changed), and
	 * packages.
	 */
	uint64_t index_bytes, package_bytes;
};

/*
 * Run the front end. Every failure is reported through @o->failed and
 * counted, and the other suites and kernels go on. Returns 0 (check
 * stats->failed), -EINTR when cancelled, or a negative errno when nothing
 * could start (bad options, reported). Call curl_global_init() first.
 */
int apt__run(const struct apt_opts *o, struct apt_stats *stats);

#endif
