/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fetch options btfhub-fetch and btfkit-build share: their getopt_long
 * rows, their parsing into struct run_opts and their --help lines, in one
 * place so that the two tools cannot drift apart (the transfer knobs among
 * them are transferopt.h's, which btfhub-make --apt takes too). Each tool's main.c puts
 * RUNOPT_LONG_OPTS in its table, "m:s:" in its short options, offers every
 * option to runopt__parse() first, and prints the RUNOPT_HELP_* lines.
 */
#ifndef BTFHUB_FETCH_RUNOPT_H
#define BTFHUB_FETCH_RUNOPT_H

#include <getopt.h>

#include "index.h"
#include "run.h"
#include "transferopt.h"

/* getopt_long values of the shared long options; a tool's own start at 256. */
enum {
	RUNOPT_CACHE_DIR = 0x1000,
	RUNOPT_DISTRO,
	RUNOPT_DISTRO_VERSION,
	RUNOPT_ARCH,
	RUNOPT_RELEASE,
	RUNOPT_UPDATE_MANIFEST,
	RUNOPT_LIST,
	RUNOPT_MAX_LISTING,
	RUNOPT_MAX_SIZE,
};

#define RUNOPT_LONG_OPTS						\
	{ "manifest", required_argument, NULL, 'm' },			\
	{ "source", required_argument, NULL, 's' },			\
	{ "cache-dir", required_argument, NULL, RUNOPT_CACHE_DIR },	\
	{ "distro", required_argument, NULL, RUNOPT_DISTRO },		\
	{ "distro-version", required_argument, NULL, RUNOPT_DISTRO_VERSION }, \
	{ "arch", required_argument, NULL, RUNOPT_ARCH },		\
	{ "release", required_argument, NULL, RUNOPT_RELEASE },		\
	{ "update-manifest", no_argument, NULL, RUNOPT_UPDATE_MANIFEST }, \
	{ "list", no_argument, NULL, RUNOPT_LIST },			\
	{ "max-listing", required_argument, NULL, RUNOPT_MAX_LISTING },	\
	{ "max-size", required_argument, NULL, RUNOPT_MAX_SIZE },	\
	TRANSFEROPT_LONG_OPTS

/* --help lines, in the order btfhub-fetch prints them (fprintf formats). */
#define RUNOPT_HELP_MANIFEST						\
"  -m, --manifest FILE       JSON kernel list / lockfile {\"kernels\": [...]}\n"
/* @names: the -s option's names padded to the column; the caller's format
 * takes SOURCE_DEFAULT_URL for the "%s". */
#define RUNOPT_HELP_SOURCE(names)					\
"  -s, " names "https://github.com/OWNER/REPO[/tree/REF], http(s)://\n"	\
"                            mirror, file:// URL or local directory\n"	\
"                            (default %s)\n"
#define RUNOPT_HELP_CACHE_DIR						\
"      --cache-dir DIR       downloads and validators (default ~/.cache/btfkit/fetch)\n"
#define RUNOPT_HELP_SELECT						\
"      --distro GLOB         select kernels (fnmatch globs; over the manifest, or\n" \
"      --version GLOB        over the source's listing: a directory, GitHub's\n" \
"                            trees API, a mirror's " INDEX_NAME " or its\n" \
"                            directory pages)\n"			\
"      --distro-version GLOB same as --version GLOB\n"			\
"      --arch GLOB\n"							\
"      --release GLOB\n"
#define RUNOPT_HELP_UPDATE_MANIFEST					\
"      --update-manifest     record the sha256 of each archive in the manifest;\n" \
"                            with a selection, add the kernels it resolves to\n"
#define RUNOPT_HELP_LIST						\
"      --list                print the selected kernels and archive sizes; fetch\n" \
"                            nothing (no -o needed)\n"
#define RUNOPT_HELP_MAX_LISTING						\
"      --max-listing SIZE    cap on listing responses, K/M/G (default 64M)\n"
/* The transfer knobs (transferopt.h) and the archive size cap. */
#define RUNOPT_HELP_TRANSFER						\
TRANSFEROPT_HELP							\
"      --max-size SIZE       cap on archive and BTF size, K/M/G suffix (default 512M)\n"

/* runopt__parse()'s answer for an option that is the tool's own. */
#define RUNOPT_NOT_MINE 1

/*
 * Apply getopt_long's @opt with @arg to @o. Returns 0, RUNOPT_NOT_MINE, or
 * -EINVAL for a bad value (reported in one line naming it).
 */
int runopt__parse(int opt, const char *arg, struct run_opts *o);

#endif
