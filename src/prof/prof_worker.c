/*
 * The worker's side of the profiler: the sampler writes into this slot's
 * CPU ring, the memory hooks (memprof.c) into its event ring; the worker's
 * tick follows the master's switches (so POST /api/profiling/start|stop
 * works without a restart) and publishes both sides' counters to the
 * scoreboard.
 */
#include "autoconf.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"
#include "core/config.h"
#include "core/shm.h"
#include "prof/memprof.h"
#include "prof/prof.h"
#include "prof/ring.h"
#include "prof/sampler.h"
#include "core/util.h"

_Static_assert(MEMPROF_ALLOC == SHM_MEMORY_ALLOC &&
    MEMPROF_COPY == SHM_MEMORY_COPY, "memory switch bits differ");

static struct {
	struct shm_slot		*slot;
	const struct shm_header	*hdr;
	int			 ready;		/* CPU sampler set up */
	int			 running;
	int			 mem_ready;	/* memory hooks set up */
	uint32_t		 mem_on;	/* SHM_MEMORY_* in force */
} pw;

/* The memory hooks sample on this (the event-loop) thread only. */
static int
prof_worker_memory_init(const struct config *cf, struct shm *shm, int slot)
{
	struct memprof_config mc = {
		.mean_bytes = cf->profiling_memory_sample_bytes,
		.depth = (unsigned)cf->profiling_stack_depth,
	};

	if ((mc.ring = ring_attach(shm_event_ring(shm,
	    (uint32_t)slot))) == NULL || memprof_init(&mc) == -1)
		return -1;
	pw.mem_ready = 1;
	return 0;
}

static struct {
	int		 tried;
	int		 err;		/* errno of a refused perf_event_open */
} pre;

void
prof_worker_preinit(const struct config *cf)
{
	if (cf->profiling_memory_only || cf->profiling_clock == 1 ||
	    cf->profiling_timer == 2)
		return;
	pre.tried = 1;
	if (sampler_open_perf() == -1)
		pre.err = errno;
}

/* Say once per worker what drives its CPU samples when it is not what
 * profiling_timer asked for. */
static void
prof_worker_say_timer(const struct config *cf)
{
	if (!pre.tried || pre.err == 0)
		return;
	if (cf->profiling_timer == 1)
		log_warn("profiler: profiling_timer perf: perf_event_open "
		    "refused (%s); using the POSIX CPU timer, whose samples "
		    "are biased when CPUs are contended", strerror(pre.err));
	else
		log_info("profiler: perf_event_open refused (%s); CPU samples "
		    "come from the POSIX CPU timer (tick-quantized)",
		    strerror(pre.err));
}

int
prof_worker_init(const struct config *cf, struct shm *shm, int slot)
{
	struct sampler_config sc = {
		.wall = cf->profiling_clock == 1,
		.mean_ns = (uint64_t)cf->profiling_sample_interval_ms * 1000000,
		.depth = (unsigned)cf->profiling_stack_depth,
	};
	struct ring *r;
	int rc = 0;

	pw.slot = shm_slot(shm, (uint32_t)slot);
	pw.hdr = shm->hdr;
	if (!cf->profiling_cpu_only && prof_worker_memory_init(cf, shm, slot) ==
	    -1)
		rc = -1;
	if (!cf->profiling_memory_only) {
		if ((r = ring_attach(shm_cpu_ring(shm, (uint32_t)slot))) ==
		    NULL || sampler_init(r, &sc) == -1)
			rc = -1;
		else
			pw.ready = 1;
		prof_worker_say_timer(cf);
		shm_write(&pw.slot->counters.prof_timer,
		    (uint64_t)sampler_timer() +
		    (uint64_t)sampler_perf_user_only());
	}
	prof_worker_tick();
	return rc;
}

static void
prof_worker_memory_tick(void)
{
	struct memprof_stats st;
	uint32_t on;

	on = __atomic_load_n(&pw.hdr->memory_on, __ATOMIC_ACQUIRE) &
	    (SHM_MEMORY_ALLOC | SHM_MEMORY_COPY);
	if (on != pw.mem_on) {
		memprof_switch(on);
		pw.mem_on = on;
	}
	memprof_get_stats(&st);
	shm_write(&pw.slot->counters.mem_allocs, st.allocs);
	shm_write(&pw.slot->counters.mem_frees, st.frees);
	shm_write(&pw.slot->counters.mem_copies, st.copies);
	shm_write(&pw.slot->counters.mem_untracked, st.untracked);
	shm_write(&pw.slot->counters.mem_dropped, st.dropped);
	shm_write(&pw.slot->counters.mem_hook_ns, st.hook_ns);
	shm_write(&pw.slot->prof_copy_hook_ns, st.copy_ns);
	shm_write(&pw.slot->counters.mem_heap_sampled, st.heap_bytes);
	shm_write(&pw.slot->counters.mem_tracked, st.tracked);
}

void
prof_worker_tick(void)
{
	struct sampler_stats st;
	int on;

	if (pw.mem_ready)
		prof_worker_memory_tick();
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
	shm_write(&pw.slot->prof_delivery_ns, st.delivery_ns);
	shm_write(&pw.slot->counters.prof_running, (uint64_t)pw.running);
}

void
prof_worker_free(void)
{
	if (pw.mem_ready)
		memprof_stop();
	if (pw.ready)
		sampler_free();
	pw.ready = pw.running = pw.mem_ready = 0;
	pw.mem_on = 0;
}
