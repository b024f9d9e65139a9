/*
 * Terminal output of a report: the hottest lines as a table, like a
 * profiler's CLI mode, and folded stacks for flamegraph.pl or speedscope.
 * A report with memory figures (schema 1.1) adds memory columns, the lines
 * that allocate most and the leaks list.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlreport.h"

#define TEXT_WHERE_MAX	48	/* widest file:line column */

/* Which optional columns a table has. */
struct text_cols {
	int		 memory;
	int		 copy;
	const json_t	*doc;		/* for the intervals' bound */
};

/* One line of the report with the file it belongs to. */
struct text_row {
	const char	*file;
	const json_t	*line;
};

/* A number field of o, 0 when absent. */
static double
text_num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* The last path component. */
static const char *
text_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Hottest first; ties in file and line order, so output is stable. */
static int
text_cmp(const void *x, const void *y)
{
	const struct text_row *a = x, *b = y;
	double ca = text_num(a->line, "cpu_pct"), cb = text_num(b->line,
	    "cpu_pct");
	int c;

	if (ca != cb)
		return ca < cb ? 1 : -1;
	if ((c = strcmp(a->file, b->file)) != 0)
		return c;
	return (int)(json_integer_value(json_object_get(a->line, "line")) -
	    json_integer_value(json_object_get(b->line, "line")));
}

/* Most allocated first, then as text_cmp. */
static int
text_alloc_cmp(const void *x, const void *y)
{
	const struct text_row *a = x, *b = y;
	double ma = text_num(a->line, "alloc_mb"), mb = text_num(b->line,
	    "alloc_mb");

	if (ma != mb)
		return ma < mb ? 1 : -1;
	return text_cmp(x, y);
}

/* Every line of doc, sorted by cmp; *n set. The caller frees. */
static struct text_row *
text_rows(const json_t *doc, size_t *n,
    int (*cmp)(const void *, const void *))
{
	struct text_row *rows = NULL;
	size_t i, j, cap = 0;
	json_t *f, *l;

	*n = 0;
	json_array_foreach(json_object_get(doc, "files"), i, f) {
		json_array_foreach(json_object_get(f, "lines"), j, l) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((rows = realloc(rows, cap * sizeof *rows))
				    == NULL)
					abort();
			}
			rows[*n].file = json_string_value(json_object_get(f,
			    "file"));
			rows[(*n)++].line = l;
		}
	}
	if (*n > 0)
		qsort(rows, *n, sizeof *rows, cmp);
	return rows;
}

/* What profiling cost, for reports before 1.3 (whose overhead has no
 * parts_pct for the headline; 1.0 measured the sampler alone). */
static void
text_overhead(FILE *out, const json_t *o)
{
	double cpu = text_num(o, "utime_seconds") + text_num(o,
	    "stime_seconds"), pct = text_num(o, "overhead_pct");

	if (json_object_get(o, "overhead_pct") == NULL && cpu > 0)
		pct = 100 * text_num(o, "sampler_seconds") / cpu;
	fprintf(out, "profiler overhead %.3f%% of the workers' CPU: sampler "
	    "%.3f s, signal delivery %.3f s, memory hooks %.3f s\n", pct,
	    text_num(o, "sampler_seconds"),
	    text_num(o, "signal_delivery_seconds"),
	    text_num(o, "memory_hook_seconds"));
}

/* The heading: what window, how many samples, the class split. */
static void
text_heading(FILE *out, const json_t *doc)
{
	const json_t *t = json_object_get(doc, "totals");
	const json_t *o = json_object_get(doc, "overhead");
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	size_t nw = json_array_size(json_object_get(doc, "workers"));

	fprintf(out, "%s report, %.2f s window, %zu worker%s, %lld samples "
	    "(%.3f s), %s clock\n", kind != NULL ? kind : "?",
	    text_num(json_object_get(doc, "window"), "seconds"), nw,
	    nw == 1 ? "" : "s",
	    (long long)json_integer_value(json_object_get(t, "samples")),
	    text_num(t, "seconds"),
	    json_string_value(json_object_get(doc, "clock")) != NULL ?
	    json_string_value(json_object_get(doc, "clock")) : "?");
	fprintf(out, "sampled time: CPU %.2f%% (own %.2f%%, native %.2f%%, "
	    "system %.2f%%), idle %.2f%%; %lld dropped\n",
	    text_num(t, "cpu_pct"), text_num(t, "own_pct"),
	    text_num(t, "native_pct"), text_num(t, "system_pct"),
	    text_num(t, "idle_pct"),
	    (long long)json_integer_value(json_object_get(o, "dropped")));
	hlreport_text_headline(out, doc);
	if (!json_is_object(json_object_get(o, "parts_pct")))
		text_overhead(out, o);
	fputc('\n', out);
}

/* handlers[] (sorted by cpu_pct in the report): the busiest top of
 * those that ran; idle ones are counted in one line. */
static void
text_handlers(FILE *out, const json_t *doc, int top)
{
	const json_t *hs = json_object_get(doc, "handlers"), *h;
	size_t i, shown = 0, idle = 0;
	char pct[16];

	if (json_array_size(hs) == 0)
		return;
	fprintf(out, "%-8s %-16s %10s %10s %12s %7s\n", "pkg_id", "handler",
	    "calls", "cpu_ms", "cpu_ms/call", "cpu%");
	json_array_foreach(hs, i, h) {
		if (json_integer_value(json_object_get(h, "calls")) == 0 &&
		    json_integer_value(json_object_get(h, "samples")) == 0) {
			idle++;
			continue;
		}
		if (top > 0 && shown++ == (size_t)top)
			break;
		fprintf(out, "%-8lld %-16.16s %10lld %10.3f %12.4f %6s%%\n",
		    (long long)json_integer_value(json_object_get(h, "pkg_id")),
		    json_string_value(json_object_get(h, "name")) != NULL ?
		    json_string_value(json_object_get(h, "name")) : "?",
		    (long long)json_integer_value(json_object_get(h, "calls")),
		    text_num(h, "cpu_ms"), text_num(h, "cpu_ms_per_call"),
		    hlreport_pct(doc, h, pct, sizeof pct));
	}
	if (idle > 0)
		fprintf(out, "(%zu handler%s without calls)\n", idle,
		    idle == 1 ? "" : "s");
	fputc('\n', out);
}

/* Workers that exited in the window (schema 1.4), and how: their samples
 * and CPU are in the figures above. */
static void
text_exited(FILE *out, const json_t *doc)
{
	const json_t *w, *ex;
	const char *sig;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(doc, "workers"), i, w) {
		if ((ex = json_object_get(w, "exit")) == NULL)
			continue;
		sig = json_string_value(json_object_get(ex, "signal_name"));
		fprintf(out, "worker %lld (pid %lld) ",
		    (long long)json_integer_value(json_object_get(w, "index")),
		    (long long)json_integer_value(json_object_get(w, "pid")));
		if (sig != NULL)
			fprintf(out, "killed by %s", sig);
		else
			fprintf(out, "exited with status %lld", (long long)
			    json_integer_value(json_object_get(ex, "status")));
		fprintf(out, ": %lld samples, %.3f s CPU\n", (long long)
		    json_integer_value(json_object_get(w, "samples")),
		    text_num(w, "utime_seconds") +
		    text_num(w, "stime_seconds"));
		n++;
	}
	if (n > 0)
		fputc('\n', out);
}

/* The memory heading of a 1.1 report with memory figures. */
static void
text_memory_heading(FILE *out, const json_t *doc, const struct text_cols *c)
{
	const json_t *t = json_object_get(doc, "totals");
	const json_t *m = json_object_get(doc, "memory");
	const char *scope = json_string_value(json_object_get(m, "copy_scope"));

	fprintf(out, "memory: alloc %.3f MB (%.3f MB/s), free %.3f MB, net "
	    "%.3f MB, sampled heap %.3f MB; one sample per %.0f bytes "
	    "allocated\n", text_num(t, "alloc_mb"), text_num(t, "alloc_mb_s"),
	    text_num(t, "free_mb"), text_num(t, "net_mb"),
	    text_num(t, "heap_mb"), text_num(m, "sample_bytes"));
	if (c->copy)
		fprintf(out, "copies (%s): %.3f MB (%.3f MB/s)\n",
		    scope != NULL ? scope : "library-call copies",
		    text_num(t, "copy_mb"), text_num(t, "copy_mb_s"));
	fputc('\n', out);
}

const char *
hlreport_join(const json_t *arr, const char *sep, char *buf, size_t size)
{
	const json_t *v;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		int n = snprintf(buf + used, size - used, "%s%s",
		    used ? sep : "", json_string_value(v) != NULL ?
		    json_string_value(v) : "?");

		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* The native libraries of a line, comma-separated, into buf. */
static const char *
text_libs(const json_t *line, char *buf, size_t size)
{
	return hlreport_join(json_object_get(line, "native_libraries"), ",",
	    buf, size);
}

/* The table's heading row. */
static void
text_table_head(FILE *out, const struct text_cols *c)
{
	fprintf(out, "%7s %7s %8s %8s %8s  ", "cpu%", "own%", "native%",
	    "system%", "samples");
	if (c->memory)
		fprintf(out, "%9s %8s %8s  ", "alloc MB", "net MB", "peak MB");
	if (c->copy)
		fprintf(out, "%9s  ", "copy MB/s");
	fprintf(out, "%-28s %-24s %s\n", "file:line", "function",
	    "native libraries");
}

/* One row of the table. */
static void
text_table_row(FILE *out, const struct text_row *r, const struct text_cols *c)
{
	char where[TEXT_WHERE_MAX + 1], libs[256], pct[32];
	const json_t *l = r->line;

	snprintf(where, sizeof where, "%s:%lld", text_base(r->file),
	    (long long)json_integer_value(json_object_get(l, "line")));
	fprintf(out, "%7s %7.2f %8.2f %8.2f %8lld  ",
	    hlreport_pct(c->doc, l, pct, sizeof pct), text_num(l, "own_pct"),
	    text_num(l, "native_pct"), text_num(l, "system_pct"),
	    (long long)json_integer_value(json_object_get(l, "samples")));
	if (c->memory)
		fprintf(out, "%9.3f %8.3f %8.3f  ", text_num(l, "alloc_mb"),
		    text_num(l, "net_mb"), text_num(l, "peak_mb"));
	if (c->copy)
		fprintf(out, "%9.3f  ", text_num(l, "copy_mb_s"));
	fprintf(out, "%-28s %-24s %s\n", where,
	    json_string_value(json_object_get(l, "function")),
	    text_libs(l, libs, sizeof libs));
}

/* The top lines of doc by cmp (all when top <= 0); returns how many there
 * were in all. With only_alloc, lines that allocated nothing are left out. */
static size_t
text_table(FILE *out, const json_t *doc, int top, const struct text_cols *c,
    int (*cmp)(const void *, const void *), int only_alloc)
{
	struct text_row *rows;
	size_t i, n, shown;

	rows = text_rows(doc, &n, cmp);
	if (only_alloc)
		while (n > 0 && !(text_num(rows[n - 1].line, "alloc_mb") > 0))
			n--;
	shown = top > 0 && (size_t)top < n ? (size_t)top : n;
	if (n > 0)
		text_table_head(out, c);
	for (i = 0; i < shown; i++)
		text_table_row(out, &rows[i], c);
	if (shown < n)
		fprintf(out, "(%zu more lines; --top 0 lists all)\n",
		    n - shown);
	free(rows);
	return n;
}

/* The leaks list: lines leaking with likelihood over 0.95, fastest first
 * as the document orders them. */
static void
text_leaks(FILE *out, const json_t *doc)
{
	char where[TEXT_WHERE_MAX + 1];
	const json_t *k;
	const char *file;
	size_t i;

	if (json_array_size(json_object_get(doc, "leaks")) == 0) {
		fprintf(out, "\nleaks: none flagged\n");
		return;
	}
	fprintf(out, "\nleaks (likelihood over 0.95, sampled net memory "
	    "growing):\n  %-28s %-24s %10s %12s %10s %8s %8s\n", "file:line",
	    "function", "likelihood", "growth MB/s", "net MB", "mallocs",
	    "frees");
	json_array_foreach(json_object_get(doc, "leaks"), i, k) {
		file = json_string_value(json_object_get(k, "file"));
		snprintf(where, sizeof where, "%s:%lld",
		    text_base(file != NULL ? file : "?"),
		    (long long)json_integer_value(json_object_get(k, "line")));
		fprintf(out, "  %-28s %-24s %10.3f %12.3f %10.3f %8lld %8lld\n",
		    where, json_string_value(json_object_get(k, "function")) ?
		    json_string_value(json_object_get(k, "function")) : "?",
		    text_num(k, "likelihood"), text_num(k, "growth_mb_s"),
		    text_num(k, "net_mb"),
		    (long long)json_integer_value(json_object_get(k,
		    "mallocs")),
		    (long long)json_integer_value(json_object_get(k,
		    "frees")));
	}
}

void
hlreport_text(FILE *out, const json_t *doc, int top)
{
	struct text_cols c = { hlreport_has_memory(doc), 0, doc };

	c.copy = c.memory && json_is_true(json_object_get(json_object_get(doc,
	    "memory"), "copy"));
	text_heading(out, doc);
	text_exited(out, doc);
	text_handlers(out, doc, top);
	if (c.memory)
		text_memory_heading(out, doc, &c);
	if (text_table(out, doc, top, &c, text_cmp, 0) == 0)
		fprintf(out, "no source lines in this window\n");
	if (!c.memory)
		return;
	fprintf(out, "\nlines by memory allocated:\n");
	if (text_table(out, doc, top, &c, text_alloc_cmp, 1) == 0)
		fprintf(out, "no line allocated in this window\n");
	text_leaks(out, doc);
}

void
hlreport_folded(FILE *out, const json_t *doc)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(doc, "stacks"), i, s) {
		fprintf(out, "%s %lld\n",
		    json_string_value(json_object_get(s, "stack")),
		    (long long)json_integer_value(json_object_get(s,
		    "samples")));
	}
}
