/*
 * The authentication metrics on /metrics: refusals by reason, limits,
 * token expiry, the JWKS fetcher and the Redis round trips, each summed
 * over the worker slots (counters also over the retired workers; gauges
 * over the live slots only).
 */
#include "autoconf.h"

#include <event2/buffer.h>
#include <stddef.h>

#include "auth/auth_int.h"
#include "cycle/master.h"

/* A word at byte off of every slot, plus the retired one for counters. */
static uint64_t
auth_slot_sum(struct master *m, size_t off, int retired)
{
	uint64_t sum = !retired ? 0 : shm_read((const uint64_t *)(const void *)
	    ((const char *)&m->retired + off));
	uint32_t i;

	for (i = 0; i < m->shm.hdr->nslots; i++)
		sum += shm_read((const uint64_t *)(const void *)((const char *)
		    shm_slot(&m->shm, i) + off));
	return sum;
}

#define COUNTER(f)	auth_slot_sum(m, offsetof(struct shm_slot, counters) + \
			    offsetof(struct shm_counters, f), 1)
#define GAUGE(f)	auth_slot_sum(m, offsetof(struct shm_slot, counters) + \
			    offsetof(struct shm_counters, f), 0)
#define ACOUNTER(f)	auth_slot_sum(m, offsetof(struct shm_slot, auth) + \
			    offsetof(struct shm_auth, f), 1)
#define AGAUGE(f)	auth_slot_sum(m, offsetof(struct shm_slot, auth) + \
			    offsetof(struct shm_auth, f), 0)

static void
auth_metric(struct evbuffer *out, const char *name, const char *type,
    const char *help, uint64_t value)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n",
	    name, help, name, type, name, (unsigned long long)value);
}

static void
auth_metrics_failures(struct evbuffer *out, struct master *m)
{
	unsigned r;

	evbuffer_add_printf(out, "# HELP ws_auth_failures_total "
	    "Authentication refusals, by reason.\n"
	    "# TYPE ws_auth_failures_total counter\n");
	for (r = 0; r < AUTH_FAIL_REASONS; r++)
		evbuffer_add_printf(out, "ws_auth_failures_total{reason="
		    "\"%s\"} %llu\n", auth_fail_name(r), (unsigned long long)
		    auth_slot_sum(m, offsetof(struct shm_slot, counters) +
		    offsetof(struct shm_counters, auth_failures) +
		    r * sizeof(uint64_t), 1));
}

/* Upper bounds of the shm_auth.redis_rtt buckets. */
static const char *const auth_rtt_le[SHM_REDIS_RTT_BUCKETS] = {
	"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
	"0.025", "0.05", "0.1",
};

static void
auth_metrics_redis(struct evbuffer *out, struct master *m)
{
	const char *h = "hotline_auth_redis_rtt_seconds";
	uint64_t cum = 0;
	unsigned b;

	auth_metric(out, "hotline_auth_redis_up", "gauge", "Workers "
	    "connected to the Redis of sessions and rate limits.",
	    GAUGE(auth_redis_up));
	evbuffer_add_printf(out, "# HELP %s Redis round trips of session "
	    "lookups and rate checks.\n# TYPE %s histogram\n", h, h);
	for (b = 0; b < SHM_REDIS_RTT_BUCKETS; b++) {
		cum += auth_slot_sum(m, offsetof(struct shm_slot, auth) +
		    offsetof(struct shm_auth, redis_rtt) + b * sizeof(uint64_t),
		    1);
		evbuffer_add_printf(out, "%s_bucket{le=\"%s\"} %llu\n", h,
		    auth_rtt_le[b], (unsigned long long)cum);
	}
	evbuffer_add_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n"
	    "%s_count %llu\n", h, (unsigned long long)ACOUNTER(redis_rtt_count),
	    h, (double)ACOUNTER(redis_rtt_sum_ns) / 1e9, h,
	    (unsigned long long)ACOUNTER(redis_rtt_count));
	if (auth_conf.sessions)
		auth_metric(out, "hotline_auth_session_fallback_total",
		    "counter", "Session lookups decided by redis_fail_mode "
		    "(Redis down or slow).", COUNTER(auth_session_unknown));
	if (!auth_conf.rate_redis)
		return;
	auth_metric(out, "hotline_rate_redis_checks_total", "counter",
	    "Round trips counting messages in Redis (instance-wide rate).",
	    ACOUNTER(rate_redis_checks));
	auth_metric(out, "hotline_rate_redis_limited_total", "counter",
	    "Messages refused because the count in Redis was over the rate "
	    "(also in ws_rate_limited_total).", ACOUNTER(rate_redis_limited));
	auth_metric(out, "hotline_rate_redis_fallback_total", "counter",
	    "Rate checks decided by redis_fail_mode (Redis down or slow).",
	    ACOUNTER(rate_redis_fallback));
}

static void
auth_metrics_jwks(struct evbuffer *out, struct master *m)
{
	evbuffer_add_printf(out, "# HELP hotline_jwks_fetches_total JWKS "
	    "fetches from jwks_url, by result.\n"
	    "# TYPE hotline_jwks_fetches_total counter\n"
	    "hotline_jwks_fetches_total{result=\"ok\"} %llu\n"
	    "hotline_jwks_fetches_total{result=\"error\"} %llu\n",
	    (unsigned long long)ACOUNTER(jwks_fetch_ok),
	    (unsigned long long)ACOUNTER(jwks_fetch_failed));
	auth_metric(out, "hotline_jwks_kid_refreshes_total", "counter",
	    "Early JWKS fetches for a token with an unknown kid.",
	    ACOUNTER(jwks_kid_refreshes));
	auth_metric(out, "hotline_jwks_loaded_workers", "gauge",
	    "Workers holding a key set from jwks_url (tokens are refused "
	    "before the first fetch).", AGAUGE(jwks_loaded));
}

void
auth_metrics(struct evbuffer *out, struct master *m)
{
	auth_metrics_failures(out, m);
	auth_metric(out, "ws_rate_limited_total", "counter", "Messages over "
	    "the per-user rate limit.", COUNTER(ws_rate_limited));
	auth_metric(out, "ws_connection_limited_total", "counter",
	    "Connections refused over the per-user limit.",
	    COUNTER(ws_conn_limited));
	auth_metric(out, "ws_auth_expired_closes_total", "counter",
	    "Open connections closed (4001) when their token expired.",
	    ACOUNTER(expired_closes));
	if (auth_conf.jwks_url != NULL)
		auth_metrics_jwks(out, m);
	if (auth_conf.sessions || auth_conf.rate_redis)
		auth_metrics_redis(out, m);
}
