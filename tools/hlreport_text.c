/*
 * Terminal output of a report: the hottest lines as a table, like a
 * profiler's CLI mode, and folded stacks for flamegraph.pl or speedscope.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlreport.h"

#define TEXT_WHERE_MAX	48	/* widest file:line column */

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

/* Every line of doc, sorted hottest first; *n set. The caller frees. */
static struct text_row *
text_rows(const json_t *doc, size_t *n)
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
		qsort(rows, *n, sizeof *rows, text_cmp);
	return rows;
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
	fprintf(out, "CPU %.2f%%: own %.2f%%, native %.2f%%, system %.2f%%; "
	    "idle %.2f%%; %lld dropped\n\n", text_num(t, "cpu_pct"),
	    text_num(t, "own_pct"), text_num(t, "native_pct"),
	    text_num(t, "system_pct"), text_num(t, "idle_pct"),
	    (long long)json_integer_value(json_object_get(o, "dropped")));
}

/* The native libraries of a line, comma-separated, into buf. */
static const char *
text_libs(const json_t *line, char *buf, size_t size)
{
	json_t *lib;
	size_t i, used = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(line, "native_libraries"), i, lib) {
		int n = snprintf(buf + used, size - used, "%s%s",
		    used ? "," : "", json_string_value(lib) != NULL ?
		    json_string_value(lib) : "?");

		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

void
hlreport_text(FILE *out, const json_t *doc, int top)
{
	char where[TEXT_WHERE_MAX + 1], libs[256];
	struct text_row *rows;
	size_t i, n, shown;
	const json_t *l;

	text_heading(out, doc);
	rows = text_rows(doc, &n);
	if (n == 0) {
		fprintf(out, "no source lines in this window\n");
		free(rows);
		return;
	}
	shown = top > 0 && (size_t)top < n ? (size_t)top : n;
	fprintf(out, "%7s %7s %8s %8s %8s  %-28s %-24s %s\n", "cpu%", "own%",
	    "native%", "system%", "samples", "file:line", "function",
	    "native libraries");
	for (i = 0; i < shown; i++) {
		l = rows[i].line;
		snprintf(where, sizeof where, "%s:%lld", text_base(rows[i].file),
		    (long long)json_integer_value(json_object_get(l, "line")));
		fprintf(out, "%7.2f %7.2f %8.2f %8.2f %8lld  %-28s %-24s %s\n",
		    text_num(l, "cpu_pct"), text_num(l, "own_pct"),
		    text_num(l, "native_pct"), text_num(l, "system_pct"),
		    (long long)json_integer_value(json_object_get(l, "samples")),
		    where, json_string_value(json_object_get(l, "function")),
		    text_libs(l, libs, sizeof libs));
	}
	if (shown < n)
		fprintf(out, "(%zu more lines; --top 0 lists all)\n", n - shown);
	free(rows);
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
