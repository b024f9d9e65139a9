/* Prometheus text helpers shared by every /metrics writer. */
#include "autoconf.h"

#include <event2/buffer.h>
#include <math.h>
#include <stdio.h>

#include "admin/prom.h"
#include "core/shm.h"

void
prom_family(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

void
prom_single(struct evbuffer *out, const char *name, const char *type,
    const char *help, uint64_t value)
{
	prom_family(out, name, type, help);
	evbuffer_add_printf(out, "%s %llu\n", name, (unsigned long long)value);
}

void
prom_sample(struct evbuffer *out, const char *name, const char *labels,
    double value)
{
	char v[32];

	if (isnan(value))
		snprintf(v, sizeof v, "NaN");
	else if (isinf(value))
		snprintf(v, sizeof v, "%cInf", value > 0 ? '+' : '-');
	else
		snprintf(v, sizeof v, "%.15g", value);
	if (labels != NULL)
		evbuffer_add_printf(out, "%s{%s} %s\n", name, labels, v);
	else
		evbuffer_add_printf(out, "%s %s\n", name, v);
}

static uint64_t
prom_word(const struct shm_slot *s, size_t off)
{
	return shm_read((const uint64_t *)(const void *)
	    ((const char *)s + off));
}

uint64_t
prom_live(const struct prom_slots *ps, size_t off)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < ps->shm->hdr->nslots; i++)
		sum += prom_word(shm_slot(ps->shm, i), off);
	return sum;
}

uint64_t
prom_sum(const struct prom_slots *ps, size_t off)
{
	return prom_word(ps->retired, off) + prom_live(ps, off);
}

void
prom_histogram(struct evbuffer *out, const struct prom_slots *ps,
    const struct prom_hist *h)
{
	const char *l = h->labels != NULL ? h->labels : "";
	const char *sep = h->labels != NULL ? "," : "";
	uint64_t cum = 0, count = prom_sum(ps, h->count);
	unsigned b;

	for (b = 0; b < h->nbuckets; b++) {
		cum += prom_sum(ps, h->buckets + b * sizeof(uint64_t));
		evbuffer_add_printf(out, "%s_bucket{%s%sle=\"%s\"} %llu\n",
		    h->name, l, sep, h->le[b], (unsigned long long)cum);
	}
	evbuffer_add_printf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", h->name,
	    l, sep, (unsigned long long)count);
	if (h->labels != NULL)
		evbuffer_add_printf(out, "%s_sum{%s} %.*f\n%s_count{%s} %llu\n",
		    h->name, l, h->sum_digits,
		    (double)prom_sum(ps, h->sum_ns) / 1e9, h->name, l,
		    (unsigned long long)count);
	else
		evbuffer_add_printf(out, "%s_sum %.*f\n%s_count %llu\n",
		    h->name, h->sum_digits,
		    (double)prom_sum(ps, h->sum_ns) / 1e9, h->name,
		    (unsigned long long)count);
}
