/*
 * The profiler's shared-memory SPSC byte ring (contract in ring.h).
 *
 * Positions are 64-bit byte counts that only grow: `head` is what the
 * writer has published, `tail` what the reader has consumed, head - tail the
 * bytes in use. A position maps into the data area by masking with
 * capacity - 1. Each record is an 8-byte frame {len, kind} and its payload
 * rounded up to 8 bytes. A record never wraps: when it would cross the end,
 * the writer first fills the rest of the area with a pad frame that the
 * reader skips.
 *
 * Memory ordering, the whole argument:
 *  - The writer stores the payload and frames with plain stores, then
 *    publishes them with a release store of head; the reader acquires head
 *    before reading any frame, so it never sees a frame or payload that is
 *    not complete (a writer dying before that store publishes nothing).
 *  - The reader reads a record, then releases it with a release store of
 *    tail; the writer acquires tail before reusing space, so it never
 *    overwrites bytes the reader is still reading.
 *  - head is stored only by the writer and tail only by the reader (except
 *    ring_reset, which runs with no writer), so neither needs a read-modify-
 *    write; the same holds for every counter, which is why counters are a
 *    relaxed load and store (statistics: readers tolerate staleness).
 *  - The shared words must be lock-free atomics: a libatomic lock would live
 *    in one process and mean nothing to the other (static assert below).
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "prof/ring.h"

#define RING_MAGIC     0x31474e52u /* "RNG1" */
#define RING_VERSION   1
#define RING_CACHELINE 64

enum ring_frame_kind {
	FRAME_RECORD = 0x52, /* payload follows */
	FRAME_PAD = 0x50, /* skip to the end of the data area */
};

/* Precedes every record and every pad in the data area. */
struct ring_frame {
	uint32_t len; /* payload bytes; for a pad, bytes after the frame */
	uint32_t kind; /* enum ring_frame_kind */
};

/* The header in shared memory. The writer and reader lines are apart so the
 * two processes do not bounce one cache line on every record. */
struct ring {
	/* Set by ring_init(), read-only afterwards. */
	uint32_t magic;
	uint32_t version;
	uint64_t capacity;
	uint8_t spare0[RING_CACHELINE - 16];

	/* The writer's line: only the writer stores here (and ring_reset). */
	uint64_t head; /* bytes published */
	uint64_t resv_pos; /* position of the reserved record's frame */
	uint64_t resv_len; /* reserved payload bytes; 0: no reservation */
	uint64_t records;
	uint64_t bytes;
	uint64_t drops;
	uint64_t drop_bytes;
	uint64_t spare1;

	/* The reader's line: only the reader stores here. */
	uint64_t tail; /* bytes consumed */
	uint64_t consumed;
	uint64_t resets;
	uint64_t discarded;
	uint64_t corrupt;
	uint64_t spare2[3];

	unsigned char data[]; /* capacity bytes */
};

_Static_assert(sizeof(struct ring) == 3 * RING_CACHELINE, "ring header");
_Static_assert(__atomic_always_lock_free(sizeof(uint64_t), 0),
    "ring positions must be lock-free to work across processes");
_Static_assert(sizeof(struct ring_frame) == RING_ALIGN, "frame size");

/* Relaxed load of a word this context owns or only reports. */
static uint64_t
ring_get(const uint64_t *word)
{
	return __atomic_load_n(word, __ATOMIC_RELAXED);
}

/* Single-writer counter bump: a relaxed load and store, no locked RMW;
 * only one context stores it and readers accept a stale value. */
static void
ring_count(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, ring_get(counter) + n, __ATOMIC_RELAXED);
}

/* Bytes a record of len payload bytes takes in the data area. */
static uint64_t
ring_span(uint64_t len)
{
	return sizeof(struct ring_frame) +
	    ((len + RING_ALIGN - 1) & ~(uint64_t)(RING_ALIGN - 1));
}

/* Whether capacity is a size ring_init() accepts. */
static int
ring_capacity_ok(uint64_t capacity)
{
	return capacity >= RING_MIN_CAPACITY && capacity <= RING_MAX_CAPACITY &&
	    (capacity & (capacity - 1)) == 0;
}

/* The frame at data offset off. */
static struct ring_frame *
ring_frame_at(struct ring *r, uint64_t off)
{
	return (struct ring_frame *)(void *)(r->data + off);
}

/* Write a frame at data offset off. */
static void
ring_put_frame(struct ring *r, uint64_t off, uint32_t kind, uint64_t len)
{
	struct ring_frame *f = ring_frame_at(r, off);

	f->len = (uint32_t)len;
	f->kind = kind;
}

size_t
ring_bytes(size_t capacity)
{
	if (!ring_capacity_ok(capacity))
		return 0;
	return sizeof(struct ring) + capacity;
}

struct ring *
ring_init(void *mem, size_t capacity)
{
	struct ring *r = mem;

	if (mem == NULL || (uintptr_t)mem % RING_ALIGN != 0 ||
	    !ring_capacity_ok(capacity)) {
		errno = EINVAL;
		return NULL;
	}
	/* Plain stores: init runs before any reader or writer exists (before
	 * the fork that creates the writer, which orders them). */
	memset(r, 0, sizeof(*r));
	r->magic = RING_MAGIC;
	r->version = RING_VERSION;
	r->capacity = capacity;
	return r;
}

struct ring *
ring_attach(void *mem)
{
	struct ring *r = mem;

	if (mem == NULL || (uintptr_t)mem % RING_ALIGN != 0 ||
	    r->magic != RING_MAGIC || r->version != RING_VERSION ||
	    !ring_capacity_ok(r->capacity)) {
		errno = EINVAL;
		return NULL;
	}
	return r;
}

size_t
ring_max_record(const struct ring *r)
{
	/* A span of at most half the area fits an empty ring at any offset:
	 * either before the end, or after a pad shorter than the span. */
	return r->capacity / 2 - sizeof(struct ring_frame);
}

/* Count a record the writer could not place. */
static void
ring_drop(struct ring *r, size_t len)
{
	ring_count(&r->drops, 1);
	ring_count(&r->drop_bytes, len);
}

void *
ring_reserve(struct ring *r, size_t len)
{
	uint64_t cap = r->capacity, head, tail, off, pad, span;

	if (len == 0)
		return NULL;
	if (len > ring_max_record(r)) {
		ring_drop(r, len);
		return NULL;
	}
	span = ring_span(len);
	/* Relaxed: head is stored only by this context. */
	head = ring_get(&r->head);
	/* Acquire: pairs with the release in ring_consume(), so the reader's
	 * reads of the space we are about to reuse are complete. */
	tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	off = head & (cap - 1);
	pad = off + span > cap ? cap - off : 0;
	if (head - tail > cap || head - tail + pad + span > cap) {
		ring_drop(r, len);
		return NULL;
	}
	/* The pad is past head: invisible until ring_commit() publishes it. */
	if (pad != 0)
		ring_put_frame(
		    r, off, FRAME_PAD, pad - sizeof(struct ring_frame));
	r->resv_pos = head + pad;
	r->resv_len = len;
	return r->data + ((head + pad) & (cap - 1)) + sizeof(struct ring_frame);
}

int
ring_commit(struct ring *r, size_t len)
{
	uint64_t pos = r->resv_pos, reserved = r->resv_len;

	if (reserved == 0 || len == 0 || len > reserved)
		return -1;
	ring_put_frame(r, pos & (r->capacity - 1), FRAME_RECORD, len);
	r->resv_len = 0;
	ring_count(&r->records, 1);
	ring_count(&r->bytes, len);
	/* Release: the payload, its frame and any pad written since the last
	 * commit are visible to a reader that acquires this head. */
	__atomic_store_n(&r->head, pos + ring_span(len), __ATOMIC_RELEASE);
	return 0;
}

void
ring_abort(struct ring *r)
{
	r->resv_len = 0;
}

void
ring_writer_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void
ring_writer_unblock(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Whether the frame f at offset off, with avail bytes published past it,
 * is one the writer could have made. Copied once, so a scribbling writer
 * cannot change it between the check and the use. */
static int
ring_frame_ok(
    const struct ring *r, struct ring_frame f, uint64_t off, uint64_t avail)
{
	uint64_t span = ring_span(f.len);

	if (avail > r->capacity || span > avail || off + span > r->capacity)
		return 0;
	if (f.kind == FRAME_PAD)
		return off + span == r->capacity;
	return f.kind == FRAME_RECORD && f.len != 0;
}

/* Move the read position; release so the writer, which acquires tail,
 * reuses the space only after our reads of it are done. */
static void
ring_advance(struct ring *r, uint64_t tail)
{
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
}

/* The reader met a frame the writer cannot have made: skip all that is
 * published, rather than read past the area or stop for good. */
static void
ring_skip_corrupt(struct ring *r, uint64_t head)
{
	ring_count(&r->corrupt, 1);
	ring_advance(r, head);
}

const void *
ring_peek(struct ring *r, size_t *len)
{
	uint64_t head, tail, off;
	struct ring_frame f;

	for (;;) {
		/* Relaxed: tail is stored only by this context. */
		tail = ring_get(&r->tail);
		/* Acquire: pairs with the release in ring_commit(), so every
		 * frame and payload below head is complete when read. */
		head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		if (head == tail)
			return NULL;
		off = tail & (r->capacity - 1);
		if (off % RING_ALIGN != 0) {
			ring_skip_corrupt(r, head);
			return NULL;
		}
		f = *ring_frame_at(r, off);
		if (!ring_frame_ok(r, f, off, head - tail)) {
			ring_skip_corrupt(r, head);
			return NULL;
		}
		if (f.kind == FRAME_RECORD) {
			*len = f.len;
			return r->data + off + sizeof(f);
		}
		ring_advance(r, tail + ring_span(f.len));
	}
}

void
ring_consume(struct ring *r)
{
	size_t len;

	/* Peek again: it is the same record (only we move tail) and it steps
	 * over a pad, so the caller need not remember anything. */
	if (ring_peek(r, &len) == NULL)
		return;
	ring_count(&r->consumed, 1);
	ring_advance(r, ring_get(&r->tail) + ring_span(len));
}

size_t
ring_drain(struct ring *r, size_t max, ring_record_cb cb, void *arg)
{
	/* Acquire, as in ring_peek(): what is below this head is complete. */
	uint64_t end = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	const void *rec;
	size_t n = 0, len;

	while ((max != 0 ? n < max : ring_get(&r->tail) < end) &&
	    (rec = ring_peek(r, &len)) != NULL) {
		cb(rec, len, arg);
		ring_consume(r);
		n++;
	}
	return n;
}

void
ring_reset(struct ring *r)
{
	/* Acquire: take the dead writer's last head with what it published;
	 * with no writer alive nothing races these stores. */
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	uint64_t tail = ring_get(&r->tail);

	if (head - tail <= r->capacity)
		ring_count(&r->discarded, head - tail);
	/* Realign a head a scribbling writer may have bent. */
	head = (head + RING_ALIGN - 1) & ~(uint64_t)(RING_ALIGN - 1);
	r->resv_len = 0;
	r->resv_pos = 0;
	ring_count(&r->resets, 1);
	/* Release both: the next writer (forked after this) and later peeks
	 * start from one agreed position. */
	__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
	ring_advance(r, head);
}

void
ring_stats(const struct ring *r, struct ring_stats *st)
{
	/* Tail before head: head only grows, so the lag is never negative. */
	uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	st->capacity = r->capacity;
	st->records = ring_get(&r->records);
	st->bytes = ring_get(&r->bytes);
	st->drops = ring_get(&r->drops);
	st->drop_bytes = ring_get(&r->drop_bytes);
	st->consumed = ring_get(&r->consumed);
	st->lag_bytes = head - tail;
	st->resets = ring_get(&r->resets);
	st->discarded = ring_get(&r->discarded);
	st->corrupt = ring_get(&r->corrupt);
}
