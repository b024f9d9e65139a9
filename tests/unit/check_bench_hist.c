/*
 * Unit tests for hotline-bench's log-linear histogram: percentiles against
 * exactly sorted data within the stated precision, merging, edge cases.
 */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "hl_check.h"

#define N 200000
static const double pcts[] = { 0, 1, 10, 50, 90, 99, 99.9, 99.99, 100 };

static struct hist ha, hb, hall;
static uint64_t vals[N];

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A deterministic generator, log-uniform over [1, 2^bits). */
static uint64_t
next_value(uint64_t *state, unsigned bits)
{
	uint64_t x = *state;
	unsigned e;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	e = (unsigned)(x % bits);
	return ((x >> 8) & ((UINT64_C(1) << e) - 1)) | (UINT64_C(1) << e);
}

/* Every percentile is at or above the exact one and within 1/128 of it. */
static void
check_against_sorted(const struct hist *h, uint64_t *v, size_t n)
{
	size_t i;

	qsort(v, n, sizeof *v, cmp_u64);
	for (i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
		uint64_t exact = v[hist_rank(pcts[i], n) - 1];
		uint64_t got = hist_percentile(h, pcts[i]);

		if (pcts[i] == 0)
			exact = v[0];
		ck_assert_msg(got >= exact, "p%g: %llu below exact %llu",
		    pcts[i], (unsigned long long)got,
		    (unsigned long long)exact);
		ck_assert_msg((double)(got - exact) <= (double)exact / 128.0,
		    "p%g: %llu vs exact %llu beyond 1/128", pcts[i],
		    (unsigned long long)got, (unsigned long long)exact);
		if (exact < HIST_SUB)
			ck_assert_uint_eq(got, exact);
	}
	ck_assert_uint_eq(h->min, v[0]);
	ck_assert_uint_eq(h->max, v[n - 1]);
}

START_TEST(empty)
{
	hist_init(&ha);
	ck_assert_uint_eq(hist_percentile(&ha, 50), 0);
	ck_assert_uint_eq(hist_percentile(&ha, 100), 0);
	ck_assert(hist_mean(&ha) == 0);
}
END_TEST

START_TEST(rank_definition)
{
	ck_assert_uint_eq(hist_rank(99.9, 1000), 999);
	ck_assert_uint_eq(hist_rank(50, 1), 1);
	ck_assert_uint_eq(hist_rank(50, 2), 1);
	ck_assert_uint_eq(hist_rank(50, 3), 2);
	ck_assert_uint_eq(hist_rank(0, 10), 1);
	ck_assert_uint_eq(hist_rank(100, 10), 10);
	ck_assert_uint_eq(hist_rank(99.99, 200000), 199980);
}
END_TEST

START_TEST(buckets_are_contiguous)
{
	unsigned i;

	for (i = 0; i + 1 < HIST_BUCKETS; i++) {
		uint64_t hi = hist_bucket_high(i);

		ck_assert_uint_eq(hist_index(hi), i);
		ck_assert_uint_eq(hist_index(hi + 1), i + 1);
	}
	ck_assert_uint_eq(hist_bucket_high(HIST_BUCKETS - 1), HIST_MAX);
	ck_assert_uint_eq(hist_index(HIST_MAX), HIST_BUCKETS - 1);
	ck_assert_uint_eq(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
}
END_TEST

START_TEST(small_values_exact)
{
	size_t i;

	hist_init(&ha);
	for (i = 0; i < 1000; i++) {
		vals[i] = (i * 7919) % HIST_SUB;
		hist_record(&ha, vals[i]);
	}
	check_against_sorted(&ha, vals, 1000);
}
END_TEST

START_TEST(wide_range_within_precision)
{
	uint64_t state = 0x9E3779B97F4A7C15u;
	size_t i;

	hist_init(&ha);
	for (i = 0; i < N; i++) {
		vals[i] = next_value(&state, 36);
		hist_record(&ha, vals[i]);
	}
	ck_assert_uint_eq(ha.count, N);
	check_against_sorted(&ha, vals, N);
}
END_TEST

START_TEST(latency_like_cluster)
{
	uint64_t state = 12345;
	size_t i;

	hist_init(&ha);
	for (i = 0; i < N; i++) {
		/* 40-60 µs with a tail to 10 ms, in ns */
		vals[i] = 40000 + next_value(&state, 14) +
		    (i % 1000 == 0 ? next_value(&state, 23) : 0);
		hist_record(&ha, vals[i]);
	}
	check_against_sorted(&ha, vals, N);
}
END_TEST

START_TEST(merge_equals_single)
{
	uint64_t state = 777;
	size_t i;

	hist_init(&ha);
	hist_init(&hb);
	hist_init(&hall);
	for (i = 0; i < N; i++) {
		vals[i] = next_value(&state, 30);
		hist_record(i % 3 ? &ha : &hb, vals[i]);
		hist_record(&hall, vals[i]);
	}
	hist_merge(&ha, &hb);
	ck_assert_uint_eq(ha.count, hall.count);
	ck_assert_uint_eq(ha.min, hall.min);
	ck_assert_uint_eq(ha.max, hall.max);
	ck_assert_int_eq(
	    memcmp(ha.buckets, hall.buckets, sizeof ha.buckets), 0);
	for (i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
		ck_assert_uint_eq(hist_percentile(&ha, pcts[i]),
		    hist_percentile(&hall, pcts[i]));
	check_against_sorted(&ha, vals, N);
}
END_TEST

START_TEST(merge_empty_keeps_min)
{
	hist_init(&ha);
	hist_init(&hb);
	hist_record(&ha, 500);
	hist_merge(&ha, &hb);
	ck_assert_uint_eq(ha.min, 500);
	hist_merge(&hb, &ha);
	ck_assert_uint_eq(hb.min, 500);
	ck_assert_uint_eq(hb.count, 1);
}
END_TEST

START_TEST(single_value)
{
	size_t i;

	hist_init(&ha);
	hist_record(&ha, 123456789);
	for (i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
		ck_assert_uint_eq(hist_percentile(&ha, pcts[i]), 123456789);
	ck_assert(hist_mean(&ha) == 123456789.0);
}
END_TEST

START_TEST(zero_and_clamped)
{
	hist_init(&ha);
	hist_record(&ha, 0);
	hist_record(&ha, HIST_MAX + 1000);
	hist_record(&ha, UINT64_MAX);
	ck_assert_uint_eq(ha.clamped, 2);
	ck_assert_uint_eq(ha.min, 0);
	ck_assert_uint_eq(ha.max, HIST_MAX);
	ck_assert_uint_eq(hist_percentile(&ha, 0), 0);
	ck_assert_uint_eq(hist_percentile(&ha, 30), 0);
	ck_assert_uint_eq(hist_percentile(&ha, 50), HIST_MAX);
	ck_assert_uint_eq(hist_percentile(&ha, 100), HIST_MAX);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bench_hist");
	TCase *tc = tcase_create("hist");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, rank_definition);
	tcase_add_test(tc, buckets_are_contiguous);
	tcase_add_test(tc, small_values_exact);
	tcase_add_test(tc, wide_range_within_precision);
	tcase_add_test(tc, latency_like_cluster);
	tcase_add_test(tc, merge_equals_single);
	tcase_add_test(tc, merge_empty_keeps_min);
	tcase_add_test(tc, single_value);
	tcase_add_test(tc, zero_and_clamped);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
