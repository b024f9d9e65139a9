/* Session lookups in Redis (see auth_session.h). */
#include "autoconf.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "auth/auth_int.h"
#include "auth/auth_session.h"
#include "core/redis_target.h"
#include "ws/conn.h"
#include "core/log.h"
#include "core/stats.h"
#include "core/util.h"

#define SESS_TICK_MS		50
#define SESS_CONNECT_MS		2000
#define SESS_STUCK_MS		3000	/* a reply this late: reconnect */
#define SESS_BACKOFF_FIRST_MS	100
#define SESS_BACKOFF_MAX_MS	2000

/* A command in flight: a session lookup (fn) or a rate count (rate_fn). */
struct sess_req {
	TAILQ_ENTRY(sess_req)	 q;
	struct conn		*c;		/* referenced */
	auth_session_fn		*fn;
	auth_rate_fn		*rate_fn;
	uint64_t		 sent_ms;
	struct timespec		 sent;		/* for the round-trip time */
	int			 answered;	/* fn called: timeout, reply */
};

/* INCRBY this window's counter, keep it two windows, read the previous
 * one: one round trip, atomic. KEYS: this window, the previous one; ARGV:
 * messages to add, milliseconds to keep the counter. */
static const char sess_rate_script[] =
	"local c = redis.call('INCRBY', KEYS[1], ARGV[1]) "
	"redis.call('PEXPIRE', KEYS[1], ARGV[2]) "
	"return {c, tonumber(redis.call('GET', KEYS[2]) or '0')}";

TAILQ_HEAD(sess_list, sess_req);

static struct {
	struct event_base	*base;
	struct event		*tick;
	redisAsyncContext	*ac;
	int			 up;
	struct redis_target	 t;
	struct redis_hello	 hello;		/* AUTH and SELECT */
	char			*prefix;
	uint64_t		 timeout_ms;
	uint64_t		 at_ms;		/* reconnect at / give up at */
	uint32_t		 backoff_ms;
	int			 outage;
	struct sess_list	 pending;
} sess;

static void
sess_gauge(void)
{
	if (stats_slot != NULL)
		shm_write(&stats_slot->counters.auth_redis_up,
		    (uint64_t)sess.up);
}

/* Answer r's caller once: rep NULL when Redis failed or was too slow. */
static void
sess_answer(struct sess_req *r, const redisReply *rep)
{
	long long cur = 0, prev = 0;
	int ok;

	if (r->answered)
		return;
	r->answered = 1;
	if (r->rate_fn != NULL) {
		ok = rep != NULL && rep->type == REDIS_REPLY_ARRAY &&
		    rep->elements == 2 &&
		    rep->element[0]->type == REDIS_REPLY_INTEGER &&
		    rep->element[1]->type == REDIS_REPLY_INTEGER;
		if (ok) {
			cur = rep->element[0]->integer;
			prev = rep->element[1]->integer;
		}
		r->rate_fn(r->c, ok, (uint64_t)HL_MAX(cur, 0),
		    (uint64_t)HL_MAX(prev, 0));
	} else if (rep == NULL || rep->type != REDIS_REPLY_INTEGER) {
		r->fn(r->c, AUTH_SESSION_UNKNOWN);
	} else {
		r->fn(r->c, rep->integer > 0 ? AUTH_SESSION_OK :
		    AUTH_SESSION_MISSING);
	}
}

/* One round trip into the shm_auth histogram. */
static void
sess_rtt(const struct timespec *sent)
{
	static const uint64_t bound_us[SHM_REDIS_RTT_BUCKETS] = {
		100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	};
	struct timespec now;
	uint64_t ns;
	unsigned b;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (uint64_t)(now.tv_sec - sent->tv_sec) * 1000000000ULL +
	    (uint64_t)now.tv_nsec - (uint64_t)sent->tv_nsec;
	for (b = 0; b < SHM_REDIS_RTT_BUCKETS; b++)
		if (ns <= bound_us[b] * 1000) {
			AUTH_STAT_ADD(redis_rtt[b], 1);
			break;
		}
	AUTH_STAT_ADD(redis_rtt_count, 1);
	AUTH_STAT_ADD(redis_rtt_sum_ns, ns);
}

/* The connection is gone (hiredis frees the context, or we do). */
static void
sess_lost(const char *why)
{
	sess.ac = NULL;
	sess.up = 0;
	sess.at_ms = hl_now_ms() + sess.backoff_ms;
	sess.backoff_ms = HL_MIN(sess.backoff_ms * 2, SESS_BACKOFF_MAX_MS);
	if (!sess.outage)
		log_warn("redis %s:%d: session store lost: %s; retrying",
		    sess.t.ip, sess.t.port, why);
	sess.outage = 1;
	sess_gauge();
}

static void
sess_reply_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sess_req *r = priv;
	redisReply *rep = reply;

	if (rep != NULL)
		sess_rtt(&r->sent);
	sess_answer(r, rep);
	TAILQ_REMOVE(&sess.pending, r, q);
	conn_unref(r->c);
	free(r);
}

static void	sess_kill(const char *why);

/* Logged in (and on the database): lookups may go. */
static void
sess_hello_cb(void *arg, const char *why)
{
	char msg[320];

	if (why != NULL) {
		snprintf(msg, sizeof msg, "%s (check redis_url and "
		    "redis_password_file)", why);
		sess_kill(msg);
		return;
	}
	sess.up = 1;
	sess.backoff_ms = SESS_BACKOFF_FIRST_MS;
	if (sess.outage)
		log_notice("redis %s:%d: session store is back", sess.t.ip,
		    sess.t.port);
	sess.outage = 0;
	sess_gauge();
}

static void
sess_connect_cb(const redisAsyncContext *ac, int status)
{
	if (ac != sess.ac)
		return;
	if (status != REDIS_OK) {
		sess_lost(ac->errstr);	/* hiredis frees ac */
		return;
	}
	/* The connect deadline (at_ms) still runs until the handshake ends. */
	redis_hello_start(&sess.hello, sess.ac, &sess.t, sess_hello_cb, NULL);
}

static void
sess_disconnect_cb(const redisAsyncContext *ac, int status)
{
	if (ac == sess.ac)
		sess_lost(status == REDIS_OK ? "closed" : ac->errstr);
}

static void
sess_connect(void)
{
	redisAsyncContext *ac = redisAsyncConnect(sess.t.ip, sess.t.port);

	if (ac == NULL || ac->err) {
		char why[128];

		snprintf(why, sizeof why, "%s", ac ? ac->errstr : "no memory");
		if (ac != NULL)
			redisAsyncFree(ac);
		sess_lost(why);
		return;
	}
	ac->data = NULL;
	redisLibeventAttach(ac, sess.base);
	redisAsyncSetConnectCallback(ac, sess_connect_cb);
	redisAsyncSetDisconnectCallback(ac, sess_disconnect_cb);
	sess.ac = ac;
	sess.at_ms = hl_now_ms() + SESS_CONNECT_MS;
}

/* Drop the connection: hiredis answers its callbacks with NULL. */
static void
sess_kill(const char *why)
{
	redisAsyncContext *ac = sess.ac;

	sess_lost(why);
	redisAsyncFree(ac);
}

static void
sess_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t now = hl_now_ms();
	struct sess_req *r, *oldest = TAILQ_FIRST(&sess.pending);

	TAILQ_FOREACH(r, &sess.pending, q)
		if (!r->answered && now - r->sent_ms >= sess.timeout_ms)
			sess_answer(r, NULL);
	if (sess.ac == NULL && now >= sess.at_ms)
		sess_connect();
	else if (sess.ac != NULL && !sess.up && now >= sess.at_ms)
		sess_kill("connect timed out");
	else if (sess.up && oldest != NULL &&
	    now - oldest->sent_ms >= SESS_STUCK_MS)
		sess_kill("no reply in time");
}

void
auth_session_start(struct event_base *base, const struct redis_target *t,
    const char *prefix, int timeout_ms)
{
	struct timeval tv = { 0, SESS_TICK_MS * 1000 };

	sess.t = *t;
	TAILQ_INIT(&sess.pending);
	sess.base = base;
	sess.prefix = xstrdup(prefix);
	sess.timeout_ms = (uint64_t)timeout_ms;
	sess.backoff_ms = SESS_BACKOFF_FIRST_MS;
	sess.tick = event_new(base, -1, EV_PERSIST, sess_tick_cb, NULL);
	evtimer_add(sess.tick, &tv);
	sess_connect();
}

void
auth_session_stop(void)
{
	redisAsyncContext *ac = sess.ac;

	if (sess.tick == NULL)
		return;
	event_free(sess.tick);
	sess.tick = NULL;
	sess.ac = NULL;
	if (ac != NULL)
		redisAsyncFree(ac);	/* answers what is pending */
	redis_target_clear(&sess.t);
	free(sess.prefix);
}

/* A request for c, queued once the command is sent (or freed). */
static struct sess_req *
sess_req_new(struct conn *c)
{
	struct sess_req *r = xcalloc(1, sizeof *r);

	r->c = c;
	r->sent_ms = hl_now_ms();
	clock_gettime(CLOCK_MONOTONIC, &r->sent);
	return r;
}

static enum auth_session_verdict
sess_queue(struct sess_req *r, int status)
{
	if (status != REDIS_OK) {
		free(r);
		return AUTH_SESSION_UNKNOWN;
	}
	conn_ref(r->c);
	TAILQ_INSERT_TAIL(&sess.pending, r, q);
	return AUTH_SESSION_PENDING;
}

enum auth_session_verdict
auth_session_lookup(struct conn *c, const char *user, auth_session_fn *fn)
{
	struct sess_req *r;

	if (!sess.up)
		return AUTH_SESSION_UNKNOWN;
	r = sess_req_new(c);
	r->fn = fn;
	return sess_queue(r, redisAsyncCommand(sess.ac, sess_reply_cb, r,
	    "EXISTS %s%s", sess.prefix, user));
}

int
auth_session_up(void)
{
	return sess.up;
}

enum auth_session_verdict
auth_session_rate(struct conn *c, const char *prefix, const char *user,
    uint64_t window, uint64_t window_ms, uint32_t n, auth_rate_fn *fn)
{
	struct sess_req *r;

	if (!sess.up)
		return AUTH_SESSION_UNKNOWN;
	r = sess_req_new(c);
	r->rate_fn = fn;
	/* The {user} hash tag keeps both keys in one Redis Cluster slot. */
	return sess_queue(r, redisAsyncCommand(sess.ac, sess_reply_cb, r,
	    "EVAL %s 2 %s{%s}:%llu %s{%s}:%llu %u %llu", sess_rate_script,
	    prefix, user, (unsigned long long)window, prefix, user,
	    (unsigned long long)(window - 1), (unsigned)n,
	    (unsigned long long)(2 * window_ms + 1000)));
}
