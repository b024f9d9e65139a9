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

struct stacktab;
struct symbolizer;

#define REPORT_SCHEMA_VERSION	"1.0"
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
	double		 utime_s;	/* from /proc/<pid>/stat, this window */
	double		 stime_s;
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
	double				 start;	/* epoch seconds */
	double				 end;
	int				 wall;	/* clock: wall, else cpu */
	int				 sample_interval_ms;
	const struct report_worker	*workers;
	int				 nworkers;
	const struct report_handler	*handlers;
	int				 nhandlers;
	const char			*only;	/* comma-separated substrings */
	const char			*exclude;
	int				 reduced;
	int				 threshold_pct;
};

/* The report document (a new reference). */
json_t	*report_build(struct symbolizer *sym, const struct report_input *in);
/* Folded stacks ("a;b;c 12\n", root first, weights in samples) for
 * flamegraph.pl and speedscope; a malloc'd string. */
char	*report_folded(struct symbolizer *sym, const struct stacktab *tab);
/* The heaviest REPORT_MAX_STACKS folded stacks as a JSON array. */
json_t	*report_stacks_json(struct symbolizer *sym, const struct stacktab *tab);

#endif
