/* Unit tests for the exited workers' rows (profd/run.c): bounded, and
 * nothing lost past the bound. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include "profd/run.h"
#include "core/util.h"
#include "hl_check.h"

START_TEST(rows_fold_past_the_bound)
{
	struct report_worker w = { .samples = 10, .utime_s = 1, .stime_s = 0.5,
	    .exited = 1 }, *all, *live;
	struct run_rows r;
	int i, n;

	run_rows_init(&r, 3);
	for (i = 0; i < 10; i++) {
		w.pid = 100 + i;
		run_rows_add(&r, &w);
	}
	ck_assert_int_eq(r.n, 3);
	ck_assert_int_eq(r.rows[0].pid, 100);
	ck_assert_int_eq(r.rows[1].folded, 0);
	ck_assert_int_eq(r.rows[2].pid, 102);
	ck_assert_uint_eq(r.rows[2].folded, 7);
	ck_assert_uint_eq(r.rows[2].samples, 80);
	ck_assert(r.rows[2].utime_s == 8 && r.rows[2].stime_s == 4);
	/* Running workers first, then the exited ones. */
	live = xcalloc(1, sizeof *live);
	live[0].pid = 7;
	all = run_rows_join(&r, live, 1, &n);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(all[0].pid, 7);
	ck_assert_int_eq(all[1].pid, 100);
	free(all);
	/* A new window forgets them. */
	run_rows_clear(&r);
	all = run_rows_join(&r, xcalloc(1, sizeof *all), 0, &n);
	ck_assert_int_eq(n, 0);
	free(all);
	run_rows_free(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("rows");

	tcase_add_test(tc, rows_fold_past_the_bound);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
