/*
 * A report's timeline: at most TIMELINE_MAX_POINTS points of per-worker CPU,
 * resident memory and sampled heap, plus the sampled heap in use of the
 * TIMELINE_TOP_SITES largest allocation sites (memsite ids), so the report
 * can draw per-line memory over time. The master adds a point every
 * `interval_s`; when the points are full, every other one is dropped and
 * the interval doubles, so any window length fits.
 */
#ifndef HL_TIMELINE_H
#define HL_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#define TIMELINE_MAX_POINTS	100
#define TIMELINE_TOP_SITES	16

struct timeline_worker {
	int		 slot;
	int		 pid;
	double		 cpu_pct;	/* of one core since the last point */
	uint64_t	 rss_bytes;
	uint64_t	 heap_bytes;	/* sampled heap in use */
};

struct timeline_site {
	uint32_t	 site;		/* memsite id */
	uint64_t	 live;		/* its sampled bytes in use */
};

struct timeline_point {
	double			 t;	/* epoch seconds */
	struct timeline_worker	*workers;
	int			 nworkers;
	struct timeline_site	 top[TIMELINE_TOP_SITES];
	int			 ntop;
};

struct timeline {
	double			 interval_s;
	double			 last_t;
	struct timeline_point	 points[TIMELINE_MAX_POINTS];
	int			 npoints;
};

/* Start empty with a first interval (the window divided by the points). */
void	 timeline_init(struct timeline *tl, double interval_s);
/* Is a point due at time now? */
int	 timeline_due(const struct timeline *tl, double now);
/* Add a point; workers is copied. Thins the points when full. */
void	 timeline_add(struct timeline *tl, double now,
	    const struct timeline_worker *workers, int nworkers,
	    const struct timeline_site *top, int ntop);
/* Append every point of from (a later window) into to, thinning. */
void	 timeline_append(struct timeline *to, const struct timeline *from);
void	 timeline_free(struct timeline *tl);

#endif
