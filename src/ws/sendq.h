/*
 * A connection's send queue: slices of refcounted buffers, written with
 * writev(2). Empty, it is 24 bytes and owns no memory; the slice ring is
 * allocated when the first slice is queued and freed when the queue drains,
 * so idle connections cost nothing. The queued byte count is bounded by the
 * caller's limit: a push over it fails and the caller applies its policy
 * (close the slow reader, or drop the message), counted either way.
 *
 * Every queue of the process (one worker) is also charged to one sum,
 * bounded by sendq_worker_bound(): a slice costs its bytes plus
 * SENDQ_SLICE_COST (the buffer's header, the allocator's chunk overhead
 * and the ring entry). A buffer queued on many connections (a broadcast
 * frame) is charged once per queue: the sum is what the queues would cost
 * if every frame were distinct, an upper bound of what they hold.
 */
#ifndef HL_SENDQ_H
#define HL_SENDQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"

#define SENDQ_IOV_MAX	64	/* slices per writev */
#define SENDQ_MAX_SLICES 4096	/* a hard bound besides the byte limit */
#define SENDQ_SLICE_COST 48	/* charged to the worker's sum per slice */

/* What a push returns. */
enum sendq_result {
	SENDQ_OK = 0,
	SENDQ_FULL = -1,	/* this queue's max_bytes or SENDQ_MAX_SLICES */
	SENDQ_WORKER_FULL = -2,	/* the worker's sum would pass its bound */
};

struct sendq_slice {
	struct hl_buf	*buf;
	uint32_t	 off;
	uint32_t	 len;
};

struct sendq {
	struct sendq_slice	*ring;	/* NULL while empty */
	uint32_t		 bytes;	/* queued, not yet written */
	uint16_t		 cap;
	uint16_t		 head;
	uint16_t		 count;
};

/* Queue len bytes of buf from off, taking a new reference to buf (the
 * caller keeps its own). Returns SENDQ_OK, or (nothing queued) SENDQ_FULL
 * when the queue would exceed max_bytes or SENDQ_MAX_SLICES, or
 * SENDQ_WORKER_FULL when the worker's sum would pass its bound. */
int	 sendq_push(struct sendq *q, struct hl_buf *buf, uint32_t off,
	    uint32_t len, size_t max_bytes);
/* Copy len bytes into a new buffer and queue them (for the unwritten rest
 * of a reply built in a scratch buffer). Same limits and result, checked
 * before the copy is allocated. */
int	 sendq_push_copy(struct sendq *q, const void *data, size_t len,
	    size_t max_bytes);
/* Queue a slice past this queue's bound and into the worker's reserve (a
 * sixteenth of the worker's bound, over it), taking a reference: the rest
 * of a frame begun on the wire and the close frame that follows, the last
 * things a connection closed for the worker's bound is sent. Returns
 * SENDQ_OK, or SENDQ_WORKER_FULL when the reserve is used up (or the queue
 * has SENDQ_MAX_SLICES): the caller then closes the socket at once. */
int	 sendq_push_last(struct sendq *q, struct hl_buf *buf, uint32_t off,
	    uint32_t len);
/* Whether len more bytes in one slice fit q and the worker's sum. */
int	 sendq_fits(const struct sendq *q, size_t len, size_t max_bytes);
/* Bound the sum of every queue of this process (UINT64_MAX: none). */
void	 sendq_worker_bound(uint64_t max);
/* What every queue of this process holds, as charged. */
uint64_t sendq_worker_held(void);
/* Write as much as the socket takes. Returns the bytes written (0 when the
 * socket would block or the queue is empty), or -1 with errno on an error. */
ssize_t	 sendq_flush(struct sendq *q, int fd);
/* Drop everything queued and free the ring. */
void	 sendq_clear(struct sendq *q);

static inline int
sendq_empty(const struct sendq *q)
{
	return q->count == 0;
}

#endif
