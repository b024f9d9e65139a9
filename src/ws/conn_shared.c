/*
 * One shared, refcounted frame to one connection (broadcast fan-out): one
 * write when nothing is queued ahead, else a reference to the frame in the
 * connection's queue; never a copy of its bytes. What happens when the
 * queue is full is the caller's policy (drop or close).
 */
#include "autoconf.h"

#include <errno.h>
#include <unistd.h>

#include "core/buf.h"
#include "ws/conn_int.h"
#include "prof/memprof.h"
#include "prof/record.h"
#include "core/stats.h"

/* The queue of c cannot take frame f from byte f_off (why: a
 * sendq_result). Part of it on the wire (f_off > 0) cannot be taken back:
 * the connection must close. Over the worker's bound a close is a 1013
 * behind what is queued. */
static enum conn_shared
conn_shared_full(struct conn *c, struct hl_buf *f, uint32_t f_off, int why,
    int drop_when_full)
{
	int must_close = f_off > 0;

	if (drop_when_full && !must_close)
		return CONN_SHARED_SKIPPED;
	if (why == SENDQ_WORKER_FULL) {
		/* the rest of a frame on the wire first, if it fits */
		out_bound_close(c, !must_close || sendq_push_last(&c->q, f,
		    f_off, f->size - f_off) == SENDQ_OK);
		return CONN_SHARED_CLOSED;
	}
	STATS_ADD(slow_reader_closes, 1);
	conn_close(c);
	return CONN_SHARED_CLOSED;
}

enum conn_shared
conn_send_shared(struct conn *c, struct hl_buf *b, int drop_when_full)
{
	size_t limit = conn_srv.limits.send_queue_bytes;
	ssize_t n;
	int rc;

	if (!conn_is_app(c))
		return CONN_SHARED_NOT_OPEN;
	if (!sendq_empty(&c->q)) {
		if ((rc = sendq_push(&c->q, b, 0, b->size, limit)) != SENDQ_OK)
			return conn_shared_full(c, b, 0, rc, drop_when_full);
		return CONN_SHARED_SENT;
	}
	do {
		n = write(c->fd, b->data, b->size);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno != EAGAIN) {
		STATS_ADD(errors, 1);
		conn_close(c);
		return CONN_SHARED_FAILED;
	}
	n = n < 0 ? 0 : n;
	STATS_ADD(bytes_out, (uint64_t)n);
	memprof_count_copy((size_t)n, SAMPLE_FN_WRITE);
	if ((size_t)n == b->size)
		return CONN_SHARED_SENT;
	/* Half a frame on the wire cannot be taken back: over the limit
	 * now, the connection must close whatever the policy. */
	if ((rc = sendq_push(&c->q, b, (uint32_t)n, b->size - (uint32_t)n,
	    limit)) != SENDQ_OK)
		return conn_shared_full(c, b, (uint32_t)n, rc, drop_when_full);
	conn_set_events(c, EV_READ | EV_WRITE);
	return CONN_SHARED_SENT;
}
