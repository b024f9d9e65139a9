/*
 * From stacks to the report document. Each stack is charged once: to the
 * innermost frame of hotline's own code or a loaded module (the "line"),
 * as system time when the sampler saw a syscall, native time when the
 * innermost frame is in a shared library (named), own time otherwise.
 */
#include "autoconf.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_json.h"
#include "sample.h"
#include "stacktab.h"
#include "symbolize.h"
#include "util.h"

enum { CLS_OWN, CLS_NATIVE, CLS_SYSTEM, CLS_IDLE, CLS_COUNT };
static const char *const cls_names[CLS_COUNT] = {
	"own", "native", "system", "idle",
};

#define REPORT_LIBS	4	/* native libraries named per line */

/* Time of one line (or function, or handler) by class. */
struct tally {
	uint64_t	 samples[CLS_COUNT];
	uint64_t	 weight[CLS_COUNT];
};

struct line_rec {
	const char	*file;
	const char	*function;
	uint32_t	 line;
	struct tally	 t;
	const char	*libs[REPORT_LIBS];
};

struct func_rec {
	const char	*function;
	const char	*file;
	uint32_t	 line;		/* first line charged */
	struct tally	 t;
};

/* A tiny open-addressing index from (pointer, number) to an array slot;
 * strings from the symbolizer are interned, so pointers compare. */
struct index {
	size_t		*slots;		/* record number + 1, 0 empty */
	size_t		 n;		/* power of two */
};

static size_t
index_hash(const void *p, uint64_t k)
{
	uint64_t h = ((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL) ^
	    (k * 0xff51afd7ed558ccdULL);

	return (size_t)(h ^ (h >> 29));
}

struct builder {
	struct symbolizer	*sym;
	const struct report_input *in;
	struct line_rec		*lines;
	size_t			 nlines, lines_cap;
	struct index		 line_ix;
	struct func_rec		*funcs;
	size_t			 nfuncs, funcs_cap;
	struct index		 func_ix;
	struct tally		 total;
	uint64_t		 dropped_lines;	/* samples past REPORT_MAX_LINES */
	uint64_t		 unresolved;	/* samples with no own frame */
};

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

static int
line_eq(const struct builder *b, size_t r, const void *file, uint64_t line)
{
	return b->lines[r].file == file && b->lines[r].line == line;
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
	*k = b->lines[i].line;
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

static struct line_rec *
builder_line(struct builder *b, const struct sym_frame *f)
{
	size_t *slot = index_find(&b->line_ix, f->file, f->line, line_eq, b);

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

static struct func_rec *
builder_func(struct builder *b, const struct sym_frame *f)
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

/* Charge one stack to its innermost own frame. */
static void
builder_add(struct builder *b, const struct stack_entry *e)
{
	const uint64_t *pcs = stacktab_pcs(b->in->tab, e);
	struct sym_frame f[SYM_MAX_FRAMES], inner;
	struct line_rec *l;
	unsigned i;
	int n, j, cls;

	if (e->depth == 0)
		return;
	symbolizer_lookup(b->sym, pcs[0], 0, &inner, 1);
	cls = stack_class(b, e, &inner, pcs);
	tally_add(&b->total, cls, e->samples, e->weight_ns);
	for (i = 0; i < e->depth; i++) {
		n = symbolizer_lookup(b->sym, pcs[i], i > 0, f, SYM_MAX_FRAMES);
		for (j = 0; j < n && !(f[j].own && f[j].file != NULL); j++)
			;
		if (j == n)
			continue;
		if ((l = builder_line(b, &f[j])) == NULL) {
			b->dropped_lines += e->samples;
			return;
		}
		tally_add(&l->t, cls, e->samples, e->weight_ns);
		if (cls == CLS_NATIVE)
			line_add_lib(l, inner.object);
		tally_add(&builder_func(b, &f[j])->t, cls, e->samples,
		    e->weight_ns);
		return;
	}
	b->unresolved += e->samples;
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

/* {"own_pct","native_pct","system_pct","idle_pct","cpu_pct","samples"} */
static void
tally_json(json_t *o, const struct tally *t, uint64_t whole)
{
	int c;
	char key[32];

	for (c = 0; c < CLS_COUNT; c++) {
		snprintf(key, sizeof key, "%s_pct", cls_names[c]);
		json_object_set_new(o, key, json_real(pct(t->weight[c], whole)));
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
line_json(const struct line_rec *l, uint64_t whole)
{
	json_t *o = json_pack("{s:i, s:s}", "line", (int)l->line,
	    "function", l->function), *libs = json_array();
	int i;

	tally_json(o, &l->t, whole);
	for (i = 0; i < REPORT_LIBS && l->libs[i] != NULL; i++) {
		char copy[512];

		snprintf(copy, sizeof copy, "%s", l->libs[i]);
		json_array_append_new(libs, json_string(basename(copy)));
	}
	json_object_set_new(o, "native_libraries", libs);
	return o;
}

/* Files in order of their time, each with its lines in source order. */
static json_t *
files_json(struct builder *b, uint64_t whole)
{
	json_t *files = json_array(), *file = NULL, *lines = NULL;
	struct tally ft;
	size_t i;

	if (b->nlines > 0)	/* lines is NULL then; qsort's pointer is nonnull */
		qsort(b->lines, b->nlines, sizeof *b->lines, line_order);
	memset(&ft, 0, sizeof ft);
	for (i = 0; i < b->nlines; i++) {
		const struct line_rec *l = &b->lines[i];
		int c;

		if (!file_wanted(b->in, l->file))
			continue;
		if (file == NULL || strcmp(json_string_value(json_object_get(
		    file, "file")), l->file) != 0) {
			if (file != NULL)
				tally_json(file, &ft, whole);
			memset(&ft, 0, sizeof ft);
			lines = json_array();
			file = json_pack("{s:s, s:o}", "file", l->file,
			    "lines", lines);
			json_array_append_new(files, file);
		}
		for (c = 0; c < CLS_COUNT; c++)
			tally_add(&ft, c, l->t.samples[c], l->t.weight[c]);
		if (!b->in->reduced ||
		    pct(tally_cpu(&l->t), whole) >= b->in->threshold_pct)
			json_array_append_new(lines, line_json(l, whole));
	}
	if (file != NULL)
		tally_json(file, &ft, whole);
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
		json_array_append_new(arr, o);
	}
	return sorted_by_pct(arr);
}

/* Per handler: samples and CPU time, and per call with the call count. */
static json_t *
handlers_json(const struct builder *b, uint64_t whole)
{
	const struct stack_entry *e;
	json_t *arr = json_array();
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
		json_array_append_new(arr, json_pack("{s:i, s:s, s:I, s:I, s:f,"
		    " s:f, s:f}", "pkg_id", rh->pkg_id, "name", rh->name,
		    "calls", (json_int_t)rh->calls, "samples",
		    (json_int_t)samples, "cpu_ms", round(ms * 1000) / 1000,
		    "cpu_ms_per_call", rh->calls ? round(ms * 1e6 / rh->calls) /
		    1e6 : 0.0, "cpu_pct", pct(weight, whole)));
	}
	return sorted_by_pct(arr);
}

static json_t *
workers_json(const struct report_input *in, json_t **totals)
{
	json_t *arr = json_array();
	double ut = 0, st = 0, handler_s = 0;
	uint64_t dropped = 0;
	int i;

	for (i = 0; i < in->nworkers; i++) {
		const struct report_worker *w = &in->workers[i];

		json_array_append_new(arr, json_pack("{s:i, s:i, s:i, s:I, s:I,"
		    " s:f, s:f, s:f}", "slot", w->slot, "index", w->index,
		    "pid", w->pid, "samples", (json_int_t)w->samples,
		    "dropped", (json_int_t)w->dropped, "utime_seconds",
		    w->utime_s, "stime_seconds", w->stime_s,
		    "sampler_seconds", w->handler_ns / 1e9));
		ut += w->utime_s;
		st += w->stime_s;
		handler_s += w->handler_ns / 1e9;
		dropped += w->dropped;
	}
	*totals = json_pack("{s:f, s:f, s:f, s:I}", "utime_seconds", ut,
	    "stime_seconds", st, "sampler_seconds", handler_s, "dropped",
	    (json_int_t)dropped);
	return arr;
}

/* Sampled CPU against what the kernel accounted: both, and the gap. */
static json_t *
reconcile_json(const struct builder *b, json_t *wt)
{
	double proc = json_real_value(json_object_get(wt, "utime_seconds")) +
	    json_real_value(json_object_get(wt, "stime_seconds"));
	double sampled = tally_cpu(&b->total) / 1e9;
	double sys_proc = json_real_value(json_object_get(wt, "stime_seconds"));
	double sys_sampled = b->total.weight[CLS_SYSTEM] / 1e9;

	return json_pack("{s:f, s:f, s:f, s:f, s:f}", "sampled_cpu_seconds",
	    sampled, "proc_cpu_seconds", proc, "gap_pct", proc > 0 ?
	    round(10000.0 * (sampled - proc) / proc) / 100 : 0.0,
	    "sampled_system_seconds", sys_sampled, "proc_system_seconds",
	    sys_proc);
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
	whole = tally_all(&b.total);
	workers = workers_json(in, &wt);
	doc = json_pack("{s:s, s:s, s:s, s:{s:f, s:f, s:f}, s:s, s:i}",
	    "schema_version", REPORT_SCHEMA_VERSION, "generator",
	    "hotline " PACKAGE_VERSION, "kind", in->kind, "window", "start",
	    in->start, "end", in->end, "seconds", in->end - in->start,
	    "clock", in->wall ? "wall" : "cpu", "sample_interval_ms",
	    in->sample_interval_ms);
	json_object_set_new(doc, "totals", json_pack("{s:I, s:f, s:I, s:I, "
	    "s:I}", "samples", (json_int_t)in->tab->samples, "seconds",
	    whole / 1e9, "unresolved_samples", (json_int_t)b.unresolved,
	    "stacks_overflow_samples", (json_int_t)in->tab->overflow,
	    "lines_overflow_samples", (json_int_t)b.dropped_lines));
	tally_json(json_object_get(doc, "totals"), &b.total, whole);
	json_object_set_new(doc, "reconciliation", reconcile_json(&b, wt));
	json_object_set_new(doc, "overhead", wt);
	json_object_set_new(doc, "workers", workers);
	json_object_set_new(doc, "files", files_json(&b, whole));
	json_object_set_new(doc, "functions", functions_json(&b, whole));
	json_object_set_new(doc, "handlers", handlers_json(&b, whole));
	json_object_set_new(doc, "stacks", report_stacks_json(sym, in->tab));
	free(b.lines);
	free(b.funcs);
	free(b.line_ix.slots);
	free(b.func_ix.slots);
	return doc;
}

/* --- folded stacks ---------------------------------------------------- */

struct folded {
	char		*stack;
	uint64_t	 samples;
	uint64_t	 weight_ns;
};

struct folded_set {
	struct folded	*items;
	size_t		 n, cap;
	size_t		*slots;		/* item + 1, by hash of the text */
	size_t		 nslots;
};

static size_t
text_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return (size_t)h;
}

static void
folded_insert_slot(struct folded_set *fs, size_t item)
{
	size_t i = text_hash(fs->items[item].stack) & (fs->nslots - 1);

	while (fs->slots[i] != 0)
		i = (i + 1) & (fs->nslots - 1);
	fs->slots[i] = item + 1;
}

static void
folded_add(struct folded_set *fs, const char *stack, uint64_t samples,
    uint64_t weight)
{
	size_t i = text_hash(stack) & (fs->nslots - 1), k;

	for (; fs->slots[i] != 0; i = (i + 1) & (fs->nslots - 1)) {
		struct folded *f = &fs->items[fs->slots[i] - 1];

		if (strcmp(f->stack, stack) == 0) {
			f->samples += samples;
			f->weight_ns += weight;
			return;
		}
	}
	if (fs->n == fs->cap) {
		fs->cap = HL_MAX(fs->cap * 2, 256);
		fs->items = xrealloc(fs->items, fs->cap * sizeof *fs->items);
	}
	fs->items[fs->n] = (struct folded){ xstrdup(stack), samples, weight };
	fs->slots[i] = ++fs->n;
	if (fs->n * 2 >= fs->nslots) {
		free(fs->slots);
		fs->nslots *= 2;
		fs->slots = xcalloc(fs->nslots, sizeof *fs->slots);
		for (k = 0; k < fs->n; k++)
			folded_insert_slot(fs, k);
	}
}

/* "root;...;leaf" for one stack, inlined scopes included, into buf. */
static void
folded_text(struct symbolizer *sym, const uint64_t *pcs, unsigned depth,
    char *buf, size_t size)
{
	struct sym_frame f[SYM_MAX_FRAMES];
	size_t used = 0;
	unsigned i;
	int n, j;

	buf[0] = '\0';
	for (i = depth; i-- > 0 && used < size;) {
		n = symbolizer_lookup(sym, pcs[i], i > 0, f, SYM_MAX_FRAMES);
		for (j = n - 1; j >= 0 && used < size; j--)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
			    used > 0 ? ";" : "", f[j].function);
	}
}

static int
folded_order(const void *a, const void *b)
{
	const struct folded *x = a, *y = b;

	return (x->samples < y->samples) - (x->samples > y->samples);
}

static void
folded_collect(struct folded_set *fs, struct symbolizer *sym,
    const struct stacktab *tab)
{
	const struct stack_entry *e;
	char buf[8192];
	size_t i = 0;

	memset(fs, 0, sizeof *fs);
	fs->nslots = 1024;
	fs->slots = xcalloc(fs->nslots, sizeof *fs->slots);
	while ((e = stacktab_next(tab, &i)) != NULL) {
		folded_text(sym, stacktab_pcs(tab, e), e->depth, buf,
		    sizeof buf);
		if (buf[0] != '\0')
			folded_add(fs, buf, e->samples, e->weight_ns);
	}
	if (fs->n > 0)
		qsort(fs->items, fs->n, sizeof *fs->items, folded_order);
}

static void
folded_free(struct folded_set *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		free(fs->items[i].stack);
	free(fs->items);
	free(fs->slots);
}

char *
report_folded(struct symbolizer *sym, const struct stacktab *tab)
{
	struct folded_set fs;
	char *text = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&text, &len);

	if (fp == NULL)
		fatal("open_memstream");
	folded_collect(&fs, sym, tab);
	for (i = 0; i < fs.n; i++)
		fprintf(fp, "%s %llu\n", fs.items[i].stack,
		    (unsigned long long)fs.items[i].samples);
	fclose(fp);
	folded_free(&fs);
	return text;
}

/* The heaviest stacks, for the HTML flame graph. */
json_t *
report_stacks_json(struct symbolizer *sym, const struct stacktab *tab)
{
	struct folded_set fs;
	json_t *arr = json_array();
	size_t i;

	folded_collect(&fs, sym, tab);
	for (i = 0; i < fs.n && i < REPORT_MAX_STACKS; i++)
		json_array_append_new(arr, json_pack("{s:s, s:I, s:f}",
		    "stack", fs.items[i].stack, "samples",
		    (json_int_t)fs.items[i].samples, "weight_ms",
		    fs.items[i].weight_ns / 1e6));
	folded_free(&fs);
	return arr;
}
