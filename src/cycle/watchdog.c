/* The worker watchdog (see watchdog.h). Reads the scoreboard; never waits. */
#include "autoconf.h"

#include <errno.h>
#include <event2/buffer.h>
#include <signal.h>
#include <string.h>

#include "admin/prom.h"
#include "core/log.h"
#include "cycle/master.h"
#include "app/router.h"
#include "core/util.h"
#include "cycle/watchdog.h"

/* How long the heartbeat of slot i has not moved, in ms. */
static uint64_t
watchdog_age(const struct shm_slot *s, uint64_t now)
{
	uint64_t beat = shm_read(&s->heartbeat);

	return now > beat ? now - beat : 0;
}

static int
watchdog_watched(const struct shm_slot *s)
{
	uint32_t state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

	return state == SLOT_RUNNING || state == SLOT_DRAINING;
}

int
watchdog_stuck(const struct master *m, uint32_t i, uint64_t now)
{
	const struct shm_slot *s = shm_slot(&m->shm, i);

	return m->cf.watchdog_timeout > 0 && watchdog_watched(s) &&
	    watchdog_age(s, now) > (uint64_t)m->cf.watchdog_timeout * 1000;
}

/* The handler slot s is inside: its pkg_id and since when, or -1. */
static int
watchdog_handler(const struct shm_slot *s, int32_t *pkg_id, uint64_t *since)
{
	*since = __atomic_load_n(&s->busy_since, __ATOMIC_ACQUIRE);
	*pkg_id = __atomic_load_n(&s->busy_pkg_id, __ATOMIC_RELAXED);
	return *since == 0 ? -1 : 0;
}

static const char *
watchdog_handler_name(int32_t pkg_id)
{
	const struct route *r = router_find(pkg_id);

	return r != NULL && r->name != NULL ? r->name : "?";
}

/* One line per stuck episode, naming the handler when there is one. */
static void
watchdog_log_stuck(const struct sup_slot *sl, const struct shm_slot *s,
    uint64_t now)
{
	uint64_t since;
	int32_t pkg;

	if (watchdog_handler(s, &pkg, &since) == 0)
		log_error("worker %d (pid %ld) is stuck: no heartbeat for %llu "
		    "ms, inside handler \"%s\" (pkg_id %d) for %llu ms",
		    sl->index, (long)sl->pid,
		    (unsigned long long)watchdog_age(s, now),
		    watchdog_handler_name(pkg), pkg,
		    (unsigned long long)(now - HL_MIN(since, now)));
	else
		log_error("worker %d (pid %ld) is stuck: no heartbeat for %llu "
		    "ms, outside any handler", sl->index, (long)sl->pid,
		    (unsigned long long)watchdog_age(s, now));
}

static void
watchdog_kill(struct master *m, struct sup_slot *sl, uint64_t age)
{
	log_error("worker %d (pid %ld): no heartbeat for %llu ms, past "
	    "watchdog_kill_timeout %d s; killing it", sl->index, (long)sl->pid,
	    (unsigned long long)age, m->cf.watchdog_kill_timeout);
	if (kill(sl->pid, SIGKILL) == -1 && errno != ESRCH)
		log_warn("cannot kill worker pid %ld: %s", (long)sl->pid,
		    strerror(errno));
	sl->watchdog_killed = 1;
	m->watchdog.kills++;
}

/* Log a worker that became stuck, note one that recovered, kill one past
 * the second bound (once: its death comes through SIGCHLD). */
static void
watchdog_check_slot(struct master *m, int i, uint64_t now)
{
	struct sup_slot *sl = &m->sup.slots[i];
	const struct shm_slot *s = shm_slot(&m->shm, (uint32_t)i);
	uint64_t age = watchdog_age(s, now);
	int stuck = watchdog_stuck(m, (uint32_t)i, now);

	if (stuck && !sl->stuck) {
		m->watchdog.stuck_total++;
		watchdog_log_stuck(sl, s, now);
	} else if (!stuck && sl->stuck) {
		log_notice("worker %d (pid %ld) is serving again", sl->index,
		    (long)sl->pid);
	}
	sl->stuck = stuck;
	if (m->cf.watchdog_kill_timeout > 0 && !sl->watchdog_killed &&
	    watchdog_watched(s) &&
	    age > (uint64_t)m->cf.watchdog_kill_timeout * 1000)
		watchdog_kill(m, sl, age);
}

void
watchdog_check(struct master *m)
{
	uint64_t now = hl_now_ms();
	int i;

	for (i = 0; i < m->sup.nslots; i++) {
		if (m->sup.slots[i].pid != 0)
			watchdog_check_slot(m, i, now);
	}
}

static json_t *
watchdog_slot_json(const struct master *m, uint32_t i, uint64_t now)
{
	const struct shm_slot *s = shm_slot(&m->shm, i);
	json_t *o = json_pack("{s:i, s:i, s:i, s:I}", "slot", (int)i,
	    "index", s->index, "pid", __atomic_load_n(&s->pid,
	    __ATOMIC_ACQUIRE), "heartbeat_age_ms",
	    (json_int_t)watchdog_age(s, now));
	uint64_t since;
	int32_t pkg;

	if (watchdog_handler(s, &pkg, &since) == 0) {
		json_object_set_new(o, "pkg_id", json_integer(pkg));
		json_object_set_new(o, "handler",
		    json_string(watchdog_handler_name(pkg)));
		json_object_set_new(o, "in_handler_ms",
		    json_integer((json_int_t)(now - HL_MIN(since, now))));
	}
	return o;
}

json_t *
watchdog_stuck_json(const struct master *m)
{
	json_t *list = json_array();
	uint64_t now = hl_now_ms();
	uint32_t i;

	for (i = 0; i < m->shm.hdr->nslots; i++) {
		if (watchdog_stuck(m, i, now))
			json_array_append_new(list, watchdog_slot_json(m, i,
			    now));
	}
	return list;
}

void
watchdog_metrics(struct evbuffer *out, const struct master *m)
{
	uint64_t now = hl_now_ms();
	uint32_t i;
	int n = 0;

	for (i = 0; i < m->shm.hdr->nslots; i++)
		n += watchdog_stuck(m, i, now);
	prom_single(out, "hotline_workers_stuck", "gauge", "Workers whose "
	    "heartbeat is older than watchdog_timeout.", (uint64_t)n);
	prom_single(out, "hotline_watchdog_stuck_total", "counter", "Times a "
	    "worker was found stuck.", m->watchdog.stuck_total);
	prom_single(out, "hotline_watchdog_kills_total", "counter", "Workers "
	    "killed and replaced past watchdog_kill_timeout.",
	    m->watchdog.kills);
}
