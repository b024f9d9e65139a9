/* The per-user message rate across instances (see auth_rate.h). */
#include "autoconf.h"

#include <time.h>

#include "auth/auth_int.h"
#include "auth/auth_rate.h"
#include "auth/auth_session.h"
#include "ws/conn.h"
#include "core/util.h"

/* Milliseconds on the wall clock: instances share it, not CLOCK_MONOTONIC,
 * so Redis windows are numbered by it. */
static uint64_t
rate_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void rate_done(struct conn *c, int ok, uint64_t cur, uint64_t prev);

/* Send what st holds unless a round trip is out. */
static void
rate_flush(struct conn *c, struct auth_rate *st, const char *user)
{
	uint64_t w = auth_conf.rate_window_ms;
	enum auth_session_verdict v;

	if (st->inflight || st->pending == 0)
		return;
	v = auth_session_rate(c, auth_conf.rate_prefix, user,
	    rate_wall_ms() / w, w, st->pending, rate_done);
	st->pending = 0;
	if (v == AUTH_SESSION_PENDING) {
		st->inflight = 1;
		AUTH_STAT_ADD(rate_redis_checks, 1);
	} else {
		st->failed = 1;
		AUTH_STAT_ADD(rate_redis_fallback, 1);
	}
}

/* A round trip's answer: block the user when Redis says they are over. */
static void
rate_done(struct conn *c, int ok, uint64_t cur, uint64_t prev)
{
	struct auth_rate *st;
	const char *user;
	uint64_t hash, wall, until;

	if ((st = auth_conn_rate(c, &user, &hash)) == NULL)
		return;		/* closed meanwhile */
	st->inflight = 0;
	st->failed = !ok;
	if (!ok) {
		AUTH_STAT_ADD(rate_redis_fallback, 1);
	} else {
		wall = rate_wall_ms();
		until = auth_limit_over_until(cur, prev, auth_conf.rate_limit,
		    auth_conf.rate_window_ms, wall);
		/* On the monotonic clock the shared table runs on. */
		if (until != 0)
			auth_limit_block(auth_limits, (uint32_t)auth_slot,
			    hash, hl_now_ms() + (until - wall));
	}
	if (conn_is_open(c))
		rate_flush(c, st, user);
}

int
auth_rate_allowed(struct conn *c, struct auth_rate *st, const char *user)
{
	uint64_t w = auth_conf.rate_window_ms;

	if (!auth_conf.rate_redis || !auth_conf.fail_closed ||
	    (auth_session_up() && !st->failed))
		return 1;
	/* Closed: refuse until a round trip succeeds; probe with one that
	 * adds nothing. */
	if (!st->inflight && auth_session_rate(c, auth_conf.rate_prefix, user,
	    rate_wall_ms() / w, w, 0, rate_done) == AUTH_SESSION_PENDING)
		st->inflight = 1;
	AUTH_STAT_ADD(rate_redis_fallback, 1);
	return 0;
}

void
auth_rate_count(struct conn *c, struct auth_rate *st, const char *user)
{
	if (!auth_conf.rate_redis)
		return;
	if (st->pending < UINT32_MAX)
		st->pending++;
	rate_flush(c, st, user);
}
