/*
 * The master's side of the profiler: drain the rings every PROF_DRAIN_MS
 * (independent of the report interval, so bursts do not overflow them),
 * keep the window's stacks, and close a window into a reporter job every
 * profiling_interval_seconds. Per-worker figures (samples, drops, sampler
 * time, utime/stime from /proc) are kept per slot and per window.
 */
#include "autoconf.h"

#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/module.h"
#include "app/module_lines.h"
#include "core/config.h"
#include "core/procstat.h"
#include "core/shm.h"
#include "prof/prof.h"
#include "profd/hookstrip.h"
#include "profd/memagg.h"
#include "profd/push.h"
#include "profd/reporter.h"
#include "profd/run.h"
#include "prof/ring.h"
#include "app/router.h"
#include "prof/record.h"
#include "prof/sampler.h"
#include "profile/stacktab.h"
#include "core/util.h"

/* What the master remembers of a slot across windows. */
struct prof_slot {
	int		 pid;		/* whose numbers these are */
	uint64_t	 samples;	/* drained in this window */
	uint64_t	 drops_start;	/* ring drops at window start */
	uint64_t	 handler_start;	/* sampler ns at window start */
	double		 utime_start;	/* seconds at window start */
	double		 stime_start;
	uint64_t	 alloc_start;	/* sampled bytes allocated */
	uint64_t	 mem_drops_start; /* event ring drops at window start */
	uint64_t	 hook_start;	/* memory hooks' ns at window start */
	uint64_t	 copy_hook_start; /* the copy hooks' part of it */
};

/* Where a window (or a capture, or the run) started: per slot and per
 * route, and the workers that exited since. */
struct prof_base {
	struct prof_slot	*slots;		/* nslots entries */
	uint64_t		*calls;		/* router_count() entries */
	struct run_rows		 exited;
};

/* A capture for GET /api/profiling/profile. */
struct prof_capture {
	struct stacktab		 tab;
	struct stacktab		 mem;
	struct prof_base	 base;
	struct event		*timer;
	struct prof_host		*h;
	prof_answer_cb		*answer;	/* NULL: the requester left */
	void			*arg;
	double			 start;
	enum prof_format	 format;
	int			 reduced;
	int			 threshold_pct;
	char			*only;
	char			*exclude;
	char			*save_name;	/* ?name=, or NULL */
	struct prof_capture	*next;
};

static struct {
	struct stacktab		 window;
	double			 window_start;
	struct event		*drain_timer;
	struct event		*fast_drain;	/* one-shot, when rings fill */
	struct event		*window_timer;
	struct event		*done_event;
	struct prof_host	 host;		/* the master's, copied */
	struct prof_base	 base;		/* of the current window */
	struct prof_base	 life;		/* each worker since it began */
	struct prof_capture	*captures;
	struct report_job	*inflight[16];	/* on demand, at the reporter */
	uint64_t		 samples_total;
	uint64_t		 empty_windows;	/* not written, the run */
	uint64_t		 empty_since;	/* since the last stored one */
	int64_t			 last_empty_at;	/* epoch seconds */
	int			 started;
} prof;

size_t
prof_cpu_ring_bytes(void)
{
	return ring_bytes(PROF_CPU_RING_BYTES);
}

size_t
prof_event_ring_bytes(void)
{
	return ring_bytes(PROF_EVENT_RING_BYTES);
}

static double
now_epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
prof_proc_cpu(int pid, double *ut, double *st)
{
	struct procstat ps;

	if (pid <= 0 || procstat_stat(pid, &ps) == -1)
		return -1;
	*ut = ps.user_seconds;
	*st = ps.system_seconds;
	return 0;
}

static uint64_t
slot_drops(struct prof_host *h, uint32_t i)
{
	struct ring_stats st;

	ring_stats(shm_cpu_ring(h->shm, i), &st);
	return st.drops;
}

static uint64_t
slot_mem_drops(struct prof_host *h, uint32_t i)
{
	struct ring_stats st;

	ring_stats(shm_event_ring(h->shm, i), &st);
	return st.drops;
}

/* Start a slot's numbers from now. */
static void
prof_slot_mark(struct prof_host *h, struct prof_base *b, uint32_t i)
{
	struct prof_slot *ps = &b->slots[i];
	struct shm_slot *s = shm_slot(h->shm, i);

	ps->pid = s->pid;
	ps->samples = 0;
	ps->drops_start = slot_drops(h, i);
	ps->handler_start = shm_read(&s->counters.prof_handler_ns);
	ps->alloc_start = memagg_slot_alloc(i);
	ps->mem_drops_start = slot_mem_drops(h, i);
	ps->hook_start = shm_read(&s->counters.mem_hook_ns);
	ps->copy_hook_start = shm_read(&s->prof_copy_hook_ns);
	if (prof_proc_cpu(ps->pid, &ps->utime_start, &ps->stime_start) == -1)
		ps->utime_start = ps->stime_start = 0;
}

/* Start a new worker's whole-life numbers: its counters, ring and CPU
 * began at zero with it (the slot was cleared when the last one left). */
static void
prof_life_mark(struct prof_host *h, uint32_t i)
{
	struct prof_slot *ps = &prof.life.slots[i];

	prof_slot_mark(h, &prof.life, i);
	ps->drops_start = ps->handler_start = ps->hook_start = 0;
	ps->copy_hook_start = 0;
	ps->mem_drops_start = 0;
	ps->utime_start = ps->stime_start = 0;
}

struct drain_ctx {
	struct prof_host	*h;
	uint32_t	 slot;
};

/* One record from a worker's CPU ring into the window (and captures),
 * without the profiler's hooks: their own cost counts apart. */
static void
prof_record_cb(const void *rec, size_t len, void *arg)
{
	const struct drain_ctx *ctx = arg;
	const struct sample_cpu *s = rec;
	uint64_t pcs[SAMPLE_DEPTH_MAX];
	struct prof_capture *c;
	unsigned depth;
	int cls;

	if (sample_check(rec, len) != SAMPLE_CPU)
		return;		/* memory records: a later issue's */
	cls = s->hdr.flags & SAMPLE_CPU_CLASS_MASK;
	depth = HL_MIN(s->hdr.depth, SAMPLE_DEPTH_MAX);
	memcpy(pcs, s->pcs, depth * sizeof *pcs);
	if (depth > 0 && (depth = hookstrip(pcs, depth)) == 0) {
		stacktab_add_hooks(&prof.window, 1, s->weight_ns);
		for (c = prof.captures; c != NULL; c = c->next)
			stacktab_add_hooks(&c->tab, 1, s->weight_ns);
	} else {
		stacktab_add_from(&prof.window, (int)ctx->slot, cls,
		    s->pkg_id, pcs, depth, 1, s->weight_ns);
		for (c = prof.captures; c != NULL; c = c->next)
			stacktab_add_from(&c->tab, (int)ctx->slot, cls,
			    s->pkg_id, pcs, depth, 1, s->weight_ns);
	}
	prof.base.slots[ctx->slot].samples++;
	prof.life.slots[ctx->slot].samples++;
	for (c = prof.captures; c != NULL; c = c->next)
		c->base.slots[ctx->slot].samples++;
	prof.samples_total++;
}

/* The event ring: memory records, into the window and every capture. */
static void
prof_drain_events(struct prof_host *h, uint32_t i)
{
	struct stacktab *tabs[PROF_MAX_CAPTURES];
	struct prof_capture *c;
	int n = 0;

	for (c = prof.captures; c != NULL && n < PROF_MAX_CAPTURES;
	    c = c->next)
		tabs[n++] = &c->mem;
	memagg_drain_slot(h, i, tabs, n);
}

static void
prof_drain_slot(struct prof_host *h, uint32_t i)
{
	struct drain_ctx ctx = { h, i };
	int pid = shm_slot(h->shm, i)->pid;
	struct prof_capture *c;

	/* A new worker in the slot: its numbers start now. */
	if (pid != 0 && prof.base.slots[i].pid != pid)
		prof_slot_mark(h, &prof.base, i);
	if (pid != 0 && prof.life.slots[i].pid != pid)
		prof_life_mark(h, i);
	for (c = prof.captures; c != NULL; c = c->next)
		if (pid != 0 && c->base.slots[i].pid != pid)
			prof_slot_mark(h, &c->base, i);
	ring_drain(shm_cpu_ring(h->shm, i), 0, prof_record_cb, &ctx);
	prof_drain_events(h, i);
}

static void
prof_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval soon = { 0, PROF_DRAIN_FAST_MS * 1000 };
	struct prof_host *h = arg;
	struct ring_stats st;
	int busy = 0;
	uint32_t i;

	for (i = 0; i < h->shm->hdr->nslots; i++) {
		if (shm_slot(h->shm, i)->pid == 0)
			continue;
		ring_stats(shm_event_ring(h->shm, i), &st);
		busy |= st.lag_bytes > st.capacity / 4;
		prof_drain_slot(h, i);
	}
	memagg_tick(h, now_epoch());
	/* A ring a quarter full between drains: come back sooner, so a burst
	 * of allocations is drained before it fills the ring. */
	if (busy && prof.fast_drain != NULL)
		event_add(prof.fast_drain, &soon);
}


/* A worker's figures since its base. ex: it was reaped, so its CPU is
 * what wait4 reported, and its counters are read before the slot clears. */
static struct report_worker
prof_worker_row(struct prof_host *h, const struct prof_slot *ps, uint32_t i,
    const struct prof_exit *ex)
{
	struct shm_slot *s = shm_slot(h->shm, i);
	double ut = ps->utime_start, st = ps->stime_start;

	if (ex != NULL)
		ut = ex->utime_s, st = ex->stime_s;
	else if (prof_proc_cpu(ps->pid, &ut, &st) == -1)
		ut = ps->utime_start, st = ps->stime_start;
	return (struct report_worker){
		.slot = (int)i, .index = s->index, .pid = ps->pid,
		.samples = ps->samples,
		.dropped = slot_drops(h, i) - ps->drops_start,
		.handler_ns = shm_read(&s->counters.prof_handler_ns) -
		    ps->handler_start,
		.delivery_ns = ps->samples * shm_read(&s->prof_delivery_ns),
		.hook_ns = shm_read(&s->counters.mem_hook_ns) - ps->hook_start,
		.copy_hook_ns = shm_read(&s->prof_copy_hook_ns) -
		    ps->copy_hook_start,
		.utime_s = HL_MAX(ut - ps->utime_start, 0),
		.stime_s = HL_MAX(st - ps->stime_start, 0),
		.rss_bytes = ex != NULL ? 0 : memagg_rss(ps->pid),
		.heap_bytes = memagg_slot_heap(i),
		.alloc_bytes = memagg_slot_alloc(i) - ps->alloc_start,
		.mem_dropped = slot_mem_drops(h, i) - ps->mem_drops_start,
		.exited = ex != NULL,
		.status = ex != NULL ? ex->status : 0,
	};
}

/* Per-worker figures since base: every running worker, then those that
 * exited since. */
static struct report_worker *
prof_workers(struct prof_host *h, const struct prof_base *b, int *n)
{
	struct report_worker *w = xcalloc(h->shm->hdr->nslots, sizeof *w);
	int nlive = 0;
	uint32_t i;

	for (i = 0; i < h->shm->hdr->nslots; i++)
		if (b->slots[i].pid != 0)
			w[nlive++] = prof_worker_row(h, &b->slots[i], i, NULL);
	return run_rows_join(&b->exited, w, nlive, n);
}

/* A reaped worker leaves base with its row, if base had it. */
static void
prof_base_exit(struct prof_host *h, struct prof_base *b, uint32_t i,
    const struct prof_exit *ex)
{
	struct report_worker w;

	if (b->slots[i].pid == 0)
		return;
	w = prof_worker_row(h, &b->slots[i], i, ex);
	run_rows_add(&b->exited, &w);
	memset(&b->slots[i], 0, sizeof b->slots[i]);
}

/* Calls per handler since base, from the latency histograms. */
static uint64_t
prof_route_calls(struct prof_host *h, const struct route *rt)
{
	uint64_t calls = 0;
	uint32_t i;

	if (rt->index < 0)
		return 0;
	for (i = 0; i < h->shm->hdr->nslots; i++)
		calls += shm_read(&shm_slot(h->shm, i)->hist[rt->index].count);
	return calls + h->retired->hist[rt->index].count;
}

static struct report_handler *
prof_handlers(struct prof_host *h, const struct prof_base *b, int *n)
{
	size_t nr = router_count(), r;
	struct report_handler *rh = xcalloc(nr + 1, sizeof *rh);

	for (r = 0; r < nr; r++) {
		const struct route *rt = router_at(r);

		rh[r] = (struct report_handler){ rt->pkg_id, xstrdup(rt->name),
		    prof_route_calls(h, rt) - b->calls[r] };
	}
	*n = (int)nr;
	return rh;
}

/* Take a baseline of every slot and route now; no worker has exited
 * since. */
static void
prof_base_mark(struct prof_host *h, struct prof_base *b)
{
	size_t r;
	uint32_t i;

	if (b->slots == NULL) {
		b->slots = xcalloc(h->shm->hdr->nslots, sizeof *b->slots);
		b->calls = xcalloc(router_count() + 1, sizeof *b->calls);
		run_rows_init(&b->exited, RUN_WINDOW_EXITED);
	}
	run_rows_clear(&b->exited);
	for (i = 0; i < h->shm->hdr->nslots; i++) {
		if (shm_slot(h->shm, i)->pid != 0)
			prof_slot_mark(h, b, i);
		else
			memset(&b->slots[i], 0, sizeof b->slots[i]);
	}
	for (r = 0; r < router_count(); r++)
		b->calls[r] = prof_route_calls(h, router_at(r));
}

static void
prof_base_free(struct prof_base *b)
{
	free(b->slots);
	free(b->calls);
	b->slots = NULL;
	b->calls = NULL;
	run_rows_free(&b->exited);
}

/* What drives the workers' CPU samples, from the first that says. */
static const char *
prof_timer_name(struct prof_host *h)
{
	static const char *const names[] = { "none", "posix", "perf",
	    "perf-user" };
	static uint64_t last;	/* the final report comes after the workers */
	uint32_t i;

	for (i = 0; i < h->shm->hdr->nslots; i++) {
		struct shm_slot *s = shm_slot(h->shm, i);
		uint64_t t = shm_read(&s->counters.prof_timer);

		if (s->pid != 0 && t > 0 && t < HL_ARRAY_LEN(names))
			return names[last = t];
	}
	return names[last];
}

/* Memory is sampled unless profiling_cpu_only. */
static int
prof_memory_on(const struct prof_host *h)
{
	return h->cf->profiling_enabled && !h->cf->profiling_cpu_only;
}

/* The report input of a job whose tables, workers, handlers and filters
 * are in place. */
static void
prof_job_input(struct prof_host *h, struct report_job *job, const char *kind,
    double start, int reduced, int threshold_pct)
{
	job->in = (struct report_input){
		.tab = &job->tab, .kind = kind, .start = start,
		.end = now_epoch(), .wall = h->cf->profiling_clock == 1,
		.sample_interval_ms = h->cf->profiling_sample_interval_ms,
		.timer = prof_timer_name(h),
		.workers = job->workers, .nworkers = job->in.nworkers,
		.handlers = job->handlers, .nhandlers = job->in.nhandlers,
		.only = job->only, .exclude = job->exclude,
		.reduced = reduced, .threshold_pct = threshold_pct,
		.mem = prof_memory_on(h) ? &job->mem : NULL,
		.snap = &job->snap,
#ifdef HL_MEMHOOKS
		.memory_hooks = 1,
#endif
		.copy = h->cf->profiling_copy,
		.memory_sample_bytes = h->cf->profiling_memory_sample_bytes,
		.leak_min_growth = (double)h->cf->profiling_leak_min_growth,
	};
}

/* A job for the window that ends now; the window starts afresh. */
static struct report_job *
prof_close_window(struct prof_host *h, enum report_kind kind)
{
	struct report_job *job = xcalloc(1, sizeof *job);

	prof_drain_cb(-1, 0, h);
	job->kind = kind;
	job->tab = prof.window;
	stacktab_init(&prof.window, PROF_MAX_STACKS);
	/* The final report's workers are the run's, each over its life. */
	job->workers = prof_workers(h, kind == REPORT_FINAL ? &prof.life :
	    &prof.base, &job->in.nworkers);
	job->handlers = prof_handlers(h, &prof.base, &job->in.nhandlers);
	job->source_root = xstrdup(h->cf->profiling_source_root);
	job->pprof = h->cf->profiling_pprof;
	job->push = *h->cf->profiling_push_url != '\0';
	job->only = xstrdup(h->cf->profiling_only);
	job->exclude = xstrdup(h->cf->profiling_exclude);
	memagg_close_window(h, job);
	prof_job_input(h, job, kind == REPORT_FINAL ? "final" : "interval",
	    prof.window_start, h->cf->profiling_reduced_profile,
	    h->cf->profiling_cpu_percent_threshold);
	job->in.timeline = &job->tl;
	job->in.skipped_empty_windows = prof.empty_since;
	prof.window_start = job->in.end;
	prof_base_mark(h, &prof.base);
	return job;
}

/* Profiling is on: an empty window then means idle workers. */
static int
prof_sampling(const struct prof_host *h)
{
	const struct shm_header *hdr = h->shm->hdr;

	return __atomic_load_n(&hdr->profiling_on, __ATOMIC_ACQUIRE) != 0 ||
	    __atomic_load_n(&hdr->memory_on, __ATOMIC_ACQUIRE) != 0;
}

/* A stored report's job; its header counts the empty windows before it. */
static void
prof_submit_stored(struct prof_host *h, enum report_kind kind)
{
	reporter_submit(prof_close_window(h, kind));
	prof.empty_since = 0;
}

static void
prof_window_cb(evutil_socket_t fd, short what, void *arg)
{
	struct prof_host *h = arg;

	if (prof.window.samples == 0 && prof.window.overflow == 0 &&
	    memagg_window_events() == 0) {
		/* Nothing sampled (profiling off, or idle on the CPU clock):
		 * no report set, so retention keeps the busy windows. */
		report_job_free(prof_close_window(h, REPORT_INTERVAL));
		if (prof_sampling(h)) {
			prof.empty_windows++;
			prof.empty_since++;
			prof.last_empty_at = (int64_t)prof.window_start;
		}
		return;
	}
	prof_submit_stored(h, REPORT_INTERVAL);
}

/* The Content-Type of each on-demand format. */
static const char *const prof_format_types[] = {
	[PROF_FORMAT_JSON] = "application/json",
	[PROF_FORMAT_FOLDED] = "text/plain; charset=utf-8",
	[PROF_FORMAT_PPROF] = "application/octet-stream",
	[PROF_FORMAT_HTML] = "text/html; charset=utf-8",
};

/* Answer an on-demand profile's requester, at most once. */
static void
prof_answer(prof_answer_cb **answer, void *arg, int status,
    const char *type, const char *body, size_t len)
{
	prof_answer_cb *cb = *answer;

	*answer = NULL;
	if (cb != NULL)
		cb(arg, status, type, body, len);
}

/* An error answer: a message. */
static void
prof_refuse(prof_answer_cb **answer, void *arg, int status,
    const char *why)
{
	prof_answer(answer, arg, status, NULL, why, strlen(why));
}

/* Track an on-demand job while the reporter has it, so a requester that
 * leaves meanwhile is forgotten (prof_master_forget). */
static void
prof_submit_on_demand(struct report_job *job)
{
	prof_answer_cb *answer = job->answer;
	void *arg = job->answer_arg;
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(prof.inflight) &&
	    prof.inflight[i] != NULL; i++)
		;
	if (answer == NULL || i == HL_ARRAY_LEN(prof.inflight)) {
		prof_refuse(&answer, arg, 503, "too many profiles at once");
		report_job_free(job);
		return;
	}
	prof.inflight[i] = job;
	if (reporter_submit(job) == -1) {	/* it freed the job */
		prof.inflight[i] = NULL;
		prof_refuse(&answer, arg, 503, "the reporter is busy");
	}
}

/* An on-demand capture is finished: hand its table to the reporter. */
static void
prof_capture_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct prof_capture *c = arg, **pp;
	struct prof_host *h = c->h;
	struct report_job *job = xcalloc(1, sizeof *job);

	prof_drain_cb(-1, 0, h);
	for (pp = &prof.captures; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	job->kind = REPORT_ON_DEMAND;
	job->tab = c->tab;
	job->answer = c->answer;
	job->answer_arg = c->arg;
	job->format = c->format;
	job->save_name = c->save_name;
	job->source_root = xstrdup(h->cf->profiling_source_root);
	job->only = c->only;
	job->exclude = c->exclude;
	job->workers = prof_workers(h, &c->base, &job->in.nworkers);
	job->handlers = prof_handlers(h, &c->base, &job->in.nhandlers);
	job->mem = c->mem;
	memagg_snapshot(job);
	prof_job_input(h, job, "on_demand", c->start, c->reduced,
	    c->threshold_pct);
	event_free(c->timer);
	prof_base_free(&c->base);
	free(c);
	prof_submit_on_demand(job);
}

void
prof_master_forget(void *arg)
{
	struct prof_capture *c;
	size_t i;

	for (c = prof.captures; c != NULL; c = c->next)
		if (c->arg == arg)
			c->answer = NULL;
	for (i = 0; i < HL_ARRAY_LEN(prof.inflight); i++) {
		struct report_job *job = prof.inflight[i];

		if (job != NULL && job->answer_arg == arg)
			job->answer = NULL;
	}
}

/* Heap or allocs: the memory sites as they are now, to the reporter. */
static void
prof_memory_now(const struct prof_request *pr)
{
	struct prof_host *h = &prof.host;
	struct report_job *job = xcalloc(1, sizeof *job);

	prof_drain_cb(-1, 0, h);
	job->kind = REPORT_ON_DEMAND;
	job->format = PROF_FORMAT_PPROF;
	job->what = pr->what;
	job->answer = pr->answer;
	job->answer_arg = pr->arg;
	stacktab_init(&job->tab, 1);
	stacktab_init(&job->mem, 1);
	memagg_snapshot(job);
	prof_job_input(h, job, "on_demand", now_epoch(), 0, 0);
	prof_submit_on_demand(job);
}

void
prof_master_profile(const struct prof_request *pr)
{
	struct prof_host *h = &prof.host;
	struct timeval tv = { pr->seconds, 0 };
	struct prof_capture *c;
	char why[80];
	int n = 0;

	if (pr->what != PROF_WHAT_CPU) {
		prof_memory_now(pr);
		return;
	}
	for (c = prof.captures; c != NULL; c = c->next)
		n++;
	if (n >= PROF_MAX_CAPTURES) {
		snprintf(why, sizeof why, "%d profiles are being captured "
		    "already; try again later", n);
		pr->answer(pr->arg, 503, NULL, why, strlen(why));
		return;
	}
	c = xcalloc(1, sizeof *c);

	stacktab_init(&c->tab, PROF_MAX_STACKS);
	stacktab_init(&c->mem, PROF_MAX_STACKS);
	prof_drain_cb(-1, 0, h);	/* samples from before are not its */
	prof_base_mark(h, &c->base);
	c->h = h;
	c->answer = pr->answer;
	c->arg = pr->arg;
	c->format = pr->format;
	c->save_name = pr->name != NULL ? xstrdup(pr->name) : NULL;
	c->reduced = pr->reduced;
	c->threshold_pct = pr->threshold_pct;
	c->only = xstrdup(pr->only != NULL ? pr->only : h->cf->profiling_only);
	c->exclude = xstrdup(pr->exclude != NULL ? pr->exclude :
	    h->cf->profiling_exclude);
	c->start = now_epoch();
	c->timer = evtimer_new(h->base, prof_capture_done_cb, c);
	c->next = prof.captures;
	prof.captures = c;
	evtimer_add(c->timer, &tv);
}

/* Finished on-demand jobs come back here, on the loop, to be answered. */
static void
prof_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct push_item *it, *next;
	struct report_job *job;

	for (it = reporter_take_pushes(); it != NULL; it = next) {
		next = it->next;
		push_submit(it);
	}
	while ((job = reporter_take_done()) != NULL) {
		size_t i;

		for (i = 0; i < HL_ARRAY_LEN(prof.inflight); i++)
			if (prof.inflight[i] == job)
				prof.inflight[i] = NULL;
		if (job->failed)
			prof_refuse(&job->answer, job->answer_arg, 500,
			    "the profile could not be built");
		else
			prof_answer(&job->answer, job->answer_arg, 200,
			    prof_format_types[job->format], job->result,
			    job->result_len);
		report_job_free(job);
	}
}

/* The workers' switches: CPU sampling unless memory_only, memory (and
 * copy) sampling unless cpu_only, both off when not enabled. */
static void
prof_set_switch(struct prof_host *h, int enabled)
{
	int on = enabled && !h->cf->profiling_memory_only;
	uint32_t mem = 0;

	if (enabled && !h->cf->profiling_cpu_only)
		mem = SHM_MEMORY_ALLOC |
		    (h->cf->profiling_copy ? SHM_MEMORY_COPY : 0);
	__atomic_store_n(&h->shm->hdr->profiling_on, (uint32_t)on,
	    __ATOMIC_RELEASE);
	__atomic_store_n(&h->shm->hdr->memory_on, mem, __ATOMIC_RELEASE);
}

static void
prof_apply_switch(struct prof_host *h)
{
	prof_set_switch(h, h->cf->profiling_enabled);
}

static void
prof_schedule_window(struct prof_host *h)
{
	struct timeval tv = { h->cf->profiling_interval_seconds, 0 };

	event_del(prof.window_timer);
	event_add(prof.window_timer, &tv);
}

int
prof_master_start(const struct prof_host *host, char *err, size_t errsize)
{
	struct prof_host *h = &prof.host;
	struct timeval drain = { 0, PROF_DRAIN_MS * 1000 };
	uint32_t i;

	*h = *host;
	for (i = 0; i < h->shm->hdr->nslots; i++) {
		if (ring_init(shm_cpu_ring(h->shm, i), PROF_CPU_RING_BYTES) ==
		    NULL || ring_init(shm_event_ring(h->shm, i),
		    PROF_EVENT_RING_BYTES) == NULL) {
			snprintf(err, errsize, "profiler: cannot format rings");
			return -1;
		}
	}
	stacktab_init(&prof.window, PROF_MAX_STACKS);
	memagg_start(h);
	prof_base_mark(h, &prof.base);
	prof.life.slots = xcalloc(h->shm->hdr->nslots, sizeof *prof.life.slots);
	run_rows_init(&prof.life.exited, RUN_EXITED);
	prof.window_start = now_epoch();
	if (reporter_start(h->reports, err, errsize) == -1)
		return -1;
	prof.drain_timer = event_new(h->base, -1, EV_PERSIST, prof_drain_cb, h);
	prof.fast_drain = evtimer_new(h->base, prof_drain_cb, h);
	prof.window_timer = event_new(h->base, -1, EV_PERSIST, prof_window_cb,
	    h);
	prof.done_event = event_new(h->base, reporter_done_fd(),
	    EV_READ | EV_PERSIST, prof_done_cb, h);
	event_add(prof.drain_timer, &drain);
	event_add(prof.done_event, NULL);
	prof_schedule_window(h);
	prof_apply_switch(h);
	push_start(h);
	prof.started = 1;
	return 0;
}

void
prof_master_reload(void)
{
	if (!prof.started)
		return;
	prof_apply_switch(&prof.host);
	prof_schedule_window(&prof.host);
}

void
prof_master_switch(int on)
{
	prof_set_switch(&prof.host, on);
}

void
prof_master_reaped(int slot, const struct prof_exit *ex)
{
	struct prof_host *h = &prof.host;
	struct prof_capture *c;
	uint32_t i = (uint32_t)slot;

	if (!prof.started)
		return;
	prof_drain_slot(h, i);
	/* Its counters go with it: its rows (the window's, each capture's,
	 * the run's) are taken now, its samples stay in the tables. */
	prof_base_exit(h, &prof.base, i, ex);
	prof_base_exit(h, &prof.life, i, ex);
	for (c = prof.captures; c != NULL; c = c->next)
		prof_base_exit(h, &c->base, i, ex);
	memagg_slot_gone(i);
	ring_reset(shm_cpu_ring(h->shm, i));
	ring_reset(shm_event_ring(h->shm, i));
}

/* Answer every on-demand request still pending, so nothing calls back
 * into freed jobs during teardown. */
static void
prof_answer_pending(void)
{
	struct prof_capture *c;
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(prof.inflight); i++) {
		struct report_job *job = prof.inflight[i];

		if (job != NULL)
			prof_refuse(&job->answer, job->answer_arg, 503,
			    "hotlined is stopping");
		prof.inflight[i] = NULL;
	}
	for (c = prof.captures; c != NULL; c = c->next)
		prof_refuse(&c->answer, c->arg, 503, "hotlined is stopping");
}

void
prof_master_stop(int graceful)
{
	struct prof_host *h = &prof.host;
	struct prof_capture *c;

	if (!prof.started)
		return;
	prof_answer_pending();
	prof_drain_cb(-1, 0, h);
	/* A run that sampled nothing has nothing to report. */
	if (h->cf->profiling_enabled && (prof.samples_total > 0 ||
	    memagg_has_data()))
		prof_submit_stored(h, REPORT_FINAL);
	reporter_stop(graceful ? PROF_FINAL_QUIT_MS :
	    PROF_FINAL_BUDGET_MS);
	while ((c = prof.captures) != NULL) {
		prof.captures = c->next;
		event_free(c->timer);
		stacktab_free(&c->tab);
		stacktab_free(&c->mem);
		prof_base_free(&c->base);
		free(c->only);
		free(c->exclude);
		free(c->save_name);
		free(c);
	}
	push_stop();
	event_free(prof.drain_timer);
	event_free(prof.fast_drain);
	prof.fast_drain = NULL;
	event_free(prof.window_timer);
	event_free(prof.done_event);
	stacktab_free(&prof.window);
	prof_base_free(&prof.base);
	prof_base_free(&prof.life);
	memagg_stop();
	prof.started = 0;
}

/* Sampler time over the workers' CPU time since they started. */
static double
prof_overhead(struct prof_host *h)
{
	double ut, st, cpu = 0, handler = 0;
	uint32_t i;

	for (i = 0; i < h->shm->hdr->nslots; i++) {
		struct shm_slot *s = shm_slot(h->shm, i);

		if (s->pid == 0 || prof_proc_cpu(s->pid, &ut, &st) == -1)
			continue;
		cpu += ut + st;
		handler += shm_read(&s->counters.prof_handler_ns) / 1e9;
	}
	return cpu > 0 ? handler / cpu : 0;
}

void
prof_master_totals(unsigned long long *samples,
    unsigned long long *dropped, double *overhead,
    unsigned long long *written)
{
	struct prof_host *h = &prof.host;
	struct reporter_status rs;
	uint32_t i;

	*dropped = 0;
	for (i = 0; prof.started && i < h->shm->hdr->nslots; i++)
		*dropped += slot_drops(h, i);
	*samples = prof.samples_total;
	*overhead = prof.started ? prof_overhead(h) : 0;
	reporter_get_status(&rs);
	*written = rs.written;
}

static json_t *
prof_memory_status(struct prof_host *h)
{
	struct memagg_totals t;
	int hooks = 0;

#ifdef HL_MEMHOOKS
	hooks = 1;
#endif
	memagg_get_totals(&t);
	return json_pack("{s:b, s:b, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "enabled", __atomic_load_n(&h->shm->hdr->memory_on,
	    __ATOMIC_ACQUIRE) != 0, "hooks", hooks, "sample_bytes",
	    (json_int_t)h->cf->profiling_memory_sample_bytes, "copy",
	    h->cf->profiling_copy, "allocations", (json_int_t)t.allocs,
	    "frees", (json_int_t)t.frees, "copies", (json_int_t)t.copies,
	    "unmatched_frees", (json_int_t)t.unmatched, "sites",
	    (json_int_t)t.sites, "live_blocks", (json_int_t)t.live_blocks);
}

/* Own code the profiler can name only as object!function: the daemon
 * when it has no line table, and modules built without -g. */
static json_t *
prof_objects_without_lines(int daemon_has_lines)
{
	json_t *arr = json_array();
	size_t i;

	if (!daemon_has_lines)
		json_array_append_new(arr, json_string("hotlined"));
	for (i = 0; i < module_count(); i++)
		if (module_has_lines(module_path(i)) == 0)
			json_array_append_new(arr,
			    json_string(module_path(i)));
	return arr;
}

void
prof_master_push_totals(uint64_t *ok, uint64_t *failed, uint64_t *dropped)
{
	push_totals(ok, failed, dropped);
}

json_t *
prof_master_status(void)
{
	struct prof_host *h = &prof.host;
	unsigned long long samples, dropped, written;
	struct reporter_status rs;
	double overhead;
	int mean = h->cf->profiling_sample_interval_ms;
	const char *timer = prof_timer_name(h);
	int floor = strncmp(timer, "perf", 4) == 0 ? 1 : 4;

	prof_master_totals(&samples, &dropped, &overhead, &written);
	reporter_get_status(&rs);
	json_t *st;

	st = json_pack("{s:b, s:b, s:s, s:i, s:s, s:i, s:i, s:b, s:i, s:b,"
	    " s:b, s:I, s:I, s:f, s:s, s:{s:I, s:I, s:I, s:s?, s:I, s:f}}",
	    "enabled", prof_sampling(h),
	    "scalene_installed", 1,
	    "output_directory", h->cf->profiling_output_dir,
	    "interval_seconds", h->cf->profiling_interval_seconds,
	    "clock", h->cf->profiling_clock == 1 ? "wall" : "cpu",
	    "sample_interval_ms", mean < floor ? floor : mean,
	    "requested_sample_interval_ms", mean,
	    "sample_interval_clamped", mean < floor,
	    "stack_depth", h->cf->profiling_stack_depth,
	    "cpu_only", h->cf->profiling_cpu_only,
	    "memory_only", h->cf->profiling_memory_only,
	    "samples", (json_int_t)samples, "dropped", (json_int_t)dropped,
	    "overhead_ratio", overhead,
	    "debug_info", rs.debug_lines ? "lines" : "functions only",
	    "reports", "written", (json_int_t)rs.written, "failed",
	    (json_int_t)rs.failed, "skipped", (json_int_t)rs.skipped,
	    "last", rs.last_name[0] != '\0' ? rs.last_name : NULL,
	    "last_at", (json_int_t)rs.last_at, "last_build_seconds",
	    rs.last_seconds);
	json_object_set_new(json_object_get(st, "reports"), "empty_windows",
	    json_integer((json_int_t)prof.empty_windows));
	json_object_set_new(json_object_get(st, "reports"),
	    "last_empty_window_at", json_integer(prof.last_empty_at));
	json_object_set_new(st, "memory", prof_memory_status(h));
	json_object_set_new(st, "timer", json_string(timer));
	json_object_set_new(st, "objects_without_lines",
	    prof_objects_without_lines(rs.debug_lines));
	return st;
}
