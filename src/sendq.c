/* The per-connection send queue. */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/uio.h>

#include "sendq.h"
#include "util.h"

#define SENDQ_FIRST_CAP	4

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

int
sendq_push(struct sendq *q, struct hl_buf *buf, uint32_t off, uint32_t len,
    size_t max_bytes)
{
	struct sendq_slice *s;

	if ((size_t)q->bytes + len > max_bytes || sendq_grow(q) == -1)
		return -1;
	s = &q->ring[(q->head + q->count) % q->cap];
	s->buf = hl_buf_ref(buf);
	s->off = off;
	s->len = len;
	q->count++;
	q->bytes += len;
	return 0;
}

int
sendq_push_copy(struct sendq *q, const void *data, size_t len,
    size_t max_bytes)
{
	struct hl_buf *b;
	int rc;

	if ((size_t)q->bytes + len > max_bytes || len > UINT32_MAX)
		return -1;
	b = hl_buf_new(len);
	memcpy(b->data, data, len);
	rc = sendq_push(q, b, 0, (uint32_t)len, max_bytes);
	hl_buf_unref(b);
	return rc;
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
			return;
		}
		n -= s->len;
		q->bytes -= s->len;
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
	while (q->count > 0) {
		hl_buf_unref(q->ring[q->head].buf);
		q->head = (uint16_t)((q->head + 1) % q->cap);
		q->count--;
	}
	free(q->ring);
	memset(q, 0, sizeof *q);
}
