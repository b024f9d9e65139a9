/*
 * The memory side of a report: sampled allocations, frees and copies
 * charged to lines like CPU samples (report_charge), the sites' bytes in
 * use and peaks, leak verdicts across windows, and the timeline.
 */
#include "autoconf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <string.h>

#include "profile/leaktrack.h"
#include "profile/memsite.h"
#include "report/report_int.h"
#include "profile/stacktab.h"
#include "profile/timeline.h"
#include "core/util.h"

int
report_has_memory(const struct builder *b)
{
	return b->in->mem != NULL;
}

double
report_mb(uint64_t bytes)
{
	return round((double)bytes / 1e3) / 1e3;
}

void
memtally_add(struct memtally *to, const struct memtally *from)
{
	to->alloc_bytes += from->alloc_bytes;
	to->free_bytes += from->free_bytes;
	to->mallocs += from->mallocs;
	to->frees += from->frees;
	to->copy_bytes += from->copy_bytes;
	to->copies += from->copies;
	to->live += from->live;
	to->exited += from->exited;
	to->peak += from->peak;
	to->run_mallocs += from->run_mallocs;
	to->run_frees += from->run_frees;
}

static void
memtally_event(struct memtally *m, int cls, uint64_t n, uint64_t bytes)
{
	switch (cls) {
	case MEM_CLS_ALLOC:
		m->mallocs += n;
		m->alloc_bytes += bytes;
		break;
	case MEM_CLS_FREE:
		m->frees += n;
		m->free_bytes += bytes;
		break;
	case MEM_CLS_COPY:
		m->copies += n;
		m->copy_bytes += bytes;
		break;
	}
}

/* The window's allocations, frees and copies, by the stack that made
 * them. */
static void
mem_add_events(struct builder *b)
{
	const struct stack_entry *e;
	struct sym_frame f;
	struct line_rec *l;
	size_t i = 0;

	while ((e = stacktab_next(b->in->mem, &i)) != NULL) {
		const uint64_t *pcs = stacktab_pcs(b->in->mem, e);

		memtally_event(&b->mtotal, e->cls, e->samples, e->weight_ns);
		if (report_charge(b, pcs, e->depth, 0, &f) == -1 ||
		    (l = report_line(b, &f)) == NULL)
			continue;
		memtally_event(&l->m, e->cls, e->samples, e->weight_ns);
		memtally_event(&report_func(b, &f)->m, e->cls, e->samples,
		    e->weight_ns);
	}
}

/* Every site's bytes in use, peak and counts since the start. */
static void
mem_add_sites(struct builder *b)
{
	const struct memsnap *snap = b->in->snap;
	struct sym_frame f;
	struct line_rec *l;
	size_t i;

	if (snap == NULL)
		return;
	b->site_file = xcalloc(snap->nsites + 1, sizeof *b->site_file);
	b->site_lineno = xcalloc(snap->nsites + 1, sizeof *b->site_lineno);
	for (i = 0; i < snap->nsites; i++) {
		const struct memsite *s = &snap->sites[i];

		b->mtotal.live += s->live;
		b->mtotal.exited += s->exited;
		if (report_charge(b, snap->arena + s->pcs_off, s->depth, 0,
		    &f) == -1 || (l = report_line(b, &f)) == NULL)
			continue;
		b->site_file[i] = l->file;
		b->site_lineno[i] = l->line;
		l->m.live += s->live;
		l->m.exited += s->exited;
		l->m.peak += s->peak;
		l->m.run_mallocs += s->allocs;
		l->m.run_frees += s->frees;
	}
}

void
report_mem_add(struct builder *b)
{
	if (!report_has_memory(b))
		return;
	b->leaks = json_array();
	mem_add_events(b);
	mem_add_sites(b);
}

/* The final report covers the whole run. */
static int
report_is_final(const struct report_input *in)
{
	return strcmp(in->kind, "final") == 0;
}

/* Sampled bytes a line allocated and never freed: in use now, or when
 * the worker holding them exited. A leak keeps growing by this measure
 * across a worker's death; the final report, after every worker has
 * exited, still sees it. */
static uint64_t
mem_unfreed(const struct memtally *m)
{
	return m->live + m->exited;
}

static void
mem_leak(struct builder *b, struct line_rec *l)
{
	const struct report_input *in = b->in;
	uint64_t unfreed = mem_unfreed(&l->m);
	struct leak_trend tr;

	l->likelihood = leak_likelihood(l->m.run_mallocs, l->m.run_frees);
	if (report_is_final(in))
		leaktrack_run_trend(in->leaks, l->file, l->line, in->start,
		    in->end, unfreed, &tr);
	else
		leaktrack_trend(in->leaks, l->file, l->line, in->start,
		    in->end, unfreed, &tr);
	if (in->leaks != NULL && in->leaks_record)
		leaktrack_record(in->leaks, l->file, l->line, in->start,
		    in->end, unfreed);
	if (!leak_flagged(l->likelihood, &tr, in->leak_min_growth))
		return;
	l->leak = 1;
	json_array_append_new(b->leaks, json_pack("{s:s, s:i, s:s, s:f, s:f,"
	    " s:f, s:I, s:I}", "file", l->file, "line", (int)l->line,
	    "function", l->function, "likelihood",
	    round(l->likelihood * 1000) / 1000, "growth_mb_s",
	    round(tr.growth / 1e3) / 1e3, "net_mb", report_mb(unfreed),
	    "mallocs", (json_int_t)l->m.run_mallocs, "frees",
	    (json_int_t)l->m.run_frees));
}

static int
leak_order(const void *a, const void *b)
{
	double x = json_real_value(json_object_get(*(json_t *const *)a,
	    "growth_mb_s"));
	double y = json_real_value(json_object_get(*(json_t *const *)b,
	    "growth_mb_s"));

	return (x < y) - (x > y);
}

static void
mem_sort_leaks(struct builder *b)
{
	size_t n = json_array_size(b->leaks), i;
	json_t **items, *sorted;

	if (n < 2)
		return;
	items = xcalloc(n, sizeof *items);
	for (i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(b->leaks, i));
	qsort(items, n, sizeof *items, leak_order);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(sorted, items[i]);
	free(items);
	json_decref(b->leaks);
	b->leaks = sorted;
}

/* The REPORT_TIMELINE_LINES lines with the largest peaks get a timeline. */
static void
mem_pick_timelines(struct builder *b)
{
	int k;

	if (b->in->timeline == NULL || b->in->timeline->npoints == 0)
		return;
	for (k = 0; k < REPORT_TIMELINE_LINES; k++) {
		struct line_rec *best = NULL;
		size_t i;

		for (i = 0; i < b->nlines; i++) {
			struct line_rec *l = &b->lines[i];

			if (!l->timeline && l->m.peak > 0 &&
			    (best == NULL || l->m.peak > best->m.peak))
				best = l;
		}
		if (best == NULL)
			return;
		best->timeline = 1;
	}
}

void
report_mem_finish(struct builder *b)
{
	size_t i;

	if (!report_has_memory(b))
		return;
	for (i = 0; i < b->nlines; i++)
		if (b->lines[i].m.run_mallocs > 0)
			mem_leak(b, &b->lines[i]);
	mem_sort_leaks(b);
	mem_pick_timelines(b);
}

void
report_mem_json(json_t *o, const struct builder *b, const struct memtally *m,
    int level)
{
	double secs = b->in->end - b->in->start;
	uint64_t net = m->alloc_bytes - HL_MIN(m->alloc_bytes, m->free_bytes);

	json_object_set_new(o, "alloc_mb",
	    json_real(report_mb(m->alloc_bytes)));
	json_object_set_new(o, "net_mb", json_real(m->free_bytes >
	    m->alloc_bytes ? -report_mb(m->free_bytes - m->alloc_bytes) :
	    report_mb(net)));
	if (b->in->copy)
		json_object_set_new(o, "copy_mb",
		    json_real(report_mb(m->copy_bytes)));
	if (level == MEM_KEYS_FILE)
		return;
	json_object_set_new(o, "free_mb", json_real(report_mb(m->free_bytes)));
	json_object_set_new(o, "alloc_mb_s", json_real(secs > 0 ?
	    round(m->alloc_bytes / secs / 1e3) / 1e3 : 0.0));
	json_object_set_new(o, "mallocs", json_integer((json_int_t)m->mallocs));
	json_object_set_new(o, "frees", json_integer((json_int_t)m->frees));
	if (b->in->copy)
		json_object_set_new(o, "copy_mb_s", json_real(secs > 0 ?
		    round(m->copy_bytes / secs / 1e3) / 1e3 : 0.0));
	if (level == MEM_KEYS_LINE) {
		json_object_set_new(o, "peak_mb",
		    json_real(report_mb(m->peak)));
		return;
	}
	/* The final report's heap is the run's: every worker's at its end. */
	json_object_set_new(o, "heap_mb", json_real(report_mb(
	    report_is_final(b->in) ? mem_unfreed(m) : m->live)));
	json_object_set_new(o, "heap_exited_mb",
	    json_real(report_mb(m->exited)));
}

json_t *
report_mem_line_timeline(const struct builder *b, const struct line_rec *l)
{
	const struct timeline *tl = b->in->timeline;
	json_t *arr = json_array();
	int p, k;

	for (p = 0; tl != NULL && p < tl->npoints; p++) {
		const struct timeline_point *pt = &tl->points[p];
		uint64_t live = 0;

		for (k = 0; k < pt->ntop; k++) {
			uint32_t s = pt->top[k].site;

			if (b->in->snap != NULL && s < b->in->snap->nsites &&
			    b->site_file[s] == l->file &&
			    b->site_lineno[s] == l->line)
				live += pt->top[k].live;
		}
		json_array_append_new(arr, json_real(report_mb(live)));
	}
	return arr;
}

uint64_t
report_mem_handler_bytes(const struct builder *b, int32_t pkg_id)
{
	const struct stack_entry *e;
	uint64_t bytes = 0;
	size_t i = 0;

	while ((e = stacktab_next(b->in->mem, &i)) != NULL)
		if (e->cls == MEM_CLS_ALLOC && e->pkg_id == pkg_id)
			bytes += e->weight_ns;
	return bytes;
}

static json_t *
timeline_json(const struct report_input *in)
{
	const struct timeline *tl = in->timeline;
	json_t *points = json_array();
	int p, w;

	for (p = 0; p < tl->npoints; p++) {
		const struct timeline_point *pt = &tl->points[p];
		json_t *workers = json_array();

		for (w = 0; w < pt->nworkers; w++) {
			const struct timeline_worker *tw = &pt->workers[w];

			json_array_append_new(workers,
			    json_pack("{s:i, s:i, s:f, s:f, s:f}",
			    "slot", tw->slot, "pid", tw->pid,
			    "cpu_pct", round(tw->cpu_pct * 10) / 10,
			    "rss_mb", report_mb(tw->rss_bytes),
			    "heap_mb", report_mb(tw->heap_bytes)));
		}
		json_array_append_new(points, json_pack("{s:f, s:o}", "t",
		    round((pt->t - in->start) * 1000) / 1000, "workers",
		    workers));
	}
	return json_pack("{s:f, s:o}", "interval_s", tl->interval_s,
	    "points", points);
}

void
report_mem_doc(struct builder *b, json_t *doc)
{
	const struct report_input *in = b->in;

	uint64_t dropped = 0;
	int i;

	for (i = 0; i < in->nworkers; i++)
		dropped += in->workers[i].mem_dropped;
	json_object_set_new(doc, "memory", json_pack("{s:b, s:b, s:I, s:b,"
	    " s:s, s:I}", "enabled", report_has_memory(b), "hooks",
	    in->memory_hooks, "sample_bytes",
	    (json_int_t)in->memory_sample_bytes, "copy", in->copy,
	    "copy_scope", "library-call copies", "dropped",
	    (json_int_t)dropped));
	if (report_has_memory(b))
		json_object_set(doc, "leaks", b->leaks);
	if (in->timeline != NULL)
		json_object_set_new(doc, "timeline", timeline_json(in));
}
