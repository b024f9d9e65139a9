/* Shared by the check suites: run one suite and turn its result into an
 * exit status (check prints TAP when CK_TAP_LOG_FILE_NAME is set). */
#ifndef HL_CHECK_H
#define HL_CHECK_H

#include <check.h>
#include <stdlib.h>

static inline int
hl_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
