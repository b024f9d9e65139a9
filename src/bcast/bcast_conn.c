/* Topics and fan-out to the sockets of one worker (see bcast_conn.h). */
#include "autoconf.h"

#include <errno.h>
#include <hotline/module.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bcast/bcast.h"
#include "bcast/bcast_conn.h"
#include "core/config.h"
#include "ws/conn_int.h"
#include "prof/memprof.h"
#include "prof/sample.h"
#include "core/stats.h"
#include "bcast/topic.h"
#include "core/util.h"

#define BCAST_TOPIC_MAX_USER	(1024 + 8)

enum send_result { SENT, SKIPPED_SLOW, CLOSED_SLOW, FAILED };

static struct {
	struct topic_registry	 topics;
	uint32_t		 max_topics;
	int			 slow_close;
	int			 ready;
} bcc;

void
bcast_conn_init(const struct config *cf)
{
	topic_registry_init(&bcc.topics);
	bcc.max_topics = (uint32_t)cf->broadcast_max_topics;
	bcc.slow_close = cf->broadcast_slow_policy == 1;
	bcc.ready = 1;
}

void
bcast_conn_free(void)
{
	topic_registry_free(&bcc.topics);
	bcc.ready = 0;
}

static int
bcast_is_all(const char *topic, size_t len)
{
	return len == 3 && memcmp(topic, BCAST_TOPIC_ALL, 3) == 0;
}

int
bcast_conn_interested(const char *topic, size_t len)
{
	if (bcast_is_all(topic, len))
		return conn_srv.count > 0;
	return topic_count(&bcc.topics, topic, len) > 0;
}

/* The slow policy for a subscriber whose queue cannot take frame f from
 * byte f_off (why: a sendq_result). Part of it on the wire (f_off > 0)
 * cannot be taken back: the connection must close. Over the worker's
 * bound a close is a 1013 behind what is queued. */
static enum send_result
bcast_slow(struct conn *c, struct hl_buf *f, uint32_t f_off, int why)
{
	int must_close = f_off > 0;

	if (bcc.slow_close || must_close) {
		STATS_ADD(bcast_close_slow, 1);
		STATS_ADD(broadcast_errors, 1);
		if (why == SENDQ_WORKER_FULL) {
			/* the rest of a frame on the wire first, if it fits */
			out_bound_close(c, !must_close || sendq_push_last(&c->q,
			    f, f_off, f->size - f_off) == SENDQ_OK);
			return CLOSED_SLOW;
		}
		STATS_ADD(slow_reader_closes, 1);
		conn_close(c);
		return CLOSED_SLOW;
	}
	STATS_ADD(bcast_drop_slow, 1);
	STATS_ADD(broadcast_errors, 1);
	return SKIPPED_SLOW;
}

/* One write when nothing is queued ahead; a reference to the frame in the
 * queue for what the socket did not take. */
static enum send_result
bcast_send(struct conn *c, struct hl_buf *b)
{
	size_t limit = conn_srv.limits.send_queue_bytes;
	ssize_t n;
	int rc;

	if (!sendq_empty(&c->q)) {
		if ((rc = sendq_push(&c->q, b, 0, b->size, limit)) != SENDQ_OK)
			return bcast_slow(c, b, 0, rc);
		return SENT;
	}
	do {
		n = write(c->fd, b->data, b->size);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno != EAGAIN) {
		STATS_ADD(errors, 1);
		conn_close(c);
		return FAILED;
	}
	n = n < 0 ? 0 : n;
	STATS_ADD(bytes_out, (uint64_t)n);
	memprof_count_copy((size_t)n, SAMPLE_FN_WRITE);
	if ((size_t)n == b->size)
		return SENT;
	/* Half a frame on the wire cannot be taken back: over the limit
	 * now, the connection must close whatever the policy. */
	if ((rc = sendq_push(&c->q, b, (uint32_t)n, b->size - (uint32_t)n,
	    limit)) != SENDQ_OK) {
		return bcast_slow(c, b, (uint32_t)n, rc);
	}
	conn_set_events(c, EV_READ | EV_WRITE);
	return SENT;
}

int
bcast_conn_send(struct conn *c, struct hl_buf *frame)
{
	if (c->state != CONN_OPEN || (c->flags & CONN_F_ECHO))
		return 0;
	return bcast_send(c, frame) == SENT;
}

struct collect {
	struct conn	***arr;
	size_t		  *cap;
	size_t		   n;
};

static void
bcast_collect_one(void *owner, void *arg)
{
	struct conn *c = owner;
	struct collect *k = arg;

	if (c->state != CONN_OPEN || (c->flags & CONN_F_ECHO))
		return;
	if (k->n == *k->cap) {
		*k->cap = *k->cap ? *k->cap * 2 : 256;
		*k->arr = xrealloc(*k->arr, *k->cap * sizeof **k->arr);
	}
	conn_ref(c);
	(*k->arr)[k->n++] = c;
}

size_t
bcast_conn_collect(const char *topic, size_t len, struct conn ***arr,
    size_t *cap)
{
	struct collect k = { arr, cap, 0 };
	struct conn *c;

	if (!bcc.ready)
		return 0;
	if (bcast_is_all(topic, len)) {
		TAILQ_FOREACH(c, &conn_srv.lru, lru)
			bcast_collect_one(c, &k);
	} else {
		topic_each(&bcc.topics, topic, len, bcast_collect_one, &k);
	}
	return k.n;
}

void
bcast_conn_opened(struct conn *c, const char *user)
{
	char name[BCAST_TOPIC_MAX_USER];
	int n;

	if (user == NULL || !bcc.ready)
		return;
	n = snprintf(name, sizeof name, BCAST_TOPIC_USER "%s", user);
	if (n > 0 && (size_t)n < sizeof name)
		topic_join(&bcc.topics, &c->topics, c, name, (size_t)n,
		    bcc.max_topics + 1);
}

void
bcast_conn_closed(struct conn *c)
{
	if (bcc.ready)
		topic_leave_all(&bcc.topics, &c->topics);
}

/* The topic of a subscribe/unsubscribe request, or NULL after replying. */
static const char *
bcast_req_topic(struct hl_request *req, struct conn **c, size_t *len)
{
	json_t *t = json_object_get(hl_request_data(req), "topic");
	const char *name = json_string_value(t), *why;
	char msg[160];

	if ((*c = conn_of_request(req)) == NULL || !bcc.ready) {
		hl_reply_error(req, HL_STATUS_ERROR,
		    "topics need a WebSocket connection");
		return NULL;
	}
	if (name == NULL) {
		hl_reply_error(req, HL_STATUS_INVALID_DATA,
		    "data.topic must be a string");
		return NULL;
	}
	*len = json_string_length(t);
	if ((why = bcast_topic_check(name, *len)) != NULL ||
	    memchr(name, '\0', *len) != NULL) {
		snprintf(msg, sizeof msg, "data.topic: %s", why != NULL ? why :
		    "topic must not contain control characters");
		hl_reply_error(req, HL_STATUS_INVALID_DATA, msg);
		return NULL;
	}
	return name;
}

static void
bcast_reply(struct hl_request *req, const char *topic, size_t len, int on,
    int changed, const struct conn *c)
{
	hl_reply(req, HL_STATUS_OK, json_pack("{s:s%, s:b, s:b, s:i}",
	    "topic", topic, len, "subscribed", on, "changed", changed,
	    "topics", (int)c->topics.nsubs));
}

void
bcast_handle_subscribe(struct hl_request *req, void *arg)
{
	char msg[128];
	struct conn *c;
	size_t len;
	const char *topic = bcast_req_topic(req, &c, &len);

	if (topic == NULL)
		return;
	if (bcast_is_all(topic, len))
		return bcast_reply(req, topic, len, 1, 0, c);
	if (strncmp(topic, BCAST_TOPIC_USER, strlen(BCAST_TOPIC_USER)) == 0) {
		hl_reply_error(req, HL_STATUS_PERMISSION_DENIED, "topics "
		    "starting with \"user:\" are joined by authentication, "
		    "not by subscribing");
		return;
	}
	switch (topic_join(&bcc.topics, &c->topics, c, topic, len,
	    bcc.max_topics)) {
	case TOPIC_LIMIT:
		snprintf(msg, sizeof msg, "too many topics: at most %u per "
		    "connection (broadcast_max_topics)", bcc.max_topics);
		hl_reply_error(req, HL_STATUS_INVALID_DATA, msg);
		break;
	case TOPIC_ALREADY:
		bcast_reply(req, topic, len, 1, 0, c);
		break;
	default:
		bcast_reply(req, topic, len, 1, 1, c);
		break;
	}
}

void
bcast_handle_unsubscribe(struct hl_request *req, void *arg)
{
	struct conn *c;
	size_t len;
	const char *topic = bcast_req_topic(req, &c, &len);

	if (topic == NULL)
		return;
	if (bcast_is_all(topic, len)) {
		hl_reply_error(req, HL_STATUS_INVALID_DATA, "every connection "
		    "is in the topic \"all\"; it cannot be left");
		return;
	}
	bcast_reply(req, topic, len, 0, topic_leave(&bcc.topics, &c->topics,
	    topic, len) == TOPIC_OK, c);
}
