/* Unit tests for the master's memory bookkeeping: sites and live blocks
 * (memsite.c), the bounded timeline (timeline.c), leak verdicts
 * (leaktrack.c). */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include "profile/leaktrack.h"
#include "profile/memsite.h"
#include "profile/timeline.h"
#include "core/util.h"
#include "hl_check.h"

START_TEST(free_finds_its_site)
{
	uint64_t a[] = { 10, 20 }, b[] = { 10, 30 };
	struct memsites ms;
	uint32_t sa, sb;

	memsites_init(&ms, 4);
	sa = memsites_alloc(&ms, 0, 6, a, 2, 0x1000, 500, 1);
	sb = memsites_alloc(&ms, 1, 6, b, 2, 0x1000, 700, 1);	/* same addr */
	ck_assert_uint_ne(sa, sb);
	ck_assert_uint_eq(memsites_alloc(&ms, 0, 6, a, 2, 0x2000, 100, 1), sa);
	ck_assert_uint_eq(ms.sites[sa].live, 600);
	ck_assert_uint_eq(ms.sites[sa].peak, 600);
	ck_assert_uint_eq(ms.slot_live[0], 600);
	ck_assert_uint_eq(memsites_free_block(&ms, 1, 0x1000), sb);
	ck_assert_uint_eq(memsites_free_block(&ms, 0, 0x1000), sa);
	ck_assert_uint_eq(memsites_free_block(&ms, 0, 0x1000), MEMSITE_NONE);
	ck_assert_uint_eq(ms.unmatched, 1);
	ck_assert_uint_eq(ms.sites[sa].live, 100);
	ck_assert_uint_eq(ms.sites[sa].peak, 600);
	ck_assert_uint_eq(ms.sites[sa].frees, 1);
	ck_assert_uint_eq(ms.sites[sa].allocs, 2);
	ck_assert_uint_eq(ms.sites[sb].live, 0);
	ck_assert_uint_eq(ms.slot_live[1], 0);
	memsites_free(&ms);
}
END_TEST

START_TEST(untracked_counts_volume_not_live)
{
	uint64_t a[] = { 1 };
	struct memsites ms;
	uint32_t s;

	memsites_init(&ms, 1);
	s = memsites_alloc(&ms, 0, -1, a, 1, 0x10, 64, 0);
	ck_assert_uint_eq(ms.sites[s].allocs, 1);
	ck_assert_uint_eq(ms.sites[s].alloc_bytes, 64);
	ck_assert_uint_eq(ms.sites[s].live, 0);
	ck_assert_uint_eq(memsites_free_block(&ms, 0, 0x10), MEMSITE_NONE);
	memsites_free(&ms);
}
END_TEST

/* Many blocks in and out in mixed order: the table (with backward-shift
 * deletion and growth) keeps every live block findable. */
START_TEST(many_blocks_stay_consistent)
{
	uint64_t pcs[] = { 7, 8, 9 };
	struct memsites ms;
	uint64_t addr;
	int i;

	memsites_init(&ms, 2);
	for (i = 0; i < 100000; i++) {
		addr = 0x100000 + (uint64_t)i * 48;
		memsites_alloc(&ms, (uint32_t)(i & 1), 1, pcs, 1 + i % 3, addr,
		    10, 1);
		if (i % 3 == 0)
			ck_assert_uint_ne(memsites_free_block(&ms,
			    (uint32_t)(i & 1), addr), MEMSITE_NONE);
	}
	ck_assert_uint_eq(ms.live_count, 100000 - 33334);
	for (i = 0; i < 100000; i++) {
		if (i % 3 == 0)
			continue;
		addr = 0x100000 + (uint64_t)i * 48;
		ck_assert_uint_ne(memsites_free_block(&ms, (uint32_t)(i & 1),
		    addr), MEMSITE_NONE);
	}
	ck_assert_uint_eq(ms.live_count, 0);
	ck_assert_uint_eq(ms.unmatched, 0);
	ck_assert_uint_eq(ms.slot_live[0] + ms.slot_live[1], 0);
	memsites_free(&ms);
}
END_TEST

START_TEST(gone_slot_drops_its_blocks)
{
	uint64_t pcs[] = { 1 };
	struct memsites ms;
	uint32_t s = 0;
	int i;

	memsites_init(&ms, 3);
	for (i = 0; i < 5000; i++)
		s = memsites_alloc(&ms, (uint32_t)(i % 3), 1, pcs, 1,
		    (uint64_t)i * 16, 1, 1);
	memsites_slot_gone(&ms, 1);
	ck_assert_uint_eq(ms.slot_live[1], 0);
	ck_assert_uint_eq(ms.live_count, 5000 - 1667);	/* i % 3 == 1 */
	ck_assert_uint_eq(ms.sites[s].live, 5000 - 1667);
	/* exits are not frees, but what they held is kept */
	ck_assert_uint_eq(ms.sites[s].frees, 0);
	ck_assert_uint_eq(ms.sites[s].exited, 1667);
	for (i = 0; i < 5000; i++)
		ck_assert_uint_eq(memsites_free_block(&ms, (uint32_t)(i % 3),
		    (uint64_t)i * 16) == MEMSITE_NONE, i % 3 == 1);
	memsites_free(&ms);
}
END_TEST

START_TEST(snapshot_is_a_copy)
{
	uint64_t pcs[] = { 5, 6 };
	struct memsites ms;
	struct memsnap snap;

	memsites_init(&ms, 1);
	memsites_alloc(&ms, 0, 2, pcs, 2, 0x40, 99, 1);
	memsnap_take(&snap, &ms);
	memsites_free_block(&ms, 0, 0x40);
	ck_assert_uint_eq(snap.nsites, 1);
	ck_assert_uint_eq(snap.sites[0].live, 99);
	ck_assert_uint_eq(snap.arena[snap.sites[0].pcs_off + 1], 6);
	memsnap_free(&snap);
	memsites_free(&ms);
}
END_TEST

START_TEST(timeline_stays_bounded)
{
	struct timeline_worker w = { 0, 1, 50, 1000, 10 };
	struct timeline_site top = { 3, 42 };
	struct timeline tl, run;
	int i;

	timeline_init(&tl, 0.5);
	ck_assert(timeline_due(&tl, 0));
	for (i = 0; i < 1000; i++) {
		double t = 100 + i * 0.5;

		if (timeline_due(&tl, t))
			timeline_add(&tl, t, &w, 1, &top, 1);
	}
	ck_assert_int_le(tl.npoints, TIMELINE_MAX_POINTS);
	ck_assert_int_ge(tl.npoints, TIMELINE_MAX_POINTS / 2);
	ck_assert(tl.points[0].t == 100);	/* the origin survives */
	ck_assert(tl.interval_s >= 4);
	for (i = 1; i < tl.npoints; i++)
		ck_assert(tl.points[i].t > tl.points[i - 1].t);
	ck_assert_uint_eq(tl.points[tl.npoints - 1].top[0].live, 42);
	timeline_init(&run, 0.5);
	timeline_append(&run, &tl);
	timeline_append(&run, &tl);	/* same times again: skipped */
	ck_assert_int_le(run.npoints, TIMELINE_MAX_POINTS);
	timeline_free(&run);
	timeline_free(&tl);
}
END_TEST

START_TEST(likelihood_as_scalene)
{
	ck_assert(leak_likelihood(0, 0) == 0);
	ck_assert(leak_likelihood(10, 10) == 0);
	ck_assert(leak_likelihood(100, 90) == 0);	/* clamped */
	ck_assert(leak_likelihood(18, 0) == 0.95);
	ck_assert(leak_likelihood(19, 0) > 0.95);
	ck_assert(leak_likelihood(1000, 1) > 0.99);
}
END_TEST

START_TEST(leak_needs_growth)
{
	static const char file[] = "f.c";
	struct leak_trend tr;
	struct leaktrack lt;
	int i;

	leaktrack_init(&lt);
	/* Growing by 10 kB per 1 s window. */
	for (i = 1; i <= 5; i++)
		leaktrack_record(&lt, file, 7, i - 1, i, (uint64_t)i * 10000);
	leaktrack_trend(&lt, file, 7, 5, 6, 60000, &tr);
	ck_assert_int_eq(tr.steps, 6);
	ck_assert_int_eq(tr.up, 6);
	ck_assert(tr.growth > 9999 && tr.growth < 10001);
	ck_assert(leak_flagged(0.99, &tr, 1024));
	ck_assert(!leak_flagged(0.90, &tr, 1024));	/* freed enough */
	ck_assert(!leak_flagged(0.99, &tr, 20000));	/* too slow */
	/* Flat: steady state is not a leak. */
	leaktrack_trend(&lt, file, 7, 5, 6, 50000, &tr);
	ck_assert(!leak_flagged(0.99, &tr, 1024));
	/* A line seen once: its origin is the window's start, at zero. */
	leaktrack_trend(&lt, "g.c", 1, 10, 12, 4000, &tr);
	ck_assert_int_eq(tr.steps, 1);
	ck_assert(tr.growth == 2000);
	/* Recording the point the trend was asked about counts it once:
	 * origin + 6 points, 6 steps. */
	leaktrack_record(&lt, file, 7, 5, 6, 60000);
	leaktrack_trend(&lt, file, 7, 5, 6, 60000, &tr);
	ck_assert_int_eq(tr.steps, 6);
	/* The history is bounded: old points roll off. */
	for (i = 7; i < 30; i++)
		leaktrack_record(&lt, file, 7, i - 1, i, (uint64_t)i * 10000);
	leaktrack_trend(&lt, file, 7, 29, 30, 300000, &tr);
	ck_assert_int_eq(tr.steps, LEAK_HISTORY - 1);
	leaktrack_free(&lt);
}
END_TEST

/* The final report's verdict takes the whole run: more steps than the
 * history holds, growth from the first point, and a last step that did
 * not move leaves the earlier growth standing. */
START_TEST(leak_over_the_run)
{
	static const char file[] = "f.c";
	struct leak_trend tr;
	struct leaktrack lt;
	int i;

	leaktrack_init(&lt);
	for (i = 1; i <= 20; i++)
		leaktrack_record(&lt, file, 7, i - 1, i, (uint64_t)i * 10000);
	leaktrack_run_trend(&lt, file, 7, 20, 20.5, 200000, &tr);
	ck_assert_int_eq(tr.steps, 20);		/* origin + 20 points */
	ck_assert_int_eq(tr.up, 20);
	/* 200 kB over 20.5 s */
	ck_assert(tr.growth > 9700 && tr.growth < 9800);
	ck_assert(leak_flagged(0.99, &tr, 1024));
	/* The stop saw a lower point: the last step went down. */
	leaktrack_run_trend(&lt, file, 7, 20, 20.5, 150000, &tr);
	ck_assert_int_eq(tr.steps, 21);
	ck_assert(!leak_flagged(0.99, &tr, 1024));
	/* A line the windows never saw: as one window. */
	leaktrack_run_trend(&lt, "g.c", 1, 10, 12, 4000, &tr);
	ck_assert_int_eq(tr.steps, 1);
	ck_assert(tr.growth == 2000);
	/* A run that stopped growing half-way is no leak at the end. */
	for (i = 1; i <= 20; i++)
		leaktrack_record(&lt, "h.c", 3, i - 1, i,
		    (uint64_t)HL_MIN(i, 10) * 10000);
	leaktrack_run_trend(&lt, "h.c", 3, 20, 20.5, 100000, &tr);
	ck_assert(!leak_flagged(0.99, &tr, 1024));
	leaktrack_free(&lt);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("memsite");
	TCase *tc = tcase_create("memory");

	tcase_add_test(tc, free_finds_its_site);
	tcase_add_test(tc, untracked_counts_volume_not_live);
	tcase_add_test(tc, many_blocks_stay_consistent);
	tcase_add_test(tc, gone_slot_drops_its_blocks);
	tcase_add_test(tc, snapshot_is_a_copy);
	tcase_add_test(tc, timeline_stays_bounded);
	tcase_add_test(tc, likelihood_as_scalene);
	tcase_add_test(tc, leak_needs_growth);
	tcase_add_test(tc, leak_over_the_run);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
