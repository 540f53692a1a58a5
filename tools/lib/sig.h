/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one SIGINT/SIGTERM handler of every btfkit tool. A program's main()
 * installs it where a long run starts (before that, the default action is
 * the right one: nothing to unwind yet); the modules poll sig__caught()
 * through their opts (a `cancel` or `stop` pointer) and unwind, removing
 * their temp files, and main() turns it into an exit status. Process state,
 * so main()'s alone, as curl's tool_main.c keeps it.
 */
#ifndef BTFKIT_SIG_H
#define BTFKIT_SIG_H

#include <signal.h>

/* Catch SIGINT and SIGTERM from now on. Idempotent. */
void sig__install(void);
/* The flag the handler sets: 0, or the number of the signal caught. */
const volatile sig_atomic_t *sig__caught(void);

#endif
