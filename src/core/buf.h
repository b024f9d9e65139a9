/*
 * Refcounted byte buffers. A frame built once (a broadcast, say) is queued on
 * many connections by reference: each queue holds one reference and the
 * buffer is freed when the last one lets go. Single-threaded (one worker
 * loop), so the count is a plain integer.
 */
#ifndef HL_BUF_H
#define HL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/util.h"

struct hl_buf {
	uint32_t	refs;
	uint32_t	size;		/* bytes in data */
	uint8_t		data[];
};

/* A buffer of size bytes with one reference, owned by the caller. Limits
 * are the caller's to check first; this dies only on OOM. */
static inline struct hl_buf *
hl_buf_new(size_t size)
{
	struct hl_buf *b = xmalloc(sizeof *b + size);

	b->refs = 1;
	b->size = (uint32_t)size;
	return b;
}

/* Take another reference; returns b. */
static inline struct hl_buf *
hl_buf_ref(struct hl_buf *b)
{
	b->refs++;
	return b;
}

/* Drop a reference; frees the buffer with the last one. */
static inline void
hl_buf_unref(struct hl_buf *b)
{
	if (--b->refs == 0)
		free(b);
}

#endif
