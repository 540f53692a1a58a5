/* SPDX-License-Identifier: BSD-2-Clause */
/* Command-line helpers shared by the tools. */
#ifndef BTFKIT_CLI_H
#define BTFKIT_CLI_H

/*
 * Parse a whole decimal number in [0, max]: no sign, no trailing text.
 * Returns 0 or -EINVAL (with *out untouched).
 */
int cli__parse_ull(const char *s, unsigned long long max, unsigned long long *out);
/* The same into an unsigned int. */
int cli__parse_uint(const char *s, unsigned int max, unsigned int *out);

/*
 * "I/N", a shard of a run split N ways: 0 <= I < N <= 2^20.
 * Returns 0 or -EINVAL (with the outputs untouched).
 */
int cli__parse_shard(const char *s, unsigned int *index, unsigned int *count);

#endif
