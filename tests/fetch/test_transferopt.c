// SPDX-License-Identifier: BSD-2-Clause
/*
 * transferopt__parse(): the transfer knobs btfhub-fetch, btfkit-build and
 * btfhub-make --apt all take, with one meaning. Where the fetch tools and
 * --apt once differed, the stricter reading: 0 refused where it cannot mean
 * anything, "off" where off exists (--apt took --retry-delay 0 as the
 * default 1000 ms), bounded ranges, K/M/G on a speed (--apt refused 1K).
 */
#include <errno.h>

#include "tap.h"
#include "transferopt.h"

/* A refused value's one error line goes to stderr; stdout is TAP. */
int main(void)
{
	struct transfer_opts t = { 0 };
	static const struct { int opt; const char *arg; } bad[] = {
		{ TRANSFEROPT_TRANSFERS, "0" }, { TRANSFEROPT_TRANSFERS, "65" },
		{ TRANSFEROPT_RETRIES, "101" }, { TRANSFEROPT_RETRIES, "-1" },
		{ TRANSFEROPT_RETRY_DELAY, "3600001" }, { TRANSFEROPT_CONNECT_TIMEOUT, "0" },
		{ TRANSFEROPT_CONNECT_TIMEOUT, "3601" }, { TRANSFEROPT_TIMEOUT, "604801" },
		{ TRANSFEROPT_SPEED_LIMIT, "0" }, { TRANSFEROPT_SPEED_LIMIT, "2T" },
		{ TRANSFEROPT_SPEED_LIMIT, "1025G" }, { TRANSFEROPT_SPEED_LIMIT, "1KB" },
		{ TRANSFEROPT_SPEED_TIME, "3601" }, { TRANSFEROPT_RETRY_AFTER_MAX, "86401" },
		{ TRANSFEROPT_TIMEOUT, "" }, { TRANSFEROPT_TIMEOUT, " 5" },
		{ TRANSFEROPT_TIMEOUT, "5s" }, { TRANSFEROPT_RETRIES, "1K" },
	};
	size_t i, refused = 0;

	ok(transferopt__parse('o', "x", &t) == TRANSFEROPT_NOT_MINE && transferopt__parse(0x1000, "x", &t) ==
	   TRANSFEROPT_NOT_MINE, "another option is not a transfer knob");
	ok(!transferopt__parse(TRANSFEROPT_TRANSFERS, "64", &t) && t.jobs == 64 &&
	   !transferopt__parse(TRANSFEROPT_TRANSFERS, "1", &t) && t.jobs == 1, "--transfers: 1 to 64");
	ok(!transferopt__parse(TRANSFEROPT_RETRIES, "0", &t) && t.retries == TRANSFER_OFF &&
	   !transferopt__parse(TRANSFEROPT_RETRIES, "100", &t) && t.retries == 100,
	   "--retries: 0 is none (TRANSFER_OFF), at most 100");
	ok(!transferopt__parse(TRANSFEROPT_RETRY_DELAY, "0", &t) && t.retry_delay_ms == TRANSFER_OFF &&
	   !transferopt__parse(TRANSFEROPT_RETRY_DELAY, "250", &t) && t.retry_delay_ms == 250,
	   "--retry-delay: 0 is none, not the default");
	ok(!transferopt__parse(TRANSFEROPT_CONNECT_TIMEOUT, "3600", &t) && t.connect_timeout == 3600,
	   "--connect-timeout: 1 to 3600");
	ok(!transferopt__parse(TRANSFEROPT_TIMEOUT, "0", &t) && t.timeout == TRANSFER_OFF &&
	   !transferopt__parse(TRANSFEROPT_TIMEOUT, "604800", &t) && t.timeout == 604800,
	   "--timeout: 0 is none, at most a week");
	ok(!transferopt__parse(TRANSFEROPT_SPEED_LIMIT, "1K", &t) && t.speed_limit == 1024 &&
	   !transferopt__parse(TRANSFEROPT_SPEED_LIMIT, "3m", &t) && t.speed_limit == 3 << 20 &&
	   !transferopt__parse(TRANSFEROPT_SPEED_LIMIT, "1024G", &t) && t.speed_limit == 1l << 40 &&
	   !transferopt__parse(TRANSFEROPT_SPEED_LIMIT, "100000", &t) && t.speed_limit == 100000,
	   "--speed-limit: bytes/s with a K/M/G suffix, 1 to 1T");
	ok(!transferopt__parse(TRANSFEROPT_SPEED_TIME, "0", &t) && t.speed_time == TRANSFER_OFF &&
	   !transferopt__parse(TRANSFEROPT_SPEED_TIME, "2", &t) && t.speed_time == 2,
	   "--speed-time: 0 is never");
	ok(!transferopt__parse(TRANSFEROPT_RETRY_AFTER_MAX, "0", &t) && t.retry_after_max == TRANSFER_OFF &&
	   !transferopt__parse(TRANSFEROPT_RETRY_AFTER_MAX, "86400", &t) && t.retry_after_max == 86400,
	   "--retry-after-max: 0 ignores Retry-After, at most a day");
	t = (struct transfer_opts){ .jobs = 3, .timeout = 9 };
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (transferopt__parse(bad[i].opt, bad[i].arg, &t) == -EINVAL)
			refused++;
		else
			diag("accepted: option %#x '%s'", bad[i].opt, bad[i].arg);
	}
	ok(refused == sizeof(bad) / sizeof(bad[0]) && t.jobs == 3 && t.timeout == 9 &&
	   !t.retries && !t.speed_limit, "out of range, signed, suffixed or empty numbers "
	   "refused (%zu of %zu), nothing stored", refused, sizeof(bad) / sizeof(bad[0]));
	return tap_done();
}
