/* Topics and fan-out to the sockets of one worker (see bcast_conn.h). */
#include "autoconf.h"

#include <hotline/module.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bcast/bcast.h"
#include "bcast/bcast_conn.h"
#include "core/config.h"
#include "ws/conn.h"
#include "core/stats.h"
#include "bcast/topic.h"
#include "core/util.h"

#define BCAST_TOPIC_MAX_USER	(1024 + 8)

static struct {
	struct topic_registry	 topics;
	uint32_t		 max_topics;
	int			 slow_close;
	int			 ready;
	int			 slot;		/* c's topic_member */
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
		return conn_count() > 0;
	return topic_count(&bcc.topics, topic, len) > 0;
}

int
bcast_conn_send(struct conn *c, struct hl_buf *frame)
{
	switch (conn_send_shared(c, frame, !bcc.slow_close)) {
	case CONN_SHARED_SENT:
		return 1;
	case CONN_SHARED_CLOSED:
		STATS_ADD(bcast_close_slow, 1);
		STATS_ADD(broadcast_errors, 1);
		return 0;
	case CONN_SHARED_SKIPPED:
		STATS_ADD(bcast_drop_slow, 1);
		STATS_ADD(broadcast_errors, 1);
		return 0;
	default:
		return 0;
	}
}

/* c's topics (its hook slot), made on first use when make is set. */
static struct topic_member *
bcast_member(struct conn *c, int make)
{
	struct topic_member *m = conn_slot(c, bcc.slot);

	if (m == NULL && make) {
		m = xcalloc(1, sizeof *m);
		conn_set_slot(c, bcc.slot, m);
	}
	return m;
}

struct collect {
	struct conn	***arr;
	size_t		  *cap;
	size_t		   n;
};

static void
bcast_collect_one(struct conn *c, void *arg)
{
	struct collect *k = arg;

	if (!conn_is_app(c))
		return;
	if (k->n == *k->cap) {
		*k->cap = *k->cap ? *k->cap * 2 : 256;
		*k->arr = xrealloc(*k->arr, *k->cap * sizeof **k->arr);
	}
	conn_ref(c);
	(*k->arr)[k->n++] = c;
}

static void
bcast_visit_one(void *owner, void *arg)
{
	bcast_collect_one(owner, arg);
}

size_t
bcast_conn_collect(const char *topic, size_t len, struct conn ***arr,
    size_t *cap)
{
	struct collect k = { arr, cap, 0 };

	if (!bcc.ready)
		return 0;
	if (bcast_is_all(topic, len))
		conn_each(bcast_collect_one, &k);
	else
		topic_each(&bcc.topics, topic, len, bcast_visit_one, &k);
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
		topic_join(&bcc.topics, bcast_member(c, 1), c, name,
		    (size_t)n, bcc.max_topics + 1);
}

/* The closed hook: c leaves all its topics. */
static void
bcast_conn_closed(struct conn *c)
{
	struct topic_member *m = bcast_member(c, 0);

	if (m == NULL)
		return;
	if (bcc.ready)
		topic_leave_all(&bcc.topics, m);
	free(m);
	conn_set_slot(c, bcc.slot, NULL);
}

static const struct conn_hooks bcast_conn_hooks = {
	.closed = bcast_conn_closed,
};

int
bcast_conn_install(void)
{
	return (bcc.slot = conn_hooks_add(&bcast_conn_hooks));
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

static uint32_t
bcast_nsubs(struct conn *c)
{
	struct topic_member *m = bcast_member(c, 0);

	return m != NULL ? m->nsubs : 0;
}

static void
bcast_reply(struct hl_request *req, const char *topic, size_t len, int on,
    int changed, struct conn *c)
{
	hl_reply(req, HL_STATUS_OK, json_pack("{s:s%, s:b, s:b, s:i}",
	    "topic", topic, len, "subscribed", on, "changed", changed,
	    "topics", (int)bcast_nsubs(c)));
}

static void
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
	switch (topic_join(&bcc.topics, bcast_member(c, 1), c, topic, len,
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

static void
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
	bcast_reply(req, topic, len, 0, topic_leave(&bcc.topics,
	    bcast_member(c, 1), topic, len) == TOPIC_OK, c);
}

/* Length limits are checked in the handlers, against the configuration. */
#define TOPIC_SCHEMA	"{\"type\":\"object\",\"required\":[\"topic\"]," \
	"\"properties\":{\"topic\":{\"type\":\"string\"}}}"

static const struct {
	const char	*key;		/* config key holding its pkg_id */
	struct hl_handler h;
} bcast_handlers[] = {
	{ "pkg_id_subscribe", { 0, "subscribe", TOPIC_SCHEMA, NULL,
	  bcast_handle_subscribe, NULL, 0 } },
	{ "pkg_id_unsubscribe", { 0, "unsubscribe", TOPIC_SCHEMA, NULL,
	  bcast_handle_unsubscribe, NULL, 0 } },
};

int
bcast_handlers_register(const struct config *cf, char *err, size_t errsize)
{
	struct hl_handler h;
	char value[32];
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(bcast_handlers); i++) {
		config_format(cf, config_find(bcast_handlers[i].key), value,
		    sizeof value);
		h = bcast_handlers[i].h;
		h.pkg_id = atoi(value);
		if (h.pkg_id == 0)
			continue;
		if (hl_register(&h, err, errsize) == -1)
			return -1;
	}
	return 0;
}
