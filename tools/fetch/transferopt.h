/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The transfer knobs of every tool that downloads through transfer.h
 * (btfhub-fetch, btfkit-build, btfhub-make --apt): their getopt_long rows,
 * their parsing into struct transfer_opts and their --help lines, in one
 * place, so that a knob means the same, within the same range, whichever
 * tool is given it. A tool puts TRANSFEROPT_LONG_OPTS in its table, offers
 * every option to transferopt__parse() and prints TRANSFEROPT_HELP.
 */
#ifndef BTFHUB_FETCH_TRANSFEROPT_H
#define BTFHUB_FETCH_TRANSFEROPT_H

#include <getopt.h>

#include "transfer.h"

/* getopt_long values; the tools' own options stay below 0x1000 or above. */
enum {
	TRANSFEROPT_TRANSFERS = 0x1800,
	TRANSFEROPT_RETRIES,
	TRANSFEROPT_RETRY_DELAY,
	TRANSFEROPT_CONNECT_TIMEOUT,
	TRANSFEROPT_TIMEOUT,
	TRANSFEROPT_SPEED_LIMIT,
	TRANSFEROPT_SPEED_TIME,
	TRANSFEROPT_RETRY_AFTER_MAX,
};

#define TRANSFEROPT_LONG_OPTS						\
	{ "transfers", required_argument, NULL, TRANSFEROPT_TRANSFERS },	\
	{ "retries", required_argument, NULL, TRANSFEROPT_RETRIES },	\
	{ "retry-delay", required_argument, NULL, TRANSFEROPT_RETRY_DELAY }, \
	{ "connect-timeout", required_argument, NULL, TRANSFEROPT_CONNECT_TIMEOUT }, \
	{ "timeout", required_argument, NULL, TRANSFEROPT_TIMEOUT },	\
	{ "speed-limit", required_argument, NULL, TRANSFEROPT_SPEED_LIMIT }, \
	{ "speed-time", required_argument, NULL, TRANSFEROPT_SPEED_TIME }, \
	{ "retry-after-max", required_argument, NULL, TRANSFEROPT_RETRY_AFTER_MAX }

/* --help lines (the ranges and defaults transferopt.c and transfer.h hold). */
#define TRANSFEROPT_HELP						\
"      --transfers N         downloads in parallel, 1 to 64 (default 4)\n" \
"      --retries N           retries on 5xx, timeouts, dropped connections,\n" \
"                            0 = none, at most 100 (default 4)\n"	\
"      --retry-delay MS      first backoff delay, doubled per retry, 0 = none\n" \
"                            (default 1000)\n"				\
"      --connect-timeout S   1 to 3600 (default 30)\n"			\
"      --timeout S           per attempt, 0 = none (default 600)\n"	\
"      --speed-limit BYTES   with --speed-time: an attempt slower than this many\n" \
"                            bytes/s (K/M/G suffix) ends and is retried (default 1K)\n" \
"      --speed-time S        ... for S seconds; 0 = never (default 30)\n" \
"      --retry-after-max S   longest Retry-After (429/503) honoured, 0 = ignore\n" \
"                            it (default 300)\n"

/* transferopt__parse()'s answer for an option that is not a transfer knob. */
#define TRANSFEROPT_NOT_MINE 1

/*
 * Apply getopt_long's @opt with @arg to @t: a number within the knob's
 * range, where a given 0 is TRANSFER_OFF for the knobs that can be off
 * (transfer_opts' own 0 stays "the default": not given). Returns 0,
 * TRANSFEROPT_NOT_MINE, or -EINVAL for a bad value, reported in one line
 * naming the option and the range.
 */
int transferopt__parse(int opt, const char *arg, struct transfer_opts *t);

#endif
