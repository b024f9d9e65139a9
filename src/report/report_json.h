/*
 * Building a report: samples aggregated by stack (stacktab) resolved to
 * lines, functions, handlers and folded stacks, as the JSON document that is
 * hotline's report contract (docs/report-format.md). Runs in the reporter
 * thread with its own symbolizer.
 */
#ifndef HL_REPORT_JSON_H
#define HL_REPORT_JSON_H

#include <jansson.h>
#include <stdint.h>

struct leaktrack;
struct report_folded;
struct memsnap;
struct stacktab;
struct symbolizer;
struct timeline;

/* Classes of the memory stack table (struct stacktab's cls): samples are
 * sampled events, weight_ns holds bytes. A free is keyed by the stack
 * that allocated the block. */
enum { MEM_CLS_ALLOC, MEM_CLS_FREE, MEM_CLS_COPY };

#define REPORT_SCHEMA_VERSION	"1.5"
#define REPORT_MAX_LINES	5000	/* per report */
#define REPORT_MAX_STACKS	2000	/* folded stacks in the JSON */

/* One worker's part of the window. */
struct report_worker {
	int		 slot;
	int		 index;
	int		 pid;
	uint64_t	 samples;
	uint64_t	 dropped;
	uint64_t	 handler_ns;	/* sampler overhead */
	uint64_t	 delivery_ns;	/* samples x one signal's cost */
	uint64_t	 hook_ns;	/* memory hooks' sampled path */
	uint64_t	 copy_hook_ns;	/* of which the copy hooks' */
	double		 utime_s;	/* from /proc/<pid>/stat, this window */
	double		 stime_s;
	uint64_t	 rss_bytes;	/* at the window's end */
	uint64_t	 heap_bytes;	/* sampled heap in use, window end */
	uint64_t	 alloc_bytes;	/* sampled allocations, this window */
	uint64_t	 mem_dropped;	/* memory records lost to a full ring */
	int		 exited;	/* reaped: CPU from wait4's rusage */
	int		 status;	/* its wait status, when exited */
	uint32_t	 folded;	/* more exited workers summed in here */
};

/* One handler's calls in the window (from the latency histograms). */
struct report_handler {
	int32_t		 pkg_id;
	char		*name;		/* owned by the job */
	uint64_t	 calls;
};

struct report_input {
	const struct stacktab		*tab;
	const char			*kind;	/* interval, final, on_demand */
	/* Windows with no sample since the last stored report (not
	 * written); a stored report's header says how many. */
	uint64_t			 skipped_empty_windows;
	double				 start;	/* epoch seconds */
	double				 end;
	int				 wall;	/* clock: wall, else cpu */
	int				 sample_interval_ms;
	/* perf, posix...; NULL: unknown */
	const char			*timer;
	const struct report_worker	*workers;
	int				 nworkers;
	const struct report_handler	*handlers;
	int				 nhandlers;
	const char			*only;	/* comma-separated substrings */
	const char			*exclude;
	int				 reduced;
	int				 threshold_pct;
	/* Memory (NULL mem: none was sampled, no memory keys). */
	const struct stacktab		*mem;	/* MEM_CLS_* by stack */
	const struct memsnap		*snap;	/* sites at the window's end */
	const struct timeline		*timeline; /* NULL: none */
	struct leaktrack		*leaks;	/* the run's history, or NULL */
	int				 leaks_record; /* a stored report */
	/* malloc hooks built in */
	int				 memory_hooks;
	int				 copy;	/* copy sampling on */
	uint64_t			 memory_sample_bytes;
	double				 leak_min_growth; /* bytes/s */
	/* tab's folded stacks when the caller collected them; NULL:
	 * report_build collects (and frees) its own. */
	const struct report_folded	*folded;
};

/* The report document (a new reference). */
json_t	*report_build(struct symbolizer *sym, const struct report_input *in);
/* A table's stacks resolved to "root;...;leaf" text and merged by it,
 * heaviest first: collected once per window, it gives both the .folded
 * file and the document's "stacks". */
struct report_folded *report_folded_collect(struct symbolizer *sym,
	    const struct stacktab *tab);
void	 report_folded_free(struct report_folded *rf);
/* Folded stacks ("a;b;c 12\n", root first, weights in samples) for
 * flamegraph.pl and speedscope; a malloc'd string. */
char	*report_folded_text(const struct report_folded *rf);
/* The heaviest REPORT_MAX_STACKS of them as a JSON array. */
json_t	*report_folded_json(const struct report_folded *rf);
/* The allocations of a memory table (MEM_CLS_ALLOC entries) folded the
 * same way, weighted by sampled bytes: the heaviest REPORT_MAX_STACKS as
 * [{"stack", "bytes", "samples"}], most bytes first. */
json_t	*report_folded_alloc_json(struct symbolizer *sym,
	    const struct stacktab *mem);

#endif
