/*
 * The master's memory bookkeeping for one run. Workers send sampled
 * allocations (with a stack) and the frees of those blocks (with only the
 * address) through their event rings; here a free finds its allocation's
 * stack, the "site", by (slot, address).
 *
 *  - Sites: one per distinct (pkg_id, stack) that allocated, for the whole
 *    run: cumulative sampled allocations and frees, the sampled bytes in use
 *    (live) and their peak. Bounded by MEMSITE_MAX; allocations of sites
 *    past it are counted in `overflow`.
 *  - Live blocks: (slot, address) -> site and weight, bounded by
 *    MEMSITE_MAX_LIVE (the workers' own tables are smaller). A block whose
 *    worker exits is dropped with it (memsite_slot_gone).
 *
 * The reporter gets a copy (memsnap) at every window's end: per site its
 * stack, live bytes, peak and cumulative counts. Nothing here is shared
 * with another thread.
 */
#ifndef HL_MEMSITE_H
#define HL_MEMSITE_H

#include <stddef.h>
#include <stdint.h>

#define MEMSITE_MAX		50000
#define MEMSITE_MAX_LIVE	(1u << 20)
#define MEMSITE_NONE		UINT32_MAX

struct memsite {
	uint64_t	 allocs;	/* sampled allocations, ever */
	uint64_t	 frees;		/* sampled frees, ever */
	uint64_t	 alloc_bytes;	/* their weight, ever */
	uint64_t	 free_bytes;
	uint64_t	 live;		/* sampled bytes in use now */
	uint64_t	 peak;		/* largest live so far */
	/* Live when their worker exited, summed over the run. */
	uint64_t	 exited;
	size_t		 pcs_off;
	int32_t		 pkg_id;
	uint16_t	 depth;
};

struct memlive {
	uint64_t	 addr;
	uint64_t	 weight;
	uint32_t	 site;		/* MEMSITE_NONE: empty */
	uint32_t	 slot;
};

struct memsites {
	struct memsite	*sites;
	size_t		 nsites, sites_cap;
	uint32_t	*site_ix;	/* site + 1 by stack hash; 0 empty */
	size_t		 site_ix_n;	/* power of two */
	uint64_t	*arena;		/* pcs of every site */
	size_t		 arena_used, arena_cap;
	struct memlive	*live;		/* open addressing, power of two */
	size_t		 live_n, live_count;
	uint64_t	*slot_live;	/* sampled bytes in use per slot */
	uint64_t	*slot_alloc;	/* sampled bytes allocated per slot */
	uint32_t	 nslots;
	uint64_t	 overflow;	/* allocations of sites not stored */
	uint64_t	 live_full;	/* untracked: live table full */
	uint64_t	 unmatched;	/* frees of blocks not known */
	uint64_t	 replaced;	/* an address allocated twice unfreed */
};

/* Copy of the sites for a report, immutable. */
struct memsnap {
	struct memsite	*sites;
	size_t		 nsites;
	uint64_t	*arena;
	size_t		 arena_used;
};

void	 memsites_init(struct memsites *ms, uint32_t nslots);
void	 memsites_free(struct memsites *ms);
/* A sampled allocation of `weight` bytes at addr by slot; tracked 0 when
 * the worker could not track its free (counted, not live). Returns the
 * site, or MEMSITE_NONE past the bound. */
uint32_t memsites_alloc(struct memsites *ms, uint32_t slot, int32_t pkg_id,
	    const uint64_t *pcs, unsigned depth, uint64_t addr,
	    uint64_t weight, int tracked);
/* The free of a sampled block: its site, or MEMSITE_NONE when unknown. */
uint32_t memsites_free_block(struct memsites *ms, uint32_t slot,
	    uint64_t addr);
/* The worker in slot is gone: its blocks left with it (their bytes are
 * added to their sites' `exited`). */
void	 memsites_slot_gone(struct memsites *ms, uint32_t slot);
static inline const uint64_t *
memsites_pcs(const struct memsites *ms, const struct memsite *s)
{
	return ms->arena + s->pcs_off;
}

void	 memsnap_take(struct memsnap *snap, const struct memsites *ms);
void	 memsnap_free(struct memsnap *snap);

#endif
