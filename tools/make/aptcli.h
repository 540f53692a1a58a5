/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btfhub-make's --apt command line: its getopt_long rows, their parsing,
 * its --help lines, and the run that feeds each verified kernel package to
 * maker__kernel() (make.h). main.c offers every option to aptcli__parse()
 * first and calls aptcli__run() when --apt was given.
 */
#ifndef BTFKIT_MAKE_APTCLI_H
#define BTFKIT_MAKE_APTCLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "transfer.h"
#include "transferopt.h"

enum {
	APTCLI_APT = 0x2000,
	APTCLI_SUITE,
	APTCLI_ARCH,
	APTCLI_COMPONENT,
	APTCLI_KEYRING,
	APTCLI_PACKAGES,
	APTCLI_CACHE_DIR,
};

#define APTCLI_LONG_OPTS						\
	{ "apt", required_argument, NULL, APTCLI_APT },			\
	{ "suite", required_argument, NULL, APTCLI_SUITE },		\
	{ "arch", required_argument, NULL, APTCLI_ARCH },		\
	{ "component", required_argument, NULL, APTCLI_COMPONENT },	\
	{ "keyring", required_argument, NULL, APTCLI_KEYRING },		\
	{ "packages", required_argument, NULL, APTCLI_PACKAGES },	\
	{ "cache-dir", required_argument, NULL, APTCLI_CACHE_DIR },	\
	TRANSFEROPT_LONG_OPTS

#define APTCLI_HELP							\
"APT repository (instead of FILEs; docs/btfhub-make.md):\n"		\
"      --apt URL             a Debian/Ubuntu repository (http or https)\n" \
"      --suite S[,S...]      its suites (bookworm,bookworm-security; BTFHub's\n" \
"                            version from the codename: bookworm* -> debian 12)\n" \
"      --arch amd64|arm64    Debian's architecture name (BTFHub: x86_64, arm64)\n" \
"      --component C         default main\n"				\
"      --keyring FILE        check the Release signature with gpgv against\n" \
"                            FILE (/usr/share/keyrings/debian-archive-keyring.gpg)\n" \
"      --packages GLOB[,...] kernel image packages (default\n"		\
"                            'linux-image-[0-9]*,linux-image-unsigned-[0-9]*')\n" \
"                            (--prefer dbg: every kernel from its -dbg package;\n" \
"                            --shard I/N: the kernels whose key hashes to I)\n" \
"      --cache-dir DIR       indexes and packages (default ~/.cache/btfkit/make)\n" \
TRANSFEROPT_HELP

/* The --apt options as given. */
struct apt_cli {
	const char *url;
	const char *suites;		/* comma-separated */
	const char *arch, *component, *keyring, *globs, *cache_dir;
	struct transfer_opts transfer;	/* transferopt.h's knobs; 0 = default */
};

/* What the rest of btfhub-make's command line says, for the --apt run. */
struct aptcli_run {
	const char *out_dir;
	const char *pahole;
	bool force, prefer_dbg, json;
	uint32_t xz_preset;		/* maker_opts' (make.h) */
	unsigned int shard, shards;	/* shards 0 = all */
	int verbosity;
};

/*
 * Take option @opt (a getopt_long value) with @arg if it is one of ours.
 * Returns 1 when taken, 0 when not ours, -EINVAL on a bad value (reported).
 */
int aptcli__parse(int opt, const char *arg, struct apt_cli *a);

/*
 * Run --apt: make every selected kernel, print one line per failure, the
 * summary (or --json), and write the output's index. Returns the exit
 * status: 0, 1 if anything failed, 2 on a usage error, 128+N on signal N.
 */
int aptcli__run(const struct apt_cli *a, const struct aptcli_run *r);

#endif
