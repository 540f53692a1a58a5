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
#include "loader.h"
#include "output.h"
#include "selfcheck.h"
#include "sig.h"
#include "sysenv.h"
#include "trace.h"
#include "transport.h"

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
	/* The self-check child's last events, written after its window closed. */
	if (((const struct ct_event_hdr *)data)->flags & CT_HDR_SELFCHECK)
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

/*
 * Lost events: the BPF side counts, per type, every record its transport
 * refused (the ring buffer always says so; the perf buffer since 5.4). The
 * perf buffer's reader also hears of drops from the kernel (PERF_RECORD_LOST,
 * every kernel, but only once that CPU's buffer has room again). Both count
 * the same drops, so the total is the larger of the two: exact where the
 * BPF side sees the failures, the kernel's own count where it cannot.
 */
static unsigned long long total_lost(struct coretrace *skel, const struct ct_reader *r,
				     unsigned long long *lost)
{
	unsigned long long total = 0;
	int t;

	read_lost(skel, lost);
	for (t = 0; t < CT_EV_MAX; t++)
		total += lost[t];
	return total > reader__lost(r) ? total : reader__lost(r);
}

/* Losses are reported as they happen too, not only in the final summary. */
static void warn_lost(struct coretrace *skel, const struct ct_reader *r, enum ct_transport t,
		      unsigned long long *reported)
{
	unsigned long long lost[CT_EV_MAX], total = total_lost(skel, r, lost);

	if (total > *reported) {
		pr_warn("%llu events lost so far: the %s was full (a larger --buffer-kb helps)",
			total, transport__name(t));
		*reported = total;
	}
}

static int check_environment(const struct ct_config *cfg, enum ct_transport *t)
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
	err = transport__resolve(cfg->transport, t);
	if (err) {
		pr_err("kernel %s has no BPF ring buffer (Linux 5.8 or later; --buffer=perf works "
		       "from 4.18): %s", u.release, strerror(-err));
		return err;
	}
	pr_info("event transport: %s (%s)", transport__name(*t),
		cfg->transport == CT_TRANSPORT_AUTO ? "probed" : "forced by --buffer");
	err = sysenv__ensure_tracefs();
	if (err)
		pr_warn("no tracefs and cannot mount it on /sys/kernel/tracing: %s", strerror(-err));
	return 0;
}

static int loop(const struct ct_config *cfg, enum ct_transport t, struct coretrace *skel,
		struct ct_reader *r, struct run_state *rs, unsigned long long *lost,
		unsigned long long *total)
{
	long long end = cfg->duration_s ? now_ms() + cfg->duration_s * 1000LL : 0;
	long long next_check = now_ms() + 1000;
	unsigned long long lost_reported = 0;
	int err = 0;

	reader__set_callback(r, on_event, rs);
	while (!*sig__caught()) {
		err = reader__poll(r, 100);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err < 0) {
			/* A write error is reported once, by trace__run(). */
			if (!rs->err)
				pr_err("%s: %s", transport__name(t), strerror(-err));
			break;
		}
		err = 0;
		if (cfg->count && rs->events >= cfg->count)
			break;
		if (end && now_ms() >= end)
			break;
		if (now_ms() >= next_check) {
			warn_lost(skel, r, t, &lost_reported);
			next_check = now_ms() + 1000;
		}
	}
	/*
	 * Events already in the buffer are reported too. Detach first so that
	 * the drain ends even while the machine keeps producing events.
	 */
	coretrace__detach(skel);
	if (!err && !(cfg->count && rs->events >= cfg->count))
		reader__consume(r);
	*total = total_lost(skel, r, lost);
	return err;
}

/* The kernel's BTF (btf_setup()), each step of the choice logged; an error explained. */
static int choose_btf(const struct ct_config *cfg, struct bpf_image *img,
		      struct btf_bundle_choice **choice)
{
	uint32_t k;
	int err;

	BTF_BUNDLE_OPTS(btf_bundle_step, st);
	err = btf_setup(cfg, img, false, choice);
	for (k = 0; *choice && !btf_bundle_choice__step(*choice, k, &st); k++)
		pr_info("btf: %s %s: %s%s", btf_bundle__source_name(st.source), st.where, st.detail,
			st.err ? "" : " [used]");
	if (err && *choice)
		pr_err("%s", btf_bundle_choice__explain(*choice));
	return err;
}

int trace__run(const struct ct_config *cfg)
{
	unsigned long long lost[CT_EV_MAX] = {}, lost_total = 0;
	enum ct_transport transport;
	struct run_state rs = { .limit = cfg->count };
	struct btf_bundle_choice *choice = NULL;
	const char *desc;
	struct coretrace *skel = NULL;
	struct ct_reader *reader = NULL;
	struct bpf_image img = {};
	int err, werr;

	err = check_environment(cfg, &transport);
	if (err)
		return 1;
	err = choose_btf(cfg, &img, &choice);
	if (err)
		goto out;
	desc = btf_bundle_choice__desc(choice);
	pr_info("BTF source: %s", desc);

	err = loader__start(cfg, transport, &img, btf_bundle_choice__custom_path(choice), desc,
			    btf_bundle_choice__source(choice) == BTF_BUNDLE_SRC_SYSTEM, &skel);
	if (err)
		goto out;

	/* One reader from before attach to exit: no event falls outside it. */
	reader = reader__new(skel, transport, cfg->buffer_kb, on_event, &rs);
	if (!reader) {
		err = -errno;
		pr_err("cannot open the %s: %s", transport__name(transport), strerror(-err));
		goto out;
	}
	err = loader__attach(skel);
	if (err)
		goto out;
	if (cfg->selfcheck) {
		err = selfcheck__run(skel, reader, desc);
		if (err)
			goto out;
	}

	sig__install();		/* the one handler (tools/lib/sig.h): the loop polls it */
	signal(SIGPIPE, SIG_IGN);
	rs.out = output__new(stdout, cfg->json);
	if (!rs.out) {
		err = -ENOMEM;
		goto out;
	}
	if (log_level() >= LOG_LEVEL_WARN)
		fprintf(stderr, "coretrace: tracing (BTF: %s; %s); Ctrl-C to stop\n", desc,
			transport__name(transport));
	err = loop(cfg, transport, skel, reader, &rs, lost, &lost_total);
	if (rs.err)
		err = 0;	/* the output's own error, below */
	werr = output__summary(rs.out, rs.events, lost, CT_EV_MAX, lost_total, transport, desc);
	/*
	 * A reader that went away (EPIPE: `| head`) is a normal end; any other
	 * write error (ENOSPC, EIO) lost events: say so and fail.
	 */
	if (werr && werr != -EPIPE) {
		pr_err("standard output: %s: events lost", strerror(-werr));
		err = werr;
	}
out:
	reader__free(reader);
	output__free(rs.out);
	coretrace__destroy(skel);
	btf_bundle_choice__free(choice);
	bpf_image__release(&img);
	return err ? 1 : 0;
}
