/*
 * What the admin port sees of the master: a struct admin_host whose calls
 * read the supervisor and the watchdog, so admin/ never includes the
 * master (it sits below cycle/, as the profiler does).
 */
#include "autoconf.h"

#include <stdio.h>

#include "admin/admin.h"
#include "admin/admin_api.h"
#include "admin/admin_bcast.h"
#include "admin/admin_prof.h"
#include "cycle/master.h"

static void
master_admin_cycle(void *arg, struct admin_cycle *out)
{
	const struct master *m = arg;

	out->epoch = m->sup.epoch;
	out->restarts = m->sup.restarts;
	out->reloads = m->reloads;
	out->live = supervisor_live(&m->sup);
}

static int
master_admin_stuck(void *arg, uint32_t slot, uint64_t now_ms)
{
	return watchdog_stuck(arg, slot, now_ms);
}

static json_t *
master_admin_stuck_json(void *arg)
{
	return watchdog_stuck_json(arg);
}

static void
master_admin_metrics(void *arg, struct evbuffer *out)
{
	watchdog_metrics(out, arg);
}

int
master_admin_start(struct master *m, char *err, size_t errsize)
{
	struct admin_host h = {
		.cf = &m->cf,
		.base = m->base,
		.shm = &m->shm,
		.retired = &m->retired,
		.reports = &m->reports,
		.arg = m,
		.cycle = master_admin_cycle,
		.stuck = master_admin_stuck,
		.stuck_json = master_admin_stuck_json,
		.metrics = master_admin_metrics,
	};

	m->admin = admin_start(&h, m->cf.admin_listen, admin_api_routes,
	    admin_api_nroutes, err, errsize);
	if (m->admin == NULL)
		return -1;
	admin_add_routes(m->admin, admin_prof_routes, admin_prof_nroutes);
	admin_add_routes(m->admin, admin_bcast_routes, admin_bcast_nroutes);
	return 0;
}
