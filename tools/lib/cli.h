/* SPDX-License-Identifier: BSD-2-Clause */
/* Command-line helpers shared by the tools. */
#ifndef BTFKIT_CLI_H
#define BTFKIT_CLI_H

#include <stdint.h>

/*
 * Parse a whole decimal number in [0, max]: no sign, no trailing text.
 * Returns 0 or -EINVAL (with *out untouched).
 */
int cli__parse_ull(const char *s, unsigned long long max, unsigned long long *out);
/*
 * A byte count in [0, max]: a whole decimal number with an optional K, M
 * or G (binary: 1K = 1024) suffix. Returns 0 or -EINVAL (*out untouched).
 */
int cli__parse_size(const char *s, uint64_t max, uint64_t *out);
/* The same into an unsigned int. */
int cli__parse_uint(const char *s, unsigned int max, unsigned int *out);

/*
 * "I/N", a shard of a run split N ways: 0 <= I < N <= 2^20.
 * Returns 0 or -EINVAL (with the outputs untouched).
 */
int cli__parse_shard(const char *s, unsigned int *index, unsigned int *count);

#endif
