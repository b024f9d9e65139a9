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
	int		 wall;		/* CLOCK_MONOTONIC instead of CPU time */
	uint64_t	 mean_ns;	/* mean interval (already clamped) */
	unsigned	 depth;		/* stack frames per sample */
};

/* The shortest interval the kernel honours for CPU-clock timers (one tick
 * at HZ=250); shorter means are raised to it. */
#define SAMPLER_MIN_INTERVAL_NS	4000000ULL

/* Worker, after fork: remember the ring, install the handler, do one full
 * unwind (so libunwind's lazy setup happens here, not in the handler), and
 * create the timer, not yet armed. Returns 0, or -1 with errno. */
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
};
void	 sampler_get_stats(struct sampler_stats *st);

#endif
