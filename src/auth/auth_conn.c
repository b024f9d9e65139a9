/*
 * The connection's side of authentication: the token at the upgrade or in
 * the first message, the per-user connection count, the message rate, and
 * the identity requests are routed with. Verification runs once per
 * connection; each message costs one rate lookup in shared memory. These
 * are hooks of the connection layer (ws/conn.h), which the worker
 * installs: a connection's state lives in the hook's slot, and answers go
 * through the hook's return or ws/conn.h's small API, never struct conn.
 */
#include "autoconf.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <jansson.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_audit.h"
#include "auth/auth_int.h"
#include "auth/auth_jwks.h"
#include "auth/auth_message.h"
#include "auth/auth_rate.h"
#include "auth/auth_session.h"
#include "bcast/bcast_conn.h"
#include "ws/conn.h"
#include "ws/ws_frame.h"
#include "core/log.h"
#include "app/request.h"
#include "core/stats.h"
#include "core/util.h"

#define AUTH_AUTH_OK	"{\"type\":\"auth_ok\"}"

#define AUTH_HOLD_MAX		64		/* messages during a lookup */
#define AUTH_HOLD_BYTES		(1024 * 1024)

_Static_assert(AUTH_FAIL_REASONS <= 18, "shm_counters.auth_failures");

/* A message that arrived while the session lookup was running. */
struct auth_held {
	struct auth_held	*next;
	uint8_t			 opcode;
	size_t			 len;
	uint8_t			 data[];
};

struct conn_auth {
	struct auth_identity	*id;
	struct request_identity	 who;
	uint64_t		 user;		/* auth_limit_hash(id->user) */
	int			 counted;	/* in the per-user table */
	int			 pending;	/* awaiting the auth message */
	int			 inband;	/* authenticated by a message */
	int			 session_pending; /* Redis lookup running */
	int			 timer_set;
	struct event		 timer;
	struct auth_held	*held, **held_tail;
	size_t			 nheld, held_bytes;
	struct auth_rate	 rate;		/* across instances */
};

static char	 auth_detail[JWT_MESSAGE_MAX + 32];
static int	 auth_hook_slot;	/* c's struct conn_auth */

static void	 auth_conn_closed(struct conn *c);

static struct conn_auth *
auth_of(const struct conn *c)
{
	return conn_slot(c, auth_hook_slot);
}

static void
auth_count_failure(unsigned reason)
{
	STATS_ADD(auth_failures[reason], 1);
}

/* Verify a token; on success the identity is c's. -1: res says why. */
static int
auth_verify(struct conn_auth *ca, const char *token, size_t len,
    struct jwt_result *res)
{
	int rc;

	if (!auth_jwks_ready()) {
		res->fail = JWT_FAIL_NO_KEYS;
		snprintf(res->message, sizeof res->message,
		    "signing keys not fetched yet (jwks_url)");
		auth_count_failure(res->fail);
		return -1;
	}
	rc = jwt_verify_token(&auth_conf.policy, auth_conf.keys, token, len,
	    time(NULL), &ca->id, res);
	/* A sibling worker may have fetched the kid's key already. */
	if (rc == -1 && res->fail == JWT_FAIL_UNKNOWN_KID &&
	    auth_jwks_unknown_kid())
		rc = jwt_verify_token(&auth_conf.policy, auth_conf.keys, token,
		    len, time(NULL), &ca->id, res);
	if (rc == -1) {
		auth_count_failure(res->fail);
		return -1;
	}
	ca->who.user = ca->id->user;
	ca->who.roles = (const char *const *)ca->id->roles;
	ca->user = auth_limit_hash(ca->id->user);
	return 0;
}

/* Count the connection against its user's limit; 0 when over it. */
static int
auth_admit(struct conn_auth *ca)
{
	int rc = auth_limit_conn_open(auth_limits, (uint32_t)auth_slot,
	    ca->user, auth_conf.max_conns);

	if (rc == 0) {
		STATS_ADD(ws_conn_limited, 1);
		return 0;
	}
	ca->counted = rc == 1;
	return 1;
}

/*
 * The token the upgrade carries: ?token= first, then Authorization.
 * Returns its length with *token set (into buf or the request), 0 when
 * there is none, WS_HANDSHAKE_QUERY_TOO_LONG for an oversized ?token=, or
 * another negative value when one is there but unusable.
 */
static ssize_t
auth_find_token(const struct ws_handshake_request *req, char *buf,
    size_t size, const char **token)
{
	const struct ws_handshake_span *a = &req->authorization;
	ssize_t n = WS_HANDSHAKE_QUERY_ABSENT;
	size_t len;

	if (auth_conf.sources & AUTH_SRC_QUERY)
		n = ws_handshake_query_param(req, "token", buf, size);
	if (n >= 0) {
		*token = buf;
		return n;
	}
	if (n != WS_HANDSHAKE_QUERY_ABSENT)
		return n;
	if (!(auth_conf.sources & AUTH_SRC_HEADER) || a->ptr == NULL)
		return 0;
	if (jwt_bearer(a->ptr, a->len, token, &len) == -1)
		return -1;
	return (ssize_t)len;
}

static void
auth_drop_held(struct conn_auth *ca)
{
	struct auth_held *h;

	while ((h = ca->held) != NULL) {
		ca->held = h->next;
		free(h);
	}
	ca->held_tail = &ca->held;
	ca->nheld = ca->held_bytes = 0;
}

/* Keep a message until the session lookup ends (bounded). */
static void
auth_hold(struct conn *c, struct conn_auth *ca, uint8_t opcode,
    const uint8_t *p, size_t len)
{
	struct auth_held *h;

	if (ca->nheld >= AUTH_HOLD_MAX ||
	    ca->held_bytes + len > AUTH_HOLD_BYTES) {
		auth_drop_held(ca);
		conn_fail(c, AUTH_CLOSE_POLICY,
		    "too many messages before the session check");
		return;
	}
	h = xmalloc(sizeof *h + len);
	h->next = NULL;
	h->opcode = opcode;
	h->len = len;
	if (len > 0)
		memcpy(h->data, p, len);
	*ca->held_tail = h;
	ca->held_tail = &h->next;
	ca->nheld++;
	ca->held_bytes += len;
}

/* The client is in: auth_ok for in-band auth, and the user's topic. */
static void
auth_accepted(struct conn *c, struct conn_auth *ca)
{
	if (ca->inband) {
		conn_send_frame(c, WS_OP_TEXT, (const uint8_t *)AUTH_AUTH_OK,
		    strlen(AUTH_AUTH_OK));
		STATS_ADD(messages_out, 1);
	}
	bcast_conn_opened(c, ca->id->user);
}

/* Redis could not say: redis_fail_mode decides. 0 admits. */
static int
auth_session_fallback(void)
{
	STATS_ADD(auth_session_unknown, 1);
	return auth_conf.fail_closed ? -1 : 0;
}

static void
auth_session_done(struct conn *c, enum auth_session_verdict v)
{
	struct conn_auth *ca = auth_of(c);
	struct auth_held *h, *list;

	if (!conn_is_open(c) || ca == NULL || !ca->session_pending)
		return;
	ca->session_pending = 0;
	/* Take the held messages: delivering one may close c, which frees
	 * ca, so nothing below touches ca after the first delivery. */
	list = ca->held;
	ca->held = NULL;
	auth_drop_held(ca);
	conn_ref(c);
	if (v == AUTH_SESSION_OK || (v == AUTH_SESSION_UNKNOWN &&
	    auth_session_fallback() == 0)) {
		auth_accepted(c, ca);
	} else {
		auth_count_failure(AUTH_FAIL_NO_SESSION);
		auth_audit_refusal(c, "session", v == AUTH_SESSION_MISSING ?
		    "no session" : "session store unavailable");
		conn_fail(c, AUTH_CLOSE_INVALID, v == AUTH_SESSION_MISSING ?
		    "no session" : "session store unavailable");
	}
	while ((h = list) != NULL) {
		list = h->next;
		conn_deliver(c, h->opcode, h->data, h->len);	/* if open */
		free(h);
	}
	conn_flush_if_idle(c);
	conn_unref(c);
}

/* Start the session lookup of an admitted identity: 0 to go on (admitted,
 * or waiting for Redis), -1 when refused at once (Redis down, closed). */
static int
auth_session_begin(struct conn *c, struct conn_auth *ca)
{
	enum auth_session_verdict v;

	if (!auth_conf.sessions)
		return 0;
	ca->held_tail = &ca->held;
	v = auth_session_lookup(c, ca->id->user, auth_session_done);
	if (v == AUTH_SESSION_PENDING) {
		ca->session_pending = 1;
		return 0;
	}
	return auth_session_fallback();
}

static int
auth_upgrade_token(struct conn *c, const struct ws_handshake_request *req,
    enum ws_handshake_refusal *why, const char **detail)
{
	static char buf[JWT_TOKEN_MAX + 1];
	struct conn_auth *ca;
	struct jwt_result res;
	const char *token = NULL;
	ssize_t n;

	if (!auth_conf.on)
		return 0;
	*why = WS_HANDSHAKE_REFUSE_UNAUTHORIZED;
	n = auth_find_token(req, buf, sizeof buf, &token);
	if (n == 0 && !(auth_conf.sources & AUTH_SRC_MESSAGE)) {
		auth_count_failure(AUTH_FAIL_MISSING);
		*detail = "missing token";
		return -1;
	}
	if (n == WS_HANDSHAKE_QUERY_TOO_LONG) {
		auth_count_failure(JWT_FAIL_TOO_LARGE);
		*detail = "invalid token: too large";
		return -1;
	}
	if (n < 0) {
		auth_count_failure(JWT_FAIL_MALFORMED);
		*detail = "invalid token: malformed";
		return -1;
	}
	ca = xcalloc(1, sizeof *ca);
	if (n == 0) {
		ca->pending = 1;
	} else if (auth_verify(ca, token, (size_t)n, &res) == -1) {
		explicit_bzero(buf, sizeof buf);
		snprintf(auth_detail, sizeof auth_detail, "invalid token: %s",
		    res.message);
		*detail = auth_detail;
		free(ca);
		return -1;
	} else if (!auth_admit(ca)) {
		auth_identity_free(ca->id);
		free(ca);
		*why = WS_HANDSHAKE_REFUSE_TOO_MANY;
		*detail = AUTH_TOO_MANY_CONNS;
		return -1;
	}
	explicit_bzero(buf, sizeof buf);
	conn_set_slot(c, auth_hook_slot, ca);
	if (!ca->pending && auth_session_begin(c, ca) == -1) {
		auth_count_failure(AUTH_FAIL_NO_SESSION);
		auth_conn_closed(c);
		*detail = "session store unavailable";
		return -1;
	}
	return 0;
}

/* The upgrade hook: the token, and an audit line when it is refused. */
static int
auth_conn_upgrade(struct conn *c, const struct ws_handshake_request *req,
    enum ws_handshake_refusal *why, const char **detail)
{
	if (auth_upgrade_token(c, req, why, detail) == -1) {
		auth_audit_refusal(c, "upgrade", *detail);
		return -1;
	}
	return 0;
}

/* The token of an open connection ran out: close 4001. */
static void
auth_expired_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct conn_auth *ca = auth_of(c);

	if (!conn_is_open(c) || ca == NULL || ca->id == NULL)
		return;
	AUTH_STAT_ADD(expired_closes, 1);
	conn_ref(c);
	conn_fail(c, AUTH_CLOSE_INVALID, AUTH_EXPIRED_REASON);
	conn_flush_if_idle(c);
	conn_unref(c);
}

/*
 * Close the connection when its token stops verifying (exp + leeway, as
 * jwt_claims checks it). The connection's own timer is reused (the auth
 * message timeout is over by now): one event in libevent's min-heap per
 * connection, O(log n) to add, and nothing walks the connections.
 */
static void
auth_expiry_arm(struct conn *c, struct conn_auth *ca)
{
	struct timespec now;
	struct timeval tv;
	int64_t left_ms;

	if (ca->id == NULL || ca->id->exp == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	left_ms = ((int64_t)ca->id->exp + (int64_t)auth_conf.policy.leeway) *
	    1000 - ((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	left_ms = HL_MAX(left_ms, 0);
	tv.tv_sec = (time_t)(left_ms / 1000);
	tv.tv_usec = (suseconds_t)(left_ms % 1000) * 1000;
	if (ca->timer_set)
		event_del(&ca->timer);
	evtimer_assign(&ca->timer, conn_base(), auth_expired_cb, c);
	evtimer_add(&ca->timer, &tv);
	ca->timer_set = 1;
}

static void
auth_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct conn_auth *ca = auth_of(c);

	if (ca == NULL || !ca->pending)
		return;
	auth_count_failure(AUTH_FAIL_TIMEOUT);
	auth_audit_refusal(c, "timeout", "authentication timeout");
	conn_ref(c);
	conn_fail(c, AUTH_CLOSE_TIMEOUT, "authentication timeout");
	conn_flush_if_idle(c);
	conn_unref(c);
}

static void
auth_conn_opened(struct conn *c)
{
	struct conn_auth *ca = auth_of(c);
	struct timeval tv;

	if (ca != NULL && !ca->pending)
		auth_expiry_arm(c, ca);
	if (ca == NULL || (!ca->pending && !ca->session_pending)) {
		bcast_conn_opened(c, ca != NULL ? ca->id->user : NULL);
		return;
	}
	if (!ca->pending)
		return;		/* joins when the session is confirmed */
	tv.tv_sec = (time_t)(auth_conf.timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)(auth_conf.timeout_ms % 1000) * 1000;
	evtimer_assign(&ca->timer, conn_base(), auth_timeout_cb, c);
	evtimer_add(&ca->timer, &tv);
	ca->timer_set = 1;
}

/* The first message of a connection that authenticates in-band. */
static void
auth_first_message(struct conn *c, uint8_t opcode, const uint8_t *p,
    size_t len)
{
	struct conn_auth *ca = auth_of(c);
	struct jwt_result res;
	const char *token;
	size_t toklen;
	json_t *doc = NULL;

	event_del(&ca->timer);
	ca->pending = 0;
	ca->inband = 1;
	if ((doc = auth_message_parse(opcode, p, len, &token, &toklen)) ==
	    NULL) {
		auth_count_failure(AUTH_FAIL_NOT_AUTH);
		auth_audit_refusal(c, "message", "authentication required");
		conn_fail(c, AUTH_CLOSE_INVALID, "authentication required");
	} else if (auth_verify(ca, token, toklen, &res) == -1) {
		snprintf(auth_detail, sizeof auth_detail, "invalid token: %s",
		    res.message);
		auth_audit_refusal(c, "message", auth_detail);
		conn_fail(c, AUTH_CLOSE_INVALID, auth_detail);
	} else if (!auth_admit(ca)) {
		conn_fail(c, AUTH_CLOSE_POLICY, AUTH_TOO_MANY_CONNS);
	} else {
		auth_expiry_arm(c, ca);
		if (auth_session_begin(c, ca) == -1) {
			auth_count_failure(AUTH_FAIL_NO_SESSION);
			conn_fail(c, AUTH_CLOSE_INVALID,
			    "session store unavailable");
		} else if (!ca->session_pending) {
			auth_accepted(c, ca);
		}
	}
	json_decref(doc);
}

static enum conn_verdict
auth_conn_message(struct conn *c, uint8_t opcode, const uint8_t *p,
    size_t len, const char **refuse)
{
	struct conn_auth *ca = auth_of(c);
	int rc;

	if (ca == NULL)
		return CONN_ROUTE;
	if (ca->pending) {
		auth_first_message(c, opcode, p, len);
		return CONN_TAKEN;
	}
	if (ca->id == NULL)	/* refused in-band, closing */
		return CONN_TAKEN;
	if (ca->session_pending) {
		auth_hold(c, ca, opcode, p, len);
		return CONN_TAKEN;
	}
	rc = !auth_rate_allowed(c, &ca->rate, ca->id->user) ? 0 :
	    auth_limit_message(auth_limits, (uint32_t)auth_slot, ca->user,
	    auth_conf.rate_limit, auth_conf.rate_window_ms, hl_now_ms());
	if (rc == 1) {
		auth_rate_count(c, &ca->rate, ca->id->user);
		return CONN_ROUTE;
	}
	if (rc == -1)
		AUTH_STAT_ADD(rate_redis_limited, 1);
	STATS_ADD(ws_rate_limited, 1);
	if (auth_conf.rate_error) {
		*refuse = AUTH_TOO_MANY_MSGS;
		return CONN_RATE_ERROR;
	}
	conn_fail(c, AUTH_CLOSE_POLICY, AUTH_TOO_MANY_MSGS);
	return CONN_TAKEN;
}

struct auth_rate *
auth_conn_rate(struct conn *c, const char **user, uint64_t *hash)
{
	struct conn_auth *ca = auth_of(c);

	if (ca == NULL || ca->id == NULL)
		return NULL;
	*user = ca->id->user;
	*hash = ca->user;
	return &ca->rate;
}

static const struct request_identity *
auth_conn_who(const struct conn *c)
{
	const struct conn_auth *ca = auth_of(c);

	return ca != NULL && ca->id != NULL ? &ca->who : NULL;
}

static void
auth_conn_closed(struct conn *c)
{
	struct conn_auth *ca = auth_of(c);

	if (ca == NULL)
		return;
	if (ca->timer_set)
		event_del(&ca->timer);
	if (ca->counted)
		auth_limit_conn_close(auth_limits, (uint32_t)auth_slot,
		    ca->user);
	auth_drop_held(ca);
	auth_identity_free(ca->id);
	free(ca);
	conn_set_slot(c, auth_hook_slot, NULL);
}

static const struct conn_hooks auth_conn_hooks = {
	.upgrade = auth_conn_upgrade,
	.opened = auth_conn_opened,
	.message = auth_conn_message,
	.who = auth_conn_who,
	.closed = auth_conn_closed,
};

int
auth_conn_install(void)
{
	return (auth_hook_slot = conn_hooks_add(&auth_conn_hooks));
}
