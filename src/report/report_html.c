/*
 * The self-contained HTML page of a report: a fixed shell around the
 * embedded report document, the embedded source texts, and the stylesheet
 * and script generated from report_html.css and report_html.js. All the
 * figures are computed by the script from the embedded JSON.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_html.h"
#include "core/util.h"

/* A growing output string. */
struct html_out {
	char	*p;
	size_t	 len, cap;
};

/* Append n bytes. */
static void
html_put(struct html_out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = HL_MAX(o->cap * 2, o->len + n + 1);
		o->p = xrealloc(o->p, o->cap);
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

/* Append a C string. */
static void
html_puts(struct html_out *o, const char *s)
{
	html_put(o, s, strlen(s));
}

/* Append text escaped for HTML element content and attributes. */
static void
html_put_text(struct html_out *o, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': html_puts(o, "&amp;"); break;
		case '<': html_puts(o, "&lt;"); break;
		case '>': html_puts(o, "&gt;"); break;
		case '"': html_puts(o, "&quot;"); break;
		default: html_put(o, s, 1); break;
		}
	}
}

/*
 * Append JSON text inside a <script> element. '<', '>' and '&' occur in
 * JSON text only inside strings, where \u escapes mean the same characters,
 * so "</script>" and "<!--" cannot end or confuse the script element and
 * JSON.parse still returns the document exactly.
 */
static void
html_put_json(struct html_out *o, const char *json)
{
	const char *s, *run = json;

	for (s = json; *s != '\0'; s++) {
		const char *rep = *s == '<' ? "\\u003c" :
		    *s == '>' ? "\\u003e" : *s == '&' ? "\\u0026" : NULL;

		if (rep == NULL)
			continue;
		html_put(o, run, (size_t)(s - run));
		html_puts(o, rep);
		run = s + 1;
	}
	html_put(o, run, (size_t)(s - run));
}

/* Append one <script type="application/json"> element holding v. */
static int
html_put_data(struct html_out *o, const char *id, const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (text == NULL)
		return -1;
	html_puts(o, "<script type=\"application/json\" id=\"");
	html_puts(o, id);
	html_puts(o, "\">");
	html_put_json(o, text);
	html_puts(o, "</script>\n");
	free(text);
	return 0;
}

/* The <head>: a policy that forbids every fetch, the title, the style. */
static void
html_put_head(struct html_out *o, const json_t *doc)
{
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	const char *gen = json_string_value(json_object_get(doc, "generator"));

	html_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; "
	    "script-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	html_put_text(o, gen != NULL ? gen : "hotline");
	html_puts(o, " profile");
	if (kind != NULL) {
		html_puts(o, " (");
		html_put_text(o, kind);
		html_puts(o, ")");
	}
	html_puts(o, "</title>\n<style>\n");
	html_puts(o, report_html_css);
	html_puts(o, "</style>\n</head>\n");
}

/* 1 when the document carries memory figures: memory.enabled, or (from a
 * writer that omits the memory object) a number in totals.alloc_mb. */
static int
html_has_memory(const json_t *doc)
{
	const json_t *mem = json_object_get(doc, "memory");

	if (json_is_object(mem))
		return json_is_true(json_object_get(mem, "enabled"));
	return json_is_number(json_object_get(json_object_get(doc, "totals"),
	    "alloc_mb"));
}

/*
 * The parts of the report the page draws besides the CPU ones, as the
 * <body data-parts> the script reads: "memory" (columns, cards, the leaks
 * section), "copy" (memory.copy on), "timeline" (points to chart). Decided
 * here, once, so the page and a test of this function cannot disagree.
 */
static void
html_put_parts(struct html_out *o, const json_t *doc)
{
	const json_t *tl = json_object_get(doc, "timeline");
	int mem = html_has_memory(doc);

	html_puts(o, "<body data-parts=\"cpu");
	if (mem)
		html_puts(o, " memory");
	if (mem && json_is_true(json_object_get(json_object_get(doc, "memory"),
	    "copy")))
		html_puts(o, " copy");
	if (json_array_size(json_object_get(tl, "points")) > 0)
		html_puts(o, " timeline");
	html_puts(o, "\">\n");
}

char *
report_html_render(const json_t *doc, const struct report_html_opts *opts)
{
	struct html_out o = { NULL, 0, 0 };
	json_t *sources;
	int rc;

	if (opts != NULL && opts->no_sources)
		sources = json_object();
	else
		sources = report_html_sources(doc,
		    opts != NULL ? opts->source_root : NULL);
	html_put_head(&o, doc);
	html_put_parts(&o, doc);
	html_puts(&o, "<div id=\"app\"><noscript>This report is drawn "
	    "by JavaScript from the report document embedded below; the "
	    ".json file of the same name holds the same figures."
	    "</noscript></div>\n");
	rc = html_put_data(&o, "hl-report", doc);
	if (rc == 0)
		rc = html_put_data(&o, "hl-source", sources);
	json_decref(sources);
	if (rc == -1) {
		free(o.p);
		return NULL;
	}
	html_puts(&o, "<script>\n");
	html_puts(&o, report_html_js);
	html_puts(&o, "</script>\n</body>\n</html>\n");
	return o.p;
}
