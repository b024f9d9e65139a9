/*
 * The sampling error of a share of samples. Wilson's score interval rather
 * than the normal approximation p +- z*sqrt(p(1-p)/n): it stays inside
 * [0, 1], is not zero-width at 0/n or n/n, and covers close to its nominal
 * 95 % at the small counts a short window or a cold line has.
 */
#include "autoconf.h"

#include <math.h>

#include "report/report_stats.h"

void
report_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
	double p, z2n, centre, half, den;

	if (n == 0) {
		*lo = 0;
		*hi = 1;
		return;
	}
	if (k > n)
		k = n;
	p = (double)k / n;
	z2n = z * z / n;
	den = 1 + z2n;
	centre = (p + z2n / 2) / den;
	half = z / den * sqrt(p * (1 - p) / n + z2n / (4 * n));
	/* The exact ends at k == 0 and k == n, free of rounding. */
	*lo = k == 0 ? 0 : fmax(0, centre - half);
	*hi = k == n ? 1 : fmin(1, centre + half);
}
