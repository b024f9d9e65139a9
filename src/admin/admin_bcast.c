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
#include "bcast/bcast.h"
#include "bcast/bcast_wire.h"
#include "cycle/master.h"
#include "core/util.h"

static void
admin_broadcast(struct evhttp_request *req, struct master *m,
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

/* A counter of every slot and the retired totals, summed. */
static uint64_t
admin_bcast_sum(struct master *m, size_t off, int gauge)
{
	uint64_t sum = gauge ? 0 : shm_read((const uint64_t *)(const void *)
	    ((const char *)&m->retired + off));
	uint32_t i;

	for (i = 0; i < m->shm.hdr->nslots; i++)
		sum += shm_read((const uint64_t *)(const void *)
		    ((const char *)shm_slot(&m->shm, i) + off));
	return sum;
}

static void
admin_bcast_family(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

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

static void
admin_bcast_lag(struct evbuffer *out, struct master *m)
{
	const char *name = "hotline_broadcast_delivery_lag_seconds";
	uint64_t cum = 0;
	int b;

	admin_bcast_family(out, name, "histogram", "From publish to the "
	    "frame queued on the last subscriber's socket, per message and "
	    "worker.");
	for (b = 0; b < 10; b++) {
		cum += admin_bcast_sum(m, COUNTER(bcast_lag) +
		    (size_t)b * sizeof(uint64_t), 0);
		evbuffer_add_printf(out, "%s_bucket{le=\"%s\"} %llu\n", name,
		    lag_le[b], (unsigned long long)cum);
	}
	evbuffer_add_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.9f\n"
	    "%s_count %llu\n", name, (unsigned long long)admin_bcast_sum(m,
	    COUNTER(bcast_lag_count), 0), name,
	    admin_bcast_sum(m, COUNTER(bcast_lag_sum_ns), 0) / 1e9, name,
	    (unsigned long long)admin_bcast_sum(m, COUNTER(bcast_lag_count), 0));
}

void
admin_bcast_metrics(struct evbuffer *out, struct master *m)
{
	uint64_t mine[3], v;
	size_t i;

	admin_bcast_family(out, "ws_broadcast_errors_total", "counter",
	    "Broadcast deliveries that failed, by reason.");
	bcast_master_counters(&mine[0], &mine[1], &mine[2]);
	for (i = 0; i < HL_ARRAY_LEN(bcast_reasons); i++) {
		v = admin_bcast_sum(m, bcast_reasons[i].offset, 0);
		if (bcast_reasons[i].offset == COUNTER(bcast_drop_too_big))
			v += mine[1];
		else if (bcast_reasons[i].offset == COUNTER(bcast_drop_redis))
			v += mine[2];
		evbuffer_add_printf(out, "ws_broadcast_errors_total{reason="
		    "\"%s\"} %llu\n", bcast_reasons[i].reason,
		    (unsigned long long)v);
	}
	evbuffer_add_printf(out, "ws_broadcast_errors_total{reason=\"backlog\"} "
	    "%llu\n", (unsigned long long)admin_bcast_sum(m, BCAST(backlog_drops),
	    0));
	for (i = 0; i < BWIRE_NVERDICTS; i++)
		evbuffer_add_printf(out, "ws_broadcast_errors_total{reason="
		    "\"%s\"} %llu\n", bwire_reason((enum bwire_verdict)i),
		    (unsigned long long)admin_bcast_sum(m, BCAST(redis_refused) + i * sizeof(uint64_t), 0));
	admin_bcast_family(out, "hotline_broadcasts_sent_total", "counter",
	    "Broadcasts published (by handlers and the admin endpoint).");
	evbuffer_add_printf(out, "hotline_broadcasts_sent_total %llu\n",
	    (unsigned long long)(admin_bcast_sum(m, COUNTER(bcast_published),
	    0) + mine[0]));
	admin_bcast_family(out, "hotline_broadcast_frames_delivered_total",
	    "counter", "Broadcast frames queued on subscribers' sockets.");
	evbuffer_add_printf(out, "hotline_broadcast_frames_delivered_total "
	    "%llu\n", (unsigned long long)admin_bcast_sum(m,
	    COUNTER(bcast_delivered), 0));
	admin_bcast_family(out, "hotline_broadcast_redis_up", "gauge",
	    "Workers whose Redis connections are up (and subscribed).");
	evbuffer_add_printf(out, "hotline_broadcast_redis_up %llu\n",
	    (unsigned long long)admin_bcast_sum(m, COUNTER(bcast_redis_up), 1));
	admin_bcast_family(out, "hotline_broadcast_fanout_slices_total",
	    "counter", "Loop turns that delivered broadcasts (at most "
	    "broadcast_fanout_slice connections each).");
	evbuffer_add_printf(out, "hotline_broadcast_fanout_slices_total %llu\n",
	    (unsigned long long)admin_bcast_sum(m, BCAST(slices), 0));
	admin_bcast_family(out, "hotline_broadcast_backlog_bytes", "gauge",
	    "Broadcast frames waiting for their slices, over the workers.");
	evbuffer_add_printf(out, "hotline_broadcast_backlog_bytes %llu\n",
	    (unsigned long long)admin_bcast_sum(m, BCAST(backlog_bytes), 1));
	admin_bcast_lag(out, m);
}
