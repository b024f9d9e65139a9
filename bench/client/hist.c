/* Log-linear histogram: exact below HIST_SUB, HIST_SUB/2 buckets per octave. */
#include "autoconf.h"

#include "hist.h"

#include <string.h>

#define HALF (HIST_SUB / 2)

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof *h);
	h->min = UINT64_MAX;
}

/* Bucket of v: v itself below HIST_SUB, else octave and top bits. */
unsigned
hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v > HIST_MAX)
		v = HIST_MAX;
	if (v < HIST_SUB)
		return (unsigned)v;
	msb = 63 - (unsigned)__builtin_clzll(v);
	shift = msb - HIST_SUB_BITS + 1;
	return HIST_SUB + (shift - 1) * HALF + (unsigned)(v >> shift) - HALF;
}

/* Highest value that falls in bucket i. */
uint64_t
hist_bucket_high(unsigned i)
{
	unsigned shift;
	uint64_t top;

	if (i < HIST_SUB)
		return i;
	shift = (i - HIST_SUB) / HALF + 1;
	top = (uint64_t)((i - HIST_SUB) % HALF + HALF);
	return ((top + 1) << shift) - 1;
}

void
hist_record(struct hist *h, uint64_t v)
{
	if (v > HIST_MAX) {
		h->clamped++;
		v = HIST_MAX;
	}
	h->buckets[hist_index(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void
hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned i;

	if (src->count == 0)
		return;
	for (i = 0; i < HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->clamped += src->clamped;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/*
 * ceil(p/100 * count), at least 1; the tolerance keeps 99.9 % of 1000 at
 * rank 999 although 99.9 has no exact binary form.
 */
uint64_t
hist_rank(double p, uint64_t count)
{
	double exact = p * (double)count / 100.0;
	uint64_t rank = (uint64_t)exact;

	if (exact - (double)rank > 1e-9 * exact)
		rank++;
	return rank ? rank : 1;
}

uint64_t
hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned i;

	if (h->count == 0)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	rank = hist_rank(p, h->count);
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	v = hist_bucket_high(i < HIST_BUCKETS ? i : HIST_BUCKETS - 1);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

double
hist_mean(const struct hist *h)
{
	return h->count ? h->sum / (double)h->count : 0;
}
