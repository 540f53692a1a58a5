// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "cli.h"
#include "log.h"
#include "runopt.h"

/* A byte count with an optional K/M/G suffix, at least 1. */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || !v || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_num(const char *arg, bool positive, long *out)
{
	unsigned long long v;

	if (positive) {
		if (cli__parse_ull(arg, 100000, &v) || !v) {
			pr_err("invalid number: '%s' (want 1 or more)", arg);
			return -EINVAL;
		}
	} else if (cli__parse_ull(arg, 10000000, &v)) {
		pr_err("invalid number: '%s'", arg);
		return -EINVAL;
	}
	*out = (long)v;
	return 0;
}

static int parse_bytes(const char *arg, uint64_t *out)
{
	if (parse_size(arg, out)) {
		pr_err("invalid size: '%s'", arg);
		return -EINVAL;
	}
	return 0;
}

int runopt__parse(int opt, const char *arg, struct run_opts *o)
{
	uint64_t sz;

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
	case RUNOPT_MAX_LISTING: return parse_bytes(arg, &o->max_listing);
	case RUNOPT_MAX_SIZE: return parse_bytes(arg, &o->max_size);
	case RUNOPT_TRANSFERS: return parse_num(arg, true, &o->transfers);
	case RUNOPT_CONNECT_TIMEOUT: return parse_num(arg, true, &o->connect_timeout);
	case RUNOPT_RETRIES: return parse_num(arg, false, &o->retries);
	case RUNOPT_RETRY_DELAY: return parse_num(arg, false, &o->retry_delay_ms);
	case RUNOPT_TIMEOUT: return parse_num(arg, false, &o->timeout);
	case RUNOPT_SPEED_TIME: return parse_num(arg, false, &o->speed_time);
	case RUNOPT_RETRY_AFTER_MAX: return parse_num(arg, false, &o->retry_after_max);
	case RUNOPT_SPEED_LIMIT:
		if (parse_size(arg, &sz) || sz > 1ull << 40) {
			pr_err("invalid speed: '%s'", arg);
			return -EINVAL;
		}
		o->speed_limit = (long)sz;
		return 0;
	default:
		return RUNOPT_NOT_MINE;
	}
}
