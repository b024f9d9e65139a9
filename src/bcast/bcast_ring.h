/*
 * A broadcast outbox: a single-producer ring in shared memory that any
 * number of readers follow, each with its own cursor in its own memory.
 * The producer never waits for readers and never learns where they are:
 * when the ring is full the oldest records are overwritten, and a reader
 * that was that far behind finds out from the tail and the sequence gap,
 * skips ahead and counts what it lost. So a stalled worker loses its own
 * backlog and nobody else slows down (a ring that refused new records
 * until the slowest reader caught up would let one busy worker silence
 * broadcasts for the whole instance).
 *
 * Records never wrap: one that does not fit before the end of the region
 * is preceded by a pad record. Positions are 64-bit byte counts that only
 * grow; pos % cap is the offset. No sockets, no event base, no allocation.
 */
#ifndef HL_BCAST_RING_H
#define HL_BCAST_RING_H

#include <stddef.h>
#include <stdint.h>

#define BCAST_RING_ALIGN	16
#define BCAST_RING_HDR		64	/* struct bcast_ring, one cache line */

/* The shared part, followed by cap bytes of records. */
struct bcast_ring {
	uint64_t	head;		/* end of the last published record */
	uint64_t	tail;		/* start of the oldest intact record */
	uint64_t	seq;		/* sequence number of the next record */
	uint64_t	cap;		/* bytes of records, a power of two */
	uint64_t	published;	/* records published */
	uint64_t	refused;	/* records too big for the ring */
	uint64_t	reserved[2];
	uint8_t		data[];
};

/* A reader's private position in one ring. */
struct bcast_cursor {
	uint64_t	pos;
	uint64_t	seq;		/* the record expected next */
};

/* One record as a reader got it. */
struct bcast_record {
	uint64_t	seq;
	uint32_t	len;
};

/* Bytes of a ring region holding cap bytes of records. */
size_t	 bcast_ring_size(size_t cap);
/* Format a region of bcast_ring_size(cap) bytes; cap is a power of two
 * of at least 256. */
void	 bcast_ring_init(struct bcast_ring *r, size_t cap);
/* The largest record the ring takes (a quarter of it, so a reader always
 * has several records of slack). */
size_t	 bcast_ring_max_record(const struct bcast_ring *r);

/* Producer (one per ring; a new producer after a crash simply continues:
 * an unpublished half-written record is never visible). Write a record
 * made of two pieces, a then b (b may be NULL), and publish it. Returns
 * its sequence number, or -1 when it is larger than the ring takes
 * (counted in r->refused). */
int64_t	 bcast_ring_put(struct bcast_ring *r, const void *a, size_t alen,
	    const void *b, size_t blen);

/* Reader. Start at the current head: only records published from now on
 * are read. */
void	 bcast_ring_attach(const struct bcast_ring *r, struct bcast_cursor *c);
/* Whether the producer has published past the cursor. */
int	 bcast_ring_pending(const struct bcast_ring *r,
	    const struct bcast_cursor *c);

/*
 * Take the next record. peek is called with the record's bytes in shared
 * memory (they may be overwritten while it runs, so it must only copy, and
 * treat what it copied as unverified); it returns a handle for what it
 * copied, or NULL to skip the record. After peek the ring checks that the
 * record was intact throughout; if it was not, drop(handle) is called and
 * the record counts as lost.
 *
 * Returns 1 with *out set to peek's handle (and rec filled), 0 when
 * nothing is left. *lost is increased by the records overwritten before
 * this reader got to them.
 */
typedef void	*bcast_peek_fn(const uint8_t *p, uint32_t len, void *arg);
typedef void	 bcast_drop_fn(void *handle, void *arg);
int	 bcast_ring_get(const struct bcast_ring *r, struct bcast_cursor *c,
	    bcast_peek_fn *peek, bcast_drop_fn *drop, void *arg,
	    struct bcast_record *rec, void **out, uint64_t *lost);

#endif
