/* The memory profiler's sampling (src/prof/memprof.c) and, where the build has
 * them, the interposed hooks (src/prof/memhook.c, linked into this test): the
 * sampled volume is unbiased, the table of sampled blocks keeps its
 * invariants, records carry what the master needs, and a hook entered
 * from the signal handler or from another hook only forwards. */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prof/memprof.h"
#include "prof/ring.h"
#include "prof/record.h"
#include "prof/sampler.h"
#include "hl_check.h"

#define RING_CAP	(4u << 20)
#define FAKE_BASE	((uintptr_t)0x7e0000000000ULL)	/* never mapped here */
#define MAX_KEPT	64

static struct ring *ring;
static uint64_t bad_records;	/* sample_check() refused: none expected */

/* What a drain saw: sums for the fake blocks, copies of the last records. */
struct seen {
	uint64_t	 allocs, frees, copies, other, bad;
	double		 alloc_weight, copy_weight, free_weight;
	unsigned	 nkept;
	struct {
		struct sample_hdr hdr;
		uint64_t	 a, b, c;	/* size addr weight | addr size
						 * weight | bytes weight - */
		uint16_t	 fn;
		int32_t		 pkg_id;
		uint64_t	 pc0;
	} kept[MAX_KEPT];
};

static void
seen_cb(const void *rec, size_t len, void *arg)
{
	struct seen *sn = arg;
	const struct sample_hdr *h = rec;
	const struct sample_alloc *a = rec;
	const struct sample_free *f = rec;
	const struct sample_copy *c = rec;
	unsigned k;

	if (sample_check(rec, len) <= 0)
		sn->bad++;	/* asserted by the caller: check allocates */
	if (sn->nkept < MAX_KEPT) {
		k = sn->nkept++;
		memset(&sn->kept[k], 0, sizeof sn->kept[k]);
		sn->kept[k].hdr = *h;
		sn->kept[k].pc0 = h->depth > 0 ? sample_pcs(h)[0] : 0;
	} else
		k = MAX_KEPT;
	switch (h->type) {
	case SAMPLE_ALLOC:
		sn->allocs++;
		if (a->addr >= FAKE_BASE)
			sn->alloc_weight += (double)a->weight;
		if (k < MAX_KEPT) {
			sn->kept[k].a = a->size;
			sn->kept[k].b = a->addr;
			sn->kept[k].c = a->weight;
			sn->kept[k].fn = a->fn;
			sn->kept[k].pkg_id = a->pkg_id;
		}
		break;
	case SAMPLE_FREE:
		sn->frees++;
		if (f->addr >= FAKE_BASE)
			sn->free_weight += (double)f->weight;
		if (k < MAX_KEPT) {
			sn->kept[k].a = f->addr;
			sn->kept[k].b = f->size;
			sn->kept[k].c = f->weight;
		}
		break;
	case SAMPLE_COPY:
		sn->copies++;
		if (c->fn == SAMPLE_FN_READ)
			sn->copy_weight += (double)c->weight;
		if (k < MAX_KEPT) {
			sn->kept[k].a = c->bytes;
			sn->kept[k].b = c->weight;
			sn->kept[k].fn = c->fn;
			sn->kept[k].pkg_id = c->pkg_id;
		}
		break;
	default:
		sn->other++;
	}
}

/* Take every record out of the ring. Sampling must be off meanwhile
 * (and around ck_assert, which allocates) in the tests that count. */
static void
drain(struct seen *sn)
{
	memset(sn, 0, sizeof *sn);
	ring_drain(ring, 0, seen_cb, sn);
	bad_records += sn->bad;
}

/* Sampling on for one statement. */
#define SAMPLED(bits, stmt)	do {					\
	memprof_switch(bits);						\
	stmt;								\
	memprof_switch(0);						\
} while (0)

/* A ring and the profiler on this thread, sampling off. */
static void
setup(uint64_t mean)
{
	static void *mem;
	struct memprof_config cf = { .mean_bytes = mean, .depth = 16 };

	if (mem == NULL)
		mem = aligned_alloc(64, ring_bytes(RING_CAP));
	ck_assert_ptr_nonnull(mem);
	ring = ring_init(mem, RING_CAP);
	ck_assert_ptr_nonnull(ring);
	cf.ring = ring;
	ck_assert_int_eq(memprof_init(&cf), 0);
	memprof_seed(12345);
	memprof_table_clear();
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mixed sizes: mostly small, some medium, a few large. */
static size_t
mixed_size(uint64_t *s)
{
	uint64_t r = rnd(s);

	switch (r % 10) {
	case 0:
		return 4096 + (size_t)(r >> 8) % 65536;
	case 1:
	case 2:
		return 512 + (size_t)(r >> 8) % 4096;
	default:
		return 8 + (size_t)(r >> 8) % 256;
	}
}

/* The sum of weights estimates the true volume: over ~200 MB of mixed
 * sizes at a 4 KiB mean (~40000 samples, a standard error near 0.5 %),
 * within 3 %; and the frees give back exactly what was counted. */
START_TEST(sampled_volume_is_unbiased)
{
	struct seen sn;
	uint64_t s = 88172645463325252ULL, total = 0, n, allocs = 0;
	double expected_samples = 0, weight = 0, freed = 0;
	unsigned i;

	setup(4096);
	memprof_switch(MEMPROF_ALLOC);
	drain(&sn);
	for (i = 0; i < 200000; i++) {
		void *p = (void *)(FAKE_BASE + (uintptr_t)i * 64);

		n = mixed_size(&s);
		total += n;
		expected_samples += -expm1(-(double)n / 4096);
		memprof_alloc(p, n, SAMPLE_FN_MALLOC, NULL);
		memprof_free(p);
		if (i % 1000 == 999) {
			drain(&sn);
			allocs += sn.allocs;
			weight += sn.alloc_weight;
			freed += sn.free_weight;
		}
	}
	memprof_switch(0);
	drain(&sn);
	allocs += sn.allocs;
	weight += sn.alloc_weight;
	freed += sn.free_weight;
	printf("# %llu bytes, estimate %.0f (%+.2f %%), %llu samples "
	    "(expected %.0f)\n", (unsigned long long)total, weight,
	    100 * (weight / (double)total - 1), (unsigned long long)allocs,
	    expected_samples);
	ck_assert(fabs(weight / (double)total - 1) < 0.03);
	ck_assert(fabs((double)allocs / expected_samples - 1) < 0.05);
	ck_assert(fabs(freed - weight) < 1);
	ck_assert_uint_eq(bad_records, 0);
}
END_TEST

static __attribute__((noinline)) void
count_read(size_t n)
{
	memprof_count_copy(n, SAMPLE_FN_READ);
	__asm__ volatile("");	/* keep the call out of tail position */
}

/* Explicit byte counts: unbiased too, charged to the caller's line. */
START_TEST(copy_counts_are_unbiased_and_charged_to_the_caller)
{
	struct seen sn;
	uint64_t s = 42, total = 0, n, copies = 0;
	double weight = 0;
	unsigned i;

	setup(4096);
	count_read(1 << 20);	/* off: nothing */
	drain(&sn);
	ck_assert_uint_eq(sn.copies, 0);
	memprof_switch(MEMPROF_COPY);
	for (i = 0; i < 100000; i++) {
		n = mixed_size(&s);
		total += n;
		count_read(n);
		if (i % 1000 == 999) {
			drain(&sn);
			copies += sn.copies;
			weight += sn.copy_weight;
		}
	}
	memprof_switch(0);
	drain(&sn);
	weight += sn.copy_weight;
	ck_assert(fabs(weight / (double)total - 1) < 0.03);
	count_read(1 << 20);
	drain(&sn);
	ck_assert_uint_eq(sn.copies, 0);
	memprof_switch(MEMPROF_COPY);
	sampler_pkg_id = 7;
	count_read(1 << 20);	/* p = 1 - exp(-256): sampled */
	sampler_pkg_id = SAMPLE_NO_PKG;
	drain(&sn);
	ck_assert_uint_eq(sn.copies, 1);
	ck_assert_uint_eq(sn.kept[0].a, 1 << 20);
	ck_assert_uint_eq(sn.kept[0].b, 1 << 20);
	ck_assert_uint_eq(sn.kept[0].fn, SAMPLE_FN_READ);
	ck_assert_int_eq(sn.kept[0].pkg_id, 7);
	ck_assert_uint_ge(sn.kept[0].hdr.depth, 2);
	ck_assert_uint_gt(sn.kept[0].pc0, (uintptr_t)count_read);
	ck_assert_uint_lt(sn.kept[0].pc0, (uintptr_t)count_read + 64);
	ck_assert_uint_eq(bad_records, 0);
}
END_TEST

/* Addresses with the same home bucket as `addr`, beyond it. */
static uintptr_t
same_home(uintptr_t addr, unsigned skip)
{
	uintptr_t a = addr;

	do {
		a += 16;
	} while (memprof_home(a) != memprof_home(addr) || skip-- > 0);
	return a;
}

static int
filter_bit(uintptr_t addr)
{
	unsigned h = memprof_home(addr);

	return (int)(memprof_filter[h / 64] >> (h % 64) & 1);
}

START_TEST(table_insert_find_remove)
{
	uintptr_t a = FAKE_BASE, b = same_home(a, 0), c = same_home(a, 1);
	uint64_t size, weight;
	struct memprof_stats st;

	setup(4096);
	ck_assert(!filter_bit(a));
	ck_assert_int_eq(memprof_table_insert(a, 10, 100), 0);
	ck_assert_int_eq(memprof_table_insert(b, 20, 200), 0);
	ck_assert_int_eq(memprof_table_insert(c, 30, 300), 0);
	ck_assert_uint_eq(memprof_table_count(), 3);
	memprof_get_stats(&st);
	ck_assert_uint_eq(st.heap_bytes, 600);
	ck_assert_uint_eq(st.tracked, 3);
	ck_assert(filter_bit(a));
	ck_assert_int_eq(memprof_table_find(c, &size, &weight), 0);
	ck_assert_uint_eq(size, 30);
	ck_assert_uint_eq(weight, 300);
	/* The cluster's head goes: the others move back and stay found. */
	ck_assert_int_eq(memprof_table_remove(a, &size, &weight), 0);
	ck_assert_uint_eq(size, 10);
	ck_assert_int_eq(memprof_table_find(a, &size, &weight), -1);
	ck_assert_int_eq(memprof_table_find(b, &size, &weight), 0);
	ck_assert_uint_eq(size, 20);
	ck_assert_int_eq(memprof_table_find(c, &size, &weight), 0);
	ck_assert(filter_bit(a));
	/* Re-inserting a tracked address replaces it (its free was missed). */
	ck_assert_int_eq(memprof_table_insert(b, 21, 210), 0);
	ck_assert_uint_eq(memprof_table_count(), 2);
	memprof_get_stats(&st);
	ck_assert_uint_eq(st.heap_bytes, 510);
	ck_assert_int_eq(memprof_table_remove(b, &size, &weight), 0);
	ck_assert_uint_eq(size, 21);
	ck_assert_int_eq(memprof_table_remove(c, &size, &weight), 0);
	ck_assert_int_eq(memprof_table_remove(c, &size, &weight), -1);
	ck_assert_uint_eq(memprof_table_count(), 0);
	memprof_get_stats(&st);
	ck_assert_uint_eq(st.heap_bytes, 0);
	ck_assert(!filter_bit(a));
	ck_assert_int_eq(memprof_table_insert(0, 1, 1), -1);
}
END_TEST

/* Random inserts and removes against a reference: every tracked block is
 * found with its size, nothing else is, and a filter bit is set exactly
 * where some tracked block has its home. */
START_TEST(table_matches_a_reference)
{
	static uint8_t in[1 << 15];
	uint64_t s = 7, size, weight;
	unsigned i, k, count = 0;
	uintptr_t a;

	setup(4096);
	for (i = 0; i < 400000; i++) {
		k = (unsigned)(rnd(&s) % (1 << 15));
		a = FAKE_BASE + (uintptr_t)k * 48;
		if (in[k]) {
			ck_assert_int_eq(memprof_table_remove(a, &size,
			    &weight), 0);
			ck_assert_uint_eq(size, k);
			in[k] = 0;
			count--;
		} else if (count < 20000) {
			ck_assert_int_eq(memprof_table_insert(a, k, 2 * k), 0);
			in[k] = 1;
			count++;
		}
	}
	ck_assert_uint_eq(memprof_table_count(), count);
	for (k = 0; k < (1 << 15); k++) {
		a = FAKE_BASE + (uintptr_t)k * 48;
		ck_assert_int_eq(memprof_table_find(a, &size, &weight),
		    in[k] ? 0 : -1);
		if (in[k])
			ck_assert(filter_bit(a));
	}
	for (k = 0; k < (1 << 15); k++)
		if (in[k])
			memprof_table_remove(FAKE_BASE + (uintptr_t)k * 48,
			    &size, &weight);
	for (k = 0; k < MEMPROF_TABLE_SIZE / 64; k++)
		ck_assert_uint_eq(memprof_filter[k], 0);
}
END_TEST

/* A full table refuses; the sampled path still writes the alloc record,
 * flagged untracked, and counts it. */
START_TEST(table_full_writes_untracked)
{
	struct memprof_stats st;
	struct seen sn;
	uint64_t size, weight;
	unsigned i;

	setup(1);
	for (i = 0; i < MEMPROF_TABLE_MAX; i++)
		ck_assert_int_eq(memprof_table_insert(FAKE_BASE + (uintptr_t)i *
		    16, 1, 1), 0);
	ck_assert_int_eq(memprof_table_insert(FAKE_BASE - 16, 1, 1), -1);
	memprof_switch(MEMPROF_ALLOC);
	drain(&sn);
	memprof_alloc((void *)(FAKE_BASE - 32), 4096, SAMPLE_FN_MALLOC, NULL);
	memprof_switch(0);
	drain(&sn);
	ck_assert_uint_eq(sn.allocs, 1);
	ck_assert(sn.kept[0].hdr.flags & SAMPLE_F_UNTRACKED);
	ck_assert_uint_eq(sn.kept[0].b, FAKE_BASE - 32);
	memprof_get_stats(&st);
	ck_assert_uint_eq(st.untracked, 1);
	ck_assert_int_eq(memprof_table_find(FAKE_BASE - 32, &size, &weight),
	    -1);
	ck_assert_int_eq(memprof_table_remove(FAKE_BASE, &size, &weight), 0);
	ck_assert_int_eq(memprof_table_insert(FAKE_BASE - 16, 1, 1), 0);
}
END_TEST

/* Entered with the signal handler running, or with the gate cleared as
 * the slow path does (the depth guard), a hook only forwards: no record,
 * no counter change, no table change. */
START_TEST(hooks_in_handler_or_nested_only_forward)
{
	struct seen sn;
	int64_t left, left_after;
	unsigned in_table, nested_table;
	void *p = (void *)(FAKE_BASE + 4096);

	setup(1);
	drain(&sn);
	memprof_switch(MEMPROF_ALLOC | MEMPROF_COPY);
	left = memprof_self.alloc_left;
	sampler_in_handler = 1;
	memprof_alloc(p, 1 << 20, SAMPLE_FN_MALLOC, NULL);
	memprof_copy(1 << 20, SAMPLE_FN_MEMCPY, NULL);
	memprof_alloc_slow(p, 1 << 20, SAMPLE_FN_MALLOC, NULL);
	memprof_copy_slow(1 << 20, SAMPLE_FN_MEMCPY, NULL);
	sampler_in_handler = 0;
	left_after = memprof_self.alloc_left;
	in_table = memprof_table_count();
	/* Sampled now; its free inside the handler is not reported. */
	memprof_alloc(p, 1 << 20, SAMPLE_FN_MALLOC, NULL);
	sampler_in_handler = 1;
	memprof_free(p);
	sampler_in_handler = 0;
	memprof_self.gate = 0;	/* inside a slow path */
	memprof_alloc(p, 1 << 20, SAMPLE_FN_MALLOC, NULL);
	memprof_free(p);
	memprof_copy(1 << 20, SAMPLE_FN_MEMCPY, NULL);
	memprof_self.gate = memprof_self.on;
	nested_table = memprof_table_count();
	memprof_switch(0);
	ck_assert_int_eq(left_after, left);
	ck_assert_uint_eq(in_table, 0);
	ck_assert_uint_eq(nested_table, 1);
	drain(&sn);
	ck_assert_uint_eq(sn.allocs, 1);
	ck_assert_uint_eq(sn.frees, 0);
	ck_assert_uint_eq(sn.copies, 0);
	/* Sampling off still reports the free of a sampled block. */
	memprof_free(p);
	drain(&sn);
	ck_assert_uint_eq(sn.frees, 1);
	ck_assert_uint_eq(sn.kept[0].a, (uintptr_t)p);
	ck_assert_uint_eq(sn.kept[0].b, 1 << 20);
	memprof_stop();
	memprof_alloc(p, 1 << 20, SAMPLE_FN_MALLOC, NULL);
	drain(&sn);
	ck_assert_uint_eq(sn.allocs, 0);
}
END_TEST

#ifdef HL_MEMHOOKS
static __attribute__((noinline)) void *
alloc_here(size_t n)
{
	void *p = malloc(n);

	__asm__ volatile("");
	return p;
}

/* The real hooks, sampling every call (mean 1 byte): records carry the
 * block, the function and a stack that starts in the caller; realloc
 * reports the old block's free, then the new block; every call returns
 * what glibc's would. One sampled call writes exactly one record: what
 * the slow path itself calls (libunwind, the ring) is not sampled. */
START_TEST(real_hooks_record_what_they_should)
{
	struct seen sn;
	void *p, *q, *r = NULL, *z;
	int rc;

	setup(1);
	drain(&sn);
	SAMPLED(MEMPROF_ALLOC | MEMPROF_COPY, p = alloc_here(1000));
	drain(&sn);
	ck_assert_uint_eq(sn.nkept, 1);
	ck_assert_uint_eq(sn.kept[0].hdr.type, SAMPLE_ALLOC);
	ck_assert_uint_eq(sn.kept[0].a, 1000);
	ck_assert_uint_eq(sn.kept[0].b, (uintptr_t)p);
	ck_assert_uint_eq(sn.kept[0].fn, SAMPLE_FN_MALLOC);
	ck_assert_uint_gt(sn.kept[0].pc0, (uintptr_t)alloc_here);
	ck_assert_uint_lt(sn.kept[0].pc0, (uintptr_t)alloc_here + 64);
	ck_assert_uint_ge(sn.kept[0].c, 1000);
	SAMPLED(MEMPROF_ALLOC | MEMPROF_COPY, q = realloc(p, 100000));
	drain(&sn);
	ck_assert_uint_eq(sn.nkept, 2);
	ck_assert_uint_eq(sn.kept[0].hdr.type, SAMPLE_FREE);
	ck_assert_uint_eq(sn.kept[0].a, (uintptr_t)p);
	ck_assert_uint_eq(sn.kept[0].b, 1000);
	ck_assert_uint_eq(sn.kept[1].hdr.type, SAMPLE_ALLOC);
	ck_assert_uint_eq(sn.kept[1].fn, SAMPLE_FN_REALLOC);
	ck_assert_uint_eq(sn.kept[1].b, (uintptr_t)q);
	ck_assert_uint_eq(sn.kept[1].a, 100000);
	/* glibc: frees, returns NULL */
	SAMPLED(MEMPROF_ALLOC | MEMPROF_COPY, z = realloc(q, 0));
	ck_assert_ptr_null(z);
	drain(&sn);
	ck_assert_uint_eq(sn.nkept, 1);
	ck_assert_uint_eq(sn.kept[0].hdr.type, SAMPLE_FREE);
	ck_assert_uint_eq(sn.kept[0].a, (uintptr_t)q);
	SAMPLED(MEMPROF_ALLOC | MEMPROF_COPY, free(NULL); p = calloc(10, 300));
	drain(&sn);
	ck_assert_uint_eq(sn.nkept, 1);
	ck_assert_int_eq(((char *)p)[2999], 0);
	ck_assert_uint_eq(sn.kept[0].fn, SAMPLE_FN_CALLOC);
	ck_assert_uint_eq(sn.kept[0].a, 3000);
	free(p);
	SAMPLED(MEMPROF_ALLOC | MEMPROF_COPY,
	    rc = posix_memalign(&r, 256, 5000);
	    p = aligned_alloc(64, 640); q = memalign(4096, 10));
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq((uintptr_t)r % 256, 0);
	ck_assert_uint_eq((uintptr_t)p % 64, 0);	/* used: not elided */
	ck_assert_uint_eq((uintptr_t)q % 4096, 0);
	drain(&sn);
	ck_assert_uint_eq(sn.nkept, 4);	/* the first free, three allocs */
	ck_assert_uint_eq(sn.allocs, 3);
	ck_assert_uint_eq(sn.kept[1].fn, SAMPLE_FN_MEMALIGN);
	ck_assert_uint_eq(sn.kept[1].b, (uintptr_t)r);
	ck_assert_uint_eq(sn.kept[3].b, (uintptr_t)q);
	free(r);
	free(p);
	free(q);
	drain(&sn);
	ck_assert_uint_eq(sn.frees, 3);
	ck_assert_uint_eq(memprof_table_count(), 0);
	ck_assert_uint_eq(bad_records, 0);
}
END_TEST

/* memcpy and memmove are hooked too (only calls gcc does not inline). */
START_TEST(real_copy_hooks_record)
{
	static char a[8192], b[8192];
	void *(*volatile cp)(void *, const void *, size_t) = memcpy;
	void *(*volatile mv)(void *, const void *, size_t) = memmove;
	struct seen sn;
	void *r1, *r2;

	setup(1);
	memset(a, 'x', sizeof a);
	drain(&sn);
	SAMPLED(MEMPROF_COPY, r1 = cp(b, a, sizeof a); r2 = mv(a + 1, a, 100));
	ck_assert_ptr_eq(r1, b);
	ck_assert_ptr_eq(r2, a + 1);
	drain(&sn);
	ck_assert_uint_eq(sn.copies, 2);
	ck_assert_uint_eq(sn.kept[0].fn, SAMPLE_FN_MEMCPY);
	ck_assert_uint_eq(sn.kept[0].a, sizeof a);
	ck_assert_uint_eq(sn.kept[1].fn, SAMPLE_FN_MEMMOVE);
	ck_assert_int_eq(b[8191], 'x');
}
END_TEST
#endif

int
main(void)
{
	Suite *s = suite_create("memprof");
	TCase *tc = tcase_create("sampling");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sampled_volume_is_unbiased);
	tcase_add_test(tc, copy_counts_are_unbiased_and_charged_to_the_caller);
	tcase_add_test(tc, table_insert_find_remove);
	tcase_add_test(tc, table_matches_a_reference);
	tcase_add_test(tc, table_full_writes_untracked);
	tcase_add_test(tc, hooks_in_handler_or_nested_only_forward);
#ifdef HL_MEMHOOKS
	tcase_add_test(tc, real_hooks_record_what_they_should);
	tcase_add_test(tc, real_copy_hooks_record);
#endif
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
