/*
 * The master's memory side of the profiler: it drains the workers' event
 * rings (sampled allocations, frees of sampled blocks, copies) into the
 * window's memory table and the run's sites (memsite.h), and samples the
 * window's timeline (timeline.h): per worker CPU, RSS and sampled heap,
 * and the largest sites' bytes in use. Runs on the master's loop.
 */
#ifndef HL_MEMAGG_H
#define HL_MEMAGG_H

#include <stdint.h>

struct prof_host;
struct report_job;
struct stacktab;

/* Start: sites for nslots, the timeline interval from the window. */
void	 memagg_start(struct prof_host *h);
void	 memagg_stop(void);
/* Drain slot's event ring into tabs[0] (the window) and the rest (on-demand
 * captures). */
void	 memagg_drain_slot(struct prof_host *h, uint32_t slot,
	    struct stacktab *const *tabs, int ntabs);
/* Add a timeline point when one is due. */
void	 memagg_tick(struct prof_host *h, double now);
/* Any memory record drained in this run. */
int	 memagg_has_data(void);
/* Records the window has: memory events, or timeline points. */
uint64_t memagg_window_events(void);
/* Move the window's memory table and timeline into job, with a snapshot of
 * the sites; a new window starts. */
void	 memagg_close_window(struct prof_host *h, struct report_job *job);
/* A snapshot of the sites for an on-demand job. */
void	 memagg_snapshot(struct report_job *job);
/* Per slot: sampled heap in use, sampled bytes allocated ever. */
uint64_t memagg_slot_heap(uint32_t slot);
uint64_t memagg_slot_alloc(uint32_t slot);
/* Resident set of pid in bytes (0 when unknown). */
uint64_t memagg_rss(int pid);
/* A worker was reaped: drain first, then this. */
void	 memagg_slot_gone(uint32_t slot);
/* Totals for /metrics and the status. */
struct memagg_totals {
	uint64_t	 allocs;	/* alloc records drained */
	uint64_t	 frees;
	uint64_t	 copies;
	uint64_t	 unmatched;	/* frees of unknown blocks */
	uint64_t	 sites;
	uint64_t	 live_blocks;
};
void	 memagg_get_totals(struct memagg_totals *t);

#endif
