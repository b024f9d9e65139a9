/* Unit tests for the stack aggregation table. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include "profile/stacktab.h"
#include "hl_check.h"

static uint64_t
total_of(const struct stacktab *t, uint64_t *weight)
{
	const struct stack_entry *e;
	uint64_t n = 0;
	size_t i = 0;

	*weight = 0;
	while ((e = stacktab_next(t, &i)) != NULL) {
		n += e->samples;
		*weight += e->weight_ns;
	}
	return n;
}

START_TEST(same_stack_aggregates)
{
	uint64_t a[] = { 1, 2, 3 }, b[] = { 1, 2, 4 }, w;
	struct stacktab t;

	stacktab_init(&t, 100);
	stacktab_add(&t, 0, 7, a, 3, 1, 10);
	stacktab_add(&t, 0, 7, a, 3, 1, 20);
	stacktab_add(&t, 0, 7, b, 3, 1, 5);
	stacktab_add(&t, 1, 7, a, 3, 1, 5);	/* other class */
	stacktab_add(&t, 0, 8, a, 3, 1, 5);	/* other pkg_id */
	stacktab_add(&t, 0, 7, a, 2, 1, 5);	/* other depth */
	ck_assert_uint_eq(t.count, 5);
	ck_assert_uint_eq(total_of(&t, &w), 6);
	ck_assert_uint_eq(w, 50);
	ck_assert_uint_eq(t.samples, 6);
	ck_assert_uint_eq(t.weight_ns, 50);
	stacktab_free(&t);
}
END_TEST

/* Thousands of distinct stacks: growth of slots and arena keeps every
 * entry's pcs right. */
START_TEST(growth_keeps_pcs)
{
	struct stacktab t;
	const struct stack_entry *e;
	uint64_t pcs[8], w;
	size_t i = 0;
	int k, j;

	stacktab_init(&t, 1000000);
	for (k = 0; k < 20000; k++) {
		for (j = 0; j < 8; j++)
			pcs[j] = (uint64_t)k * 100 + (uint64_t)j;
		stacktab_add(&t, 0, -1, pcs, 1 + k % 8, 1, 1);
	}
	ck_assert_uint_eq(t.count, 20000);
	ck_assert_uint_eq(total_of(&t, &w), 20000);
	while ((e = stacktab_next(&t, &i)) != NULL) {
		const uint64_t *p = stacktab_pcs(&t, e);
		uint64_t k0 = p[0] / 100;

		ck_assert_uint_eq(e->depth, 1 + k0 % 8);
		for (j = 0; j < e->depth; j++)
			ck_assert_uint_eq(p[j], k0 * 100 + (uint64_t)j);
	}
	stacktab_free(&t);
}
END_TEST

START_TEST(bounded_with_overflow)
{
	struct stacktab t;
	uint64_t pc, w;

	stacktab_init(&t, 10);
	for (pc = 0; pc < 25; pc++)
		stacktab_add(&t, 0, 0, &pc, 1, 1, 3);
	ck_assert_uint_eq(t.count, 10);
	ck_assert_uint_eq(t.overflow, 15);
	ck_assert_uint_eq(t.overflow_ns, 45);
	ck_assert_uint_eq(t.samples, 25);
	pc = 3;
	/* a stored stack still counts */
	stacktab_add(&t, 0, 0, &pc, 1, 1, 3);
	ck_assert_uint_eq(total_of(&t, &w), 11);
	stacktab_free(&t);
}
END_TEST

START_TEST(merge_and_clear)
{
	struct stacktab a, b;
	uint64_t x[] = { 9, 8 }, y[] = { 7 }, w;

	stacktab_init(&a, 100);
	stacktab_init(&b, 100);
	stacktab_add(&a, 0, 1, x, 2, 2, 20);
	stacktab_add(&b, 0, 1, x, 2, 1, 10);
	stacktab_add(&b, 2, 1, y, 1, 1, 10);
	stacktab_merge(&a, &b);
	ck_assert_uint_eq(a.count, 2);
	ck_assert_uint_eq(total_of(&a, &w), 4);
	ck_assert_uint_eq(w, 40);
	stacktab_clear(&b);
	ck_assert_uint_eq(b.count, 0);
	ck_assert_uint_eq(total_of(&b, &w), 0);
	stacktab_add(&b, 0, 1, y, 1, 1, 1);
	ck_assert_uint_eq(b.count, 1);
	stacktab_free(&a);
	stacktab_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("stacktab");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, same_stack_aggregates);
	tcase_add_test(tc, growth_keeps_pcs);
	tcase_add_test(tc, bounded_with_overflow);
	tcase_add_test(tc, merge_and_clear);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
