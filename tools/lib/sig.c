// SPDX-License-Identifier: BSD-2-Clause
#include <signal.h>

#include "sig.h"

/* The only state a handler may touch (C11 7.14.1.1). */
static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

void sig__install(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

const volatile sig_atomic_t *sig__caught(void)
{
	return &caught;
}
