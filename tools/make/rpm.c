// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>

#include "readers.h"

int rpm__btf(struct make_job *job, int fd, uint64_t size)
{
	return job__fail(job, -ENOTSUP, "RPM packages: not yet");
}
