/*
 * Before/after comparison of two reports. Windows differ in length and in
 * load, so raw percentages do not compare: every figure is normalized per
 * message handled (the sum of handlers[].calls) and per second of window.
 * Lines are matched by file basename, line and function, so reports of
 * two checkouts in different directories compare. When both reports have
 * memory figures (schema 1.1), allocation is compared the same way (KB
 * per message); only CPU figures are judged against --fail-above.
 */
#include "autoconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlreport.h"

/* What normalizes one report. */
struct diff_norm {
	double	 calls;		/* messages handled in the window */
	double	 window_s;
	double	 sampled_ms;	/* all sampled time */
	double	 cpu_ms;	/* own + native + system */
	int	 memory;	/* the report has memory figures */
	double	 alloc_mb;	/* estimated MB allocated in the window */
};

/* One line of either report. */
struct diff_line {
	char		 key[160];
	const char	*function;
	double		 ms[2];		/* CPU ms before, after */
	double		 mb[2];		/* MB allocated before, after */
};

/* A number field of o, 0 when absent. */
static double
diff_num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* The normalizers of doc. */
static void
diff_norm(const json_t *doc, struct diff_norm *n)
{
	const json_t *t = json_object_get(doc, "totals"), *h;
	size_t i;

	n->calls = 0;
	json_array_foreach(json_object_get(doc, "handlers"), i, h)
		n->calls += diff_num(h, "calls");
	n->window_s = diff_num(json_object_get(doc, "window"), "seconds");
	n->sampled_ms = diff_num(t, "seconds") * 1000;
	n->cpu_ms = n->sampled_ms * diff_num(t, "cpu_pct") / 100;
	n->memory = hlreport_has_memory(doc);
	n->alloc_mb = diff_num(t, "alloc_mb");
}

/* KB allocated per message (MB * 1000 / calls), NAN when none handled. */
static double
diff_kb_per_msg(double mb, const struct diff_norm *n)
{
	return n->calls > 0 ? mb * 1000 / n->calls : NAN;
}

/* Microseconds per message, NAN when no message was handled. */
static double
diff_per_msg(double ms, const struct diff_norm *n)
{
	return n->calls > 0 ? ms * 1000 / n->calls : NAN;
}

/* Milliseconds per second of window. */
static double
diff_per_s(double ms, const struct diff_norm *n)
{
	return n->window_s > 0 ? ms / n->window_s : NAN;
}

/* Relative change in percent; NAN when before is 0 or unknown. */
static double
diff_change(double before, double after)
{
	return before > 0 && !isnan(after) ? 100 * (after - before) / before :
	    NAN;
}

/* Append doc's lines (side 0 or 1) to *v, growing it. */
static void
diff_collect(const json_t *doc, int side, const struct diff_norm *n,
    struct diff_line **v, size_t *len, size_t *cap)
{
	const json_t *f, *l;
	const char *file, *slash;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "files"), i, f) {
		file = json_string_value(json_object_get(f, "file"));
		slash = strrchr(file, '/');
		json_array_foreach(json_object_get(f, "lines"), j, l) {
			struct diff_line *d;

			if (*len == *cap) {
				*cap = *cap ? *cap * 2 : 256;
				*v = realloc(*v, *cap * sizeof **v);
				if (*v == NULL)
					abort();
			}
			d = &(*v)[(*len)++];
			d->function = json_string_value(json_object_get(l,
			    "function"));
			snprintf(d->key, sizeof d->key, "%s:%lld %s",
			    slash != NULL ? slash + 1 : file,
			    (long long)json_integer_value(json_object_get(l,
			    "line")), d->function);
			d->ms[side] = n->sampled_ms *
			    diff_num(l, "cpu_pct") / 100;
			d->ms[!side] = 0;
			d->mb[side] = diff_num(l, "alloc_mb");
			d->mb[!side] = 0;
		}
	}
}

static int
diff_key_cmp(const void *x, const void *y)
{
	return strcmp(((const struct diff_line *)x)->key,
	    ((const struct diff_line *)y)->key);
}

/* Lines of both reports merged by key; *len set; the caller frees. */
static struct diff_line *
diff_lines(const json_t *a, const json_t *b, const struct diff_norm *n,
    size_t *len)
{
	struct diff_line *v = NULL;
	size_t cap = 0, i, out = 0;

	*len = 0;
	diff_collect(a, 0, &n[0], &v, len, &cap);
	diff_collect(b, 1, &n[1], &v, len, &cap);
	if (*len == 0)
		return v;
	qsort(v, *len, sizeof *v, diff_key_cmp);
	for (i = 0; i < *len; i++) {
		if (out > 0 && strcmp(v[out - 1].key, v[i].key) == 0) {
			v[out - 1].ms[0] += v[i].ms[0];
			v[out - 1].ms[1] += v[i].ms[1];
			v[out - 1].mb[0] += v[i].mb[0];
			v[out - 1].mb[1] += v[i].mb[1];
		} else {
			v[out++] = v[i];
		}
	}
	*len = out;
	return v;
}

/* Static state for qsort by delta: per message when both have calls. */
static const struct diff_norm *diff_sort_norm;

/* The change of a line, in the unit lines are ranked by. */
static double
diff_delta(const struct diff_line *d)
{
	const struct diff_norm *n = diff_sort_norm;

	if (n[0].calls > 0 && n[1].calls > 0)
		return diff_per_msg(d->ms[1], &n[1]) -
		    diff_per_msg(d->ms[0], &n[0]);
	return diff_per_s(d->ms[1], &n[1]) - diff_per_s(d->ms[0], &n[0]);
}

static int
diff_delta_cmp(const void *x, const void *y)
{
	double a = diff_delta(x), b = diff_delta(y);

	return a < b ? 1 : a > b ? -1 : diff_key_cmp(x, y);
}

/* The allocation change of a line: KB per message, or MB per second when
 * a report handled no message. */
static double
diff_alloc_delta(const struct diff_line *d)
{
	const struct diff_norm *n = diff_sort_norm;

	if (n[0].calls > 0 && n[1].calls > 0)
		return diff_kb_per_msg(d->mb[1], &n[1]) -
		    diff_kb_per_msg(d->mb[0], &n[0]);
	return diff_per_s(d->mb[1], &n[1]) - diff_per_s(d->mb[0], &n[0]);
}

static int
diff_alloc_cmp(const void *x, const void *y)
{
	double a = diff_alloc_delta(x), b = diff_alloc_delta(y);

	return a < b ? 1 : a > b ? -1 : diff_key_cmp(x, y);
}

/* A change for printing: "+12.5%", or "n/a" when it has no base. */
static const char *
diff_fmt_change(double change, char *buf, size_t size)
{
	if (isnan(change))
		snprintf(buf, size, "n/a");
	else
		snprintf(buf, size, "%+.1f%%", change);
	return buf;
}

/* One row of the summary table. */
static void
diff_row(FILE *out, const char *what, double a, double b)
{
	char ch[32];

	fprintf(out, "  %-26s %12.3f %12.3f %10s\n", what, a, b,
	    diff_fmt_change(diff_change(a, b), ch, sizeof ch));
}

/* Whole-window figures; returns the per-message CPU change. */
static double
diff_summary(FILE *out, const struct diff_norm *n)
{
	fprintf(out, "  %-26s %12s %12s %10s\n", "", "before", "after",
	    "change");
	diff_row(out, "messages handled", n[0].calls, n[1].calls);
	diff_row(out, "window seconds", n[0].window_s, n[1].window_s);
	diff_row(out, "messages per second", n[0].calls / n[0].window_s,
	    n[1].calls / n[1].window_s);
	diff_row(out, "CPU us per message", diff_per_msg(n[0].cpu_ms, &n[0]),
	    diff_per_msg(n[1].cpu_ms, &n[1]));
	diff_row(out, "CPU ms per second", diff_per_s(n[0].cpu_ms, &n[0]),
	    diff_per_s(n[1].cpu_ms, &n[1]));
	if (n[0].memory && n[1].memory) {
		diff_row(out, "alloc KB per message",
		    diff_kb_per_msg(n[0].alloc_mb, &n[0]),
		    diff_kb_per_msg(n[1].alloc_mb, &n[1]));
		diff_row(out, "alloc MB per second",
		    diff_per_s(n[0].alloc_mb, &n[0]),
		    diff_per_s(n[1].alloc_mb, &n[1]));
	}
	return diff_change(diff_per_msg(n[0].cpu_ms, &n[0]),
	    diff_per_msg(n[1].cpu_ms, &n[1]));
}

/* Lines whose allocation grew most (KB per message; MB per second). */
static void
diff_list_alloc(FILE *out, struct diff_line *v, size_t len,
    const struct diff_norm *n, int top)
{
	size_t k, shown = 0;

	if (len > 0)
		qsort(v, len, sizeof *v, diff_alloc_cmp);
	fprintf(out, "\nlines, biggest allocation growth (alloc KB per "
	    "message; MB per second):\n  %-40s %10s %10s %10s %8s %8s\n",
	    "file:line function", "before", "after", "delta", "MB/s was",
	    "MB/s now");
	for (k = 0; k < len && (top <= 0 || shown < (size_t)top); k++) {
		const struct diff_line *d = &v[k];
		double delta = diff_alloc_delta(d);

		if (!(delta > 0))
			break;
		shown++;
		fprintf(out, "  %-40.40s %10.3f %10.3f %+10.3f %8.3f %8.3f\n",
		    d->key, diff_kb_per_msg(d->mb[0], &n[0]),
		    diff_kb_per_msg(d->mb[1], &n[1]), delta,
		    diff_per_s(d->mb[0], &n[0]), diff_per_s(d->mb[1], &n[1]));
	}
	if (shown == 0)
		fprintf(out, "  (none)\n");
}

/* The handler of doc with pkg_id id, or NULL. */
static const json_t *
diff_handler(const json_t *doc, json_int_t id)
{
	const json_t *h;
	size_t i;

	json_array_foreach(json_object_get(doc, "handlers"), i, h) {
		if (json_integer_value(json_object_get(h, "pkg_id")) == id)
			return h;
	}
	return NULL;
}

/* Per handler CPU ms per call; counts handlers past the threshold. */
static int
diff_handlers(FILE *out, const json_t *a, const json_t *b,
    const struct hlreport_diff_opts *o)
{
	const json_t *ha, *hb;
	size_t i;
	int bad = 0;

	fprintf(out, "\nhandlers, CPU ms per call:\n  %-6s %-16s %9s %9s "
	    "%10s %10s %9s\n", "pkg_id", "name", "calls", "calls", "before",
	    "after", "change");
	json_array_foreach(json_object_get(b, "handlers"), i, hb) {
		json_int_t id = json_integer_value(json_object_get(hb,
		    "pkg_id"));
		char chs[32];
		double ch;

		if ((ha = diff_handler(a, id)) == NULL ||
		    diff_num(ha, "calls") + diff_num(hb, "calls") <= 0)
			continue;
		ch = diff_change(diff_num(ha, "cpu_ms_per_call"),
		    diff_num(hb, "cpu_ms_per_call"));
		fprintf(out, "  %-6lld %-16s %9.0f %9.0f %10.4f %10.4f "
		    "%9s\n", (long long)id,
		    json_string_value(json_object_get(hb, "name")),
		    diff_num(ha, "calls"), diff_num(hb, "calls"),
		    diff_num(ha, "cpu_ms_per_call"),
		    diff_num(hb, "cpu_ms_per_call"),
		    diff_fmt_change(ch, chs, sizeof chs));
		if (o->fail_above >= 0 && ch > o->fail_above &&
		    diff_num(ha, "calls") >= o->min_calls &&
		    diff_num(hb, "calls") >= o->min_calls) {
			fprintf(out, "REGRESSION: handler %lld (%s) CPU per "
			    "call %+.1f%% > %.1f%%\n", (long long)id,
			    json_string_value(json_object_get(hb, "name")), ch,
			    o->fail_above);
			bad++;
		}
	}
	return bad;
}

/* A ranked list of lines: from the top (regressions) or the bottom. */
static void
diff_list(FILE *out, const struct diff_line *v, size_t len,
    const struct diff_norm *n, int top, int worse)
{
	size_t k, shown = 0;

	fprintf(out, "\nlines, biggest %s (CPU us per message; ms per "
	    "second):\n  %-40s %10s %10s %10s %8s %8s\n", worse ?
	    "regressions" : "improvements", "file:line function", "before",
	    "after", "delta", "ms/s was", "ms/s now");
	for (k = 0; k < len && (top <= 0 || shown < (size_t)top); k++) {
		const struct diff_line *d = &v[worse ? k : len - 1 - k];
		double delta = diff_delta(d);

		if (worse ? !(delta > 0) : !(delta < 0))
			break;
		shown++;
		fprintf(out, "  %-40.40s %10.3f %10.3f %+10.3f %8.2f %8.2f\n",
		    d->key, diff_per_msg(d->ms[0], &n[0]),
		    diff_per_msg(d->ms[1], &n[1]), delta,
		    diff_per_s(d->ms[0], &n[0]), diff_per_s(d->ms[1], &n[1]));
	}
	if (shown == 0)
		fprintf(out, "  (none)\n");
}

/* Per handler alloc bytes per call, when both reports have memory. */
static void
diff_handlers_alloc(FILE *out, const json_t *a, const json_t *b)
{
	const json_t *ha, *hb;
	char chs[32];
	size_t i;

	fprintf(out, "\nhandlers, alloc bytes per call:\n  %-6s %-16s %12s "
	    "%12s %9s\n", "pkg_id", "name", "before", "after", "change");
	json_array_foreach(json_object_get(b, "handlers"), i, hb) {
		json_int_t id = json_integer_value(json_object_get(hb,
		    "pkg_id"));
		double x, y;

		if ((ha = diff_handler(a, id)) == NULL ||
		    diff_num(ha, "calls") + diff_num(hb, "calls") <= 0)
			continue;
		x = diff_num(ha, "alloc_bytes_per_call");
		y = diff_num(hb, "alloc_bytes_per_call");
		fprintf(out, "  %-6lld %-16s %12.0f %12.0f %9s\n",
		    (long long)id,
		    json_string_value(json_object_get(hb, "name")), x, y,
		    diff_fmt_change(diff_change(x, y), chs, sizeof chs));
	}
}

int
hlreport_diff(FILE *out, const json_t *a, const json_t *b,
    const struct hlreport_diff_opts *o, char *err, size_t errsize)
{
	struct diff_norm n[2];
	struct diff_line *v;
	size_t len;
	double total;
	int bad;

	diff_norm(a, &n[0]);
	diff_norm(b, &n[1]);
	if (o->fail_above >= 0 && (n[0].calls <= 0 || n[1].calls <= 0)) {
		snprintf(err, errsize, "no messages were handled in the %s "
		    "report, so CPU per message cannot be compared",
		    n[0].calls <= 0 ? "first" : "second");
		return -1;
	}
	total = diff_summary(out, n);
	bad = diff_handlers(out, a, b, o);
	if (n[0].memory && n[1].memory)
		diff_handlers_alloc(out, a, b);
	if (o->fail_above >= 0 && total > o->fail_above) {
		fprintf(out, "REGRESSION: CPU per message %+.1f%% > %.1f%%\n",
		    total, o->fail_above);
		bad++;
	}
	v = diff_lines(a, b, n, &len);
	diff_sort_norm = n;
	if (len > 0)
		qsort(v, len, sizeof *v, diff_delta_cmp);
	diff_list(out, v, len, n, o->top, 1);
	diff_list(out, v, len, n, o->top, 0);
	if (n[0].memory && n[1].memory)
		diff_list_alloc(out, v, len, n, o->top);
	free(v);
	return bad > 0 ? 1 : 0;
}
