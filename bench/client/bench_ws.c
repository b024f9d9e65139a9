/*
 * hotline-bench: wslay's client event API under a connection. wslay runs
 * with no_buffering: data frames come through the frame chunk callbacks
 * without a malloc (a message in one chunk is handed to the mode in place,
 * a longer one as its first BENCH_HEAD bytes); control frames are still
 * buffered by wslay, which answers pings and close frames through
 * ws_send_cb.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "bench_ws.h"

/* wslay reads from the handshake leftovers, then from the socket. */
static ssize_t
ws_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
    void *user)
{
	struct bench_wsin *in = user;
	struct bench_conn *c = in->c;
	ssize_t r;

	if (in->left_len > 0) {
		r = (ssize_t)(len < in->left_len ? len : in->left_len);
		memcpy(buf, in->left, (size_t)r);
		in->left += r;
		in->left_len -= (size_t)r;
		return r;
	}
	/* A short read emptied the socket: skip the read that would EAGAIN. */
	if (c->drained) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	r = read(c->fd, buf, len);
	if (r > 0) {
		c->drained = (size_t)r < len;
		STAT_ADD(c->t->st.bytes_in, (uint64_t)r);
		return r;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
	else {
		in->eof = 1;
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	}
	return -1;
}

/* wslay's own frames (pong, close reply) go straight to the socket. */
static ssize_t
ws_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *user)
{
	struct bench_wsin *in = user;
	ssize_t w = send(in->c->fd, data, len, MSG_NOSIGNAL);

	if (w >= 0) {
		STAT_ADD(in->c->t->st.bytes_out, (uint64_t)w);
		return w;
	}
	wslay_event_set_error(ctx,
	    errno == EAGAIN ? WSLAY_ERR_WOULDBLOCK
			    : WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static int
ws_genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user)
{
	bench_random(buf, len);
	return 0;
}

/* Hand a complete message (or its head) to the mode. */
static void
ws_deliver(struct bench_wsin *in, const uint8_t *data, size_t len)
{
	struct bench_msg m = { in->msg_opcode, data, len, in->msg_total,
		bench_now() };

	in->delivered = 1;
	in->c->t->run->mode->on_message(in->c, &m);
}

static void
ws_frame_start_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_start_arg *arg, void *user)
{
	struct bench_wsin *in = user;

	in->frame_opcode = arg->opcode;
	if (arg->opcode & 8) /* control frames reach ws_msg_cb */
		return;
	if (arg->opcode != WSLAY_CONTINUATION_FRAME) {
		in->msg_opcode = arg->opcode;
		in->msg_total = in->head_len = 0;
		in->delivered = 0;
	}
	in->frame_len = arg->payload_length;
	in->frame_fin = arg->fin;
	in->frame_first = 1;
}

/* A message in one frame and one chunk is delivered without a copy. */
static void
ws_frame_chunk_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_chunk_arg *arg, void *user)
{
	struct bench_wsin *in = user;
	size_t n;

	if (in->frame_opcode & 8)
		return;
	in->msg_total += arg->data_length;
	if (in->frame_first && in->frame_fin &&
	    in->msg_total == in->frame_len &&
	    in->frame_opcode != WSLAY_CONTINUATION_FRAME) {
		ws_deliver(in, arg->data, arg->data_length);
		return;
	}
	in->frame_first = 0;
	n = BENCH_HEAD - in->head_len;
	if (n > arg->data_length)
		n = arg->data_length;
	memcpy(in->head + in->head_len, arg->data, n);
	in->head_len += n;
}

static void
ws_frame_end_cb(wslay_event_context_ptr ctx, void *user)
{
	struct bench_wsin *in = user;

	if ((in->frame_opcode & 8) || !in->frame_fin || in->delivered)
		return;
	ws_deliver(in, in->head, in->head_len);
}

/* Only control frames arrive here (no_buffering); wslay answers pings and
 * close frames itself, and conn_recv() notices a close. */
static void
ws_msg_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
}

/* Create the wslay client context for c, seeded with leftover bytes. */
int
bench_ws_init(struct bench_conn *c, const char *left, size_t left_len)
{
	static const struct wslay_event_callbacks cb = { ws_recv_cb, ws_send_cb,
		ws_genmask_cb, ws_frame_start_cb, ws_frame_chunk_cb,
		ws_frame_end_cb, ws_msg_cb };
	struct bench_wsin *in = calloc(1, sizeof *in);

	if (in == NULL)
		return -1;
	in->c = c;
	in->left = left;
	in->left_len = left_len;
	if (wslay_event_context_client_init(&in->ctx, &cb, in) != 0) {
		free(in);
		return -1;
	}
	wslay_event_config_set_no_buffering(in->ctx, 1);
	c->in = in;
	return 0;
}
