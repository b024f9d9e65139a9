/*
 * The current worker's counters: a pointer to its scoreboard slot, set once
 * after fork. NULL in the master and in unit tests, where counting is a
 * no-op. Single writer (the worker's loop), so updates are plain stores.
 */
#ifndef HL_STATS_H
#define HL_STATS_H

#include <stddef.h>

#include "core/shm.h"

extern struct shm_slot	*stats_slot;

#define STATS_ADD(field, n) do {					\
	if (stats_slot != NULL)						\
		shm_add(&stats_slot->counters.field, (n));		\
} while (0)
#define STATS_SUB(field, n) do {					\
	if (stats_slot != NULL)						\
		shm_sub(&stats_slot->counters.field, (n));		\
} while (0)

/* The same for the words of struct shm_limits; STATS_LIMIT_SET for its
 * gauges set outright. */
#define STATS_LIMIT_ADD(field, n) do {					\
	if (stats_slot != NULL)						\
		shm_add(&stats_slot->limits.field, (n));		\
} while (0)
#define STATS_LIMIT_SUB(field, n) do {					\
	if (stats_slot != NULL)						\
		shm_sub(&stats_slot->limits.field, (n));		\
} while (0)
#define STATS_LIMIT_SET(field, v) do {					\
	if (stats_slot != NULL)						\
		shm_write(&stats_slot->limits.field, (v));		\
} while (0)

/* The worker enters (pkg_id, since: monotonic ms) or leaves a handler; the
 * master's watchdog names it when the heartbeat stops. */
static inline void
stats_busy(int32_t pkg_id, uint64_t since_ms)
{
	if (stats_slot == NULL)
		return;
	__atomic_store_n(&stats_slot->busy_pkg_id, pkg_id, __ATOMIC_RELAXED);
	__atomic_store_n(&stats_slot->busy_since, since_ms, __ATOMIC_RELEASE);
}

static inline void
stats_idle(void)
{
	if (stats_slot != NULL)
		__atomic_store_n(&stats_slot->busy_since, 0, __ATOMIC_RELEASE);
}

/* Count one handshake refusal by reason. */
void	 stats_refusal(unsigned reason);
/* Record one handled request's latency in its route's histogram. */
void	 stats_latency(int route_index, uint64_t ns);

#endif
