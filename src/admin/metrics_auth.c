/*
 * The authentication families of /metrics: refusals by reason, limits,
 * token expiry, the JWKS fetcher and the Redis round trips, each summed
 * over the worker slots (counters also over the retired workers; gauges
 * over the live slots only).
 */
#include "autoconf.h"

#include <event2/buffer.h>
#include <stddef.h>

#include "admin/metrics.h"
#include "admin/prom.h"
#include "auth/auth.h"
#include "core/shm.h"

#define COUNTER(f)	prom_sum(ps, offsetof(struct shm_slot, counters.f))
#define GAUGE(f)	prom_live(ps, offsetof(struct shm_slot, counters.f))
#define ACOUNTER(f)	prom_sum(ps, offsetof(struct shm_slot, auth.f))
#define AGAUGE(f)	prom_live(ps, offsetof(struct shm_slot, auth.f))

static void
metrics_auth_failures(struct evbuffer *out, const struct prom_slots *ps)
{
	unsigned r;

	prom_family(out, "ws_auth_failures_total", "counter",
	    "Authentication refusals, by reason.");
	for (r = 0; r < AUTH_FAIL_REASONS; r++)
		evbuffer_add_printf(out, "ws_auth_failures_total{reason="
		    "\"%s\"} %llu\n", auth_fail_name(r), (unsigned long long)
		    prom_sum(ps, offsetof(struct shm_slot,
		    counters.auth_failures) + r * sizeof(uint64_t)));
}

/* Upper bounds of the shm_auth.redis_rtt buckets. */
static const char *const auth_rtt_le[SHM_REDIS_RTT_BUCKETS] = {
	"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
	"0.025", "0.05", "0.1",
};

static const struct prom_hist auth_rtt = {
	.name = "hotline_auth_redis_rtt_seconds",
	.le = auth_rtt_le,
	.nbuckets = SHM_REDIS_RTT_BUCKETS,
	.buckets = offsetof(struct shm_slot, auth.redis_rtt),
	.count = offsetof(struct shm_slot, auth.redis_rtt_count),
	.sum_ns = offsetof(struct shm_slot, auth.redis_rtt_sum_ns),
	.sum_digits = 6,
};

static void
metrics_auth_redis(struct evbuffer *out, const struct prom_slots *ps,
    const struct auth_metric_flags *f)
{
	prom_single(out, "hotline_auth_redis_up", "gauge", "Workers "
	    "connected to the Redis of sessions and rate limits.",
	    GAUGE(auth_redis_up));
	prom_family(out, auth_rtt.name, "histogram", "Redis round trips of "
	    "session lookups and rate checks.");
	prom_histogram(out, ps, &auth_rtt);
	if (f->sessions)
		prom_single(out, "hotline_auth_session_fallback_total",
		    "counter", "Session lookups decided by redis_fail_mode "
		    "(Redis down or slow).", COUNTER(auth_session_unknown));
	if (!f->rate_redis)
		return;
	prom_single(out, "hotline_rate_redis_checks_total", "counter",
	    "Round trips counting messages in Redis (instance-wide rate).",
	    ACOUNTER(rate_redis_checks));
	prom_single(out, "hotline_rate_redis_limited_total", "counter",
	    "Messages refused because the count in Redis was over the rate "
	    "(also in ws_rate_limited_total).", ACOUNTER(rate_redis_limited));
	prom_single(out, "hotline_rate_redis_fallback_total", "counter",
	    "Rate checks decided by redis_fail_mode (Redis down or slow).",
	    ACOUNTER(rate_redis_fallback));
}

static void
metrics_auth_jwks(struct evbuffer *out, const struct prom_slots *ps)
{
	prom_family(out, "hotline_jwks_fetches_total", "counter",
	    "JWKS fetches from jwks_url, by result.");
	evbuffer_add_printf(out,
	    "hotline_jwks_fetches_total{result=\"ok\"} %llu\n"
	    "hotline_jwks_fetches_total{result=\"error\"} %llu\n",
	    (unsigned long long)ACOUNTER(jwks_fetch_ok),
	    (unsigned long long)ACOUNTER(jwks_fetch_failed));
	prom_single(out, "hotline_jwks_kid_refreshes_total", "counter",
	    "Early JWKS fetches for a token with an unknown kid.",
	    ACOUNTER(jwks_kid_refreshes));
	prom_single(out, "hotline_jwks_loaded_workers", "gauge",
	    "Workers holding a key set from jwks_url (tokens are refused "
	    "before the first fetch).", AGAUGE(jwks_loaded));
}

void
metrics_auth(struct evbuffer *out, const struct prom_slots *ps)
{
	struct auth_metric_flags f;

	auth_metric_flags(&f);
	metrics_auth_failures(out, ps);
	prom_single(out, "ws_rate_limited_total", "counter", "Messages over "
	    "the per-user rate limit.", COUNTER(ws_rate_limited));
	prom_single(out, "hotline_ws_connection_limited_total", "counter",
	    "Connections refused over the per-user limit, at the upgrade "
	    "(429) or at their auth message (1008).",
	    COUNTER(ws_conn_limited));
	prom_single(out, "hotline_auth_expired_closes_total", "counter",
	    "Open connections closed (4001) when their token expired.",
	    ACOUNTER(expired_closes));
	if (f.jwks)
		metrics_auth_jwks(out, ps);
	if (f.sessions || f.rate_redis)
		metrics_auth_redis(out, ps, &f);
}
