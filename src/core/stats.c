/* Worker counters in the scoreboard. */
#include "autoconf.h"

#include "core/stats.h"

struct shm_slot	*stats_slot;

/* Upper bounds of the latency buckets, in nanoseconds (Prometheus' default
 * buckets, .005 s to 5 s). */
static const uint64_t bucket_ns[SHM_HIST_BUCKETS] = {
	5000000, 10000000, 25000000, 50000000, 100000000,
	250000000, 500000000, 1000000000, 2500000000ULL, 5000000000ULL,
};

void
stats_refusal(unsigned reason)
{
	if (stats_slot != NULL && reason < SHM_MAX_REFUSALS)
		shm_add(&stats_slot->refusals[reason], 1);
}

void
stats_latency(int route_index, uint64_t ns)
{
	struct shm_hist *h;
	int i;

	if (stats_slot == NULL || route_index < 0 ||
	    route_index >= SHM_MAX_ROUTES)
		return;
	h = &stats_slot->hist[route_index];
	for (i = 0; i < SHM_HIST_BUCKETS && ns > bucket_ns[i]; i++)
		;
	if (i < SHM_HIST_BUCKETS)
		shm_add(&h->buckets[i], 1);
	shm_add(&h->count, 1);
	shm_add(&h->sum_ns, ns);
}
