/*
 * A connection's life: accept, the HTTP upgrade, frames in, messages to the
 * router (or straight back on /echo), close handshakes and timeouts. One
 * read per readiness event, into the worker's read buffer; the output of
 * the whole event leaves in one writev (conn_out.c).
 */
#include "autoconf.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ws/conn_int.h"
#include "prof/memprof.h"
#include "app/request.h"
#include "prof/record.h"
#include "app/router.h"
#include "core/stats.h"
#include "core/util.h"
#include "ws/ws_handshake.h"

#define CONN_READ_BYTES		(64 * 1024)
#define CONN_CLOSING_MS		2000	/* wait this long for the close */
#define CONN_KEEP_MIN		4096

struct conn_server	 conn_srv;
static uint8_t		 conn_rbuf[CONN_READ_BYTES];

static void conn_io_cb(evutil_socket_t, short, void *);

static struct envelope_buf *
conn_reply_begin(void *target)
{
	return out_reply_begin(target);
}

static void
conn_reply_commit(void *target, struct envelope_buf *b)
{
	out_reply_commit(target, b);
}

static int
conn_reply_open(void *target)
{
	return ((struct conn *)target)->state == CONN_OPEN;
}

static void
conn_reply_ref(void *target)
{
	conn_ref(target);
}

static void
conn_reply_unref(void *target)
{
	conn_unref(target);
}

static void
conn_reply_dropped(void *target)
{
	STATS_ADD(replies_dropped, 1);
}

static struct deferred_set *
conn_reply_pending(void *target, uint32_t *max)
{
	*max = conn_srv.limits.max_deferred != 0 ?
	    conn_srv.limits.max_deferred : UINT32_MAX;
	return &((struct conn *)target)->deferred;
}

static const struct reply_ops conn_reply_ops = {
	conn_reply_begin, conn_reply_commit, conn_reply_open,
	conn_reply_ref, conn_reply_unref, conn_reply_dropped,
	conn_reply_pending,
};

struct conn *
conn_of_request(const struct hl_request *req)
{
	return req->ops == &conn_reply_ops ? req->target : NULL;
}

void
conn_ref(struct conn *c)
{
	c->refs++;
}

/* The input and fragment buffers. While the connection's own read event
 * runs, frames and requests point into them: a close from inside that
 * event (a flush that fails) leaves them to the end of the event. */
static void
conn_free_buffers(struct conn *c)
{
	conn_srv.input_held -= (uint64_t)c->in_cap + c->frag_cap;
	free(c->in);
	free(c->frag);
	c->in = c->frag = NULL;
	c->in_len = c->in_cap = c->frag_len = c->frag_cap = 0;
}

void
conn_unref(struct conn *c)
{
	if (--c->refs == 0) {
		conn_free_buffers(c);
		free(c);
	}
}

void
conn_set_events(struct conn *c, short events)
{
	event_del(&c->ev);
	event_assign(&c->ev, conn_srv.base, c->fd, events | EV_PERSIST,
	    conn_io_cb, c);
	event_add(&c->ev, NULL);
}

/* Mark activity: the connection moves to the young end of the LRU list.
 * Only open connections count traffic as activity: a handshake's timer
 * runs from accept (a client trickling bytes must still finish in time)
 * and a closing connection's from the close (a peer that keeps sending
 * but never answers the close is still dropped). */
static void
conn_touch(struct conn *c)
{
	c->active_ms = hl_now_ms();
	c->flags &= ~CONN_F_PINGED;
	TAILQ_REMOVE(&conn_srv.lru, c, lru);
	TAILQ_INSERT_TAIL(&conn_srv.lru, c, lru);
}

void
conn_close(struct conn *c)
{
	if (c->state == CONN_CLOSED)
		return;
	event_del(&c->ev);
	close(c->fd);
	conn_hooks_closed(c);
	request_deferred_closed(&c->deferred);
	sendq_clear(&c->q);
	if (conn_srv.processing != c)
		conn_free_buffers(c);
	TAILQ_REMOVE(&conn_srv.lru, c, lru);
	if (c->flags & CONN_F_UPGRADED)
		STATS_SUB(ws_active, 1);
	STATS_SUB(connections_active, 1);
	c->state = CONN_CLOSED;
	conn_srv.count--;
	conn_unref(c);
}

void
conn_closing(struct conn *c, int at_once)
{
	conn_touch(c);		/* the closing timer starts now */
	c->state = CONN_CLOSING;
	if (at_once)
		c->flags |= CONN_F_CLOSE_AFTER;
}

/* Send a close frame and wait for the peer's (or close at once when
 * failing the connection for a protocol error). */
static void
conn_start_close(struct conn *c, uint16_t code, const char *reason,
    int at_once)
{
	if (c->state != CONN_OPEN)
		return;
	conn_closing(c, at_once);
	out_close_frame(c, code, reason);	/* may flush, and close */
}

void
conn_fail(struct conn *c, uint16_t code, const char *reason)
{
	conn_start_close(c, code, reason, 0);
}

/* Refuse the upgrade with an HTTP response, then close. */
static void
conn_refuse(struct conn *c, enum ws_handshake_refusal why, const char *detail)
{
	char resp[512];
	ssize_t n;

	stats_refusal(why);
	STATS_ADD(ws_rejected, 1);
	n = ws_handshake_response_refuse(why, detail, resp, sizeof resp);
	c->state = CONN_CLOSING;	/* before the output, which may flush */
	c->flags |= CONN_F_CLOSE_AFTER;
	if (n > 0)
		out_raw(c, resp, (size_t)n);
	else
		conn_close(c);
}

/* Path, Origin and subprotocol checks after a well-formed request. */
static void
conn_upgrade(struct conn *c, const struct ws_handshake_request *req)
{
	const struct conn_limits *lim = &conn_srv.limits;
	enum ws_handshake_refusal why;
	const char *proto, *detail;
	char resp[512];
	ssize_t n;

	if (req->path.len == strlen(lim->path) &&
	    memcmp(req->path.ptr, lim->path, req->path.len) == 0)
		;
	else if (lim->echo && req->path.len == 5 &&
	    memcmp(req->path.ptr, "/echo", 5) == 0)
		c->flags |= CONN_F_ECHO;
	else {
		conn_refuse(c, WS_HANDSHAKE_REFUSE_NOT_FOUND, NULL);
		return;
	}
	if (!ws_handshake_origin_allowed(req, lim->origins, lim->norigins)) {
		conn_refuse(c, WS_HANDSHAKE_REFUSE_ORIGIN, NULL);
		return;
	}
	proto = ws_handshake_select_protocol(req, lim->protocols,
	    lim->nprotocols);
	n = ws_handshake_response_101(req, proto, resp, sizeof resp);
	if (n < 0) {
		conn_refuse(c, WS_HANDSHAKE_REFUSE_BAD_KEY, NULL);
		return;
	}
	if (!(c->flags & CONN_F_ECHO) &&
	    conn_hooks_upgrade(c, req, &why, &detail) == -1) {
		conn_refuse(c, why, detail);
		return;
	}
	out_raw(c, resp, (size_t)n);
	c->state = CONN_OPEN;
	c->flags |= CONN_F_UPGRADED;
	ws_msg_init(&c->msg);
	STATS_ADD(ws_accepted, 1);
	STATS_ADD(ws_active, 1);
	conn_hooks_opened(c);	/* auth: joins the user's topic, or waits */
}

/* Returns the bytes of the request head, or 0 when it is incomplete (the
 * parser needs the whole request from its first byte again). */
static size_t
conn_handshake(struct conn *c, const uint8_t *data, size_t len)
{
	struct ws_handshake_limits lim = {
		conn_srv.limits.max_header_bytes, conn_srv.limits.max_headers,
	};
	struct ws_handshake hs;

	ws_handshake_init(&hs, &lim);
	switch (ws_handshake_parse(&hs, (const char *)data, len)) {
	case WS_HANDSHAKE_NEED_MORE:
		return 0;
	case WS_HANDSHAKE_FAIL:
		conn_refuse(c, hs.refusal, hs.detail);
		return len;
	default:
		conn_upgrade(c, &hs.request);
		return c->state == CONN_OPEN ? hs.request.head_len : len;
	}
}

/* A complete text message on /web: scan, route, reply (or answer with
 * refuse, an error message, without routing). */
static void
conn_envelope(struct conn *c, const uint8_t *p, size_t len, uint8_t opcode,
    const char *refuse)
{
	const struct request_identity *who = conn_hooks_who(c);
	struct envelope_request env;
	struct hl_request req;

	if (opcode != WS_OP_TEXT) {
		memset(&env, 0, sizeof env);
		request_init(&req, &conn_reply_ops, c, &env, NULL);
		request_reply_error(&req, HL_STATUS_INVALID_DATA,
		    "expected a text message holding a JSON envelope");
		return;
	}
	if (envelope_scan((const char *)p, len, &env) == -1) {
		request_init(&req, &conn_reply_ops, c, &env, NULL);
		request_reply_error(&req, HL_STATUS_INVALID_DATA, env.error);
		return;
	}
	request_init(&req, &conn_reply_ops, c, &env, who);
	if (refuse != NULL)
		request_reply_error(&req, HL_STATUS_ERROR, refuse);
	else
		router_dispatch(&req);
	request_done(&req);
}

/* A message of the application path: through the hooks (auth) to the
 * router. */
void
conn_deliver(struct conn *c, uint8_t opcode, const uint8_t *p, size_t len)
{
	const char *refuse = NULL;

	if (c->state != CONN_OPEN)
		return;
	switch (conn_hooks_message(c, opcode, p, len, &refuse)) {
	case CONN_ROUTE:
		conn_envelope(c, p, len, opcode, NULL);
		break;
	case CONN_RATE_ERROR:
		conn_envelope(c, p, len, opcode, refuse);
		break;
	default:
		break;
	}
}

static void
conn_message(struct conn *c, uint8_t opcode, const uint8_t *p, size_t len)
{
	STATS_ADD(messages_in, 1);
	if (c->flags & CONN_F_ECHO) {
		out_frame(c, opcode, p, len);
		STATS_ADD(messages_out, 1);
	} else {
		conn_deliver(c, opcode, p, len);
	}
}

/* An input buffer of c grows from old to new bytes: within the worker's
 * bound (ws_worker_input_bytes) it is counted and 0 returned; past it the
 * connection is failed with 1013 (a handshake is just closed), counted,
 * and -1 returned. Other connections keep what they hold. */
static int
conn_input_grow(struct conn *c, size_t old, size_t new)
{
	if (new > old && conn_srv.input_held + (new - old) >
	    conn_srv.limits.worker_input_bytes) {
		STATS_ADD(input_bound_closes, 1);
		if (c->state == CONN_OPEN)
			conn_start_close(c, WS_CLOSE_TRY_AGAIN, "server busy: "
			    "input memory bound reached", 1);
		else
			conn_close(c);
		return -1;
	}
	conn_srv.input_held += new;
	conn_srv.input_held -= old;
	return 0;
}

/* Keep a fragment until the message is complete (bounded by ws_msg). */
static void
conn_fragment(struct conn *c, const struct ws_frame *f)
{
	size_t cap;

	if (f->payload_len > 0 && c->frag_len + f->payload_len > c->frag_cap) {
		cap = (size_t)HL_MAX(c->frag_len + f->payload_len,
		    (uint64_t)c->frag_cap * 2);
		cap = HL_MIN(cap, HL_MAX(conn_srv.limits.max_message_bytes,
		    c->frag_len + f->payload_len));
		if (conn_input_grow(c, c->frag_cap, cap) == -1)
			return;
		c->frag_cap = (uint32_t)cap;
		c->frag = xrealloc(c->frag, c->frag_cap);
	}
	if (f->payload_len > 0)	/* frag may still be NULL */
		memcpy(c->frag + c->frag_len, f->payload, f->payload_len);
	c->frag_len += (uint32_t)f->payload_len;
	if (!f->fin)
		return;
	conn_message(c, f->msg_opcode, c->frag != NULL ? c->frag :
	    (const uint8_t *)"", c->frag_len);
	out_flush();	/* an echo may point into frag */
	conn_srv.input_held -= c->frag_cap;
	free(c->frag);
	c->frag = NULL;
	c->frag_len = c->frag_cap = 0;
}

/* The peer's close: answer it (echoing its code) unless we began. */
static void
conn_peer_close(struct conn *c, const struct ws_frame *f)
{
	uint16_t code = WS_CLOSE_NO_STATUS, bad;
	const uint8_t *reason;
	size_t rlen;

	if (c->state == CONN_CLOSING) {
		conn_close(c);
		return;
	}
	ws_close_parse(f->payload, f->payload_len, &code, &reason, &rlen, &bad);
	c->state = CONN_CLOSING;
	c->flags |= CONN_F_CLOSE_AFTER;
	if (code == WS_CLOSE_NO_STATUS)
		out_frame(c, WS_OP_CLOSE, NULL, 0);
	else
		out_close_frame(c, code, "");
}

static void
conn_frame(struct conn *c, const struct ws_frame *f)
{
	/* After our close only the peer's close matters (RFC 6455 5.5.1). */
	if (c->state == CONN_CLOSING && f->opcode != WS_OP_CLOSE)
		return;
	switch (f->opcode) {
	case WS_OP_PING:
		out_frame(c, WS_OP_PONG, f->payload, f->payload_len);
		break;
	case WS_OP_PONG:
		break;
	case WS_OP_CLOSE:
		conn_peer_close(c, f);
		break;
	default:
		if (f->fin && c->frag_len == 0 && f->opcode != WS_OP_CONT)
			conn_message(c, f->msg_opcode, f->payload,
			    f->payload_len);
		else
			conn_fragment(c, f);
		break;
	}
}

/* Parse what arrived; returns the bytes consumed (the rest is kept). */
static size_t
conn_process(struct conn *c, uint8_t *data, size_t len)
{
	size_t off = 0;
	struct ws_frame f;
	uint16_t code;
	ssize_t n;

	if (c->state == CONN_HANDSHAKE &&
	    (off = conn_handshake(c, data, len)) == 0)
		return 0;
	while (off < len && (c->state == CONN_OPEN ||
	    (c->state == CONN_CLOSING && !(c->flags & CONN_F_CLOSE_AFTER)))) {
		n = ws_msg_feed(&c->msg, data + off, len - off,
		    conn_srv.limits.max_message_bytes, &f, &code);
		if (n == 0) {
			c->need = f.frame_len;
			return off;
		}
		if (n < 0 && c->state == CONN_CLOSING) {
			conn_close(c);	/* garbage while closing: just go */
			return len;
		}
		if (n < 0) {
			STATS_ADD(protocol_errors, 1);
			conn_start_close(c, code, code == WS_CLOSE_TOO_BIG ?
			    "message too big" : code == WS_CLOSE_INVALID_DATA ?
			    "invalid UTF-8" : "protocol error", 1);
			return len;
		}
		off += (size_t)n;
		conn_frame(c, &f);
	}
	return c->state == CONN_OPEN || c->state == CONN_CLOSING ? off : len;
}

/* The most a connection may keep between reads in its state. */
static size_t
conn_keep_limit(const struct conn *c)
{
	if (c->state == CONN_HANDSHAKE)
		return conn_srv.limits.max_header_bytes + 1;
	return conn_srv.limits.max_message_bytes + WS_CLIENT_HEADER_MAX;
}

/* Keep the unparsed rest: in the connection's own buffer, which is freed
 * as soon as it is empty, so idle connections hold none. */
static void
conn_keep_rest(struct conn *c, uint8_t *data, size_t len, size_t used)
{
	size_t rest = len - used, cap;

	if (c->state == CONN_CLOSED || (c->flags & CONN_F_CLOSE_AFTER))
		rest = 0;
	if (rest == 0) {
		conn_srv.input_held -= c->in_cap;
		free(c->in);
		c->in = NULL;
		c->in_len = c->in_cap = 0;
		return;
	}
	if (data == c->in) {
		memmove(c->in, c->in + used, rest);
		c->in_len = (uint32_t)rest;
		return;
	}
	cap = HL_MIN(HL_MAX(HL_MAX(rest, c->need), CONN_KEEP_MIN),
	    conn_keep_limit(c));
	if (conn_input_grow(c, 0, cap) == -1)
		return;
	c->in = xmalloc(cap);
	memcpy(c->in, data + used, rest);
	c->in_len = (uint32_t)rest;
	c->in_cap = (uint32_t)cap;
}

/* Where the next read goes: the connection's buffer when it keeps bytes
 * (grown towards what the pending frame needs), else the worker's. */
static uint8_t *
conn_read_target(struct conn *c, size_t *room)
{
	size_t cap;

	if (c->in == NULL) {
		*room = sizeof conn_rbuf;
		return conn_rbuf;
	}
	if (c->in_len == c->in_cap) {
		cap = HL_MIN(HL_MAX((size_t)c->in_cap * 2, c->need),
		    conn_keep_limit(c));
		if (cap > c->in_cap) {
			if (conn_input_grow(c, c->in_cap, cap) == -1) {
				*room = 0;
				return NULL;
			}
			c->in = xrealloc(c->in, cap);
			c->in_cap = (uint32_t)cap;
		}
	}
	*room = c->in_cap - c->in_len;
	return c->in + c->in_len;
}

static void
conn_readable(struct conn *c)
{
	uint8_t *buf, *data;
	size_t room, len, used;
	ssize_t n;

	buf = conn_read_target(c, &room);
	if (room == 0)
		return;		/* cannot happen: limits fail the frame first */
	n = read(c->fd, buf, room);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		if (n == -1)
			STATS_ADD(errors, 1);
		conn_close(c);
		return;
	}
	if (n == -1)
		return;
	STATS_ADD(bytes_in, (uint64_t)n);
	memprof_count_copy((size_t)n, SAMPLE_FN_READ);
	if (c->state == CONN_OPEN)
		conn_touch(c);
	data = c->in != NULL ? c->in : conn_rbuf;
	if (c->in != NULL)
		c->in_len += (uint32_t)n;
	len = c->in != NULL ? c->in_len : (size_t)n;
	used = conn_process(c, data, len);
	out_flush();
	conn_keep_rest(c, data, len, used);
}

static void
conn_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	conn_ref(c);
	conn_srv.processing = c;
	if ((what & EV_WRITE) && c->state != CONN_CLOSED)
		out_writable(c);
	if ((what & EV_READ) && c->state != CONN_CLOSED) {
		if (c->flags & CONN_F_CLOSE_AFTER)
			/* no reading: no spin */
			conn_set_events(c, EV_WRITE);
		else
			conn_readable(c);
	}
	conn_srv.processing = NULL;
	out_flush();
	if (c->state == CONN_CLOSED)
		conn_free_buffers(c);
	conn_unref(c);
}

void
conn_accept(int fd)
{
	struct conn *c = xcalloc(1, sizeof *c);
	int on = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	c->fd = fd;
	c->refs = 1;
	c->state = CONN_HANDSHAKE;
	LIST_INIT(&c->deferred.list);
	c->active_ms = hl_now_ms();
	TAILQ_INSERT_TAIL(&conn_srv.lru, c, lru);
	conn_srv.count++;
	STATS_ADD(connections_total, 1);
	STATS_ADD(connections_active, 1);
	event_assign(&c->ev, conn_srv.base, fd, EV_READ | EV_PERSIST,
	    conn_io_cb, c);
	event_add(&c->ev, NULL);
}

/* One connection's timeouts; returns 0 when it (and every younger one) is
 * not due yet. */
static int
conn_sweep_one(struct conn *c, uint64_t idle)
{
	const struct conn_limits *lim = &conn_srv.limits;

	switch (c->state) {
	case CONN_HANDSHAKE:
		if (idle < lim->handshake_timeout_ms)
			return 0;
		conn_refuse(c, WS_HANDSHAKE_REFUSE_TIMEOUT, NULL);
		return 1;
	case CONN_CLOSING:
		if (idle >= CONN_CLOSING_MS)
			conn_close(c);
		return 1;
	default:
		break;
	}
	if (lim->idle_timeout_ms != 0 && idle >= lim->idle_timeout_ms) {
		STATS_ADD(idle_closes, 1);
		conn_start_close(c, WS_CLOSE_GOING_AWAY, "idle timeout", 0);
	} else if (lim->ping_interval_ms != 0 &&
	    idle >= lim->ping_interval_ms && !(c->flags & CONN_F_PINGED)) {
		c->flags |= CONN_F_PINGED;
		out_frame(c, WS_OP_PING, NULL, 0);
	}
	return 1;
}

/* The LRU list is ordered by last activity, so the walk stops at the
 * first connection younger than every timeout. */
void
conn_sweep(void)
{
	const struct conn_limits *lim = &conn_srv.limits;
	uint64_t now = hl_now_ms(), soonest = lim->handshake_timeout_ms;
	struct conn *c, *next;

	soonest = HL_MIN(soonest, CONN_CLOSING_MS);
	if (lim->ping_interval_ms != 0)
		soonest = HL_MIN(soonest, lim->ping_interval_ms);
	if (lim->idle_timeout_ms != 0)
		soonest = HL_MIN(soonest, lim->idle_timeout_ms);
	for (c = TAILQ_FIRST(&conn_srv.lru); c != NULL; c = next) {
		uint64_t idle = now - c->active_ms;

		next = TAILQ_NEXT(c, lru);
		if (idle < soonest)
			break;
		conn_ref(c);
		conn_sweep_one(c, idle);
		out_flush();
		conn_unref(c);
	}
}

void
conn_close_all(uint16_t code, const char *reason)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&conn_srv.lru); c != NULL; c = next) {
		next = TAILQ_NEXT(c, lru);
		conn_ref(c);
		if (c->state == CONN_OPEN)
			conn_start_close(c, code, reason, 0);
		else if (c->state == CONN_HANDSHAKE)
			conn_close(c);
		out_flush();
		conn_unref(c);
	}
}

size_t
conn_count(void)
{
	return conn_srv.count;
}

void
conn_server_init(struct event_base *base, const struct conn_limits *limits)
{
	conn_srv.base = base;
	conn_srv.limits = *limits;
	TAILQ_INIT(&conn_srv.lru);
	sendq_worker_bound(limits->worker_output_bytes != 0 ?
	    limits->worker_output_bytes : UINT64_MAX / 2);
	request_deferred_bound(limits->worker_deferred != 0 ?
	    limits->worker_deferred : UINT32_MAX);
}

void
conn_server_free(void)
{
	struct conn *c;

	out_flush();
	while ((c = TAILQ_FIRST(&conn_srv.lru)) != NULL)
		conn_close(c);
	out_free();
}
