// SPDX-License-Identifier: BSD-2-Clause
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "debver.h"

/* dpkg's character weight: '~' lowest, then end of part, digits, letters, the rest. */
static int order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

/* Compare @a and @b up to @ae / @be (dpkg lib/dpkg/version.c verrevcmp). */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		int first_diff = 0;

		while ((a < ae && !isdigit((unsigned char)*a)) ||
		       (b < be && !isdigit((unsigned char)*b))) {
			int ac = a < ae ? order((unsigned char)*a) : 0;
			int bc = b < be ? order((unsigned char)*b) : 0;

			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (a < ae && *a == '0')
			a++;
		while (b < be && *b == '0')
			b++;
		while (a < ae && b < be && isdigit((unsigned char)*a) &&
		       isdigit((unsigned char)*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && isdigit((unsigned char)*a))
			return 1;
		if (b < be && isdigit((unsigned char)*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

struct parts {
	unsigned long epoch;
	const char *up, *up_end, *rev, *rev_end;
};

static void split(const char *v, struct parts *p)
{
	const char *colon = strchr(v, ':'), *dash, *end = v + strlen(v);

	p->epoch = 0;
	if (colon) {
		p->epoch = strtoul(v, NULL, 10);
		v = colon + 1;
	}
	dash = strrchr(v, '-');
	p->up = v;
	p->up_end = dash ? dash : end;
	p->rev = dash ? dash + 1 : end;
	p->rev_end = end;
}

int debver__cmp(const char *a, const char *b)
{
	struct parts pa, pb;
	int r;

	split(a, &pa);
	split(b, &pb);
	if (pa.epoch != pb.epoch)
		return pa.epoch < pb.epoch ? -1 : 1;
	r = verrevcmp(pa.up, pa.up_end, pb.up, pb.up_end);
	return r ? r : verrevcmp(pa.rev, pa.rev_end, pb.rev, pb.rev_end);
}
