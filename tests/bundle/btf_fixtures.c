// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "btf_fixtures.h"

/* Enough structs that solid compression or a shared dictionary clearly beats compressing alone. */
#define FIXTURE_STRUCTS 40
#define FIXTURE_FIELDS 6

int fixture_btf(unsigned int v, void **data, size_t *len)
{
	struct btf *btf = btf__new_empty();
	const void *raw;
	char name[64];
	__u32 raw_len;
	int err = 0, i, f, int_id, long_id, sid;

	if (!btf)
		return -errno;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	long_id = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	if (int_id < 0 || long_id < 0) {
		err = int_id < 0 ? int_id : long_id;
		goto out;
	}
	/* task_struct as CO-RE sees it: pid and tgid move between kernels. */
	sid = btf__add_struct(btf, "task_struct", 2048 + 64 * (v % 7));
	err = sid < 0 ? sid : 0;
	err = err ?: btf__add_field(btf, "state", long_id, 0, 0);
	err = err ?: btf__add_field(btf, "pid", int_id, (1024 + 32 * (v % 5)) * 8, 0);
	err = err ?: btf__add_field(btf, "tgid", int_id, (1028 + 32 * (v % 5)) * 8, 0);
	for (i = 0; !err && i < FIXTURE_STRUCTS; i++) {
		/* one struct per variant grows: a small, local difference */
		int grow = (unsigned int)i == v % FIXTURE_STRUCTS ? 8 * (1 + v / FIXTURE_STRUCTS) : 0;

		snprintf(name, sizeof(name), "kstruct_%02d", i);
		sid = btf__add_struct(btf, name, FIXTURE_FIELDS * 8 + grow);
		err = sid < 0 ? sid : 0;
		for (f = 0; !err && f < FIXTURE_FIELDS; f++) {
			snprintf(name, sizeof(name), "field_%d_%d", i, f);
			err = btf__add_field(btf, name, f % 2 ? long_id : int_id,
					     (f * 8 + (f == FIXTURE_FIELDS - 1 ? grow : 0)) * 8, 0);
		}
	}
	if (err)
		goto out;
	raw = btf__raw_data(btf, &raw_len);
	if (!raw) {
		err = -ENOMEM;
		goto out;
	}
	*data = malloc(raw_len);
	if (!*data) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(*data, raw, raw_len);
	*len = raw_len;
out:
	btf__free(btf);
	return err;
}
