/*
 * From stacks to the report document. Each stack is charged once: to the
 * innermost frame of hotline's own code or a loaded module (the "line"),
 * as system time when the sampler saw a syscall, native time when the
 * innermost frame is in a shared library (named), own time otherwise.
 */
#include "autoconf.h"

#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "report/report_int.h"
#include "report/report_json.h"
#include "prof/record.h"
#include "profile/stacktab.h"
#include "profile/symbolize.h"
#include "core/util.h"

static const char *const cls_names[CLS_COUNT] = {
	"own", "native", "system", "idle",
};

/* Allocation wrappers whose frames are not lines: an allocation (or a
 * sample inside one, inlined) is charged to the line that called them. */
static const char *const wrappers[] = {
	"xmalloc", "xcalloc", "xrealloc", "xstrdup",
};

static size_t
index_hash(const void *p, uint64_t k)
{
	uint64_t h = ((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL) ^
	    (k * 0xff51afd7ed558ccdULL);

	return (size_t)(h ^ (h >> 29));
}


static void
index_init(struct index *ix)
{
	ix->n = 1024;
	ix->slots = xcalloc(ix->n, sizeof *ix->slots);
}

/* Find (p, k) with eq(); returns the slot to fill when absent. */
static size_t *
index_find(struct index *ix, const void *p, uint64_t k,
    int (*eq)(const struct builder *, size_t, const void *, uint64_t),
    const struct builder *b)
{
	size_t i = index_hash(p, k) & (ix->n - 1);

	while (ix->slots[i] != 0 && !eq(b, ix->slots[i] - 1, p, k))
		i = (i + 1) & (ix->n - 1);
	return &ix->slots[i];
}

/* A line's key within its file: the line number, or for code without a
 * line table (line 0, `object!function`) the function, so each function
 * of such an object is a record of its own. */
static uint64_t
line_k(uint32_t line, const char *function)
{
	return line != 0 ? line : (uint64_t)(uintptr_t)function;
}

static int
line_eq(const struct builder *b, size_t r, const void *file, uint64_t k)
{
	return b->lines[r].file == file &&
	    line_k(b->lines[r].line, b->lines[r].function) == k;
}

static int
func_eq(const struct builder *b, size_t r, const void *fn, uint64_t file)
{
	return b->funcs[r].function == fn &&
	    (uintptr_t)b->funcs[r].file == (uintptr_t)file;
}

/* Rehash an index at half load; records keep their numbers. */
static void
index_grow(struct index *ix, size_t count, const void *(*key)(const
    struct builder *, size_t, uint64_t *), const struct builder *b)
{
	size_t i, j;
	uint64_t k;

	if (count * 2 < ix->n)
		return;
	free(ix->slots);
	ix->n *= 2;
	ix->slots = xcalloc(ix->n, sizeof *ix->slots);
	for (i = 0; i < count; i++) {
		const void *p = key(b, i, &k);

		for (j = index_hash(p, k) & (ix->n - 1); ix->slots[j] != 0;
		    j = (j + 1) & (ix->n - 1))
			;
		ix->slots[j] = i + 1;
	}
}

static const void *
line_key(const struct builder *b, size_t i, uint64_t *k)
{
	*k = line_k(b->lines[i].line, b->lines[i].function);
	return b->lines[i].file;
}

static const void *
func_key(const struct builder *b, size_t i, uint64_t *k)
{
	*k = (uintptr_t)b->funcs[i].file;
	return b->funcs[i].function;
}

static void
tally_add(struct tally *t, int cls, uint64_t samples, uint64_t weight)
{
	t->samples[cls] += samples;
	t->weight[cls] += weight;
}

struct line_rec *
report_line(struct builder *b, const struct sym_frame *f)
{
	size_t *slot = index_find(&b->line_ix, f->file,
	    line_k(f->line, f->function), line_eq, b);

	if (*slot != 0)
		return &b->lines[*slot - 1];
	if (b->nlines == REPORT_MAX_LINES)
		return NULL;
	if (b->nlines == b->lines_cap) {
		b->lines_cap = HL_MAX(b->lines_cap * 2, 256);
		b->lines = xrealloc(b->lines, b->lines_cap * sizeof *b->lines);
	}
	memset(&b->lines[b->nlines], 0, sizeof *b->lines);
	b->lines[b->nlines].file = f->file;
	b->lines[b->nlines].line = f->line;
	b->lines[b->nlines].function = f->function;
	*slot = ++b->nlines;
	index_grow(&b->line_ix, b->nlines, line_key, b);
	return &b->lines[b->nlines - 1];
}

struct func_rec *
report_func(struct builder *b, const struct sym_frame *f)
{
	size_t *slot = index_find(&b->func_ix, f->function,
	    (uintptr_t)f->file, func_eq, b);

	if (*slot != 0)
		return &b->funcs[*slot - 1];
	if (b->nfuncs == b->funcs_cap) {
		b->funcs_cap = HL_MAX(b->funcs_cap * 2, 256);
		b->funcs = xrealloc(b->funcs, b->funcs_cap * sizeof *b->funcs);
	}
	memset(&b->funcs[b->nfuncs], 0, sizeof *b->funcs);
	b->funcs[b->nfuncs].function = f->function;
	b->funcs[b->nfuncs].file = f->file;
	b->funcs[b->nfuncs].line = f->line;
	*slot = ++b->nfuncs;
	index_grow(&b->func_ix, b->nfuncs, func_key, b);
	return &b->funcs[b->nfuncs - 1];
}

static void
line_add_lib(struct line_rec *l, const char *object)
{
	int i;

	if (object == NULL)
		return;
	for (i = 0; i < REPORT_LIBS && l->libs[i] != NULL; i++) {
		if (l->libs[i] == object)
			return;
	}
	if (i < REPORT_LIBS)
		l->libs[i] = object;
}

/* The class of a stack: system and idle from the sampler's flag and the
 * stack, native when the innermost frame is not own code. */
static int
stack_class(struct builder *b, const struct stack_entry *e,
    const struct sym_frame *inner, const uint64_t *pcs)
{
	struct sym_frame f[SYM_MAX_FRAMES];
	unsigned i;
	int n, j;

	if ((e->cls & SAMPLE_CPU_CLASS_MASK) == SAMPLE_CPU_SYSTEM) {
		if (!b->in->wall)
			return CLS_SYSTEM;
		for (i = 0; i < e->depth && i < 4; i++) {
			n = symbolizer_lookup(b->sym, pcs[i], i > 0, f,
			    SYM_MAX_FRAMES);
			for (j = 0; j < n; j++) {
				if (strstr(f[j].function, "epoll_wait") ||
				    strstr(f[j].function, "epoll_dispatch"))
					return CLS_IDLE;
			}
		}
		return CLS_SYSTEM;
	}
	return inner->own ? CLS_OWN : CLS_NATIVE;
}

static int
is_wrapper(const char *function)
{
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(wrappers); i++)
		if (strcmp(function, wrappers[i]) == 0)
			return 1;
	return 0;
}

int
report_charge(struct builder *b, const uint64_t *pcs, unsigned depth,
    int exact0, struct sym_frame *out)
{
	struct sym_frame f[SYM_MAX_FRAMES];
	unsigned i;
	int n, j;

	for (i = 0; i < depth; i++) {
		n = symbolizer_lookup(b->sym, pcs[i], i > 0 || !exact0, f,
		    SYM_MAX_FRAMES);
		for (j = 0; j < n; j++) {
			if (f[j].own && f[j].file != NULL &&
			    !is_wrapper(f[j].function)) {
				*out = f[j];
				return 0;
			}
		}
	}
	return -1;
}

/* Remember an own object charged without a line table (symbolize.c names
 * its frames `object!function`), for the report's list. */
static void
report_nolines_add(struct builder *b, const char *object)
{
	int i;

	for (i = 0; i < b->nnolines; i++)
		if (b->nolines[i] == object)
			return;
	if (b->nnolines < REPORT_NOLINES_MAX)
		b->nolines[b->nnolines++] = object;
}

static json_t *
report_nolines_json(const struct builder *b)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; i < b->nnolines; i++)
		json_array_append_new(arr, json_string(b->nolines[i]));
	return arr;
}

/* Charge one stack to its innermost own frame. */
static void
builder_add(struct builder *b, const struct stack_entry *e)
{
	const uint64_t *pcs = stacktab_pcs(b->in->tab, e);
	struct sym_frame inner, f;
	struct line_rec *l;
	int cls;

	if (e->depth == 0)
		return;
	symbolizer_lookup(b->sym, pcs[0], 0, &inner, 1);
	cls = stack_class(b, e, &inner, pcs);
	tally_add(&b->total, cls, e->samples, e->weight_ns);
	if (report_charge(b, pcs, e->depth, 1, &f) == -1) {
		b->unresolved += e->samples;
		return;
	}
	if ((l = report_line(b, &f)) == NULL) {
		b->dropped_lines += e->samples;
		return;
	}
	tally_add(&l->t, cls, e->samples, e->weight_ns);
	if (f.line == 0 && f.file == f.object)
		report_nolines_add(b, f.object);
	if (cls == CLS_NATIVE)
		line_add_lib(l, inner.object);
	tally_add(&report_func(b, &f)->t, cls, e->samples, e->weight_ns);
}

static double
pct(uint64_t part, uint64_t whole)
{
	return whole == 0 ? 0 : round(10000.0 * part / whole) / 100;
}

static uint64_t
tally_cpu(const struct tally *t)
{
	return t->weight[CLS_OWN] + t->weight[CLS_NATIVE] +
	    t->weight[CLS_SYSTEM];
}

static uint64_t
tally_all(const struct tally *t)
{
	return tally_cpu(t) + t->weight[CLS_IDLE];
}

static uint64_t
tally_samples(const struct tally *t)
{
	int c;
	uint64_t n = 0;

	for (c = 0; c < CLS_COUNT; c++)
		n += t->samples[c];
	return n;
}

/* Samples of the CPU classes (idle left out). */
static uint64_t
tally_cpu_samples(const struct tally *t)
{
	return t->samples[CLS_OWN] + t->samples[CLS_NATIVE] +
	    t->samples[CLS_SYSTEM];
}

/* {"own_pct","native_pct","system_pct","idle_pct","cpu_pct","samples"} */
static void
tally_json(json_t *o, const struct tally *t, uint64_t whole)
{
	int c;
	char key[32];

	for (c = 0; c < CLS_COUNT; c++) {
		snprintf(key, sizeof key, "%s_pct", cls_names[c]);
		json_object_set_new(o, key,
		    json_real(pct(t->weight[c], whole)));
	}
	json_object_set_new(o, "cpu_pct", json_real(pct(tally_cpu(t), whole)));
	json_object_set_new(o, "samples", json_integer(
	    (json_int_t)tally_samples(t)));
}

/* A file passes profiling_only / profiling_exclude (substring lists). */
static int
list_matches(const char *list, const char *file)
{
	char item[256];
	const char *p = list, *end;
	size_t len;

	while (*p != '\0') {
		end = p + strcspn(p, ",");
		len = HL_MIN((size_t)(end - p), sizeof item - 1);
		memcpy(item, p, len);
		item[len] = '\0';
		if (len > 0 && strstr(file, item) != NULL)
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int
file_wanted(const struct report_input *in, const char *file)
{
	if (in->only != NULL && in->only[0] != '\0' &&
	    !list_matches(in->only, file))
		return 0;
	return in->exclude == NULL || in->exclude[0] == '\0' ||
	    !list_matches(in->exclude, file);
}

static int
line_order(const void *a, const void *b)
{
	const struct line_rec *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

static json_t *
line_json(struct builder *b, const struct line_rec *l, uint64_t whole)
{
	json_t *o = json_pack("{s:i, s:s}", "line", (int)l->line,
	    "function", l->function), *libs = json_array();
	int i;

	tally_json(o, &l->t, whole);
	report_interval_json(b, o, tally_cpu_samples(&l->t));
	for (i = 0; i < REPORT_LIBS && l->libs[i] != NULL; i++) {
		char copy[512];

		snprintf(copy, sizeof copy, "%s", l->libs[i]);
		json_array_append_new(libs, json_string(basename(copy)));
	}
	json_object_set_new(o, "native_libraries", libs);
	if (report_has_memory(b)) {
		report_mem_json(o, b, &l->m, MEM_KEYS_LINE);
		json_object_set_new(o, "leak_likelihood",
		    json_real(round(l->likelihood * 1000) / 1000));
		if (l->timeline)
			json_object_set_new(o, "timeline",
			    report_mem_line_timeline(b, l));
	}
	return o;
}

/* A line a reduced profile keeps: hot enough, a large allocator, or a
 * leak. */
static int
line_kept(struct builder *b, const struct line_rec *l, uint64_t whole)
{
	if (!b->in->reduced || l->leak)
		return 1;
	return pct(tally_cpu(&l->t), whole) >= b->in->threshold_pct ||
	    (b->mtotal.alloc_bytes > 0 && pct(l->m.alloc_bytes,
	    b->mtotal.alloc_bytes) >= b->in->threshold_pct);
}

static void
file_totals(const struct builder *b, json_t *file, const struct tally *t,
    const struct memtally *m, uint64_t whole)
{
	tally_json(file, t, whole);
	if (report_has_memory(b))
		report_mem_json(file, b, m, MEM_KEYS_FILE);
}

/* Files in order of their time, each with its lines in source order. */
static json_t *
files_json(struct builder *b, uint64_t whole)
{
	json_t *files = json_array(), *file = NULL, *lines = NULL;
	struct tally ft;
	struct memtally fm;
	size_t i;

	if (b->nlines > 0)	/* qsort's base must not be NULL */
		qsort(b->lines, b->nlines, sizeof *b->lines, line_order);
	memset(&ft, 0, sizeof ft);
	memset(&fm, 0, sizeof fm);
	for (i = 0; i < b->nlines; i++) {
		const struct line_rec *l = &b->lines[i];
		int c;

		if (!file_wanted(b->in, l->file))
			continue;
		if (file == NULL || strcmp(json_string_value(json_object_get(
		    file, "file")), l->file) != 0) {
			if (file != NULL)
				file_totals(b, file, &ft, &fm, whole);
			memset(&ft, 0, sizeof ft);
			memset(&fm, 0, sizeof fm);
			lines = json_array();
			file = json_pack("{s:s, s:o}", "file", l->file,
			    "lines", lines);
			json_array_append_new(files, file);
		}
		for (c = 0; c < CLS_COUNT; c++)
			tally_add(&ft, c, l->t.samples[c], l->t.weight[c]);
		memtally_add(&fm, &l->m);
		if (line_kept(b, l, whole))
			json_array_append_new(lines, line_json(b, l, whole));
	}
	if (file != NULL)
		file_totals(b, file, &ft, &fm, whole);
	return files;
}

static int
json_pct_desc(const void *a, const void *b)
{
	double x = json_real_value(json_object_get(*(json_t *const *)a,
	    "cpu_pct"));
	double y = json_real_value(json_object_get(*(json_t *const *)b,
	    "cpu_pct"));

	return (x < y) - (x > y);
}

/* Sort a JSON array of objects by cpu_pct, largest first. */
static json_t *
sorted_by_pct(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **items = xcalloc(n + 1, sizeof *items), *out = json_array();

	for (i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(arr, i));
	if (n > 0)
		qsort(items, n, sizeof *items, json_pct_desc);
	for (i = 0; i < n; i++)
		json_array_append_new(out, items[i]);
	free(items);
	json_decref(arr);
	return out;
}

static json_t *
functions_json(const struct builder *b, uint64_t whole)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < b->nfuncs; i++) {
		const struct func_rec *f = &b->funcs[i];
		json_t *o;

		if (f->file != NULL && !file_wanted(b->in, f->file))
			continue;
		o = json_pack("{s:s, s:s?, s:i}", "function", f->function,
		    "file", f->file, "line", (int)f->line);
		tally_json(o, &f->t, whole);
		report_interval_json(b, o, tally_cpu_samples(&f->t));
		if (report_has_memory(b))
			report_mem_json(o, b, &f->m, MEM_KEYS_FILE);
		json_array_append_new(arr, o);
	}
	return sorted_by_pct(arr);
}

/* Per handler: samples and CPU time, and per call with the call count. */
static json_t *
handlers_json(const struct builder *b, uint64_t whole)
{
	const struct stack_entry *e;
	json_t *arr = json_array(), *o;
	int h;

	for (h = 0; h < b->in->nhandlers; h++) {
		const struct report_handler *rh = &b->in->handlers[h];
		uint64_t samples = 0, weight = 0;
		double ms;
		size_t i = 0;

		while ((e = stacktab_next(b->in->tab, &i)) != NULL) {
			if (e->pkg_id != rh->pkg_id)
				continue;
			samples += e->samples;
			weight += e->weight_ns;
		}
		ms = weight / 1e6;
		o = json_pack("{s:i, s:s, s:I, s:I, s:f,"
		    " s:f, s:f}", "pkg_id", rh->pkg_id, "name", rh->name,
		    "calls", (json_int_t)rh->calls, "samples",
		    (json_int_t)samples, "cpu_ms", round(ms * 1000) / 1000,
		    "cpu_ms_per_call", rh->calls ? round(ms * 1e6 / rh->calls) /
		    1e6 : 0.0, "cpu_pct", pct(weight, whole));
		report_interval_json(b, o, samples);
		if (report_has_memory(b)) {
			uint64_t bytes = report_mem_handler_bytes(b,
			    rh->pkg_id);

			json_object_set_new(o, "alloc_mb",
			    json_real(report_mb(bytes)));
			json_object_set_new(o, "alloc_bytes_per_call",
			    json_real(rh->calls ? round((double)bytes /
			    rh->calls) : 0.0));
		}
		json_array_append_new(arr, o);
	}
	return sorted_by_pct(arr);
}

/* How an exited worker ended (its wait status), or that it runs. */
static void
worker_exit_json(json_t *o, const struct report_worker *w)
{
	const char *abbrev;
	char name[32];
	int sig;

	json_object_set_new(o, "state", json_string(w->exited ? "exited" :
	    "running"));
	json_object_set_new(o, "cpu_source", json_string(w->exited ?
	    "rusage" : "proc"));
	if (w->folded > 0)
		json_object_set_new(o, "folded_workers",
		    json_integer((json_int_t)w->folded));
	if (!w->exited)
		return;
	if (!WIFSIGNALED(w->status)) {
		json_object_set_new(o, "exit", json_pack("{s:i}", "status",
		    WEXITSTATUS(w->status)));
		return;
	}
	sig = WTERMSIG(w->status);
	abbrev = sigabbrev_np(sig);
	snprintf(name, sizeof name, "SIG%s", abbrev != NULL ? abbrev : "?");
	json_object_set_new(o, "exit", json_pack("{s:i, s:s, s:b}", "signal",
	    sig, "signal_name", name, "core_dumped", WCOREDUMP(w->status)));
}

static json_t *
workers_json(const struct builder *b, json_t **totals)
{
	const struct report_input *in = b->in;
	json_t *arr = json_array();
	double ut = 0, st = 0, handler_s = 0, delivery_s = 0, hook_s = 0;
	uint64_t dropped = 0;
	int i;

	for (i = 0; i < in->nworkers; i++) {
		const struct report_worker *w = &in->workers[i];

		json_t *o = json_pack("{s:i, s:i, s:i, s:I, s:I,"
		    " s:f, s:f, s:f}", "slot", w->slot, "index", w->index,
		    "pid", w->pid, "samples", (json_int_t)w->samples,
		    "dropped", (json_int_t)w->dropped, "utime_seconds",
		    w->utime_s, "stime_seconds", w->stime_s,
		    "sampler_seconds", w->handler_ns / 1e9);

		json_object_set_new(o, "signal_delivery_seconds",
		    json_real(w->delivery_ns / 1e9));
		json_object_set_new(o, "memory_hook_seconds",
		    json_real(w->hook_ns / 1e9));
		worker_exit_json(o, w);
		if (report_has_memory(b)) {
			json_object_set_new(o, "rss_mb",
			    json_real(report_mb(w->rss_bytes)));
			json_object_set_new(o, "heap_mb",
			    json_real(report_mb(w->heap_bytes)));
			json_object_set_new(o, "alloc_mb",
			    json_real(report_mb(w->alloc_bytes)));
			json_object_set_new(o, "memory_dropped",
			    json_integer((json_int_t)w->mem_dropped));
		}
		json_array_append_new(arr, o);
		ut += w->utime_s;
		st += w->stime_s;
		handler_s += w->handler_ns / 1e9;
		delivery_s += w->delivery_ns / 1e9;
		hook_s += w->hook_ns / 1e9;
		dropped += w->dropped;
	}
	*totals = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:I}",
	    "utime_seconds", ut, "stime_seconds", st, "sampler_seconds",
	    handler_s, "signal_delivery_seconds", delivery_s,
	    "memory_hook_seconds", hook_s, "overhead_pct", ut + st > 0 ?
	    round(10000.0 * (handler_s + delivery_s + hook_s) / (ut + st)) /
	    100 : 0.0, "dropped", (json_int_t)dropped);
	return arr;
}

/* Sampled CPU against what the kernel accounted: both, and the gap. The
 * samples taken in the profiler's hooks are CPU the workers spent too. */
static json_t *
reconcile_json(const struct builder *b, json_t *wt)
{
	double proc = json_real_value(json_object_get(wt, "utime_seconds")) +
	    json_real_value(json_object_get(wt, "stime_seconds"));
	double sampled = (tally_cpu(&b->total) + b->in->tab->hooks_ns) / 1e9;
	double sys_proc = json_real_value(json_object_get(wt, "stime_seconds"));
	double sys_sampled = b->total.weight[CLS_SYSTEM] / 1e9;

	return json_pack("{s:f, s:f, s:f, s:f, s:f}", "sampled_cpu_seconds",
	    sampled, "proc_cpu_seconds", proc, "gap_pct", proc > 0 ?
	    round(10000.0 * (sampled - proc) / proc) / 100 : 0.0,
	    "sampled_system_seconds", sys_sampled, "proc_system_seconds",
	    sys_proc);
}

/* The document's "stacks", from the caller's collection when it has one. */
static json_t *
report_stacks(struct symbolizer *sym, const struct report_input *in)
{
	struct report_folded *own;
	json_t *arr;

	if (in->folded != NULL)
		return report_folded_json(in->folded);
	own = report_folded_collect(sym, in->tab);
	arr = report_folded_json(own);
	report_folded_free(own);
	return arr;
}

json_t *
report_build(struct symbolizer *sym, const struct report_input *in)
{
	struct builder b = { .sym = sym, .in = in };
	const struct stack_entry *e;
	json_t *doc, *wt, *workers;
	uint64_t whole;
	size_t i = 0;

	index_init(&b.line_ix);
	index_init(&b.func_ix);
	while ((e = stacktab_next(in->tab, &i)) != NULL)
		builder_add(&b, e);
	report_mem_add(&b);
	report_mem_finish(&b);
	whole = tally_all(&b.total);
	workers = workers_json(&b, &wt);
	doc = json_pack("{s:s, s:s, s:s, s:{s:f, s:f, s:f}, s:s, s:i}",
	    "schema_version", REPORT_SCHEMA_VERSION, "generator",
	    "hotline " PACKAGE_VERSION, "kind", in->kind, "window", "start",
	    in->start, "end", in->end, "seconds", in->end - in->start,
	    "clock", in->wall ? "wall" : "cpu", "sample_interval_ms",
	    in->sample_interval_ms);
	if (in->timer != NULL)
		json_object_set_new(doc, "timer", json_string(in->timer));
	if (strcmp(in->kind, "on_demand") != 0)
		json_object_set_new(doc, "skipped_empty_windows",
		    json_integer((json_int_t)in->skipped_empty_windows));
	json_object_set_new(doc, "totals", json_pack("{s:I, s:f, s:I, s:I, "
	    "s:I}", "samples", (json_int_t)in->tab->samples, "seconds",
	    whole / 1e9, "unresolved_samples", (json_int_t)b.unresolved,
	    "stacks_overflow_samples", (json_int_t)in->tab->overflow,
	    "lines_overflow_samples", (json_int_t)b.dropped_lines));
	tally_json(json_object_get(doc, "totals"), &b.total, whole);
	if (report_has_memory(&b))
		report_mem_json(json_object_get(doc, "totals"), &b, &b.mtotal,
		    MEM_KEYS_TOTALS);
	json_object_set_new(doc, "objects_without_lines",
	    report_nolines_json(&b));
	json_object_set_new(doc, "reconciliation", reconcile_json(&b, wt));
	json_object_set_new(wt, "hook_samples",
	    json_integer((json_int_t)in->tab->hooks));
	json_object_set_new(wt, "hook_sampled_seconds",
	    json_real(in->tab->hooks_ns / 1e9));
	json_object_set_new(doc, "overhead", wt);
	json_object_set_new(doc, "workers", workers);
	json_object_set_new(doc, "files", files_json(&b, whole));
	json_object_set_new(doc, "functions", functions_json(&b, whole));
	json_object_set_new(doc, "handlers", handlers_json(&b, whole));
	json_object_set_new(doc, "stacks", report_stacks(sym, in));
	if (in->mem != NULL)
		json_object_set_new(doc, "alloc_stacks",
		    report_folded_alloc_json(sym, in->mem));
	report_mem_doc(&b, doc);
	report_headline_doc(&b, doc, tally_cpu(&b.total) / 1e9);
	free(b.site_file);
	free(b.site_lineno);
	json_decref(b.leaks);
	free(b.lines);
	free(b.funcs);
	free(b.line_ix.slots);
	free(b.func_ix.slots);
	return doc;
}
