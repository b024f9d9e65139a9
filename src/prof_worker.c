/*
 * The worker's side of the profiler: the sampler writes into this slot's
 * CPU ring; the worker's tick follows the master's switch (so POST
 * /api/profiling/start|stop works without a restart) and publishes the
 * sampler's counters to the scoreboard.
 */
#include "autoconf.h"

#include "master.h"
#include "prof.h"
#include "ring.h"
#include "sampler.h"
#include "util.h"

static struct {
	struct shm_slot		*slot;
	const struct shm_header	*hdr;
	int			 ready;
	int			 running;
} pw;

int
prof_worker_init(struct master *m, int slot)
{
	const struct config *cf = &m->cf;
	struct sampler_config sc = {
		.wall = cf->profiling_clock == 1,
		.mean_ns = (uint64_t)cf->profiling_sample_interval_ms * 1000000,
		.depth = (unsigned)cf->profiling_stack_depth,
	};
	struct ring *r;

	pw.slot = shm_slot(&m->shm, (uint32_t)slot);
	pw.hdr = m->shm.hdr;
	if (cf->profiling_memory_only)
		return 0;
	if ((r = ring_attach(shm_cpu_ring(&m->shm, (uint32_t)slot))) == NULL ||
	    sampler_init(r, &sc) == -1)
		return -1;
	pw.ready = 1;
	prof_worker_tick();
	return 0;
}

void
prof_worker_tick(void)
{
	struct sampler_stats st;
	int on;

	if (!pw.ready)
		return;
	on = (int)__atomic_load_n(&pw.hdr->profiling_on, __ATOMIC_ACQUIRE);
	if (on && !pw.running && sampler_start() == 0)
		pw.running = 1;
	else if (!on && pw.running && sampler_stop() == 0)
		pw.running = 0;
	sampler_get_stats(&st);
	shm_write(&pw.slot->counters.prof_samples, st.samples);
	shm_write(&pw.slot->counters.prof_handler_ns, st.handler_ns);
	shm_write(&pw.slot->counters.prof_running, (uint64_t)pw.running);
}

void
prof_worker_free(void)
{
	if (pw.ready)
		sampler_free();
	pw.ready = pw.running = 0;
}
