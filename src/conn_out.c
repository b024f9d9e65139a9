/*
 * The way out. Everything one connection sends while one read event is
 * handled (replies, pongs, close frames, echoes) is gathered in a
 * per-worker batch and written with one writev when the event ends. What
 * the socket does not take goes to the connection's send queue, bounded by
 * send_queue_bytes: a reader that falls further behind is closed (a reply
 * cannot be dropped without corrupting the stream) and counted.
 */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conn_int.h"
#include "memprof.h"
#include "sample.h"
#include "stats.h"
#include "util.h"

#define OUT_BATCH_BYTES	(256 * 1024)
#define OUT_REPLY_ROOM	1024	/* start a new batch below this */

static struct {
	struct conn		*owner;
	size_t			 used;
	int			 niov;
	int			 nowned;
	struct iovec		 iov[SENDQ_IOV_MAX];
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

static void
out_add(const void *p, size_t len)
{
	out.iov[out.niov].iov_base = (void *)(uintptr_t)p;
	out.iov[out.niov].iov_len = len;
	out.niov++;
}

/* Copy bytes into the batch (the caller claimed room). */
static void
out_copy(const void *p, size_t len)
{
	uint8_t *dst = out.buf + out.used;

	if (len > 0)
		memcpy(dst, p, len);
	out.used += len;
	out_add(dst, len);
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
	out_add(text - hlen, hlen + b->len);
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
	out_copy(hdr, hlen);
	if (len <= OUT_REPLY_ROOM)
		out_copy(payload, len);
	else if (len > 0)
		out_add(payload, len);
	out_flush_if_idle(c);
}

/* Bytes that are already a complete response (the HTTP upgrade). */
void
out_raw(struct conn *c, const char *bytes, size_t len)
{
	out_claim(c, len);
	out_copy(bytes, len);
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

/* Queue what writev left (the iov from byte skip on) as one buffer: one
 * allocation and one slice however many pieces the batch had. */
static int
out_queue_rest(struct conn *c, size_t skip)
{
	size_t limit = conn_srv.limits.send_queue_bytes, total = 0, at = 0;
	struct hl_buf *b;
	int i, rc;

	for (i = 0; i < out.niov; i++)
		total += out.iov[i].iov_len;
	if (skip >= total)
		return 0;
	if ((size_t)c->q.bytes + (total - skip) > limit)
		return -1;
	b = hl_buf_new(total - skip);
	for (i = 0; i < out.niov; i++) {
		const char *p = out.iov[i].iov_base;
		size_t len = out.iov[i].iov_len;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		memcpy(b->data + at, p + skip, len - skip);
		at += len - skip;
		skip = 0;
	}
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

	if (c == NULL || out.niov == 0 || c->state == CONN_CLOSED) {
		out_reset();
		return -1;
	}
	if ((n = out_write(c)) == -1) {
		STATS_ADD(errors, 1);
		out_reset();
		conn_close(c);
		return -1;
	}
	STATS_ADD(bytes_out, (uint64_t)n);
	memprof_count_copy((size_t)n, SAMPLE_FN_WRITE);
	if (out_queue_rest(c, (size_t)n) == -1) {
		STATS_ADD(slow_reader_closes, 1);
		out_reset();
		conn_close(c);
		return -1;
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
