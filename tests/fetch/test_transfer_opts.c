// SPDX-License-Identifier: BSD-2-Clause
/*
 * transfer_opts has one meaning of 0: the default, in every field; what can
 * be off is off by TRANSFER_OFF (issue 24 item 4). transfer_opts__resolve()
 * is the one place both are turned into what curl and the retry loop take.
 */
#include "tap.h"
#include "transfer.h"

int main(void)
{
	struct transfer_opts zero = { 0 }, r, off = {
		.jobs = TRANSFER_OFF, .retries = TRANSFER_OFF, .retry_delay_ms = TRANSFER_OFF,
		.connect_timeout = TRANSFER_OFF, .timeout = TRANSFER_OFF,
		.speed_limit = TRANSFER_OFF, .speed_time = TRANSFER_OFF,
		.retry_after_max = TRANSFER_OFF,
	}, given = {
		.jobs = 7, .retries = 2, .retry_delay_ms = 50, .connect_timeout = 5, .timeout = 9,
		.max_size = 1234, .speed_limit = 100, .speed_time = 3, .retry_after_max = 11,
	};

	r = transfer_opts__resolve(&zero);
	ok(r.jobs == TRANSFER_DEFAULT_JOBS && r.retries == TRANSFER_DEFAULT_RETRIES &&
	   r.retry_delay_ms == TRANSFER_DEFAULT_RETRY_DELAY_MS &&
	   r.connect_timeout == TRANSFER_DEFAULT_CONNECT_TIMEOUT &&
	   r.timeout == TRANSFER_DEFAULT_TIMEOUT && r.max_size == TRANSFER_DEFAULT_MAX_SIZE &&
	   r.speed_limit == TRANSFER_DEFAULT_SPEED_LIMIT &&
	   r.speed_time == TRANSFER_DEFAULT_SPEED_TIME &&
	   r.retry_after_max == TRANSFER_DEFAULT_RETRY_AFTER_MAX, "0 is the default in every field");
	r = transfer_opts__resolve(NULL);
	ok(r.jobs == TRANSFER_DEFAULT_JOBS && r.timeout == TRANSFER_DEFAULT_TIMEOUT &&
	   r.retries == TRANSFER_DEFAULT_RETRIES, "no options: the defaults");
	r = transfer_opts__resolve(&off);
	ok(r.retries == 0 && r.retry_delay_ms == 0 && r.timeout == 0 && r.speed_time == 0 &&
	   r.retry_after_max == 0, "TRANSFER_OFF: no retries, no delay, no timeout, no stall "
	   "check, Retry-After ignored (0 where curl and the retry loop read them)");
	ok(r.jobs == TRANSFER_DEFAULT_JOBS && r.connect_timeout == TRANSFER_DEFAULT_CONNECT_TIMEOUT &&
	   r.speed_limit == TRANSFER_DEFAULT_SPEED_LIMIT,
	   "jobs, connect timeout and speed limit cannot be off: the default");
	r = transfer_opts__resolve(&given);
	ok(r.jobs == 7 && r.retries == 2 && r.retry_delay_ms == 50 && r.connect_timeout == 5 &&
	   r.timeout == 9 && r.max_size == 1234 && r.speed_limit == 100 && r.speed_time == 3 &&
	   r.retry_after_max == 11, "given numbers are kept as they are");
	ok(transfer__off_if_zero(0) == TRANSFER_OFF && transfer__off_if_zero(3) == 3,
	   "a command line's 0 is off, other numbers themselves");
	return tap_done();
}
