/* Broadcast over Redis pub/sub (see bcast_redis.h). */
#include "autoconf.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bcast/bcast_redis.h"
#include "core/redis_target.h"
#include "core/stats.h"
#include "core/util.h"

#define REDIS_TICK_MS		100
#define REDIS_CONNECT_MS	2000	/* connect (and subscribe) deadline */
#define REDIS_COMMAND_MS	3000	/* no reply for this long: reconnect */
#define REDIS_BACKOFF_FIRST_MS	100
#define REDIS_BACKOFF_MAX_MS	2000
#define REDIS_WAITING_MAX	10000	/* PUBLISHes without a reply yet */

enum rconn_state { RC_DOWN, RC_CONNECTING, RC_UP };

struct rconn {
	struct bredis		*owner;
	redisAsyncContext	*ac;
	struct redis_hello	 hello;		/* AUTH and SELECT */
	const char		*role;		/* "publisher", "subscriber" */
	enum rconn_state	 state;
	int			 subscriber;
	int			 ready;		/* up, subscribed if asked */
	int			 outage;	/* logged lost, not back yet */
	uint32_t		 backoff_ms;
	uint64_t		 at_ms;		/* reconnect at / give up at */
	uint64_t		 waiting;	/* commands without a reply */
	uint64_t		 progress_ms;	/* last reply or 1st command */
	uint64_t		 down_ms;	/* when the outage began */
	uint64_t		 dropped;	/* publishes lost in outage */
};

struct bredis {
	struct event_base	*base;
	struct event		*tick;
	struct redis_target	 t;
	char			*channel;
	bredis_msg_fn		*fn;
	void			*arg;
	struct rconn		 pub;
	struct rconn		 sub;
	int			 subscribe;
};

static void
bredis_gauge(const struct bredis *r)
{
	if (stats_slot != NULL)
		shm_write(&stats_slot->counters.bcast_redis_up, bredis_up(r));
}

int
bredis_up(const struct bredis *r)
{
	return r != NULL && r->pub.ready && (!r->subscribe || r->sub.ready);
}

/* The connection is gone (hiredis frees the context, or we did). */
static void
rconn_lost(struct rconn *rc, const char *why)
{
	uint64_t now = hl_now_ms();

	rc->ac = NULL;
	rc->state = RC_DOWN;
	rc->ready = 0;
	rc->waiting = 0;
	rc->at_ms = now + rc->backoff_ms;
	rc->backoff_ms = HL_MIN(rc->backoff_ms * 2, REDIS_BACKOFF_MAX_MS);
	if (!rc->outage) {
		rc->outage = 1;
		rc->down_ms = now;
		rc->dropped = 0;
		log_warn("redis %s:%d: %s connection lost: %s; retrying, and "
		    "broadcasts between instances are dropped until it is back",
		    rc->owner->t.ip, rc->owner->t.port, rc->role, why);
	}
	bredis_gauge(rc->owner);
}

static void
rconn_ready(struct rconn *rc)
{
	rc->ready = 1;
	rc->backoff_ms = REDIS_BACKOFF_FIRST_MS;
	if (rc->outage)
		log_notice("redis %s:%d: %s connection is back after %.1f s; "
		    "%llu broadcasts were not sent meanwhile", rc->owner->t.ip,
		    rc->owner->t.port, rc->role,
		    (double)(hl_now_ms() - rc->down_ms) / 1000,
		    (unsigned long long)rc->dropped);
	else
		log_debug("redis %s:%d: %s connected", rc->owner->t.ip,
		    rc->owner->t.port, rc->role);
	rc->outage = 0;
	bredis_gauge(rc->owner);
}

static void	rconn_kill(struct rconn *rc, const char *why);

/* Replies on the subscriber: the subscription, then messages. */
static void
rconn_sub_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct rconn *rc = priv;
	redisReply *r = reply, **e;
	char why[256];

	if (r != NULL && rc->ac == ac && r->type == REDIS_REPLY_ERROR) {
		snprintf(why, sizeof why, "Redis refused SUBSCRIBE: %.*s",
		    (int)HL_MIN(r->len, 160), r->str);
		rconn_kill(rc, why);
		return;
	}
	if (r == NULL || rc->ac != ac || r->type != REDIS_REPLY_ARRAY ||
	    r->elements != 3)
		return;
	e = r->element;
	if (e[0]->type != REDIS_REPLY_STRING)
		return;
	if (strcmp(e[0]->str, "subscribe") == 0) {
		rc->waiting = 0;
		rconn_ready(rc);
	} else if (strcmp(e[0]->str, "message") == 0 &&
	    e[2]->type == REDIS_REPLY_STRING) {
		rc->owner->fn(e[2]->str, e[2]->len, rc->owner->arg);
	}
}

static void
rconn_pub_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct rconn *rc = priv;

	if (reply == NULL || rc->ac != ac)
		return;
	if (rc->waiting > 0)
		rc->waiting--;
	rc->progress_ms = hl_now_ms();
}

/* Logged in (and on the database): publish, or subscribe first. */
static void
rconn_hello_cb(void *arg, const char *why)
{
	struct rconn *rc = arg;
	char msg[320];

	if (why != NULL) {
		snprintf(msg, sizeof msg, "%s (check redis_url and "
		    "redis_password_file)", why);
		rconn_kill(rc, msg);
		return;
	}
	if (!rc->subscriber) {
		rc->waiting = 0;
		rconn_ready(rc);
		return;
	}
	rc->waiting = 1;
	rc->progress_ms = hl_now_ms();
	redisAsyncCommand(rc->ac, rconn_sub_cb, rc, "SUBSCRIBE %s",
	    rc->owner->channel);
}

static void
rconn_connect_cb(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->data;

	if (rc->ac != ac)
		return;
	if (status != REDIS_OK) {
		rconn_lost(rc, ac->errstr);	/* hiredis frees ac */
		return;
	}
	rc->state = RC_UP;
	rc->waiting = 1;	/* the handshake: its deadline is ours */
	rc->progress_ms = hl_now_ms();
	redis_hello_start(&rc->hello, rc->ac, &rc->owner->t, rconn_hello_cb,
	    rc);
}

static void
rconn_disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct rconn *rc = ac->data;

	if (rc->ac == ac)
		rconn_lost(rc, status == REDIS_OK ? "closed" : ac->errstr);
}

static void
rconn_connect(struct rconn *rc)
{
	struct bredis *r = rc->owner;
	redisAsyncContext *ac = redisAsyncConnect(r->t.ip, r->t.port);

	if (ac == NULL || ac->err) {
		char why[128];

		snprintf(why, sizeof why, "%s", ac ? ac->errstr : "no memory");
		if (ac != NULL)
			redisAsyncFree(ac);
		rconn_lost(rc, why);
		return;
	}
	ac->data = rc;
	redisLibeventAttach(ac, r->base);
	redisAsyncSetConnectCallback(ac, rconn_connect_cb);
	redisAsyncSetDisconnectCallback(ac, rconn_disconnect_cb);
	rc->ac = ac;
	rc->state = RC_CONNECTING;
	rc->at_ms = hl_now_ms() + REDIS_CONNECT_MS;
}

/* Give up on a connection that does not answer (our timers: hiredis 0.14
 * has none for async contexts). */
static void
rconn_kill(struct rconn *rc, const char *why)
{
	redisAsyncContext *ac = rc->ac;

	rconn_lost(rc, why);	/* callbacks of ac are stale from here */
	redisAsyncFree(ac);
}

static void
rconn_check(struct rconn *rc, uint64_t now)
{
	switch (rc->state) {
	case RC_DOWN:
		if (now >= rc->at_ms)
			rconn_connect(rc);
		break;
	case RC_CONNECTING:
		if (now >= rc->at_ms)
			rconn_kill(rc, "connect timed out");
		break;
	case RC_UP:
		if (rc->waiting > 0 && now - rc->progress_ms > REDIS_COMMAND_MS)
			rconn_kill(rc, "no reply in time");
		break;
	}
}

static void
bredis_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bredis *r = arg;
	uint64_t now = hl_now_ms();

	rconn_check(&r->pub, now);
	if (r->subscribe)
		rconn_check(&r->sub, now);
}

static void
rconn_init(struct bredis *r, struct rconn *rc, const char *role, int sub)
{
	rc->owner = r;
	rc->role = role;
	rc->subscriber = sub;
	rc->backoff_ms = REDIS_BACKOFF_FIRST_MS;
	rconn_connect(rc);
}

struct bredis *
bredis_start(struct event_base *base, const struct redis_target *t,
    const char *channel, int subscribe, bredis_msg_fn *fn, void *arg)
{
	struct timeval tv = { 0, REDIS_TICK_MS * 1000 };
	struct bredis *r = xcalloc(1, sizeof *r);

	r->t = *t;
	r->base = base;
	r->channel = xstrdup(channel);
	r->fn = fn;
	r->arg = arg;
	r->subscribe = subscribe;
	r->tick = event_new(base, -1, EV_PERSIST, bredis_tick_cb, r);
	evtimer_add(r->tick, &tv);
	rconn_init(r, &r->pub, "publisher", 0);
	if (subscribe)
		rconn_init(r, &r->sub, "subscriber", 1);
	return r;
}

int
bredis_publish(struct bredis *r, const void *a, size_t alen, const void *b,
    size_t blen)
{
	struct rconn *rc = &r->pub;

	if (!rc->ready || rc->waiting >= REDIS_WAITING_MAX) {
		rc->dropped++;
		return -1;
	}
	if (rc->waiting++ == 0)
		rc->progress_ms = hl_now_ms();
	redisAsyncCommand(rc->ac, rconn_pub_cb, rc, "PUBLISH %s %b%b",
	    r->channel, a, alen, b, blen);
	return 0;
}

static void
rconn_close(struct rconn *rc)
{
	redisAsyncContext *ac = rc->ac;

	rc->ac = NULL;
	if (ac != NULL)
		redisAsyncFree(ac);
}

void
bredis_stop(struct bredis *r)
{
	if (r == NULL)
		return;
	event_free(r->tick);
	rconn_close(&r->pub);
	rconn_close(&r->sub);
	redis_target_clear(&r->t);
	free(r->channel);
	free(r);
}
