/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Debian version ordering ([epoch:]upstream[-revision], '~' before
 * anything, letters before other characters), as dpkg's verrevcmp():
 * which of two uploads of one kernel package is the newer.
 */
#ifndef BTFKIT_APT_DEBVER_H
#define BTFKIT_APT_DEBVER_H

/* <0, 0 or >0 as @a sorts before, with or after @b. */
int debver__cmp(const char *a, const char *b);

#endif
