/* The interposed malloc family (src/prof/memhook.c, linked in): with
 * --enable-alloc-guard, an allocation while the SIGPROF handler runs aborts
 * (the proof the handler never allocates relies on it); in every build with
 * the hooks, they behave exactly as glibc's, compared call by call with the
 * next object's functions. Skipped under ASan (no hooks). */
#include "autoconf.h"

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prof/sampler.h"
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

#ifdef HL_MEMHOOKS
typedef void *(*align_fn)(size_t, size_t);

/* One call of ours and of glibc's: same NULL-ness, same errno, same
 * alignment. */
static void
same_as_glibc(align_fn ours, align_fn theirs, size_t align, size_t n)
{
	void *a, *b;
	int ea, eb;

	errno = 0;
	a = ours(align, n);
	ea = errno;
	errno = 0;
	b = theirs(align, n);
	eb = errno;
	ck_assert_msg((a == NULL) == (b == NULL),
	    "align %zu size %zu: %p vs %p", align, n, a, b);
	ck_assert_int_eq(ea, eb);
	if (a != NULL && align != 0 && (align & (align - 1)) == 0)
		ck_assert_uint_eq((uintptr_t)a % align, (uintptr_t)b % align);
	free(a);
	free(b);
}

START_TEST(aligned_variants_match_glibc)
{
	static const size_t aligns[] = { 0, 1, 3, 4, 8, 16, 24, 48, 64, 100,
	    4096, 1 << 20, SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 2, SIZE_MAX };
	static const size_t sizes[] = { 0, 1, 100, 4096, SIZE_MAX - 64,
	    SIZE_MAX };
	int (*next_pm)(void **, size_t, size_t) =
	    (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT,
	    "posix_memalign");
	align_fn next_aa = (align_fn)dlsym(RTLD_NEXT, "aligned_alloc");
	align_fn next_ma = (align_fn)dlsym(RTLD_NEXT, "memalign");
	size_t i, j;

	ck_assert_ptr_nonnull(next_pm);
	ck_assert_ptr_nonnull(next_aa);
	ck_assert_ptr_ne(next_aa, aligned_alloc);
	for (i = 0; i < sizeof aligns / sizeof aligns[0]; i++)
		for (j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
			void *a = NULL, *b = NULL;
			size_t al = aligns[i], n = sizes[j];

			same_as_glibc(aligned_alloc, next_aa, al, n);
			same_as_glibc(memalign, next_ma, al, n);
			ck_assert_int_eq(posix_memalign(&a, al, n),
			    next_pm(&b, al, n));
			ck_assert((a == NULL) == (b == NULL));
			free(a);
			free(b);
		}
}
END_TEST

START_TEST(malloc_realloc_calloc_match_glibc)
{
	void *(*next_calloc)(size_t, size_t) =
	    (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	/* volatile: no warnings about the sizes */
	volatile size_t huge = SIZE_MAX, half = SIZE_MAX / 2;
	void *p, *q;
	long page = sysconf(_SC_PAGESIZE);

	errno = 0;
	ck_assert_ptr_null(malloc(huge));
	ck_assert_int_eq(errno, ENOMEM);
	errno = 0;
	ck_assert_ptr_null(calloc(half, 3));	/* overflow */
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_ptr_null(next_calloc(half, 3));
	p = malloc(0);		/* glibc: a unique minimum-size block */
	ck_assert_ptr_nonnull(p);
	free(p);
	p = realloc(NULL, 100);	/* malloc */
	ck_assert_ptr_nonnull(p);
	memset(p, 7, 100);
	q = realloc(p, 1 << 20);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(((char *)q)[99], 7);
	errno = 0;
	ck_assert_ptr_null(realloc(q, huge));	/* fails, q intact */
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_int_eq(((char *)q)[99], 7);
	ck_assert_ptr_null(realloc(q, 0));	/* glibc: frees, NULL */
	free(NULL);
	p = valloc(10);
	ck_assert_uint_eq((uintptr_t)p % (uintptr_t)page, 0);
	ck_assert_uint_ge(malloc_usable_size(p), 10);
	free(p);
}
END_TEST
#endif

#if defined(HL_ALLOC_GUARD) || defined(HL_MEMHOOKS)
int
main(void)
{
	Suite *s = suite_create("alloc_guard");
	TCase *tc = tcase_create("guard");

#ifdef HL_ALLOC_GUARD
	tcase_add_test(tc, allocation_in_handler_aborts);
	tcase_add_test(tc, forwarding_behaves_as_glibc);
#endif
#ifdef HL_MEMHOOKS
	tcase_add_test(tc, aligned_variants_match_glibc);
	tcase_add_test(tc, malloc_realloc_calloc_match_glibc);
#endif
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
#else
int
main(void)
{
	/* Nothing to check in this build; say so in the TAP stream. */
	puts("ok 1 # SKIP built without the malloc hooks (ASan)\n1..1");
	return 0;
}
#endif
