/*
 * A log-linear latency histogram in the manner of HdrHistogram: fixed memory,
 * no allocation after init, mergeable by adding counts.
 *
 * Values are unsigned 64-bit (the bench records nanoseconds). Values below
 * HIST_SUB are counted exactly; above, each power of two is split into
 * HIST_SUB / 2 equal buckets, so a reported percentile is never below the
 * true value and exceeds it by less than 1 / (HIST_SUB / 2) of it (0.79 %).
 * Values above HIST_MAX are counted in the top bucket (and in `clamped`);
 * min, max and the sum are kept exactly.
 */
#ifndef BENCH_HIST_H
#define BENCH_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 8
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_MAX_BITS 40 /* 2^40 ns is about 18 minutes */
#define HIST_MAX      ((UINT64_C(1) << HIST_MAX_BITS) - 1)
#define HIST_BUCKETS \
	(HIST_SUB + (HIST_MAX_BITS - HIST_SUB_BITS) * (HIST_SUB / 2))

struct hist {
	uint64_t count;
	uint64_t clamped; /* values above HIST_MAX, counted as HIST_MAX */
	uint64_t min;
	uint64_t max;
	double sum;
	uint64_t buckets[HIST_BUCKETS];
};

/* Empty the histogram. */
void hist_init(struct hist *);
/* Count one value. */
void hist_record(struct hist *, uint64_t value);
/* Add every count of src into dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/*
 * The value at percentile p (0..100): the smallest recorded value's bucket
 * such that at least p % of values are at or below it, reported as the
 * bucket's highest value clipped to [min, max]. 0 when empty.
 */
uint64_t hist_percentile(const struct hist *, double p);
/* Arithmetic mean, 0 when empty. */
double hist_mean(const struct hist *);

/* The rank (1-based) of percentile p among count sorted values. */
uint64_t hist_rank(double p, uint64_t count);
/* Bucket index of a value and the highest value in a bucket (for tests). */
unsigned hist_index(uint64_t value);
uint64_t hist_bucket_high(unsigned index);

#endif
