/* The memory side of report_build: sampled allocations, frees and copies
 * charged to the line that allocated (through an allocation wrapper), sites'
 * bytes in use and peaks, the leak verdict across windows, per-line
 * timelines. Stacks are real return addresses in this program, so the
 * symbolizer resolves them to this file's lines. */
#include "autoconf.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/leaktrack.h"
#include "profile/memsite.h"
#include "report/report_json.h"
#include "report/report_stats.h"
#include "prof/record.h"
#include "profile/stacktab.h"
#include "profile/symbolize.h"
#include "profile/timeline.h"
#include "hl_check.h"

static uint64_t	 leak_pc, echo_pc;
static int	 leak_line, echo_line;

static __attribute__((noinline)) uint64_t
here(void)
{
	return (uint64_t)__builtin_return_address(0);
}

static __attribute__((noinline)) void
leaky_handler(void)
{
	leak_line = __LINE__ + 1;
	leak_pc = here();
}

static __attribute__((noinline)) void
echo_handler(void)
{
	echo_line = __LINE__ + 1;
	echo_pc = here();
}

/* Window w (1 s each) of a run: the leaky line allocated 100 blocks of
 * 1000 bytes per window and freed none; the echo line allocated and freed
 * as many. */
static json_t *
build_window(struct symbolizer *sym, struct memsites *ms,
    struct leaktrack *lt, int w)
{
	struct stacktab cpu, mem;
	struct memsnap snap;
	struct timeline tl;
	struct timeline_worker tw = { 0, 1234, 50, 10000000, 0 };
	struct timeline_site top[2];
	struct report_input in;
	json_t *doc;
	int i;

	stacktab_init(&cpu, 100);
	stacktab_init(&mem, 100);
	timeline_init(&tl, 0.5);
	for (i = 0; i < 100; i++) {
		uint64_t a = (uint64_t)(w * 1000 + i) * 64;

		memsites_alloc(ms, 0, 6, &leak_pc, 1, a, 1000, 1);
		stacktab_add(&mem, MEM_CLS_ALLOC, 6, &leak_pc, 1, 1, 1000);
		memsites_alloc(ms, 0, 1, &echo_pc, 1, a + 1, 1000, 1);
		stacktab_add(&mem, MEM_CLS_ALLOC, 1, &echo_pc, 1, 1, 1000);
		memsites_free_block(ms, 0, a + 1);
		stacktab_add(&mem, MEM_CLS_FREE, 1, &echo_pc, 1, 1, 1000);
	}
	stacktab_add(&mem, MEM_CLS_COPY, 1, &echo_pc, 1, 3, 3000);
	tw.heap_bytes = ms->slot_live[0];
	top[0] = (struct timeline_site){ 0, ms->sites[0].live };
	timeline_add(&tl, w, &tw, 1, top, 1);
	memsnap_take(&snap, ms);
	memset(&in, 0, sizeof in);
	in.tab = &cpu;
	in.kind = "interval";
	in.start = w - 1;
	in.end = w;
	in.mem = &mem;
	in.snap = &snap;
	in.timeline = &tl;
	in.leaks = lt;
	in.leaks_record = 1;
	in.copy = 1;
	in.memory_hooks = 1;
	in.memory_sample_bytes = 4096;
	in.leak_min_growth = 1024;
	doc = report_build(sym, &in);
	memsnap_free(&snap);
	timeline_free(&tl);
	stacktab_free(&cpu);
	stacktab_free(&mem);
	return doc;
}

static json_t *
find_line(json_t *doc, int line)
{
	json_t *f, *l;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "files"), i, f) {
		json_array_foreach(json_object_get(f, "lines"), j, l) {
			if (json_integer_value(json_object_get(l, "line")) ==
			    line && strstr(json_string_value(json_object_get(f,
			    "file")), "check_report_mem.c") != NULL)
				return l;
		}
	}
	return NULL;
}

static double
num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

START_TEST(leak_is_named_and_echo_is_not)
{
	struct symbolizer *sym = symbolizer_new(getpid());
	struct memsites ms;
	struct leaktrack lt;
	json_t *doc = NULL, *leak, *echo, *leaks;
	int w;

	ck_assert_ptr_nonnull(sym);
	leaky_handler();
	echo_handler();
	memsites_init(&ms, 1);
	leaktrack_init(&lt);
	for (w = 1; w <= 4; w++) {
		json_decref(doc);
		doc = build_window(sym, &ms, &lt, w);
	}
	ck_assert_str_eq(json_string_value(json_object_get(doc,
	    "schema_version")), REPORT_SCHEMA_VERSION);
	leak = find_line(doc, leak_line);
	echo = find_line(doc, echo_line);
	ck_assert_ptr_nonnull(leak);
	ck_assert_ptr_nonnull(echo);
	ck_assert(num(leak, "alloc_mb") == 0.1);
	ck_assert(num(leak, "net_mb") == 0.1);
	ck_assert(num(leak, "peak_mb") == 0.4);
	ck_assert(num(leak, "leak_likelihood") > 0.99);
	ck_assert(num(echo, "alloc_mb") == 0.1);
	ck_assert(num(echo, "free_mb") == 0.1);
	ck_assert(num(echo, "net_mb") == 0);
	ck_assert(num(echo, "leak_likelihood") == 0);
	ck_assert(num(echo, "copy_mb") == 0.003);
	ck_assert_int_eq(json_array_size(json_object_get(leak, "timeline")), 1);
	ck_assert(json_number_value(json_array_get(json_object_get(leak,
	    "timeline"), 0)) == 0.4);
	leaks = json_object_get(doc, "leaks");
	ck_assert_int_eq(json_array_size(leaks), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
	    leaks, 0), "line")), leak_line);
	ck_assert(num(json_array_get(leaks, 0), "growth_mb_s") == 0.1);
	ck_assert(num(json_object_get(doc, "totals"), "heap_mb") == 0.4);
	ck_assert(num(json_object_get(doc, "totals"), "alloc_mb") == 0.2);
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(doc,
	    "timeline"), "points")), 1);
	/* The allocation flame graph's stacks: both lines, 100 kB each. */
	ck_assert_int_eq(json_array_size(json_object_get(doc, "alloc_stacks")),
	    2);
	ck_assert(num(json_array_get(json_object_get(doc, "alloc_stacks"), 0),
	    "bytes") == 100000);
	json_decref(doc);
	leaktrack_free(&lt);
	memsites_free(&ms);
	symbolizer_free(sym);
}
END_TEST

/* No memory table: no memory keys, memory.enabled false, no leaks. */
START_TEST(cpu_only_has_no_memory_keys)
{
	struct symbolizer *sym = symbolizer_new(getpid());
	struct stacktab cpu;
	struct report_input in;
	json_t *doc;

	stacktab_init(&cpu, 10);
	memset(&in, 0, sizeof in);
	in.tab = &cpu;
	in.kind = "interval";
	in.end = 1;
	doc = report_build(sym, &in);
	ck_assert(!json_is_true(json_object_get(json_object_get(doc, "memory"),
	    "enabled")));
	ck_assert_ptr_null(json_object_get(doc, "leaks"));
	ck_assert_ptr_null(json_object_get(json_object_get(doc, "totals"),
	    "alloc_mb"));
	json_decref(doc);
	stacktab_free(&cpu);
	symbolizer_free(sym);
}
END_TEST

/* Wilson 95 % intervals against values computed independently (python3,
 * the score interval's closed form; 0/10, 5/10 as printed in Newcombe,
 * Stat. Med. 1998, table I). */
START_TEST(wilson_known_values)
{
	static const struct {
		uint64_t	 k, n;
		double		 lo, hi;
	} known[] = {
		{ 0, 10, 0.0, 0.2775327999 },
		{ 10, 10, 0.7224672001, 1.0 },
		{ 5, 10, 0.2365930905, 0.7634069095 },
		{ 1, 5, 0.0362241086, 0.6244653702 },
		{ 3, 5, 0.2307242813, 0.8823792258 },
		{ 28, 50, 0.4230602802, 0.6883780079 },
		{ 168, 244, 0.6278740861, 0.7433309594 },
		{ 0, 1, 0.0, 0.7934506856 },
		{ 1, 1, 0.2065493144, 1.0 },
		{ 500, 1000, 0.4690696004, 0.5309303996 },
		{ 1, 1000, 0.0001765464, 0.0056425586 },
	};
	double lo, hi;
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		report_wilson(known[i].k, known[i].n, REPORT_Z95, &lo, &hi);
		ck_assert_double_eq_tol(lo, known[i].lo, 1e-9);
		ck_assert_double_eq_tol(hi, known[i].hi, 1e-9);
	}
	report_wilson(0, 0, REPORT_Z95, &lo, &hi);
	ck_assert(lo == 0 && hi == 1);
	report_wilson(7, 5, REPORT_Z95, &lo, &hi);	/* k > n: as n/n */
	ck_assert_double_eq_tol(lo, 0.5655175352, 1e-9);
	ck_assert(hi == 1);
}
END_TEST

/* A 10-sample window, 5 on one line: its cpu_pct carries the Wilson
 * interval; the document records filters, CPU seconds and share, and the
 * overhead's parts summing to overhead_pct. */
START_TEST(headline_numbers)
{
	struct symbolizer *sym = symbolizer_new(getpid());
	struct report_worker wk[2] = {
		{ .slot = 0, .pid = 1, .utime_s = 0.8, .stime_s = 0.2,
		  .handler_ns = 10000000, .delivery_ns = 5000000,
		  .hook_ns = 20000000, .copy_hook_ns = 5000000 },
		{ .slot = 1, .pid = 2, .utime_s = 0.5, .stime_s = 0.5 },
	};
	struct stacktab cpu;
	struct report_input in;
	json_t *doc, *l, *f, *o;
	uint64_t pc[2];

	ck_assert_ptr_nonnull(sym);
	echo_handler();
	leaky_handler();
	/* CPU samples hold exact pcs: inside the call, not after it. */
	pc[0] = echo_pc - 1;
	pc[1] = leak_pc - 1;
	stacktab_init(&cpu, 10);
	stacktab_add(&cpu, SAMPLE_CPU_OWN, 1, &pc[0], 1, 5, 5000000);
	stacktab_add(&cpu, SAMPLE_CPU_OWN, 1, &pc[1], 1, 5, 5000000);
	memset(&in, 0, sizeof in);
	in.tab = &cpu;
	in.kind = "interval";
	in.end = 4;
	in.workers = wk;
	in.nworkers = 2;
	in.only = "check_report,,mem";
	in.reduced = 1;
	in.threshold_pct = 2;
	doc = report_build(sym, &in);
	l = find_line(doc, echo_line);
	ck_assert_ptr_nonnull(l);
	ck_assert(num(l, "cpu_pct") == 50);
	ck_assert(num(l, "pct_lo") == 23.66 && num(l, "pct_hi") == 76.34);
	f = json_object_get(doc, "filters");
	ck_assert(json_is_true(json_object_get(f, "reduced_profile")));
	ck_assert_int_eq(json_integer_value(json_object_get(f,
	    "cpu_percent_threshold")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(f, "only")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(f,
	    "only"), 1)), "mem");
	ck_assert_int_eq(json_array_size(json_object_get(f, "exclude")), 0);
	o = json_object_get(doc, "cpu");
	ck_assert(num(o, "seconds") == 2.0);
	ck_assert(num(o, "share_pct") == 25);	/* 2 s of 2 cores x 4 s */
	ck_assert_str_eq(json_string_value(json_object_get(o, "source")),
	    "proc");
	o = json_object_get(doc, "overhead");
	ck_assert(num(o, "overhead_pct") == 1.75);
	o = json_object_get(o, "parts_pct");
	ck_assert(num(o, "sampler") == 0.75);
	ck_assert(num(o, "memory_hooks") == 0.75);
	ck_assert(num(o, "copy_hooks") == 0.25);
	json_decref(doc);
	stacktab_free(&cpu);
	symbolizer_free(sym);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("report_mem");
	TCase *tc = tcase_create("memory");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, leak_is_named_and_echo_is_not);
	tcase_add_test(tc, cpu_only_has_no_memory_keys);
	suite_add_tcase(s, tc);
	tc = tcase_create("headline");
	tcase_add_test(tc, wilson_known_values);
	tcase_add_test(tc, headline_numbers);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
