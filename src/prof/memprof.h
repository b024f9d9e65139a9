/*
 * The memory profiler's sampling logic, in the worker (DESIGN.md section 4).
 * The interposed malloc family and memcpy (src/prof/memhook.c, daemon binary
 * only) call the inline fast paths below; hotline's own read and write
 * sites call memprof_count_copy(). Everything here is in libhotline so the
 * unit tests can drive it directly.
 *
 * Sampling is by bytes: a per-thread counter starts at a threshold drawn
 * from an exponential distribution with mean `mean_bytes` and is decreased
 * by every allocation (or copy); the call that takes it to zero or below is
 * sampled and the threshold redrawn. An n-byte call is then sampled with
 * probability 1 - exp(-n/mean), independently of the others, and its record
 * carries the weight n / (1 - exp(-n/mean)), so the sum of weights is an
 * unbiased estimate of the true volume (as Go's heap profiler does).
 *
 * Threads. Only the thread that called memprof_init() (the worker's event
 * loop) ever samples: the switch is an initial-exec TLS word that is zero
 * in every other thread, in the master and in the tools. The word is also
 * the depth guard: the slow path clears it while it unwinds and writes the
 * ring, so a hook entered from it (libunwind, the ring's memcpy) only
 * forwards. A hook entered while the SIGPROF handler runs only forwards.
 *
 * Records (src/prof/record.h) go into the slot's event ring, written with
 * SIGPROF blocked: SAMPLE_ALLOC (flag SAMPLE_F_UNTRACKED when the table of
 * sampled blocks is full), SAMPLE_FREE when a sampled block is freed on the
 * owning thread, SAMPLE_COPY. A block is tracked even when the full ring
 * dropped its alloc record, so a reader may see a free whose alloc it
 * never saw: it ignores it.
 */
#ifndef HL_MEMPROF_H
#define HL_MEMPROF_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "prof/sampler.h"

struct ring;

/* memprof_switch() bits; the same values as SHM_MEMORY_* (src/core/shm.h). */
#define MEMPROF_ALLOC	0x1u	/* sample allocations */
#define MEMPROF_COPY	0x2u	/* sample library-call copies and counts */
#define MEMPROF_FREE	0x4u	/* match frees of sampled blocks */

/* The table of sampled blocks awaiting their free: open addressing with
 * linear probing in static memory, filled to at most 3/4. */
#define MEMPROF_TABLE_BITS	16
#define MEMPROF_TABLE_SIZE	(1u << MEMPROF_TABLE_BITS)
#define MEMPROF_TABLE_MAX	(MEMPROF_TABLE_SIZE / 4 * 3)

/* Per-thread hook state. `gate` is what the fast paths test: the
 * MEMPROF_* bits in force, 0 outside the owning thread and while the slow
 * path runs. Volatile: it changes under the compiler's feet (a hook nested
 * in the slow path must see it cleared). */
struct memprof_thread {
	volatile unsigned	 gate;
	unsigned		 on;		/* bits the switch asks for */
	int64_t			 alloc_left;	/* bytes to the next sample */
	int64_t			 copy_left;
};
extern __thread struct memprof_thread memprof_self
    __attribute__((tls_model("initial-exec")));

/* One bit per home bucket of the table: set while some tracked block has
 * that home, so the common free costs one load. */
extern uint64_t memprof_filter[MEMPROF_TABLE_SIZE / 64];

struct memprof_config {
	struct ring	*ring;		/* the slot's event ring, attached */
	uint64_t	 mean_bytes;	/* profiling_memory_sample_bytes */
	unsigned	 depth;		/* frames per record */
};

/* Worker, after fork, on the event-loop thread: that thread becomes the
 * only one that samples (and matches frees). Seeds the generator from the
 * pid and clock, sets libunwind's global cache and unwinds once (lazy
 * setup happens here, not in a hook). Sampling stays off until
 * memprof_switch(). Returns 0, or -1 with errno EINVAL for a bad config. */
int	 memprof_init(const struct memprof_config *cf);
/* Owning thread: sample allocations and/or copies (MEMPROF_ALLOC,
 * MEMPROF_COPY); 0 stops sampling but frees of blocks already sampled
 * are still reported. Thresholds are redrawn when a kind turns on. */
void	 memprof_switch(unsigned bits);
/* Owning thread: stop everything, free matching included. */
void	 memprof_stop(void);
/* Reseed the generator (tests use a fixed seed). */
void	 memprof_seed(uint64_t seed);

/* Totals since memprof_init(), for the scoreboard. */
struct memprof_stats {
	uint64_t	 allocs;	/* alloc records written */
	uint64_t	 frees;		/* free records written */
	uint64_t	 copies;	/* copy records written */
	uint64_t	 untracked;	/* allocs with SAMPLE_F_UNTRACKED */
	uint64_t	 dropped;	/* records refused by a full ring */
	uint64_t	 hook_ns;	/* time on the sampled paths */
	uint64_t	 copy_ns;	/* of which the copy hooks' */
	uint64_t	 tracked;	/* gauge: blocks in the table */
	uint64_t	 heap_bytes;	/* gauge: their weights, an estimate of
					 * the heap in use (this thread's
					 * tracked allocations) */
};
void	 memprof_get_stats(struct memprof_stats *st);

/* An explicit byte count at one of hotline's own read or write sites
 * (fn SAMPLE_FN_READ or SAMPLE_FN_WRITE), sampled like a copy and charged
 * to the caller's line. Costs one TLS test when copy sampling is off. */
void	 memprof_count_copy(size_t bytes, unsigned fn);

/* The slow paths behind the inline hooks; ra is the return address into
 * the caller of the interposed function (pcs[0] of the record). */
void	 memprof_alloc_slow(void *p, size_t n, unsigned fn, const void *ra);
void	 memprof_free_slow(void *p);
void	 memprof_copy_slow(size_t n, unsigned fn, const void *ra);

/* The table, exposed for the unit tests; owning thread only. insert
 * returns 0, or -1 when the table is full. find returns the entry's size
 * and weight through the pointers, -1 when the block is not tracked;
 * remove also drops it. clear empties the table. */
int	 memprof_table_insert(uintptr_t addr, uint64_t size, uint64_t weight);
int	 memprof_table_find(uintptr_t addr, uint64_t *size, uint64_t *weight);
int	 memprof_table_remove(uintptr_t addr, uint64_t *size,
	    uint64_t *weight);
unsigned memprof_table_count(void);
void	 memprof_table_clear(void);

/* Home bucket of a block: malloc returns 16-byte aligned addresses. */
static inline unsigned
memprof_home(uintptr_t addr)
{
	return (unsigned)(((uint64_t)(addr >> 4) * 0x9e3779b97f4a7c15ULL) >>
	    (64 - MEMPROF_TABLE_BITS));
}

/* After a successful allocation of n bytes at p. */
static inline void
memprof_alloc(void *p, size_t n, unsigned fn, const void *ra)
{
	if (__builtin_expect(!(memprof_self.gate & MEMPROF_ALLOC), 1) ||
	    p == NULL || sampler_in_handler)
		return;
	if (__builtin_expect((memprof_self.alloc_left -= (int64_t)n) > 0, 1))
		return;
	memprof_alloc_slow(p, n, fn, ra);
}

/* Before the block at p (not NULL) is released. */
static inline void
memprof_free(void *p)
{
	unsigned h;

	if (__builtin_expect(!(memprof_self.gate & MEMPROF_FREE), 1))
		return;
	h = memprof_home((uintptr_t)p);
	if (__builtin_expect(!(memprof_filter[h / 64] >> (h % 64) & 1), 1))
		return;
	memprof_free_slow(p);
}

/* After a copy of n bytes. */
static inline void
memprof_copy(size_t n, unsigned fn, const void *ra)
{
	if (__builtin_expect(!(memprof_self.gate & MEMPROF_COPY), 1) ||
	    sampler_in_handler)
		return;
	if (__builtin_expect((memprof_self.copy_left -= (int64_t)n) > 0, 1))
		return;
	memprof_copy_slow(n, fn, ra);
}

#endif
