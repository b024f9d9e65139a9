/*
 * A module that knows its own profile: pkg_id 200 "split" spends its time
 * in three parts, one source line each, and times each part with the
 * thread's CPU clock. Its reply carries the true CPU nanoseconds of each
 * part, summed over every request so far, for t_truth.sh to hold the
 * profiler's line shares against:
 *   ARITH  pure arithmetic (own time),
 *   COPY   one memcpy of about a MiB (native time in libc, through the
 *          daemon's interposer),
 *   ALLOC  ALLOCS malloc/free pairs (native time in libc, through the
 *          interposers).
 * {"ms": N} runs the three parts in turn for about N ms of CPU.
 */
#include <hotline/hotline.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COPY_BYTES	(1u << 20)
#define ALLOCS		1000
/* Knuth's MMIX linear congruential generator. */
#define TRUTH_LCG_MUL	6364136223846793005ULL
#define TRUTH_LCG_INC	1442695040888963407ULL

static char *volatile sink;
static unsigned char *copy_src, *copy_dst;
static uint64_t truth_ns[4];	/* arith, copy, alloc, all */

static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static __attribute__((noinline)) uint64_t
arith(uint64_t x)
{
	int i;

	for (i = 0; i < 150000; i++)
		x = x * TRUTH_LCG_MUL + TRUTH_LCG_INC; /* ARITH */
	return x;
}

static void
split(struct hl_request *req, void *arg)
{
	json_int_t ms = json_integer_value(json_object_get(
	    hl_request_data(req), "ms"));
	uint64_t start = cpu_ns(), t0, t1, t2, t3, x = 1;
	size_t i, n = COPY_BYTES - (size_t)(start & 7);

	do {
		t0 = cpu_ns();
		x = arith(x);
		t1 = cpu_ns();
		memcpy(copy_dst, copy_src, n); /* COPY */
		t2 = cpu_ns();
		for (i = 0; i < ALLOCS; i++)
			free(sink = malloc(4096 + 8 * i)); /* ALLOC */
		t3 = cpu_ns();
		truth_ns[0] += t1 - t0;
		truth_ns[1] += t2 - t1;
		truth_ns[2] += t3 - t2;
		truth_ns[3] += t3 - t0;
	} while (t3 - start < (uint64_t)ms * 1000000u);
	hl_reply(req, HL_STATUS_OK, json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "arith_ns", (json_int_t)truth_ns[0], "copy_ns",
	    (json_int_t)truth_ns[1], "alloc_ns", (json_int_t)truth_ns[2],
	    "all_ns", (json_int_t)truth_ns[3], "x", (json_int_t)(x & 0xffff)));
}

static int
truth_load(void)
{
	static const struct hl_handler split_handler = {
		200, "split", NULL, NULL, split, NULL, 0
	};
	char err[256];

	copy_src = calloc(1, COPY_BYTES);
	copy_dst = calloc(1, COPY_BYTES);
	if (copy_src == NULL || copy_dst == NULL)
		return -1;
	if (hl_register(&split_handler, err, sizeof err) == -1) {
		hl_log(HL_LOG_ERROR, "truth: %s", err);
		return -1;
	}
	return 0;
}

const struct hl_module hl_module_info = {
	.abi = HL_MODULE_ABI,
	.name = "truth",
	.load = truth_load,
};
