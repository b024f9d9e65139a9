/*
 * The memory profiler's interposition, in the daemon binary only: the malloc
 * family and the library-call copies (memcpy, memmove and their _chk
 * variants). Every library's calls land here through symbol interposition
 * (jansson, OpenSSL, libevent, modules, glibc's own strdup).
 *
 * Allocation functions forward to glibc's exported __libc_* functions (no
 * dlsym: dlsym itself may call calloc). Copies forward to the functions
 * dlsym(RTLD_NEXT) finds, resolved in a constructor; calls before it (from
 * other objects' constructors) take a byte loop. Each hook then calls the
 * inline fast path of src/prof/memprof.h, which costs a TLS test when
 * sampling is off in this thread (always in the master, the tools and other
 * threads).
 *
 * --enable-alloc-guard adds an abort when the SIGPROF handler allocates:
 * the test suite's proof that the handler (and libunwind under it) never
 * does. The whole file is compiled out under ASan (HL_MEMHOOKS unset),
 * which replaces malloc and memcpy itself.
 */
#include "autoconf.h"

#ifdef HL_MEMHOOKS

#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prof/hooktext.h"
#include "prof/memprof.h"
#include "prof/record.h"
#include "prof/sampler.h"

void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);
void	 __libc_free(void *);
void	*__libc_memalign(size_t, size_t);
void	*__libc_valloc(size_t);
void	 __chk_fail(void) __attribute__((noreturn));
void	*__memcpy_chk(void *, const void *, size_t, size_t);
void	*__memmove_chk(void *, const void *, size_t, size_t);

#define RA()	__builtin_return_address(0)

#ifdef HL_ALLOC_GUARD
/* Async-signal-safe: write(2) and abort(3) only. */
static HL_HOOK_ENTRY void
memhook_guard(void)
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
#else
#define memhook_guard()	do { } while (0)
#endif

HL_HOOK_ENTRY void *
malloc(size_t n)
{
	void *p;

	memhook_guard();
	p = __libc_malloc(n);
	memprof_alloc(p, n, SAMPLE_FN_MALLOC, RA());
	return p;
}

HL_HOOK_ENTRY void *
calloc(size_t n, size_t size)
{
	size_t total;
	void *p;

	memhook_guard();
	p = __libc_calloc(n, size);
	if (!__builtin_mul_overflow(n, size, &total))
		memprof_alloc(p, total, SAMPLE_FN_CALLOC, RA());
	return p;
}

/* The old block is gone when realloc succeeded (or freed it for size 0):
 * its free is reported first, then the new size counts as an allocation,
 * whether the block moved or not. */
HL_HOOK_ENTRY void *
realloc(void *p, size_t n)
{
	void *q;

	memhook_guard();
	q = __libc_realloc(p, n);
	if (p != NULL && (q != NULL || n == 0))
		memprof_free(p);
	memprof_alloc(q, n, SAMPLE_FN_REALLOC, RA());
	return q;
}

HL_HOOK_ENTRY void
free(void *p)
{
	memhook_guard();
	if (p == NULL)
		return;
	memprof_free(p);
	__libc_free(p);
}

HL_HOOK_ENTRY void *
memalign(size_t align, size_t n)
{
	void *p;

	memhook_guard();
	p = __libc_memalign(align, n);
	memprof_alloc(p, n, SAMPLE_FN_MEMALIGN, RA());
	return p;
}

/* glibc 2.36 makes aligned_alloc an alias of memalign (no EINVAL for an
 * alignment that is not a power of two: it is rounded up). The unit test
 * compares this with the next object's aligned_alloc. */
HL_HOOK_ENTRY void *
aligned_alloc(size_t align, size_t n)
{
	void *p;

	memhook_guard();
	p = __libc_memalign(align, n);
	memprof_alloc(p, n, SAMPLE_FN_MEMALIGN, RA());
	return p;
}

HL_HOOK_ENTRY void *
valloc(size_t n)
{
	void *p;

	memhook_guard();
	p = __libc_valloc(n);
	memprof_alloc(p, n, SAMPLE_FN_MEMALIGN, RA());
	return p;
}

/* glibc's rules: a power of two that is a multiple of sizeof(void *). */
HL_HOOK_ENTRY int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	memhook_guard();
	if (align % sizeof(void *) != 0 || (align & (align - 1)) != 0 ||
	    align == 0)
		return EINVAL;
	if ((p = __libc_memalign(align, n)) == NULL)
		return ENOMEM;
	*out = p;
	memprof_alloc(p, n, SAMPLE_FN_MEMALIGN, RA());
	return 0;
}

/* --- copies --------------------------------------------------------------- */

typedef void *(*memhook_copy_fn)(void *, const void *, size_t);
typedef void *(*memhook_chk_fn)(void *, const void *, size_t, size_t);

/* Byte loops for copies made before the constructor ran. The volatile
 * destination keeps gcc from recognizing the loop as a memcpy (which would
 * call straight back here). */
static HL_HOOK_ENTRY void *
memhook_bytes_forward(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

static HL_HOOK_ENTRY void *
memhook_bytes_move(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)dst <= (uintptr_t)src)
		return memhook_bytes_forward(dst, src, n);
	while (n-- > 0)
		d[n] = s[n];
	return dst;
}

static memhook_copy_fn memhook_memcpy = memhook_bytes_forward;
static memhook_copy_fn memhook_memmove = memhook_bytes_move;
static memhook_chk_fn memhook_memcpy_chk;
static memhook_chk_fn memhook_memmove_chk;

/* The next object's functions (glibc's, IFUNCs already resolved). */
__attribute__((constructor)) static void
memhook_resolve(void)
{
	void *f;

	if ((f = dlsym(RTLD_NEXT, "memcpy")) != NULL)
		memhook_memcpy = (memhook_copy_fn)f;
	if ((f = dlsym(RTLD_NEXT, "memmove")) != NULL)
		memhook_memmove = (memhook_copy_fn)f;
	if ((f = dlsym(RTLD_NEXT, "__memcpy_chk")) != NULL)
		memhook_memcpy_chk = (memhook_chk_fn)f;
	if ((f = dlsym(RTLD_NEXT, "__memmove_chk")) != NULL)
		memhook_memmove_chk = (memhook_chk_fn)f;
}

HL_HOOK_ENTRY void *
memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *r = memhook_memcpy(dst, src, n);

	memprof_copy(n, SAMPLE_FN_MEMCPY, RA());
	return r;
}

HL_HOOK_ENTRY void *
memmove(void *dst, const void *src, size_t n)
{
	void *r = memhook_memmove(dst, src, n);

	memprof_copy(n, SAMPLE_FN_MEMMOVE, RA());
	return r;
}

HL_HOOK_ENTRY void *
__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	void *r;

	if (memhook_memcpy_chk != NULL)
		r = memhook_memcpy_chk(dst, src, n, dstlen);
	else if (dstlen < n)
		__chk_fail();
	else
		r = memhook_memcpy(dst, src, n);
	memprof_copy(n, SAMPLE_FN_MEMCPY_CHK, RA());
	return r;
}

HL_HOOK_ENTRY void *
__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	void *r;

	if (memhook_memmove_chk != NULL)
		r = memhook_memmove_chk(dst, src, n, dstlen);
	else if (dstlen < n)
		__chk_fail();
	else
		r = memhook_memmove(dst, src, n);
	memprof_copy(n, SAMPLE_FN_MEMMOVE_CHK, RA());
	return r;
}

#endif /* HL_MEMHOOKS */
