// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

int mem__ensure(void **data, size_t *cap, size_t elem_sz, size_t need)
{
	size_t new_cap;
	void *p;

	if (need <= *cap)
		return 0;
	if (!elem_sz || need > SIZE_MAX / elem_sz)
		return -ENOMEM;
	new_cap = *cap + *cap / 4;
	if (new_cap < 16)
		new_cap = 16;
	if (new_cap < need || new_cap > SIZE_MAX / elem_sz)
		new_cap = need;
	p = reallocarray(*data, new_cap, elem_sz);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *cap * elem_sz, 0, (new_cap - *cap) * elem_sz);
	*data = p;
	*cap = new_cap;
	return 0;
}
