/*
 * Workers that exited, kept as report rows: per window (interval and
 * on-demand) and for the whole run, so a worker's samples, CPU and exit
 * cause stay in every report that holds its samples (issue 16). Bounded:
 * past max rows, an exited worker's figures are added to the last row
 * (`folded` counts the workers summed in), so the totals, the overhead and
 * the reconciliation stay whole.
 */
#ifndef HL_RUN_H
#define HL_RUN_H

#include "report/report_json.h"

#define RUN_WINDOW_EXITED	32	/* exited workers listed per window */
#define RUN_EXITED		256	/* exited workers listed per run */

struct run_rows {
	struct report_worker	*rows;		/* owned */
	int			 n;
	int			 max;
};

void	 run_rows_init(struct run_rows *r, int max);
void	 run_rows_free(struct run_rows *r);
/* Forget the rows (a new window), keeping the bound. */
void	 run_rows_clear(struct run_rows *r);
/* Keep an exited worker's row (copied). */
void	 run_rows_add(struct run_rows *r, const struct report_worker *w);
/* The running workers' rows (live, nlive; freed here) followed by the
 * exited ones, in a new array the caller owns; *n is its length. */
struct report_worker *run_rows_join(const struct run_rows *r,
	    struct report_worker *live, int nlive, int *n);

#endif
