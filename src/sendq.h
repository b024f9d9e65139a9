/*
 * A connection's send queue: slices of refcounted buffers, written with
 * writev(2). Empty, it is 24 bytes and owns no memory; the slice ring is
 * allocated when the first slice is queued and freed when the queue drains,
 * so idle connections cost nothing. The queued byte count is bounded by the
 * caller's limit: a push over it fails and the caller applies its policy
 * (close the slow reader, or drop the message), counted either way.
 */
#ifndef HL_SENDQ_H
#define HL_SENDQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

#define SENDQ_IOV_MAX	64	/* slices per writev */
#define SENDQ_MAX_SLICES 4096	/* a hard bound besides the byte limit */

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
 * caller keeps its own). Returns 0, or -1 when the queue would exceed
 * max_bytes or SENDQ_MAX_SLICES (nothing is queued then). */
int	 sendq_push(struct sendq *q, struct hl_buf *buf, uint32_t off,
	    uint32_t len, size_t max_bytes);
/* Copy len bytes into a new buffer and queue them (for the unwritten rest
 * of a reply built in a scratch buffer). Same limits and result. */
int	 sendq_push_copy(struct sendq *q, const void *data, size_t len,
	    size_t max_bytes);
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
