/* Exited workers' report rows, per window and per run; see run.h. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "profd/run.h"
#include "core/util.h"

void
run_rows_init(struct run_rows *r, int max)
{
	r->rows = xcalloc((size_t)max, sizeof *r->rows);
	r->n = 0;
	r->max = max;
}

void
run_rows_free(struct run_rows *r)
{
	free(r->rows);
	memset(r, 0, sizeof *r);
}

void
run_rows_clear(struct run_rows *r)
{
	r->n = 0;
}

/* Sum w into row: the figures that add, and the count of workers. */
static void
run_rows_fold(struct report_worker *row, const struct report_worker *w)
{
	row->samples += w->samples;
	row->dropped += w->dropped;
	row->handler_ns += w->handler_ns;
	row->delivery_ns += w->delivery_ns;
	row->hook_ns += w->hook_ns;
	row->copy_hook_ns += w->copy_hook_ns;
	row->utime_s += w->utime_s;
	row->stime_s += w->stime_s;
	row->heap_bytes += w->heap_bytes;
	row->alloc_bytes += w->alloc_bytes;
	row->mem_dropped += w->mem_dropped;
	row->folded += 1 + w->folded;
}

void
run_rows_add(struct run_rows *r, const struct report_worker *w)
{
	if (r->max == 0)
		return;
	if (r->n == r->max)
		run_rows_fold(&r->rows[r->n - 1], w);
	else
		r->rows[r->n++] = *w;
}

struct report_worker *
run_rows_join(const struct run_rows *r, struct report_worker *live,
    int nlive, int *n)
{
	struct report_worker *all = xcalloc((size_t)(nlive + r->n) + 1,
	    sizeof *all);

	if (nlive > 0)
		memcpy(all, live, (size_t)nlive * sizeof *all);
	if (r->n > 0)
		memcpy(all + nlive, r->rows, (size_t)r->n * sizeof *all);
	free(live);
	*n = nlive + r->n;
	return all;
}
