/*
 * Inside the report builder (report_json.c for CPU, report_mem.c for
 * memory, copies, leaks and timelines): the records a report is made of,
 * keyed by interned symbolizer strings.
 */
#ifndef HL_REPORT_INT_H
#define HL_REPORT_INT_H

#include <jansson.h>
#include <stdint.h>

#include "report/report_json.h"
#include "profile/symbolize.h"

enum { CLS_OWN, CLS_NATIVE, CLS_SYSTEM, CLS_IDLE, CLS_COUNT };

#define REPORT_LIBS		4	/* native libraries named per line */
#define REPORT_TIMELINE_LINES	10	/* lines given a memory timeline */

/* Time of one line (or function, or handler) by class. */
struct tally {
	uint64_t	 samples[CLS_COUNT];
	uint64_t	 weight[CLS_COUNT];
};

/* Memory and copies of one line (or function, or the whole window). */
struct memtally {
	uint64_t	 alloc_bytes;	/* sampled weight, this window */
	uint64_t	 free_bytes;
	uint64_t	 mallocs;	/* sampled events, this window */
	uint64_t	 frees;
	uint64_t	 copy_bytes;
	uint64_t	 copies;
	uint64_t	 live;		/* sampled bytes in use, window end */
	uint64_t	 exited;	/* in use when their worker exited */
	uint64_t	 peak;		/* sum of its sites' peaks */
	uint64_t	 run_mallocs;	/* since the start, for leaks */
	uint64_t	 run_frees;
};

struct line_rec {
	const char	*file;
	const char	*function;
	uint32_t	 line;
	struct tally	 t;
	struct memtally	 m;
	int		 timeline;	/* has a memory timeline (0/1) */
	int		 leak;		/* flagged as a leak */
	double		 likelihood;	/* leak likelihood, since the start */
	const char	*libs[REPORT_LIBS];
};

struct func_rec {
	const char	*function;
	const char	*file;
	uint32_t	 line;		/* first line charged */
	struct tally	 t;
	struct memtally	 m;
};

/* A tiny open-addressing index from (pointer, number) to an array slot;
 * strings from the symbolizer are interned, so pointers compare. */
struct index {
	size_t		*slots;		/* record number + 1, 0 empty */
	size_t		 n;		/* power of two */
};

/* Own objects without line tables a report lists (more are not named). */
#define REPORT_NOLINES_MAX 16

struct builder {
	struct symbolizer	*sym;
	const struct report_input *in;
	struct line_rec		*lines;
	size_t			 nlines, lines_cap;
	struct index		 line_ix;
	struct func_rec		*funcs;
	size_t			 nfuncs, funcs_cap;
	struct index		 func_ix;
	struct tally		 total;
	struct memtally		 mtotal;
	/* samples past REPORT_MAX_LINES */
	uint64_t		 dropped_lines;
	uint64_t		 unresolved;	/* samples with no own frame */
	const char		**site_file;	/* memsnap site -> its line */
	uint32_t		*site_lineno;
	json_t			*leaks;		/* built with the lines */
	/* objects charged without a line table */
	const char		*nolines[REPORT_NOLINES_MAX];
	int			 nnolines;
};

/* The frame a stack is charged to: the innermost frame of own code with a
 * file, designated wrappers (xmalloc and the like) skipped so the line is
 * the one that asked. pcs[0] is an exact pc when exact0 (a CPU sample),
 * else a return address like the others. Returns 0, or -1 when no frame
 * qualifies. */
int	 report_charge(struct builder *b, const uint64_t *pcs, unsigned depth,
	    int exact0, struct sym_frame *out);
struct line_rec *report_line(struct builder *b, const struct sym_frame *f);
struct func_rec *report_func(struct builder *b, const struct sym_frame *f);

/* Memory: charge the window's memory table and the sites' snapshot. */
void	 report_mem_add(struct builder *b);
/* Add the memory keys of a file or function, a line, or the totals. */
enum { MEM_KEYS_FILE, MEM_KEYS_LINE, MEM_KEYS_TOTALS };
void	 report_mem_json(json_t *o, const struct builder *b,
	    const struct memtally *m, int level);
void	 memtally_add(struct memtally *to, const struct memtally *from);
/* After charging: leak verdicts (a stored report records each line's
 * history), and which lines get a timeline. */
void	 report_mem_finish(struct builder *b);
/* The per-line timeline, top-level timeline, memory, leaks objects and
 * the per-handler allocation figures, set on doc. */
void	 report_mem_doc(struct builder *b, json_t *doc);
json_t	*report_mem_line_timeline(const struct builder *b,
	    const struct line_rec *l);
/* Allocated bytes while a handler ran. */
uint64_t report_mem_handler_bytes(const struct builder *b, int32_t pkg_id);
int	 report_has_memory(const struct builder *b);

/* report_headline.c: pct_lo and pct_hi on o (which has its cpu_pct) for
 * k of the window's samples; and the document's cpu, filters, intervals
 * and overhead parts, from the finished document (sampled: the window's
 * sampled CPU seconds). */
void	 report_interval_json(const struct builder *b, json_t *o, uint64_t k);
void	 report_headline_doc(const struct builder *b, json_t *doc,
	    double sampled);
double	 report_mb(uint64_t bytes);

#endif
