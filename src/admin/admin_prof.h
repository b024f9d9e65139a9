/* The profiler's admin routes (status, start, stop, profile, and pprof's
 * /debug/pprof/profile, heap, allocs). */
#ifndef HL_ADMIN_PROF_H
#define HL_ADMIN_PROF_H

#include <stddef.h>

#include "admin/admin.h"

struct evbuffer;

extern const struct admin_route	admin_prof_routes[];
/* Its /metrics family: requests refused. */
void	 admin_prof_metrics(struct evbuffer *out);
extern const size_t		admin_prof_nroutes;

#endif
