// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "log.h"
#include "transferopt.h"

/*
 * Each knob's range. Where btfhub-fetch and btfhub-make --apt once parsed
 * these apart, the stricter reading won: 0 is refused where it cannot mean
 * anything (transfers, connect timeout, speed limit) and means "off" where
 * off exists; bounds a mistyped number hits (64 parallel downloads, 100
 * retries) rather than none; a speed takes K/M/G as a size does.
 */
static const struct knob {
	int opt;
	const char *name;
	unsigned long long min, max;
	bool zero_is_off;	/* a given 0 is TRANSFER_OFF */
	bool suffix;		/* K/M/G (cli__parse_size()) */
} knobs[] = {
	{ TRANSFEROPT_TRANSFERS, "transfers", 1, 64, false, false },
	{ TRANSFEROPT_RETRIES, "retries", 0, 100, true, false },
	{ TRANSFEROPT_RETRY_DELAY, "retry-delay", 0, 3600 * 1000, true, false },
	{ TRANSFEROPT_CONNECT_TIMEOUT, "connect-timeout", 1, 3600, false, false },
	{ TRANSFEROPT_TIMEOUT, "timeout", 0, 7 * 24 * 3600, true, false },
	{ TRANSFEROPT_SPEED_LIMIT, "speed-limit", 1, 1ull << 40, false, true },
	{ TRANSFEROPT_SPEED_TIME, "speed-time", 0, 3600, true, false },
	{ TRANSFEROPT_RETRY_AFTER_MAX, "retry-after-max", 0, 24 * 3600, true, false },
};

static void store(struct transfer_opts *t, int opt, long v)
{
	switch (opt) {
	case TRANSFEROPT_TRANSFERS: t->jobs = (int)v; break;
	case TRANSFEROPT_RETRIES: t->retries = (int)v; break;
	case TRANSFEROPT_RETRY_DELAY: t->retry_delay_ms = v; break;
	case TRANSFEROPT_CONNECT_TIMEOUT: t->connect_timeout = v; break;
	case TRANSFEROPT_TIMEOUT: t->timeout = v; break;
	case TRANSFEROPT_SPEED_LIMIT: t->speed_limit = v; break;
	case TRANSFEROPT_SPEED_TIME: t->speed_time = v; break;
	case TRANSFEROPT_RETRY_AFTER_MAX: t->retry_after_max = v; break;
	}
}

int transferopt__parse(int opt, const char *arg, struct transfer_opts *t)
{
	const struct knob *k = NULL;
	unsigned long long v;
	uint64_t sz;
	size_t i;
	int err;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]) && !k; i++)
		if (knobs[i].opt == opt)
			k = &knobs[i];
	if (!k)
		return TRANSFEROPT_NOT_MINE;
	if (k->suffix) {
		err = cli__parse_size(arg, k->max, &sz);
		v = sz;
	} else {
		err = cli__parse_ull(arg, k->max, &v);
	}
	if (err || v < k->min) {
		pr_err("--%s: invalid %s: '%s' (want %llu to %llu%s)", k->name,
		       k->suffix ? "speed" : "number", arg, k->min, k->max,
		       k->suffix ? " bytes/s, K/M/G suffix" : "");
		return -EINVAL;
	}
	store(t, opt, !v && k->zero_is_off ? TRANSFER_OFF : (long)v);
	return 0;
}
