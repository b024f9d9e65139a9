/*
 * POST /api/broadcast {"topic": string, "data": any JSON}: the master
 * publishes into its own outbox and wakes the workers (and publishes on
 * Redis); it answers at once with the message id and how many workers it
 * was handed to. And the broadcast metrics.
 */
#include "autoconf.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stddef.h>

#include "admin/admin_bcast.h"
#include "admin/prom.h"
#include "bcast/bcast.h"
#include "bcast/bcast_wire.h"
#include "core/util.h"
#include "core/config.h"
#include "core/shm.h"

static void
admin_broadcast(struct evhttp_request *req, struct admin_host *h,
    const char *rest)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const char *body = (const char *)evbuffer_pullup(in, -1), *why;
	json_t *doc, *topic, *data;
	json_error_t jerr;
	char id[BCAST_ID_MAX];
	int n;

	doc = len > 0 ? json_loadb(body, len, 0, &jerr) : NULL;
	if (doc == NULL) {
		admin_reply_error(req, 400, "the body must be a JSON object "
		    "{\"topic\": string, \"data\": value}%s%s", len ? ": " : "",
		    len ? jerr.text : "");
		return;
	}
	topic = json_object_get(doc, "topic");
	data = json_object_get(doc, "data");
	if (!json_is_string(topic) || data == NULL) {
		json_decref(doc);
		admin_reply_error(req, 400, "\"topic\" (a string) and \"data\" "
		    "are required");
		return;
	}
	n = bcast_publish(json_string_value(topic), json_string_length(topic),
	    data, id, &why);
	if (n < 0)
		admin_reply_error(req, 400, "%s", why);
	else
		admin_reply_json(req, 200, json_pack("{s:s, s:O, s:i, s:s}",
		    "message_id", id, "topic", topic, "workers", n,
		    "instance", bcast_instance()));
	json_decref(doc);
}

const struct admin_route admin_bcast_routes[] = {
	{ ADMIN_POST, "/api/broadcast", admin_broadcast },
};

const size_t admin_bcast_nroutes = HL_ARRAY_LEN(admin_bcast_routes);

#define COUNTER(f)	offsetof(struct shm_slot, counters.f)
#define BCAST(f)	offsetof(struct shm_slot, bcast.f)

static const struct {
	const char	*reason;
	size_t		 offset;
} bcast_reasons[] = {
	{ "slow_drop", COUNTER(bcast_drop_slow) },
	{ "slow_close", COUNTER(bcast_close_slow) },
	{ "lapped", COUNTER(bcast_drop_lapped) },
	{ "too_big", COUNTER(bcast_drop_too_big) },
	{ "redis", COUNTER(bcast_drop_redis) },
};

static const char *const lag_le[10] = {
	"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
	"0.025", "0.1", "1",
};

static const struct prom_hist bcast_lag = {
	.name = "hotline_broadcast_delivery_lag_seconds",
	.le = lag_le,
	.nbuckets = HL_ARRAY_LEN(lag_le),
	.buckets = COUNTER(bcast_lag),
	.count = COUNTER(bcast_lag_count),
	.sum_ns = COUNTER(bcast_lag_sum_ns),
	.sum_digits = 9,
};

void
admin_bcast_metrics(struct evbuffer *out, const struct prom_slots *ps)
{
	uint64_t mine[3], v;
	size_t i;

	prom_family(out, "ws_broadcast_errors_total", "counter",
	    "Broadcast deliveries that failed, by reason.");
	bcast_master_counters(&mine[0], &mine[1], &mine[2]);
	for (i = 0; i < HL_ARRAY_LEN(bcast_reasons); i++) {
		v = prom_sum(ps, bcast_reasons[i].offset);
		if (bcast_reasons[i].offset == COUNTER(bcast_drop_too_big))
			v += mine[1];
		else if (bcast_reasons[i].offset == COUNTER(bcast_drop_redis))
			v += mine[2];
		evbuffer_add_printf(out, "ws_broadcast_errors_total{reason="
		    "\"%s\"} %llu\n", bcast_reasons[i].reason,
		    (unsigned long long)v);
	}
	evbuffer_add_printf(out,
	    "ws_broadcast_errors_total{reason=\"backlog\"} %llu\n",
	    (unsigned long long)prom_sum(ps, BCAST(backlog_drops)));
	for (i = 0; i < BWIRE_NVERDICTS; i++)
		evbuffer_add_printf(out, "ws_broadcast_errors_total{reason="
		    "\"%s\"} %llu\n", bwire_reason((enum bwire_verdict)i),
		    (unsigned long long)prom_sum(ps, BCAST(redis_refused) +
		    i * sizeof(uint64_t)));
	prom_family(out, "hotline_broadcasts_sent_total", "counter",
	    "Broadcasts published (by handlers and the admin endpoint).");
	evbuffer_add_printf(out, "hotline_broadcasts_sent_total %llu\n",
	    (unsigned long long)(prom_sum(ps, COUNTER(bcast_published)) +
	    mine[0]));
	prom_family(out, "hotline_broadcast_frames_delivered_total",
	    "counter", "Broadcast frames queued on subscribers' sockets.");
	evbuffer_add_printf(out, "hotline_broadcast_frames_delivered_total "
	    "%llu\n", (unsigned long long)prom_sum(ps,
	    COUNTER(bcast_delivered)));
	prom_family(out, "hotline_broadcast_redis_up", "gauge",
	    "Workers whose Redis connections are up (and subscribed).");
	evbuffer_add_printf(out, "hotline_broadcast_redis_up %llu\n",
	    (unsigned long long)prom_live(ps, COUNTER(bcast_redis_up)));
	prom_family(out, "hotline_broadcast_fanout_slices_total",
	    "counter", "Loop turns that delivered broadcasts (at most "
	    "broadcast_fanout_slice connections each).");
	evbuffer_add_printf(out, "hotline_broadcast_fanout_slices_total %llu\n",
	    (unsigned long long)prom_sum(ps, BCAST(slices)));
	prom_family(out, "hotline_broadcast_backlog_bytes", "gauge",
	    "Broadcast frames waiting for their slices, over the workers.");
	evbuffer_add_printf(out, "hotline_broadcast_backlog_bytes %llu\n",
	    (unsigned long long)prom_live(ps, BCAST(backlog_bytes)));
	prom_family(out, bcast_lag.name, "histogram", "From publish to the "
	    "frame queued on the last subscriber's socket, per message and "
	    "worker.");
	prom_histogram(out, ps, &bcast_lag);
}
