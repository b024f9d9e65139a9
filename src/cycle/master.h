/*
 * The master process (nginx's master cycle): owns the configuration, the
 * listening sockets, the shared-memory scoreboard and the admin port;
 * forks and supervises workers; never serves WebSocket traffic and never
 * blocks on a worker.
 */
#ifndef HL_MASTER_H
#define HL_MASTER_H

#include <sys/types.h>

#include "core/config.h"
#include "cycle/listener.h"
#include "report/report_store.h"
#include "core/shm.h"
#include "cycle/supervisor.h"
#include "cycle/watchdog.h"

struct admin;
struct event;
struct event_base;
struct rusage;

enum master_stop {
	MASTER_RUNNING,
	MASTER_STOP_GRACEFUL,	/* SIGQUIT */
	MASTER_STOP_FAST,	/* SIGTERM, SIGINT */
};

struct master_options {
	const char			*conf_path;
	int				 conf_required;
	const struct config_override	*overrides;
	size_t				 noverrides;
	int				 daemonize;
};

struct master {
	struct master_options	 opt;
	struct config		 cf;
	struct event_base	*base;
	struct shm		 shm;
	struct listener		 listener;
	struct admin		*admin;
	struct report_store	 reports;	/* profiling_output_dir */
	struct supervisor	 sup;
	struct watchdog		 watchdog;
	struct event		*sig_event;
	struct event		*tick_event;
	int			 sigfd;
	enum master_stop	 stop;
	uid_t			 worker_uid;	/* (uid_t)-1: keep */
	gid_t			 worker_gid;
	uint64_t		 started_ms;	/* epoch milliseconds */
	uint64_t		 reloads;
	/* Counters, refusals and histograms of reaped workers, so summed
	 * totals never go backwards. */
	struct shm_slot		 retired;
};

/* Run the master until it stops; cf is taken over. Returns the exit code. */
int	 master_run(const struct master_options *opt, struct config *cf);
/* Start the admin port on m->cf.admin_listen (master_admin.c). */
int	 master_admin_start(struct master *m, char *err, size_t errsize);
/* The supervisor reaped slot's worker (before its counters retire): its
 * wait status and the resources wait4 reported for it. */
void	 master_worker_reaped(struct master *m, int slot, int status,
	    const struct rusage *ru);

#endif
