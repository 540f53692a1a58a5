// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobpool.h"
#include "log.h"
#include "bpftool.h"

static bool is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* $PATH first; Debian and others install bpftool in sbin, often not on a user's PATH. */
static char *find_in_path(const char *name)
{
	const char *env = getenv("PATH") ?: "/usr/bin:/bin";
	char *dirs = NULL, *dir, *save = NULL, *found = NULL;

	if (asprintf(&dirs, "%s:/usr/local/sbin:/usr/sbin:/sbin", env) < 0)
		return NULL;
	for (dir = strtok_r(dirs, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p;

		if (!*dir || asprintf(&p, "%s/%s", dir, name) < 0)
			continue;
		if (is_exec_file(p))
			found = p;
		else
			free(p);
	}
	free(dirs);
	return found;
}

/* Run "bpftool ARGS..."; 0 with its output if it exited 0, else -EIO. */
static int run(const char *path, const char *arg1, const char *arg2, char **output)
{
	char *argv[] = { (char *)path, (char *)arg1, (char *)arg2, NULL };
	int status, err;

	err = jobpool__run_capture(argv, &status, output, 0);
	if (err)
		return err;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(*output);
		*output = NULL;
		return -EIO;
	}
	return 0;
}

/*
 * bpftool prints its argv[0] first ("/usr/sbin/bpftool v7.1.0"): call it
 * "bpftool" so the cache key does not change with the path it was run by.
 */
static int normalize_version(char **version)
{
	size_t skip = strcspn(*version, " \n");
	char *v;

	if (asprintf(&v, "bpftool%s", *version + skip) < 0)
		return -ENOMEM;
	free(*version);
	*version = v;
	return 0;
}

int bpftool__probe(const char *path, struct bpftool *bt)
{
	char *help = NULL;
	size_t n;
	int err;

	memset(bt, 0, sizeof(*bt));
	if (path) {
		/* posix_spawn() does not search PATH: make "bpftool" work too. */
		bt->path = strchr(path, '/') ? strdup(path) : find_in_path(path);
		if (bt->path && !is_exec_file(bt->path)) {
			pr_err("%s: not an executable file", bt->path);
			err = -ENOEXEC;
			goto out;
		}
	} else {
		bt->path = find_in_path("bpftool");
	}
	if (!bt->path) {
		pr_err("bpftool not found on PATH or in /usr/sbin; install it or pass --bpftool PATH");
		err = -ENOENT;
		goto out;
	}
	err = run(bt->path, "--version", NULL, &bt->version);
	if (err) {
		pr_err("%s --version failed (%s); is it bpftool?", bt->path,
		       err == -EIO ? "non-zero exit" : strerror(-err));
		goto out;
	}
	err = normalize_version(&bt->version);
	if (err)
		goto out;
	n = strcspn(bt->version, "\n");
	bt->version_line = strndup(bt->version, n);
	if (!bt->version_line) {
		err = -ENOMEM;
		goto out;
	}
	/* `gen help` exits 0 and lists the subcommands this build knows. */
	err = run(bt->path, "gen", "help", &help);
	if (err || !strstr(help, "min_core_btf")) {
		pr_err("%s (%s) does not support 'gen min_core_btf' (bpftool >= v6.0 from Linux 5.18 does); pass a newer one with --bpftool",
		       bt->path, bt->version_line);
		err = -EOPNOTSUPP;
		goto out;
	}
out:
	free(help);
	if (err)
		bpftool__free(bt);
	return err;
}

void bpftool__free(struct bpftool *bt)
{
	if (!bt)
		return;
	free(bt->path);
	free(bt->version);
	free(bt->version_line);
	memset(bt, 0, sizeof(*bt));
}
