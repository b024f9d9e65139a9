/*
 * A single-producer / single-consumer byte ring in caller-provided memory,
 * for variable-length records (the profiler's samples, src/prof/record.h).
 *
 * Placement and ownership. The caller owns the memory: it asks ring_bytes()
 * how much a ring of `capacity` data bytes needs, carves that out of the
 * shared segment (MAP_SHARED, mapped before fork), and calls ring_init() on
 * it once, in the master. Nothing here allocates or frees. The ring is
 * position independent (offsets only), so ring_attach() also works on a
 * mapping at another address.
 *
 * Exactly one writer context and one reader context per ring:
 *
 *  - The writer is one context in one worker process: ring_reserve(),
 *    ring_commit(), ring_abort(). For the CPU ring that context
 *    is the SIGPROF handler and nothing else. For the event ring it is the
 *    worker's main flow with SIGPROF blocked around reserve..commit
 *    (ring_writer_block()/ring_writer_unblock()), so the handler can never
 *    run in the middle of an event-ring write and then write it itself.
 *    The handler must be installed without SA_NODEFER, so SIGPROF cannot
 *    nest within itself.
 *    The handler may interrupt an event-ring write to write the CPU ring:
 *    two rings share no state, so that is safe. Nested reserve/commit on
 *    the SAME ring (a handler writing the ring its interrupted context is
 *    writing) is forbidden and would corrupt the record being written.
 *  - The writer side is async-signal-safe: no locks, no allocation, no
 *    system calls (ring_writer_block/unblock are system calls and belong to
 *    the main flow, never to the handler). A writer that copies into its
 *    reservation with memcpy reaches the copy hooks: their depth guard
 *    must make it forward.
 *  - The reader is the master (another process, same mapping): ring_peek(),
 *    ring_consume(), ring_drain(). It never blocks the writer: a full ring
 *    drops the new record and counts it; unread data is never overwritten.
 *  - ring_reset() belongs to the reader and may run only while no writer
 *    exists (after the worker was reaped, before its successor forks).
 *
 * A writer that dies after ring_reserve() and before ring_commit() leaves
 * nothing the reader can see: a record is published by one atomic store of
 * the write position in ring_commit(). ring_reset() then discards what the
 * dead generation left unread and forgets its reservation.
 */
#ifndef HL_RING_H
#define HL_RING_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define RING_MIN_CAPACITY 256 /* bytes of data area */
#define RING_MAX_CAPACITY (1UL << 30) /* record lengths are 32-bit */
#define RING_ALIGN        8 /* record alignment in the ring */

struct ring;

/* What the reporter needs; a snapshot, each field read once. */
struct ring_stats {
	uint64_t capacity; /* bytes of data area */
	uint64_t records; /* records committed, ever */
	uint64_t bytes; /* payload bytes committed, ever */
	uint64_t drops; /* records refused because the ring was full */
	uint64_t drop_bytes; /* payload bytes of those records */
	uint64_t consumed; /* records the reader consumed */
	uint64_t lag_bytes; /* committed, not yet consumed (incl. framing) */
	uint64_t resets; /* ring_reset() calls */
	uint64_t discarded; /* bytes thrown away by ring_reset() */
	uint64_t corrupt; /* times the reader found a bad frame and skipped */
};

/* Reader callback for ring_drain(): rec is valid only during the call. */
typedef void (*ring_record_cb)(const void *rec, size_t len, void *arg);

/* Bytes a ring with `capacity` data bytes occupies (header included), or 0
 * when capacity is not a power of two in [RING_MIN_CAPACITY,
 * RING_MAX_CAPACITY]. */
size_t ring_bytes(size_t capacity);

/* Format `mem` (ring_bytes(capacity) bytes, 64-byte aligned for best
 * results, at least 8) as an empty ring. Returns the ring, which is `mem`,
 * or NULL with errno EINVAL for a bad capacity or alignment. Call once, with
 * no reader or writer active. */
struct ring *ring_init(void *mem, size_t capacity);

/* Check that `mem` holds a ring made by ring_init() (magic, version,
 * capacity). Returns the ring or NULL with errno EINVAL. */
struct ring *ring_attach(void *mem);

/* Writer. Reserve room for a record of `len` payload bytes and return where
 * to write it (8-byte aligned), or NULL when it does not fit: the ring is
 * full or len is over ring_max_record(); the drop is counted (len 0 is
 * refused, not counted). The pointer is valid until ring_commit() or
 * ring_abort(). A second reserve without a commit replaces the first. */
void *ring_reserve(struct ring *r, size_t len);

/* Writer. Publish the reserved record with its final length, at most the
 * reserved length (reserve for a full stack, commit the depth unwound).
 * Returns 0, or -1 when there is no reservation or len is too long. */
int ring_commit(struct ring *r, size_t len);

/* Writer. Forget the reservation; nothing is published or counted. */
void ring_abort(struct ring *r);

/* Largest payload ring_reserve() accepts for this ring. */
size_t ring_max_record(const struct ring *r);

/* Event-ring writer, main flow only: block SIGPROF (saving the old mask in
 * *old) before ring_reserve(), restore it after ring_commit(). */
void ring_writer_block(sigset_t *old);
void ring_writer_unblock(const sigset_t *old);

/* Reader. The oldest committed record, its payload length in *len; NULL
 * when the ring is empty. The pointer stays valid until ring_consume() or
 * ring_reset(). Padding is skipped here; a corrupt frame (a bug or a
 * scribbling worker) is counted and everything up to the write position
 * is skipped, so the reader never reads outside the ring. */
const void *ring_peek(struct ring *r, size_t *len);

/* Reader. Release the record ring_peek() returned; no-op when empty. */
void ring_consume(struct ring *r);

/* Reader. Pass up to `max` records to cb, consuming each; with max 0, those
 * committed when the call began (so a fast writer cannot keep it looping).
 * Returns how many were passed. */
size_t ring_drain(struct ring *r, size_t max, ring_record_cb cb, void *arg);

/* Reader, with no writer alive: discard unread records (drain first to keep
 * a dead worker's last samples) and any dead writer's reservation. Counters
 * other than lag are kept (they are totals for the slot). Pointers from
 * ring_peek() become invalid. */
void ring_reset(struct ring *r);

/* Either side: a snapshot of the counters. */
void ring_stats(const struct ring *r, struct ring_stats *st);

#endif
