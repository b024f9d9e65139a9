/* Broadcast between instances over Redis (see bcast_remote.h). */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bcast/bcast_fanout.h"
#include "bcast/bcast_conn.h"
#include "bcast/bcast_redis.h"
#include "bcast/bcast_remote.h"
#include "bcast/bcast_wire.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/redis_target.h"
#include "core/stats.h"
#include "core/util.h"
#include "ws/ws_frame.h"

#define REFUSAL_LOG_MS	10000	/* one line per this, per worker */
#define TOPIC_MAX	1024	/* broadcast_max_topic_bytes bound */

static struct {
	struct redis_target	 target;	/* redis_url, parsed */
	struct bwire_limits	 limits;	/* what a message read meets */
	const char		*instance;	/* ours, in shared memory */
	struct bredis		*master;	/* the master's publisher, kept
						 * in workers only so it stays
						 * reachable (never used) */
	struct bredis		*worker;	/* a worker's pair */
	int			 is_worker;
	uint64_t		 max_age_ns;	/* redis_broadcast_max_age */
	uint64_t		 refusal_log_ms; /* last refusal logged */
	uint64_t		 refusals_unlogged;
} rm;

/* Where Redis is, how to log in, and the secret that signs messages. */
static int
remote_load(const struct config *cf, char *err, size_t errsize)
{
	const char *secret = cf->redis_broadcast_secret;
	const char *file = cf->redis_broadcast_secret_file;

	if (redis_target_parse(cf->redis_url, cf->redis_password_file,
	    &rm.target, err, errsize) == -1)
		return -1;
	if (secret[0] != '\0' && file[0] != '\0')
		return snprintf(err, errsize, "set redis_broadcast_secret or "
		    "redis_broadcast_secret_file, not both"), -1;
	if (file[0] != '\0')
		return bwire_set_secret_file(file, err, errsize);
	return bwire_set_secret(secret, strlen(secret), err, errsize);
}

int
bcast_remote_check(const struct config *cf, char *err, size_t errsize)
{
	int rc;

	if (cf->redis_url[0] == '\0')
		return 0;
	rc = remote_load(cf, err, errsize);
	redis_target_clear(&rm.target);
	bwire_free();
	return rc;
}

int
bcast_remote_master_init(const struct config *cf, struct event_base *base,
    const char *instance, char *err, size_t errsize)
{
	char shown[CONFIG_LINE_MAX];

	if (cf->redis_url[0] == '\0')
		return 0;
	if (remote_load(cf, err, errsize) == -1)
		return -1;
	rm.instance = instance;
	rm.limits = (struct bwire_limits){ cf->broadcast_max_bytes,
	    HL_MIN((size_t)cf->broadcast_max_topic_bytes, (size_t)TOPIC_MAX),
	    cf->broadcast_pkg_id };
	rm.max_age_ns = (uint64_t)cf->redis_broadcast_max_age * 1000000000;
	config_redact_url(cf->redis_url, shown, sizeof shown);
	log_info("broadcast: Redis %s (%s%s), messages %s", shown,
	    rm.target.password[0] != '\0' ? "AUTH" : "no AUTH",
	    rm.target.db != 0 ? ", SELECT" : "", bwire_signed() ?
	    "signed (HMAC-SHA256)" : "unsigned: anyone who can PUBLISH on "
	    "the channel reaches every client");
	rm.master = bredis_start(base, &rm.target, cf->redis_broadcast_channel,
	    0, NULL, NULL);
	return 0;
}

/* Count a message from Redis that is dropped, and say so at most once
 * per REFUSAL_LOG_MS (whoever can PUBLISH can send them by the million). */
static void
remote_refuse(uint64_t *counter, const char *reason)
{
	uint64_t now = hl_now_ms();

	if (counter != NULL)
		shm_add(counter, 1);
	STATS_ADD(broadcast_errors, 1);
	rm.refusals_unlogged++;
	if (now - rm.refusal_log_ms < REFUSAL_LOG_MS && rm.refusal_log_ms != 0)
		return;
	log_warn("broadcast: dropped a message from Redis channel: %s "
	    "(%llu dropped since the last line; ws_broadcast_errors_total "
	    "counts them by reason)", reason,
	    (unsigned long long)rm.refusals_unlogged);
	rm.refusals_unlogged = 0;
	rm.refusal_log_ms = now;
}

static void
remote_invalid(enum bwire_verdict v)
{
	remote_refuse(stats_slot != NULL ? &stats_slot->bcast.redis_refused[v] :
	    NULL, bwire_reason(v));
}

/* Whether m is one of ours (it went through shared memory already). */
static int
remote_ours(const struct bwire_msg *m)
{
	size_t ilen = strlen(rm.instance);

	return m->ilen == ilen && memcmp(m->instance, rm.instance, ilen) == 0;
}

/* Whether a signed message was published further than max_age from now
 * (either way: clocks differ), so it may be a replay of an old one. */
static int
remote_stale(uint64_t pub_ns)
{
	struct timespec ts;
	uint64_t now;

	if (rm.max_age_ns == 0 || !bwire_signed())
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
	return (now > pub_ns ? now - pub_ns : pub_ns - now) > rm.max_age_ns;
}

/* A message from Redis: check it, skip our own, frame the rest and hand
 * it to the fan-out. */
static void
remote_message(const char *payload, size_t len, void *arg)
{
	uint8_t hdr[WS_SERVER_HEADER_MAX];
	enum bwire_verdict v;
	struct bwire_msg m;
	struct hl_buf *b;
	size_t hlen;

	if ((v = bwire_parse(payload, len, &m)) != BWIRE_OK)
		return remote_invalid(v);
	if (remote_ours(&m))
		return;
	STATS_ADD(bcast_received, 1);
	if (remote_stale(m.pub_ns))
		return remote_invalid(BWIRE_STALE);
	/* Another instance's message gets the checks a client's gets. */
	if ((v = bwire_check(&m, &rm.limits)) != BWIRE_OK)
		return remote_invalid(v);
	if (!bcast_conn_interested(m.topic, m.tlen))
		return;
	if (bcast_fanout_full())
		return remote_refuse(stats_slot != NULL ?
		    &stats_slot->bcast.backlog_drops : NULL, "backlog (the "
		    "worker holds broadcast_outbox_bytes of broadcasts to fan "
		    "out already)");
	hlen = ws_frame_header(hdr, WS_OP_TEXT, 1, m.elen);
	b = hl_buf_new(hlen + m.elen);
	memcpy(b->data, hdr, hlen);
	memcpy(b->data + hlen, m.envelope, m.elen);
	bcast_fanout_queue(m.topic, m.tlen, b, m.pub_ns);
	hl_buf_unref(b);
}

void
bcast_remote_worker_init(const struct config *cf, struct event_base *base)
{
	rm.is_worker = 1;
	if (cf->redis_url[0] != '\0')
		rm.worker = bredis_start(base, &rm.target,
		    cf->redis_broadcast_channel, 1, remote_message, NULL);
}

int
bcast_remote_publish(const char *topic, size_t tlen, const char *json,
    size_t len, uint64_t pub_ns)
{
	struct bredis *r = rm.is_worker ? rm.worker : rm.master;
	char head[BWIRE_HEAD_MAX];
	size_t n;

	if (r == NULL)
		return 0;
	n = bwire_head(head, rm.instance, pub_ns, topic, tlen, json, len);
	return n == 0 ? -1 : bredis_publish(r, head, n, json, len);
}

void
bcast_remote_master_free(void)
{
	bredis_stop(rm.master);
	rm.master = NULL;
	redis_target_clear(&rm.target);
	bwire_free();
}

void
bcast_remote_worker_free(void)
{
	bredis_stop(rm.worker);
	rm.worker = NULL;
	rm.is_worker = 0;
}
