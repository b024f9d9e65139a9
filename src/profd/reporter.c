/*
 * The reporter thread and its queue. The master's loop only moves stack
 * tables into jobs; everything slow happens here. The queue is bounded:
 * a reporter that falls behind skips windows (counted) rather than let
 * memory grow.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profile/leaktrack.h"
#include "core/log.h"
#include "app/module.h"
#include "report/report_html.h"
#include "report/report_pprof.h"
#include "report/report_store.h"
#include "profd/push.h"
#include "profd/reporter.h"
#include "profile/symbolize.h"
#include "core/util.h"

#define REPORTER_QUEUE_MAX	4

static struct {
	pthread_t		 thread;
	int			 running;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	pthread_mutex_t		 work;		/* held while a job is built */
	int			 fork_held;	/* taken by the atfork hook */
	int			 thread_ready;	/* the thread has started */
	struct report_job	*queue, *done;
	struct push_item	*pushes;	/* for the loop to push */
	int			 queued;
	int			 busy;		/* a job is being built */
	int			 abandoned;	/* stopped without a join */
	int			 stopping;
	int			 done_pipe[2];
	struct report_store	*store;
	struct symbolizer	*sym;
	struct stacktab		 run;		/* the whole run */
	struct stacktab		 run_mem;
	struct timeline		 run_tl;
	struct leaktrack	 leaks;		/* per-line memory history */
	struct report_handler	*run_calls;	/* calls per pkg_id, the run */
	int			 nrun_calls;
	double			 run_start;
	struct reporter_status	 status;
} rep = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.work = PTHREAD_MUTEX_INITIALIZER,
	.done_pipe = { -1, -1 },
};

void
report_job_free(struct report_job *job)
{
	int i;

	if (job == NULL)
		return;
	stacktab_free(&job->tab);
	stacktab_free(&job->mem);
	memsnap_free(&job->snap);
	timeline_free(&job->tl);
	free(job->workers);
	for (i = 0; job->handlers != NULL && i < job->in.nhandlers; i++)
		free(job->handlers[i].name);
	free(job->handlers);
	free(job->only);
	free(job->exclude);
	free(job->source_root);
	free(job->save_name);
	free(job->result);
	free(job);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Write one file of a report set; failures are logged and counted. */
static int
reporter_write_bytes(const char *set, time_t stamp, const char *ext,
    const void *bytes, size_t len, char *name)
{
	char err[512] = "cannot name the file";

	name[0] = '\0';
	if (report_store_name_set(rep.store, set, stamp, ext, name) == -1 ||
	    report_store_write(rep.store, name, bytes, len, err,
	    sizeof err) == -1) {
		log_error("report %s: %s", name, err);
		return -1;
	}
	return 0;
}

static int
reporter_write(time_t stamp, const char *ext, const char *text, char *name)
{
	return reporter_write_bytes(NULL, stamp, ext, text, strlen(text),
	    name);
}

/* The set's .pb.gz, when profiling_pprof asks for it: the same table the
 * JSON was built from. */
static int
reporter_write_pprof(struct report_job *job, time_t stamp)
{
	char name[REPORT_STORE_NAME_MAX];
	double t0 = now_seconds();
	unsigned char *gz;
	size_t len;
	int rc;

	if (!job->pprof)
		return 0;
	if ((gz = report_pprof(rep.sym, &job->in, PPROF_CPU, &len)) == NULL)
		return -1;
	t0 = now_seconds() - t0;
	rc = reporter_write_bytes(NULL, stamp, "pb.gz", gz, len, name);
	/* Its cost, for docs/pprof.md's figures. */
	log_debug("report %s: %zu stacks as %zu bytes of pprof in %.2f ms",
	    name, job->in.tab->count, len, t0 * 1e3);
	free(gz);
	return rc;
}

/* Count a report set written (rc 0) or failed. */
static void
reporter_count(int rc, const char *name, time_t stamp, double t0)
{
	pthread_mutex_lock(&rep.lock);
	if (rc == 0) {
		rep.status.written++;
		snprintf(rep.status.last_name, sizeof rep.status.last_name,
		    "%s", name);
		rep.status.last_at = (int64_t)stamp;
		rep.status.last_seconds = now_seconds() - t0;
	} else {
		rep.status.failed++;
	}
	pthread_mutex_unlock(&rep.lock);
}

/* Build and store a report set: JSON, the HTML page rendered from that
 * document (source files are read here, in the reporter thread), folded
 * stacks. */
static void
reporter_store_job(struct report_job *job, const struct stacktab *tab)
{
	time_t stamp = (time_t)job->in.end;
	char name[REPORT_STORE_NAME_MAX], other[REPORT_STORE_NAME_MAX];
	double t0 = now_seconds();
	struct report_folded *stacks = report_folded_collect(rep.sym, tab);
	json_t *doc;
	char *text, *html, *folded;
	int rc;

	job->in.tab = tab;
	job->in.folded = stacks;
	doc = report_build(rep.sym, &job->in);
	job->in.folded = NULL;
	text = json_dumps(doc, JSON_COMPACT);
	html = report_html_render(doc, &(struct report_html_opts){
	    job->source_root, 0 });
	json_decref(doc);
	folded = report_folded_text(stacks);
	report_folded_free(stacks);
	rc = text == NULL ? -1 : reporter_write(stamp, "json", text, name);
	if (rc == 0 && html != NULL)
		rc = reporter_write(stamp, "html", html, other);
	if (rc == 0)
		rc = reporter_write(stamp, "folded", folded, other);
	if (rc == 0)
		rc = reporter_write_pprof(job, stamp);
	free(text);
	free(html);
	free(folded);
	reporter_count(rc, name, stamp, t0);
}

/* Wake the loop: an on-demand answer or profiles to push are ready. */
static void
reporter_wake(void)
{
	if (write(rep.done_pipe[1], "x", 1) != 1)
		log_warn("reporter: cannot wake the loop");
}

/* An on-demand body in each format (job->result, its length set or
 * left to strlen). */
static void
reporter_answer_folded(struct report_job *job)
{
	struct report_folded *stacks = report_folded_collect(rep.sym,
	    &job->tab);

	job->result = report_folded_text(stacks);
	report_folded_free(stacks);
}

static void
reporter_answer_json(struct report_job *job)
{
	json_t *doc = report_build(rep.sym, &job->in);

	job->result = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
}

static void
reporter_answer_html(struct report_job *job)
{
	json_t *doc = report_build(rep.sym, &job->in);

	job->result = report_html_render(doc, &(struct report_html_opts){
	    job->source_root, 0 });
	json_decref(doc);
}

static void
reporter_answer_pprof(struct report_job *job)
{
	static const enum pprof_kind kinds[] = {
		[PROF_WHAT_CPU] = PPROF_CPU,
		[PROF_WHAT_HEAP] = PPROF_HEAP,
		[PROF_WHAT_ALLOCS] = PPROF_ALLOCS,
	};

	job->result = (char *)report_pprof(rep.sym, &job->in,
	    kinds[job->what], &job->result_len);
}

static void (*const reporter_answers[])(struct report_job *) = {
	[PROF_FORMAT_JSON] = reporter_answer_json,
	[PROF_FORMAT_FOLDED] = reporter_answer_folded,
	[PROF_FORMAT_PPROF] = reporter_answer_pprof,
	[PROF_FORMAT_HTML] = reporter_answer_html,
};

/* ?name=NAME: the on-demand window is also kept as a named set,
 * NAME_profile_<stamp>_<seq>.{json,html}. */
static void
reporter_save_named(struct report_job *job)
{
	time_t stamp = (time_t)job->in.end;
	char name[REPORT_STORE_NAME_MAX], other[REPORT_STORE_NAME_MAX];
	double t0 = now_seconds();
	json_t *doc = report_build(rep.sym, &job->in);
	char *text = json_dumps(doc, JSON_COMPACT), *html;
	int rc = -1;

	html = report_html_render(doc, &(struct report_html_opts){
	    job->source_root, 0 });
	json_decref(doc);
	if (text != NULL && html != NULL &&
	    reporter_write_bytes(job->save_name, stamp, "json", text,
	    strlen(text), name) == 0)
		rc = reporter_write_bytes(job->save_name, stamp, "html", html,
		    strlen(html), other);
	reporter_count(rc, name, stamp, t0);
	free(text);
	free(html);
}

/* An on-demand job's body, handed back to the loop. */
static void
reporter_answer(struct report_job *job)
{
	if (job->save_name != NULL)
		reporter_save_named(job);
	reporter_answers[job->format](job);
	if (job->result != NULL && job->result_len == 0)
		job->result_len = strlen(job->result);
	job->failed = job->result == NULL;
	pthread_mutex_lock(&rep.lock);
	job->next = rep.done;
	rep.done = job;
	pthread_mutex_unlock(&rep.lock);
	reporter_wake();
}

/* Add the window's handler calls to the run's; with `out`, the job's
 * handlers then carry the run's totals (the final report's). */
static void
reporter_merge_calls(struct report_job *job, int out)
{
	int h, r;

	for (h = 0; h < job->in.nhandlers; h++) {
		struct report_handler *jh = &job->handlers[h];

		for (r = 0; r < rep.nrun_calls &&
		    rep.run_calls[r].pkg_id != jh->pkg_id; r++)
			;
		if (r == rep.nrun_calls) {
			rep.run_calls = xrealloc(rep.run_calls,
			    (size_t)(r + 1) * sizeof *rep.run_calls);
			rep.run_calls[r] = (struct report_handler){
			    jh->pkg_id, NULL, 0 };
			rep.nrun_calls++;
		}
		rep.run_calls[r].calls += jh->calls;
		if (out)
			jh->calls = rep.run_calls[r].calls;
	}
}

/* A window joins the run: stacks, memory, timeline and calls. */
static void
reporter_merge_run(struct report_job *job)
{
	reporter_merge_calls(job, job->kind == REPORT_FINAL);
	if (rep.run_start == 0)
		rep.run_start = job->in.start;
	stacktab_merge(&rep.run, &job->tab);
	stacktab_merge(&rep.run_mem, &job->mem);
	if (rep.run_tl.npoints == 0)
		rep.run_tl.interval_s = job->tl.interval_s;
	timeline_append(&rep.run_tl, &job->tl);
}

/* A profile of the window for the loop to push (NULL when zlib fails). */
static struct push_item *
reporter_push_item(struct report_job *job, enum pprof_kind kind)
{
	struct push_item *it = xcalloc(1, sizeof *it);

	it->body = report_pprof(rep.sym, &job->in, kind, &it->len);
	it->from = (int64_t)job->in.start;
	it->until = (int64_t)job->in.end;
	it->sample_rate = 1000 / HL_MAX(job->in.sample_interval_ms, 1);
	if (it->body != NULL)
		return it;
	push_item_free(it);
	return NULL;
}

/* profiling_push_url: the window's CPU and, with memory sampled, its
 * allocations, handed to the loop (push.c sends them). */
static void
reporter_push(struct report_job *job)
{
	struct push_item *cpu = reporter_push_item(job, PPROF_CPU), *mem = NULL;

	if (job->in.mem != NULL)
		mem = reporter_push_item(job, PPROF_WINDOW_ALLOCS);
	pthread_mutex_lock(&rep.lock);
	if (mem != NULL) {
		mem->next = rep.pushes;
		rep.pushes = mem;
	}
	if (cpu != NULL) {
		cpu->next = rep.pushes;
		rep.pushes = cpu;
	}
	pthread_mutex_unlock(&rep.lock);
	reporter_wake();
}

struct push_item *
reporter_take_pushes(void)
{
	struct push_item *list;

	pthread_mutex_lock(&rep.lock);
	list = rep.pushes;
	rep.pushes = NULL;
	pthread_mutex_unlock(&rep.lock);
	return list;
}

static void
reporter_run_job(struct report_job *job)
{
	job->in.leaks = &rep.leaks;
	switch (job->kind) {
	case REPORT_ON_DEMAND:
		reporter_answer(job);
		return;		/* the loop frees it */
	case REPORT_INTERVAL:
		reporter_merge_run(job);
		job->in.leaks_record = 1;
		reporter_store_job(job, &job->tab);
		if (job->push)
			reporter_push(job);
		break;
	case REPORT_FINAL:
		reporter_merge_run(job);
		job->in.start = rep.run_start;
		job->in.leaks_record = 1;
		if (job->in.mem != NULL)
			job->in.mem = &rep.run_mem;
		job->in.timeline = &rep.run_tl;
		reporter_store_job(job, &rep.run);
		break;
	}
	report_job_free(job);
}

static struct report_job *
reporter_next(void)
{
	struct report_job *job;

	pthread_mutex_lock(&rep.lock);
	rep.busy = 0;
	while (rep.queue == NULL && !rep.stopping)
		pthread_cond_wait(&rep.cond, &rep.lock);
	job = rep.queue;
	if (job != NULL) {
		rep.queue = job->next;
		rep.queued--;
		rep.busy = 1;
	}
	pthread_mutex_unlock(&rep.lock);
	return job;
}

static void *
reporter_main(void *arg)
{
	struct report_job *job;

	pthread_mutex_lock(&rep.lock);
	rep.thread_ready = 1;
	pthread_cond_broadcast(&rep.cond);
	pthread_mutex_unlock(&rep.lock);
	while ((job = reporter_next()) != NULL) {
		pthread_mutex_lock(&rep.work);
		reporter_run_job(job);
		pthread_mutex_unlock(&rep.work);
	}
	return NULL;
}

/* Workers fork from the master while this thread may be building a
 * report. A child gets only the forking thread, so any lock this thread
 * held at that instant stays held in the child for good: glibc's malloc is
 * safe (glibc takes its locks around fork), libdw's and ASan's allocator
 * (GCC 12's has no atfork handler) are not. So fork waits for the job in
 * progress, at most REPORTER_FORK_WAIT_S (a job abandoned at stop keeps
 * the lock). */
#define REPORTER_FORK_WAIT_S	5

static void
reporter_fork_prepare(void)
{
	struct timespec until;

	if (!rep.running)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += REPORTER_FORK_WAIT_S;
	rep.fork_held = pthread_mutex_timedlock(&rep.work, &until) == 0;
}

static void
reporter_fork_release(void)
{
	if (rep.fork_held) {
		rep.fork_held = 0;
		pthread_mutex_unlock(&rep.work);
	}
}

/* Resolve one pc in a library without debug information now, on the main
 * thread: libdw then starts its debuginfod client (with no URLs nothing is
 * fetched), which initializes libcurl and OpenSSL. Done here rather than in
 * the reporter thread, that one-time state belongs to the main thread,
 * which every forked worker has too. */
static void
reporter_warm_up(void)
{
	struct sym_frame f;

	symbolizer_lookup(rep.sym, (uint64_t)(uintptr_t)&EVP_Digest, 0, &f, 1);
}

int
reporter_start(struct report_store *store, char *err, size_t errsize)
{
	size_t i;

	rep.store = store;
	if ((rep.sym = symbolizer_new(getpid())) == NULL) {
		snprintf(err, errsize, "profiler: cannot read this process's "
		    "maps for symbolization");
		return -1;
	}
	for (i = 0; i < module_count(); i++)
		symbolizer_mark_own(rep.sym, module_path(i));
	reporter_warm_up();
	rep.status.debug_lines = !symbolizer_stripped(rep.sym);
	if (!rep.status.debug_lines)
		log_warn("profiler: hotlined has no line tables; reports name "
		    "functions only");
	stacktab_init(&rep.run, 200000);
	stacktab_init(&rep.run_mem, 200000);
	timeline_init(&rep.run_tl, 1);
	leaktrack_init(&rep.leaks);
	if (pipe2(rep.done_pipe, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    pthread_atfork(reporter_fork_prepare, reporter_fork_release,
	    reporter_fork_release) != 0 ||
	    pthread_create(&rep.thread, NULL, reporter_main, NULL) != 0) {
		snprintf(err, errsize,
		    "profiler: cannot start the reporter: %s", strerror(errno));
		return -1;
	}
	/* Let the thread finish starting (the C library and ASan set up a
	 * new thread under their own locks) before any worker is forked. */
	pthread_mutex_lock(&rep.lock);
	while (!rep.thread_ready)
		pthread_cond_wait(&rep.cond, &rep.lock);
	pthread_mutex_unlock(&rep.lock);
	rep.running = 1;
	return 0;
}

int
reporter_submit(struct report_job *job)
{
	struct report_job **tail;

	pthread_mutex_lock(&rep.lock);
	if (!rep.running || rep.queued >= REPORTER_QUEUE_MAX) {
		rep.status.skipped++;
		pthread_mutex_unlock(&rep.lock);
		report_job_free(job);
		return -1;
	}
	for (tail = &rep.queue; *tail != NULL; tail = &(*tail)->next)
		;
	job->next = NULL;
	*tail = job;
	rep.queued++;
	pthread_cond_signal(&rep.cond);
	pthread_mutex_unlock(&rep.lock);
	return 0;
}

int
reporter_done_fd(void)
{
	return rep.done_pipe[0];
}

struct report_job *
reporter_take_done(void)
{
	struct report_job *job;
	char buf[64];

	if (read(rep.done_pipe[0], buf, sizeof buf) < 0) {
		/* Drained already; the list is what counts. */
	}
	pthread_mutex_lock(&rep.lock);
	job = rep.done;
	if (job != NULL)
		rep.done = job->next;
	pthread_mutex_unlock(&rep.lock);
	return job;
}

/* Wait until every job is done, at most budget_ms; returns the jobs (in
 * the queue or in progress) still unfinished. */
static int
reporter_drain_wait(int budget_ms)
{
	int waited = 0, left;

	for (;;) {
		pthread_mutex_lock(&rep.lock);
		left = rep.queued + rep.busy;
		pthread_mutex_unlock(&rep.lock);
		if (left == 0 || waited >= budget_ms)
			return left;
		usleep(10000);
		waited += 10;
	}
}

void
reporter_stop(int budget_ms)
{
	if (!rep.running)
		return;
	if (reporter_drain_wait(budget_ms) > 0) {
		/* A report still being built is abandoned with the process:
		 * joining could wait as long as it takes. */
		log_warn("profiler: reports unfinished after %d ms; skipped",
		    budget_ms);
		rep.running = 0;
		rep.abandoned = 1;
		return;
	}
	pthread_mutex_lock(&rep.lock);
	rep.stopping = 1;
	while (rep.queue != NULL) {
		struct report_job *job = rep.queue;

		rep.queue = job->next;
		rep.queued--;
		rep.status.skipped++;
		report_job_free(job);
	}
	pthread_cond_signal(&rep.cond);
	pthread_mutex_unlock(&rep.lock);
	/* The job in progress finishes; a stuck one would hang the stop, so
	 * the budget above is the only wait for queued work. */
	pthread_join(rep.thread, NULL);
	rep.running = 0;
	while ((rep.done) != NULL) {
		struct report_job *job = rep.done;

		rep.done = job->next;
		report_job_free(job);
	}
	while (rep.pushes != NULL) {
		struct push_item *it = rep.pushes;

		rep.pushes = it->next;
		push_item_free(it);
	}
	symbolizer_free(rep.sym);
	stacktab_free(&rep.run);
	stacktab_free(&rep.run_mem);
	timeline_free(&rep.run_tl);
	leaktrack_free(&rep.leaks);
	free(rep.run_calls);
	rep.run_calls = NULL;
	rep.nrun_calls = 0;
	close(rep.done_pipe[0]);
	close(rep.done_pipe[1]);
}

int
reporter_abandoned(void)
{
	return rep.abandoned;
}

void
reporter_get_status(struct reporter_status *st)
{
	pthread_mutex_lock(&rep.lock);
	*st = rep.status;
	pthread_mutex_unlock(&rep.lock);
}
