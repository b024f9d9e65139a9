/*
 * The way out. Everything one connection sends while one read event is
 * handled (replies, pongs, close frames, echoes) is gathered in a
 * per-worker batch and written with one writev when the event ends. What
 * the socket does not take goes to the connection's send queue, bounded by
 * send_queue_bytes: a reader that falls further behind is closed (a reply
 * cannot be dropped without corrupting the stream) and counted. All queues
 * of the worker together are bounded by worker_output_bytes: the
 * connection that would pass it is closed with 1013 (out_bound_close).
 */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ws/conn_int.h"
#include "core/log.h"
#include "core/log_limit.h"
#include "prof/memprof.h"
#include "prof/record.h"
#include "core/stats.h"
#include "core/util.h"

#define OUT_BATCH_BYTES	(256 * 1024)
#define OUT_REPLY_ROOM	1024	/* start a new batch below this */

static struct {
	struct conn		*owner;
	size_t			 used;
	int			 niov;
	int			 nowned;
	struct iovec		 iov[SENDQ_IOV_MAX];
	uint8_t			 cont[SENDQ_IOV_MAX];	/* 1: continues
							 * the frame before */
	char			*owned[SENDQ_IOV_MAX];
	struct envelope_buf	 eb;
	uint8_t			 buf[OUT_BATCH_BYTES];
} out;

static void
out_reset(void)
{
	int i;

	for (i = 0; i < out.nowned; i++)
		free(out.owned[i]);
	out.nowned = 0;
	out.niov = 0;
	out.used = 0;
	out.owner = NULL;
}

static int	out_send(void);

/* Make the batch c's, with room for one more piece of about need bytes.
 * A full batch of c's own is written without closing c: a connection
 * that closes after its output (a protocol error, the peer's close) is
 * adding that output now, and its close frame must not be cut off. */
static void
out_claim(struct conn *c, size_t need)
{
	if (out.owner != c)
		out_flush();
	else if (out.niov >= SENDQ_IOV_MAX - 2 ||
	    OUT_BATCH_BYTES - out.used < need)
		(void)out_send();
	out.owner = c;
}

/* Add a piece: the start of a frame, or (cont) more of the last one. */
static void
out_add(const void *p, size_t len, int cont)
{
	out.iov[out.niov].iov_base = (void *)(uintptr_t)p;
	out.iov[out.niov].iov_len = len;
	out.cont[out.niov] = (uint8_t)cont;
	out.niov++;
}

/* Copy bytes into the batch (the caller claimed room). */
static void
out_copy(const void *p, size_t len, int cont)
{
	uint8_t *dst = out.buf + out.used;

	if (len > 0)
		memcpy(dst, p, len);
	out.used += len;
	out_add(dst, len, cont);
}

struct envelope_buf *
out_reply_begin(struct conn *c)
{
	out_claim(c, OUT_REPLY_ROOM);
	envelope_buf_init(&out.eb, (char *)out.buf + out.used,
	    OUT_BATCH_BYTES - out.used, WS_SERVER_HEADER_MAX);
	return &out.eb;
}

/* The header goes right before the JSON text, in the room kept for it. */
void
out_reply_commit(struct conn *c, struct envelope_buf *b)
{
	uint8_t hdr[WS_SERVER_HEADER_MAX];
	char *text = envelope_buf_text(b);
	size_t hlen = ws_frame_header(hdr, WS_OP_TEXT, 1, b->len);

	memcpy(text - hlen, hdr, hlen);
	out_add(text - hlen, hlen + b->len, 0);
	if (b->owned != NULL)
		out.owned[out.nowned++] = b->owned;
	else
		out.used += b->head + b->len;
	STATS_ADD(messages_out, 1);
	out_flush_if_idle(c);
}

/* A frame whose payload stays where it is (it outlives the flush). */
void
out_frame(struct conn *c, uint8_t opcode, const uint8_t *payload,
    size_t len)
{
	uint8_t hdr[WS_SERVER_HEADER_MAX];
	size_t hlen = ws_frame_header(hdr, opcode, 1, len);

	out_claim(c, hlen + (len <= OUT_REPLY_ROOM ? len : 0));
	out_copy(hdr, hlen, 0);
	if (len <= OUT_REPLY_ROOM)
		out_copy(payload, len, 1);
	else if (len > 0)
		out_add(payload, len, 1);
	out_flush_if_idle(c);
}

/* Bytes that are already a complete response (the HTTP upgrade). */
void
out_raw(struct conn *c, const char *bytes, size_t len)
{
	out_claim(c, len);
	out_copy(bytes, len, 0);
	out_flush_if_idle(c);
}

void
out_close_frame(struct conn *c, uint16_t code, const char *reason)
{
	uint8_t payload[WS_CONTROL_MAX];
	size_t len = ws_close_build(payload, code, reason, strlen(reason));

	out_frame(c, WS_OP_CLOSE, payload, len);
}

void
out_flush_if_idle(struct conn *c)
{
	if (conn_srv.processing != c)
		out_flush();
}

void
out_bound_close(struct conn *c, int at_frame_end)
{
	static const char reason[] = "server busy: output memory bound reached";
	static struct log_limit limit;
	uint8_t payload[WS_CONTROL_MAX];
	struct hl_buf *frame;
	uint64_t held_back;
	size_t len, hlen;
	int rc;

	STATS_LIMIT_ADD(output_bound_closes, 1);
	if (log_limit_ok(&limit, &held_back))
		log_notice("connection closed (1013): the send queues hold "
		    "%llu bytes, ws_worker_output_bytes is %llu; %llu more "
		    "like it held back",
		    (unsigned long long)sendq_worker_held(),
		    (unsigned long long)conn_srv.limits.worker_output_bytes,
		    (unsigned long long)held_back);
	if (c->state != CONN_OPEN || !at_frame_end) {
		conn_close(c);
		return;
	}
	len = ws_close_build(payload, WS_CLOSE_TRY_AGAIN, reason,
	    sizeof reason - 1);
	frame = hl_buf_new(WS_SERVER_HEADER_MAX + len);
	hlen = ws_frame_header(frame->data, WS_OP_CLOSE, 1, len);
	memcpy(frame->data + hlen, payload, len);
	rc = sendq_push_last(&c->q, frame, 0, (uint32_t)(hlen + len));
	hl_buf_unref(frame);
	if (rc != SENDQ_OK) {
		conn_close(c);
		return;
	}
	/* Keep reading (and ignoring) what the client sends until its close
	 * or the closing timer: closing a socket with unread input resets
	 * it, and the client would lose what is queued, the close included. */
	c->flags |= CONN_F_OUT_SHUT;
	conn_closing(c, 0);
	conn_set_events(c, EV_READ | EV_WRITE);
}

/* The batch's bytes from skip to end, in one new buffer. */
static struct hl_buf *
out_gather(size_t skip, size_t end)
{
	struct hl_buf *b = hl_buf_new(end - skip);
	size_t at = 0, off = 0, from, to;
	int i;

	for (i = 0; i < out.niov && off < end; i++) {
		const char *p = out.iov[i].iov_base;
		size_t len = out.iov[i].iov_len;

		from = HL_MAX(skip, off);
		to = HL_MIN(end, off + len);
		if (from < to) {
			memcpy(b->data + at, p + (from - off), to - from);
			at += to - from;
		}
		off += len;
	}
	return b;
}

/* Where the frame holding batch byte at ends (at itself when a frame
 * starts there): what must follow a partial write before anything else. */
static size_t
out_frame_end(size_t at)
{
	size_t off = 0;
	int i;

	for (i = 0; i < out.niov; i++) {
		if (off >= at && !out.cont[i])
			return off;
		off += out.iov[i].iov_len;
	}
	return off;
}

/* The socket took skip bytes of the batch: queue the rest of the frame it
 * stopped in from the worker's reserve, so a close can follow. Returns 0,
 * or -1 when the reserve cannot take it. */
static int
out_finish_frame(struct conn *c, size_t skip)
{
	size_t end = out_frame_end(skip);
	struct hl_buf *b;
	int rc;

	if (end <= skip)
		return 0;
	b = out_gather(skip, end);
	rc = sendq_push_last(&c->q, b, 0, b->size);
	hl_buf_unref(b);
	return rc == SENDQ_OK ? 0 : -1;
}

/* Queue what writev left (the iov from byte skip on) as one buffer: one
 * allocation and one slice however many pieces the batch had. Returns a
 * sendq_result. */
static int
out_queue_rest(struct conn *c, size_t skip)
{
	size_t limit = conn_srv.limits.send_queue_bytes, total = 0;
	struct hl_buf *b;
	int i, rc;

	for (i = 0; i < out.niov; i++)
		total += out.iov[i].iov_len;
	if (skip >= total)
		return SENDQ_OK;
	if ((rc = sendq_fits(&c->q, total - skip, limit)) != SENDQ_OK)
		return rc;
	b = out_gather(skip, total);
	rc = sendq_push(&c->q, b, 0, b->size, limit);
	hl_buf_unref(b);
	return rc;
}

/* One writev when nothing is queued ahead; else everything queues. */
static ssize_t
out_write(struct conn *c)
{
	ssize_t n;

	if (!sendq_empty(&c->q))
		return 0;
	do {
		n = writev(c->fd, out.iov, out.niov);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return 0;
	return n;
}

/* Write the batch and queue what the socket did not take. Returns 0 when
 * the owner is still there with its output sent or queued, -1 when there
 * was nothing to send or the owner was closed (write error, slow reader). */
static int
out_send(void)
{
	struct conn *c = out.owner;
	ssize_t n;
	int rc;

	if (c == NULL || out.niov == 0 || c->state == CONN_CLOSED) {
		out_reset();
		return -1;
	}
	if (c->flags & CONN_F_OUT_SHUT) {	/* its last frame is queued */
		out_reset();
		return 0;
	}
	if ((n = out_write(c)) == -1) {
		STATS_ADD(errors, 1);
		out_reset();
		conn_close(c);
		return -1;
	}
	STATS_ADD(bytes_out, (uint64_t)n);
	memprof_count_copy((size_t)n, SAMPLE_FN_WRITE);
	switch (out_queue_rest(c, (size_t)n)) {
	case SENDQ_FULL:
		STATS_ADD(slow_reader_closes, 1);
		out_reset();
		conn_close(c);
		return -1;
	case SENDQ_WORKER_FULL:
		rc = out_finish_frame(c, (size_t)n);
		out_reset();
		out_bound_close(c, rc == 0);
		return -1;
	default:
		break;
	}
	out_reset();
	if (!sendq_empty(&c->q))
		conn_set_events(c, c->flags & CONN_F_CLOSE_AFTER ? EV_WRITE :
		    EV_READ | EV_WRITE);
	return 0;
}

void
out_flush(void)
{
	struct conn *c = out.owner;

	if (out_send() == 0 && sendq_empty(&c->q) &&
	    (c->flags & CONN_F_CLOSE_AFTER))
		conn_close(c);
}

void
out_writable(struct conn *c)
{
	ssize_t n = sendq_flush(&c->q, c->fd);

	if (n == -1) {
		STATS_ADD(errors, 1);
		conn_close(c);
		return;
	}
	STATS_ADD(bytes_out, (uint64_t)n);
	memprof_count_copy((size_t)n, SAMPLE_FN_WRITE);
	if (!sendq_empty(&c->q))
		return;
	if (c->flags & CONN_F_CLOSE_AFTER)
		conn_close(c);
	else
		conn_set_events(c, EV_READ);
}

void
out_free(void)
{
	out_reset();
}
