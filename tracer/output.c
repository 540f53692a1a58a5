// SPDX-License-Identifier: BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "coretrace.h"
#include "escape_json.h"
#include "output.h"

struct output {
	FILE *fp;
	bool json;
	int err;			/* the first write error, sticky: -errno */
	long long realtime_off_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/*
 * After a failed stdio call: keep what the write(2) said (ENOSPC, EIO,
 * EPIPE...), not a generic error, so that the caller can tell a reader
 * gone from lost events.
 */
static int write_failed(struct output *o)
{
	if (!o->err)
		o->err = -(errno ?: EIO);
	return o->err;
}

static const char *const event_names[CT_EV_MAX] = {
	[CT_EV_EXEC] = "exec",
	[CT_EV_FORK] = "fork",
	[CT_EV_EXIT] = "exit",
	[CT_EV_OPEN] = "open",
	[CT_EV_CONNECT] = "connect",
};

/* A record, as any of the types it may have (ct_event__check()). */
union ct_event {
	struct ct_event_hdr hdr;
	struct ct_exec_event exec;
	struct ct_fork_event fork;
	struct ct_exit_event exit;
	struct ct_open_event open;
	struct ct_connect_event connect;
};

static const size_t event_sizes[CT_EV_MAX] = {
	[CT_EV_EXEC] = sizeof(struct ct_exec_event),
	[CT_EV_FORK] = sizeof(struct ct_fork_event),
	[CT_EV_EXIT] = sizeof(struct ct_exit_event),
	[CT_EV_OPEN] = sizeof(struct ct_open_event),
	[CT_EV_CONNECT] = sizeof(struct ct_connect_event),
};

const char *ct_event__name(uint32_t type)
{
	return type && type < CT_EV_MAX ? event_names[type] : NULL;
}

int ct_event__parse_mask(const char *list, uint32_t *mask)
{
	char *copy, *tok, *save = NULL;
	uint32_t m = 0, t;
	int err = 0;

	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (t = CT_EV_EXEC; t < CT_EV_MAX; t++)
			if (!strcmp(tok, event_names[t]))
				break;
		if (t == CT_EV_MAX) {
			err = -EINVAL;
			break;
		}
		m |= CT_EV_BIT(t);
	}
	free(copy);
	if (!err && !m)
		err = -EINVAL;
	if (!err)
		*mask = m;
	return err;
}

int ct_event__check(const void *data, size_t size)
{
	const struct ct_event_hdr *h = data;

	if (size < sizeof(*h) || !ct_event__name(h->type) || size < event_sizes[h->type])
		return -EBADMSG;
	return 0;
}

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct output *output__new(FILE *fp, bool json)
{
	struct output *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->fp = fp;
	o->json = json;
	o->realtime_off_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	setvbuf(fp, NULL, _IOLBF, 0);
	errno = 0;
	if (!json && fprintf(fp, "%-12s %-7s %7s %7s %7s %6s %-16s %s\n", "TIME", "EVENT", "PID",
			     "TGID", "PPID", "UID", "COMM", "DETAILS") < 0)
		write_failed(o);
	return o;
}

void output__free(struct output *o)
{
	free(o);
}

/*
 * Kernel strings are bytes any process chose (a file name may hold a
 * terminal escape or invalid UTF-8): escaped by escape.h's rule, bounded,
 * the same text in the table and in JSON.
 */
#define ESC_KSTR(n) ((n) * 4 + 32)	/* room for every byte as \xNN */

static const char *kstr_(char *dst, size_t dst_sz, const char *src, size_t src_sz)
{
	return escape__mem(dst, dst_sz, src, strnlen(src, src_sz));
}

static json_t *jstr_(const char *s, size_t max)
{
	return escape__jsonn(s, strnlen(s, max));
}

/*
 * A kernel string is a char array of an event: its bound is that array's
 * size, never a length restated beside it.
 */
#define kstr(dst, field) kstr_(dst, sizeof(dst), field, sizeof(field))
#define jstr(field) jstr_(field, sizeof(field))

static void addr_str(const struct ct_connect_event *e, const uint8_t *addr, char *buf, size_t sz)
{
	if (!inet_ntop(e->family == 2 ? AF_INET : AF_INET6, addr, buf, sz))
		snprintf(buf, sz, "?");
}

static json_t *json_argv(const struct ct_exec_event *e)
{
	size_t len = e->argv_len < CT_ARGV_LEN ? e->argv_len : CT_ARGV_LEN, off = 0;
	json_t *arr = json_array();

	while (arr && off < len) {
		size_t n = strnlen(e->argv + off, len - off);

		json_array_append_new(arr, escape__jsonn(e->argv + off, n));
		off += n + 1;
	}
	return arr;
}

static int print_json(struct output *o, const union ct_event *ev)
{
	const struct ct_event_hdr *h = &ev->hdr;
	json_t *j = json_object();
	char a[INET6_ADDRSTRLEN];
	int err = 0;

	if (!j)
		return -ENOMEM;
	json_object_set_new(j, "event", json_string(ct_event__name(h->type)));
	json_object_set_new(j, "ts_ns", json_integer(h->ts_ns));
	json_object_set_new(j, "pid", json_integer(h->pid));
	json_object_set_new(j, "tgid", json_integer(h->tgid));
	json_object_set_new(j, "ppid", json_integer(h->ppid));
	json_object_set_new(j, "uid", json_integer(h->uid));
	json_object_set_new(j, "comm", jstr(h->comm));
	json_object_set_new(j, "cgroup_id", json_integer(h->cgroup_id));

	switch (h->type) {
	case CT_EV_EXEC: {
		const struct ct_exec_event *e = &ev->exec;

		json_object_set_new(j, "filename", jstr(e->filename));
		json_object_set_new(j, "argv", json_argv(e));
		json_object_set_new(j, "argv_truncated", json_boolean(e->argv_truncated));
		break;
	}
	case CT_EV_FORK: {
		const struct ct_fork_event *e = &ev->fork;

		json_object_set_new(j, "parent_pid", json_integer(e->parent_pid));
		json_object_set_new(j, "parent_tgid", json_integer(e->parent_tgid));
		break;
	}
	case CT_EV_EXIT: {
		const struct ct_exit_event *e = &ev->exit;

		json_object_set_new(j, "exit_code", json_integer(e->exit_code));
		json_object_set_new(j, "exit_status", json_integer((e->exit_code >> 8) & 0xff));
		json_object_set_new(j, "signal", json_integer(e->exit_code & 0x7f));
		json_object_set_new(j, "age_ns", json_integer(e->age_ns));
		json_object_set_new(j, "start_boottime_ns", json_integer(e->start_boottime_ns));
		break;
	}
	case CT_EV_OPEN: {
		const struct ct_open_event *e = &ev->open;
		static const char *const calls[] = { "openat", "open", "openat2" };

		json_object_set_new(j, "path", jstr(e->path));
		json_object_set_new(j, "flags", json_integer(e->flags));
		json_object_set_new(j, "mode", json_integer(e->mode));
		json_object_set_new(j, "dfd", json_integer(e->dfd));
		json_object_set_new(j, "syscall", json_string(e->call < 3 ? calls[e->call] : "?"));
		break;
	}
	case CT_EV_CONNECT: {
		const struct ct_connect_event *e = &ev->connect;

		json_object_set_new(j, "family", json_string(e->family == 2 ? "ipv4" : "ipv6"));
		addr_str(e, e->saddr, a, sizeof(a));
		json_object_set_new(j, "saddr", json_string(a));
		json_object_set_new(j, "sport", json_integer(e->sport));
		addr_str(e, e->daddr, a, sizeof(a));
		json_object_set_new(j, "daddr", json_string(a));
		json_object_set_new(j, "dport", json_integer(e->dport));
		break;
	}
	}
	errno = 0;
	if (json_dumpf(j, o->fp, JSON_COMPACT | JSON_PRESERVE_ORDER) || fputc('\n', o->fp) == EOF)
		err = write_failed(o);
	json_decref(j);
	return err;
}

static int print_table(struct output *o, const union ct_event *ev)
{
	const struct ct_event_hdr *h = &ev->hdr;
	long long wall = (long long)h->ts_ns + o->realtime_off_ns;
	time_t secs = wall / 1000000000LL;
	char comm[ESC_KSTR(CT_COMM_LEN)], tbuf[16], d[ESC_KSTR(CT_PATH_LEN + CT_ARGV_LEN) + 64];
	char a1[INET6_ADDRSTRLEN], a2[INET6_ADDRSTRLEN];
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	kstr(comm, h->comm);
	d[0] = '\0';

	switch (h->type) {
	case CT_EV_EXEC: {
		const struct ct_exec_event *e = &ev->exec;
		size_t len = e->argv_len < CT_ARGV_LEN ? e->argv_len : CT_ARGV_LEN, i;
		char args[CT_ARGV_LEN], args_e[ESC_KSTR(CT_ARGV_LEN)], file[ESC_KSTR(CT_PATH_LEN)];

		/* argv is NUL-separated: show it space-separated. */
		memcpy(args, e->argv, len);
		while (len && !args[len - 1])
			len--;
		for (i = 0; i < len; i++)
			if (!args[i])
				args[i] = ' ';
		escape__mem(args_e, sizeof(args_e), args, len);
		snprintf(d, sizeof(d), "%s [%s%s]", kstr(file, e->filename),
			 args_e, e->argv_truncated ? "..." : "");
		break;
	}
	case CT_EV_FORK: {
		const struct ct_fork_event *e = &ev->fork;

		snprintf(d, sizeof(d), "parent %u/%u", e->parent_tgid, e->parent_pid);
		break;
	}
	case CT_EV_EXIT: {
		const struct ct_exit_event *e = &ev->exit;

		if (e->exit_code & 0x7f)
			snprintf(d, sizeof(d), "signal %d, age %.3fs", e->exit_code & 0x7f, e->age_ns / 1e9);
		else
			snprintf(d, sizeof(d), "status %d, age %.3fs", (e->exit_code >> 8) & 0xff,
				 e->age_ns / 1e9);
		break;
	}
	case CT_EV_OPEN: {
		const struct ct_open_event *e = &ev->open;
		char path[ESC_KSTR(CT_PATH_LEN)];

		snprintf(d, sizeof(d), "%s flags 0%o", kstr(path, e->path),
			 e->flags);
		break;
	}
	case CT_EV_CONNECT: {
		const struct ct_connect_event *e = &ev->connect;

		addr_str(e, e->saddr, a1, sizeof(a1));
		addr_str(e, e->daddr, a2, sizeof(a2));
		snprintf(d, sizeof(d), e->family == 2 ? "%s:%u -> %s:%u" : "[%s]:%u -> [%s]:%u",
			 a1, e->sport, a2, e->dport);
		break;
	}
	}
	errno = 0;
	if (fprintf(o->fp, "%s.%03lld %-7s %7u %7u %7u %6u %-16s %s\n", tbuf,
		    (wall / 1000000LL) % 1000, ct_event__name(h->type), h->pid, h->tgid, h->ppid,
		    h->uid, comm, d) < 0)
		return write_failed(o);
	return 0;
}

int output__event(struct output *o, const void *data, size_t size)
{
	union ct_event ev;

	if (o->err)
		return o->err;
	/*
	 * Read as its own type from a copy, not through five struct views of
	 * the ring buffer's bytes: those put exec's 256-byte filename and
	 * connect's 16-byte saddr at one address, which GCC then took for one
	 * object (-Wstringop-overread on the filename's strnlen). A copy is an
	 * object whose members have their real sizes, and the bytes past the
	 * record (checked to hold its type) are zeros, not the next record's.
	 */
	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, data, size < sizeof(ev) ? size : sizeof(ev));
	return o->json ? print_json(o, &ev) : print_table(o, &ev);
}

int output__error(const struct output *o)
{
	return o->err;
}

int output__summary(struct output *o, unsigned long long events,
		    const unsigned long long *lost, int lost_cnt, unsigned long long lost_total,
		    enum ct_transport tr, const char *btf_desc)
{
	json_t *j, *by;
	int t;

	if (!o->json) {
		errno = 0;
		if (!o->err && fflush(o->fp))
			write_failed(o);
		fprintf(stderr, "coretrace: %llu events, %llu lost (%s; BTF: %s)\n", events, lost_total,
			transport__name(tr), btf_desc);
		return o->err;
	}
	if (o->err)
		return o->err;	/* the summary would go where the events could not */
	j = json_object();
	by = json_object();
	for (t = CT_EV_EXEC; t < lost_cnt && t < CT_EV_MAX; t++)
		json_object_set_new(by, event_names[t], json_integer(lost[t]));
	json_object_set_new(j, "summary", json_true());
	json_object_set_new(j, "events", json_integer(events));
	json_object_set_new(j, "lost", json_integer(lost_total));
	json_object_set_new(j, "lost_by_event", by);
	json_object_set_new(j, "transport", json_string(transport__id(tr)));
	json_object_set_new(j, "btf", json_string(btf_desc));
	errno = 0;
	if (json_dumpf(j, o->fp, JSON_COMPACT | JSON_PRESERVE_ORDER) || fputc('\n', o->fp) == EOF ||
	    fflush(o->fp))
		write_failed(o);
	json_decref(j);
	return o->err;
}
