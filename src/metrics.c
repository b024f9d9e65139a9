/*
 * /metrics. Worker counters come from one table, printed twice: summed over
 * the instance (including workers that have exited, so totals never go
 * backwards) and per worker with worker/slot labels.
 */
#include "autoconf.h"

#include <event2/buffer.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "master.h"
#include "metrics.h"
#include "util.h"

struct metric_counter {
	const char	*name;		/* summed; per worker: hotline_worker_* */
	const char	*type;
	const char	*help;
	size_t		 offset;	/* in struct shm_counters */
};

#define COUNTER(f)	offsetof(struct shm_counters, f)

static const struct metric_counter metric_counters[] = {
	{ "connections_active", "gauge", "Open client connections.",
	  COUNTER(connections_active) },
	{ "connections_accepted_total", "counter",
	  "Client connections accepted.", COUNTER(connections_total) },
	{ "messages_received_total", "counter", "Messages received.",
	  COUNTER(messages_in) },
	{ "messages_sent_total", "counter", "Messages sent.",
	  COUNTER(messages_out) },
	{ "bytes_received_total", "counter", "Bytes read from clients.",
	  COUNTER(bytes_in) },
	{ "bytes_sent_total", "counter", "Bytes written to clients.",
	  COUNTER(bytes_out) },
	{ "errors_total", "counter", "Connection errors.", COUNTER(errors) },
};

static uint64_t
metric_value(const struct shm_counters *c, const struct metric_counter *mc)
{
	return shm_read((const uint64_t *)(const void *)
	    ((const char *)c + mc->offset));
}

static void
metric_header(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
metrics_process(struct evbuffer *out, struct master *m)
{
	metric_header(out, "hotline_info", "gauge",
	    "Build information; always 1.");
	evbuffer_add_printf(out, "hotline_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	metric_header(out, "hotline_start_time_seconds", "gauge",
	    "When the master started, in seconds since the epoch.");
	evbuffer_add_printf(out, "hotline_start_time_seconds %llu\n",
	    (unsigned long long)m->shm.hdr->start_time);
	metric_header(out, "hotline_workers_configured", "gauge",
	    "Workers the configuration asks for.");
	evbuffer_add_printf(out, "hotline_workers_configured %d\n",
	    m->cf.workers);
	metric_header(out, "hotline_workers_live", "gauge",
	    "Worker processes alive, draining ones included.");
	evbuffer_add_printf(out, "hotline_workers_live %d\n",
	    supervisor_live(&m->sup));
	metric_header(out, "hotline_worker_restarts_total", "counter",
	    "Workers restarted after dying unexpectedly.");
	evbuffer_add_printf(out, "hotline_worker_restarts_total %llu\n",
	    (unsigned long long)m->sup.restarts);
	metric_header(out, "hotline_reloads_total", "counter",
	    "Configuration reloads that took effect.");
	evbuffer_add_printf(out, "hotline_reloads_total %llu\n",
	    (unsigned long long)m->reloads);
}

/* Resident set size of pid in bytes, from /proc/<pid>/statm; 0 if gone. */
static uint64_t
metrics_rss(pid_t pid)
{
	unsigned long long pages = 0, size;
	char path[64];
	FILE *fp;

	snprintf(path, sizeof path, "/proc/%ld/statm", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%llu %llu", &size, &pages) != 2)
		pages = 0;
	fclose(fp);
	return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void
metrics_per_worker(struct evbuffer *out, struct master *m)
{
	const struct metric_counter *mc;
	char name[128];
	uint32_t i;

	for (mc = metric_counters; mc < metric_counters +
	    HL_ARRAY_LEN(metric_counters); mc++) {
		snprintf(name, sizeof name, "hotline_worker_%s", mc->name);
		metric_header(out, name, mc->type, mc->help);
		for (i = 0; i < m->shm.hdr->nslots; i++) {
			const struct shm_slot *s = shm_slot(&m->shm, i);

			if (s->pid != 0)
				evbuffer_add_printf(out, "%s{worker=\"%d\","
				    "slot=\"%u\"} %llu\n", name, s->index, i,
				    (unsigned long long)metric_value(
				    &s->counters, mc));
		}
	}
	metric_header(out, "hotline_worker_resident_memory_bytes", "gauge",
	    "Resident memory of each worker process.");
	for (i = 0; i < m->shm.hdr->nslots; i++) {
		const struct shm_slot *s = shm_slot(&m->shm, i);

		if (s->pid != 0)
			evbuffer_add_printf(out, "hotline_worker_resident_memory"
			    "_bytes{worker=\"%d\",slot=\"%u\"} %llu\n", s->index,
			    i, (unsigned long long)metrics_rss(s->pid));
	}
}

static void
metrics_summed(struct evbuffer *out, struct master *m)
{
	const struct metric_counter *mc;
	char name[128];
	uint64_t sum;
	uint32_t i;

	for (mc = metric_counters; mc < metric_counters +
	    HL_ARRAY_LEN(metric_counters); mc++) {
		snprintf(name, sizeof name, "hotline_%s", mc->name);
		sum = metric_value(&m->retired.counters, mc);
		for (i = 0; i < m->shm.hdr->nslots; i++)
			sum += metric_value(&shm_slot(&m->shm, i)->counters, mc);
		metric_header(out, name, mc->type, mc->help);
		evbuffer_add_printf(out, "%s %llu\n", name,
		    (unsigned long long)sum);
	}
}

struct evbuffer *
metrics_render(struct master *m)
{
	struct evbuffer *out = evbuffer_new();

	if (out == NULL)
		fatalx("out of memory rendering metrics");
	metrics_process(out, m);
	metrics_summed(out, m);
	metrics_per_worker(out, m);
	return out;
}
