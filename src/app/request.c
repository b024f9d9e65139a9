/*
 * The request view and the reply functions of the module API. A request is
 * answered exactly once: a reply now, or a deferral whose handle answers
 * later (or is dropped, counted, when the connection has gone).
 */
#include "autoconf.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/log_limit.h"
#include "app/request.h"
#include "app/router.h"
#include "core/stats.h"
#include "core/util.h"

struct hl_deferred {
	LIST_ENTRY(hl_deferred)	 link;		/* in set, while pending */
	struct deferred_set	*set;		/* NULL: target has none */
	hl_deferred_cancel_fn	*cancel;
	void			*cancel_arg;
	const struct reply_ops	*ops;
	void			*target;
	const struct route	*route;
	uint64_t		 started_ns;
	int32_t			 pkg_id;
	int			 has_pkg_id;
	size_t			 req_id_len;
	/* the raw token */
	char			 req_id[ENVELOPE_REQ_ID_MAX + 2];
};

uint64_t
request_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

void
request_init(struct hl_request *req, const struct reply_ops *ops,
    void *target, const struct envelope_request *env,
    const struct request_identity *who)
{
	memset(req, 0, offsetof(struct hl_request, req_id));
	req->req_id[0] = '\0';
	req->method[0] = '\0';
	req->ops = ops;
	req->target = target;
	req->env = *env;
	req->who = who;
	req->started_ns = request_now_ns();
}

void
request_done(struct hl_request *req)
{
	if (req->data != NULL)
		json_decref(req->data);
	req->data = NULL;
}

/* Serialize one reply through the target and account for it. */
static void
request_send(const struct reply_ops *ops, void *target,
    const struct envelope_ids *ids, int status, const json_t *data,
    const char *raw, size_t rawlen, const char *message)
{
	struct envelope_buf *b = ops->begin(target);
	struct envelope_span span = { raw, rawlen };

	if (message != NULL)
		envelope_reply_error(b, ids, (enum envelope_status)status,
		    message);
	else if (raw != NULL)
		envelope_reply_raw(b, ids, (enum envelope_status)status, NULL,
		    span);
	else if (envelope_reply_json(b, ids, (enum envelope_status)status,
	    NULL, data) == -1)
		envelope_reply_error(b, ids, ENVELOPE_ERROR,
		    "reply could not be serialized");
	ops->commit(target, b);
}

/* The reply of a request handled now: send it and record its latency. */
static int
request_answer(struct hl_request *req, int status, const json_t *data,
    const char *raw, size_t rawlen, const char *message)
{
	struct envelope_ids ids = envelope_ids_of(&req->env);

	if (req->answered)
		return -1;
	req->answered = 1;
	request_send(req->ops, req->target, &ids, status, data, raw, rawlen,
	    message);
	if (req->route != NULL)
		stats_latency(req->route->index,
		    request_now_ns() - req->started_ns);
	return 0;
}

void
request_reply_error(struct hl_request *req, int status, const char *message)
{
	request_answer(req, status, NULL, NULL, 0, message);
}

int
hl_reply(struct hl_request *req, int status, json_t *data)
{
	int rc = request_answer(req, status, data, NULL, 0, NULL);

	if (data != NULL)
		json_decref(data);
	return rc;
}

int
hl_reply_raw(struct hl_request *req, int status, const char *json,
    size_t len)
{
	return request_answer(req, status, NULL, json != NULL ? json : "null",
	    json != NULL ? len : 4, NULL);
}

int
hl_reply_error(struct hl_request *req, int status, const char *message)
{
	return request_answer(req, status, NULL, NULL, 0,
	    message != NULL ? message : "");
}

/* Deferred replies pending in this process, and their bound. */
static struct {
	uint32_t	pending;
	uint32_t	max;
} deferred_sum = { 0, UINT32_MAX };

void
request_deferred_bound(uint32_t max)
{
	deferred_sum.max = max;
}

/* Find the target's pending set (*set, NULL when it keeps none). Returns
 * 0, or -1 when the set or the worker is full: the request is then
 * answered with an error, counted and logged. */
static int
request_defer_room(struct hl_request *req, struct deferred_set **set)
{
	static struct log_limit limit;
	uint32_t max = 0;
	uint64_t held_back;
	char msg[128];

	*set = NULL;
	if (req->ops->pending != NULL)
		*set = req->ops->pending(req->target, &max);
	if (deferred_sum.pending >= deferred_sum.max)
		snprintf(msg, sizeof msg, "too many deferred replies pending "
		    "on this worker (ws_worker_deferred %u)", deferred_sum.max);
	else if (*set != NULL && (*set)->count >= max)
		snprintf(msg, sizeof msg, "too many deferred replies pending "
		    "on this connection (ws_max_deferred %u)", max);
	else
		return 0;
	STATS_LIMIT_ADD(deferred_refused, 1);
	if (log_limit_ok(&limit, &held_back))
		log_notice("request refused: %s; %llu more like it held back",
		    msg, (unsigned long long)held_back);
	request_answer(req, HL_STATUS_ERROR, NULL, NULL, 0, msg);
	return -1;
}

struct hl_deferred *
hl_defer(struct hl_request *req)
{
	struct deferred_set *set;
	struct hl_deferred *d;

	if (req->answered || request_defer_room(req, &set) == -1)
		return NULL;
	req->answered = 1;
	d = xcalloc(1, sizeof *d);
	if (set != NULL) {
		LIST_INSERT_HEAD(&set->list, d, link);
		set->count++;
		d->set = set;
	}
	deferred_sum.pending++;
	STATS_LIMIT_ADD(deferred_pending, 1);
	d->ops = req->ops;
	d->target = req->target;
	d->route = req->route;
	d->started_ns = req->started_ns;
	d->pkg_id = req->env.pkg_id;
	d->has_pkg_id = req->env.has_pkg_id;
	if (req->env.req_id.ptr != NULL) {
		d->req_id_len = req->env.req_id.len;
		memcpy(d->req_id, req->env.req_id.ptr, d->req_id_len);
	}
	d->ops->ref(d->target);
	return d;
}

void
hl_deferred_on_cancel(struct hl_deferred *d, hl_deferred_cancel_fn *cancel,
    void *arg)
{
	if (d == NULL)
		return;
	d->cancel = cancel;
	d->cancel_arg = arg;
}

/* Take d out of its target's pending set. */
static void
request_deferred_detach(struct hl_deferred *d)
{
	if (d->set == NULL)
		return;
	LIST_REMOVE(d, link);
	d->set->count--;
	d->set = NULL;
}

/* Free d and its reference to the target. */
static void
request_deferred_free(struct hl_deferred *d)
{
	deferred_sum.pending--;
	STATS_LIMIT_SUB(deferred_pending, 1);
	d->ops->unref(d->target);
	free(d);
}

void
request_deferred_closed(struct deferred_set *set)
{
	struct hl_deferred *d;

	while ((d = LIST_FIRST(&set->list)) != NULL) {
		request_deferred_detach(d);
		if (d->cancel == NULL)
			continue;
		STATS_LIMIT_ADD(deferred_cancelled, 1);
		d->cancel(d->cancel_arg);
		request_deferred_free(d);
	}
}

/* Send d's reply if its target is still open; 0 sent, 1 dropped. */
static int
request_deferred_send(struct hl_deferred *d, int status, const json_t *data)
{
	struct envelope_ids ids = {
		.pkg_id = d->pkg_id,
		.has_pkg_id = d->has_pkg_id,
		.req_id = { d->req_id_len ? d->req_id : NULL, d->req_id_len },
	};

	if (!d->ops->open(d->target)) {
		d->ops->dropped(d->target);
		return 1;
	}
	request_send(d->ops, d->target, &ids, status, data, NULL, 0, NULL);
	return 0;
}

int
hl_deferred_reply(struct hl_deferred *d, int status, json_t *data)
{
	/* d NULL: hl_defer refused, the request has its answer */
	int rc = -1;

	if (d != NULL) {
		request_deferred_detach(d);
		rc = request_deferred_send(d, status, data);
		if (d->route != NULL)
			stats_latency(d->route->index,
			    request_now_ns() - d->started_ns);
		request_deferred_free(d);
	}
	if (data != NULL)
		json_decref(data);
	return rc;
}

int32_t
hl_request_pkg_id(const struct hl_request *req)
{
	return req->env.pkg_id;
}

const char *
hl_request_req_id(const struct hl_request *req)
{
	struct hl_request *r = (struct hl_request *)(uintptr_t)req;
	size_t len;

	if (!r->req_id_decoded && r->env.req_id.ptr != NULL &&
	    envelope_unescape(&r->env.req_id, r->req_id, sizeof r->req_id,
	    &len) == -1)
		r->req_id[0] = '\0';
	r->req_id_decoded = 1;
	return r->req_id;
}

const char *
hl_request_method(const struct hl_request *req)
{
	struct hl_request *r = (struct hl_request *)(uintptr_t)req;
	size_t len;

	if (r->env.method.ptr == NULL)
		return NULL;
	if (r->method[0] == '\0' && envelope_unescape(&r->env.method,
	    r->method, sizeof r->method, &len) == -1)
		return NULL;
	return r->method;
}

const char *
hl_request_data_raw(const struct hl_request *req, size_t *len)
{
	*len = req->env.data.len;
	return req->env.data.ptr;
}

json_t *
hl_request_data(struct hl_request *req)
{
	json_error_t err;

	if (req->data == NULL && req->env.data.ptr != NULL)
		req->data = envelope_data_load(&req->env, &err);
	return req->data;
}

const char *
hl_request_user(const struct hl_request *req)
{
	return req->who != NULL ? req->who->user : NULL;
}

int
hl_request_has_role(const struct hl_request *req, const char *role)
{
	const char *const *r;

	if (req->who == NULL || req->who->roles == NULL)
		return 0;
	for (r = req->who->roles; *r != NULL; r++) {
		if (strcmp(*r, role) == 0)
			return 1;
	}
	return 0;
}
