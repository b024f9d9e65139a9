/* Per-line sampled memory history across windows; see leaktrack.h. */
#include "autoconf.h"

#include <string.h>

#include "profile/leaktrack.h"
#include "core/util.h"

#define LEAK_FIRST_SLOTS	1024

void
leaktrack_init(struct leaktrack *lt)
{
	lt->n = LEAK_FIRST_SLOTS;
	lt->count = 0;
	lt->lines = xcalloc(lt->n, sizeof *lt->lines);
}

void
leaktrack_free(struct leaktrack *lt)
{
	free(lt->lines);
	memset(lt, 0, sizeof *lt);
}

static size_t
leak_home(const struct leaktrack *lt, const char *file, uint32_t line)
{
	uint64_t h = ((uint64_t)(uintptr_t)file * 0x9e3779b97f4a7c15ULL) ^
	    ((uint64_t)line * 0xff51afd7ed558ccdULL);

	return (size_t)(h ^ (h >> 29)) & (lt->n - 1);
}

static struct leak_line *
leak_find(const struct leaktrack *lt, const char *file, uint32_t line)
{
	size_t i = leak_home(lt, file, line);

	while (lt->lines[i].file != NULL && !(lt->lines[i].file == file &&
	    lt->lines[i].line == line))
		i = (i + 1) & (lt->n - 1);
	return &lt->lines[i];
}

static void
leak_grow(struct leaktrack *lt)
{
	struct leak_line *old = lt->lines;
	size_t n = lt->n, i;

	if (lt->count * 2 < lt->n)
		return;
	lt->n *= 2;
	lt->lines = xcalloc(lt->n, sizeof *lt->lines);
	for (i = 0; i < n; i++)
		if (old[i].file != NULL)
			*leak_find(lt, old[i].file, old[i].line) = old[i];
	free(old);
}

static void
leak_push(struct leak_line *l, double t, uint64_t live)
{
	if (l->n == 0) {
		l->t_first = t;
		l->live_first = live;
	} else {
		l->run_steps++;
		l->run_up += live > l->live[l->n - 1];
	}
	if (l->n == LEAK_HISTORY) {
		memmove(l->t, l->t + 1, (LEAK_HISTORY - 1) * sizeof *l->t);
		memmove(l->live, l->live + 1, (LEAK_HISTORY - 1) *
		    sizeof *l->live);
		l->n--;
	}
	l->t[l->n] = t;
	l->live[l->n] = live;
	l->n++;
}

void
leaktrack_record(struct leaktrack *lt, const char *file, uint32_t line,
    double start, double t, uint64_t live)
{
	struct leak_line *l = leak_find(lt, file, line);

	if (l->file == NULL) {
		if (lt->count >= LEAK_MAX_LINES)
			return;
		l->file = file;
		l->line = line;
		l->n = 0;
		leak_push(l, start, 0);
		lt->count++;
		leak_push(l, t, live);
		leak_grow(lt);
		return;
	}
	leak_push(l, t, live);
}

void
leaktrack_trend(const struct leaktrack *lt, const char *file, uint32_t line,
    double start, double t, uint64_t live, struct leak_trend *tr)
{
	struct leak_line l, *found = NULL;
	int i;

	if (lt != NULL && lt->lines != NULL)
		found = leak_find(lt, file, line);
	if (found != NULL && found->file != NULL) {
		l = *found;
		if (l.n > 0 && l.t[l.n - 1] >= t)
			l.n--;		/* this very point was recorded */
	} else {
		memset(&l, 0, sizeof l);
		leak_push(&l, start, 0);
	}
	leak_push(&l, t, live);
	memset(tr, 0, sizeof *tr);
	for (i = 1; i < l.n; i++) {
		tr->steps++;
		if (l.live[i] > l.live[i - 1])
			tr->up++;
	}
	if (l.n >= 2 && l.t[l.n - 1] > l.t[0])
		tr->growth = ((double)l.live[l.n - 1] - (double)l.live[0]) /
		    (l.t[l.n - 1] - l.t[0]);
	tr->last_up = l.n >= 2 && l.live[l.n - 1] > l.live[l.n - 2];
}

void
leaktrack_run_trend(const struct leaktrack *lt, const char *file,
    uint32_t line, double start, double t, uint64_t live,
    struct leak_trend *tr)
{
	const struct leak_line *l = NULL;
	uint64_t last;

	if (lt != NULL && lt->lines != NULL)
		l = leak_find(lt, file, line);
	if (l == NULL || l->file == NULL || l->n < 2 ||
	    t <= l->t[l->n - 1]) {
		leaktrack_trend(lt, file, line, start, t, live, tr);
		return;
	}
	last = l->live[l->n - 1];
	memset(tr, 0, sizeof *tr);
	tr->steps = (int)l->run_steps + (live != last);
	tr->up = (int)l->run_up + (live > last);
	tr->growth = ((double)live - (double)l->live_first) /
	    (t - l->t_first);
	tr->last_up = live > last || (live == last &&
	    l->live[l->n - 1] > l->live[l->n - 2]);
}

double
leak_likelihood(uint64_t mallocs, uint64_t frees)
{
	double v;

	if (frees >= mallocs)
		return 0;
	v = 1.0 - (double)(frees + 1) / (double)(mallocs - frees + 2);
	return v < 0 ? 0 : v;
}

int
leak_flagged(double likelihood, const struct leak_trend *tr,
    double min_growth)
{
	return likelihood > LEAK_THRESHOLD && tr->last_up &&
	    tr->up * 4 >= tr->steps * 3 && tr->growth > 0 &&
	    tr->growth >= min_growth;
}
