/*
 * Worker supervision. The master's picture of each slot lives here; the
 * shared scoreboard holds what workers report. Nothing here waits: deaths
 * arrive through SIGCHLD, deadlines through the master's tick.
 */
#include "autoconf.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bcast/bcast.h"
#include "cycle/master.h"
#include "core/proc.h"
#include "cycle/supervisor.h"
#include "core/util.h"
#include "cycle/worker.h"

static void
supervisor_reset_index(struct supervisor *sup)
{
	size_t i;

	memset(sup->index, 0, sizeof sup->index);
	for (i = 0; i < HL_ARRAY_LEN(sup->index); i++)
		sup->index[i].last_slot = -1;
}

void
supervisor_init(struct supervisor *sup, int nslots)
{
	memset(sup, 0, sizeof *sup);
	sup->nslots = nslots;
	sup->epoch = 1;
	supervisor_reset_index(sup);
}

int
supervisor_live(const struct supervisor *sup)
{
	int i, n = 0;

	for (i = 0; i < sup->nslots; i++)
		n += sup->slots[i].pid != 0;
	return n;
}

/* A respawned worker goes back to the slot its index had (DESIGN.md: slots
 * are stable); otherwise the first free one. */
static int
supervisor_free_slot(const struct supervisor *sup, int index)
{
	int i = sup->index[index].last_slot;

	if (i >= 0 && i < sup->nslots && sup->slots[i].pid == 0)
		return i;
	for (i = 0; i < sup->nslots; i++) {
		if (sup->slots[i].pid == 0)
			return i;
	}
	return -1;
}

/* The slot serving index in the current epoch, or -1. */
static int
supervisor_find(const struct supervisor *sup, int index)
{
	int i;

	for (i = 0; i < sup->nslots; i++) {
		const struct sup_slot *s = &sup->slots[i];
		if (s->pid != 0 && s->index == index && s->epoch == sup->epoch)
			return i;
	}
	return -1;
}

static uint64_t
now_epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Fork one worker for index into slot; the child never returns. */
static int
supervisor_spawn(struct master *m, int slot, int index)
{
	struct supervisor *sup = &m->sup;
	struct shm_slot *ss = shm_slot(&m->shm, (uint32_t)slot);
	int keep[PROC_KEEP_MAX] = { m->listener.fds[index], log_fd() };
	int nkeep = keep[1] == -1 ? 1 : 2;
	pid_t pid;

	memset((char *)ss + offsetof(struct shm_slot, counters), 0,
	    sizeof *ss - offsetof(struct shm_slot, counters));
	ss->index = index;
	ss->epoch = sup->epoch;
	ss->generation++;
	shm_write(&ss->started_at, now_epoch_ms());
	shm_write(&ss->heartbeat, hl_now_ms());
	__atomic_store_n(&ss->state, SLOT_STARTING, __ATOMIC_RELEASE);
	nkeep += bcast_keep_fds(keep + nkeep, PROC_KEEP_MAX - nkeep);
	pid = proc_fork(keep, nkeep);
	if (pid == -1) {
		log_error("cannot fork worker %d: %s", index, strerror(errno));
		__atomic_store_n(&ss->state, SLOT_FREE, __ATOMIC_RELEASE);
		sup->spawn_failures++;
		return -1;
	}
	if (pid == 0)
		worker_main(m, slot, index);	/* does not return */
	__atomic_store_n(&ss->pid, pid, __ATOMIC_RELEASE);
	sup->slots[slot] = (struct sup_slot){ .pid = pid, .index = index,
	    .epoch = sup->epoch, .spawned_ms = hl_now_ms() };
	sup->index[index].last_slot = slot;
	log_info("worker %d started (pid %ld, slot %d, generation %u)", index,
	    (long)pid, slot, ss->generation);
	return 0;
}

void
supervisor_converge(struct master *m)
{
	struct supervisor *sup = &m->sup;
	uint64_t now = hl_now_ms();
	int index, slot;

	if (m->stop != MASTER_RUNNING)
		return;
	for (index = 0; index < m->cf.workers; index++) {
		if (supervisor_find(sup, index) != -1 ||
		    sup->index[index].respawn_at > now)
			continue;
		if ((slot = supervisor_free_slot(sup, index)) == -1)
			return;		/* an old worker must exit first */
		if (supervisor_spawn(m, slot, index) == -1) {
			sup->index[index].respawn_at =
			    now + SUP_BACKOFF_FIRST_MS;
			return;
		}
	}
}

/* Decide when a worker that died unasked may run again. */
static void
supervisor_backoff(struct master *m, const struct sup_slot *s, int status)
{
	struct sup_index *ix = &m->sup.index[s->index];
	uint64_t now = hl_now_ms(), delay = 0;

	if (now - s->spawned_ms < SUP_FAST_DEATH_MS)
		ix->fast_deaths++;
	else
		ix->fast_deaths = 0;
	if (ix->fast_deaths > 1) {
		delay = (uint64_t)SUP_BACKOFF_FIRST_MS <<
		    HL_MIN(ix->fast_deaths - 2, 16);
		delay = HL_MIN(delay, SUP_BACKOFF_MAX_MS);
	}
	ix->respawn_at = now + delay;
	m->sup.restarts++;
	if (ix->fast_deaths >= SUP_CRASH_LOOP)
		log_error("worker %d is crash-looping (%d deaths within %d s "
		    "of starting, in a row); next start in %llu ms", s->index,
		    ix->fast_deaths, SUP_FAST_DEATH_MS / 1000,
		    (unsigned long long)delay);
	else
		log_warn("worker %d died unexpectedly; restarting in %llu ms",
		    s->index, (unsigned long long)delay);
	(void)status;
}

static void
supervisor_log_exit(const struct sup_slot *s, int status)
{
	if (WIFSIGNALED(status))
		log_notice("worker %d (pid %ld) killed by signal %d%s",
		    s->index, (long)s->pid, WTERMSIG(status),
		    WCOREDUMP(status) ? " (core dumped)" : "");
	else if (WEXITSTATUS(status) != 0)
		log_notice("worker %d (pid %ld) exited with status %d",
		    s->index, (long)s->pid, WEXITSTATUS(status));
	else
		log_info("worker %d (pid %ld) exited", s->index, (long)s->pid);
}

/* Fold a dead worker's counters, refusals and histograms (every word from
 * counters to the end of the slot) into the master's retired totals; how
 * it ended and the CPU the kernel accounted (wait4) go to the master
 * first, while its counters are still in the slot. */
static void
supervisor_retire(struct master *m, int slot, int status,
    const struct rusage *ru)
{
	struct shm_slot *ss = shm_slot(&m->shm, (uint32_t)slot);
	size_t off = offsetof(struct shm_slot, counters), i;
	size_t n = (sizeof *ss - off) / sizeof(uint64_t);
	const uint64_t *from = (const uint64_t *)(const void *)
	    ((const char *)ss + off);
	uint64_t *to = (uint64_t *)(void *)((char *)&m->retired + off);

	master_worker_reaped(m, slot, status, ru);
	for (i = 0; i < n; i++)
		to[i] += shm_read(&from[i]);
	m->retired.counters.connections_active = 0;	/* gauges */
	m->retired.counters.ws_active = 0;
	m->retired.counters.mem_heap_sampled = 0;
	m->retired.counters.mem_tracked = 0;
	m->retired.limits.output_held = 0;
	m->retired.limits.deferred_pending = 0;
	m->retired.limits.alloc_kept = 0;
	memset((char *)ss + off, 0, sizeof *ss - off);
	ss->pid = 0;
	__atomic_store_n(&ss->state, SLOT_FREE, __ATOMIC_RELEASE);
}

void
supervisor_reap(struct master *m)
{
	struct supervisor *sup = &m->sup;
	struct rusage ru;
	int status, i;
	pid_t pid;

	while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
		for (i = 0; i < sup->nslots; i++) {
			struct sup_slot *s = &sup->slots[i];

			if (s->pid != pid)
				continue;
			supervisor_log_exit(s, status);
			if (m->stop == MASTER_RUNNING && !s->draining &&
			    s->epoch == sup->epoch)
				supervisor_backoff(m, s, status);
			supervisor_retire(m, i, status, &ru);
			memset(s, 0, sizeof *s);
			break;
		}
	}
	supervisor_converge(m);
}

static void
supervisor_kill(struct sup_slot *s, int sig, uint64_t deadline_ms)
{
	if (kill(s->pid, sig) == -1 && errno != ESRCH)
		log_warn("cannot signal worker pid %ld: %s", (long)s->pid,
		    strerror(errno));
	if (s->kill_at == 0 || hl_now_ms() + deadline_ms < s->kill_at)
		s->kill_at = hl_now_ms() + deadline_ms;
}

void
supervisor_tick(struct master *m)
{
	struct supervisor *sup = &m->sup;
	uint64_t now = hl_now_ms();
	int i;

	for (i = 0; i < sup->nslots; i++) {
		struct sup_slot *s = &sup->slots[i];

		if (s->pid == 0 || s->kill_at == 0 || now < s->kill_at)
			continue;
		log_warn("worker %d (pid %ld) did not stop in time; killing it",
		    s->index, (long)s->pid);
		kill(s->pid, SIGKILL);
		s->kill_at = 0;
	}
	supervisor_converge(m);
}

/* Ask the worker in slot i to drain: no new connections, and after seconds
 * (SHM_DRAIN_UNBOUNDED: never) its connections get 1001; the master kills
 * it SUP_DRAIN_GRACE_MS after that. A draining worker asked again keeps
 * the sooner of the two deadlines, as the master keeps the sooner kill. */
static void
supervisor_drain(struct master *m, int i, uint32_t seconds)
{
	struct sup_slot *s = &m->sup.slots[i];

	__atomic_store_n(&shm_slot(&m->shm, (uint32_t)i)->drain_timeout,
	    seconds, __ATOMIC_RELEASE);
	s->draining = 1;
	if (seconds != SHM_DRAIN_UNBOUNDED) {
		supervisor_kill(s, SIGQUIT, (uint64_t)seconds * 1000 +
		    SUP_DRAIN_GRACE_MS);
	} else if (kill(s->pid, SIGQUIT) == -1 && errno != ESRCH) {
		log_warn("cannot signal worker pid %ld: %s", (long)s->pid,
		    strerror(errno));
	}
}

/* reload_drain_timeout in the slot's terms. */
static uint32_t
supervisor_reload_drain(const struct master *m)
{
	return m->cf.reload_drain_timeout == 0 ? SHM_DRAIN_UNBOUNDED :
	    (uint32_t)m->cf.reload_drain_timeout;
}

/* Old workers drain for reload_drain_timeout; an older generation still
 * draining closes its connections (1001) now: two generations at most. */
void
supervisor_reload(struct master *m)
{
	struct supervisor *sup = &m->sup;
	int i;

	for (i = 0; i < sup->nslots; i++) {
		struct sup_slot *s = &sup->slots[i];

		if (s->pid == 0)
			continue;
		supervisor_drain(m, i, s->draining ? 0 :
		    supervisor_reload_drain(m));
	}
	sup->epoch++;
	supervisor_reset_index(sup);
	supervisor_converge(m);
}

void
supervisor_stop(struct master *m, int fast)
{
	struct supervisor *sup = &m->sup;
	int i;

	for (i = 0; i < sup->nslots; i++) {
		struct sup_slot *s = &sup->slots[i];

		if (s->pid == 0)
			continue;
		if (fast) {
			s->draining = 1;
			supervisor_kill(s, SIGTERM, SUP_FAST_STOP_MS);
		} else {
			supervisor_drain(m, i,
			    (uint32_t)m->cf.shutdown_timeout);
		}
	}
}

void
supervisor_signal(struct master *m, int sig)
{
	int i;

	for (i = 0; i < m->sup.nslots; i++) {
		if (m->sup.slots[i].pid != 0)
			kill(m->sup.slots[i].pid, sig);
	}
}
