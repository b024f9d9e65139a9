/* With --enable-alloc-guard, an allocation while the SIGPROF handler runs
 * aborts (the proof the handler never allocates relies on it); outside it
 * the interposed functions behave as glibc's. Skipped in other builds. */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sampler.h"
#include "hl_check.h"

#ifdef HL_ALLOC_GUARD
START_TEST(allocation_in_handler_aborts)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		void *p;

		sampler_in_handler = 1;
		p = malloc(16);
		_exit(p == NULL ? 2 : 3);	/* not reached */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGABRT);
}
END_TEST

START_TEST(forwarding_behaves_as_glibc)
{
	void *p = NULL;
	char *s;

	ck_assert_int_eq(posix_memalign(&p, 64, 100), 0);
	ck_assert_uint_eq((uintptr_t)p % 64, 0);
	free(p);
	ck_assert_int_eq(posix_memalign(&p, 3, 100), EINVAL);
	ck_assert_int_eq(posix_memalign(&p, 4, 100), EINVAL);
	p = aligned_alloc(128, 256);
	ck_assert_uint_eq((uintptr_t)p % 128, 0);
	free(p);
	s = calloc(10, 10);
	ck_assert_int_eq(s[99], 0);
	s = realloc(s, 1000);
	s[999] = 1;
	free(s);
	free(NULL);
	s = strdup("glibc's own strdup calls malloc");
	ck_assert_str_eq(s, "glibc's own strdup calls malloc");
	free(s);
}
END_TEST
#endif

#ifdef HL_ALLOC_GUARD
int
main(void)
{
	Suite *s = suite_create("alloc_guard");
	TCase *tc = tcase_create("guard");

	tcase_add_test(tc, allocation_in_handler_aborts);
	tcase_add_test(tc, forwarding_behaves_as_glibc);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
#else
int
main(void)
{
	/* Nothing to check in this build; say so in the TAP stream. */
	puts("ok 1 # SKIP built without --enable-alloc-guard\n1..1");
	return 0;
}
#endif
