// SPDX-License-Identifier: BSD-2-Clause
/*
 * The canonical form depends on the type graph only: a BTF with its types
 * shuffled (canon__renumber() with a random permutation, fixed seeds) must
 * give the same canonical bytes as the BTF itself, and the canonical form
 * of a canonical BTF is itself. TAP, one line per file and property.
 *
 * Usage: test_canon_perm [-n SHUFFLES] BTF...
 * Exit 0, 1 on a failure, 77 with no file given.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "canon.h"
#include "../lib/tap.h"

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: deterministic, seeded per shuffle. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static bool same_bytes(const struct btf *a, const struct btf *b)
{
	uint32_t la, lb;
	const void *pa = btf__raw_data(a, &la), *pb = btf__raw_data(b, &lb);

	return pa && pb && la == lb && !memcmp(pa, pb, la);
}

static void check_file(const char *path, int shuffles)
{
	struct btf *src, *canon = NULL, *again = NULL;
	uint32_t *order = NULL, n, i, j, t;
	int s, bad = 0, err = 0;

	src = btf__parse(path, NULL);
	if (!ok(src != NULL, "%s: libbpf parses it", path))
		return;
	canon = canon__btf(src);
	if (!ok(canon != NULL, "%s: canonical form (%u types)", path, btf__type_cnt(src) - 1)) {
		diag("canon__btf: %s", strerror(errno));
		goto out;
	}
	again = canon__btf(canon);
	ok(again && same_bytes(again, canon), "%s: the canonical form of the canonical form is itself",
	   path);
	n = btf__type_cnt(src);
	order = malloc(n * sizeof(*order));
	if (!order)
		goto out;
	for (s = 1; s <= shuffles && !bad && !err; s++) {
		struct btf *shuf, *c2;

		rng_state = 0x9e3779b97f4a7c15ULL * (uint64_t)s;
		for (i = 0; i < n; i++)
			order[i] = i;
		for (i = n - 1; i > 1; i--) {	/* Fisher-Yates over 1..n-1 */
			j = 1 + rng() % i;
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		shuf = canon__renumber(src, order);
		c2 = shuf ? canon__btf(shuf) : NULL;
		if (!c2)
			err = errno;
		else if (!same_bytes(c2, canon))
			bad = s;
		btf__free(c2);
		btf__free(shuf);
	}
	ok(!bad && !err, "%s: %d shuffles of its type IDs give the same canonical bytes", path,
	   shuffles);
	if (bad)
		diag("shuffle %d differs", bad);
	if (err)
		diag("shuffle failed: %s", strerror(err));
out:
	free(order);
	btf__free(again);
	btf__free(canon);
	btf__free(src);
}

int main(int argc, char **argv)
{
	int i = 1, shuffles = 20;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		shuffles = atoi(argv[2]);
		i = 3;
	}
	if (i >= argc) {
		printf("1..0 # SKIP no BTF given\n");
		return 77;
	}
	for (; i < argc; i++)
		check_file(argv[i], shuffles);
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
