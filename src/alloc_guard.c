/*
 * --enable-alloc-guard: the malloc family, interposed in the daemon (every
 * library's calls land here through symbol interposition), forwarding to
 * glibc's exported __libc_* functions and aborting when called while the
 * SIGPROF handler runs. It proves in the test suite that the handler (and
 * libunwind under it) never allocates. Off by default and under ASan, which
 * replaces malloc itself.
 */
#include "autoconf.h"

#ifdef HL_ALLOC_GUARD

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include "sampler.h"

void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);
void	 __libc_free(void *);
void	*__libc_memalign(size_t, size_t);
void	*__libc_valloc(size_t);

/* Async-signal-safe: write(2) and abort(3) only. */
static void
alloc_guard_check(void)
{
	static const char msg[] =
	    "hotlined: allocation inside the SIGPROF handler\n";

	if (!sampler_in_handler)
		return;
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
		/* Nothing else to do: abort says it. */
	}
	abort();
}

void *
malloc(size_t n)
{
	alloc_guard_check();
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	alloc_guard_check();
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	alloc_guard_check();
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	alloc_guard_check();
	__libc_free(p);
}

void *
memalign(size_t align, size_t n)
{
	alloc_guard_check();
	return __libc_memalign(align, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
	alloc_guard_check();
	return __libc_memalign(align, n);
}

void *
valloc(size_t n)
{
	alloc_guard_check();
	return __libc_valloc(n);
}

/* glibc's rules: a power of two that is a multiple of sizeof(void *). */
int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	alloc_guard_check();
	if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0 ||
	    align == 0)
		return EINVAL;
	if ((p = __libc_memalign(align, n)) == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

#endif
