/* Broadcast on the admin port: POST /api/broadcast, and its metrics. */
#ifndef HL_ADMIN_BCAST_H
#define HL_ADMIN_BCAST_H

#include <stddef.h>

#include "admin/admin.h"

struct evbuffer;
struct prom_slots;

extern const struct admin_route	admin_bcast_routes[];
extern const size_t		admin_bcast_nroutes;

/* The broadcast families of /metrics, summed over the instance. */
void	 admin_bcast_metrics(struct evbuffer *out,
	    const struct prom_slots *ps);

#endif
