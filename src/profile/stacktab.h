/*
 * Samples aggregated by stack: one entry per distinct (class, pkg_id,
 * program counters), with a sample count and a weight. The master adds the
 * records it drains from the rings; a report reads the table. Bounded: past
 * max_entries, new stacks are counted in `overflow` rather than stored.
 */
#ifndef HL_STACKTAB_H
#define HL_STACKTAB_H

#include <stddef.h>
#include <stdint.h>

struct stack_entry {
	uint64_t	 samples;
	uint64_t	 weight_ns;
	uint32_t	 hash;
	int32_t		 pkg_id;
	uint16_t	 depth;
	uint16_t	 worker;	/* the slot that sampled it */
	uint8_t		 cls;		/* SAMPLE_CPU_OWN... (low two bits) */
	uint8_t		 used;
	size_t		 pcs_off;	/* depth entries at arena + pcs_off */
};

struct stacktab {
	struct stack_entry	*slots;
	size_t			 nslots;	/* power of two */
	size_t			 count;
	size_t			 max_entries;
	uint64_t		*arena;		/* pcs of every entry */
	size_t			 arena_used;
	size_t			 arena_cap;
	uint64_t		 samples;	/* everything added */
	uint64_t		 weight_ns;
	uint64_t		 overflow;	/* samples of unstored stacks */
	uint64_t		 overflow_ns;
	uint64_t		 hooks;		/* samples in the profiler's
						 * hooks: overhead, no line */
	uint64_t		 hooks_ns;
};

/* An entry's program counters; valid until the next add or clear. */
static inline const uint64_t *
stacktab_pcs(const struct stacktab *t, const struct stack_entry *e)
{
	return t->arena + e->pcs_off;
}

void	 stacktab_init(struct stacktab *t, size_t max_entries);
void	 stacktab_free(struct stacktab *t);
/* Count one sample; its pcs are copied. */
void	 stacktab_add(struct stacktab *t, int cls, int32_t pkg_id,
	    const uint64_t *pcs, unsigned depth, uint64_t samples,
	    uint64_t weight_ns);
/* The same, keeping apart the stacks of each worker slot (for pprof's
 * worker label); stacktab_add is worker 0. */
void	 stacktab_add_from(struct stacktab *t, int worker, int cls,
	    int32_t pkg_id, const uint64_t *pcs, unsigned depth,
	    uint64_t samples, uint64_t weight_ns);
/* Count samples taken in the profiler's own hooks (src/profd/hookstrip.h):
 * not stored as stacks, not in samples; reports show them as overhead. */
void	 stacktab_add_hooks(struct stacktab *t, uint64_t samples,
	    uint64_t weight_ns);
/* Add every entry of from into to (a window into the run total). */
void	 stacktab_merge(struct stacktab *to, const struct stacktab *from);
/* Forget every entry, keep the allocation. */
void	 stacktab_clear(struct stacktab *t);
/* Iterate: the i-th used slot from *i on, or NULL at the end. */
const struct stack_entry *stacktab_next(const struct stacktab *t, size_t *i);

#endif
