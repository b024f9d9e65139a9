/*
 * The CPU sampler of one worker: a POSIX timer raising SIGPROF on the
 * worker's CPU clock (or the monotonic clock for wall time), at randomized
 * intervals around a mean, and a handler that unwinds the interrupted stack
 * and writes one record to the worker's CPU ring. The handler is the one
 * real asynchronous signal handler in hotline and lives alone in sampler.c.
 */
#ifndef HL_SAMPLER_H
#define HL_SAMPLER_H

#include <signal.h>
#include <stdint.h>

struct ring;

struct sampler_config {
	int		 wall;		/* CLOCK_MONOTONIC, not CPU time */
	uint64_t	 mean_ns;	/* mean interval */
	unsigned	 depth;		/* stack frames per sample */
};

/* What drives the samples. A POSIX CPU-clock timer is checked only at the
 * scheduler tick, so its samples land on ticks; when the CPU is contended
 * the worker is preempted at its system calls and resumes just after a
 * tick, and the samples lock onto request boundaries (a 3:1 split read as
 * 2:1). perf's task clock is an hrtimer that runs only while the thread
 * does: exact CPU-time offsets, no tick. It is preferred; the POSIX timer
 * is the fallback where perf_event_open is refused (seccomp, paranoid 3)
 * and drives the wall clock. */
enum sampler_timer {
	SAMPLER_TIMER_NONE = 0,
	SAMPLER_TIMER_POSIX = 1,
	SAMPLER_TIMER_PERF = 2,
};

/* The shortest interval the kernel honours for POSIX CPU-clock timers (one
 * tick at HZ=250); shorter means are raised to it. perf takes 1 ms. */
#define SAMPLER_MIN_INTERVAL_NS	4000000ULL
#define SAMPLER_PERF_MIN_NS	1000000ULL

/* Worker, right after fork, before dropping privileges (the kernel checks
 * them when the event is opened): open the thread's perf task-clock event
 * for sampler_init() to use. Returns 0, or -1 with errno (the POSIX timer
 * is used then). */
int	 sampler_open_perf(void);
/* The timer in use (enum sampler_timer), after sampler_init(); and 1 when
 * perf counts user time only (perf_event_paranoid 2 without privileges:
 * overflows in the kernel are skipped, their time goes to the next user
 * sample). */
int	 sampler_timer(void);
int	 sampler_perf_user_only(void);

/* Worker, after fork: remember the ring, install the handler, do one full
 * unwind (so libunwind's lazy setup happens here, not in the handler), and
 * set up the timer (perf when sampler_open_perf() succeeded and the clock
 * is CPU time, else a POSIX timer), not yet armed. Returns 0, or -1 with
 * errno. */
int	 sampler_init(struct ring *cpu_ring, const struct sampler_config *cf);
/* Arm or disarm the timer (profiling on/off at run time). */
int	 sampler_start(void);
int	 sampler_stop(void);
/* Delete the timer; the handler stays (a late signal is ignored). */
void	 sampler_free(void);

/* The handler currently running, for per-handler attribution; set by the
 * router around handler calls. Read by the signal handler. */
extern volatile sig_atomic_t	sampler_pkg_id;
extern volatile sig_atomic_t	sampler_in_handler;

/* Time spent in the signal handler so far (ns) and samples taken/dropped,
 * kept by the handler itself: the measured overhead of sampling. */
struct sampler_stats {
	uint64_t	 samples;
	uint64_t	 dropped;
	uint64_t	 handler_ns;
	uint64_t	 delivery_ns;	/* one signal's kernel round trip,
					 * calibrated once (the part of a
					 * sample's cost outside the handler) */
};
void	 sampler_get_stats(struct sampler_stats *st);

#endif
