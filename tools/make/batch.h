/* SPDX-License-Identifier: BSD-2-Clause */
/* One btfhub-make invocation over files named on the command line. */
#ifndef BTFKIT_MAKE_BATCH_H
#define BTFKIT_MAKE_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "make.h"

struct batch_opts {
	const char *out_dir;		/* -o */
	char *const *inputs;		/* the files named */
	size_t ninputs;
	const char *key;		/* --key D/V/A/R (one input only) */
	const char *pahole;		/* --pahole */
	enum make_prefer prefer;	/* --prefer */
	unsigned int shard, shards;	/* --shard I/N; shards 0 = all */
	int jobs;			/* -j; default one per CPU */
	int verbosity;
	bool json;
	bool force;
	bool index_only;		/* --index: write OUT's index, nothing else */
};

/* Exit status: 0, 1 if any kernel failed, 128+N when stopped by signal N. */
int batch__run(const struct batch_opts *o);

#endif
