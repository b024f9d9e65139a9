/*
 * The memory profiler's slow paths: draw thresholds, weigh, unwind and write
 * alloc/free/copy records to the event ring, and keep the table of sampled
 * blocks (contract in memprof.h).
 *
 * Everything here runs on the owning thread, in the main flow, with the
 * gate cleared (so hooks it reaches only forward) and SIGPROF blocked
 * around each ring write (ring.h: one writer context per ring). It never
 * allocates: the table is static, records are built in the ring.
 */
#include "autoconf.h"

#define UNW_LOCAL_ONLY
#include <errno.h>
#include <libunwind.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "prof/hooktext.h"
#include "prof/memprof.h"
#include "prof/ring.h"
#include "prof/record.h"
#include "prof/sampler.h"
#include "core/util.h"

/* Frames of the hooks themselves an unwind may pass before it reaches the
 * caller's return address; more means the match failed. */
#define MEMPROF_SKIP_MAX 8

__thread struct memprof_thread memprof_self
    __attribute__((tls_model("initial-exec")));
uint64_t memprof_filter[MEMPROF_TABLE_SIZE / 64];

struct memprof_block {
	uintptr_t	 addr;		/* 0: empty */
	uint64_t	 size;
	uint64_t	 weight;
};

static struct memprof_block memprof_table[MEMPROF_TABLE_SIZE];

static struct {
	struct ring	*ring;
	double		 mean;
	unsigned	 depth;
	uint64_t	 rng;		/* xorshift64 state */
	unsigned	 tracked;	/* blocks in the table */
	uint64_t	 heap_bytes;	/* their weights */
	struct memprof_stats st;
} mp;

static HL_HOOK_WORK uint64_t
memprof_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}


/* Bytes to the next sample: floor(X) + 1 with X exponential of mean
 * `mean`, so a call of n bytes is sampled with probability exactly
 * 1 - exp(-n/mean) and what is left stays exponential (memoryless). */
static HL_HOOK_WORK int64_t
memprof_draw(void)
{
	/* uniform in [0, 1): the top 53 bits as a double's mantissa */
	double u = (double)(hl_xorshift64(&mp.rng) >> 11) * 0x1p-53;

	return (int64_t)(-mp.mean * log1p(-u)) + 1;
}

/* What a sampled call of n bytes stands for: n / P(sampled). */
static HL_HOOK_WORK uint64_t
memprof_weight(size_t n)
{
	double p = -expm1(-(double)n / mp.mean);

	return p > 0 ? (uint64_t)((double)n / p + 0.5) : (uint64_t)n;
}

/* --- the table of sampled blocks ----------------------------------------- */

static HL_HOOK_WORK void
memprof_filter_set(unsigned h, int on)
{
	if (on)
		memprof_filter[h / 64] |= 1ULL << (h % 64);
	else
		memprof_filter[h / 64] &= ~(1ULL << (h % 64));
}

static HL_HOOK_WORK int
memprof_table_slot(uintptr_t addr)
{
	unsigned i = memprof_home(addr);

	if (addr == 0 || !(memprof_filter[i / 64] >> (i % 64) & 1))
		return -1;
	for (; memprof_table[i].addr != 0; i = (i + 1) % MEMPROF_TABLE_SIZE)
		if (memprof_table[i].addr == addr)
			return (int)i;
	return -1;
}

HL_HOOK_WORK int
memprof_table_insert(uintptr_t addr, uint64_t size, uint64_t weight)
{
	unsigned i = memprof_home(addr), h = i;

	if (addr == 0)
		return -1;
	for (; memprof_table[i].addr != 0; i = (i + 1) % MEMPROF_TABLE_SIZE)
		if (memprof_table[i].addr == addr)
			break;	/* stale: its free happened unseen */
	if (memprof_table[i].addr == 0) {
		if (mp.tracked >= MEMPROF_TABLE_MAX)
			return -1;
		mp.tracked++;
	} else
		mp.heap_bytes -= memprof_table[i].weight;
	memprof_table[i] = (struct memprof_block){ addr, size, weight };
	mp.heap_bytes += weight;
	memprof_filter_set(h, 1);
	return 0;
}

/* i lies cyclically in (from, to]. */
static HL_HOOK_WORK int
memprof_between(unsigned from, unsigned i, unsigned to)
{
	return from <= to ? from < i && i <= to : from < i || i <= to;
}

/* Backward-shift deletion: later members of the cluster move up unless
 * their home lies after the hole, so no tombstones are needed. Then the
 * filter bit of the removed block's home is cleared if no other block has
 * that home (they all sit in the cluster that starts at it). */
static HL_HOOK_WORK void
memprof_table_delete(unsigned i)
{
	unsigned h = memprof_home(memprof_table[i].addr), j = i, k;

	mp.heap_bytes -= memprof_table[i].weight;
	for (;;) {
		j = (j + 1) % MEMPROF_TABLE_SIZE;
		if (memprof_table[j].addr == 0)
			break;
		k = memprof_home(memprof_table[j].addr);
		if (memprof_between(i, k, j))
			continue;
		memprof_table[i] = memprof_table[j];
		i = j;
	}
	memprof_table[i].addr = 0;
	mp.tracked--;
	for (j = h; memprof_table[j].addr != 0;
	    j = (j + 1) % MEMPROF_TABLE_SIZE)
		if (memprof_home(memprof_table[j].addr) == h)
			return;
	memprof_filter_set(h, 0);
}

HL_HOOK_WORK int
memprof_table_find(uintptr_t addr, uint64_t *size, uint64_t *weight)
{
	int i = memprof_table_slot(addr);

	if (i < 0)
		return -1;
	*size = memprof_table[i].size;
	*weight = memprof_table[i].weight;
	return 0;
}

HL_HOOK_WORK int
memprof_table_remove(uintptr_t addr, uint64_t *size, uint64_t *weight)
{
	int i = memprof_table_slot(addr);

	if (i < 0)
		return -1;
	*size = memprof_table[i].size;
	*weight = memprof_table[i].weight;
	memprof_table_delete((unsigned)i);
	return 0;
}

HL_HOOK_WORK unsigned
memprof_table_count(void)
{
	return mp.tracked;
}

HL_HOOK_WORK void
memprof_table_clear(void)
{
	memset(memprof_table, 0, sizeof memprof_table);
	memset(memprof_filter, 0, sizeof memprof_filter);
	mp.tracked = 0;
	mp.heap_bytes = 0;
}

/* --- records -------------------------------------------------------------- */

/* Unwind with unw_step from here, keeping frames from the one whose ip is
 * ra (the return address into the interposed function's caller), so the
 * hook's own frames are skipped. Returns the depth, or -1 when ra was not
 * met. Each step takes libunwind's global-cache lock, which masks every
 * signal around it: two system calls per frame. */
static HL_HOOK_WORK int
memprof_unwind_steps(uint64_t *pcs, unsigned max, const void *ra,
    int *truncated)
{
	unw_context_t uc;
	unw_cursor_t cursor;
	unw_word_t ip;
	unsigned n = 0, skipped = 0;
	int found = 0;

	if (unw_getcontext(&uc) < 0 || unw_init_local(&cursor, &uc) < 0)
		return -1;
	do {
		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		if (!found && ip != (unw_word_t)(uintptr_t)ra) {
			if (++skipped > MEMPROF_SKIP_MAX)
				break;
			continue;
		}
		found = 1;
		if (n == max) {
			*truncated = 1;
			break;
		}
		pcs[n++] = ip;
	} while (unw_step(&cursor) > 0);
	return found ? (int)n : -1;
}

/* The same through unw_backtrace(), whose per-thread trace cache makes a
 * warm unwind free of system calls: measured 0.6 us per record against
 * 8 us with unw_step at 25 frames (tests/unit/bench_memhook). Its cache
 * setup (pthread_once, mmap, pthread_setspecific) is why the SIGPROF
 * handler must not use it; here we run in the main flow with SIGPROF
 * blocked and the gate cleared, where that is harmless. */
static HL_HOOK_WORK int
memprof_unwind_fast(uint64_t *pcs, unsigned max, const void *ra,
    int *truncated)
{
	void *buf[SAMPLE_DEPTH_MAX + MEMPROF_SKIP_MAX + 1];
	int cap = (int)(max + MEMPROF_SKIP_MAX + 1), got, k;
	unsigned n = 0;

	got = unw_backtrace(buf, cap);
	for (k = 0; k < got && k <= MEMPROF_SKIP_MAX && buf[k] != ra; k++)
		continue;
	if (k >= got || k > MEMPROF_SKIP_MAX)
		return -1;
	while (k < got && n < max)
		pcs[n++] = (uint64_t)(uintptr_t)buf[k++];
	*truncated = k < got || got == cap;
	return (int)n;
}

/* Unwind this thread into pcs from the caller's frame (pcs[0] = ra). When
 * neither unwinder meets ra, the record gets ra alone, flagged
 * truncated. */
static HL_HOOK_WORK unsigned
memprof_unwind(uint64_t *pcs, unsigned max, const void *ra, int *truncated)
{
	int n;

	*truncated = 0;
	if (max == 0)
		return 0;
	if ((n = memprof_unwind_fast(pcs, max, ra, truncated)) >= 0 ||
	    (n = memprof_unwind_steps(pcs, max, ra, truncated)) >= 0)
		return (unsigned)n;
	*truncated = 1;
	pcs[0] = (uint64_t)(uintptr_t)ra;
	return 1;
}

/* Reserve a record of `type` at full depth, SIGPROF already blocked; NULL
 * (counted) when the ring is full. */
static HL_HOOK_WORK void *
memprof_reserve(unsigned type)
{
	void *rec = ring_reserve(mp.ring, sample_bytes(type, mp.depth));

	if (rec == NULL)
		mp.st.dropped++;
	return rec;
}

/* Returns 0 when the record went into the ring. */
static HL_HOOK_WORK int
memprof_write_alloc(void *p, size_t n, uint64_t weight, unsigned fn,
    const void *ra, int untracked)
{
	struct sample_alloc *s;
	sigset_t old;
	unsigned depth;
	int truncated, rc = -1;

	ring_writer_block(&old);
	if ((s = memprof_reserve(SAMPLE_ALLOC)) == NULL)
		goto out;
	depth = memprof_unwind(s->pcs, mp.depth, ra, &truncated);
	sample_hdr_init(&s->hdr, SAMPLE_ALLOC, depth, memprof_now_ns());
	s->size = n;
	s->addr = (uint64_t)(uintptr_t)p;
	s->weight = weight;
	s->pkg_id = (int32_t)sampler_pkg_id;
	s->fn = (uint16_t)fn;
	s->reserved = 0;
	if (truncated)
		s->hdr.flags |= SAMPLE_F_TRUNCATED;
	if (untracked)
		s->hdr.flags |= SAMPLE_F_UNTRACKED;
	ring_commit(mp.ring, sample_bytes(SAMPLE_ALLOC, depth));
	rc = 0;
out:
	ring_writer_unblock(&old);
	return rc;
}

static HL_HOOK_WORK int
memprof_write_free(uintptr_t addr, uint64_t size, uint64_t weight)
{
	struct sample_free *s;
	sigset_t old;
	int rc = -1;

	ring_writer_block(&old);
	if ((s = ring_reserve(mp.ring, sample_bytes(SAMPLE_FREE, 0))) == NULL) {
		mp.st.dropped++;
		goto out;
	}
	sample_hdr_init(&s->hdr, SAMPLE_FREE, 0, memprof_now_ns());
	s->addr = addr;
	s->size = size;
	s->weight = weight;
	ring_commit(mp.ring, sample_bytes(SAMPLE_FREE, 0));
	rc = 0;
out:
	ring_writer_unblock(&old);
	return rc;
}

static HL_HOOK_WORK int
memprof_write_copy(size_t n, uint64_t weight, unsigned fn, const void *ra)
{
	struct sample_copy *s;
	sigset_t old;
	unsigned depth;
	int truncated, rc = -1;

	ring_writer_block(&old);
	if ((s = memprof_reserve(SAMPLE_COPY)) == NULL)
		goto out;
	depth = memprof_unwind(s->pcs, mp.depth, ra, &truncated);
	sample_hdr_init(&s->hdr, SAMPLE_COPY, depth, memprof_now_ns());
	s->bytes = n;
	s->weight = weight;
	s->pkg_id = (int32_t)sampler_pkg_id;
	s->fn = (uint16_t)fn;
	s->reserved = 0;
	if (truncated)
		s->hdr.flags |= SAMPLE_F_TRUNCATED;
	ring_commit(mp.ring, sample_bytes(SAMPLE_COPY, depth));
	rc = 0;
out:
	ring_writer_unblock(&old);
	return rc;
}

/* --- slow paths ----------------------------------------------------------- */

/* The counter crossed zero: p (n bytes) is sampled. The gate is cleared
 * for the duration (the depth guard) and restored after. */
HL_HOOK_WORK void
memprof_alloc_slow(void *p, size_t n, unsigned fn, const void *ra)
{
	unsigned gate = memprof_self.gate;
	uint64_t t0, weight;
	int untracked;

	if (!(gate & MEMPROF_ALLOC) || sampler_in_handler)
		return;
	memprof_self.gate = 0;
	t0 = memprof_now_ns();
	weight = memprof_weight(n);
	memprof_self.alloc_left = memprof_draw();
	/* Tracked even when the ring drops the record: the heap gauge stays
	 * right, and the master ignores a free it has no alloc for. */
	untracked = memprof_table_insert((uintptr_t)p, n, weight) == -1;
	if (untracked)
		mp.st.untracked++;
	if (memprof_write_alloc(p, n, weight, fn, ra, untracked) == 0)
		mp.st.allocs++;
	mp.st.hook_ns += memprof_now_ns() - t0;
	memprof_self.gate = gate;
}

/* The filter says p may be tracked. */
HL_HOOK_WORK void
memprof_free_slow(void *p)
{
	unsigned gate = memprof_self.gate;
	uint64_t t0, size, weight;

	if (!(gate & MEMPROF_FREE) || sampler_in_handler)
		return;
	memprof_self.gate = 0;
	t0 = memprof_now_ns();
	if (memprof_table_remove((uintptr_t)p, &size, &weight) == 0 &&
	    memprof_write_free((uintptr_t)p, size, weight) == 0)
		mp.st.frees++;
	mp.st.hook_ns += memprof_now_ns() - t0;
	memprof_self.gate = gate;
}

HL_HOOK_WORK void
memprof_copy_slow(size_t n, unsigned fn, const void *ra)
{
	unsigned gate = memprof_self.gate;
	uint64_t t0, dt;

	if (!(gate & MEMPROF_COPY) || sampler_in_handler)
		return;
	memprof_self.gate = 0;
	t0 = memprof_now_ns();
	memprof_self.copy_left = memprof_draw();
	if (memprof_write_copy(n, memprof_weight(n), fn, ra) == 0)
		mp.st.copies++;
	dt = memprof_now_ns() - t0;
	mp.st.hook_ns += dt;
	mp.st.copy_ns += dt;
	memprof_self.gate = gate;
}

__attribute__((noinline)) HL_HOOK_WORK void
memprof_count_copy(size_t bytes, unsigned fn)
{
	memprof_copy(bytes, fn, __builtin_return_address(0));
}

/* --- setup ---------------------------------------------------------------- */

void
memprof_seed(uint64_t seed)
{
	mp.rng = seed != 0 ? seed : 0x9e3779b97f4a7c15ULL;
}

int
memprof_init(const struct memprof_config *cf)
{
	uint64_t pcs[4];
	int truncated;

	if (cf->ring == NULL || cf->mean_bytes == 0) {
		errno = EINVAL;
		return -1;
	}
	memprof_self.gate = memprof_self.on = 0;
	mp.ring = cf->ring;
	mp.mean = (double)cf->mean_bytes;
	mp.depth = cf->depth > SAMPLE_DEPTH_MAX ? SAMPLE_DEPTH_MAX : cf->depth;
	memprof_seed(memprof_now_ns() ^ ((uint64_t)getpid() << 32) ^
	    0x2545f4914f6cdd1dULL);
	memset(&mp.st, 0, sizeof mp.st);
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_GLOBAL);
	memprof_unwind(pcs, 4, __builtin_return_address(0), &truncated);
	memprof_self.on = memprof_self.gate = MEMPROF_FREE;
	return 0;
}

void
memprof_switch(unsigned bits)
{
	unsigned on = (bits & (MEMPROF_ALLOC | MEMPROF_COPY)) | MEMPROF_FREE;

	if (mp.ring == NULL)
		return;
	if ((on & MEMPROF_ALLOC) && !(memprof_self.on & MEMPROF_ALLOC))
		memprof_self.alloc_left = memprof_draw();
	if ((on & MEMPROF_COPY) && !(memprof_self.on & MEMPROF_COPY))
		memprof_self.copy_left = memprof_draw();
	memprof_self.on = memprof_self.gate = on;
}

void
memprof_stop(void)
{
	memprof_self.on = memprof_self.gate = 0;
}

void
memprof_get_stats(struct memprof_stats *st)
{
	*st = mp.st;
	st->tracked = mp.tracked;
	st->heap_bytes = mp.heap_bytes;
}
