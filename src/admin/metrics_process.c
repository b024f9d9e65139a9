/*
 * The standard process_* families of the Prometheus client libraries, for
 * the master (process="master") and each live worker (process="worker",
 * worker, slot): one exposition holds several processes, so a label tells
 * them apart, and sum() over a family is the whole instance. The master
 * reads /proc when scraped (core/procstat.c): a few small reads per
 * process, nothing added to the workers' loops between scrapes.
 */
#include "autoconf.h"

#include <event2/buffer.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "admin/admin.h"
#include "admin/metrics.h"
#include "admin/prom.h"
#include "core/procstat.h"
#include "core/shm.h"
#include "core/util.h"

/* One process of the exposition: its labels and what /proc said. */
struct process_row {
	char		labels[64];
	struct procstat	st;
};

struct process_family {
	const char	*name;
	const char	*type;
	const char	*help;
	double		(*value)(const struct procstat *);
};

static double
process_cpu(const struct procstat *s)
{
	return s->cpu_seconds;
}

static double
process_rss(const struct procstat *s)
{
	return (double)s->resident_bytes;
}

static double
process_vsize(const struct procstat *s)
{
	return (double)s->virtual_bytes;
}

static double
process_fds(const struct procstat *s)
{
	return s->open_fds;
}

static double
process_max_fds(const struct procstat *s)
{
	return s->max_fds;
}

static double
process_start(const struct procstat *s)
{
	return s->start_time;
}

/* Names, types and help as client_golang and prometheus_client have them. */
static const struct process_family process_families[] = {
	{ "process_cpu_seconds_total", "counter",
	  "Total user and system CPU time spent in seconds.", process_cpu },
	{ "process_resident_memory_bytes", "gauge",
	  "Resident memory size in bytes.", process_rss },
	{ "process_virtual_memory_bytes", "gauge",
	  "Virtual memory size in bytes.", process_vsize },
	{ "process_open_fds", "gauge",
	  "Number of open file descriptors.", process_fds },
	{ "process_max_fds", "gauge",
	  "Maximum number of open file descriptors.", process_max_fds },
	{ "process_start_time_seconds", "gauge",
	  "Start time of the process since unix epoch in seconds.",
	  process_start },
};

/* The master, then every live worker /proc still has; returns how many. */
static size_t
process_rows(struct admin_host *h, struct process_row *rows)
{
	size_t n = 0;
	uint32_t i;

	if (procstat_read(getpid(), &rows[n].st) == 0)
		snprintf(rows[n++].labels, sizeof rows[0].labels,
		    "process=\"master\"");
	for (i = 0; i < h->shm->hdr->nslots; i++) {
		const struct shm_slot *s = shm_slot(h->shm, i);

		if (s->pid == 0 || procstat_read(s->pid, &rows[n].st) == -1)
			continue;
		snprintf(rows[n++].labels, sizeof rows[0].labels,
		    "process=\"worker\",worker=\"%d\",slot=\"%u\"", s->index,
		    i);
	}
	return n;
}

void
metrics_process(struct evbuffer *out, struct admin_host *h)
{
	const struct process_family *f;
	struct process_row *rows;
	size_t i, n;

	rows = xcalloc((size_t)h->shm->hdr->nslots + 1, sizeof *rows);
	n = process_rows(h, rows);
	for (f = process_families; f < process_families +
	    HL_ARRAY_LEN(process_families); f++) {
		prom_family(out, f->name, f->type, f->help);
		for (i = 0; i < n; i++)
			prom_sample(out, f->name, rows[i].labels,
			    f->value(&rows[i].st));
	}
	free(rows);
}
