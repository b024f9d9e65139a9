/*
 * A window as pprof's profile.proto, gzip'ed, as Go's net/http/pprof
 * serves it (docs/pprof.md): the CPU table, or the memory sites for the
 * heap in use and the allocations since the start. Runs in the reporter
 * thread with its symbolizer, so its frames are the JSON report's.
 */
#ifndef HL_REPORT_PPROF_H
#define HL_REPORT_PPROF_H

#include <stddef.h>

struct report_input;
struct symbolizer;

enum pprof_kind {
	PPROF_CPU,	/* in->tab: samples/count, cpu (or wall)/nanoseconds */
	PPROF_HEAP,	/* in->snap: inuse_objects/count, inuse_space/bytes */
	PPROF_ALLOCS,	/* in->snap: alloc_objects/count, alloc_space/bytes */
	PPROF_WINDOW_ALLOCS, /* the same of the window only, from in->mem */
};

/* The gzip'ed profile (malloc'd, *len bytes), or NULL when zlib fails. */
unsigned char *report_pprof(struct symbolizer *sym,
	    const struct report_input *in, enum pprof_kind kind, size_t *len);

#endif
