/* Hook cost figures, not a test (make tests/unit/bench_memhook): ns per
 * malloc/free pair through the bare __libc_* functions, through the hooks
 * with sampling off in this thread, with allocation sampling on at the
 * configured mean (default 512 KiB: nearly every call takes the fast path),
 * and the same for a 64-byte memcpy. Prints one line per figure. */
#include "autoconf.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prof/memprof.h"
#include "prof/ring.h"

void	*__libc_malloc(size_t);
void	 __libc_free(void *);

#define ROUNDS	5
#define N	2000000

static void *(*volatile do_malloc)(size_t) = malloc;
static void (*volatile do_free)(void *) = free;
static void *(*volatile do_copy)(void *, const void *, size_t) = memcpy;

static struct ring *ring;

static void
discard_cb(const void *rec, size_t len, void *arg)
{
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Best of ROUNDS, ns per pair. */
static double
pairs(void *(*m)(size_t), void (*f)(void *), size_t size)
{
	double best = 1e30, t;
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		t = now();
		for (i = 0; i < N; i++) {
			f(m(size + (size_t)(i & 7) * 16));
			if ((i & 1023) == 0)	/* the master's part */
				ring_drain(ring, 0, discard_cb, NULL);
		}
		t = (now() - t) / N;
		best = t < best ? t : best;
	}
	return best;
}

static double
copies(void *(*cp)(void *, const void *, size_t), size_t size)
{
	static char a[4096], b[4096];
	double best = 1e30, t;
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		t = now();
		for (i = 0; i < N; i++)
			cp(b, a, size);
		t = (now() - t) / N;
		best = t < best ? t : best;
	}
	return best;
}

/* The sampled path's cost grows with the stack it unwinds: measure it
 * again `levels` calls deeper. */
static __attribute__((noinline)) double
nested(unsigned levels, size_t size)
{
	double r;

	if (levels == 0)
		return pairs(do_malloc, do_free, size);
	r = nested(levels - 1, size);
	__asm__ volatile("");
	return r;
}

static void
per_record(const char *what, double ns_pair, uint64_t before_ns,
    uint64_t before_n)
{
	struct memprof_stats st;
	uint64_t n;

	memprof_get_stats(&st);
	n = st.allocs + st.frees + st.copies + st.dropped - before_n;
	printf("%s: %.1f ns per pair, %.0f ns per record\n", what, ns_pair,
	    n ? (double)(st.hook_ns - before_ns) / (double)n : 0.0);
}

int
main(int argc, char **argv)
{
	uint64_t mean = argc > 1 ? strtoull(argv[1], NULL, 0) : 512 * 1024;
	size_t cap = 1u << 22;
	void *mem = aligned_alloc(64, ring_bytes(cap));
	struct memprof_config cf = { .mean_bytes = mean, .depth = 32 };
	struct memprof_stats st;
	size_t size = 64;

	cf.ring = ring = ring_init(mem, cap);
	printf("bare __libc_malloc/__libc_free: %.1f ns per pair\n",
	    pairs(__libc_malloc, __libc_free, size));
	printf("hooks, profiler not initialised: %.1f ns per pair\n",
	    pairs(do_malloc, do_free, size));
	memprof_init(&cf);
	printf("hooks, initialised, sampling off (free matching on): %.1f ns "
	    "per pair\n", pairs(do_malloc, do_free, size));
	printf("memcpy 64 B, glibc's (dlsym RTLD_NEXT): %.1f ns\n",
	    copies((void *(*)(void *, const void *, size_t))dlsym(RTLD_NEXT,
	    "memcpy"), 64));
	printf("memcpy 64 B, copy sampling off: %.1f ns\n",
	    copies(do_copy, 64));
	memprof_switch(MEMPROF_ALLOC);
	printf("hooks, allocation sampling on, mean %llu B: %.1f ns per pair\n",
	    (unsigned long long)mean, pairs(do_malloc, do_free, size));
	memprof_switch(MEMPROF_ALLOC | MEMPROF_COPY);
	printf("memcpy 64 B, copy sampling on: %.1f ns\n",
	    copies(do_copy, 64));
	memprof_switch(0);
	memprof_get_stats(&st);
	memprof_switch(MEMPROF_ALLOC);
	{
		uint64_t ns0 = st.hook_ns, n0 = st.allocs + st.frees +
		    st.copies + st.dropped;
		double t = nested(20, 4096);

		per_record("4 KiB blocks, 20 frames deeper", t, ns0, n0);
	}
	memprof_switch(0);
	memprof_get_stats(&st);
	printf("sampled path: %llu allocs, %llu frees, %llu copies, %llu "
	    "dropped, %.0f ns per record\n", (unsigned long long)st.allocs,
	    (unsigned long long)st.frees, (unsigned long long)st.copies,
	    (unsigned long long)st.dropped, st.allocs + st.frees + st.copies +
	    st.dropped ? (double)st.hook_ns / (double)(st.allocs + st.frees +
	    st.copies + st.dropped) : 0.0);
	return 0;
}
