/* The master's memory profiler: event rings -> sites, tables, timeline. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/procstat.h"
#include "core/shm.h"
#include "profile/memsite.h"
#include "prof/prof.h"
#include "profd/memagg.h"
#include "profd/reporter.h"
#include "prof/ring.h"
#include "prof/record.h"
#include "profile/stacktab.h"
#include "profile/timeline.h"
#include "core/util.h"

static struct {
	struct memsites	 sites;
	struct stacktab	 window;	/* MEM_CLS_* by stack */
	struct timeline	 tl;
	double		 tl_interval;	/* first interval of a window */
	double		*cpu_prev;	/* per slot: CPU s at last point */
	int		*pid_prev;
	double		 t_prev;
	uint64_t	 allocs, frees, copies;
	int		 started;
} pm;

struct mem_drain {
	uint32_t		 slot;
	struct stacktab *const	*tabs;
	int			 ntabs;
};

static void
mem_add(const struct mem_drain *d, int cls, int32_t pkg_id,
    const uint64_t *pcs, unsigned depth, uint64_t bytes)
{
	int i;

	for (i = 0; i < d->ntabs; i++)
		stacktab_add(d->tabs[i], cls, pkg_id, pcs, depth, 1, bytes);
}

static void
mem_record_cb(const void *rec, size_t len, void *arg)
{
	const struct mem_drain *d = arg;
	const struct sample_alloc *a = rec;
	const struct sample_free *f = rec;
	const struct sample_copy *c = rec;
	const struct memsite *s;
	uint32_t id;

	switch (sample_check(rec, len)) {
	case SAMPLE_ALLOC:
		pm.allocs++;
		memsites_alloc(&pm.sites, d->slot, a->pkg_id, a->pcs,
		    a->hdr.depth, a->addr, a->weight,
		    !(a->hdr.flags & SAMPLE_F_UNTRACKED));
		mem_add(d, MEM_CLS_ALLOC, a->pkg_id, a->pcs, a->hdr.depth,
		    a->weight);
		break;
	case SAMPLE_FREE:
		pm.frees++;
		id = memsites_free_block(&pm.sites, d->slot, f->addr);
		if (id == MEMSITE_NONE)
			break;
		s = &pm.sites.sites[id];
		mem_add(d, MEM_CLS_FREE, s->pkg_id, memsites_pcs(&pm.sites, s),
		    s->depth, f->weight);
		break;
	case SAMPLE_COPY:
		pm.copies++;
		mem_add(d, MEM_CLS_COPY, c->pkg_id, c->pcs, c->hdr.depth,
		    c->weight);
		break;
	default:
		break;		/* CPU samples travel the other ring */
	}
}

static double
window_first_interval(const struct prof_host *h)
{
	double s = (double)h->cf->profiling_interval_seconds /
	    TIMELINE_MAX_POINTS;

	return HL_MAX(s, PROF_DRAIN_MS / 1000.0);
}

void
memagg_start(struct prof_host *h)
{
	uint32_t n = h->shm->hdr->nslots;

	memsites_init(&pm.sites, n);
	stacktab_init(&pm.window, PROF_MAX_STACKS);
	pm.tl_interval = window_first_interval(h);
	timeline_init(&pm.tl, pm.tl_interval);
	pm.cpu_prev = xcalloc(n + 1, sizeof *pm.cpu_prev);
	pm.pid_prev = xcalloc(n + 1, sizeof *pm.pid_prev);
	pm.started = 1;
}

void
memagg_stop(void)
{
	if (!pm.started)
		return;
	memsites_free(&pm.sites);
	stacktab_free(&pm.window);
	timeline_free(&pm.tl);
	free(pm.cpu_prev);
	free(pm.pid_prev);
	memset(&pm, 0, sizeof pm);
}

void
memagg_drain_slot(struct prof_host *h, uint32_t slot,
    struct stacktab *const *tabs, int ntabs)
{
	struct stacktab *all[PROF_MAX_CAPTURES + 2];
	struct mem_drain d = { slot, all, 0 };
	int i;

	all[d.ntabs++] = &pm.window;
	for (i = 0; i < ntabs && d.ntabs < (int)HL_ARRAY_LEN(all); i++)
		all[d.ntabs++] = tabs[i];
	ring_drain(shm_event_ring(h->shm, slot), 0, mem_record_cb, &d);
}

uint64_t
memagg_rss(int pid)
{
	struct procstat ps;

	if (pid <= 0 || procstat_stat(pid, &ps) == -1)
		return 0;
	return ps.resident_bytes;
}

/* The largest sites by bytes in use, largest first. */
static int
mem_top_sites(struct timeline_site *top)
{
	int n = 0, k;
	size_t i;

	for (i = 0; i < pm.sites.nsites; i++) {
		uint64_t live = pm.sites.sites[i].live;

		if (live == 0 || (n == TIMELINE_TOP_SITES &&
		    live <= top[n - 1].live))
			continue;
		if (n < TIMELINE_TOP_SITES)
			n++;
		for (k = n - 1; k > 0 && top[k - 1].live < live; k--)
			top[k] = top[k - 1];
		top[k] = (struct timeline_site){ (uint32_t)i, live };
	}
	return n;
}

void
memagg_tick(struct prof_host *h, double now)
{
	struct timeline_worker *w;
	struct timeline_site top[TIMELINE_TOP_SITES];
	uint32_t i, n = h->shm->hdr->nslots;
	int nw = 0;

	if (!pm.started || !timeline_due(&pm.tl, now))
		return;
	w = xcalloc(n + 1, sizeof *w);
	for (i = 0; i < n; i++) {
		int pid = shm_slot(h->shm, i)->pid;
		struct procstat ps;
		double cpu;

		/* One read of /proc/<pid>/stat for both CPU and memory. */
		if (pid <= 0 || procstat_stat(pid, &ps) == -1)
			continue;
		cpu = ps.cpu_seconds;
		w[nw] = (struct timeline_worker){ (int)i, pid, 0,
		    ps.resident_bytes, pm.sites.slot_live[i] };
		if (pm.pid_prev[i] == pid && now > pm.t_prev)
			w[nw].cpu_pct = 100 * (cpu - pm.cpu_prev[i]) /
			    (now - pm.t_prev);
		pm.pid_prev[i] = pid;
		pm.cpu_prev[i] = cpu;
		nw++;
	}
	pm.t_prev = now;
	timeline_add(&pm.tl, now, w, nw, top, mem_top_sites(top));
	free(w);
}

int
memagg_has_data(void)
{
	return pm.allocs + pm.copies > 0;
}

uint64_t
memagg_window_events(void)
{
	return pm.window.samples + pm.window.overflow;
}

void
memagg_snapshot(struct report_job *job)
{
	memsnap_take(&job->snap, &pm.sites);
}

void
memagg_close_window(struct prof_host *h, struct report_job *job)
{
	job->mem = pm.window;
	stacktab_init(&pm.window, PROF_MAX_STACKS);
	memsnap_take(&job->snap, &pm.sites);
	job->tl = pm.tl;
	pm.tl_interval = window_first_interval(h);
	timeline_init(&pm.tl, pm.tl_interval);
}

uint64_t
memagg_slot_heap(uint32_t slot)
{
	return pm.started && slot < pm.sites.nslots ?
	    pm.sites.slot_live[slot] : 0;
}

uint64_t
memagg_slot_alloc(uint32_t slot)
{
	return pm.started && slot < pm.sites.nslots ?
	    pm.sites.slot_alloc[slot] : 0;
}

void
memagg_slot_gone(uint32_t slot)
{
	if (!pm.started)
		return;
	memsites_slot_gone(&pm.sites, slot);
	pm.pid_prev[slot] = 0;
}

void
memagg_get_totals(struct memagg_totals *t)
{
	t->allocs = pm.allocs;
	t->frees = pm.frees;
	t->copies = pm.copies;
	t->unmatched = pm.sites.unmatched;
	t->sites = pm.sites.nsites;
	t->live_blocks = pm.sites.live_count;
}
