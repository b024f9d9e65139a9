/*
 * The current worker's counters: a pointer to its scoreboard slot, set once
 * after fork. NULL in the master and in unit tests, where counting is a
 * no-op. Single writer (the worker's loop), so updates are plain stores.
 */
#ifndef HL_STATS_H
#define HL_STATS_H

#include <stddef.h>

#include "shm.h"

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

/* Count one handshake refusal by reason. */
void	 stats_refusal(unsigned reason);
/* Record one handled request's latency in its route's histogram. */
void	 stats_latency(int route_index, uint64_t ns);

#endif
