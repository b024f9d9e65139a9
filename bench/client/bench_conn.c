/*
 * hotline-bench: one client connection on a libevent base: non-blocking
 * connect, the HTTP upgrade, then wslay's client context for everything the
 * server sends, and a ring of pre-built frames written with writev.
 *
 * wslay is created lazily on the first bytes after the upgrade (idle
 * connections that never hear from the server cost no 8.7 KiB context) and
 * runs with no_buffering: data frames reach us through the frame chunk
 * callbacks without a malloc; control frames are still buffered by wslay,
 * which answers pings and close frames (bench_ws.c). Our own frames
 * and wslay's never interleave mid-frame: wslay sends only when our ring is
 * at a frame boundary, and we write only when wslay has nothing pending.
 */
#include "autoconf.h"

#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "bench_ws.h"

#define HS_BUF 2048

/* Close code 1000 with a fixed mask: the only frame we send to say bye. */
static const uint8_t close_frame[] = { 0x88, 0x82, 0x5a, 0x3c, 0x96, 0x0f,
	0x03 ^ 0x5a, 0xe8 ^ 0x3c };

static int printed[ERR__COUNT];

/* Count an error of kind and print its first occurrence in the process. */
void
bench_error(struct bench_thread *t, enum bench_err kind, const char *fmt, ...)
{
	va_list ap;

	STAT_ADD(t->st.errors, 1);
	STAT_ADD(t->st.err_kind[kind], 1);
	if (__atomic_exchange_n(&printed[kind], 1, __ATOMIC_RELAXED))
		return;
	fprintf(stderr, "hotline-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (further errors of this kind are only counted)\n");
}

/* Arm or disarm the write event to match what is pending. */
static void
conn_want_write(struct bench_conn *c, int on)
{
	if (on)
		event_add(c->wev, NULL);
	else
		event_del(c->wev);
}

/* End of run: a best-effort close frame, unless one of ours is half sent. */
void
bench_conn_hangup(struct bench_conn *c)
{
	if (c->state == CONN_OPEN && c->out.off == 0 &&
	    (c->in == NULL || !wslay_event_want_write(c->in->ctx)))
		(void)!send(c->fd, close_frame, sizeof close_frame,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
	bench_conn_close(c);
}

/* Release everything but the slot itself; the state becomes FREE. */
void
bench_conn_close(struct bench_conn *c)
{
	if (c->state == CONN_FREE)
		return;
	if (c->state == CONN_OPEN || c->state == CONN_CLOSING)
		STAT_ADD(c->t->st.opened, -1);
	if (c->rev != NULL)
		event_free(c->rev);
	if (c->wev != NULL)
		event_free(c->wev);
	c->rev = c->wev = NULL;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	if (c->in != NULL) {
		if (c->in->ctx != NULL)
			wslay_event_context_free(c->in->ctx);
		free(c->in);
		c->in = NULL;
	}
	free(c->hs);
	c->hs = NULL;
	c->out.head = c->out.count = 0;
	c->out.off = 0;
	c->state = CONN_FREE;
}

/* The connection failed: count it, close it, tell the thread or the mode. */
static void
conn_fail(struct bench_conn *c, enum bench_err kind, const char *cause)
{
	struct bench_thread *t = c->t;
	enum bench_conn_state was = c->state;

	if (__atomic_load_n(&t->run->stop, __ATOMIC_RELAXED)) {
		bench_conn_close(c);
		return;
	}
	if (was == CONN_CONNECTING || was == CONN_HANDSHAKE) {
		STAT_ADD(t->st.hs_failures, 1);
		bench_error(t, kind, "handshake failed: %s", cause);
		bench_conn_close(c);
		bench_thread_open_failed(c);
		return;
	}
	if (was != CONN_CLOSING || kind != ERR_CLOSED)
		bench_error(t, kind, "connection %u: %s", c->idx, cause);
	bench_conn_close(c);
	if (t->run->mode->on_closed != NULL)
		t->run->mode->on_closed(c);
}

/* Append a frame the caller keeps alive until it is written. */
void
bench_conn_send(struct bench_conn *c, const void *frame, size_t len)
{
	struct bench_outq *q = &c->out;

	if (q->count == q->cap) /* callers size their use to cap */
		abort();
	q->iov[(q->head + q->count) % q->cap] =
	    (struct iovec){ (void *)(uintptr_t)frame, len };
	q->count++;
}

/* writev as much of the ring as the socket takes; -1 on a real error. */
static int
outq_write(struct bench_conn *c)
{
	struct bench_outq *q = &c->out;
	struct iovec iov[64];
	unsigned i, n = q->count < 64 ? q->count : 64;
	ssize_t w;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		iov[i] = q->iov[(q->head + i) % q->cap];
	iov[0].iov_base = (char *)iov[0].iov_base + q->off;
	iov[0].iov_len -= q->off;
	w = writev(c->fd, iov, (int)n);
	if (w < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	STAT_ADD(c->t->st.bytes_out, (uint64_t)w);
	for (i = 0; i < n && (size_t)w >= iov[i].iov_len; i++) {
		w -= (ssize_t)iov[i].iov_len;
		q->head = (q->head + 1) % q->cap;
		q->count--;
		q->off = 0;
	}
	q->off += (size_t)w;
	return 0;
}

/* Write wslay's pending control frames, then ours; arm EV_WRITE if needed. */
void
bench_conn_flush(struct bench_conn *c)
{
	wslay_event_context_ptr ctx = c->in ? c->in->ctx : NULL;

	if (c->state != CONN_OPEN && c->state != CONN_CLOSING)
		return;
	if (ctx != NULL && c->out.off == 0 && wslay_event_want_write(ctx)) {
		if (wslay_event_send(ctx) != 0) {
			conn_fail(c, ERR_IO, strerror(errno));
			return;
		}
		if (wslay_event_want_write(ctx)) {
			conn_want_write(c, 1);
			return;
		}
	}
	if (outq_write(c) < 0) {
		conn_fail(c, ERR_IO, strerror(errno));
		return;
	}
	conn_want_write(c, c->out.count > 0);
}

/* Say goodbye with a close frame and wait for the server's EOF. */
void
bench_conn_start_close(struct bench_conn *c)
{
	bench_conn_send(c, close_frame, sizeof close_frame);
	c->state = CONN_CLOSING;
	c->t_start = bench_now();
	bench_conn_flush(c);
}

/* Let wslay parse whatever is readable, then answer what it queued. */
static void
conn_recv(struct bench_conn *c)
{
	c->drained = 0;
	if (c->in == NULL && bench_ws_init(c, NULL, 0) < 0) {
		conn_fail(c, ERR_IO, "out of memory");
		return;
	}
	if (wslay_event_recv(c->in->ctx) != 0) {
		conn_fail(c, c->in->eof ? ERR_CLOSED : ERR_PROTOCOL,
		    c->in->eof ? "closed by the server"
			       : "invalid frames from the server");
		return;
	}
	if (c->state != CONN_OPEN)
		return; /* the mode closed it while handling a message */
	if (wslay_event_get_close_received(c->in->ctx)) {
		bench_conn_flush(c); /* wslay's close reply */
		conn_fail(c, ERR_CLOSED, "the server sent a close frame");
		return;
	}
	/* Frames the mode queued while handling messages go in one writev. */
	if (c->out.count > 0 || wslay_event_want_write(c->in->ctx))
		bench_conn_flush(c);
}

/* In CLOSING, discard input until the server's EOF. */
static void
conn_drain_close(struct bench_conn *c)
{
	char buf[4096];
	ssize_t r;

	while ((r = read(c->fd, buf, sizeof buf)) > 0)
		STAT_ADD(c->t->st.bytes_in, (uint64_t)r);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	bench_conn_close(c);
	if (c->t->run->mode->on_closed != NULL)
		c->t->run->mode->on_closed(c);
}

/* Read the upgrade response; open the connection when it is complete. */
static void
conn_read_handshake(struct bench_conn *c)
{
	const char *cause, *eoh;
	ssize_t r;
	size_t head;

	r = read(c->fd, c->hs + c->hs_len, HS_BUF - 1 - c->hs_len);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		conn_fail(c, ERR_IO,
		    r == 0 ? "closed before the upgrade" : strerror(errno));
		return;
	}
	STAT_ADD(c->t->st.bytes_in, (uint64_t)r);
	c->hs_len += (size_t)r;
	c->hs[c->hs_len] = '\0';
	eoh = strstr(c->hs, "\r\n\r\n");
	if (eoh == NULL) {
		if (c->hs_len == HS_BUF - 1)
			conn_fail(c, ERR_PROTOCOL, "response head too large");
		return;
	}
	head = (size_t)(eoh + 4 - c->hs);
	if (bench_hs_response(c->hs, head, c->accept, &cause) < 0) {
		conn_fail(c, ERR_PROTOCOL, cause);
		return;
	}
	c->state = CONN_OPEN;
	STAT_ADD(c->t->st.opened, 1);
	if (head == c->hs_len) {
		free(c->hs); /* nothing left over: do not hold 2 KiB idle */
		c->hs = NULL;
	} else if (bench_ws_init(c, c->hs + head, c->hs_len - head) < 0) {
		conn_fail(c, ERR_IO, "out of memory");
		return;
	}
	bench_thread_opened(c);
	if (c->state == CONN_OPEN && c->in != NULL)
		conn_recv(c);
}

static void
conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench_conn *c = arg;

	switch (c->state) {
	case CONN_HANDSHAKE: conn_read_handshake(c); break;
	case CONN_OPEN: conn_recv(c); break;
	case CONN_CLOSING: conn_drain_close(c); break;
	default: break;
	}
}

/* Connected: send the upgrade request (it fits the socket buffer). */
static void
conn_connected(struct bench_conn *c)
{
	int err = 0;
	socklen_t len = sizeof err;
	ssize_t w;

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err != 0) {
		conn_fail(c, ERR_IO, strerror(err));
		return;
	}
	w = send(c->fd, c->hs, c->hs_len, MSG_NOSIGNAL);
	if (w != (ssize_t)c->hs_len) {
		conn_fail(c, ERR_IO, w < 0 ? strerror(errno) : "short write");
		return;
	}
	STAT_ADD(c->t->st.bytes_out, (uint64_t)w);
	c->hs_len = 0;
	c->state = CONN_HANDSHAKE;
	event_del(c->wev);
	event_add(c->rev, NULL);
}

static void
conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench_conn *c = arg;

	if (c->state == CONN_CONNECTING)
		conn_connected(c);
	else
		bench_conn_flush(c);
}

/* Start a non-blocking connect and prepare the upgrade; -1 on failure. */
int
bench_conn_open(struct bench_conn *c)
{
	const struct bench_opts *o = c->t->run->o;
	char key[25];
	int one = 1, n;

	c->t_start = bench_now();
	c->fd = socket(
	    o->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	c->state = CONN_CONNECTING;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->hs = malloc(HS_BUF);
	c->rev =
	    event_new(c->t->base, c->fd, EV_READ | EV_PERSIST, conn_read_cb, c);
	c->wev = event_new(
	    c->t->base, c->fd, EV_WRITE | EV_PERSIST, conn_write_cb, c);
	if (c->hs == NULL || c->rev == NULL || c->wev == NULL ||
	    bench_hs_key(key, c->accept) < 0)
		goto fail;
	n = bench_hs_request(c->hs, HS_BUF, o, key);
	if (n < 0)
		goto fail;
	c->hs_len = (size_t)n;
	if (connect(c->fd, (const struct sockaddr *)&o->addr, o->addrlen) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	event_add(c->wev, NULL);
	return 0;
fail:
	n = errno;
	bench_conn_close(c);
	errno = n;
	return -1;
}

/* Time out handshakes and closes that take longer than --timeout. */
void
bench_conn_sweep(struct bench_thread *t, uint64_t now)
{
	uint64_t limit = (uint64_t)(t->run->o->timeout * 1e9);
	unsigned i;

	for (i = 0; i < t->nconns; i++) {
		struct bench_conn *c = &t->conns[i];

		if ((c->state == CONN_CONNECTING ||
			c->state == CONN_HANDSHAKE ||
			c->state == CONN_CLOSING) &&
		    now - c->t_start > limit)
			conn_fail(c, ERR_TIMEOUT,
			    c->state == CONN_CLOSING
				? "no close from the server in time"
				: "no upgrade response in time");
	}
}
