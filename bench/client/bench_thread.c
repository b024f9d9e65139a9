/*
 * hotline-bench: a worker thread. It owns one event base and its slice of
 * the connections, opens them (persistent modes) a burst at a time, waits
 * for the main thread's go, and leaves its loop when the main thread says
 * stop. A 10 ms tick reads those flags, drives the mode's timers and, every
 * 100 ms, times out slow handshakes and closes. With --ramp the thread is
 * ready at once and its tick opens the connections after the go, at
 * R/threads per second (locust's spawn rate); a failed one is lost, not a
 * setup failure.
 */
#include "autoconf.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define TICK_US  10000
#define SWEEP_NS 100000000u

/* True while now is inside the measurement window. */
int
bench_in_window(const struct bench_thread *t, uint64_t now)
{
	const struct bench_run *run = t->run;

	return t->started && now >= run->t_measure &&
	    (run->t_end == 0 || now < run->t_end);
}

/* Tell the main thread this thread has nothing left to do. */
void
bench_thread_finish(struct bench_thread *t)
{
	if (t->done)
		return;
	t->done = 1;
	__atomic_fetch_add(&t->run->done_threads, 1, __ATOMIC_RELEASE);
}

/* Start opening c; -1 (counted, reported) if connect() failed at once. */
int
bench_thread_open(struct bench_conn *c)
{
	struct bench_thread *t = c->t;

	t->opening++;
	if (bench_conn_open(c) == 0)
		return 0;
	STAT_ADD(t->st.hs_failures, 1);
	bench_error(t, ERR_IO, "connect: %s", strerror(errno));
	bench_thread_open_failed(c);
	return -1;
}

/* Keep up to --open-burst handshakes in flight until all are started. */
static void
thread_open_more(struct bench_thread *t)
{
	while (t->opening < t->run->o->open_burst && t->next_open < t->nconns)
		if (bench_thread_open(&t->conns[t->next_open++]) < 0)
			return;
}

/* A connection finished its upgrade. */
void
bench_thread_opened(struct bench_conn *c)
{
	struct bench_thread *t = c->t;
	const struct bench_mode *mode = t->run->mode;

	t->opening--;
	t->nopen++;
	if (mode->on_open != NULL)
		mode->on_open(c);
	if (!mode->persistent || t->run->o->ramp > 0)
		return;
	thread_open_more(t);
	if (t->nopen == t->nconns && !t->ready) {
		t->ready = 1;
		__atomic_fetch_add(&t->run->ready_threads, 1, __ATOMIC_RELEASE);
	}
}

/*
 * A connection failed before it was open. Persistent modes cannot measure
 * with fewer connections than asked: that is a setup failure. The connect
 * mode counts it and retries the slot at the next tick, unless no upgrade
 * has succeeded yet: then the target is not there (setup failure too).
 */
void
bench_thread_open_failed(struct bench_conn *c)
{
	struct bench_thread *t = c->t;

	t->opening--;
	if (t->run->o->ramp > 0) { /* after the go: one connection lost */
		if (t->run->mode->on_closed != NULL)
			t->run->mode->on_closed(c);
		return;
	}
	if (t->run->mode->persistent || t->nopen == 0)
		__atomic_store_n(&t->run->setup_failed, 1, __ATOMIC_RELEASE);
}

/* --ramp: open the connections due by now, a burst at a time. */
static void
thread_ramp(struct bench_thread *t, uint64_t now)
{
	const struct bench_run *run = t->run;
	double due =
	    run->o->ramp / run->nthreads * (double)(now - run->t_go) / 1e9 + 1;

	while (t->next_open < t->nconns && t->next_open < due &&
	    t->opening < run->o->open_burst)
		bench_thread_open(&t->conns[t->next_open++]);
}

static void
thread_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench_thread *t = arg;
	struct bench_run *run = t->run;
	uint64_t now = bench_now();

	if (__atomic_load_n(&run->stop, __ATOMIC_ACQUIRE)) {
		event_base_loopbreak(t->base);
		return;
	}
	if (!t->started && __atomic_load_n(&run->go, __ATOMIC_ACQUIRE)) {
		t->started = 1;
		if (run->mode->on_start != NULL)
			run->mode->on_start(t);
	}
	if (t->started && run->mode->on_tick != NULL)
		run->mode->on_tick(t, now);
	if (now - t->last_sweep >= SWEEP_NS) {
		t->last_sweep = now;
		bench_conn_sweep(t, now);
	}
	/* last: a connection it opens starts after now (the sweep's clock) */
	if (t->started && run->o->ramp > 0)
		thread_ramp(t, now);
}

/* Allocate the connection slots and their send rings. */
static int
thread_alloc(struct bench_thread *t)
{
	unsigned i, cap = t->run->o->pipeline + 4;

	t->conns = calloc(t->nconns ? t->nconns : 1, sizeof *t->conns);
	if (t->conns == NULL)
		return -1;
	for (i = 0; i < t->nconns; i++) {
		struct bench_conn *c = &t->conns[i];

		c->t = t;
		c->idx = i;
		c->fd = -1;
		c->out.cap = cap;
		c->out.iov = calloc(cap, sizeof *c->out.iov);
		if (c->out.iov == NULL)
			return -1;
	}
	return 0;
}

/* Hang up every connection (in the thread, before it exits). */
static void
thread_close_all(struct bench_thread *t)
{
	unsigned i;

	for (i = 0; t->conns != NULL && i < t->nconns; i++)
		bench_conn_hangup(&t->conns[i]);
}

/* Free what the thread owned; the main thread calls it after the merge. */
void
bench_thread_free(struct bench_thread *t)
{
	unsigned i;

	if (t->run->mode->thread_fini != NULL)
		t->run->mode->thread_fini(t);
	for (i = 0; t->conns != NULL && i < t->nconns; i++)
		free(t->conns[i].out.iov);
	free(t->conns);
	t->conns = NULL;
	if (t->tick != NULL)
		event_free(t->tick);
	if (t->base != NULL)
		event_base_free(t->base);
	t->tick = NULL;
	t->base = NULL;
}

/* Thread body: set up, run the loop until stop, clean up. */
void *
bench_thread_main(void *arg)
{
	struct bench_thread *t = arg;
	struct bench_run *run = t->run;
	struct timeval tv = { 0, TICK_US };

	t->base = event_base_new();
	if (t->base == NULL)
		goto fail;
	t->tick = event_new(t->base, -1, EV_PERSIST, thread_tick_cb, t);
	if (t->tick == NULL || event_add(t->tick, &tv) < 0 ||
	    thread_alloc(t) < 0 ||
	    (run->mode->thread_init != NULL && run->mode->thread_init(t) < 0))
		goto fail;
	t->last_sweep = bench_now();
	if (run->mode->persistent && t->nconns > 0 && run->o->ramp == 0)
		thread_open_more(t);
	else {
		t->ready = 1;
		__atomic_fetch_add(&run->ready_threads, 1, __ATOMIC_RELEASE);
	}
	event_base_dispatch(t->base);
	thread_close_all(t);
	return NULL;
fail:
	__atomic_store_n(&run->setup_failed, 1, __ATOMIC_RELEASE);
	thread_close_all(t);
	return NULL;
}
