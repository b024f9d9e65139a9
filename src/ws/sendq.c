/* The per-connection send queue. */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/uio.h>

#include "ws/sendq.h"
#include "core/stats.h"
#include "core/util.h"

#define SENDQ_FIRST_CAP	4

/* Every queue of this process: what they hold, as charged, and the bound. */
static struct {
	uint64_t	held;
	uint64_t	max;
} sendq_sum = { 0, UINT64_MAX / 2 };	/* no bound, and room for 1/16 */

void
sendq_worker_bound(uint64_t max)
{
	sendq_sum.max = max;
}

uint64_t
sendq_worker_held(void)
{
	return sendq_sum.held;
}

/* The worker's sum gains (or loses) bytes; the gauge follows. */
static void
sendq_charge(uint64_t add, uint64_t sub)
{
	sendq_sum.held = sendq_sum.held + add - sub;
	STATS_LIMIT_SET(output_held, sendq_sum.held);
}

int
sendq_fits(const struct sendq *q, size_t len, size_t max_bytes)
{
	if ((size_t)q->bytes + len > max_bytes || len > UINT32_MAX ||
	    q->count >= SENDQ_MAX_SLICES)
		return SENDQ_FULL;
	if (sendq_sum.held + len + SENDQ_SLICE_COST > sendq_sum.max)
		return SENDQ_WORKER_FULL;
	return SENDQ_OK;
}

/* Make room for one more slice, doubling the ring (kept in order). */
static int
sendq_grow(struct sendq *q)
{
	struct sendq_slice *ring;
	uint16_t cap, i;

	if (q->count < q->cap)
		return 0;
	if (q->cap >= SENDQ_MAX_SLICES)
		return -1;
	cap = q->cap == 0 ? SENDQ_FIRST_CAP : (uint16_t)(q->cap * 2);
	ring = xmalloc(sizeof *ring * cap);
	for (i = 0; i < q->count; i++)
		ring[i] = q->ring[(q->head + i) % q->cap];
	free(q->ring);
	q->ring = ring;
	q->cap = cap;
	q->head = 0;
	return 0;
}

/* Queue a slice whose bounds were checked (or are waived). */
static void
sendq_add(struct sendq *q, struct hl_buf *buf, uint32_t off, uint32_t len)
{
	struct sendq_slice *s = &q->ring[(q->head + q->count) % q->cap];

	s->buf = hl_buf_ref(buf);
	s->off = off;
	s->len = len;
	q->count++;
	q->bytes += len;
	sendq_charge((uint64_t)len + SENDQ_SLICE_COST, 0);
}

int
sendq_push(struct sendq *q, struct hl_buf *buf, uint32_t off, uint32_t len,
    size_t max_bytes)
{
	int rc = sendq_fits(q, len, max_bytes);

	if (rc != SENDQ_OK)
		return rc;
	if (sendq_grow(q) == -1)
		return SENDQ_FULL;
	sendq_add(q, buf, off, len);
	return SENDQ_OK;
}

int
sendq_push_copy(struct sendq *q, const void *data, size_t len,
    size_t max_bytes)
{
	struct hl_buf *b;
	int rc = sendq_fits(q, len, max_bytes);

	if (rc != SENDQ_OK)
		return rc;
	b = hl_buf_new(len);
	memcpy(b->data, data, len);
	rc = sendq_push(q, b, 0, (uint32_t)len, max_bytes);
	hl_buf_unref(b);
	return rc;
}

int
sendq_push_last(struct sendq *q, struct hl_buf *buf, uint32_t off,
    uint32_t len)
{
	uint64_t reserve = sendq_sum.max / 16;

	if (sendq_sum.held + len + SENDQ_SLICE_COST >
	    sendq_sum.max + reserve || sendq_grow(q) == -1)
		return SENDQ_WORKER_FULL;
	sendq_add(q, buf, off, len);
	return SENDQ_OK;
}

/* Release what writev took: whole slices, then part of the next. */
static void
sendq_consume(struct sendq *q, size_t n)
{
	while (n > 0) {
		struct sendq_slice *s = &q->ring[q->head];

		if (n < s->len) {
			s->off += (uint32_t)n;
			s->len -= (uint32_t)n;
			q->bytes -= (uint32_t)n;
			sendq_charge(0, n);
			return;
		}
		n -= s->len;
		q->bytes -= s->len;
		sendq_charge(0, (uint64_t)s->len + SENDQ_SLICE_COST);
		hl_buf_unref(s->buf);
		q->head = (uint16_t)((q->head + 1) % q->cap);
		q->count--;
	}
	if (q->count == 0)
		sendq_clear(q);
}

ssize_t
sendq_flush(struct sendq *q, int fd)
{
	struct iovec iov[SENDQ_IOV_MAX];
	ssize_t n, total = 0;
	int i, niov;

	while (q->count > 0) {
		niov = HL_MIN(q->count, SENDQ_IOV_MAX);
		for (i = 0; i < niov; i++) {
			struct sendq_slice *s =
			    &q->ring[(q->head + i) % q->cap];
			iov[i].iov_base = s->buf->data + s->off;
			iov[i].iov_len = s->len;
		}
		n = writev(fd, iov, niov);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno == EAGAIN ? total : -1;
		sendq_consume(q, (size_t)n);
		total += n;
	}
	return total;
}

void
sendq_clear(struct sendq *q)
{
	sendq_charge(0, q->bytes + (uint64_t)q->count * SENDQ_SLICE_COST);
	while (q->count > 0) {
		hl_buf_unref(q->ring[q->head].buf);
		q->head = (uint16_t)((q->head + 1) % q->cap);
		q->count--;
	}
	free(q->ring);
	memset(q, 0, sizeof *q);
}
