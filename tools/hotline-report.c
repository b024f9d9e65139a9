/* hotline-report: read, render, compare and fetch hotline's profiling
 * reports. See man/hotline-report.1. Exit status: 0 done, 1 a regression
 * past --fail-above (diff), 2 an error. */
#include "autoconf.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlreport.h"
#include "report/report_html.h"

#define HLREPORT_EXIT_ERROR	2
#define HLREPORT_ADMIN		"http://127.0.0.1:9000" /* the quick start's */
#define HLREPORT_MAX_SECONDS	300	/* the daemon's bound, checked there */

/* Every option of every command; each command says which it takes. */
struct hlreport_args {
	const char	*out;
	const char	*source_root;
	const char	*admin;
	const char	*token;
	const char	*ext;
	int		 top;
	int		 seconds;	/* fetch: an on-demand profile */
	double		 fail_above;
	double		 min_calls;
	char		**rest;		/* positional arguments */
	int		 nrest;
};

static const struct option hlreport_longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "source-root", required_argument, NULL, 's' },
	{ "top", required_argument, NULL, 'n' },
	{ "fail-above", required_argument, NULL, 'f' },
	{ "min-calls", required_argument, NULL, 'm' },
	{ "admin", required_argument, NULL, 'a' },
	{ "token", required_argument, NULL, 't' },
	{ "type", required_argument, NULL, 'T' },
	{ "format", required_argument, NULL, 'T' },
	{ "seconds", required_argument, NULL, 'S' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void __attribute__((noreturn))
hlreport_usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: hotline-report render IN.json -o OUT.html "
	    "[--source-root DIR]\n"
	    "       hotline-report text IN.json [--top N]\n"
	    "       hotline-report diff BEFORE.json AFTER.json [--top N]\n"
	    "                      [--fail-above PCT] [--min-calls N]\n"
	    "       hotline-report folded IN.json\n"
	    "       hotline-report fetch [--admin http://127.0.0.1:PORT] "
	    "[-o FILE] [--token T]\n"
	    "                      [--seconds N] [--format "
	    "json|html|folded|pprof]\n"
	    "       hotline-report --version\n");
	exit(status == 0 ? 0 : HLREPORT_EXIT_ERROR);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
hlreport_die(const char *fmt, ...)
{
	va_list ap;

	fputs("hotline-report: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(HLREPORT_EXIT_ERROR);
}

/* A number option, whole or not; dies on junk. */
static double
hlreport_number(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v < 0)
		hlreport_die("--%s: \"%s\" is not a non-negative number",
		    opt, s);
	return v;
}

/* --seconds: a whole number the daemon may take (it checks it again). */
static int
hlreport_seconds(const char *s)
{
	double v = hlreport_number("seconds", s);

	if (v < 1 || v > HLREPORT_MAX_SECONDS || v != (int)v)
		hlreport_die("--seconds: \"%s\" is not a whole number from 1 "
		    "to %d", s, HLREPORT_MAX_SECONDS);
	return (int)v;
}

static void __attribute__((noreturn))
hlreport_version(void)
{
	printf("hotline-report %s\n", PACKAGE_VERSION);
	exit(0);
}

/* Parse the options after the command word. */
static void
hlreport_parse(int argc, char **argv, struct hlreport_args *a)
{
	int c;

	memset(a, 0, sizeof *a);
	a->top = 20;
	a->fail_above = -1;
	a->min_calls = 10;
	a->ext = "json";
	while ((c = getopt_long(argc, argv, "o:n:hV", hlreport_longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'o': a->out = optarg; break;
		case 's': a->source_root = optarg; break;
		case 'n': a->top = (int)hlreport_number("top", optarg); break;
		case 'f': a->fail_above = hlreport_number("fail-above", optarg);
			break;
		case 'm': a->min_calls = hlreport_number("min-calls", optarg);
			break;
		case 'a': a->admin = optarg; break;
		case 't': a->token = optarg; break;
		case 'T': a->ext = optarg; break;
		case 'S': a->seconds = hlreport_seconds(optarg); break;
		case 'h': hlreport_usage(0);
		case 'V': hlreport_version();
		default: hlreport_usage(HLREPORT_EXIT_ERROR);
		}
	}
	a->rest = argv + optind;
	a->nrest = argc - optind;
}

/* Load a report or die with the loader's reason. */
static json_t *
hlreport_open(const char *path)
{
	char err[512];
	json_t *doc;

	if (hlreport_load(path, &doc, err, sizeof err) == -1)
		hlreport_die("%s", err);
	return doc;
}

/* render IN.json -o OUT.html */
static int
hlreport_cmd_render(struct hlreport_args *a)
{
	struct report_html_opts ro = { a->source_root, 0 };
	json_t *doc;
	char *html;
	FILE *fp;

	if (a->nrest != 1 || a->out == NULL)
		hlreport_usage(HLREPORT_EXIT_ERROR);
	doc = hlreport_open(a->rest[0]);
	if ((html = report_html_render(doc, &ro)) == NULL)
		hlreport_die("%s: cannot serialize the report", a->rest[0]);
	json_decref(doc);
	fp = strcmp(a->out, "-") == 0 ? stdout : fopen(a->out, "we");
	if (fp == NULL || fputs(html, fp) == EOF ||
	    (fp == stdout ? fflush(fp) : fclose(fp)) != 0)
		hlreport_die("%s: cannot write: %m", a->out);
	free(html);
	return 0;
}

/* text IN.json [--top N] and folded IN.json */
static int
hlreport_cmd_print(struct hlreport_args *a, int folded)
{
	json_t *doc;

	if (a->nrest != 1)
		hlreport_usage(HLREPORT_EXIT_ERROR);
	doc = hlreport_open(a->rest[0]);
	if (folded)
		hlreport_folded(stdout, doc);
	else
		hlreport_text(stdout, doc, a->top);
	json_decref(doc);
	return fflush(stdout) == 0 ? 0 : HLREPORT_EXIT_ERROR;
}

/* diff BEFORE.json AFTER.json */
static int
hlreport_cmd_diff(struct hlreport_args *a)
{
	struct hlreport_diff_opts o = { a->top, a->fail_above, a->min_calls };
	json_t *before, *after;
	char err[512];
	int rc;

	if (a->nrest != 2)
		hlreport_usage(HLREPORT_EXIT_ERROR);
	before = hlreport_open(a->rest[0]);
	after = hlreport_open(a->rest[1]);
	printf("before: %s\nafter:  %s\n", a->rest[0], a->rest[1]);
	rc = hlreport_diff(stdout, before, after, &o, err, sizeof err);
	json_decref(before);
	json_decref(after);
	if (rc == -1)
		hlreport_die("%s", err);
	return rc;
}

/* The formats fetch asks for: a report set's files, or on demand. */
static const struct {
	const char	*name;
	int		 on_demand_only;
} hlreport_formats[] = {
	{ "json", 0 }, { "html", 0 }, { "folded", 0 }, { "pprof", 1 },
};
#define NFORMATS (sizeof hlreport_formats / sizeof hlreport_formats[0])

/* fetch [--admin URL] [-o FILE] [--token T] [--seconds N] [--format F] */
static int
hlreport_cmd_fetch(struct hlreport_args *a)
{
	struct hlreport_fetch_opts o = { a->admin ? a->admin : HLREPORT_ADMIN,
	    a->token, a->ext, a->out, 10, a->seconds };
	char name[128], err[768];
	size_t i;

	if (a->nrest != 0)
		hlreport_usage(HLREPORT_EXIT_ERROR);
	for (i = 0; i < NFORMATS; i++)
		if (strcmp(a->ext, hlreport_formats[i].name) == 0)
			break;
	if (i == NFORMATS)
		hlreport_die("--format: \"%s\" is not json, html, folded or "
		    "pprof", a->ext);
	if (hlreport_formats[i].on_demand_only && a->seconds == 0)
		hlreport_die("--format %s: only an on-demand profile "
		    "(--seconds N) comes as %s", a->ext, a->ext);
	if (a->seconds > 0)
		o.timeout_s = a->seconds + 30;
	if (a->token == NULL)
		o.token = getenv("HOTLINE_ADMIN_TOKEN");
	if (hlreport_fetch(&o, name, sizeof name, err, sizeof err) == -1)
		hlreport_die("fetch: %s", err);
	fprintf(stderr, "hotline-report: fetched %s -> %s\n", name,
	    a->out != NULL ? a->out : name);
	return 0;
}

int
main(int argc, char **argv)
{
	struct hlreport_args a;
	const char *cmd;

	if (argc < 2)
		hlreport_usage(HLREPORT_EXIT_ERROR);
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
		hlreport_usage(0);
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0)
		hlreport_version();
	hlreport_parse(argc - 1, argv + 1, &a);
	if (strcmp(cmd, "render") == 0)
		return hlreport_cmd_render(&a);
	if (strcmp(cmd, "text") == 0)
		return hlreport_cmd_print(&a, 0);
	if (strcmp(cmd, "folded") == 0)
		return hlreport_cmd_print(&a, 1);
	if (strcmp(cmd, "diff") == 0)
		return hlreport_cmd_diff(&a);
	if (strcmp(cmd, "fetch") == 0)
		return hlreport_cmd_fetch(&a);
	hlreport_die("unknown command \"%s\" (render, text, diff, folded, "
	    "fetch)", cmd);
}
