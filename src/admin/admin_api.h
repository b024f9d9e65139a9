/* The admin endpoints: the route table and the scoreboard views. */
#ifndef HL_ADMIN_API_H
#define HL_ADMIN_API_H

#include <stddef.h>

#include "admin/admin.h"

extern const struct admin_route	admin_api_routes[];
extern const size_t		admin_api_nroutes;

/* The scoreboard as JSON, as GET /api/workers returns it. */
json_t	*admin_api_workers(struct admin_host *h);
/* /health's body (a new reference) and its status code, 200 or 503. */
json_t	*admin_api_health(const struct admin_host *h, int *code);

#endif
