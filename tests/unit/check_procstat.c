/* Unit tests for core/procstat.c: this process's figures against what
 * the kernel says through other calls. */
#include "autoconf.h"

#include <sys/resource.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <time.h>
#include <unistd.h>

#include "core/procstat.h"
#include "hl_check.h"

START_TEST(own_figures_match_the_kernel)
{
	struct procstat ps;
	struct rlimit rl;
	struct rusage ru;
	double cpu;

	ck_assert_int_eq(procstat_read(getpid(), &ps), 0);
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	/* Clock ticks: procstat is at most a tick or two behind. */
	ck_assert_msg(ps.cpu_seconds <= cpu + 0.02 &&
	    ps.cpu_seconds >= cpu - 0.1, "%f vs %f", ps.cpu_seconds, cpu);
	ck_assert_uint_gt(ps.resident_bytes, 0);
	ck_assert_uint_ge(ps.virtual_bytes, ps.resident_bytes);
	ck_assert_msg(ps.start_time > time(NULL) - 600 &&
	    ps.start_time <= time(NULL) + 1, "%f", ps.start_time);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur == RLIM_INFINITY)
		ck_assert(isinf(ps.max_fds));
	else
		ck_assert_uint_eq((uint64_t)ps.max_fds, rl.rlim_cur);
}
END_TEST

START_TEST(open_fds_follow_opens_and_closes)
{
	struct procstat before, during, after;
	int fds[10], i;

	ck_assert_int_eq(procstat_read(getpid(), &before), 0);
	for (i = 0; i < 10; i++)
		ck_assert_int_ge(fds[i] = open("/dev/null", O_RDONLY), 0);
	ck_assert_int_eq(procstat_read(getpid(), &during), 0);
	for (i = 0; i < 10; i++)
		close(fds[i]);
	ck_assert_int_eq(procstat_read(getpid(), &after), 0);
	ck_assert_double_gt(before.open_fds, 2);
	ck_assert_double_eq(during.open_fds, before.open_fds + 10);
	ck_assert_double_eq(after.open_fds, before.open_fds);
}
END_TEST

START_TEST(a_process_that_is_gone_is_an_error)
{
	struct procstat ps;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_int_eq(procstat_read(pid, &ps), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("procstat");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, own_figures_match_the_kernel);
	tcase_add_test(tc, open_fds_follow_opens_and_closes);
	tcase_add_test(tc, a_process_that_is_gone_is_an_error);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
