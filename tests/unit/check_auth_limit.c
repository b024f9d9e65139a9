/* The per-user tables shared by workers: sums over slots, limits, the
 * reaped slot's share, the sliding message window. */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>

#include "auth/auth_limit.h"
#include "hl_check.h"

START_TEST(test_conns_sum_over_slots)
{
	struct auth_limit *al = auth_limit_create(4);
	uint64_t u = auth_limit_hash("alice"), v = auth_limit_hash("bob");

	ck_assert_ptr_nonnull(al);
	ck_assert_int_eq(auth_limit_conn_open(al, 0, u, 3), 1);
	ck_assert_int_eq(auth_limit_conn_open(al, 1, u, 3), 1);
	ck_assert_int_eq(auth_limit_conn_open(al, 2, u, 3), 1);
	ck_assert_int_eq(auth_limit_conn_open(al, 3, u, 3), 0);
	ck_assert_int_eq(auth_limit_conn_open(al, 0, v, 3), 1);
	ck_assert_uint_eq(auth_limit_conns(al, u), 3);
	auth_limit_conn_close(al, 1, u);
	ck_assert_uint_eq(auth_limit_conns(al, u), 2);
	ck_assert_int_eq(auth_limit_conn_open(al, 3, u, 3), 1);
	/* A reaped worker's share goes with its slot. */
	auth_limit_clear_slot(al, 0);
	ck_assert_uint_eq(auth_limit_conns(al, u), 2);
	ck_assert_uint_eq(auth_limit_conns(al, v), 0);
	ck_assert_int_eq(auth_limit_conn_open(al, 0, u, 0), 1);
	auth_limit_destroy(al);
}
END_TEST

START_TEST(test_table_full_fails_open)
{
	struct auth_limit *al = auth_limit_create(1);
	char name[32];
	int i;

	for (i = 0; i < AUTH_LIMIT_ENTRIES; i++) {
		snprintf(name, sizeof name, "user%d", i);
		ck_assert_int_eq(auth_limit_conn_open(al, 0,
		    auth_limit_hash(name), 5), 1);
	}
	ck_assert_int_eq(auth_limit_conn_open(al, 0,
	    auth_limit_hash("one more"), 5), -1);
	/* A user that left frees its entry for another. */
	auth_limit_conn_close(al, 0, auth_limit_hash("user7"));
	ck_assert_int_eq(auth_limit_message(al, 0, 1, 0, 1000, 5000), 1);
	ck_assert_int_eq(auth_limit_conn_open(al, 0,
	    auth_limit_hash("one more"), 5), 1);
	ck_assert_uint_eq(auth_limit_conns(al, auth_limit_hash("user8")), 1);
	auth_limit_destroy(al);
}
END_TEST

START_TEST(test_message_window)
{
	struct auth_limit *al = auth_limit_create(2);
	uint64_t u = auth_limit_hash("carol");
	int i;

	/* 10 per second over two slots. */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(auth_limit_message(al, (uint32_t)(i % 2), u,
		    10, 1000, 10000 + (uint64_t)i), 1);
	ck_assert_int_eq(auth_limit_message(al, 0, u, 10, 1000, 10500), 0);
	ck_assert_int_eq(auth_limit_message(al, 1, u, 10, 1000, 10999), 0);
	/* Half way into the next window half of the last one still counts. */
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(auth_limit_message(al, 0, u, 10, 1000,
		    11500), 1);
	ck_assert_int_eq(auth_limit_message(al, 1, u, 10, 1000, 11500), 0);
	/* Two windows later all is forgotten. */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(auth_limit_message(al, 1, u, 10, 1000,
		    13000), 1);
	ck_assert_int_eq(auth_limit_message(al, 0, u, 0, 1000, 13000), 1);
	auth_limit_destroy(al);
}
END_TEST

/* The instance-wide verdict from Redis: a block every slot honours, and
 * when the sliding estimate falls below the limit again. */
START_TEST(test_block_and_over_until)
{
	struct auth_limit *al = auth_limit_create(2);
	uint64_t u = auth_limit_hash("alice"), v = auth_limit_hash("bob");
	uint64_t t;

	ck_assert_ptr_nonnull(al);
	ck_assert_int_eq(auth_limit_message(al, 0, u, 10, 1000, 5000), 1);
	auth_limit_block(al, 1, u, 5600);
	ck_assert_int_eq(auth_limit_message(al, 0, u, 10, 1000, 5599), -1);
	ck_assert_int_eq(auth_limit_message(al, 1, u, 10, 1000, 5300), -1);
	ck_assert_int_eq(auth_limit_message(al, 0, v, 10, 1000, 5300), 1);
	ck_assert_int_eq(auth_limit_message(al, 0, u, 10, 1000, 5600), 1);
	/* A reaped slot's block goes with it. */
	auth_limit_block(al, 1, u, 9000);
	auth_limit_clear_slot(al, 1);
	ck_assert_int_eq(auth_limit_message(al, 0, u, 10, 1000, 5700), 1);
	auth_limit_destroy(al);

	/* Under the limit: not over. */
	ck_assert_uint_eq(auth_limit_over_until(9, 0, 10, 1000, 5500), 0);
	ck_assert_uint_eq(auth_limit_over_until(5, 10, 10, 1000, 5600), 0);
	ck_assert_uint_eq(auth_limit_over_until(3, 3, 0, 1000, 5500), 0);
	/* cur alone at the limit: over this window; in the next, 10 * (1 -
	 * t) < 10 from just after its start. */
	t = auth_limit_over_until(10, 0, 10, 1000, 5500);
	ck_assert_uint_eq(t, 6001);
	ck_assert_uint_eq(auth_limit_over_until(9, 0, 10, 1000, t), 0);
	/* 20 in this window: in the next, 20 * (1 - t) < 10 for t > .5. */
	ck_assert_uint_eq(auth_limit_over_until(20, 0, 10, 1000, 5100), 6501);
	ck_assert_uint_eq(auth_limit_over_until(0, 20, 10, 1000, 6501), 0);
	ck_assert_uint_ne(auth_limit_over_until(0, 20, 10, 1000, 6499), 0);
	/* 5 now and 10 before, at 0.2 in: 5 + 8 >= 10, until 10 * (1 - t)
	 * < 5, t > .5. */
	t = auth_limit_over_until(5, 10, 10, 1000, 5200);
	ck_assert_uint_eq(t, 5501);
	ck_assert_uint_eq(auth_limit_over_until(5, 10, 10, 1000, t), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("auth_limit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_conns_sum_over_slots);
	tcase_add_test(tc, test_table_full_fails_open);
	tcase_add_test(tc, test_message_window);
	tcase_add_test(tc, test_block_and_over_until);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
