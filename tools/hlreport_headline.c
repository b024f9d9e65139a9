/*
 * The headline of `hotline-report text` (schema 1.3): the workers' CPU as
 * seconds and core share, the overhead with its parts, the filters the
 * report was built with, and percentages marked "~" when their 95 %
 * sampling interval is wider than intervals.rough_pp on either side.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "hlreport.h"

/* A number field of o, 0 when absent. */
static double
hl_num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* The bound of a rough figure: the document's, else 5 points. */
static double
rough_pp(const json_t *doc)
{
	double pp = hl_num(json_object_get(doc, "intervals"), "rough_pp");

	return pp > 0 ? pp : 5;
}

int
hlreport_rough(const json_t *doc, const json_t *row)
{
	const json_t *lo = json_object_get(row, "pct_lo");
	const json_t *hi = json_object_get(row, "pct_hi");
	double at = hl_num(row, "cpu_pct"), pp = rough_pp(doc);

	if (!json_is_number(lo) || !json_is_number(hi))
		return 0;
	return at - json_number_value(lo) > pp ||
	    json_number_value(hi) - at > pp;
}

const char *
hlreport_pct(const json_t *doc, const json_t *row, char *buf, size_t size)
{
	snprintf(buf, size, "%s%.2f", hlreport_rough(doc, row) ? "~" : "",
	    hl_num(row, "cpu_pct"));
	return buf;
}

/* A filter list ("a, b", or "-" when empty) into buf. */
static const char *
filter_text(const json_t *list, char *buf, size_t size)
{
	hlreport_join(list, ", ", buf, size);
	if (buf[0] == '\0')
		snprintf(buf, size, "-");
	return buf;
}

void
hlreport_text_headline(FILE *out, const json_t *doc)
{
	const json_t *c = json_object_get(doc, "cpu");
	const json_t *o = json_object_get(doc, "overhead");
	const json_t *p = json_object_get(o, "parts_pct");
	const json_t *f = json_object_get(doc, "filters");
	char only[256], exclude[256];

	if (json_is_object(c))
		fprintf(out, "workers' CPU %.2f s, %.1f%% of %lld core%s\n",
		    hl_num(c, "seconds"), hl_num(c, "share_pct"),
		    (long long)hl_num(c, "cores"),
		    hl_num(c, "cores") == 1 ? "" : "s");
	if (json_is_object(p))
		fprintf(out, "overhead %.2f%%: sampler %.2f%%, memory hooks "
		    "%.2f%%, copy hooks %.2f%%\n", hl_num(o, "overhead_pct"),
		    hl_num(p, "sampler"), hl_num(p, "memory_hooks"),
		    hl_num(p, "copy_hooks"));
	if (json_is_object(f))
		fprintf(out, "built with: %s (threshold %lld%%); only: %s; "
		    "exclude: %s\n", json_is_true(json_object_get(f,
		    "reduced_profile")) ? "reduced profile" : "every line",
		    (long long)hl_num(f, "cpu_percent_threshold"),
		    filter_text(json_object_get(f, "only"), only, sizeof only),
		    filter_text(json_object_get(f, "exclude"), exclude,
		    sizeof exclude));
	if (json_is_object(json_object_get(doc, "intervals")))
		fprintf(out, "~ marks a percentage whose 95%% interval "
		    "(Wilson, from its samples) reaches more than %.0f points "
		    "from it\n", rough_pp(doc));
}
