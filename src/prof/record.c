/*
 * Record formats of the profiler's rings: sizes, header filling and the
 * reader's validation (layouts and compatibility rules in record.h).
 */
#include "autoconf.h"

#include "prof/record.h"

_Static_assert(sizeof(struct sample_hdr) == 16, "sample header");
_Static_assert(sizeof(struct sample_cpu) == 32, "cpu sample");
_Static_assert(sizeof(struct sample_alloc) == 48, "alloc sample");
_Static_assert(sizeof(struct sample_free) == 40, "free sample");
_Static_assert(sizeof(struct sample_copy) == 40, "copy sample");
_Static_assert(sizeof(struct sample_objects) == 32, "objects marker");

/* What this reader knows of each type. */
static const struct {
	const char *name;
	size_t fixed;
} sample_types[] = {
	[SAMPLE_CPU] = { "cpu", sizeof(struct sample_cpu) },
	[SAMPLE_ALLOC] = { "alloc", sizeof(struct sample_alloc) },
	[SAMPLE_FREE] = { "free", sizeof(struct sample_free) },
	[SAMPLE_COPY] = { "copy", sizeof(struct sample_copy) },
	[SAMPLE_OBJECTS] = { "objects", sizeof(struct sample_objects) },
};

#define SAMPLE_NTYPES (sizeof(sample_types) / sizeof(sample_types[0]))

/* The fixed size this reader knows for type, or 0 when it does not. */
static size_t
sample_known_fixed(unsigned type)
{
	return type < SAMPLE_NTYPES ? sample_types[type].fixed : 0;
}

size_t
sample_bytes(unsigned type, unsigned depth)
{
	size_t fixed = sample_known_fixed(type);

	if (fixed == 0 || depth > SAMPLE_DEPTH_MAX)
		return 0;
	return fixed + (size_t)depth * sizeof(uint64_t);
}

void
sample_hdr_init(
    struct sample_hdr *hdr, unsigned type, unsigned depth, uint64_t ts_ns)
{
	hdr->type = (uint16_t)type;
	hdr->version = SAMPLE_VERSION;
	hdr->flags = 0;
	hdr->fixed = (uint16_t)sample_known_fixed(type);
	hdr->depth = (uint16_t)depth;
	hdr->ts_ns = ts_ns;
}

int
sample_check(const void *rec, size_t len)
{
	const struct sample_hdr *hdr = rec;
	size_t known;

	if (len < sizeof(*hdr) || hdr->type == SAMPLE_NONE)
		return -1;
	if (hdr->fixed < sizeof(*hdr) || hdr->fixed % sizeof(uint64_t) != 0)
		return -1;
	if ((size_t)hdr->fixed + (size_t)hdr->depth * sizeof(uint64_t) > len)
		return -1;
	known = sample_known_fixed(hdr->type);
	if (known != 0 && hdr->fixed < known)
		return -1;
	return hdr->type;
}

const uint64_t *
sample_pcs(const struct sample_hdr *hdr)
{
	return (const uint64_t *)(const void *)((const char *)hdr + hdr->fixed);
}

const char *
sample_type_name(unsigned type)
{
	if (sample_known_fixed(type) == 0)
		return "unknown";
	return sample_types[type].name;
}
