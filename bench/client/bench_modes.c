/*
 * hotline-bench: the connection-level modes.
 *
 * connect cycles -c slots through connect, upgrade, close frame, server EOF;
 * a "message" is a completed upgrade and its latency runs from connect() to
 * the validated 101. idle opens -c connections, holds them for the duration
 * and counts any the server drops; its latency is the upgrade time.
 */
#include "autoconf.h"

#include "bench.h"

/* Open slot c again unless the run is over. */
static void
connect_reopen(struct bench_conn *c)
{
	struct bench_thread *t = c->t;

	if (t->done || __atomic_load_n(&t->run->stop, __ATOMIC_RELAXED))
		return;
	bench_thread_open(c); /* a failure leaves it FREE for the tick */
}

static void
connect_on_start(struct bench_thread *t)
{
	unsigned i;

	if (t->nconns == 0)
		bench_thread_finish(t);
	for (i = 0; i < t->nconns; i++)
		connect_reopen(&t->conns[i]);
}

/* Upgrade done: count it, then close politely. */
static void
connect_on_open(struct bench_conn *c)
{
	struct bench_thread *t = c->t;
	uint64_t now = bench_now();

	if (!t->done && bench_in_window(t, now)) {
		STAT_ADD(t->st.messages, 1);
		hist_record(&t->st.lat, now - c->t_start);
		if (t->quota && t->st.messages >= t->quota) {
			t->t_done = now;
			bench_thread_finish(t);
		}
	}
	bench_conn_start_close(c);
}

/* Anything the server says before our close is ignored. */
static void
connect_on_message(struct bench_conn *c, const struct bench_msg *m)
{
	STAT_ADD(c->t->st.other, 1);
}

/* Retry slots whose last attempt failed. */
static void
connect_on_tick(struct bench_thread *t, uint64_t now)
{
	unsigned i;

	for (i = 0; i < t->nconns; i++)
		if (t->conns[i].state == CONN_FREE)
			connect_reopen(&t->conns[i]);
}

const struct bench_mode bench_mode_connect = {
	.name = "connect",
	.persistent = 0,
	.on_open = connect_on_open,
	.on_message = connect_on_message,
	.on_start = connect_on_start,
	.on_tick = connect_on_tick,
	.on_closed = connect_reopen,
};

/* Idle: record the upgrade time of each connection as it opens. */
static void
idle_on_open(struct bench_conn *c)
{
	STAT_ADD(c->t->st.messages, 1);
	hist_record(&c->t->st.lat, bench_now() - c->t_start);
}

static void
idle_on_message(struct bench_conn *c, const struct bench_msg *m)
{
	STAT_ADD(c->t->st.other, 1);
}

const struct bench_mode bench_mode_idle = {
	.name = "idle",
	.persistent = 1,
	.on_open = idle_on_open,
	.on_message = idle_on_message,
};
