/*
 * The HTML report: one self-contained page (inline CSS and JavaScript, SVG
 * drawn by the script, no network fetches) built from the report document
 * (docs/report-format.md). The document is embedded verbatim as
 * <script type="application/json" id="hl-report"> and the page builds its
 * DOM from it, so the HTML and the JSON cannot disagree. Source text, which
 * the JSON does not carry, is read from the files the document names when
 * the page is rendered and embedded beside it (id "hl-source").
 */
#ifndef HL_REPORT_HTML_H
#define HL_REPORT_HTML_H

#include <jansson.h>
#include <stddef.h>

/* Source files larger than this are skipped (the page shows function names
 * and line numbers for them); all sources of one page are capped too. */
#define REPORT_HTML_SOURCE_MAX		(2u << 20)
#define REPORT_HTML_SOURCES_TOTAL	(16u << 20)

struct report_html_opts {
	const char	*source_root;	/* where to look for sources, or NULL */
	int		 no_sources;	/* do not read source files at all */
};

/*
 * The page for doc (borrowed, not modified) as a malloc'd NUL-terminated
 * string the caller frees; opts may be NULL. Source files named by doc's
 * files[] are read once each (regular files of at most
 * REPORT_HTML_SOURCE_MAX bytes, no NUL bytes); a file that cannot be read is
 * left out. Returns NULL only when doc cannot be serialized.
 */
char	*report_html_render(const json_t *doc,
	    const struct report_html_opts *opts);

/*
 * {"<path as in the document>": "<text>", ...} for the distinct files[].file
 * of doc that could be read: the path as written, or when that does not
 * read and source_root is set (not NULL or ""), under source_root: a
 * relative path joined to it, an absolute one by ever shorter suffixes
 * (/b/x/src/a.c: root/b/x/src/a.c, root/x/src/a.c, root/src/a.c, root/a.c).
 * Bytes that are not UTF-8 become '?'. A new reference; never NULL.
 */
json_t	*report_html_sources(const json_t *doc, const char *source_root);

/* The page's stylesheet and script, generated at build time from
 * src/report/report_html.css and src/report/report_html.js (mk/html.am). */
extern const char report_html_css[];
extern const char report_html_js[];

#endif
