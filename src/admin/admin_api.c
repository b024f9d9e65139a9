/* Admin endpoints: health, the worker scoreboard and metrics. */
#include "autoconf.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <time.h>

#include "admin/admin_api.h"
#include "admin/admin_reports.h"
#include "admin/metrics.h"
#include "prof/ring.h"
#include "core/util.h"
#include "core/config.h"
#include "core/shm.h"

static uint64_t
admin_uptime(const struct admin_host *h)
{
	return (uint64_t)time(NULL) - h->shm->hdr->start_time;
}

/* Workers running and not stuck (the watchdog's view). */
static int
admin_running(const struct admin_host *h)
{
	uint64_t now = hl_now_ms();
	uint32_t i;
	int n = 0;

	for (i = 0; i < h->shm->hdr->nslots; i++)
		n += __atomic_load_n(&shm_slot(h->shm, i)->state,
		    __ATOMIC_ACQUIRE) == SLOT_RUNNING &&
		    !h->stuck(h->arg, i, now);
	return n;
}

json_t *
admin_api_health(const struct admin_host *h, int *code)
{
	int running = admin_running(h);
	const char *status = running >= h->cf->workers ? "ok" :
	    running > 0 ? "degraded" : "unavailable";

	*code = running > 0 ? 200 : 503;
	return json_pack("{s:s, s:i, s:i, s:o, s:I}", "status", status,
	    "workers", running, "workers_configured", h->cf->workers,
	    "stuck", h->stuck_json(h->arg),
	    "uptime_seconds", (json_int_t)admin_uptime(h));
}

/* 200 "ok" when every configured worker runs and none is stuck, 200
 * "degraded" when some serve, 503 "unavailable" when none can. */
static void
admin_health(struct evhttp_request *req, struct admin_host *h, const char *rest)
{
	int code;
	json_t *body = admin_api_health(h, &code);

	admin_reply_json(req, code, body);
}

/* The counters /api/workers shows for each slot. */
#define COUNTER(f)	offsetof(struct shm_counters, f)
static const struct {
	const char	*name;
	size_t		 offset;
} admin_counters[] = {
	{ "connections_active", COUNTER(connections_active) },
	{ "connections_total", COUNTER(connections_total) },
	{ "ws_active", COUNTER(ws_active) },
	{ "ws_accepted", COUNTER(ws_accepted) },
	{ "ws_rejected", COUNTER(ws_rejected) },
	{ "messages_in", COUNTER(messages_in) },
	{ "messages_out", COUNTER(messages_out) },
	{ "bytes_in", COUNTER(bytes_in) },
	{ "bytes_out", COUNTER(bytes_out) },
	{ "errors", COUNTER(errors) },
	{ "protocol_errors", COUNTER(protocol_errors) },
	{ "slow_reader_closes", COUNTER(slow_reader_closes) },
	{ "idle_closes", COUNTER(idle_closes) },
	{ "output_bound_closes", SHM_LIMIT_OFF(output_bound_closes) },
	{ "output_queued_bytes", SHM_LIMIT_OFF(output_held) },
	{ "deferred_refused", SHM_LIMIT_OFF(deferred_refused) },
	{ "deferred_cancelled", SHM_LIMIT_OFF(deferred_cancelled) },
	{ "deferred_pending", SHM_LIMIT_OFF(deferred_pending) },
	{ "alloc_keep_refused", SHM_LIMIT_OFF(alloc_keep_refused) },
	{ "alloc_kept_bytes", SHM_LIMIT_OFF(alloc_kept) },
	{ "replies_dropped", COUNTER(replies_dropped) },
	{ "handler_no_reply", COUNTER(handler_no_reply) },
	{ "broadcasts_published", COUNTER(bcast_published) },
	{ "broadcasts_received", COUNTER(bcast_received) },
	{ "broadcast_frames_delivered", COUNTER(bcast_delivered) },
	{ "broadcast_errors", COUNTER(broadcast_errors) },
	{ "broadcast_redis_up", COUNTER(bcast_redis_up) },
	{ "memprof_allocs", COUNTER(mem_allocs) },
	{ "memprof_frees", COUNTER(mem_frees) },
	{ "memprof_copies", COUNTER(mem_copies) },
	{ "memprof_untracked", COUNTER(mem_untracked) },
	{ "memprof_dropped", COUNTER(mem_dropped) },
	{ "memprof_hook_ns", COUNTER(mem_hook_ns) },
	{ "memprof_heap_sampled_bytes", COUNTER(mem_heap_sampled) },
	{ "memprof_tracked_blocks", COUNTER(mem_tracked) },
};

/* The slot's event ring (memory profiler records), as its reader sees it. */
static void
admin_event_ring_json(const struct admin_host *h, uint32_t i, json_t *o)
{
	struct ring_stats st;
	struct ring *r;

	if (h->shm->hdr->event_ring_bytes == 0 ||
	    (r = ring_attach(shm_event_ring(h->shm, i))) == NULL)
		return;
	ring_stats(r, &st);
	json_object_set_new(o, "event_ring", json_pack(
	    "{s:I, s:I, s:I, s:I, s:I}", "records", (json_int_t)st.records,
	    "drops", (json_int_t)st.drops, "consumed",
	    (json_int_t)st.consumed, "lag_bytes", (json_int_t)st.lag_bytes,
	    "corrupt", (json_int_t)st.corrupt));
}

static json_t *
admin_slot_json(const struct admin_host *h, uint32_t i, uint64_t now)
{
	const struct shm_slot *s = shm_slot(h->shm, i);
	json_t *o;
	size_t k;

	o = json_pack("{s:i, s:i, s:i, s:i, s:I, s:s, s:I, s:I}",
	    "slot", (int)i, "index", s->index,
	    "pid", __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE),
	    "generation", (int)s->generation, "epoch", (json_int_t)s->epoch,
	    "state", shm_state_name(__atomic_load_n(&s->state,
	    __ATOMIC_ACQUIRE)),
	    "started_at", (json_int_t)(s->started_at / 1000),
	    "heartbeat_age_ms", (json_int_t)(now - shm_read(&s->heartbeat)));
	json_object_set_new(o, "stuck", json_boolean(h->stuck(h->arg, i,
	    now)));
	if (__atomic_load_n(&s->busy_since, __ATOMIC_ACQUIRE) != 0)
		json_object_set_new(o, "busy_pkg_id", json_integer(
		    __atomic_load_n(&s->busy_pkg_id, __ATOMIC_RELAXED)));
	for (k = 0; k < HL_ARRAY_LEN(admin_counters); k++)
		json_object_set_new(o, admin_counters[k].name, json_integer(
		    (json_int_t)shm_read((const uint64_t *)(const void *)
		    ((const char *)&s->counters + admin_counters[k].offset))));
	admin_event_ring_json(h, i, o);
	return o;
}

/* How evenly the kernel spread connections over the current workers. */
static json_t *
admin_balance_json(const struct admin_host *h)
{
	struct admin_cycle c;
	uint64_t min = UINT64_MAX, max = 0, sum = 0;
	double mean, var = 0;
	uint32_t i;
	int n = 0;

	h->cycle(h->arg, &c);

	for (i = 0; i < h->shm->hdr->nslots; i++) {
		const struct shm_slot *s = shm_slot(h->shm, i);
		uint64_t v = shm_read(&s->counters.connections_total);

		if (s->pid == 0 || s->epoch != c.epoch)
			continue;
		min = HL_MIN(min, v);
		max = HL_MAX(max, v);
		sum += v;
		n++;
	}
	if (n == 0 || sum == 0)
		return json_pack("{s:i, s:I}", "workers", n, "connections", 0);
	mean = (double)sum / n;
	for (i = 0; i < h->shm->hdr->nslots; i++) {
		const struct shm_slot *s = shm_slot(h->shm, i);
		double d = (double)shm_read(&s->counters.connections_total) -
		    mean;

		if (s->pid != 0 && s->epoch == c.epoch)
			var += d * d / n;
	}
	return json_pack("{s:i, s:I, s:I, s:I, s:f, s:f}", "workers", n,
	    "connections", (json_int_t)sum, "min", (json_int_t)min,
	    "max", (json_int_t)max, "max_over_mean", (double)max / mean,
	    "coefficient_of_variation", sqrt(var) / mean);
}

json_t *
admin_api_workers(struct admin_host *h)
{
	json_t *list = json_array();
	struct admin_cycle c;
	uint64_t now = hl_now_ms();
	uint32_t i;

	h->cycle(h->arg, &c);
	for (i = 0; i < h->shm->hdr->nslots; i++) {
		if (__atomic_load_n(&shm_slot(h->shm, i)->state,
		    __ATOMIC_ACQUIRE) != SLOT_FREE)
			json_array_append_new(list, admin_slot_json(h, i, now));
	}
	return json_pack("{s:i, s:I, s:i, s:i, s:I, s:I, s:I, s:o, s:o}",
	    "master_pid", h->shm->hdr->master_pid,
	    "epoch", (json_int_t)c.epoch,
	    "workers_configured", h->cf->workers,
	    "max_workers", h->cf->max_workers,
	    "uptime_seconds", (json_int_t)admin_uptime(h),
	    "restarts", (json_int_t)c.restarts,
	    "reloads", (json_int_t)c.reloads,
	    "workers", list, "accept_balance", admin_balance_json(h));
}

static void
admin_workers(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	admin_reply_json(req, 200, admin_api_workers(h));
}

static void
admin_metrics(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	struct evbuffer *out = metrics_render(h);

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

const struct admin_route admin_api_routes[] = {
	{ ADMIN_GET, "/health", admin_health },
	{ ADMIN_GET, "/metrics", admin_metrics },
	{ ADMIN_GET, "/api/workers", admin_workers },
	{ ADMIN_GET, "/api/profiling/reports", admin_reports_list },
	{ ADMIN_GET, "/api/profiling/reports/", admin_reports_get },
	{ ADMIN_DELETE, "/api/profiling/reports/", admin_reports_delete },
};

const size_t admin_api_nroutes = HL_ARRAY_LEN(admin_api_routes);
