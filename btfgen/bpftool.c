// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "outcache.h"
#include "errmsg.h"
#include "fsutil.h"
#include "jobpool.h"
#include "log.h"
#include "bpftool.h"

extern char **environ;

#define TUNABLES	"GLIBC_TUNABLES="
#define HUGETLB		"glibc.malloc.hugetlb"

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

/*
 * Our environment, plus glibc.malloc.hugetlb=1 unless GLIBC_TUNABLES already
 * says something of it. bpftool reads a whole kernel's BTF (4-5 MB) and
 * builds its type index: about 18 MB of fresh heap per kernel, faulted in
 * 4 KiB at a time, so that page faults were 60% of its CPU time. With it,
 * glibc madvise()s its heap for transparent huge pages (the kernel's
 * default "madvise" mode): 4,566 faults become ~1,400 and a kernel costs
 * 19 ms instead of 30 (perf stat, 6.1 BTF, bpftool 7.1). A C library or
 * kernel without THP ignores the variable; the output is the same bytes.
 */
static int build_env(struct bpftool *bt)
{
	size_t n = 0, i, at = (size_t)-1;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		env[i] = environ[i];
		if (!strncmp(environ[i], TUNABLES, strlen(TUNABLES)))
			at = i;
	}
	if (at == (size_t)-1) {
		at = n;
		env[at] = strdup(TUNABLES HUGETLB "=1");
	} else if (strstr(env[at], HUGETLB)) {
		env[at] = strdup(env[at]);	/* the user's choice stands */
	} else if (asprintf(&env[at], "%s%s" HUGETLB "=1", environ[at],
			    environ[at][strlen(TUNABLES)] ? ":" : "") < 0) {
		env[at] = NULL;
	}
	if (!env[at]) {
		free(env);
		return -ENOMEM;
	}
	bt->envp = env;
	bt->env_own = at;
	return 0;
}

/* bt->path: @path (looked up on PATH when it has no '/'), or "bpftool" on PATH. */
static int locate(const char *path, struct bpftool *bt)
{
	if (path) {
		/* posix_spawn() does not search PATH: make "bpftool" work too. */
		bt->path = strchr(path, '/') ? strdup(path) : find_in_path(path);
		if (bt->path && !is_exec_file(bt->path)) {
			pr_err("%s: not an executable file", bt->path);
			return -ENOEXEC;
		}
	} else {
		bt->path = find_in_path("bpftool");
	}
	if (!bt->path) {
		pr_err("bpftool not found on PATH or in /usr/sbin; install it or pass --bpftool PATH");
		return -ENOENT;
	}
	return 0;
}

/*
 * bt->digest: the SHA-256 of the executable open at @fd (closed here), and
 * in @fdg the record of it with the identity @st taken before reading.
 */
static int digest(struct bpftool *bt, int fd, const struct stat *st, struct file_digest *fdg)
{
	uint8_t d[SHA256_DIGEST_LEN];
	struct timespec taken;
	int err;

	clock_gettime(CLOCK_REALTIME, &taken);
	err = sha256_fd(fd, d);
	close(fd);
	if (err) {
		pr_err("%s: cannot read it: %s", bt->path, strerror(-err));
		return err;
	}
	sha256_hex(d, bt->digest);
	file_digest__set(fdg, st, bt->digest, &taken);
	return 0;
}

/* bt->version from `bpftool --version`, and whether it has `gen min_core_btf`. */
static int ask(struct bpftool *bt)
{
	char *help = NULL;
	int err;

	err = run(bt->path, "--version", NULL, &bt->version);
	if (err) {
		pr_err("%s --version failed (%s); is it bpftool?", bt->path,
		       err == -EIO ? "non-zero exit" : strerror(-err));
		return err;
	}
	err = normalize_version(&bt->version);
	if (err)
		return err;
	/* `gen help` exits 0 and lists the subcommands this build knows. */
	err = run(bt->path, "gen", "help", &help);
	if (err || !strstr(help, "min_core_btf")) {
		pr_err("%s (%.*s) does not support 'gen min_core_btf' (bpftool >= v6.0 from Linux 5.18 does); pass a newer one with --bpftool",
		       bt->path, (int)strcspn(bt->version, "\n"), bt->version);
		err = -EOPNOTSUPP;
	}
	free(help);
	return err;
}

int bpftool__probe(const char *path, const char *outdir, struct bpftool *bt)
{
	struct outcache_probe cp = {};
	struct file_digest fdg;
	struct stat st;
	int err, fd, rec = -ENOENT;
	size_t n;

	memset(bt, 0, sizeof(*bt));
	err = locate(path, bt);
	if (err)
		goto out;
	/*
	 * The executable is part of every cache key: identified by its bytes,
	 * read once and then vouched for by its identity (fileid.h).
	 */
	fd = open_regular(bt->path, &st);
	if (fd < 0) {
		pr_err("%s: %s", bt->path, errmsg(fd));
		err = fd;
		goto out;
	}
	if (outdir) {
		rec = outcache__probe_read(outdir, bt->path, &st, &cp);
		if (rec == 0) {
			memcpy(bt->digest, cp.digest.hex, SHA256_HEX_LEN);
			bt->version = cp.version;
			cp.version = NULL;
			pr_debug("%s: probe result from %s/%s", bt->path, outdir, OUTCACHE_DIR);
			close(fd);
			goto line;
		}
	}
	err = digest(bt, fd, &st, &fdg);
	if (err)
		goto out;
	if (rec == -EAGAIN && !strcmp(cp.digest.hex, bt->digest)) {
		/* Recorded too soon after its last change to vouch for it, but the same bytes. */
		bt->version = cp.version;
		cp.version = NULL;
	} else {
		err = ask(bt);
		if (err)
			goto out;
	}
	/* A lost record only costs the two execs again. The record names the
	 * identity taken before reading, not a file swapped in meanwhile. */
	if (outdir && outcache__probe_write(outdir, bt->path, &fdg, bt->version))
		pr_debug("%s/%s: cannot keep bpftool's probe", outdir, OUTCACHE_DIR);
line:
	n = strcspn(bt->version, "\n");
	bt->version_line = strndup(bt->version, n);
	if (!bt->version_line) {
		err = -ENOMEM;
		goto out;
	}
	err = build_env(bt);
out:
	free(cp.version);
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
	if (bt->envp)
		free(bt->envp[bt->env_own]);
	free(bt->envp);
	memset(bt, 0, sizeof(*bt));
}
