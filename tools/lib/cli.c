// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli__parse_ull(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	/* strtoull() accepts "-1" (as ULLONG_MAX) and leading blanks */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli__parse_size(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (errno || *end || v > (max >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int cli__parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	unsigned long long v;
	int err = cli__parse_ull(s, max, &v);

	if (!err)
		*out = v;
	return err;
}

int cli__parse_shard(const char *s, unsigned int *index, unsigned int *count)
{
	const char *slash = strchr(s, '/');
	unsigned int i, n;
	char idx[16];

	if (!slash || slash - s >= (long)sizeof(idx))
		return -EINVAL;
	memcpy(idx, s, slash - s);
	idx[slash - s] = '\0';
	if (cli__parse_uint(idx, UINT_MAX, &i) || cli__parse_uint(slash + 1, 1u << 20, &n) ||
	    n == 0 || i >= n)
		return -EINVAL;
	*index = i;
	*count = n;
	return 0;
}
