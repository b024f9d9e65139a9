/* The profiler's admin routes (status, start, stop, profile). */
#ifndef HL_ADMIN_PROF_H
#define HL_ADMIN_PROF_H

#include <stddef.h>

#include "admin/admin.h"

extern const struct admin_route	admin_prof_routes[];
extern const size_t		admin_prof_nroutes;

#endif
