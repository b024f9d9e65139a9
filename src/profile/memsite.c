/* Sites and live sampled blocks: open-addressing tables, see memsite.h. */
#include "autoconf.h"

#include <string.h>

#include "profile/memsite.h"
#include "core/util.h"

#define SITE_IX_FIRST	1024
#define LIVE_FIRST	4096

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint64_t
site_hash(int32_t pkg_id, const uint64_t *pcs, unsigned depth)
{
	uint64_t h = mix64((uint64_t)(uint32_t)pkg_id + depth);
	unsigned i;

	for (i = 0; i < depth; i++)
		h = mix64(h ^ pcs[i]);
	return h;
}

void
memsites_init(struct memsites *ms, uint32_t nslots)
{
	memset(ms, 0, sizeof *ms);
	ms->site_ix_n = SITE_IX_FIRST;
	ms->site_ix = xcalloc(ms->site_ix_n, sizeof *ms->site_ix);
	ms->live_n = LIVE_FIRST;
	ms->live = xcalloc(ms->live_n, sizeof *ms->live);
	for (size_t i = 0; i < ms->live_n; i++)
		ms->live[i].site = MEMSITE_NONE;
	ms->nslots = nslots;
	ms->slot_live = xcalloc(nslots + 1, sizeof *ms->slot_live);
	ms->slot_alloc = xcalloc(nslots + 1, sizeof *ms->slot_alloc);
}

void
memsites_free(struct memsites *ms)
{
	free(ms->sites);
	free(ms->site_ix);
	free(ms->arena);
	free(ms->live);
	free(ms->slot_live);
	free(ms->slot_alloc);
	memset(ms, 0, sizeof *ms);
}

static int
site_eq(const struct memsites *ms, uint32_t id, int32_t pkg_id,
    const uint64_t *pcs, unsigned depth)
{
	const struct memsite *s = &ms->sites[id];

	return s->pkg_id == pkg_id && s->depth == depth && (depth == 0 ||
	    memcmp(ms->arena + s->pcs_off, pcs, depth * sizeof *pcs) == 0);
}

static uint32_t *
site_slot(struct memsites *ms, uint64_t h, int32_t pkg_id,
    const uint64_t *pcs, unsigned depth)
{
	size_t i = h & (ms->site_ix_n - 1);

	while (ms->site_ix[i] != 0 &&
	    !site_eq(ms, ms->site_ix[i] - 1, pkg_id, pcs, depth))
		i = (i + 1) & (ms->site_ix_n - 1);
	return &ms->site_ix[i];
}

static void
site_ix_grow(struct memsites *ms)
{
	size_t i;

	if (ms->nsites * 2 < ms->site_ix_n)
		return;
	free(ms->site_ix);
	ms->site_ix_n *= 2;
	ms->site_ix = xcalloc(ms->site_ix_n, sizeof *ms->site_ix);
	for (i = 0; i < ms->nsites; i++) {
		const struct memsite *s = &ms->sites[i];

		*site_slot(ms, site_hash(s->pkg_id, ms->arena + s->pcs_off,
		    s->depth), s->pkg_id, ms->arena + s->pcs_off, s->depth) =
		    (uint32_t)i + 1;
	}
}

static uint32_t
site_intern(struct memsites *ms, int32_t pkg_id, const uint64_t *pcs,
    unsigned depth)
{
	uint32_t *slot = site_slot(ms, site_hash(pkg_id, pcs, depth), pkg_id,
	    pcs, depth);
	struct memsite *s;

	if (*slot != 0)
		return *slot - 1;
	if (ms->nsites == MEMSITE_MAX)
		return MEMSITE_NONE;
	if (ms->nsites == ms->sites_cap) {
		ms->sites_cap = HL_MAX(ms->sites_cap * 2, 256);
		ms->sites = xrealloc(ms->sites, ms->sites_cap *
		    sizeof *ms->sites);
	}
	if (ms->arena_used + depth > ms->arena_cap) {
		ms->arena_cap = HL_MAX(ms->arena_cap * 2, ms->arena_used +
		    depth + 4096);
		ms->arena = xrealloc(ms->arena, ms->arena_cap *
		    sizeof *ms->arena);
	}
	s = &ms->sites[ms->nsites];
	memset(s, 0, sizeof *s);
	s->pkg_id = pkg_id;
	s->depth = (uint16_t)depth;
	s->pcs_off = ms->arena_used;
	if (depth > 0)
		memcpy(ms->arena + ms->arena_used, pcs, depth * sizeof *pcs);
	ms->arena_used += depth;
	*slot = (uint32_t)++ms->nsites;
	site_ix_grow(ms);
	return (uint32_t)ms->nsites - 1;
}

static size_t
live_home(const struct memsites *ms, uint32_t slot, uint64_t addr)
{
	return mix64(addr ^ ((uint64_t)slot << 48)) & (ms->live_n - 1);
}

static struct memlive *
live_find(struct memsites *ms, uint32_t slot, uint64_t addr)
{
	size_t i = live_home(ms, slot, addr);

	for (;; i = (i + 1) & (ms->live_n - 1)) {
		struct memlive *l = &ms->live[i];

		if (l->site == MEMSITE_NONE ||
		    (l->addr == addr && l->slot == slot))
			return l;
	}
}

/* Backward-shift deletion: no tombstones, lookups stay short. */
static void
live_delete(struct memsites *ms, struct memlive *l)
{
	size_t mask = ms->live_n - 1, i = (size_t)(l - ms->live), j = i, h;

	for (;;) {
		j = (j + 1) & mask;
		if (ms->live[j].site == MEMSITE_NONE)
			break;
		h = live_home(ms, ms->live[j].slot, ms->live[j].addr);
		/* Move j back to i unless its home lies in (i, j]. */
		if ((j > i && (h <= i || h > j)) ||
		    (j < i && h <= i && h > j)) {
			ms->live[i] = ms->live[j];
			i = j;
		}
	}
	ms->live[i].site = MEMSITE_NONE;
	ms->live_count--;
}

static void
live_grow(struct memsites *ms)
{
	struct memlive *old = ms->live;
	size_t n = ms->live_n, i;

	if (ms->live_count * 2 < ms->live_n || ms->live_n * 2 >
	    MEMSITE_MAX_LIVE * 2)
		return;
	ms->live_n *= 2;
	ms->live = xcalloc(ms->live_n, sizeof *ms->live);
	for (i = 0; i < ms->live_n; i++)
		ms->live[i].site = MEMSITE_NONE;
	for (i = 0; i < n; i++)
		if (old[i].site != MEMSITE_NONE)
			*live_find(ms, old[i].slot, old[i].addr) = old[i];
	free(old);
}

static void
site_release(struct memsites *ms, const struct memlive *l, int freed)
{
	struct memsite *s = &ms->sites[l->site];

	s->live -= HL_MIN(s->live, l->weight);
	ms->slot_live[l->slot] -= HL_MIN(ms->slot_live[l->slot], l->weight);
	if (freed) {
		s->frees++;
		s->free_bytes += l->weight;
	}
}

uint32_t
memsites_alloc(struct memsites *ms, uint32_t slot, int32_t pkg_id,
    const uint64_t *pcs, unsigned depth, uint64_t addr, uint64_t weight,
    int tracked)
{
	uint32_t id = site_intern(ms, pkg_id, pcs, depth);
	struct memlive *l;
	struct memsite *s;

	if (slot >= ms->nslots)
		slot = ms->nslots;
	ms->slot_alloc[slot] += weight;
	if (id == MEMSITE_NONE) {
		ms->overflow++;
		return id;
	}
	s = &ms->sites[id];
	s->allocs++;
	s->alloc_bytes += weight;
	if (!tracked)
		return id;
	if (ms->live_count >= MEMSITE_MAX_LIVE) {
		ms->live_full++;
		return id;
	}
	l = live_find(ms, slot, addr);
	if (l->site != MEMSITE_NONE) {
		/* Its free was lost (a full ring): forget the old block. */
		ms->replaced++;
		site_release(ms, l, 0);
		ms->live_count--;
	}
	*l = (struct memlive){ addr, weight, id, slot };
	ms->live_count++;
	s->live += weight;
	s->peak = HL_MAX(s->peak, s->live);
	ms->slot_live[slot] += weight;
	live_grow(ms);
	return id;
}

uint32_t
memsites_free_block(struct memsites *ms, uint32_t slot, uint64_t addr)
{
	struct memlive *l;
	uint32_t id;

	if (slot >= ms->nslots)
		slot = ms->nslots;
	l = live_find(ms, slot, addr);
	if (l->site == MEMSITE_NONE) {
		ms->unmatched++;
		return MEMSITE_NONE;
	}
	id = l->site;
	site_release(ms, l, 1);
	live_delete(ms, l);
	return id;
}

void
memsites_slot_gone(struct memsites *ms, uint32_t slot)
{
	size_t i = 0;

	/* Deletion shifts entries back into i: look at i again then. */
	while (i < ms->live_n) {
		struct memlive *l = &ms->live[i];

		if (l->site != MEMSITE_NONE && l->slot == slot) {
			ms->sites[l->site].exited += l->weight;
			site_release(ms, l, 0);
			live_delete(ms, l);
			continue;
		}
		i++;
	}
	if (slot <= ms->nslots)
		ms->slot_live[slot] = 0;
}

void
memsnap_take(struct memsnap *snap, const struct memsites *ms)
{
	snap->nsites = ms->nsites;
	snap->arena_used = ms->arena_used;
	snap->sites = xcalloc(ms->nsites + 1, sizeof *snap->sites);
	snap->arena = xcalloc(ms->arena_used + 1, sizeof *snap->arena);
	if (ms->nsites > 0)
		memcpy(snap->sites, ms->sites, ms->nsites * sizeof *ms->sites);
	if (ms->arena_used > 0)
		memcpy(snap->arena, ms->arena, ms->arena_used *
		    sizeof *ms->arena);
}

void
memsnap_free(struct memsnap *snap)
{
	free(snap->sites);
	free(snap->arena);
	memset(snap, 0, sizeof *snap);
}
