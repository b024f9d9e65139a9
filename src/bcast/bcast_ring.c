/*
 * The broadcast outbox ring (see bcast_ring.h for the contract).
 *
 * Memory ordering, the seqlock way: before the producer overwrites bytes
 * it moves the tail past every record it is about to destroy, and a
 * release fence keeps that store ahead of the overwriting stores. A reader
 * copies a record, then (after an acquire fence) loads the tail again: if
 * the tail has moved past the record, the copy may be torn and is thrown
 * away. The copied bytes are plain loads racing with plain stores, as in
 * every seqlock; the tail check is what makes the result trustworthy.
 */
#include "autoconf.h"

#include <string.h>

#include "bcast/bcast_ring.h"

#define REC_MSG		0x4d534731u	/* "1GSM" */
#define REC_PAD		0x44415031u	/* "1PAD" */
#define REC_HDR		16

struct rec_hdr {
	uint32_t	len;
	uint32_t	kind;
	uint64_t	seq;
};

_Static_assert(sizeof(struct bcast_ring) == BCAST_RING_HDR, "ring header");
_Static_assert(sizeof(struct rec_hdr) == REC_HDR, "record header");

static uint64_t
rec_size(uint64_t len)
{
	return REC_HDR + ((len + BCAST_RING_ALIGN - 1) &
	    ~(uint64_t)(BCAST_RING_ALIGN - 1));
}

size_t
bcast_ring_size(size_t cap)
{
	return BCAST_RING_HDR + cap;
}

void
bcast_ring_init(struct bcast_ring *r, size_t cap)
{
	memset(r, 0, sizeof *r);
	r->cap = cap;
}

size_t
bcast_ring_max_record(const struct bcast_ring *r)
{
	return (size_t)(r->cap / 4 - REC_HDR);
}

/* Bytes the record at pos occupies; 0 if its header makes no sense. Only
 * the producer calls this, on records it published itself. */
static uint64_t
ring_span(const struct bcast_ring *r, uint64_t pos)
{
	uint64_t off = pos & (r->cap - 1);
	struct rec_hdr h;

	memcpy(&h, r->data + off, sizeof h);
	if (h.kind == REC_PAD)
		return r->cap - off;
	if (h.kind != REC_MSG || rec_size(h.len) > r->cap - off)
		return 0;
	return rec_size(h.len);
}

/* Move the tail past everything [end - cap, end) will overwrite. */
static void
ring_make_room(struct bcast_ring *r, uint64_t head, uint64_t end)
{
	uint64_t tail = r->tail, span;

	while (end - tail > r->cap) {
		if ((span = ring_span(r, tail)) == 0) {
			tail = head;	/* cannot happen; start afresh */
			break;
		}
		tail += span;
	}
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELAXED);
	/* The tail must be visible before any byte it frees is rewritten. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

int64_t
bcast_ring_put(struct bcast_ring *r, const void *a, size_t alen,
    const void *b, size_t blen)
{
	uint64_t head = r->head, off, room, pad, need, seq = r->seq;
	struct rec_hdr h = { (uint32_t)(alen + blen), REC_MSG, seq };
	struct rec_hdr p = { 0, REC_PAD, 0 };

	if (alen + blen > bcast_ring_max_record(r)) {
		__atomic_store_n(&r->refused, r->refused + 1, __ATOMIC_RELAXED);
		return -1;
	}
	need = rec_size(alen + blen);
	off = head & (r->cap - 1);
	room = r->cap - off;
	pad = room < need ? room : 0;
	ring_make_room(r, head, head + pad + need);
	if (pad != 0) {
		memcpy(r->data + off, &p, sizeof p);
		off = 0;
	}
	memcpy(r->data + off, &h, sizeof h);
	memcpy(r->data + off + REC_HDR, a, alen);
	if (blen > 0)
		memcpy(r->data + off + REC_HDR + alen, b, blen);
	__atomic_store_n(&r->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&r->published, r->published + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&r->head, head + pad + need, __ATOMIC_RELEASE);
	return (int64_t)seq;
}

void
bcast_ring_attach(const struct bcast_ring *r, struct bcast_cursor *c)
{
	/* The producer stores seq before it publishes head: seq is the
	 * number of the record at head, or of one still being written (then
	 * the first record read is numbered lower, and counts no loss). */
	c->pos = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	c->seq = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
}

int
bcast_ring_pending(const struct bcast_ring *r, const struct bcast_cursor *c)
{
	return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) > c->pos;
}

/* Whether the record at pos may have been overwritten since it was read. */
static int
ring_torn(const struct bcast_ring *r, uint64_t pos)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&r->tail, __ATOMIC_RELAXED) > pos;
}

int
bcast_ring_get(const struct bcast_ring *r, struct bcast_cursor *c,
    bcast_peek_fn *peek, bcast_drop_fn *drop, void *arg,
    struct bcast_record *rec, void **out, uint64_t *lost)
{
	uint64_t head, tail, off;
	struct rec_hdr h;
	void *handle;

	for (;;) {
		head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		if (c->pos >= head)
			return 0;
		tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (c->pos < tail) {
			/* lapped: the gap counts below, with a head at
			 * least as new */
			c->pos = tail;
			continue;
		}
		off = c->pos & (r->cap - 1);
		memcpy(&h, r->data + off, sizeof h);
		handle = NULL;
		if (h.kind == REC_MSG && rec_size(h.len) <= r->cap - off)
			handle = peek(r->data + off + REC_HDR, h.len, arg);
		if (ring_torn(r, c->pos)) {
			if (handle != NULL)
				drop(handle, arg);
			continue;
		}
		if (h.kind == REC_PAD) {
			c->pos += r->cap - off;
			continue;
		}
		if (h.kind != REC_MSG || rec_size(h.len) > r->cap - off) {
			c->pos = head;		/* corrupt: cannot happen */
			return 0;
		}
		if (h.seq > c->seq)
			*lost += h.seq - c->seq;
		c->seq = h.seq + 1;
		c->pos += rec_size(h.len);
		rec->seq = h.seq;
		rec->len = h.len;
		*out = handle;
		return 1;
	}
}
