/*
 * hotline-report's parts, a convenience library the CLI and its unit tests
 * share: loading and checking a report document (docs/report-format.md),
 * the terminal table, folded stacks, the before/after diff and fetching the
 * newest report from a running daemon. Output goes to a FILE the caller
 * owns; errors come back as -1 with a message in err.
 */
#ifndef HL_HLREPORT_H
#define HL_HLREPORT_H

#include <jansson.h>
#include <stdio.h>

/* The newest schema major this reader understands. */
#define HLREPORT_SCHEMA_MAJOR	1

/*
 * Load and check the report in path: *doc is a new reference on success.
 * Errors (-1, message in err naming path): the file cannot be read, it is
 * not JSON or is cut short, schema_version is missing, malformed or of a
 * newer major, or a field this tool reads has the wrong type. Unknown
 * fields (a newer minor's additions) are ignored.
 */
int	 hlreport_load(const char *path, json_t **doc, char *err,
	    size_t errsize);
/* The checks of hlreport_load on a document already parsed (borrowed). */
int	 hlreport_check(const json_t *doc, char *err, size_t errsize);

/* 1 when doc has memory figures (schema 1.1: memory.enabled, or, from a
 * writer without the memory object, a number in totals.alloc_mb). */
int	 hlreport_has_memory(const json_t *doc);

/* The hottest top lines (all when top <= 0) as a terminal table; with
 * memory figures also memory columns, the lines that allocate most and the
 * leaks list. */
void	 hlreport_text(FILE *out, const json_t *doc, int top);
/* The strings of a JSON array joined by sep into buf (cut at size; a
 * non-string is "?"); returns buf. */
const char *hlreport_join(const json_t *arr, const char *sep, char *buf,
	    size_t size);
/* hlreport_headline.c: 1 when row's cpu_pct has a 95 % interval (schema
 * 1.3 pct_lo, pct_hi) reaching more than doc's intervals.rough_pp (5)
 * points from it; the figure as text, "~" before a rough one, in buf; the
 * CPU, overhead, filters and intervals lines of the heading. */
int	 hlreport_rough(const json_t *doc, const json_t *row);
const char *hlreport_pct(const json_t *doc, const json_t *row, char *buf,
	    size_t size);
void	 hlreport_text_headline(FILE *out, const json_t *doc);
/* stacks[] as folded stacks, "root;...;leaf samples\n", heaviest first. */
void	 hlreport_folded(FILE *out, const json_t *doc);

struct hlreport_diff_opts {
	int	 top;		/* lines listed each way */
	double	 fail_above;	/* regression threshold in %, < 0: none */
	double	 min_calls;	/* handlers with fewer calls are not judged */
};
/*
 * Compare a (before) with b (after), normalized per message handled
 * (handlers[].calls) and per second of window. Returns 0, 1 when
 * fail_above >= 0 and a per-message CPU figure (the whole window's, or a
 * handler's cpu_ms_per_call) grew by more than fail_above percent, or -1
 * with err set when per-message figures cannot be computed and a threshold
 * was asked for.
 */
int	 hlreport_diff(FILE *out, const json_t *a, const json_t *b,
	    const struct hlreport_diff_opts *opts, char *err, size_t errsize);

struct hlreport_fetch_opts {
	const char	*admin;		/* http://127.0.0.1:9000 (loopback) */
	const char	*token;		/* bearer token, or NULL */
	const char	*ext;		/* json, html, folded (on demand
					   also pprof: what the daemon takes) */
	const char	*out;		/* file, "-": stdout, NULL: the name */
	int		 timeout_s;
	int		 seconds;	/* > 0: an on-demand profile */
};
/* Download the newest report file of ext from a running daemon's admin
 * port into opts->out, or with seconds > 0 a fresh on-demand profile
 * (GET /api/profiling/profile?seconds=N&format=EXT, which answers after
 * N seconds); the file's name is written to name (namesize bytes, at
 * least 64). Loopback hosts only; -1 with err on any failure, a refusal's
 * reason as the daemon gave it. */
int	 hlreport_fetch(const struct hlreport_fetch_opts *opts, char *name,
	    size_t namesize, char *err, size_t errsize);
/* 1 when host (a URL's host part) is a loopback name or address. */
int	 hlreport_loopback(const char *host);

#endif
