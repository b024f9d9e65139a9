/*
 * hotline-bench: a WebSocket load generator for loopback targets.
 *
 * The main thread parses options, raises RLIMIT_NOFILE, starts one worker
 * thread per -t (each with its own event base), waits until every
 * connection is open, gives the go, prints progress, decides when the run
 * ends (deadline, quotas, Ctrl-C), joins, merges and reports. Signals are
 * blocked in the workers and only set a flag here.
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

#define WAIT_NS 10000000u /* main loop granularity */

static volatile sig_atomic_t got_signal;

static const struct bench_mode *const modes[] = {
	[MODE_RR] = &bench_mode_rr,
	[MODE_CONNECT] = &bench_mode_connect,
	[MODE_IDLE] = &bench_mode_idle,
	[MODE_BROADCAST] = &bench_mode_broadcast,
	[MODE_SCENARIO] = &bench_mode_scenario,
};

static void
main_signal_cb(int sig)
{
	got_signal = sig;
}

/* Raise the descriptor limit to fit every connection; -1 if impossible. */
static int
main_rlimit(const struct bench_opts *o)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)o->conns + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_cur >= need)
		return 0;
	rl.rlim_cur = rl.rlim_max > need ? rl.rlim_max : need;
	if (rl.rlim_max < need)
		rl.rlim_max = need; /* only root may do this */
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return 0;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	if (rl.rlim_max >= need && setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return 0;
	fprintf(stderr,
	    "hotline-bench: %u connections need %llu descriptors; "
	    "the hard limit is %llu (ulimit -n)\n",
	    o->conns, (unsigned long long)need,
	    (unsigned long long)rl.rlim_max);
	return -1;
}

/* Empty a set of counters' histograms. */
static void
main_stats_init(struct bench_stats *s)
{
	unsigned k;

	hist_init(&s->lat);
	hist_init(&s->last);
	for (k = 0; k < BENCH_MAX_PKGS; k++)
		hist_init(&s->pkg[k].lat);
}

/* Share connections and the -n count between the threads. */
static void
main_split(struct bench_run *run)
{
	const struct bench_opts *o = run->o;
	unsigned i, n = run->nthreads;

	for (i = 0; i < n; i++) {
		struct bench_thread *t = &run->threads[i];

		t->id = i;
		t->run = run;
		t->nconns = o->conns / n + (i < o->conns % n);
		if (o->mode == MODE_BROADCAST && o->publish && i == 0)
			t->nconns++; /* the publisher is the last slot */
		main_stats_init(&t->st);
		if (o->count && o->mode != MODE_BROADCAST)
			t->quota = o->count / n + (i < o->count % n);
		else if (o->count && o->publish == NULL)
			t->quota = o->count / n + (i < o->count % n);
	}
}

/* Sleep one main-loop step (a signal cuts it short). */
static void
main_nap(void)
{
	struct timespec ts = { 0, WAIT_NS };

	nanosleep(&ts, NULL);
}

/* Wait until every thread has its connections open; -1 on failure. */
static int
main_wait_open(struct bench_run *run)
{
	while (__atomic_load_n(&run->ready_threads, __ATOMIC_ACQUIRE) <
	    run->nthreads) {
		if (__atomic_load_n(&run->setup_failed, __ATOMIC_ACQUIRE))
			return -1;
		if (got_signal) {
			run->interrupted = 1;
			return -1;
		}
		main_nap();
	}
	return 0;
}

/* True when the run should end now. */
static int
main_should_stop(struct bench_run *run, uint64_t now)
{
	if (got_signal) {
		run->interrupted = 1;
		return 1;
	}
	if (__atomic_load_n(&run->setup_failed, __ATOMIC_ACQUIRE))
		return 1;
	if (__atomic_load_n(&run->done_threads, __ATOMIC_ACQUIRE) ==
	    run->nthreads)
		return 1;
	if (run->mode->finished != NULL)
		return run->mode->finished(run, now);
	return run->t_end != 0 && now >= run->t_end;
}

/* Give the go and supervise the run until it ends; returns the end time. */
static uint64_t
main_supervise(struct bench_run *run)
{
	const struct bench_opts *o = run->o;
	uint64_t now = bench_now(), next_progress;
	unsigned i;

	run->t_go = now;
	run->wall_go = bench_wall();
	run->t_measure = now + (uint64_t)(o->warmup * 1e9);
	run->t_end =
	    o->duration ? run->t_measure + (uint64_t)(o->duration * 1e9) : 0;
	__atomic_store_n(&run->go, 1, __ATOMIC_RELEASE);
	next_progress = now + 1000000000u;
	while (!main_should_stop(run, now = bench_now())) {
		if (o->progress && now >= next_progress) {
			bench_report_progress(
			    run, (double)(now - run->t_go) / 1e9);
			next_progress += 1000000000u;
		}
		main_nap();
	}
	for (i = 0; i < run->nthreads; i++)
		run->held += STAT_LOAD(run->threads[i].st.opened);
	__atomic_store_n(&run->stop, 1, __ATOMIC_RELEASE);
	return now;
}

/* Add one thread's counters and histograms to the run's totals. */
static void
main_merge_stats(struct bench_stats *d, const struct bench_stats *s)
{
	int k;

	d->messages += s->messages;
	d->sent += s->sent;
	d->errors += s->errors;
	for (k = 0; k < ERR__COUNT; k++)
		d->err_kind[k] += s->err_kind[k];
	d->hs_failures += s->hs_failures;
	d->bytes_out += s->bytes_out;
	d->bytes_in += s->bytes_in;
	d->opened += s->opened;
	d->published += s->published;
	d->other += s->other;
	d->done_conns += s->done_conns;
	d->incomplete += s->incomplete;
	d->untracked += s->untracked;
	hist_merge(&d->lat, &s->lat);
	hist_merge(&d->last, &s->last);
	for (k = 0; k < BENCH_MAX_PKGS; k++) {
		d->pkg[k].errors += s->pkg[k].errors;
		hist_merge(&d->pkg[k].lat, &s->pkg[k].lat);
	}
}

/* Seconds measured: the window, cut short by quotas or an interruption. */
static double
main_elapsed(const struct bench_run *run, uint64_t t_stop)
{
	uint64_t start = run->t_measure, end = t_stop, last = 0;
	unsigned i;

	for (i = 0; i < run->nthreads; i++)
		if (run->threads[i].t_done > last)
			last = run->threads[i].t_done;
	if (run->o->mode == MODE_SCENARIO)
		start = run->t_go;
	if (run->t_end && run->t_end < end)
		end = run->t_end;
	if (last && last < end &&
	    (run->done_threads == run->nthreads ||
		run->o->mode == MODE_BROADCAST))
		end = last;
	return end > start ? (double)(end - start) / 1e9 : 0;
}

/* Start the threads with signals blocked so that only main sees them. */
static int
main_start(struct bench_run *run, pthread_t *tids)
{
	sigset_t all, old;
	unsigned i;
	int rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < run->nthreads && rc == 0; i++)
		rc = pthread_create(
		    &tids[i], NULL, bench_thread_main, &run->threads[i]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		fprintf(stderr, "hotline-bench: pthread_create: %s\n",
		    strerror(rc));
		run->nthreads = i - 1;
		return -1;
	}
	return 0;
}

/* Handle SIGINT/SIGTERM with a flag; writes to a closed socket fail. */
static void
main_signals(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = main_signal_cb;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char **argv)
{
	static struct bench_opts o;
	static struct bench_run run;
	pthread_t tids[BENCH_MAX_THREADS];
	uint64_t t0, t_stop = 0;
	unsigned i;
	int rc, setup_ok;

	rc = bench_opts_parse(&o, argc, argv);
	if (rc != 0)
		return rc == 2 ? EXIT_SUCCESS : 2;
	if (main_rlimit(&o) < 0)
		return EXIT_FAILURE;
	main_signals();
	run.o = &o;
	run.mode = modes[o.mode];
	run.nthreads = o.threads;
	main_split(&run);
	main_stats_init(&run.total);
	t0 = bench_now();
	setup_ok = main_start(&run, tids) == 0 && main_wait_open(&run) == 0;
	if (setup_ok) {
		run.t_open_ns = bench_now() - t0;
		if (run.mode->persistent && o.ramp == 0)
			printf("hotline-bench: all %u connections open in %.3f "
			       "s\n",
			    o.conns, (double)run.t_open_ns / 1e9);
		fflush(stdout);
		t_stop = main_supervise(&run);
		setup_ok = !run.setup_failed;
	}
	__atomic_store_n(&run.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < run.nthreads; i++)
		pthread_join(tids[i], NULL);
	for (i = 0; i < run.nthreads; i++)
		main_merge_stats(&run.total, &run.threads[i].st);
	if (setup_ok && run.mode->merge != NULL)
		run.mode->merge(&run);
	for (i = 0; i < run.nthreads; i++)
		bench_thread_free(&run.threads[i]);
	if (!setup_ok && !run.interrupted) {
		fprintf(stderr,
		    "hotline-bench: setup failed: %llu connection "
		    "attempts failed%s\n",
		    (unsigned long long)run.total.hs_failures,
		    run.mode->persistent ? " before all were open"
					 : " before any upgrade succeeded");
		return EXIT_FAILURE;
	}
	if (setup_ok)
		run.elapsed = main_elapsed(&run, t_stop);
	bench_report_final(&run);
	bench_msg_free(&o.msgs);
	return run.interrupted ? 130 : EXIT_SUCCESS;
}
