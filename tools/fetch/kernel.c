// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "mem.h"

void kernel__clear(struct kernel *k)
{
	int i;

	free(k->distro);
	free(k->version);
	free(k->arch);
	free(k->release);
	for (i = 0; i < k->ncandidates; i++)
		free(k->candidates[i]);
	free(k->url);
	free(k->archive);
	free(k->output);
	free(k->error);
}

struct kernel *kernel_list__add(struct kernel_list *l, const char *distro,
				const char *version, const char *arch,
				const char *release)
{
	const struct layout_key key = { distro, version, arch, release };
	const char *parts[LAYOUT_PARTS] = { distro, version, arch, release };
	struct kernel *k;
	int i, n;

	for (i = 0; i < LAYOUT_PARTS; i++) {
		if (layout__part_invalid(i, parts[i])) {
			errno = EINVAL;
			return NULL;
		}
	}
	if (mem__ensure((void **)&l->v, &l->cap, sizeof(*l->v), l->n + 1)) {
		errno = ENOMEM;
		return NULL;
	}
	k = &l->v[l->n];
	memset(k, 0, sizeof(*k));
	k->manifest_idx = -1;
	k->distro = strdup(distro);
	k->version = strdup(version);
	k->arch = strdup(arch);
	k->release = strdup(release);
	if (!k->distro || !k->version || !k->arch || !k->release)
		goto nomem;
	k->out_version = layout__version_canon(k->distro, k->version);
	k->out_arch = layout__arch_name(k->arch);
	n = layout__archive_paths(&key, k->candidates);
	if (n < 0)
		goto nomem;
	k->ncandidates = n;
	l->n++;
	return k;
nomem:
	kernel__clear(k);
	errno = ENOMEM;
	return NULL;
}

void kernel_list__free(struct kernel_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		kernel__clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

char *kernel__name_r(const struct kernel *k, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s/%s/%s", k->distro, k->out_version, k->out_arch, k->release);
	return buf;
}

const char *kernel__name(const struct kernel *k)
{
	static char buf[1024];

	return kernel__name_r(k, buf, sizeof(buf));
}

char *kernel__output_path(const struct kernel *k, const char *out_dir)
{
	char *p;

	if (asprintf(&p, "%s%s%s/%s/%s/%s.btf", out_dir ?: "", out_dir ? "/" : "", k->distro,
		     k->out_version, k->out_arch, k->release) < 0)
		return NULL;
	return p;
}

void kernel__fail(struct kernel *k, const char *fmt, ...)
{
	va_list ap;

	k->status = KERNEL_FAILED;
	if (k->error)
		return;
	va_start(ap, fmt);
	if (vasprintf(&k->error, fmt, ap) < 0)
		k->error = NULL;
	va_end(ap);
}
