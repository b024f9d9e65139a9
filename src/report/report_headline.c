/*
 * The report's headline figures, said as honestly as the samples allow:
 * each percentage with its 95 % sampling interval, the workers' CPU as
 * seconds and as a share of their cores, the overhead as the sum of its
 * parts, and the filters the report was built with. Called by
 * report_build after the document's other parts are set.
 */
#include "autoconf.h"

#include <math.h>
#include <string.h>

#include "report/report_int.h"
#include "report/report_stats.h"
#include "profile/stacktab.h"
#include "core/util.h"

static double
round2(double v)
{
	return round(v * 100) / 100;
}

static double
clamp_pct(double v)
{
	return v < 0 ? 0 : v > 100 ? 100 : v;
}

/*
 * pct_lo and pct_hi on o: the Wilson 95 % interval of k of the window's
 * samples, moved to sit around o's cpu_pct (a weighted share, which equals
 * the sample share when every sample weighs the same).
 */
void
report_interval_json(const struct builder *b, json_t *o, uint64_t k)
{
	double lo, hi, p, at = json_real_value(json_object_get(o, "cpu_pct"));
	uint64_t n = 0;
	int c;

	for (c = 0; c < CLS_COUNT; c++)
		n += b->total.samples[c];
	if (n < k)
		n = k;
	report_wilson(k, n, REPORT_Z95, &lo, &hi);
	p = n > 0 ? 100.0 * k / n : 0;
	json_object_set_new(o, "pct_lo",
	    json_real(round2(clamp_pct(at - (p - 100 * lo)))));
	json_object_set_new(o, "pct_hi",
	    json_real(round2(clamp_pct(at + (100 * hi - p)))));
}

/* A comma-separated filter list as an array of its non-empty items. */
static json_t *
filter_list(const char *list)
{
	json_t *arr = json_array();
	const char *p = list != NULL ? list : "";
	size_t len;

	while (*p != '\0') {
		len = strcspn(p, ",");
		if (len > 0)
			json_array_append_new(arr, json_stringn(p, len));
		p += len + (p[len] == ',');
	}
	return arr;
}

static json_t *
filters_json(const struct report_input *in)
{
	return json_pack("{s:b, s:i, s:o, s:o}", "reduced_profile",
	    in->reduced != 0, "cpu_percent_threshold", in->threshold_pct,
	    "only", filter_list(in->only), "exclude",
	    filter_list(in->exclude));
}

/* Worker slots in the report: a worker that exited and the one that
 * replaced it shared one slot, one core's worth of the window. */
static int
worker_slots(const struct report_input *in)
{
	int i, j, n = 0;

	for (i = 0; i < in->nworkers; i++) {
		for (j = 0; j < i && in->workers[j].slot !=
		    in->workers[i].slot; j++)
			;
		n += j == i;
	}
	return n;
}

/*
 * The workers' CPU over the window: seconds the kernel accounted (the
 * samples' when it accounted none) and their share of the workers' cores,
 * one core per worker slot for the window's length.
 */
static json_t *
cpu_json(const struct builder *b, const json_t *overhead, double sampled)
{
	const struct report_input *in = b->in;
	double proc = json_real_value(json_object_get(overhead,
	    "utime_seconds")) + json_real_value(json_object_get(overhead,
	    "stime_seconds"));
	double secs = proc > 0 ? proc : sampled;
	int slots = worker_slots(in);
	double cores = (in->end - in->start) * slots;

	return json_pack("{s:f, s:s, s:i, s:f}", "seconds",
	    round(secs * 1000) / 1000, "source", proc > 0 ? "proc" : "samples",
	    "cores", slots, "share_pct", cores > 0 ?
	    round2(100 * secs / cores) : 0.0);
}

/*
 * overhead_pct's three parts (they sum to it, rounding aside): the
 * sampler (its handler and the signals' delivery), the memory hooks and
 * the copy hooks, each over the workers' utime + stime.
 */
static void
overhead_parts(const struct builder *b, json_t *overhead)
{
	const struct report_input *in = b->in;
	double cpu = json_real_value(json_object_get(overhead,
	    "utime_seconds")) + json_real_value(json_object_get(overhead,
	    "stime_seconds"));
	double sampler = 0, hooks = 0, copy = 0;
	int i;

	for (i = 0; i < in->nworkers; i++) {
		const struct report_worker *w = &in->workers[i];
		uint64_t c = HL_MIN(w->copy_hook_ns, w->hook_ns);

		sampler += (w->handler_ns + w->delivery_ns) / 1e9;
		hooks += (w->hook_ns - c) / 1e9;
		copy += c / 1e9;
	}
	json_object_set_new(overhead, "copy_hook_seconds", json_real(copy));
	json_object_set_new(overhead, "parts_pct", json_pack(
	    "{s:f, s:f, s:f}", "sampler", cpu > 0 ? round2(100 * sampler /
	    cpu) : 0.0, "memory_hooks", cpu > 0 ? round2(100 * hooks / cpu) :
	    0.0, "copy_hooks", cpu > 0 ? round2(100 * copy / cpu) : 0.0));
}

void
report_headline_doc(const struct builder *b, json_t *doc, double sampled)
{
	json_t *overhead = json_object_get(doc, "overhead");

	json_object_set_new(doc, "cpu", cpu_json(b, overhead, sampled));
	overhead_parts(b, overhead);
	json_object_set_new(doc, "filters", filters_json(b->in));
	json_object_set_new(doc, "intervals", json_pack("{s:s, s:f, s:f}",
	    "method", "wilson", "confidence", 0.95, "rough_pp",
	    REPORT_ROUGH_PP));
}
