/* hotline-report's parts and the HTML renderer on the fixed reports in
 * tests/fixtures: loading and every error case, the text table, folded
 * stacks, the diff's arithmetic, and a page that embeds its JSON and
 * fetches nothing; schema 1.1's memory figures (report-1.1*.json) in the
 * text, the diff and the page's parts, and source lookup under a root. */
#include "autoconf.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hlreport.h"
#include "report/report_html.h"

#define FIX(name)	HL_FIXTURES "/" name

/* Output captured from a FILE. */
struct capture {
	char	*text;
	size_t	 len;
	FILE	*fp;
};

static void
capture_open(struct capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->text, &c->len);
	ck_assert_ptr_nonnull(c->fp);
}

static char *
capture_close(struct capture *c)
{
	fclose(c->fp);
	return c->text;
}

/* Load a fixture that must load. */
static json_t *
load_ok(const char *path)
{
	char err[512] = "";
	json_t *doc;

	ck_assert_msg(hlreport_load(path, &doc, err, sizeof err) == 0,
	    "%s: %s", path, err);
	return doc;
}

/* Load a fixture that must fail with a message containing want. */
static void
load_fails(const char *path, const char *want)
{
	char err[512] = "";
	json_t *doc = (json_t *)1;

	ck_assert_int_eq(hlreport_load(path, &doc, err, sizeof err), -1);
	ck_assert_ptr_null(doc);
	ck_assert_msg(strstr(err, want) != NULL, "%s: \"%s\" lacks \"%s\"",
	    path, err, want);
}

START_TEST(test_load_valid)
{
	json_decref(load_ok(FIX("report-1.0.json")));
	json_decref(load_ok(FIX("report-1.0-after.json")));
	json_decref(load_ok(FIX("report-empty.json")));
	json_decref(load_ok(FIX("report-1.1.json")));
	json_decref(load_ok(FIX("report-1.1-after.json")));
}
END_TEST

/* hlreport_check's verdict on the 1.1 fixture with one field replaced. */
static void
check_11_with(const char *path, json_t *value, const char *want)
{
	json_t *doc = load_ok(FIX("report-1.1.json")), *o = doc;
	char key[128], err[256] = "", *dot, *p;

	snprintf(key, sizeof key, "%s", path);
	for (p = key; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		*dot = '\0';
		o = json_is_array(o) ? json_array_get(o, (size_t)atoi(p)) :
		    json_object_get(o, p);
	}
	json_object_set_new(o, p, value);
	ck_assert_int_eq(hlreport_check(doc, err, sizeof err), -1);
	ck_assert_msg(strstr(err, want) != NULL, "\"%s\" lacks \"%s\"", err,
	    want);
	json_decref(doc);
}

START_TEST(test_load_11_types)
{
	check_11_with("leaks.0.likelihood", json_string("high"),
	    "leaks[0].likelihood: expected a number");
	check_11_with("memory.copy", json_string("yes"),
	    "memory.copy: expected true or false");
	check_11_with("files.2.lines.0.timeline", json_object(),
	    "files[2].lines[0].timeline: expected an array");
	check_11_with("totals.alloc_mb", json_string("48"),
	    "totals.alloc_mb: expected a number");
	check_11_with("timeline", json_array(), "timeline: expected an object");
	check_11_with("workers.1.rss_mb", json_true(),
	    "workers[1].rss_mb: expected a number");
	check_11_with("functions.2.alloc_mb", json_null(),
	    "functions[2].alloc_mb: expected a number");
}
END_TEST

START_TEST(test_load_newer_minor)
{
	json_t *doc = load_ok(FIX("report-1.7-unknown.json"));

	ck_assert_ptr_nonnull(json_object_get(doc, "memory"));
	json_decref(doc);
}
END_TEST

START_TEST(test_load_errors)
{
	load_fails(FIX("no-such-report.json"), "No such file or directory");
	load_fails(FIX("report-truncated.json"), "truncated");
	load_fails(FIX("report-2.0.json"), "schema_version 2.0 is newer");
	load_fails(FIX("report-wrong-type.json"),
	    "files[0].lines[1].cpu_pct: expected a number");
	load_fails(FIX("report-wrong-handlers.json"),
	    "handlers: expected an array");
	load_fails(FIX("report-bad-version.json"), "not \"major.minor\"");
	load_fails(FIX("report-not-object.json"), "not an object");
	load_fails(FIX("src/demo.c"), "not a complete JSON document");
}
END_TEST

START_TEST(test_check_missing_key)
{
	json_t *doc = json_pack("{s:s}", "schema_version", "1.0");
	char err[256];

	ck_assert_int_eq(hlreport_check(doc, err, sizeof err), -1);
	ck_assert_str_eq(err, "window: missing");
	json_decref(doc);
}
END_TEST

START_TEST(test_text)
{
	json_t *doc = load_ok(FIX("report-1.0.json"));
	struct capture c;
	char *out, *a, *b;

	capture_open(&c);
	hlreport_text(c.fp, doc, 2);
	out = capture_close(&c);
	ck_assert_msg(strncmp(out, "interval report, 10.00 s window, 1 worker,"
	    " 400 samples (4.000 s), cpu clock\n", 76) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "sampled time: CPU 100.00% (own "
	    "75.00%, native 25.00%, system 0.00%)"));
	ck_assert_ptr_nonnull(strstr(out, "profiler overhead 0.100% of the "
	    "workers' CPU: sampler 0.004 s, signal delivery 0.000 s, memory "
	    "hooks 0.000 s\n"));
	ck_assert_ptr_nonnull(strstr(out, "pkg_id   handler               calls"
	    "     cpu_ms  cpu_ms/call    cpu%\n3        work                  "
	    " 1000   4000.000       4.0000 100.00%\n(1 handler without "
	    "calls)\n"));
	ck_assert_ptr_nonnull(strstr(out, "  50.00   50.00     0.00     0.00 "
	    "     200  demo.c:3                     work_a"));
	/* Ties at 25% go in path order: /src/demo.c before /usr/... */
	a = strstr(out, "demo.c:5");
	b = strstr(out, "jansson.h:133");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(b);	/* --top 2 */
	ck_assert_ptr_nonnull(strstr(out, "(1 more lines; --top 0 lists all)"));
	ck_assert_ptr_null(strstr(out, "alloc MB"));	/* 1.0: no memory */
	ck_assert_ptr_null(strstr(out, "leaks"));
	ck_assert_ptr_null(strstr(out, "~"));	/* 1.0: no intervals */
	free(out);
	capture_open(&c);
	hlreport_text(c.fp, doc, 0);
	out = capture_close(&c);
	ck_assert_ptr_nonnull(strstr(out, "jansson.h:133                "
	    "json_decref              libjansson.so.4"));
	free(out);
	json_decref(doc);
}
END_TEST

/* Schema 1.3: a line whose 95 % interval reaches more than 5 points from
 * its figure is marked "~" (50 % of 10 samples: 23.66..76.34), one
 * within the bound is not; the heading names CPU, overhead and filters. */
START_TEST(test_text_rough)
{
	json_t *doc = load_ok(FIX("report-1.0.json"));
	json_t *lines = json_object_get(json_array_get(json_object_get(doc,
	    "files"), 0), "lines");
	struct capture c;
	char *out;

	json_object_set_new(json_array_get(lines, 0), "pct_lo",
	    json_real(23.66));
	json_object_set_new(json_array_get(lines, 0), "pct_hi",
	    json_real(76.34));
	json_object_set_new(json_array_get(lines, 1), "pct_lo",
	    json_real(21.0));
	json_object_set_new(json_array_get(lines, 1), "pct_hi",
	    json_real(29.5));
	json_object_set_new(doc, "intervals", json_pack("{s:s, s:f, s:f}",
	    "method", "wilson", "confidence", 0.95, "rough_pp", 5.0));
	json_object_set_new(doc, "cpu", json_pack("{s:f, s:s, s:i, s:f}",
	    "seconds", 4.0, "source", "proc", "cores", 1, "share_pct", 40.0));
	json_object_set_new(doc, "filters", json_pack("{s:b, s:i, s:[s], "
	    "s:[]}", "reduced_profile", 1, "cpu_percent_threshold", 2, "only",
	    "demo", "exclude"));
	capture_open(&c);
	hlreport_text(c.fp, doc, 0);
	out = capture_close(&c);
	ck_assert_ptr_nonnull(strstr(out, " ~50.00   50.00 "));
	ck_assert_ptr_nonnull(strstr(out, "\n  25.00 "));
	ck_assert_ptr_nonnull(strstr(out, "workers' CPU 4.00 s, 40.0% of 1 "
	    "core\n"));
	ck_assert_ptr_nonnull(strstr(out, "built with: reduced profile "
	    "(threshold 2%); only: demo; exclude: -\n"));
	free(out);
	json_decref(doc);
}
END_TEST

START_TEST(test_text_empty)
{
	json_t *doc = load_ok(FIX("report-empty.json"));
	struct capture c;
	char *out;

	capture_open(&c);
	hlreport_text(c.fp, doc, 10);
	out = capture_close(&c);
	ck_assert_ptr_nonnull(strstr(out, "0 workers, 0 samples"));
	ck_assert_ptr_nonnull(strstr(out, "no source lines in this window"));
	free(out);
	json_decref(doc);
}
END_TEST

START_TEST(test_text_memory)
{
	json_t *doc = load_ok(FIX("report-1.1.json"));
	struct capture c;
	char *out, *byalloc;

	capture_open(&c);
	hlreport_text(c.fp, doc, 3);
	out = capture_close(&c);
	ck_assert_ptr_nonnull(strstr(out,
	    "memory: alloc 48.000 MB (4.800 MB/s), free 40.500 MB, "
	    "net 7.500 MB, sampled heap 9.250 MB; one sample "
	    "per 524288 bytes allocated\n"));
	ck_assert_ptr_nonnull(strstr(out, "copies (library-call copies): "
	    "30.000 MB (3.000 MB/s)\n"));
	ck_assert_ptr_nonnull(strstr(out, "samples   alloc MB   net MB  peak MB"
	    "  copy MB/s  file:line"));
	ck_assert_ptr_nonnull(strstr(out, "  50.00   50.00     0.00     0.00 "
	    "     200      2.000    0.000    0.500      0.000  demo.c:3 "));
	/* The allocation table: mem.c:21 (32.5 MB) first, then the leak. */
	byalloc = strstr(out, "lines by memory allocated:\n");
	ck_assert_ptr_nonnull(byalloc);
	ck_assert_ptr_nonnull(strstr(byalloc, "     32.500    0.000    3.200 "
	    "     0.000  mem.c:21 "));
	ck_assert(strstr(byalloc, "mem.c:21") < strstr(byalloc, "mem.c:12"));
	ck_assert_ptr_nonnull(strstr(byalloc, "(1 more lines; --top 0 lists "
	    "all)"));
	ck_assert_ptr_nonnull(strstr(out,
	    "leaks (likelihood over 0.95, sampled net memory growing):\n"));
	ck_assert_ptr_nonnull(strstr(out, "  mem.c:12                     "
	    "remember                      0.969        0.750      7.500       "
	    "30        0\n"));
	free(out);
	/* Copy sampling off: no copy column; no leaks: said so. */
	json_object_set_new(json_object_get(doc, "memory"), "copy",
	    json_false());
	json_array_clear(json_object_get(doc, "leaks"));
	capture_open(&c);
	hlreport_text(c.fp, doc, 3);
	out = capture_close(&c);
	ck_assert_ptr_null(strstr(out, "copy MB/s"));
	ck_assert_ptr_null(strstr(out, "copies ("));
	ck_assert_ptr_nonnull(strstr(out, "alloc MB"));
	ck_assert_ptr_nonnull(strstr(out, "\nleaks: none flagged\n"));
	free(out);
	json_decref(doc);
}
END_TEST

START_TEST(test_folded)
{
	json_t *doc = load_ok(FIX("report-1.0.json"));
	struct capture c;
	char *out;

	capture_open(&c);
	hlreport_folded(c.fp, doc);
	out = capture_close(&c);
	ck_assert_str_eq(out,
	    "main;worker_main;handle_work;work_a 200\n"
	    "main;worker_main;handle_work;work_b 100\n"
	    "main;worker_main;handle_json;json_decref;free 100\n"
	    "main;</script><!--http://example.invalid/ 1\n");
	free(out);
	json_decref(doc);
}
END_TEST

/* Run a diff of two fixtures; returns its status, output in *out. */
static int
diff_run(const char *a, const char *b, double fail_above, char **out,
    char *err, size_t errsize)
{
	struct hlreport_diff_opts o = { 5, fail_above, 10 };
	json_t *da = load_ok(a), *db = load_ok(b);
	struct capture c;
	int rc;

	capture_open(&c);
	rc = hlreport_diff(c.fp, da, db, &o, err, errsize);
	*out = capture_close(&c);
	json_decref(da);
	json_decref(db);
	return rc;
}

START_TEST(test_diff_math)
{
	char *out, err[256];

	ck_assert_int_eq(diff_run(FIX("report-1.0.json"),
	    FIX("report-1.0-after.json"), -1, &out, err, sizeof err), 0);
	/* 4000 ms / 1000 messages -> 4400 ms / 800 messages. */
	ck_assert_ptr_nonnull(strstr(out, "CPU us per message             "
	    "4000.000     5500.000     +37.5%"));
	ck_assert_ptr_nonnull(strstr(out, "CPU ms per second               "
	    "400.000      440.000     +10.0%"));
	ck_assert_ptr_nonnull(strstr(out, "3      work                  1000"
	    "       800     4.0000     5.5000    +37.5%"));
	/* Lines: work_a 2000 -> 3300 us per message, out_write new. */
	ck_assert_ptr_nonnull(strstr(out, "demo.c:3 work_a                "
	    "            2000.000   3300.000  +1300.000   200.00   264.00"));
	ck_assert_ptr_nonnull(strstr(out, "conn_out.c:177 out_write       "
	    "               0.000    550.000   +550.000     0.00    44.00"));
	ck_assert_ptr_nonnull(strstr(out, "jansson.h:133 json_decref      "
	    "            1000.000    550.000   -450.000   100.00    44.00"));
	ck_assert(strstr(out, "demo.c:3 work_a") <
	    strstr(out, "conn_out.c:177"));
	ck_assert(strstr(out, "improvements") <
	    strstr(out, "jansson.h:133 json_decref"));
	ck_assert_ptr_null(strstr(out, "REGRESSION"));
	free(out);
}
END_TEST

START_TEST(test_diff_alloc)
{
	char *out, *grow, err[256];

	ck_assert_int_eq(diff_run(FIX("report-1.1.json"),
	    FIX("report-1.1-after.json"), -1, &out, err, sizeof err), 0);
	/* 48 MB / 1000 messages -> 48 MB / 800 messages. */
	ck_assert_ptr_nonnull(strstr(out, "  alloc KB per message             "
	    "48.000       60.000     +25.0%\n"));
	ck_assert_ptr_nonnull(strstr(out, "  alloc MB per second               "
	    "4.800        4.800      +0.0%\n"));
	ck_assert_ptr_nonnull(strstr(out, "handlers, alloc bytes per call:\n"));
	ck_assert_ptr_nonnull(strstr(out, "  3      work                    "
	    "40000        60000    +50.0%\n"));
	/* scratch: 32.5 MB / 1000 -> 40 MB / 800 messages, the biggest. */
	grow = strstr(out, "lines, biggest allocation growth");
	ck_assert_ptr_nonnull(grow);
	ck_assert_ptr_nonnull(strstr(grow,
	    "  mem.c:21 scratch                             32.500     50.000"
	    "    +17.500    3.250    4.000\n"));
	ck_assert(strstr(grow, "mem.c:21 scratch") <
	    strstr(grow, "mem.c:12 remember"));
	free(out);
	/* A 1.0 report on either side: CPU only. */
	ck_assert_int_eq(diff_run(FIX("report-1.0.json"),
	    FIX("report-1.1.json"), -1, &out, err, sizeof err), 0);
	ck_assert_ptr_null(strstr(out, "alloc"));
	free(out);
}
END_TEST

START_TEST(test_diff_threshold)
{
	char *out, err[256];

	ck_assert_int_eq(diff_run(FIX("report-1.0.json"),
	    FIX("report-1.0-after.json"), 30, &out, err, sizeof err), 1);
	ck_assert_ptr_nonnull(strstr(out, "REGRESSION: CPU per message +37.5% "
	    "> 30.0%"));
	ck_assert_ptr_nonnull(strstr(out, "REGRESSION: handler 3 (work)"));
	free(out);
	ck_assert_int_eq(diff_run(FIX("report-1.0.json"),
	    FIX("report-1.0-after.json"), 40, &out, err, sizeof err), 0);
	free(out);
	/* Improvements never fail. */
	ck_assert_int_eq(diff_run(FIX("report-1.0-after.json"),
	    FIX("report-1.0.json"), 0, &out, err, sizeof err), 0);
	free(out);
	ck_assert_int_eq(diff_run(FIX("report-empty.json"),
	    FIX("report-1.0.json"), 10, &out, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "no messages were handled in the "
	    "first report"));
	free(out);
}
END_TEST

/* The text of <script ... id="id">...</script> in html, malloc'd. */
static char *
html_script(const char *html, const char *id)
{
	char open[128];
	const char *s, *e;

	snprintf(open, sizeof open, "<script type=\"application/json\" "
	    "id=\"%s\">", id);
	if ((s = strstr(html, open)) == NULL)
		return NULL;
	s += strlen(open);
	if ((e = strstr(s, "</script>")) == NULL)
		return NULL;
	return strndup(s, (size_t)(e - s));
}

/* html with every embedded JSON element's content cut out. */
static char *
html_without_data(const char *html)
{
	char *out = strdup(html), *s = out, *e;

	while ((s = strstr(s, "<script type=\"application/json\"")) != NULL) {
		s = strchr(s, '>') + 1;
		e = strstr(s, "</script>");
		memmove(s, e, strlen(e) + 1);
	}
	return out;
}

START_TEST(test_html_embeds_json)
{
	json_t *doc = load_ok(FIX("report-1.0.json")), *back, *src;
	struct report_html_opts o = { HL_FIXTURES, 0 };
	char *html = report_html_render(doc, &o), *data, *rest;

	ck_assert_ptr_nonnull(html);
	ck_assert_int_eq(strncmp(html, "<!DOCTYPE html>", 15), 0);
	data = html_script(html, "hl-report");
	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_null(strstr(data, "</script"));
	ck_assert_ptr_null(strstr(data, "<!--"));
	back = json_loads(data, 0, NULL);
	ck_assert_msg(json_equal(back, doc), "the embedded JSON differs");
	free(data);
	data = html_script(html, "hl-source");
	src = json_loads(data, 0, NULL);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(src,
	    "/src/demo.c")), "work_a(unsigned long n)"));
	rest = html_without_data(html);
	ck_assert_msg(strstr(rest, "http://") == NULL, "http:// outside data");
	ck_assert_msg(strstr(rest, "https://") == NULL,
	    "https:// outside data");
	ck_assert_ptr_null(strstr(rest, " src="));
	ck_assert_ptr_nonnull(strstr(rest, "default-src 'none'"));
	ck_assert_ptr_nonnull(strstr(rest, "<title>hotline 0.1.0 profile "
	    "(interval)</title>"));
	ck_assert_ptr_nonnull(strstr(rest, "function flame(box, o)"));
	free(rest);
	free(data);
	json_decref(src);
	json_decref(back);
	free(html);
	json_decref(doc);
}
END_TEST

/* The data-parts of the page rendered from doc, malloc'd. */
static char *
html_parts(const json_t *doc)
{
	struct report_html_opts o = { NULL, 1 };
	char *html = report_html_render(doc, &o), *s, *e, *parts;

	ck_assert_ptr_nonnull(html);
	s = strstr(html, "<body data-parts=\"");
	ck_assert_ptr_nonnull(s);
	s += strlen("<body data-parts=\"");
	e = strchr(s, '"');
	parts = strndup(s, (size_t)(e - s));
	free(html);
	return parts;
}

START_TEST(test_html_parts)
{
	json_t *doc = load_ok(FIX("report-1.1.json"));
	struct report_html_opts o = { HL_FIXTURES, 0 };
	char *parts, *html, *data;
	json_t *src;

	parts = html_parts(doc);
	ck_assert_str_eq(parts, "cpu memory copy timeline");
	free(parts);
	/* The script has the memory parts; the sources include mem.c. */
	html = report_html_render(doc, &o);
	ck_assert_ptr_nonnull(strstr(html, "function leaks(box)"));
	ck_assert_ptr_nonnull(strstr(html, "function timeline(box)"));
	ck_assert_ptr_nonnull(strstr(html, "function spark(vals)"));
	ck_assert_ptr_nonnull(strstr(html, "no leaks flagged"));
	ck_assert_ptr_nonnull(strstr(html, "'copy MB/s'"));
	data = html_script(html, "hl-source");
	src = json_loads(data, 0, NULL);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(src,
	    "/src/mem.c")), "malloc(sizeof *n);\t/* never freed"));
	json_decref(src);
	free(data);
	free(html);
	json_object_set_new(json_object_get(doc, "memory"), "copy",
	    json_false());
	parts = html_parts(doc);
	ck_assert_str_eq(parts, "cpu memory timeline");
	free(parts);
	json_array_clear(json_object_get(json_object_get(doc, "timeline"),
	    "points"));
	parts = html_parts(doc);
	ck_assert_str_eq(parts, "cpu memory");
	free(parts);
	/* profiling_cpu_only: the memory object says memory did not run. */
	json_object_set_new(json_object_get(doc, "memory"), "enabled",
	    json_false());
	parts = html_parts(doc);
	ck_assert_str_eq(parts, "cpu");
	free(parts);
	json_decref(doc);
	doc = load_ok(FIX("report-1.0.json"));
	parts = html_parts(doc);
	ck_assert_str_eq(parts, "cpu");
	free(parts);
	json_decref(doc);
}
END_TEST

/* Write text to root/rel, making its directories. */
static void
write_tree(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX], *slash;
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

START_TEST(test_html_sources_root)
{
	char root[] = "/tmp/hl-src-root.XXXXXX", here[PATH_MAX], cmd[PATH_MAX];
	json_t *doc, *src;

	ck_assert_ptr_nonnull(mkdtemp(root));
	write_tree(root, "proj/src/a.c", "int a;\n");
	write_tree(root, "proj/include/b.h", "int b;\n");
	write_tree(root, "proj/src/demo.c", "not the real one\n");
	snprintf(here, sizeof here, "%s/proj", root);
	doc = json_pack("{s:[{s:s},{s:s},{s:s},{s:s},{s:s}]}", "files",
	    "file", "/build/elsewhere/src/a.c",	/* by suffix */
	    "file", "include/b.h",		/* relative: joined */
	    "file", HL_FIXTURES "/src/demo.c",	/* exists as is: wins */
	    "file", "/build/elsewhere/src/none.c",
	    "file", "/");
	src = report_html_sources(doc, here);
	ck_assert_str_eq(json_string_value(json_object_get(src,
	    "/build/elsewhere/src/a.c")), "int a;\n");
	ck_assert_str_eq(json_string_value(json_object_get(src,
	    "include/b.h")), "int b;\n");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(src,
	    HL_FIXTURES "/src/demo.c")), "work_a"));
	ck_assert_int_eq(json_object_size(src), 3);
	json_decref(src);
	/* No root (NULL or ""): paths as written only. */
	src = report_html_sources(doc, "");
	ck_assert_int_eq(json_object_size(src), 1);
	json_decref(src);
	src = report_html_sources(doc, NULL);
	ck_assert_int_eq(json_object_size(src), 1);
	json_decref(src);
	json_decref(doc);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_html_sources_bounded)
{
	char big[] = "/tmp/hl-src-big.XXXXXX", bin[] = "/tmp/hl-src-bin.XXXXXX";
	char lat[] = "/tmp/hl-src-lat.XXXXXX";
	int fb = mkstemp(big), fn = mkstemp(bin), fl = mkstemp(lat);
	json_t *doc, *src;
	char *chunk = calloc(1, REPORT_HTML_SOURCE_MAX + 1);

	memset(chunk, 'x', REPORT_HTML_SOURCE_MAX + 1);
	ck_assert_int_eq(write(fb, chunk, REPORT_HTML_SOURCE_MAX + 1),
	    REPORT_HTML_SOURCE_MAX + 1);
	ck_assert_int_eq(write(fn, "a\0b", 3), 3);
	ck_assert_int_eq(write(fl, "caf\xe9\n", 5), 5);
	doc = json_pack("{s:[{s:s},{s:s},{s:s},{s:s},{s:s}]}", "files",
	    "file", big, "file", bin, "file", lat, "file", "/nonexistent/x.c",
	    "file", lat);
	src = report_html_sources(doc, NULL);
	ck_assert_int_eq(json_object_size(src), 1);
	ck_assert_str_eq(json_string_value(json_object_get(src, lat)),
	    "caf?\n");
	json_decref(src);
	/* No source: the page still renders, with an empty source object. */
	{
		struct report_html_opts o = { NULL, 1 };
		char *html = report_html_render(doc, &o), *data;

		data = html_script(html, "hl-source");
		ck_assert_str_eq(data, "{}");
		free(data);
		free(html);
	}
	json_decref(doc);
	free(chunk);
	close(fb);
	close(fn);
	close(fl);
	unlink(big);
	unlink(bin);
	unlink(lat);
}
END_TEST

START_TEST(test_loopback)
{
	ck_assert(hlreport_loopback("127.0.0.1"));
	ck_assert(hlreport_loopback("127.3.2.1"));
	ck_assert(hlreport_loopback("::1"));
	ck_assert(hlreport_loopback("LOCALHOST"));
	ck_assert(!hlreport_loopback("10.0.0.1"));
	ck_assert(!hlreport_loopback("example.com"));
	ck_assert(!hlreport_loopback("::2"));
	ck_assert(!hlreport_loopback(NULL));
}
END_TEST

START_TEST(test_fetch_refuses_remote)
{
	struct hlreport_fetch_opts o = { "http://192.0.2.1:9000", NULL, "json",
	    "-", 1 };
	char name[64], err[256];

	ck_assert_int_eq(hlreport_fetch(&o, name, sizeof name, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "only loopback"));
	o.admin = "ftp://127.0.0.1/";
	ck_assert_int_eq(hlreport_fetch(&o, name, sizeof name, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an http:// URL"));
}
END_TEST

static Suite *
report_html_suite(void)
{
	Suite *s = suite_create("report_html");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_load_valid);
	tcase_add_test(tc, test_load_newer_minor);
	tcase_add_test(tc, test_load_11_types);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_check_missing_key);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_text_rough);
	tcase_add_test(tc, test_text_empty);
	tcase_add_test(tc, test_text_memory);
	tcase_add_test(tc, test_folded);
	tcase_add_test(tc, test_diff_math);
	tcase_add_test(tc, test_diff_alloc);
	tcase_add_test(tc, test_diff_threshold);
	tcase_add_test(tc, test_html_embeds_json);
	tcase_add_test(tc, test_html_parts);
	tcase_add_test(tc, test_html_sources_root);
	tcase_add_test(tc, test_html_sources_bounded);
	tcase_add_test(tc, test_loopback);
	tcase_add_test(tc, test_fetch_refuses_remote);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_html_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
