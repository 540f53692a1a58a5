/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * embedgen's up-to-date check. Compressing is most of a run (80 real
 * kernels: ~20 ms of ~22), so a no-change re-run in a build pipeline should
 * only read and hash its inputs. The stamp, a hidden file beside the first
 * output (".<name>.embedgen-stamp"), records:
 *	embedgen-stamp 1
 *	inputs <sha256>		what the outputs were made from (below)
 *	stats <entries> <blobs> <blocks> <chunks> <dict> <meta> <raw> <unique> <bundle>
 *	output <sha256> <size>	one line per output, in stamp__check()'s order
 * "inputs" hashes embedgen's own identity (every loaded ELF object's path
 * and fileid.h identity: device, inode, size, mtime and ctime, so a rebuilt
 * embedgen or an upgraded liblzma is a change, even with its mtime put back), the command line verbatim (any option may shape an
 * output), and each object and BTF read, with its name, in the order read.
 * The outputs are trusted only if each is still a regular file with the
 * recorded size and SHA-256: an edited or truncated output is rebuilt.
 */
#ifndef EMBEDGEN_STAMP_H
#define EMBEDGEN_STAMP_H

#include <stdbool.h>
#include <stddef.h>

#include "bundle_writer.h"
#include "sha256.h"

struct stamp {
	struct sha256_ctx ctx;
	char inputs[SHA256_HEX_LEN];	/* set by stamp__check() */
};

/* Start the digest: embedgen's identity and @argv. */
void stamp__init(struct stamp *s, int argc, char *const argv[]);
/* One input read: @kind ("object", "btf"), its @name, its bytes. */
void stamp__add(struct stamp *s, const char *kind, const char *name, const void *data,
		size_t len);
/*
 * Finish the digest and check the stamp of @outputs (@n paths, NULL ones
 * skipped; none may be "-"). True, with *@st from the stamp, if every
 * output is what the last run with these inputs wrote.
 */
bool stamp__check(struct stamp *s, const char *const outputs[], size_t n,
		  struct bundle_stats *st);
/* Record @outputs as made from the checked inputs. 0 or a negative errno. */
int stamp__write(const struct stamp *s, const char *const outputs[], size_t n,
		 const struct bundle_stats *st);

#endif
