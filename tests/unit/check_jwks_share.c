/* The JWKS document workers share: publish and read, one writer at a time,
 * a reader never takes a copy being written, a dead writer's half copy is
 * dropped when the master reaps it, and workers in other processes see it. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/auth_jwks_share.h"
#include "hl_check.h"
#include "auth/jwk.h"

#define DOC_A	"{\"keys\":[{\"kid\":\"a\"}]}"
#define DOC_B	"{\"keys\":[{\"kid\":\"b\"}]}"

/* Read a new document into a NUL-terminated string, or NULL. */
static char *
share_get(struct jwks_share *sh, uint64_t *seen)
{
	char *doc, *s;
	size_t len;

	if (!jwks_share_read(sh, seen, &doc, &len))
		return NULL;
	s = malloc(len + 1);
	memcpy(s, doc, len);
	s[len] = '\0';
	free(doc);
	return s;
}

START_TEST(test_publish_read)
{
	struct jwks_share *sh = jwks_share_create();
	uint64_t seen = 0, gen;
	char *s;

	ck_assert_ptr_nonnull(sh);
	ck_assert_ptr_null(share_get(sh, &seen));	/* nothing yet */
	gen = jwks_share_publish(sh, 0, DOC_A, strlen(DOC_A));
	ck_assert_uint_ne(gen, 0);
	ck_assert_str_eq((s = share_get(sh, &seen)), DOC_A);
	free(s);
	ck_assert_uint_eq(seen, gen);
	ck_assert_ptr_null(share_get(sh, &seen));	/* seen already */
	ck_assert_uint_gt(jwks_share_publish(sh, 1, DOC_B, strlen(DOC_B)), gen);
	ck_assert_str_eq((s = share_get(sh, &seen)), DOC_B);
	free(s);
	ck_assert_uint_eq(jwks_share_publish(sh, 0, DOC_A, 0), 0);
	ck_assert_uint_eq(jwks_share_publish(sh, 0, DOC_A, JWKS_TEXT_MAX + 1),
	    0);
	ck_assert_uint_eq(jwks_share_publish(NULL, 0, DOC_A, 3), 0);
	ck_assert_int_eq(jwks_share_read(NULL, &seen, &s, &(size_t){0}), 0);
	jwks_share_destroy(sh);
}
END_TEST

/* A child claims the document (as a writer would) and dies mid-copy:
 * readers and writers skip it until the master reaps the child's slot. */
START_TEST(test_dead_writer)
{
	struct jwks_share *sh = jwks_share_create();
	uint64_t seen = 0, *seq = (uint64_t *)(void *)sh;
	int32_t *writer = (int32_t *)(void *)(seq + 1);
	char *s;

	ck_assert_ptr_nonnull(sh);
	jwks_share_publish(sh, 0, DOC_A, strlen(DOC_A));
	(*seq)++;			/* slot 3 claimed it ... */
	*writer = 3;			/* ... and died */
	ck_assert_ptr_null(share_get(sh, &seen));
	ck_assert_uint_eq(jwks_share_publish(sh, 1, DOC_B, strlen(DOC_B)), 0);
	jwks_share_reaped(sh, 2);	/* another slot: no change */
	ck_assert_uint_eq(jwks_share_publish(sh, 1, DOC_B, strlen(DOC_B)), 0);
	jwks_share_reaped(sh, 3);
	ck_assert_ptr_null(share_get(sh, &seen));	/* emptied */
	ck_assert_uint_ne(jwks_share_publish(sh, 1, DOC_B, strlen(DOC_B)), 0);
	ck_assert_str_eq((s = share_get(sh, &seen)), DOC_B);
	free(s);
	jwks_share_destroy(sh);
}
END_TEST

START_TEST(test_across_fork)
{
	struct jwks_share *sh = jwks_share_create();
	uint64_t seen = 0;
	int status;
	pid_t pid;
	char *s;

	ck_assert_ptr_nonnull(sh);
	if ((pid = fork()) == 0)
		_exit(jwks_share_publish(sh, 1, DOC_B, strlen(DOC_B)) != 0 ?
		    0 : 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_str_eq((s = share_get(sh, &seen)), DOC_B);
	free(s);
	jwks_share_destroy(sh);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("jwks_share");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_publish_read);
	tcase_add_test(tc, test_dead_writer);
	tcase_add_test(tc, test_across_fork);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
