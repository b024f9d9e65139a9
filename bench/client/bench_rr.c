/*
 * hotline-bench: request/response modes.
 *
 * rr keeps -p requests in flight on each of -c connections for the run;
 * scenario (the seed guide's load test) has each connection send --messages
 * requests and reports the time until the last response. With --rate, rr
 * is a fixed offered load: each thread earns rate/threads requests per
 * second in credit at its 10 ms tick (at most 50 ms worth banked) and
 * spends it round-robin over its connections, still at most -p in flight
 * on each; the profiler-overhead benchmark compares CPU per message at
 * the same load this way.
 *
 * Each connection owns -p frames, built and masked once; request seq uses
 * frame seq % P, whose ten req_id digits are re-masked in place before it is
 * queued. A frame is reused only after its response arrived, so it has been
 * written by then. Nothing is allocated per message. With --message or
 * --mix (bench_msg.c) each frame slot holds the longest message and a
 * request is expanded and masked into it when queued. Responses are
 * counted per pkg_id as well as in all.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "core/util.h"

#define ID_DIGITS 10
#define ID_PREFIX "\"req-"

struct rr_conn {
	uint64_t next_seq; /* id of the next request */
	uint64_t answered; /* responses, any outcome */
	unsigned inflight;
	int dead;
	uint8_t *frames; /* P frames of flen bytes */
	uint64_t *sent_ns; /* per frame: when it was queued */
	uint64_t *seq; /* per frame: the id it carries; UINT64_MAX free */
	uint8_t (*mask)[4];
	uint16_t *tmpl; /* per frame: its template (--message, --mix) */
};

struct rr_thread {
	size_t flen, hlen, id_at; /* frame length, header, digit offset */
	uint64_t quota_conn; /* scenario: requests per connection */
	unsigned live, finished;
	double rate; /* requests per second for this thread; 0 unlimited */
	double credit; /* requests it may send now */
	uint64_t credit_ns; /* when credit was last earned */
	unsigned next_conn; /* round-robin start at the next tick */
	unsigned conn_base; /* {conn} of this thread's first connection */
	uint64_t rng; /* {rand:N} and the --mix choice */
	char *scratch; /* one expanded message */
};

/* Write seq as ten zero-padded digits. */
static void
rr_digits(char out[ID_DIGITS], uint64_t seq)
{
	int i;

	for (i = ID_DIGITS - 1; i >= 0; i--, seq /= 10)
		out[i] = (char)('0' + seq % 10);
}

/* The request payload with id 0; *id_at gets the digits' offset. */
static char *
rr_payload(const struct bench_opts *o, size_t *len, size_t *id_at)
{
	static const char pre[] = "{\"pkg_id\":1,\"req_id\":\"req-";
	static const char mid[] = "\",\"data\":{\"message\":\"";
	size_t n = sizeof pre - 1 + ID_DIGITS + sizeof mid - 1 + o->size + 3;
	char *p = malloc(n + 1), *w;

	if (p == NULL)
		return NULL;
	w = p + sprintf(p, "%s%0*d%s", pre, ID_DIGITS, 0, mid);
	memset(w, 'x', o->size);
	memcpy(w + o->size, "\"}}", 4);
	*id_at = sizeof pre - 1;
	*len = n;
	return p;
}

/* Allocate c's frames and bookkeeping; -1 on OOM. */
static int
rr_conn_init(struct bench_conn *c, struct rr_thread *rt, const char *payload,
    size_t plen)
{
	unsigned p = c->t->run->o->pipeline, i;
	struct rr_conn *rc = calloc(1, sizeof *rc);

	if (rc == NULL)
		return -1;
	c->mode_state = rc;
	rc->frames = malloc(p * rt->flen);
	rc->sent_ns = calloc(p, sizeof *rc->sent_ns);
	rc->seq = malloc(p * sizeof *rc->seq);
	rc->mask = calloc(p, sizeof *rc->mask);
	rc->tmpl = calloc(p, sizeof *rc->tmpl);
	if (rc->frames == NULL || rc->sent_ns == NULL || rc->seq == NULL ||
	    rc->mask == NULL || rc->tmpl == NULL)
		return -1;
	for (i = 0; i < p; i++) {
		if (payload != NULL)
			bench_frame_build(rc->frames + i * rt->flen, rt->flen,
			    WSLAY_TEXT_FRAME, payload, plen, rc->mask[i]);
		rc->seq[i] = UINT64_MAX;
	}
	return 0;
}

/* Frames sized for the longest template, and the expansion buffer. */
static char *
rr_templates(struct bench_thread *t, struct rr_thread *rt)
{
	size_t max = t->run->o->msgs.max_len;
	unsigned i;

	rt->flen = bench_frame_header_len(max) + max;
	for (i = 0; i < t->id; i++)
		rt->conn_base += t->run->threads[i].nconns;
	bench_random(&rt->rng, sizeof rt->rng);
	rt->rng |= 1;
	return rt->scratch = malloc(max ? max : 1);
}

static int
rr_thread_init(struct bench_thread *t)
{
	struct rr_thread *rt = calloc(1, sizeof *rt);
	size_t plen, id_at;
	char *payload;
	unsigned i;

	if (rt == NULL)
		return -1;
	t->mode_state = rt;
	if (t->run->o->msgs.n > 0) {
		payload = NULL;
		plen = 0;
		if (rr_templates(t, rt) == NULL)
			return -1;
	} else {
		payload = rr_payload(t->run->o, &plen, &id_at);
		if (payload == NULL)
			return -1;
		rt->hlen = bench_frame_header_len(plen);
		rt->flen = rt->hlen + plen;
		rt->id_at = id_at;
	}
	rt->live = t->nconns;
	if (t->run->o->mode == MODE_RR && t->run->o->rate > 0)
		rt->rate = t->run->o->rate / t->run->o->threads;
	if (t->run->o->mode == MODE_SCENARIO)
		rt->quota_conn = t->run->o->messages;
	for (i = 0; i < t->nconns; i++)
		if (rr_conn_init(&t->conns[i], rt, payload, plen) < 0) {
			free(payload);
			return -1;
		}
	free(payload);
	return 0;
}

static void
rr_thread_fini(struct bench_thread *t)
{
	unsigned i;

	for (i = 0; t->conns != NULL && i < t->nconns; i++) {
		struct rr_conn *rc = t->conns[i].mode_state;

		if (rc == NULL)
			continue;
		free(rc->frames);
		free(rc->sent_ns);
		free(rc->seq);
		free(rc->mask);
		free(rc->tmpl);
		free(rc);
	}
	if (t->mode_state != NULL)
		free(((struct rr_thread *)t->mode_state)->scratch);
	free(t->mode_state);
}

/* Write request seq into frame slot; returns the frame's length. */
static size_t
rr_frame(struct bench_conn *c, unsigned slot, uint64_t seq)
{
	struct rr_thread *rt = c->t->mode_state;
	struct rr_conn *rc = c->mode_state;
	const struct bench_msgset *ms = &c->t->run->o->msgs;
	const struct bench_tmpl *tp;
	uint8_t *f = rc->frames + slot * rt->flen;
	char digits[ID_DIGITS];
	size_t n;

	if (ms->n == 0) {
		rr_digits(digits, seq);
		bench_frame_patch(
		    f + rt->hlen, rt->id_at, digits, ID_DIGITS, rc->mask[slot]);
		return rt->flen;
	}
	tp = bench_msg_pick(ms, hl_xorshift64(&rt->rng));
	rc->tmpl[slot] = (uint16_t)(tp - ms->tmpl);
	n = bench_msg_expand(
	    tp, rt->scratch, seq, rt->conn_base + c->idx, &rt->rng);
	return bench_frame_build(
	    f, rt->flen, WSLAY_TEXT_FRAME, rt->scratch, n, rc->mask[slot]);
}

/* Queue as many requests as the pipeline, the quota and free frames allow. */
static void
rr_fill(struct bench_conn *c, uint64_t now)
{
	struct bench_thread *t = c->t;
	struct rr_thread *rt = t->mode_state;
	struct rr_conn *rc = c->mode_state;
	unsigned p = t->run->o->pipeline;
	size_t len;

	while (rc->inflight < p && !t->done && !rc->dead &&
	    (rt->quota_conn == 0 || rc->next_seq < rt->quota_conn)) {
		unsigned slot = (unsigned)(rc->next_seq % p);
		uint8_t *f = rc->frames + slot * rt->flen;

		if (rc->seq[slot] != UINT64_MAX)
			break; /* an older response is still missing */
		if (rt->rate > 0) {
			if (rt->credit < 1)
				break; /* the offered load is spent */
			rt->credit -= 1;
		}
		len = rr_frame(c, slot, rc->next_seq);
		rc->seq[slot] = rc->next_seq++;
		rc->sent_ns[slot] = now;
		rc->inflight++;
		STAT_ADD(t->st.sent, 1);
		bench_conn_send(c, f, len);
	}
}

/* The frame a response answers, or -1 (then the oldest is retired). */
static int
rr_match(struct bench_conn *c, const struct bench_msg *m)
{
	struct rr_conn *rc = c->mode_state;
	unsigned p = c->t->run->o->pipeline;
	const char *v = bench_json_value(m->data, m->len, "\"req_id\"");
	const char *end = (const char *)m->data + m->len;
	uint64_t seq = 0;
	int i;

	if (v == NULL || end - v < (long)sizeof ID_PREFIX - 1 + ID_DIGITS + 1 ||
	    memcmp(v, ID_PREFIX, sizeof ID_PREFIX - 1) != 0 ||
	    v[sizeof ID_PREFIX - 1 + ID_DIGITS] != '"')
		return -1;
	v += sizeof ID_PREFIX - 1;
	for (i = 0; i < ID_DIGITS; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		seq = seq * 10 + (uint64_t)(v[i] - '0');
	}
	return rc->seq[seq % p] == seq ? (int)(seq % p) : -1;
}

/* The frame of the oldest request in flight (inflight > 0). */
static int
rr_oldest(const struct rr_conn *rc, unsigned p)
{
	uint64_t seq = rc->next_seq - rc->inflight;
	unsigned i;

	for (i = 0; i < p; i++, seq++)
		if (rc->seq[seq % p] != UINT64_MAX)
			return (int)(seq % p);
	return 0;
}

/* True when the response carries "status_code": 0. */
static int
rr_status_ok(const struct bench_msg *m)
{
	const char *v = bench_json_value(m->data, m->len, "\"status_code\"");
	const char *end = (const char *)m->data + m->len;

	return v != NULL && v < end && *v == '0' &&
	    (v + 1 == end || v[1] < '0' || v[1] > '9');
}

/* Scenario bookkeeping: a connection answered its quota (or died). */
static void
rr_conn_finished(struct bench_conn *c, uint64_t now)
{
	struct bench_thread *t = c->t;
	struct rr_thread *rt = t->mode_state;

	STAT_ADD(t->st.done_conns, 1);
	if (++rt->finished == t->nconns) {
		t->t_done = now;
		bench_thread_finish(t);
	}
}

/* The template frame slot carried (NULL: the built-in echo request). */
static const struct bench_tmpl *
rr_slot_tmpl(const struct bench_conn *c, int slot)
{
	const struct bench_msgset *ms = &c->t->run->o->msgs;
	const struct rr_conn *rc = c->mode_state;

	return ms->n ? &ms->tmpl[rc->tmpl[slot]] : NULL;
}

/* Check a response: the frame slot it answers, errors counted. */
static int
rr_answer(struct bench_conn *c, const struct bench_msg *m, int *failed)
{
	struct bench_thread *t = c->t;
	const struct bench_tmpl *tp;
	int slot = rr_match(c, m);

	*failed = 0;
	if (m->opcode != WSLAY_TEXT_FRAME) {
		bench_error(
		    t, ERR_OPCODE, "response opcode %d, not text", m->opcode);
		*failed = 1;
	}
	if (slot < 0) {
		slot = rr_oldest(c->mode_state, t->run->o->pipeline);
		tp = rr_slot_tmpl(c, slot);
		if (tp == NULL || !tp->own_id) {
			bench_error(t, ERR_REQ_ID,
			    "response without the expected req_id: %.*s",
			    BENCH_SHOW(m));
			*failed = 1;
			return slot;
		}
		/* the template's own req_id: answers come in order */
	}
	if (m->opcode == WSLAY_TEXT_FRAME && !rr_status_ok(m)) {
		bench_error(
		    t, ERR_STATUS, "status_code is not 0: %.*s", BENCH_SHOW(m));
		*failed = 1;
	}
	return slot;
}

static void
rr_on_message(struct bench_conn *c, const struct bench_msg *m)
{
	struct bench_thread *t = c->t;
	struct rr_thread *rt = t->mode_state;
	struct rr_conn *rc = c->mode_state;
	const struct bench_tmpl *tp;
	struct bench_pkgstat *ps;
	int slot, failed;

	if (rc->inflight == 0) {
		STAT_ADD(t->st.other, 1); /* nothing asked: a server push */
		return;
	}
	slot = rr_answer(c, m, &failed);
	tp = rr_slot_tmpl(c, slot);
	ps = &t->st.pkg[tp != NULL ? tp->pkg : 0];
	ps->errors += (unsigned)failed;
	if (!t->done && bench_in_window(t, m->now)) {
		STAT_ADD(t->st.messages, 1);
		hist_record(&t->st.lat, m->now - rc->sent_ns[slot]);
		hist_record(&ps->lat, m->now - rc->sent_ns[slot]);
	}
	rc->seq[slot] = UINT64_MAX;
	rc->inflight--;
	rc->answered++;
	if (t->quota && t->st.messages >= t->quota) {
		t->t_done = m->now;
		bench_thread_finish(t);
	}
	if (rt->quota_conn && rc->answered == rt->quota_conn)
		rr_conn_finished(c, m->now);
	rr_fill(c, m->now);
}

/* --ramp: a connection opened after the go starts at once. */
static void
rr_on_open(struct bench_conn *c)
{
	if (!c->t->started)
		return;
	rr_fill(c, bench_now());
	bench_conn_flush(c);
}

/* Go: fill every connection's pipeline. */
static void
rr_on_start(struct bench_thread *t)
{
	uint64_t now = bench_now();
	unsigned i;

	if (t->nconns == 0)
		bench_thread_finish(t);
	for (i = 0; i < t->nconns; i++) {
		struct bench_conn *c = &t->conns[i];

		if (c->state != CONN_OPEN)
			continue;
		rr_fill(c, now);
		bench_conn_flush(c);
	}
}

/* --rate: earn credit for the time since the last tick and spend it on
 * the connections, starting where the last tick stopped. */
static void
rr_on_tick(struct bench_thread *t, uint64_t now)
{
	struct rr_thread *rt = t->mode_state;
	unsigned i, n = t->nconns;

	if (rt->rate <= 0 || n == 0)
		return;
	if (rt->credit_ns != 0)
		rt->credit += rt->rate * (double)(now - rt->credit_ns) / 1e9;
	rt->credit_ns = now;
	if (rt->credit > rt->rate * 0.05 + 1)
		rt->credit = rt->rate * 0.05 + 1;
	for (i = 0; i < n && rt->credit >= 1; i++) {
		struct bench_conn *c = &t->conns[(rt->next_conn + i) % n];

		if (c->state != CONN_OPEN)
			continue;
		rr_fill(c, now);
		bench_conn_flush(c);
	}
	rt->next_conn = (rt->next_conn + i) % n;
}

/* A connection was lost: it will never answer; scenario stops waiting. */
static void
rr_on_closed(struct bench_conn *c)
{
	struct rr_thread *rt = c->t->mode_state;
	struct rr_conn *rc = c->mode_state;

	if (rc->dead)
		return;
	rc->dead = 1;
	if (rt->quota_conn && rc->answered < rt->quota_conn)
		rr_conn_finished(c, bench_now());
	if (--rt->live == 0)
		bench_thread_finish(c->t);
}

const struct bench_mode bench_mode_rr = {
	.name = "rr",
	.persistent = 1,
	.thread_init = rr_thread_init,
	.thread_fini = rr_thread_fini,
	.on_open = rr_on_open,
	.on_message = rr_on_message,
	.on_start = rr_on_start,
	.on_tick = rr_on_tick,
	.on_closed = rr_on_closed,
};

const struct bench_mode bench_mode_scenario = {
	.name = "scenario",
	.persistent = 1,
	.thread_init = rr_thread_init,
	.thread_fini = rr_thread_fini,
	.on_open = rr_on_open,
	.on_message = rr_on_message,
	.on_start = rr_on_start,
	.on_closed = rr_on_closed,
};
