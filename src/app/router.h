/*
 * Handlers by pkg_id. Registration happens in the master before fork
 * (built-ins and modules' load()); router_seal() then sorts the table and
 * refuses later registrations, so every worker shares one read-only table.
 * Dispatch runs a scanned request through role and schema checks to its
 * handler and makes sure it is answered exactly once.
 */
#ifndef HL_ROUTER_H
#define HL_ROUTER_H

#include <hotline/module.h>
#include <stddef.h>
#include <stdint.h>

struct schema;
struct hl_request;

struct route {
	int32_t			 pkg_id;
	char			*name;
	struct schema		*schema;	/* NULL: no check */
	char			**roles;	/* NULL-ended; NULL: anyone */
	hl_handler_fn		*fn;
	void			*arg;
	unsigned		 flags;
	int			 index;		/* latency slot, or -1 */
};

/* Sort and freeze the table; later hl_register() calls fail. */
void			 router_seal(void);
const struct route	*router_find(int32_t pkg_id);
size_t			 router_count(void);
const struct route	*router_at(size_t i);
/* Free every route (at exit, and between unit tests). */
void			 router_reset(void);

/* Route req (scanned, identity set) to its handler. Every outcome ends in
 * exactly one reply through req's reply operations, or a deferral. */
void			 router_dispatch(struct hl_request *req);

#endif
