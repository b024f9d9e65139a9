/*
 * Loading a report and checking it against the contract
 * (docs/report-format.md): a newer major is refused, a newer minor is read
 * with its unknown fields ignored, and every field this tool reads must
 * have its documented type. The checks are a table per object kind.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlreport.h"

enum hlreport_type { T_STR, T_NUM, T_INT, T_OBJ, T_ARR, T_BOOL };

/* One field of an object: its key, type, whether 1.0 always has it, and
 * for arrays the fields of their elements. The 1.1 memory keys are never
 * required: a 1.0 document, or one from a run without memory profiling,
 * has none of them. */
struct hlreport_field {
	const char			*key;
	enum hlreport_type		 type;
	int				 required;
	const struct hlreport_field	*items;
};

static const char *const hlreport_type_names[] = {
	"a string", "a number", "an integer", "an object", "an array",
	"true or false",
};

static const struct hlreport_field hlreport_window[] = {
	{ "start", T_NUM, 0, NULL }, { "end", T_NUM, 0, NULL },
	{ "seconds", T_NUM, 1, NULL }, { NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_totals[] = {
	{ "samples", T_INT, 1, NULL }, { "seconds", T_NUM, 1, NULL },
	{ "own_pct", T_NUM, 1, NULL }, { "native_pct", T_NUM, 1, NULL },
	{ "system_pct", T_NUM, 1, NULL }, { "idle_pct", T_NUM, 0, NULL },
	{ "cpu_pct", T_NUM, 1, NULL },
	{ "alloc_mb", T_NUM, 0, NULL }, { "free_mb", T_NUM, 0, NULL },
	{ "net_mb", T_NUM, 0, NULL }, { "alloc_mb_s", T_NUM, 0, NULL },
	{ "heap_mb", T_NUM, 0, NULL }, { "copy_mb", T_NUM, 0, NULL },
	{ "copy_mb_s", T_NUM, 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_line[] = {
	{ "line", T_INT, 1, NULL }, { "function", T_STR, 1, NULL },
	{ "own_pct", T_NUM, 1, NULL }, { "native_pct", T_NUM, 1, NULL },
	{ "system_pct", T_NUM, 1, NULL }, { "cpu_pct", T_NUM, 1, NULL },
	{ "samples", T_INT, 1, NULL }, { "native_libraries", T_ARR, 0, NULL },
	{ "alloc_mb", T_NUM, 0, NULL }, { "net_mb", T_NUM, 0, NULL },
	{ "peak_mb", T_NUM, 0, NULL }, { "leak_likelihood", T_NUM, 0, NULL },
	{ "copy_mb_s", T_NUM, 0, NULL }, { "timeline", T_ARR, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_file[] = {
	{ "file", T_STR, 1, NULL }, { "cpu_pct", T_NUM, 1, NULL },
	{ "samples", T_INT, 1, NULL }, { "lines", T_ARR, 1, hlreport_line },
	{ "alloc_mb", T_NUM, 0, NULL }, { "net_mb", T_NUM, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_function[] = {
	{ "function", T_STR, 1, NULL }, { "file", T_STR, 1, NULL },
	{ "line", T_INT, 1, NULL }, { "cpu_pct", T_NUM, 1, NULL },
	{ "samples", T_INT, 1, NULL }, { "alloc_mb", T_NUM, 0, NULL },
	{ "net_mb", T_NUM, 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_handler[] = {
	{ "pkg_id", T_INT, 1, NULL }, { "name", T_STR, 1, NULL },
	{ "calls", T_INT, 1, NULL }, { "cpu_ms", T_NUM, 1, NULL },
	{ "cpu_ms_per_call", T_NUM, 1, NULL }, { "cpu_pct", T_NUM, 1, NULL },
	{ "alloc_mb", T_NUM, 0, NULL },
	{ "alloc_bytes_per_call", T_NUM, 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_stack[] = {
	{ "stack", T_STR, 1, NULL }, { "samples", T_INT, 1, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_worker[] = {
	{ "pid", T_INT, 1, NULL }, { "samples", T_INT, 1, NULL },
	{ "dropped", T_INT, 0, NULL }, { "rss_mb", T_NUM, 0, NULL },
	{ "heap_mb", T_NUM, 0, NULL }, { "alloc_mb", T_NUM, 0, NULL },
	{ "state", T_STR, 0, NULL }, { "exit", T_OBJ, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_memory[] = {
	{ "enabled", T_BOOL, 0, NULL }, { "copy", T_BOOL, 0, NULL },
	{ "sample_bytes", T_NUM, 0, NULL }, { NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_leak[] = {
	{ "file", T_STR, 0, NULL }, { "line", T_INT, 0, NULL },
	{ "function", T_STR, 0, NULL }, { "likelihood", T_NUM, 0, NULL },
	{ "growth_mb_s", T_NUM, 0, NULL }, { "net_mb", T_NUM, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_timeline[] = {
	{ "interval_s", T_NUM, 0, NULL }, { "points", T_ARR, 0, NULL },
	{ NULL, 0, 0, NULL },
};
static const struct hlreport_field hlreport_top[] = {
	{ "schema_version", T_STR, 1, NULL }, { "kind", T_STR, 0, NULL },
	{ "window", T_OBJ, 1, hlreport_window },
	{ "totals", T_OBJ, 1, hlreport_totals },
	{ "reconciliation", T_OBJ, 0, NULL }, { "overhead", T_OBJ, 0, NULL },
	{ "files", T_ARR, 1, hlreport_file },
	{ "functions", T_ARR, 1, hlreport_function },
	{ "handlers", T_ARR, 1, hlreport_handler },
	{ "stacks", T_ARR, 1, hlreport_stack },
	{ "workers", T_ARR, 1, hlreport_worker },
	{ "memory", T_OBJ, 0, hlreport_memory },
	{ "leaks", T_ARR, 0, hlreport_leak },
	{ "timeline", T_OBJ, 0, hlreport_timeline },
	{ NULL, 0, 0, NULL },
};

/* printf into err; returns -1 for the caller to return. */
static int __attribute__((format(printf, 3, 4)))
hlreport_fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

/* 1 when v has type t. */
static int
hlreport_is(const json_t *v, enum hlreport_type t)
{
	switch (t) {
	case T_STR: return json_is_string(v);
	case T_NUM: return json_is_number(v);
	case T_INT: return json_is_integer(v);
	case T_OBJ: return json_is_object(v);
	case T_ARR: return json_is_array(v);
	case T_BOOL: return json_is_boolean(v);
	}
	return 0;
}

static int hlreport_check_object(const json_t *o, const char *where,
    const struct hlreport_field *f, char *err, size_t errsize);

/* Check each element of array a (at where) against items. */
static int
hlreport_check_items(const json_t *a, const char *where,
    const struct hlreport_field *items, char *err, size_t errsize)
{
	char at[256];
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v) {
		if (snprintf(at, sizeof at, "%s[%zu]", where, i) >=
		    (int)sizeof at)
			return hlreport_fail(err, errsize, "nested too deep");
		if (!json_is_object(v))
			return hlreport_fail(err, errsize,
			    "%s: expected an object", at);
		if (hlreport_check_object(v, at, items, err, errsize) == -1)
			return -1;
	}
	return 0;
}

/* Check object o (at where, "" at the top) against the table f. */
static int
hlreport_check_object(const json_t *o, const char *where,
    const struct hlreport_field *f, char *err, size_t errsize)
{
	char at[256];
	json_t *v;

	for (; f->key != NULL; f++) {
		if (snprintf(at, sizeof at, "%s%s%s", where, *where ? "." : "",
		    f->key) >= (int)sizeof at)
			return hlreport_fail(err, errsize, "nested too deep");
		if ((v = json_object_get(o, f->key)) == NULL) {
			if (f->required)
				return hlreport_fail(err, errsize,
				    "%s: missing", at);
			continue;
		}
		if (!hlreport_is(v, f->type))
			return hlreport_fail(err, errsize,
			    "%s: expected %s", at,
			    hlreport_type_names[f->type]);
		if (f->items != NULL && (f->type == T_ARR ?
		    hlreport_check_items(v, at, f->items, err, errsize) :
		    hlreport_check_object(v, at, f->items, err, errsize)) == -1)
			return -1;
	}
	return 0;
}

/* Parse "major.minor"; -1 when malformed. */
static int
hlreport_version(const char *s, long *major, long *minor)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	*major = strtol(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -1;
	*minor = strtol(end + 1, &end, 10);
	return *end == '\0' ? 0 : -1;
}

int
hlreport_check(const json_t *doc, char *err, size_t errsize)
{
	const char *sv;
	long major, minor;

	if (!json_is_object(doc))
		return hlreport_fail(err, errsize,
		    "not a report: the top level is not an object");
	sv = json_string_value(json_object_get(doc, "schema_version"));
	if (sv == NULL)
		return hlreport_fail(err, errsize, "not a report: "
		    "schema_version is missing or not a string");
	if (hlreport_version(sv, &major, &minor) == -1)
		return hlreport_fail(err, errsize, "schema_version \"%s\" is "
		    "not \"major.minor\"", sv);
	if (major > HLREPORT_SCHEMA_MAJOR)
		return hlreport_fail(err, errsize, "schema_version %s is newer "
		    "than this reader understands (%d.x); use a newer "
		    "hotline-report", sv, HLREPORT_SCHEMA_MAJOR);
	return hlreport_check_object(doc, "", hlreport_top, err, errsize);
}

int
hlreport_has_memory(const json_t *doc)
{
	const json_t *mem = json_object_get(doc, "memory");

	if (json_is_object(mem))
		return json_is_true(json_object_get(mem, "enabled"));
	return json_is_number(json_object_get(json_object_get(doc, "totals"),
	    "alloc_mb"));
}

int
hlreport_load(const char *path, json_t **doc, char *err, size_t errsize)
{
	char why[200];
	json_error_t je;
	FILE *fp;

	*doc = NULL;
	if ((fp = fopen(path, "re")) == NULL)
		return hlreport_fail(err, errsize, "%s: %s", path,
		    strerror(errno));
	*doc = json_loadf(fp, 0, &je);
	fclose(fp);
	if (*doc == NULL)
		return hlreport_fail(err, errsize, "%s: not a complete JSON "
		    "document (truncated?): line %d, column %d: %s", path,
		    je.line, je.column, je.text);
	if (hlreport_check(*doc, why, sizeof why) == -1) {
		json_decref(*doc);
		*doc = NULL;
		return hlreport_fail(err, errsize, "%s: %s", path, why);
	}
	return 0;
}
