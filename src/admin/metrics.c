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

#include "admin/admin_bcast.h"
#include "admin/admin_prof.h"
#include "admin/metrics.h"
#include "admin/prom.h"
#include "prof/prof.h"
#include "report/report_store.h"
#include "profd/memagg.h"
#include "app/router.h"
#include "ws/ws_handshake.h"
#include "core/util.h"
#include "core/config.h"
#include "core/shm.h"

struct metric_counter {
	const char	*name;		/* summed over the instance */
	const char	*worker;	/* per worker, hotline_worker_<this> */
	const char	*type;
	const char	*help;
	size_t		 offset;	/* in struct shm_counters */
};

#define COUNTER(f)	offsetof(struct shm_counters, f)
#define REFUSAL(r)	(offsetof(struct shm_slot, refusals) +		\
	(r) * sizeof(uint64_t))

/* The ws_* names are the seed service's, so its dashboards keep working. */
static const struct metric_counter metric_counters[] = {
	{ "hotline_connections_active", "connections_active", "gauge",
	  "Open TCP connections, upgraded or not.",
	  COUNTER(connections_active) },
	{ "hotline_connections_accepted_total", "connections_accepted_total",
	  "counter", "TCP connections accepted.", COUNTER(connections_total) },
	{ "ws_connections_active", "ws_connections_active", "gauge",
	  "Open WebSocket connections.", COUNTER(ws_active) },
	{ "ws_messages_received_total", "messages_received_total", "counter",
	  "WebSocket messages received.", COUNTER(messages_in) },
	{ "ws_messages_sent_total", "messages_sent_total", "counter",
	  "WebSocket messages sent.", COUNTER(messages_out) },
	{ "hotline_bytes_received_total", "bytes_received_total", "counter",
	  "Bytes read from clients.", COUNTER(bytes_in) },
	{ "hotline_bytes_sent_total", "bytes_sent_total", "counter",
	  "Bytes written to clients.", COUNTER(bytes_out) },
	{ "hotline_errors_total", "errors_total", "counter",
	  "Read, write and accept errors.", COUNTER(errors) },
	{ "hotline_ws_protocol_errors_total", NULL, "counter",
	  "Connections failed for a protocol violation (close 1002/1007/1009).",
	  COUNTER(protocol_errors) },
	{ "hotline_slow_reader_closes_total", NULL, "counter",
	  "Connections closed because their send queue passed its bound.",
	  COUNTER(slow_reader_closes) },
	{ "hotline_input_bound_closes_total", NULL, "counter",
	  "Connections closed (1013) because the worker held "
	  "ws_worker_input_bytes of partly received messages.",
	  COUNTER(input_bound_closes) },
	{ "hotline_output_bound_closes_total", NULL, "counter",
	  "Connections closed (1013) because the worker's send queues held "
	  "ws_worker_output_bytes.", SHM_LIMIT_OFF(output_bound_closes) },
	{ "hotline_output_queued_bytes", "output_queued_bytes", "gauge",
	  "What the send queues hold, payload plus per-slice overhead (a "
	  "shared broadcast frame counts once per queue).",
	  SHM_LIMIT_OFF(output_held) },
	{ "hotline_deferred_refused_total", NULL, "counter",
	  "Requests refused because their connection had ws_max_deferred "
	  "replies pending.", SHM_LIMIT_OFF(deferred_refused) },
	{ "hotline_deferred_cancelled_total", NULL, "counter",
	  "Deferred replies cancelled because their connection closed.",
	  SHM_LIMIT_OFF(deferred_cancelled) },
	{ "hotline_deferred_pending", "deferred_pending", "gauge",
	  "Deferred replies not yet sent.", SHM_LIMIT_OFF(deferred_pending) },
	{ "hotline_alloc_keep_refused_total", NULL, "counter",
	  "alloc requests with keep refused at alloc_keep_bytes.",
	  SHM_LIMIT_OFF(alloc_keep_refused) },
	{ "hotline_alloc_kept_bytes", "alloc_kept_bytes", "gauge",
	  "What the alloc handler's kept blocks cost the allocator.",
	  SHM_LIMIT_OFF(alloc_kept) },
	{ "hotline_idle_closes_total", NULL, "counter",
	  "Connections closed after ws_idle_timeout without traffic.",
	  COUNTER(idle_closes) },
	{ "hotline_replies_dropped_total", NULL, "counter",
	  "Deferred replies whose connection had closed.",
	  COUNTER(replies_dropped) },
	{ "hotline_handler_no_reply_total", NULL, "counter",
	  "Requests whose handler returned without replying.",
	  COUNTER(handler_no_reply) },
	{ "hotline_memprof_alloc_records_total", NULL, "counter",
	  "Sampled allocations the workers' hooks recorded.",
	  COUNTER(mem_allocs) },
	{ "hotline_memprof_free_records_total", NULL, "counter",
	  "Frees of sampled blocks the workers' hooks recorded.",
	  COUNTER(mem_frees) },
	{ "hotline_memprof_copy_records_total", NULL, "counter",
	  "Sampled copies and read/write byte counts recorded.",
	  COUNTER(mem_copies) },
	{ "hotline_memprof_untracked_total", NULL, "counter",
	  "Sampled allocations recorded while the table of sampled blocks "
	  "was full.",
	  COUNTER(mem_untracked) },
	{ "hotline_memprof_dropped_total", NULL, "counter",
	  "Memory profiler records dropped because the event ring was full.",
	  COUNTER(mem_dropped) },
	{ "hotline_memprof_heap_sampled_bytes", "memprof_heap_sampled_bytes",
	  "gauge", "Heap in use estimated from sampled blocks not yet freed "
	  "(allocations on the event-loop thread).",
	  COUNTER(mem_heap_sampled) },
};

static uint64_t
metric_value(const struct shm_counters *c, const struct metric_counter *mc)
{
	return shm_read((const uint64_t *)(const void *)
	    ((const char *)c + mc->offset));
}

static void
metrics_master(struct evbuffer *out, struct admin_host *h)
{
	struct admin_cycle c;

	h->cycle(h->arg, &c);
	prom_family(out, "hotline_info", "gauge",
	    "Build information; always 1.");
	evbuffer_add_printf(out, "hotline_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	prom_family(out, "hotline_start_time_seconds", "gauge",
	    "When the master started, in seconds since the epoch.");
	evbuffer_add_printf(out, "hotline_start_time_seconds %llu\n",
	    (unsigned long long)h->shm->hdr->start_time);
	prom_family(out, "hotline_workers_configured", "gauge",
	    "Workers the configuration asks for.");
	evbuffer_add_printf(out, "hotline_workers_configured %d\n",
	    h->cf->workers);
	prom_family(out, "hotline_workers_live", "gauge",
	    "Worker processes alive, draining ones included.");
	evbuffer_add_printf(out, "hotline_workers_live %d\n",
	    c.live);
	prom_family(out, "hotline_worker_restarts_total", "counter",
	    "Workers restarted after dying unexpectedly.");
	evbuffer_add_printf(out, "hotline_worker_restarts_total %llu\n",
	    (unsigned long long)c.restarts);
	prom_family(out, "hotline_reloads_total", "counter",
	    "Configuration reloads that took effect.");
	evbuffer_add_printf(out, "hotline_reloads_total %llu\n",
	    (unsigned long long)c.reloads);
}

static void
metrics_per_worker(struct evbuffer *out, struct admin_host *h)
{
	const struct metric_counter *mc;
	char name[128];
	uint32_t i;

	for (mc = metric_counters; mc < metric_counters +
	    HL_ARRAY_LEN(metric_counters); mc++) {
		if (mc->worker == NULL)
			continue;
		snprintf(name, sizeof name, "hotline_worker_%s", mc->worker);
		prom_family(out, name, mc->type, mc->help);
		for (i = 0; i < h->shm->hdr->nslots; i++) {
			const struct shm_slot *s = shm_slot(h->shm, i);

			if (s->pid != 0)
				evbuffer_add_printf(out, "%s{worker=\"%d\","
				    "slot=\"%u\"} %llu\n", name, s->index, i,
				    (unsigned long long)metric_value(
				    &s->counters, mc));
		}
	}
}

static void
metrics_summed(struct evbuffer *out, const struct prom_slots *ps)
{
	const struct metric_counter *mc;

	for (mc = metric_counters; mc < metric_counters +
	    HL_ARRAY_LEN(metric_counters); mc++)
		prom_single(out, mc->name, mc->type, mc->help, prom_sum(ps,
		    offsetof(struct shm_slot, counters) + mc->offset));
	prom_family(out, "hotline_memprof_hook_seconds_total", "counter",
	    "Time the workers spent on the memory hooks' sampled path.");
	prom_sample(out, "hotline_memprof_hook_seconds_total", NULL,
	    (double)prom_sum(ps, offsetof(struct shm_slot,
	    counters.mem_hook_ns)) / 1e9);
}

static void
metrics_ws(struct evbuffer *out, const struct prom_slots *ps)
{
	unsigned r;

	uint64_t by[SHM_MAX_REFUSALS] = { 0 }, other = 0;

	for (r = 1; r < WS_HANDSHAKE_REFUSE_COUNT && r < SHM_MAX_REFUSALS; r++)
		by[r] = prom_sum(ps, REFUSAL(r));
	for (r = 1; r < SHM_MAX_REFUSALS; r++)
		if (r != WS_HANDSHAKE_REFUSE_UNAUTHORIZED &&
		    r != WS_HANDSHAKE_REFUSE_TOO_MANY)
			other += by[r];
	/* One series per outcome, so sum() is every handshake: refusals by
	 * authentication (401) and by the per-user limit (429) have the seed
	 * service's statuses, the other refusals stay "rejected". */
	prom_family(out, "ws_connections_total", "counter",
	    "WebSocket handshakes by outcome.");
	evbuffer_add_printf(out, "ws_connections_total{status=\"accepted\"} "
	    "%llu\n", (unsigned long long)prom_sum(ps,
	    offsetof(struct shm_slot, counters.ws_accepted)));
	evbuffer_add_printf(out, "ws_connections_total{status=\"rejected\"} "
	    "%llu\nws_connections_total{status=\"rejected_auth\"} %llu\n"
	    "ws_connections_total{status=\"rejected_limit\"} %llu\n",
	    (unsigned long long)other, (unsigned long long)
	    by[WS_HANDSHAKE_REFUSE_UNAUTHORIZED], (unsigned long long)
	    by[WS_HANDSHAKE_REFUSE_TOO_MANY]);
	prom_family(out, "hotline_ws_handshake_refusals_total", "counter",
	    "Upgrade requests refused, by reason.");
	for (r = 1; r < WS_HANDSHAKE_REFUSE_COUNT && r < SHM_MAX_REFUSALS; r++)
		evbuffer_add_printf(out, "hotline_ws_handshake_refusals_total{"
		    "reason=\"%s\"} %llu\n", ws_handshake_refusal_name(r),
		    (unsigned long long)by[r]);
}

static const char *const metric_le[SHM_HIST_BUCKETS] = {
	"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5",
};

/* One histogram per handler. */
static void
metrics_latency(struct evbuffer *out, const struct prom_slots *ps)
{
	struct prom_hist h = {
		.name = "ws_message_processing_duration_seconds",
		.le = metric_le,
		.nbuckets = SHM_HIST_BUCKETS,
		.sum_digits = 9,
	};
	char labels[32];
	size_t base, i;

	prom_family(out, h.name, "histogram",
	    "Time from a request's arrival to its reply, by pkg_id.");
	for (i = 0; i < router_count(); i++) {
		const struct route *r = router_at(i);

		if (r->index < 0)
			continue;
		base = offsetof(struct shm_slot, hist) +
		    (size_t)r->index * sizeof(struct shm_hist);
		snprintf(labels, sizeof labels, "pkg_id=\"%d\"", r->pkg_id);
		h.labels = labels;
		h.buckets = base;
		h.count = base + offsetof(struct shm_hist, count);
		h.sum_ns = base + offsetof(struct shm_hist, sum_ns);
		prom_histogram(out, ps, &h);
	}
}

/* The memory profiler, as the master sees it: sampled allocation volume
 * per worker (rate() of it is the allocation rate; the sampled heap in use
 * is the workers' own gauge, hotline_worker_memprof_heap_sampled_bytes),
 * and what it matched. */
static void
metrics_memory(struct evbuffer *out, struct admin_host *h)
{
	struct memagg_totals t;
	uint32_t i;

	memagg_get_totals(&t);
	prom_family(out, "hotline_profiler_memory_samples_total", "counter",
	    "Sampled allocations the master has drained.");
	evbuffer_add_printf(out, "hotline_profiler_memory_samples_total "
	    "%llu\n", (unsigned long long)t.allocs);
	prom_family(out, "hotline_profiler_unmatched_frees_total", "counter",
	    "Frees of sampled blocks whose allocation was not seen.");
	evbuffer_add_printf(out, "hotline_profiler_unmatched_frees_total "
	    "%llu\n", (unsigned long long)t.unmatched);
	prom_family(out, "hotline_worker_allocated_sampled_bytes_total",
	    "counter", "Bytes allocated per worker since its slot started, "
	    "estimated from sampled allocations.");
	for (i = 0; i < h->shm->hdr->nslots; i++) {
		const struct shm_slot *s = shm_slot(h->shm, i);

		if (s->pid != 0)
			evbuffer_add_printf(out, "hotline_worker_allocated_"
			    "sampled_bytes_total{worker=\"%d\",slot=\"%u\"} "
			    "%llu\n", s->index, i,
			    (unsigned long long)memagg_slot_alloc(i));
	}
}

static void
metrics_profiler(struct evbuffer *out, struct admin_host *h)
{
	unsigned long long samples, dropped, written;
	double overhead;

	prof_master_totals(&samples, &dropped, &overhead, &written);
	prom_family(out, "hotline_profiler_samples_total", "counter",
	    "CPU samples the master has aggregated.");
	evbuffer_add_printf(out, "hotline_profiler_samples_total %llu\n",
	    samples);
	prom_family(out, "hotline_profiler_dropped_total", "counter",
	    "Samples lost to a full ring.");
	evbuffer_add_printf(out, "hotline_profiler_dropped_total %llu\n",
	    dropped);
	prom_family(out, "hotline_profiler_overhead_ratio", "gauge",
	    "CPU time in the sampler over the workers' CPU time.");
	evbuffer_add_printf(out, "hotline_profiler_overhead_ratio %.6f\n",
	    overhead);
	prom_family(out, "hotline_profiler_reports_written_total", "counter",
	    "Reports written to profiling_output_dir.");
	evbuffer_add_printf(out, "hotline_profiler_reports_written_total "
	    "%llu\n", written);
	prom_single(out, "hotline_report_write_failures_total", "counter",
	    "Report files the report store failed to write (the directory "
	    "missing, not a directory, full or not writable).",
	    report_store_write_failures(h->reports));
	metrics_memory(out, h);
}

struct evbuffer *
metrics_render(struct admin_host *h)
{
	struct prom_slots ps = { h->shm, h->retired };
	struct evbuffer *out = evbuffer_new();

	if (out == NULL)
		fatalx("out of memory rendering metrics");
	metrics_master(out, h);
	metrics_process(out, h);
	h->metrics(h->arg, out);
	admin_limits_metrics(out, h->admin);
	metrics_summed(out, &ps);
	metrics_ws(out, &ps);
	metrics_latency(out, &ps);
	admin_bcast_metrics(out, &ps);
	metrics_auth(out, &ps);
	metrics_profiler(out, h);
	admin_prof_metrics(out);
	metrics_per_worker(out, h);
	return out;
}
