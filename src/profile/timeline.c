/* A bounded timeline: halve the points and double the interval when full. */
#include "autoconf.h"

#include <string.h>

#include "profile/timeline.h"
#include "core/util.h"

void
timeline_init(struct timeline *tl, double interval_s)
{
	memset(tl, 0, sizeof *tl);
	tl->interval_s = interval_s > 0 ? interval_s : 1;
}

int
timeline_due(const struct timeline *tl, double now)
{
	return tl->npoints == 0 || now - tl->last_t >= tl->interval_s;
}

/* Keep points 0, 2, 4...: the first survives, so t keeps its origin. */
static void
timeline_thin(struct timeline *tl)
{
	int i, n = 0;

	for (i = 0; i < tl->npoints; i++) {
		if (i % 2 == 1) {
			free(tl->points[i].workers);
			continue;
		}
		tl->points[n++] = tl->points[i];
	}
	tl->npoints = n;
	tl->interval_s *= 2;
}

static void
timeline_push(struct timeline *tl, const struct timeline_point *p)
{
	if (tl->npoints == TIMELINE_MAX_POINTS)
		timeline_thin(tl);
	tl->points[tl->npoints++] = *p;
	tl->last_t = p->t;
}

void
timeline_add(struct timeline *tl, double now,
    const struct timeline_worker *workers, int nworkers,
    const struct timeline_site *top, int ntop)
{
	struct timeline_point p;

	memset(&p, 0, sizeof p);
	p.t = now;
	p.nworkers = nworkers;
	p.workers = xcalloc((size_t)nworkers + 1, sizeof *p.workers);
	if (nworkers > 0)
		memcpy(p.workers, workers, (size_t)nworkers * sizeof *workers);
	p.ntop = HL_MIN(ntop, TIMELINE_TOP_SITES);
	if (p.ntop > 0)
		memcpy(p.top, top, (size_t)p.ntop * sizeof *top);
	timeline_push(tl, &p);
}

void
timeline_append(struct timeline *to, const struct timeline *from)
{
	int i;

	if (from->interval_s > to->interval_s)
		to->interval_s = from->interval_s;
	for (i = 0; i < from->npoints; i++) {
		const struct timeline_point *p = &from->points[i];

		/* Respect the (possibly doubled) interval of the whole. */
		if (to->npoints > 0 && p->t - to->last_t < to->interval_s * 0.5)
			continue;
		timeline_add(to, p->t, p->workers, p->nworkers, p->top,
		    p->ntop);
	}
}

void
timeline_free(struct timeline *tl)
{
	int i;

	for (i = 0; i < tl->npoints; i++)
		free(tl->points[i].workers);
	tl->npoints = 0;
}
