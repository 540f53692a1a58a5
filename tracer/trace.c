// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "btf_cmd.h"
#include "coretrace.h"
#include "coretrace.skel.h"
#include "log.h"
#include "output.h"
#include "selfcheck.h"
#include "sysenv.h"
#include "trace.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct run_state {
	struct output *out;
	unsigned long long events;
	unsigned long long limit;
	int err;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct run_state *rs = ctx;
	int err;

	if (rs->limit && rs->events >= rs->limit)
		return 0;
	if (ct_event__check(data, size))
		return 0;
	err = output__event(rs->out, data, size);
	if (err) {
		rs->err = err;	/* e.g. stdout closed: stop */
		return err;
	}
	rs->events++;
	return 0;
}

/* Sum the per-CPU lost counters into lost[type]. */
static void read_lost(struct coretrace *skel, unsigned long long *lost)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(skel->maps.lost_events);
	unsigned long long *vals;
	uint32_t t;
	int c;

	if (ncpu <= 0)
		return;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return;
	for (t = 0; t < CT_EV_MAX; t++) {
		lost[t] = 0;
		if (bpf_map_lookup_elem(fd, &t, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			lost[t] += vals[c];
	}
	free(vals);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Losses are reported as they happen too, not only in the final summary. */
static void warn_lost(struct coretrace *skel, unsigned long long *reported)
{
	unsigned long long lost[CT_EV_MAX] = {}, total = 0;
	int t;

	read_lost(skel, lost);
	for (t = 0; t < CT_EV_MAX; t++)
		total += lost[t];
	if (total > *reported) {
		pr_warn("%llu events lost so far: the ring buffer was full (a larger --ringbuf-kb helps)",
			total);
		*reported = total;
	}
}

static int check_environment(void)
{
	struct utsname u;
	int err;

	uname(&u);
	err = sysenv__check_privileges();
	if (err) {
		pr_err("coretrace needs root, or CAP_BPF and CAP_PERFMON (running as uid %d)",
		       (int)geteuid());
		return err;
	}
	err = sysenv__check_pidns();
	if (err == -EXDEV) {
		pr_err("coretrace runs in a PID namespace other than the host's, where its pids are not"
		       " the kernel's; run it in the host PID namespace (e.g. docker run --pid=host)");
		return err;
	}
	/* Without /proc/self/ns (old kernels, odd mounts) the self-check still guards. */
	err = sysenv__check_ringbuf();
	if (err) {
		pr_err("kernel %s has no BPF ring buffer (Linux 5.8 or later needed): %s",
		       u.release, strerror(-err));
		return err;
	}
	err = sysenv__ensure_tracefs();
	if (err)
		pr_warn("no tracefs and cannot mount it on /sys/kernel/tracing: %s", strerror(-err));
	return 0;
}

static int loop(const struct ct_config *cfg, struct coretrace *skel, struct run_state *rs)
{
	long long end = cfg->duration_s ? now_ms() + cfg->duration_s * 1000LL : 0;
	long long next_check = now_ms() + 1000;
	unsigned long long lost_reported = 0;
	struct ring_buffer *rb;
	int err = 0;

	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, rs, NULL);
	if (!rb) {
		err = -errno;
		pr_err("cannot open the ring buffer: %s", strerror(-err));
		return err;
	}
	while (!stop_signal) {
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err < 0) {
			if (rs->err == -EIO || rs->err == -EPIPE)
				err = 0;	/* the reader went away: a normal end */
			else
				pr_err("ring buffer: %s", strerror(-err));
			break;
		}
		err = 0;
		if (cfg->count && rs->events >= cfg->count)
			break;
		if (end && now_ms() >= end)
			break;
		if (now_ms() >= next_check) {
			warn_lost(skel, &lost_reported);
			next_check = now_ms() + 1000;
		}
	}
	/*
	 * Events already in the ring are reported too. Detach first so that
	 * the drain ends even while the machine keeps producing events.
	 */
	coretrace__detach(skel);
	if (!err && !(cfg->count && rs->events >= cfg->count))
		ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return err;
}

int trace__run(const struct ct_config *cfg)
{
	unsigned long long lost[CT_EV_MAX] = {};
	struct sigaction sa = { .sa_handler = on_signal };
	struct run_state rs = { .limit = cfg->count };
	struct btf_bundle_choice *choice = NULL;
	struct btf_bundle_step st;
	const char *desc;
	struct coretrace *skel = NULL;
	struct bpf_image img = {};
	uint32_t k;
	int err;

	err = check_environment();
	if (err)
		return 1;
	err = btf_setup(cfg, &img, false, &choice);
	for (k = 0; choice && !btf_bundle_choice__step(choice, k, &st); k++)
		pr_info("btf: %s %s: %s%s", btf_bundle__source_name(st.source), st.where, st.detail,
			st.err ? "" : " [used]");
	if (err) {
		if (choice)
			pr_err("%s", btf_bundle_choice__explain(choice));
		goto out;
	}
	desc = btf_bundle_choice__desc(choice);
	pr_info("BTF source: %s", desc);

	err = loader__start(cfg, &img, btf_bundle_choice__custom_path(choice), desc,
			    btf_bundle_choice__source(choice) == BTF_BUNDLE_SRC_SYSTEM, &skel);
	if (err)
		goto out;

	if (cfg->selfcheck) {
		err = selfcheck__run(skel, desc);
		if (err)
			goto out;
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rs.out = output__new(stdout, cfg->json);
	if (!rs.out) {
		err = -ENOMEM;
		goto out;
	}
	if (log_level() >= LOG_LEVEL_WARN)
		fprintf(stderr, "coretrace: tracing (BTF: %s); Ctrl-C to stop\n", desc);
	err = loop(cfg, skel, &rs);
	read_lost(skel, lost);
	output__summary(rs.out, rs.events, lost, CT_EV_MAX, desc);
out:
	output__free(rs.out);
	coretrace__destroy(skel);
	btf_bundle_choice__free(choice);
	bpf_image__release(&img);
	return err ? 1 : 0;
}
