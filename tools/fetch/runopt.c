// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdint.h>

#include "cli.h"
#include "log.h"
#include "runopt.h"

/* A size in bytes, K/M/G suffix, at least 1. */
static int parse_bytes(const char *opt, const char *arg, uint64_t *out)
{
	if (cli__parse_size(arg, UINT64_MAX, out) || !*out) {
		pr_err("--%s: invalid size: '%s' (want 1 or more, K/M/G suffix)", opt, arg);
		return -EINVAL;
	}
	return 0;
}

int runopt__parse(int opt, const char *arg, struct run_opts *o)
{
	switch (opt) {
	case 'm': o->manifest = arg; return 0;
	case 's': o->source = arg; return 0;
	case RUNOPT_CACHE_DIR: o->cache_dir = arg; return 0;
	case RUNOPT_DISTRO: o->sel.distro = arg; return 0;
	case RUNOPT_DISTRO_VERSION: o->sel.version = arg; return 0;
	case RUNOPT_ARCH: o->sel.arch = arg; return 0;
	case RUNOPT_RELEASE: o->sel.release = arg; return 0;
	case RUNOPT_UPDATE_MANIFEST: o->update_manifest = true; return 0;
	case RUNOPT_LIST: o->list = true; return 0;
	case RUNOPT_MAX_LISTING: return parse_bytes("max-listing", arg, &o->max_listing);
	case RUNOPT_MAX_SIZE: return parse_bytes("max-size", arg, &o->max_size);
	default:
		_Static_assert(RUNOPT_NOT_MINE == TRANSFEROPT_NOT_MINE, "one 'not mine'");
		return transferopt__parse(opt, arg, &o->transfer);
	}
}
