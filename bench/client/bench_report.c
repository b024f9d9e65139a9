/*
 * hotline-bench: what the run prints. A progress line each second on a
 * terminal (stderr), then a human summary and, as the last line of stdout,
 * one JSON object with the same figures for scripts.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const char *const err_names[ERR__COUNT] = { "io", "closed", "protocol",
	"opcode", "req_id", "status", "timeout" };

static const char *const mode_names[] = { [MODE_RR] = "rr",
	[MODE_CONNECT] = "connect",
	[MODE_IDLE] = "idle",
	[MODE_BROADCAST] = "broadcast",
	[MODE_SCENARIO] = "scenario" };

static const double pcts[] = { 50, 90, 99, 99.9 };
static const char *const pct_keys[] = { "p50", "p90", "p99", "p99_9" };
#define NPCTS (sizeof pcts / sizeof pcts[0])

/* Microseconds from nanoseconds. */
static double
us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

/* One line of live figures: rate since the last call, totals so far. */
void
bench_report_progress(struct bench_run *run, double secs)
{
	static uint64_t prev;
	uint64_t msgs = 0, errs = 0, open = 0, hsf = 0;
	unsigned i;

	for (i = 0; i < run->nthreads; i++) {
		struct bench_stats *s = &run->threads[i].st;

		msgs += STAT_LOAD(s->messages);
		errs += STAT_LOAD(s->errors);
		open += STAT_LOAD(s->opened);
		hsf += STAT_LOAD(s->hs_failures);
	}
	fprintf(stderr,
	    "[%6.1fs] %10.0f %s/s  %llu total  open %llu  "
	    "errors %llu  handshake failures %llu\n",
	    secs, (double)(msgs - prev),
	    run->o->mode == MODE_CONNECT ? "handshakes" : "msg",
	    (unsigned long long)msgs, (unsigned long long)open,
	    (unsigned long long)errs, (unsigned long long)hsf);
	prev = msgs;
}

/* A JSON string with quotes, backslashes and controls escaped. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* "key_p50_us":…,…,"key_max_us":… for a histogram. */
static void
json_hist(FILE *f, const char *prefix, const struct hist *h)
{
	size_t i;

	for (i = 0; i < NPCTS; i++)
		fprintf(f, ",\"%s%s_us\":%.3f", prefix, pct_keys[i],
		    us(hist_percentile(h, pcts[i])));
	fprintf(f, ",\"%smax_us\":%.3f,\"%smean_us\":%.3f", prefix,
	    us(h->count ? h->max : 0), prefix, hist_mean(h) / 1000.0);
}

/* Percentiles of a histogram as one human line. */
static void
human_hist(const char *label, const struct hist *h)
{
	size_t i;

	printf("  %-14s", label);
	for (i = 0; i < NPCTS; i++)
		printf(
		    " %s %.1f", pct_keys[i], us(hist_percentile(h, pcts[i])));
	printf("  max %.1f  mean %.1f  (µs, %llu samples)\n",
	    us(h->count ? h->max : 0), hist_mean(h) / 1000.0,
	    (unsigned long long)h->count);
}

/* Mode-specific fields, human and JSON. */
static void
report_extras(const struct bench_run *run, FILE *j)
{
	const struct bench_stats *s = &run->total;

	switch (run->o->mode) {
	case MODE_SCENARIO:
		printf("  total time     %.3f s for %llu of %u connections "
		       "x %u messages\n",
		    run->elapsed, (unsigned long long)s->done_conns,
		    run->o->conns, run->o->messages);
		fprintf(j,
		    ",\"messages_per_connection\":%u,"
		    "\"connections_done\":%llu,\"total_time_s\":%.6f",
		    run->o->messages, (unsigned long long)s->done_conns,
		    run->elapsed);
		break;
	case MODE_BROADCAST:
		printf("  published      %llu, deliveries %llu, incomplete "
		       "%llu, untracked %llu\n",
		    (unsigned long long)s->published,
		    (unsigned long long)s->messages,
		    (unsigned long long)s->incomplete,
		    (unsigned long long)s->untracked);
		human_hist("last delivery", &s->last);
		fprintf(j,
		    ",\"subscribers\":%u,\"published\":%llu,"
		    "\"incomplete\":%llu,\"untracked\":%llu",
		    run->o->conns, (unsigned long long)s->published,
		    (unsigned long long)s->incomplete,
		    (unsigned long long)s->untracked);
		json_hist(j, "last_", &s->last);
		break;
	case MODE_IDLE:
		printf("  held           %llu connections (opened in %.3f s)\n",
		    (unsigned long long)run->held,
		    (double)run->t_open_ns / 1e9);
		fprintf(j, ",\"held\":%llu", (unsigned long long)run->held);
		break;
	default: break;
	}
}

/* Latency and errors per pkg_id (rr, scenario), human and JSON. */
static void
report_pkgs(const struct bench_run *run, FILE *j)
{
	const struct bench_msgset *ms = &run->o->msgs;
	unsigned k;

	printf("  by pkg_id       count      p50      p90      p99      max"
	       "  errors (µs)\n");
	fprintf(j, ",\"pkg_ids\":[");
	for (k = 0; k < ms->npkgs; k++) {
		const struct bench_pkgstat *ps = &run->total.pkg[k];
		const struct hist *h = &ps->lat;

		printf("  %-10d %10llu %8.1f %8.1f %8.1f %8.1f %7llu\n",
		    ms->pkg_ids[k], (unsigned long long)h->count,
		    us(hist_percentile(h, 50)), us(hist_percentile(h, 90)),
		    us(hist_percentile(h, 99)), us(h->count ? h->max : 0),
		    (unsigned long long)ps->errors);
		fprintf(j, "%s{\"pkg_id\":%d,\"count\":%llu,\"errors\":%llu",
		    k ? "," : "", ms->pkg_ids[k], (unsigned long long)h->count,
		    (unsigned long long)ps->errors);
		json_hist(j, "", h);
		fputc('}', j);
	}
	fputc(']', j);
}

/* What the options asked for, without running it (--print-plan). */
void
bench_report_plan(const struct bench_opts *o)
{
	const struct bench_msgset *ms = &o->msgs;
	char sample[BENCH_MAX_MSG + 1];
	uint64_t rng = 1, prev = 0;
	unsigned k;

	printf("hotline-bench plan: %s %s, %u connections x %u messages, "
	       "%u template%s, ramp %g/s, capped at %g s\n",
	    mode_names[o->mode], o->scenario ? o->scenario : "-", o->conns,
	    o->mode == MODE_SCENARIO ? o->messages : 0, ms->n,
	    ms->n == 1 ? "" : "s", o->ramp, o->duration);
	printf("{\"mode\":\"%s\",\"scenario\":", mode_names[o->mode]);
	json_str(stdout, o->scenario ? o->scenario : "");
	printf(",\"url\":");
	json_str(stdout, o->url);
	printf(",\"connections\":%u,\"messages_per_connection\":%u,"
	       "\"total_messages\":%llu,\"pipeline\":%u,\"threads\":%u,"
	       "\"ramp_per_s\":%g,\"duration_s\":%g,\"messages\":[",
	    o->conns, o->mode == MODE_SCENARIO ? o->messages : 0,
	    o->mode == MODE_SCENARIO
		? (unsigned long long)o->conns * o->messages
		: 0ULL,
	    o->pipeline, o->threads, o->ramp, o->duration);
	for (k = 0; k < ms->n; k++) {
		const struct bench_tmpl *t = &ms->tmpl[k];

		sample[bench_msg_expand(t, sample, 0, 0, &rng)] = '\0';
		printf(
		    "%s{\"weight\":%llu,\"pkg_id\":%d,\"first\":", k ? "," : "",
		    (unsigned long long)(t->cum - prev), ms->pkg_ids[t->pkg]);
		json_str(stdout, sample);
		putchar('}');
		prev = t->cum;
	}
	printf("]}\n");
}

/* Error counts by kind, human and JSON. */
static void
report_errors(const struct bench_stats *s, FILE *j)
{
	int k;

	printf("  errors         %llu", (unsigned long long)s->errors);
	fprintf(j, ",\"errors\":%llu,\"error_kinds\":{",
	    (unsigned long long)s->errors);
	for (k = 0; k < ERR__COUNT; k++) {
		if (s->err_kind[k])
			printf("  %s %llu", err_names[k],
			    (unsigned long long)s->err_kind[k]);
		fprintf(j, "%s\"%s\":%llu", k ? "," : "", err_names[k],
		    (unsigned long long)s->err_kind[k]);
	}
	printf("\n  handshake failures %llu\n",
	    (unsigned long long)s->hs_failures);
	fprintf(j, "},\"handshake_failures\":%llu",
	    (unsigned long long)s->hs_failures);
}

/* The summary and the JSON line, from run->total and run->elapsed. */
void
bench_report_final(struct bench_run *run)
{
	const struct bench_opts *o = run->o;
	const struct bench_stats *s = &run->total;
	double secs = o->mode == MODE_IDLE
	    ? (double)run->t_open_ns / 1e9
	    : run->elapsed; /* idle: upgrades/s */
	double rate = secs > 0 ? (double)s->messages / secs : 0;
	char target[400], *line = NULL;
	size_t len = 0;
	FILE *j = open_memstream(&line, &len); /* the JSON goes out last */

	if (j == NULL)
		return;
	snprintf(target, sizeof target, "ws://%s%.*s", o->host,
	    (int)strcspn(o->path, "?"), o->path); /* never print a token */
	printf("hotline-bench %s: %s, %u connections, pipeline %u, %u-byte "
	       "messages, %u thread%s%s\n",
	    run->mode->name, target, o->conns, o->pipeline, o->size,
	    run->nthreads, run->nthreads > 1 ? "s" : "",
	    run->interrupted ? " (interrupted)" : "");
	printf("  duration       %.3f s measured (warm-up %.3f s)\n",
	    run->elapsed, o->warmup);
	printf("  %-14s %llu (%.1f/s)\n",
	    o->mode == MODE_CONNECT         ? "handshakes"
		: o->mode == MODE_IDLE      ? "opened"
		: o->mode == MODE_BROADCAST ? "deliveries"
					    : "responses",
	    (unsigned long long)s->messages, rate);
	human_hist(o->mode == MODE_CONNECT || o->mode == MODE_IDLE
		? "upgrade time"
		: "latency",
	    &s->lat);
	printf("  bytes          sent %llu, received %llu\n",
	    (unsigned long long)s->bytes_out, (unsigned long long)s->bytes_in);
	fprintf(j, "{\"mode\":\"%s\",\"url\":", run->mode->name);
	json_str(j, target);
	fprintf(j,
	    ",\"threads\":%u,\"connections\":%u,\"pipeline\":%u,"
	    "\"size\":%u,\"duration_s\":%.6f,\"warmup_s\":%.3f,"
	    "\"messages\":%llu,\"sent\":%llu,\"throughput_msg_s\":%.1f",
	    run->nthreads, o->conns, o->pipeline, o->size, run->elapsed,
	    o->warmup, (unsigned long long)s->messages,
	    (unsigned long long)s->sent, rate);
	if (run->mode->persistent)
		fprintf(
		    j, ",\"open_time_s\":%.6f", (double)run->t_open_ns / 1e9);
	json_hist(j, "", &s->lat);
	report_errors(s, j);
	if (o->mode == MODE_RR || o->mode == MODE_SCENARIO)
		report_pkgs(run, j);
	fprintf(j,
	    ",\"bytes_sent\":%llu,\"bytes_received\":%llu,"
	    "\"other\":%llu",
	    (unsigned long long)s->bytes_out, (unsigned long long)s->bytes_in,
	    (unsigned long long)s->other);
	report_extras(run, j);
	fprintf(
	    j, ",\"interrupted\":%s}\n", run->interrupted ? "true" : "false");
	fclose(j);
	fputs(line, stdout);
	fflush(stdout);
	free(line);
}
