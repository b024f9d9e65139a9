/* An open-addressing hash table of stacks with an arena for their pcs. */
#include "autoconf.h"

#include <string.h>

#include "profile/stacktab.h"
#include "core/util.h"

#define STACKTAB_FIRST_SLOTS	1024

/* FNV-1a over the key fields and the pcs. */
static uint32_t
stacktab_hash(int worker, int cls, int32_t pkg_id, const uint64_t *pcs,
    unsigned depth)
{
	uint64_t h = 1469598103934665603ULL;
	unsigned i;

	h = (h ^ (uint64_t)cls ^ (uint64_t)worker << 8) * 1099511628211ULL;
	h = (h ^ (uint64_t)(uint32_t)pkg_id) * 1099511628211ULL;
	for (i = 0; i < depth; i++)
		h = (h ^ pcs[i]) * 1099511628211ULL;
	return (uint32_t)(h ^ (h >> 32));
}

void
stacktab_init(struct stacktab *t, size_t max_entries)
{
	memset(t, 0, sizeof *t);
	t->max_entries = max_entries;
	t->nslots = STACKTAB_FIRST_SLOTS;
	t->slots = xcalloc(t->nslots, sizeof *t->slots);
}

void
stacktab_free(struct stacktab *t)
{
	free(t->slots);
	free(t->arena);
	memset(t, 0, sizeof *t);
}

/* Entries keep offsets into the arena, so it may move as it grows. */
static size_t
stacktab_store_pcs(struct stacktab *t, const uint64_t *pcs, unsigned depth)
{
	if (t->arena_used + depth > t->arena_cap) {
		t->arena_cap = HL_MAX(t->arena_cap * 2, t->arena_used + depth +
		    4096);
		t->arena = xrealloc(t->arena, t->arena_cap * sizeof *t->arena);
	}
	if (depth > 0)
		memcpy(t->arena + t->arena_used, pcs, depth * sizeof *pcs);
	t->arena_used += depth;
	return t->arena_used - depth;
}

static struct stack_entry *
stacktab_find(struct stacktab *t, uint32_t h, int worker, int cls,
    int32_t pkg_id, const uint64_t *pcs, unsigned depth)
{
	size_t i = h & (t->nslots - 1);

	for (;; i = (i + 1) & (t->nslots - 1)) {
		struct stack_entry *e = &t->slots[i];

		if (!e->used)
			return e;
		if (e->hash == h && e->cls == cls && e->pkg_id == pkg_id &&
		    e->worker == worker &&
		    e->depth == depth && (depth == 0 || memcmp(t->arena +
		    e->pcs_off, pcs, depth * sizeof *pcs) == 0))
			return e;
	}
}

/* Double the slots when 3/4 full, rehashing every entry. */
static void
stacktab_grow(struct stacktab *t)
{
	struct stack_entry *old = t->slots;
	size_t n = t->nslots, i;

	if (t->count * 4 < t->nslots * 3)
		return;
	t->nslots *= 2;
	t->slots = xcalloc(t->nslots, sizeof *t->slots);
	for (i = 0; i < n; i++) {
		struct stack_entry *e;

		if (!old[i].used)
			continue;
		e = stacktab_find(t, old[i].hash, old[i].worker, old[i].cls,
		    old[i].pkg_id, t->arena + old[i].pcs_off, old[i].depth);
		*e = old[i];
	}
	free(old);
}

void
stacktab_add(struct stacktab *t, int cls, int32_t pkg_id,
    const uint64_t *pcs, unsigned depth, uint64_t samples,
    uint64_t weight_ns)
{
	stacktab_add_from(t, 0, cls, pkg_id, pcs, depth, samples, weight_ns);
}

void
stacktab_add_from(struct stacktab *t, int worker, int cls, int32_t pkg_id,
    const uint64_t *pcs, unsigned depth, uint64_t samples,
    uint64_t weight_ns)
{
	uint32_t h = stacktab_hash(worker, cls, pkg_id, pcs, depth);
	struct stack_entry *e;

	t->samples += samples;
	t->weight_ns += weight_ns;
	e = stacktab_find(t, h, worker, cls, pkg_id, pcs, depth);
	if (!e->used) {
		if (t->count >= t->max_entries) {
			t->overflow += samples;
			t->overflow_ns += weight_ns;
			return;
		}
		e->used = 1;
		e->hash = h;
		e->cls = (uint8_t)cls;
		e->worker = (uint16_t)worker;
		e->pkg_id = pkg_id;
		e->depth = (uint16_t)depth;
		e->pcs_off = stacktab_store_pcs(t, pcs, depth);
		t->count++;
	}
	e->samples += samples;
	e->weight_ns += weight_ns;
	stacktab_grow(t);
}

void
stacktab_add_hooks(struct stacktab *t, uint64_t samples, uint64_t weight_ns)
{
	t->hooks += samples;
	t->hooks_ns += weight_ns;
}

void
stacktab_merge(struct stacktab *to, const struct stacktab *from)
{
	const struct stack_entry *e;
	size_t i = 0;

	while ((e = stacktab_next(from, &i)) != NULL)
		stacktab_add_from(to, e->worker, e->cls, e->pkg_id,
		    stacktab_pcs(from, e), e->depth, e->samples,
		    e->weight_ns);
	to->overflow += from->overflow;
	to->overflow_ns += from->overflow_ns;
	to->samples += from->overflow;
	to->weight_ns += from->overflow_ns;
	to->hooks += from->hooks;
	to->hooks_ns += from->hooks_ns;
}

void
stacktab_clear(struct stacktab *t)
{
	memset(t->slots, 0, t->nslots * sizeof *t->slots);
	t->count = 0;
	t->arena_used = 0;
	t->samples = t->weight_ns = t->overflow = t->overflow_ns = 0;
	t->hooks = t->hooks_ns = 0;
}

const struct stack_entry *
stacktab_next(const struct stacktab *t, size_t *i)
{
	for (; *i < t->nslots; (*i)++) {
		if (t->slots[*i].used)
			return &t->slots[(*i)++];
	}
	return NULL;
}
