/*
 * Folded stacks ("root;...;leaf count"), for flamegraph.pl and speedscope
 * and for the report's "stacks": every stack of a table resolved to
 * function names, inlined scopes included, and merged by text. A window's
 * stacks are collected once and give both the .folded file and the
 * document's "stacks".
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_json.h"
#include "profile/stacktab.h"
#include "profile/symbolize.h"
#include "core/util.h"

struct folded {
	char		*stack;
	uint64_t	 samples;
	uint64_t	 weight_ns;
};

struct report_folded {
	struct folded	*items;
	size_t		 n, cap;
	size_t		*slots;		/* item + 1, by hash of the text */
	size_t		 nslots;
};

static size_t
text_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return (size_t)h;
}

static void
folded_insert_slot(struct report_folded *fs, size_t item)
{
	size_t i = text_hash(fs->items[item].stack) & (fs->nslots - 1);

	while (fs->slots[i] != 0)
		i = (i + 1) & (fs->nslots - 1);
	fs->slots[i] = item + 1;
}

static void
folded_add(struct report_folded *fs, const char *stack, uint64_t samples,
    uint64_t weight)
{
	size_t i = text_hash(stack) & (fs->nslots - 1), k;

	for (; fs->slots[i] != 0; i = (i + 1) & (fs->nslots - 1)) {
		struct folded *f = &fs->items[fs->slots[i] - 1];

		if (strcmp(f->stack, stack) == 0) {
			f->samples += samples;
			f->weight_ns += weight;
			return;
		}
	}
	if (fs->n == fs->cap) {
		fs->cap = HL_MAX(fs->cap * 2, 256);
		fs->items = xrealloc(fs->items, fs->cap * sizeof *fs->items);
	}
	fs->items[fs->n] = (struct folded){ xstrdup(stack), samples, weight };
	fs->slots[i] = ++fs->n;
	if (fs->n * 2 >= fs->nslots) {
		free(fs->slots);
		fs->nslots *= 2;
		fs->slots = xcalloc(fs->nslots, sizeof *fs->slots);
		for (k = 0; k < fs->n; k++)
			folded_insert_slot(fs, k);
	}
}

/* "root;...;leaf" for one stack, inlined scopes included, into buf.
 * pcs[0] is an exact pc when exact0 (a CPU sample), else a return address
 * like the others (a memory event's caller). */
static void
folded_text(struct symbolizer *sym, const uint64_t *pcs, unsigned depth,
    int exact0, char *buf, size_t size)
{
	struct sym_frame f[SYM_MAX_FRAMES];
	size_t used = 0;
	unsigned i;
	int n, j;

	buf[0] = '\0';
	for (i = depth; i-- > 0 && used < size;) {
		n = symbolizer_lookup(sym, pcs[i], i > 0 || !exact0, f,
		    SYM_MAX_FRAMES);
		for (j = n - 1; j >= 0 && used < size; j--)
			used += (size_t)snprintf(buf + used, size - used,
			    "%s%s", used > 0 ? ";" : "", f[j].function);
	}
}

static int
folded_order(const void *a, const void *b)
{
	const struct folded *x = a, *y = b;

	return (x->samples < y->samples) - (x->samples > y->samples);
}

/* Heaviest by weight first (bytes, for a memory table). */
static int
folded_weight_order(const void *a, const void *b)
{
	const struct folded *x = a, *y = b;

	return (x->weight_ns < y->weight_ns) - (x->weight_ns > y->weight_ns);
}

/* A table's stacks of class cls (-1: every class) folded and merged,
 * sorted by order. */
static struct report_folded *
folded_collect(struct symbolizer *sym, const struct stacktab *tab, int cls,
    int exact0, int (*order)(const void *, const void *))
{
	struct report_folded *fs = xcalloc(1, sizeof *fs);
	const struct stack_entry *e;
	char buf[8192];
	size_t i = 0;

	fs->nslots = 1024;
	fs->slots = xcalloc(fs->nslots, sizeof *fs->slots);
	while ((e = stacktab_next(tab, &i)) != NULL) {
		if (cls >= 0 && e->cls != cls)
			continue;
		folded_text(sym, stacktab_pcs(tab, e), e->depth, exact0, buf,
		    sizeof buf);
		if (buf[0] != '\0')
			folded_add(fs, buf, e->samples, e->weight_ns);
	}
	if (fs->n > 0)
		qsort(fs->items, fs->n, sizeof *fs->items, order);
	return fs;
}

struct report_folded *
report_folded_collect(struct symbolizer *sym, const struct stacktab *tab)
{
	return folded_collect(sym, tab, -1, 1, folded_order);
}

void
report_folded_free(struct report_folded *fs)
{
	size_t i;

	if (fs == NULL)
		return;
	for (i = 0; i < fs->n; i++)
		free(fs->items[i].stack);
	free(fs->items);
	free(fs->slots);
	free(fs);
}

char *
report_folded_text(const struct report_folded *fs)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&text, &len);

	if (fp == NULL)
		fatal("open_memstream");
	for (i = 0; i < fs->n; i++)
		fprintf(fp, "%s %llu\n", fs->items[i].stack,
		    (unsigned long long)fs->items[i].samples);
	fclose(fp);
	return text;
}

/* The first REPORT_MAX_STACKS stacks as a JSON array, each by item(). */
static json_t *
folded_array(const struct report_folded *fs,
    json_t *(*item)(const struct folded *))
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < fs->n && i < REPORT_MAX_STACKS; i++)
		json_array_append_new(arr, item(&fs->items[i]));
	return arr;
}

static json_t *
folded_cpu_item(const struct folded *f)
{
	return json_pack("{s:s, s:I, s:f}", "stack", f->stack, "samples",
	    (json_int_t)f->samples, "weight_ms", f->weight_ns / 1e6);
}

/* A memory table's weight is bytes. */
static json_t *
folded_alloc_item(const struct folded *f)
{
	return json_pack("{s:s, s:I, s:I}", "stack", f->stack, "bytes",
	    (json_int_t)f->weight_ns, "samples", (json_int_t)f->samples);
}

/* The heaviest stacks, for the HTML flame graph. */
json_t *
report_folded_json(const struct report_folded *fs)
{
	return folded_array(fs, folded_cpu_item);
}

json_t *
report_folded_alloc_json(struct symbolizer *sym, const struct stacktab *mem)
{
	struct report_folded *fs = folded_collect(sym, mem, MEM_CLS_ALLOC, 0,
	    folded_weight_order);
	json_t *arr = folded_array(fs, folded_alloc_item);

	report_folded_free(fs);
	return arr;
}
