/*
 * Leak detection across report windows, kept by the reporter thread: for
 * each source line with sampled memory, the sampled bytes in use at the end
 * of the last LEAK_HISTORY windows. A line is a leak when its allocations
 * are rarely freed (the likelihood below, from counts since the start) and
 * its bytes in use keep growing (most window-to-window steps up, and the
 * slope over the history at least a minimum).
 *
 * Lines are keyed by (file, line) with the file string interned by the
 * reporter's symbolizer, so pointers compare. Bounded by LEAK_MAX_LINES;
 * lines past it are not tracked (never flagged).
 */
#ifndef HL_LEAKTRACK_H
#define HL_LEAKTRACK_H

#include <stddef.h>
#include <stdint.h>

#define LEAK_HISTORY		8
#define LEAK_MAX_LINES		10000
#define LEAK_THRESHOLD		0.95

struct leak_line {
	const char	*file;		/* NULL: empty slot */
	uint32_t	 line;
	int		 n;		/* points held, oldest first */
	double		 t[LEAK_HISTORY];
	uint64_t	 live[LEAK_HISTORY];
	/* The whole run, past the history: its first point, and every
	 * window-to-window step (the final report's verdict). */
	double		 t_first;
	uint64_t	 live_first;
	uint32_t	 run_steps;
	uint32_t	 run_up;
};

struct leaktrack {
	struct leak_line *lines;	/* open addressing, power of two */
	size_t		 n, count;
};

/* What the history says about a line, the current point included. */
struct leak_trend {
	double		 growth;	/* bytes per second over the history */
	int		 steps;		/* window-to-window steps */
	int		 up;		/* of which grew */
	int		 last_up;	/* the latest step grew: a line that
					 * stopped leaking is not flagged */
};

void	 leaktrack_init(struct leaktrack *lt);
void	 leaktrack_free(struct leaktrack *lt);
/* Remember that line had `live` sampled bytes in use at time t; the
 * window that ended then started at `start` (the origin of a new line). */
void	 leaktrack_record(struct leaktrack *lt, const char *file,
	    uint32_t line, double start, double t, uint64_t live);
/* The trend of a line with the point (t, live) appended, without storing
 * it (lt may be NULL: the point and its origin only). */
void	 leaktrack_trend(const struct leaktrack *lt, const char *file,
	    uint32_t line, double start, double t, uint64_t live,
	    struct leak_trend *tr);
/* The trend of a line over the whole run, ending with the point (t, live)
 * of the final report: every recorded step, the growth from the line's
 * first point, and the latest step that moved (a stop that came too soon
 * after the last window to see an allocation has not ended the growth).
 * Without a history, as leaktrack_trend. */
void	 leaktrack_run_trend(const struct leaktrack *lt, const char *file,
	    uint32_t line, double start, double t, uint64_t live,
	    struct leak_trend *tr);
/* Scalene's estimate, 1 - (frees + 1) / (mallocs - frees + 2), clamped to
 * [0, 1]: near 1 when allocations are rarely freed. */
double	 leak_likelihood(uint64_t mallocs, uint64_t frees);
/* The verdict: likelihood over LEAK_THRESHOLD, most steps up, the last one
 * too, and growth at least min_growth bytes per second. */
int	 leak_flagged(double likelihood, const struct leak_trend *tr,
	    double min_growth);

#endif
