/*
 * The reporter thread: builds report documents off the master's event
 * loop (symbolization and JSON are the heavy part), writes them to the
 * report store, and hands on-demand results back to the loop through a
 * pipe. Owns the symbolizer and the whole-run stack table.
 */
#ifndef HL_REPORTER_H
#define HL_REPORTER_H

#include <stdint.h>

#include "prof/prof.h"
#include "profile/memsite.h"
#include "report/report_json.h"
#include "profile/stacktab.h"
#include "profile/timeline.h"

struct push_item;
struct report_store;

enum report_kind {
	REPORT_INTERVAL,	/* a window: written, merged into the run */
	REPORT_FINAL,		/* the whole run, at stop: written */
	REPORT_ON_DEMAND,	/* GET /api/profiling/profile: returned */
};

struct report_job {
	enum report_kind	 kind;
	struct stacktab		 tab;		/* owned; moved in */
	struct stacktab		 mem;		/* owned: MEM_CLS_* by stack */
	struct memsnap		 snap;		/* owned: sites at the end */
	struct timeline		 tl;		/* owned: the window's points */
	/* tab, workers and handlers point here */
	struct report_input	 in;
	struct report_worker	*workers;	/* owned */
	struct report_handler	*handlers;	/* owned, names too */
	char			*only;		/* owned copies */
	char			*exclude;
	char			*source_root;	/* owned; for the HTML page */
	enum prof_format	 format;	/* on demand */
	enum prof_what		 what;
	int			 pprof;		/* a set gets a .pb.gz too */
	int			 push;		/* profiling_push_url is set */
	char			*save_name;	/* on demand: kept as a set */
	prof_answer_cb		*answer;	/* on demand; NULL: gone */
	void			*answer_arg;
	char			*result;	/* on demand: the body */
	size_t			 result_len;
	int			 failed;
	struct report_job	*next;
};

struct reporter_status {
	uint64_t	 written;	/* reports written */
	uint64_t	 failed;	/* writes that failed */
	uint64_t	 skipped;	/* jobs refused: queue full */
	char		 last_name[64];
	double		 last_seconds;	/* time the last report took */
	int64_t		 last_at;	/* epoch seconds */
	int		 debug_lines;	/* the daemon has line tables */
};

/* Start the thread (master, after signals are blocked). Returns 0, or -1
 * with a reason in err. */
int	 reporter_start(struct report_store *store, char *err, size_t errsize);
/* Queue a job; the reporter owns it from here. Returns -1 when the queue
 * is full (the job is freed and counted). */
int	 reporter_submit(struct report_job *job);
/* The descriptor the loop watches for finished on-demand jobs, and the
 * next finished one (NULL when none). */
int	 reporter_done_fd(void);
struct report_job *reporter_take_done(void);
/* The window profiles to push (a list, CPU first), or NULL. */
struct push_item *reporter_take_pushes(void);
/* Finish queued jobs (waiting at most budget_ms), then stop the thread. */
void	 reporter_stop(int budget_ms);
void	 reporter_get_status(struct reporter_status *st);
/* 1 when reporter_stop gave up on a job: the thread may still use the
 * report store, which must then outlive the process's cleanup. */
int	 reporter_abandoned(void);
void	 report_job_free(struct report_job *job);

#endif
