/*
 * How sure a report's figures are: the sampling error of a share of
 * samples. Pure arithmetic, no jansson, so a unit test checks it against
 * values computed elsewhere.
 */
#ifndef HL_REPORT_STATS_H
#define HL_REPORT_STATS_H

#include <stdint.h>

/* z for a two-sided 95 % interval. */
#define REPORT_Z95		1.959963984540054
/* A percentage is marked as rough when its 95 % interval is wider than
 * this many percentage points on either side. */
#define REPORT_ROUGH_PP		5.0

/*
 * The Wilson score interval of the share k/n at z (REPORT_Z95 for 95 %),
 * as fractions in [0, 1] stored in *lo and *hi. n == 0 gives [0, 1]
 * (nothing is known); k > n is treated as k == n.
 */
void	 report_wilson(uint64_t k, uint64_t n, double z, double *lo,
	    double *hi);

#endif
