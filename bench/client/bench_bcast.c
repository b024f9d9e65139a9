/*
 * hotline-bench: broadcast. -c subscribers only read (each may first send
 * --subscribe); one publisher on thread 0 sends --publish at --rate with
 * "%T" replaced by "hlbts:" and its CLOCK_REALTIME send time in ns (19
 * digits), or nothing is published and the messages come from elsewhere
 * with the same stamp. A subscriber's latency is its receive time minus the
 * stamp. Each thread keeps, per stamp, how many subscribers got it and the
 * last arrival; after the join the tables are merged into the time until the
 * last subscriber had each message, and a count of messages someone missed.
 *
 * Only messages stamped inside the measurement window are counted, so the
 * run continues past its end until those are delivered (or --timeout).
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define TABLE_BITS 16
#define TABLE_SIZE (1u << TABLE_BITS)
#define PROBES     64

struct bc_entry {
	uint64_t stamp; /* 0 = empty */
	uint64_t last; /* latest arrival, wall ns */
	uint64_t count;
};

struct bc_thread {
	struct bc_entry *table;
	uint8_t *sub_frame, *pub_frame;
	size_t sub_len, pub_len, pub_hlen, stamp_at;
	uint8_t sub_mask[4], pub_mask[4];
	struct bench_conn *publisher;
	uint64_t pub_due; /* publications made since go */
	uint64_t published; /* of them, stamped inside the window */
	int pub_over;
};

/* The publisher's frame with a zero stamp where %T was. */
static int
bc_build_publish(struct bc_thread *bt, const char *tmpl)
{
	const char *at = strstr(tmpl, "%T");
	size_t pre = (size_t)(at - tmpl), mark = sizeof BENCH_TS_MARK - 1;
	size_t plen = strlen(tmpl) - 2 + mark + BENCH_TS_DIGITS;
	char *p = malloc(plen + 1);

	if (p == NULL)
		return -1;
	memcpy(p, tmpl, pre);
	memcpy(p + pre, BENCH_TS_MARK, mark);
	memset(p + pre + mark, '0', BENCH_TS_DIGITS);
	strcpy(p + pre + mark + BENCH_TS_DIGITS, at + 2);
	bt->stamp_at = pre + mark;
	bt->pub_hlen = bench_frame_header_len(plen);
	bt->pub_len = bt->pub_hlen + plen;
	bt->pub_frame = malloc(bt->pub_len);
	if (bt->pub_frame != NULL)
		bench_frame_build(bt->pub_frame, bt->pub_len, WSLAY_TEXT_FRAME,
		    p, plen, bt->pub_mask);
	free(p);
	return bt->pub_frame ? 0 : -1;
}

static int
bc_thread_init(struct bench_thread *t)
{
	const struct bench_opts *o = t->run->o;
	struct bc_thread *bt = calloc(1, sizeof *bt);

	if (bt == NULL)
		return -1;
	t->mode_state = bt;
	bt->table = calloc(TABLE_SIZE, sizeof *bt->table);
	if (bt->table == NULL)
		return -1;
	if (o->subscribe != NULL) {
		size_t n = strlen(o->subscribe);

		bt->sub_len = bench_frame_header_len(n) + n;
		bt->sub_frame = malloc(bt->sub_len);
		if (bt->sub_frame == NULL)
			return -1;
		bench_frame_build(bt->sub_frame, bt->sub_len, WSLAY_TEXT_FRAME,
		    o->subscribe, n, bt->sub_mask);
	}
	if (o->publish != NULL && t->id == 0) {
		bt->publisher = &t->conns[t->nconns - 1];
		if (bc_build_publish(bt, o->publish) < 0)
			return -1;
	}
	return 0;
}

static void
bc_thread_fini(struct bench_thread *t)
{
	struct bc_thread *bt = t->mode_state;

	if (bt == NULL)
		return;
	free(bt->table);
	free(bt->sub_frame);
	free(bt->pub_frame);
	free(bt);
}

/* Subscribers say --subscribe once open. */
static void
bc_on_open(struct bench_conn *c)
{
	struct bc_thread *bt = c->t->mode_state;

	if (c == bt->publisher || bt->sub_frame == NULL)
		return;
	bench_conn_send(c, bt->sub_frame, bt->sub_len);
	bench_conn_flush(c);
}

/* The table entry for stamp, inserted if new; NULL when the table is full. */
static struct bc_entry *
bc_lookup(struct bc_entry *table, uint64_t stamp)
{
	uint32_t h = (uint32_t)((stamp * UINT64_C(0x9E3779B97F4A7C15)) >>
	    (64 - TABLE_BITS));
	unsigned i;

	for (i = 0; i < PROBES; i++) {
		struct bc_entry *e = &table[(h + i) & (TABLE_SIZE - 1)];

		if (e->stamp == stamp)
			return e;
		if (e->stamp == 0) {
			e->stamp = stamp;
			return e;
		}
	}
	return NULL;
}

/* The stamp after "hlbts:" in a message, 0 if there is none. */
static uint64_t
bc_stamp(const struct bench_msg *m)
{
	const uint8_t *p =
	    memmem(m->data, m->len, BENCH_TS_MARK, sizeof BENCH_TS_MARK - 1);
	uint64_t v = 0;
	int i;

	if (p == NULL)
		return 0;
	p += sizeof BENCH_TS_MARK - 1;
	if ((size_t)(m->data + m->len - p) < BENCH_TS_DIGITS)
		return 0;
	for (i = 0; i < BENCH_TS_DIGITS; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	return v;
}

/* True when a stamp falls inside the measurement window (wall clock). */
static int
bc_stamp_in_window(const struct bench_run *run, uint64_t stamp)
{
	uint64_t wall_go = run->wall_go;

	return stamp >= wall_go + (run->t_measure - run->t_go) &&
	    (run->t_end == 0 || stamp < wall_go + (run->t_end - run->t_go));
}

static void
bc_on_message(struct bench_conn *c, const struct bench_msg *m)
{
	struct bench_thread *t = c->t;
	struct bc_thread *bt = t->mode_state;
	uint64_t stamp, wall = bench_wall();
	struct bc_entry *e;

	stamp = c == bt->publisher ? 0 : bc_stamp(m);
	if (stamp == 0 || !t->started || !bc_stamp_in_window(t->run, stamp)) {
		STAT_ADD(t->st.other, 1);
		return;
	}
	STAT_ADD(t->st.messages, 1);
	hist_record(&t->st.lat, wall > stamp ? wall - stamp : 0);
	e = bc_lookup(bt->table, stamp);
	if (e == NULL) {
		STAT_ADD(t->st.untracked, 1);
		return;
	}
	e->count++;
	if (wall > e->last)
		e->last = wall;
	if (t->quota && t->st.messages >= t->quota)
		bench_thread_finish(t);
}

/* Publish what the rate asks for since go, one frame in flight at a time. */
static void
bc_on_tick(struct bench_thread *t, uint64_t now)
{
	struct bc_thread *bt = t->mode_state;
	const struct bench_run *run = t->run;
	char digits[BENCH_TS_DIGITS + 1];
	uint64_t due, stamp;

	if (bt->publisher == NULL || bt->pub_over)
		return;
	if ((run->t_end && now >= run->t_end) ||
	    (run->o->count && bt->published >= run->o->count) ||
	    bt->publisher->state != CONN_OPEN) {
		bt->pub_over = 1;
		__atomic_store_n(&t->run->bcast_expected,
		    bt->published * run->o->conns, __ATOMIC_RELAXED);
		__atomic_store_n(&t->t_done, now, __ATOMIC_RELEASE);
		return;
	}
	due = (uint64_t)((double)(now - run->t_go) * run->o->rate / 1e9) + 1;
	while (bt->pub_due < due && bt->publisher->out.count == 0) {
		stamp = bench_wall();
		snprintf(digits, sizeof digits, "%019llu",
		    (unsigned long long)stamp);
		bench_frame_patch(bt->pub_frame + bt->pub_hlen, bt->stamp_at,
		    digits, BENCH_TS_DIGITS, bt->pub_mask);
		bench_conn_send(bt->publisher, bt->pub_frame, bt->pub_len);
		bench_conn_flush(bt->publisher);
		bt->pub_due++;
		STAT_ADD(t->st.sent, 1);
		if (bc_stamp_in_window(run, stamp)) {
			STAT_ADD(t->st.published, 1);
			bt->published++;
		}
	}
}

/*
 * Main thread, every 100 ms: done once publishing is over and every
 * subscriber has every counted message, or --timeout after that.
 */
static int
bc_finished(struct bench_run *run, uint64_t now)
{
	uint64_t over =
		     __atomic_load_n(&run->threads[0].t_done, __ATOMIC_ACQUIRE),
		 expected, got = 0;
	unsigned i;

	if (run->o->publish == NULL)
		return run->t_end && now >= run->t_end;
	if (over == 0)
		return 0;
	expected = __atomic_load_n(&run->bcast_expected, __ATOMIC_RELAXED);
	for (i = 0; i < run->nthreads; i++)
		got += STAT_LOAD(run->threads[i].st.messages);
	return got >= expected ||
	    now >= over + (uint64_t)(run->o->timeout * 1e9);
}

/* After the join: combine the threads' tables into the last-delivery data. */
static void
bc_merge(struct bench_run *run)
{
	struct bc_thread *b0 = run->threads[0].mode_state;
	uint64_t entries = 0;
	unsigned i, k;

	for (k = 1; k < run->nthreads; k++) {
		struct bc_thread *bk = run->threads[k].mode_state;

		for (i = 0; i < TABLE_SIZE; i++) {
			struct bc_entry *src = &bk->table[i], *dst;

			if (src->stamp == 0)
				continue;
			dst = bc_lookup(b0->table, src->stamp);
			if (dst == NULL) {
				run->total.untracked++;
				continue;
			}
			dst->count += src->count;
			if (src->last > dst->last)
				dst->last = src->last;
		}
	}
	for (i = 0; i < TABLE_SIZE; i++) {
		struct bc_entry *e = &b0->table[i];

		if (e->stamp == 0)
			continue;
		entries++;
		if (e->count >= run->o->conns)
			hist_record(&run->total.last, e->last - e->stamp);
		else
			run->total.incomplete++;
	}
	if (run->total.published > entries)
		run->total.incomplete += run->total.published - entries;
}

const struct bench_mode bench_mode_broadcast = {
	.name = "broadcast",
	.persistent = 1,
	.thread_init = bc_thread_init,
	.thread_fini = bc_thread_fini,
	.on_open = bc_on_open,
	.on_message = bc_on_message,
	.on_tick = bc_on_tick,
	.finished = bc_finished,
	.merge = bc_merge,
};
