/*
 * The profiler's two sides. Workers (prof_worker.c) run the sampler into
 * their slot's CPU ring and follow the master's on/off switch. The master
 * (prof_master.c) drains every ring at least every PROF_DRAIN_MS, keeps the
 * current window's stacks, and every profiling_interval_seconds hands the
 * window to the reporter thread.
 */
#ifndef HL_PROF_H
#define HL_PROF_H

#include <stddef.h>

struct config;
struct event_base;
struct report_store;
struct shm;
struct shm_slot;
typedef struct json_t json_t;

#define PROF_DRAIN_MS		50
#define PROF_DRAIN_FAST_MS	5	/* again this soon when a ring fills */
#define PROF_CPU_RING_BYTES	(256 * 1024)
/* Memory records: ~200 bytes each at depth 20; 1 MiB drained every 50 ms
 * carries ~100,000 a second (50 GB/s of allocation at the 512 KiB default,
 * 400 MB/s at a 4 KiB test mean). Untouched pages cost nothing. */
#define PROF_EVENT_RING_BYTES	(1024 * 1024)
#define PROF_MAX_STACKS		100000	/* distinct stacks per window */
#define PROF_PROFILE_MAX_S	300	/* GET /api/profiling/profile bound */
#define PROF_MAX_CAPTURES	4	/* on-demand profiles at once */
#define PROF_FINAL_BUDGET_MS	2000	/* fast stop (TERM, INT) */
#define PROF_FINAL_QUIT_MS	30000	/* graceful stop (QUIT) */

/* Ring regions per slot, for shm_create (ring header included). */
size_t	 prof_cpu_ring_bytes(void);
size_t	 prof_event_ring_bytes(void);

/* What the master side works with, passed in by the master (which stays
 * the top: the profiler never reaches for it). The pointers must stay
 * valid until prof_master_stop; cf is read afresh after a reload. */
struct prof_host {
	const struct config	*cf;
	struct shm		*shm;
	struct event_base	*base;
	struct report_store	*reports;	/* profiling_output_dir */
	const struct shm_slot	*retired;	/* reaped workers' sums */
};

/* Master: format every slot's rings, start the reporter and the timers;
 * host is copied. Returns 0, or -1 with a reason in err. */
int	 prof_master_start(const struct prof_host *host, char *err,
	    size_t errsize);
/* Master: a reload may change the switch, interval, filters. */
void	 prof_master_reload(void);
/* How a reaped worker ended: its wait status and the CPU the kernel
 * accounted for its whole life (wait4's rusage). */
struct prof_exit {
	int		 status;
	double		 utime_s;
	double		 stime_s;
};

/* Master: a worker was reaped; take what it left (its figures stay in
 * the window's and the run's workers with ex), then reset its rings. */
void	 prof_master_reaped(int slot, const struct prof_exit *ex);
/* Master, at stop: drain, write the final report (within a budget: the
 * longer one when graceful, SIGQUIT). */
void	 prof_master_stop(int graceful);
/* Switch sampling on or off at run time (POST start/stop). */
void	 prof_master_switch(int on);
/* GET /api/profiling/status. */
json_t	*prof_master_status(void);
/* How an on-demand profile is answered, once, on the master's loop:
 * status 200 with the body (len bytes; a pprof body is binary) and its
 * content type, or an error status with a message in body (type NULL).
 * body is valid only during the call. */
typedef void	 prof_answer_cb(void *arg, int status, const char *type,
		    const char *body, size_t len);

/* What an on-demand request answers with (format=...). */
enum prof_format {
	PROF_FORMAT_JSON,
	PROF_FORMAT_FOLDED,
	PROF_FORMAT_PPROF,	/* gzip'ed profile.proto */
	PROF_FORMAT_HTML,
};

/* What it profiles: the next seconds of CPU, or the memory profiler's
 * sites now (pprof only: /debug/pprof/heap and /allocs). */
enum prof_what {
	PROF_WHAT_CPU,
	PROF_WHAT_HEAP,		/* sampled bytes in use */
	PROF_WHAT_ALLOCS,	/* sampled allocations since the start */
};

/* What an on-demand profile asks for (the report options of the seed's
 * flags, as query parameters, parsed by admin/admin_prof.c); strings are
 * copied. */
struct prof_request {
	int		 seconds;	/* CPU only */
	enum prof_format format;
	enum prof_what	 what;
	const char	*name;		/* also kept as this report set */
	int		 reduced;	/* reduced=1 */
	int		 threshold_pct;	/* cpu_percent_threshold */
	const char	*only;		/* profile_only */
	const char	*exclude;	/* profile_exclude */
	prof_answer_cb	*answer;
	void		*arg;		/* the requester's; also its key */
};

/* Capture pr->seconds of samples and answer through pr->answer later (or
 * now, with 503, when PROF_MAX_CAPTURES are running). Heap and allocs take
 * no time: the sites as they are now go to the reporter at once. */
void	 prof_master_profile(const struct prof_request *pr);
/* The requester arg went away: its answer is dropped, not called. */
void	 prof_master_forget(void *arg);
/* utime and stime of pid in seconds, from /proc/<pid>/stat; -1 when
 * unknown. */
int	 prof_proc_cpu(int pid, double *ut, double *st);
/* For /metrics. */
void	 prof_master_totals(unsigned long long *samples,
	    unsigned long long *dropped, double *overhead,
	    unsigned long long *written);

/* For /metrics: window profiles pushed to profiling_push_url, given up
 * after the retries, dropped on a full queue. */
void	 prof_master_push_totals(uint64_t *ok, uint64_t *failed,
	    uint64_t *dropped);

/* Worker, right after fork and before dropping privileges: open the perf
 * event the sampler prefers (profiling_timer). */
void	 prof_worker_preinit(const struct config *cf);
/* Worker: set up the sampler on its slot's ring (not armed). */
int	 prof_worker_init(const struct config *cf, struct shm *shm, int slot);
/* Worker tick: follow the master's switch, publish sampler counters. */
void	 prof_worker_tick(void);
void	 prof_worker_free(void);

#endif
