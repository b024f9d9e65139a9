/* Unit tests for the shared-memory scoreboard: its layout is a contract
 * between master and workers (and future readers), and its counters must
 * cross fork. */
#include "autoconf.h"

#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/shm.h"
#include "hl_check.h"

START_TEST(layout_is_fixed)
{
	/* Changing any of these needs SHM_LAYOUT_VERSION bumped. */
	ck_assert_int_eq(SHM_LAYOUT_VERSION, 5);
	ck_assert_uint_eq(offsetof(struct shm_header, magic), 0);
	ck_assert_uint_eq(offsetof(struct shm_header, layout_version), 8);
	ck_assert_uint_eq(offsetof(struct shm_header, nslots), 20);
	ck_assert_uint_eq(offsetof(struct shm_header, master_pid), 32);
	ck_assert_uint_eq(offsetof(struct shm_header, start_time), 40);
	ck_assert_uint_eq(offsetof(struct shm_header, epoch), 48);
	ck_assert_uint_eq(offsetof(struct shm_header, slots_offset), 56);
	ck_assert_uint_eq(offsetof(struct shm_slot, pid), 0);
	ck_assert_uint_eq(offsetof(struct shm_slot, state), 4);
	ck_assert_uint_eq(offsetof(struct shm_slot, heartbeat), 32);
	ck_assert_uint_eq(offsetof(struct shm_slot, busy_since), 40);
	ck_assert_uint_eq(offsetof(struct shm_slot, busy_pkg_id), 48);
	ck_assert_uint_eq(offsetof(struct shm_slot, drain_timeout), 52);
	ck_assert_uint_eq(offsetof(struct shm_slot, counters), 64);
	ck_assert_uint_eq(offsetof(struct shm_counters, connections_active), 0);
	ck_assert_uint_eq(offsetof(struct shm_counters, errors), 48);
	ck_assert_uint_eq(offsetof(struct shm_counters, ws_active), 56);
	ck_assert_uint_eq(offsetof(struct shm_slot, refusals), 640);
	ck_assert_uint_eq(offsetof(struct shm_slot, hist), 768);
	ck_assert_uint_eq(sizeof(struct shm_hist), 96);
	ck_assert_uint_eq(offsetof(struct shm_slot, auth), 5376);
	ck_assert_uint_le(sizeof(struct shm_slot), SHM_SLOT_SIZE);
	ck_assert_uint_eq(SHM_SLOT_SIZE % 64, 0);
}
END_TEST

START_TEST(create_fills_header)
{
	struct shm shm;
	uint32_t i;

	ck_assert_int_eq(shm_create(&shm, 8, 4096, 8192, 0), 0);
	ck_assert_uint_eq(shm.hdr->magic, SHM_MAGIC);
	ck_assert_uint_eq(shm.hdr->layout_version, SHM_LAYOUT_VERSION);
	ck_assert_uint_eq(shm.hdr->nslots, 8);
	ck_assert_uint_eq(shm.hdr->slot_size, SHM_SLOT_SIZE);
	ck_assert_uint_eq(shm.hdr->total_size,
	    SHM_HEADER_SIZE + 8 * SHM_SLOT_SIZE + 8 * (4096 + 8192));
	ck_assert_ptr_eq(shm_cpu_ring(&shm, 0),
	    (char *)shm.hdr + SHM_HEADER_SIZE + 8 * SHM_SLOT_SIZE);
	ck_assert_ptr_eq(shm_event_ring(&shm, 1),
	    (char *)shm_cpu_ring(&shm, 1) + 4096);
	ck_assert_int_eq((char *)shm_cpu_ring(&shm, 2) -
	    (char *)shm_cpu_ring(&shm, 1), 4096 + 8192);
	ck_assert_int_eq(shm.hdr->master_pid, getpid());
	for (i = 0; i < 8; i++) {
		struct shm_slot *s = shm_slot(&shm, i);

		ck_assert_uint_eq((uintptr_t)s % 64, 0);
		ck_assert_uint_eq(s->state, SLOT_FREE);
		ck_assert_int_eq(s->pid, 0);
	}
	ck_assert_int_eq((char *)shm_slot(&shm, 1) - (char *)shm_slot(&shm, 0),
	    SHM_SLOT_SIZE);
	shm_destroy(&shm);
}
END_TEST

/* A child's counter updates are visible to the parent, slot by slot. */
START_TEST(counters_cross_fork)
{
	struct shm shm;
	pid_t pid;
	int status, i;

	ck_assert_int_eq(shm_create(&shm, 4, 0, 0, 0), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		struct shm_slot *s = shm_slot(&shm, 2);

		for (i = 0; i < 1000; i++)
			shm_add(&s->counters.messages_in, 3);
		shm_add(&s->counters.connections_active, 5);
		shm_sub(&s->counters.connections_active, 2);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	ck_assert_uint_eq(shm_read(&shm_slot(&shm, 2)->counters.messages_in),
	    3000);
	ck_assert_uint_eq(shm_read(
	    &shm_slot(&shm, 2)->counters.connections_active), 3);
	ck_assert_uint_eq(shm_read(&shm_slot(&shm, 1)->counters.messages_in),
	    0);
	shm_destroy(&shm);
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(shm_state_name(SLOT_FREE), "free");
	ck_assert_str_eq(shm_state_name(SLOT_RUNNING), "running");
	ck_assert_str_eq(shm_state_name(SLOT_DRAINING), "draining");
	ck_assert_str_eq(shm_state_name(99), "unknown");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("shm");
	TCase *tc = tcase_create("scoreboard");

	tcase_add_test(tc, layout_is_fixed);
	tcase_add_test(tc, create_fills_header);
	tcase_add_test(tc, counters_cross_fork);
	tcase_add_test(tc, state_names);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
