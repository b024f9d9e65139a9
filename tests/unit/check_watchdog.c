/* Unit tests for the worker watchdog: when a slot counts as stuck, what
 * /health lists for it, and the kill past watchdog_kill_timeout (once). */
#include "autoconf.h"

#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cycle/master.h"
#include "core/stats.h"
#include "core/util.h"
#include "cycle/watchdog.h"
#include "hl_check.h"

static struct master	m;	/* large: the supervisor's slot table */

static struct shm_slot *
setup(int timeout, int kill_timeout)
{
	struct shm_slot *s;

	memset(&m, 0, sizeof m);
	ck_assert_int_eq(shm_create(&m.shm, 2, 0, 0, 0), 0);
	m.cf.workers = 1;
	m.cf.watchdog_timeout = timeout;
	m.cf.watchdog_kill_timeout = kill_timeout;
	m.sup.nslots = 2;
	s = shm_slot(&m.shm, 0);
	s->state = SLOT_RUNNING;
	s->heartbeat = hl_now_ms();
	return s;
}

START_TEST(stuck_after_the_timeout_only)
{
	struct shm_slot *s = setup(2, 0);
	uint64_t now = hl_now_ms();

	ck_assert_int_eq(watchdog_stuck(&m, 0, now), 0);
	s->heartbeat = now - 1900;
	ck_assert_int_eq(watchdog_stuck(&m, 0, now), 0);
	s->heartbeat = now - 2100;
	ck_assert_int_eq(watchdog_stuck(&m, 0, now), 1);
	s->state = SLOT_DRAINING;
	ck_assert_int_eq(watchdog_stuck(&m, 0, now), 1);
	s->state = SLOT_STARTING;	/* not serving yet: not watched */
	ck_assert_int_eq(watchdog_stuck(&m, 0, now), 0);
	s->state = SLOT_RUNNING;
	m.cf.watchdog_timeout = 0;	/* off */
	ck_assert_int_eq(watchdog_stuck(&m, 0, now), 0);
	ck_assert_int_eq(watchdog_stuck(&m, 1, now), 0);	/* free slot */
	shm_destroy(&m.shm);
}
END_TEST

/* The worker publishes the handler it enters; /health names it. */
START_TEST(health_names_the_handler)
{
	struct shm_slot *s = setup(1, 0);
	json_t *list, *o;

	stats_slot = s;
	stats_busy(7, hl_now_ms() - 1500);
	s->heartbeat = hl_now_ms() - 1400;
	list = watchdog_stuck_json(&m);
	ck_assert_uint_eq(json_array_size(list), 1);
	o = json_array_get(list, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "pkg_id")), 7);
	ck_assert_int_ge(json_integer_value(json_object_get(o,
	    "in_handler_ms")), 1500);
	ck_assert_int_ge(json_integer_value(json_object_get(o,
	    "heartbeat_age_ms")), 1400);
	json_decref(list);
	stats_idle();
	list = watchdog_stuck_json(&m);
	ck_assert_ptr_null(json_object_get(json_array_get(list, 0), "pkg_id"));
	json_decref(list);
	stats_slot = NULL;
	shm_destroy(&m.shm);
}
END_TEST

/* Past watchdog_kill_timeout: SIGKILL once, counted; a worker whose
 * heartbeat moves again is no longer stuck. */
START_TEST(kill_once_past_the_second_bound)
{
	struct shm_slot *s = setup(1, 3);
	int status;
	pid_t pid = fork();

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	m.sup.slots[0].pid = pid;
	s->heartbeat = hl_now_ms() - 2000;
	watchdog_check(&m);
	ck_assert_int_eq(m.sup.slots[0].stuck, 1);
	ck_assert_uint_eq(m.watchdog.stuck_total, 1);
	ck_assert_uint_eq(m.watchdog.kills, 0);
	s->heartbeat = hl_now_ms() - 3100;
	watchdog_check(&m);
	watchdog_check(&m);
	ck_assert_uint_eq(m.watchdog.kills, 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	s->heartbeat = hl_now_ms();
	watchdog_check(&m);
	ck_assert_int_eq(m.sup.slots[0].stuck, 0);
	ck_assert_uint_eq(m.watchdog.stuck_total, 1);
	shm_destroy(&m.shm);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("watchdog");
	TCase *tc = tcase_create("watchdog");

	tcase_add_test(tc, stuck_after_the_timeout_only);
	tcase_add_test(tc, health_names_the_handler);
	tcase_add_test(tc, kill_once_past_the_second_bound);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
