/* The profiler's admin routes (status, start, stop, profile, and pprof's
 * /debug/pprof/profile, heap, allocs). */
#ifndef HL_ADMIN_PROF_H
#define HL_ADMIN_PROF_H

#include <stddef.h>

#include "admin/admin.h"

struct evbuffer;
struct evhttp_request;

extern const struct admin_route	admin_prof_routes[];
/* A profiling route that takes no query parameters: 0, or -1 when the
 * request had some and was answered with a 400 naming them (counted). */
int	 admin_prof_bare(struct evhttp_request *req);
/* Its /metrics family: requests refused. */
void	 admin_prof_metrics(struct evbuffer *out);
extern const size_t		admin_prof_nroutes;

#endif
