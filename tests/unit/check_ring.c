/* Unit tests for the profiler's sample ring (src/prof/ring.c) and its record
 * formats (src/prof/record.c): framing and wrap-around, drops, reset, a writer
 * in another process, a writer in a signal handler, and writers killed
 * mid-record. */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "prof/ring.h"
#include "prof/record.h"

/* ---- helpers --------------------------------------------------------- */

/* A ring in fresh shared anonymous memory, so a forked child can write it. */
static struct ring *
tring_new(size_t capacity)
{
	size_t size = ring_bytes(capacity);
	void *mem;
	struct ring *r;

	ck_assert_uint_ne(size, 0);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	r = ring_init(mem, capacity);
	ck_assert_ptr_eq(r, mem);
	return r;
}

static void
tring_free(struct ring *r)
{
	struct ring_stats st;

	ring_stats(r, &st);
	munmap(r, ring_bytes(st.capacity));
}

/* Test records: a sequence number, the length and a checksum of the
 * pattern that fills the rest, so a torn or misplaced record shows. */
struct trec {
	uint64_t seq;
	uint32_t len;
	uint32_t sum;
};

/* FNV-1a over the pattern, seeded with the sequence number. */
static uint32_t
trec_sum(const unsigned char *b, size_t n, uint64_t seq)
{
	uint32_t h = 2166136261u ^ (uint32_t)seq;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* Fill len bytes at p as record seq. */
static void
trec_fill(void *p, uint64_t seq, size_t len)
{
	unsigned char *b = p;
	struct trec h;
	size_t i;

	for (i = sizeof(h); i < len; i++)
		b[i] = (unsigned char)(seq * 131 + i);
	h.seq = seq;
	h.len = (uint32_t)len;
	h.sum = trec_sum(b + sizeof(h), len - sizeof(h), seq);
	memcpy(b, &h, sizeof(h));
}

/* Whether p holds an intact record of len bytes; its seq in *seq. */
static int
trec_ok(const void *p, size_t len, uint64_t *seq)
{
	const unsigned char *b = p;
	struct trec h;

	if (len < sizeof(h))
		return 0;
	memcpy(&h, b, sizeof(h));
	*seq = h.seq;
	return h.len == len &&
	    h.sum == trec_sum(b + sizeof(h), len - sizeof(h), h.seq);
}

/* A length in [16, 16 + range) that varies with seq. */
static size_t
trec_len(uint64_t seq, size_t range)
{
	return 16 + (size_t)((seq * 2654435761u) >> 7) % range;
}

/* Write record seq of len bytes; 0, or -1 when dropped. */
static int
trec_write(struct ring *r, uint64_t seq, size_t len)
{
	void *p = ring_reserve(r, len);

	if (p == NULL)
		return -1;
	trec_fill(p, seq, len);
	return ring_commit(r, len);
}

/* Read one record, assert it is intact, return its seq (-1 if empty). */
static int64_t
trec_read(struct ring *r)
{
	const void *p;
	size_t len;
	uint64_t seq;

	p = ring_peek(r, &len);
	if (p == NULL)
		return -1;
	ck_assert_uint_eq((uintptr_t)p % RING_ALIGN, 0);
	ck_assert(trec_ok(p, len, &seq));
	ring_consume(r);
	return (int64_t)seq;
}

static struct ring_stats
tstats(const struct ring *r)
{
	struct ring_stats st;

	ring_stats(r, &st);
	return st;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- basics ---------------------------------------------------------- */

START_TEST(sizes_and_init)
{
	static uint64_t zero[64];
	uint64_t buf[(192 + 256) / 8 + 1];
	struct ring *r;

	ck_assert_uint_eq(ring_bytes(256), 192 + 256);
	ck_assert_uint_eq(ring_bytes(1 << 20), 192 + (1 << 20));
	ck_assert_uint_eq(ring_bytes(300), 0);
	ck_assert_uint_eq(ring_bytes(128), 0);
	ck_assert_uint_eq(ring_bytes(0), 0);
	ck_assert_uint_eq(ring_bytes((size_t)RING_MAX_CAPACITY * 2), 0);

	errno = 0;
	ck_assert_ptr_null(ring_init((char *)buf + 4, 256));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(ring_init(buf, 384));
	ck_assert_ptr_null(ring_attach(zero));
	ck_assert_int_eq(errno, EINVAL);

	r = ring_init(buf, 256);
	ck_assert_ptr_eq(r, buf);
	ck_assert_ptr_eq(ring_attach(buf), r);
	ck_assert_uint_eq(ring_max_record(r), 120);
	ck_assert_uint_eq(tstats(r).capacity, 256);
	ck_assert_uint_eq(tstats(r).records, 0);
	ck_assert_ptr_null(ring_peek(r, &(size_t){ 0 }));
}
END_TEST

START_TEST(fifo_order)
{
	struct ring *r = tring_new(4096);
	uint64_t i;

	for (i = 0; i < 10; i++)
		ck_assert_int_eq(trec_write(r, i, trec_len(i, 100)), 0);
	ck_assert_uint_eq(tstats(r).records, 10);
	ck_assert_uint_gt(tstats(r).lag_bytes, 0);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(trec_read(r), (int64_t)i);
	ck_assert_int_eq(trec_read(r), -1);
	ck_assert_uint_eq(tstats(r).consumed, 10);
	ck_assert_uint_eq(tstats(r).lag_bytes, 0);
	tring_free(r);
}
END_TEST

START_TEST(peek_is_stable)
{
	struct ring *r = tring_new(256);
	const void *a, *b;
	size_t la, lb;

	ring_consume(r); /* empty: no-op */
	ck_assert_uint_eq(tstats(r).consumed, 0);
	ck_assert_int_eq(trec_write(r, 7, 24), 0);
	a = ring_peek(r, &la);
	b = ring_peek(r, &lb);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(la, 24);
	ck_assert_uint_eq(lb, 24);
	ring_consume(r);
	ck_assert_ptr_null(ring_peek(r, &la));
	tring_free(r);
}
END_TEST

/* Spans that add up to the capacity wrap with no pad. */
START_TEST(exact_fit_wraps_without_pad)
{
	struct ring *r = tring_new(256);
	void *first, *p;
	int i;

	/* 56 payload bytes + 8 of frame = 64: four fill the ring exactly. */
	first = ring_reserve(r, 56);
	ck_assert_ptr_nonnull(first);
	trec_fill(first, 0, 56);
	ck_assert_int_eq(ring_commit(r, 56), 0);
	for (i = 1; i < 4; i++)
		ck_assert_int_eq(trec_write(r, (uint64_t)i, 56), 0);
	ck_assert_uint_eq(tstats(r).lag_bytes, 256);
	ck_assert_ptr_null(ring_reserve(r, 8));
	ck_assert_uint_eq(tstats(r).drops, 1);
	ck_assert_int_eq(trec_read(r), 0);
	p = ring_reserve(r, 56);
	ck_assert_ptr_eq(p, first);
	trec_fill(p, 4, 56);
	ck_assert_int_eq(ring_commit(r, 56), 0);
	for (i = 1; i <= 4; i++)
		ck_assert_int_eq(trec_read(r), i);
	ck_assert_uint_eq(tstats(r).lag_bytes, 0);
	tring_free(r);
}
END_TEST

/* A record that would cross the end goes to the start behind a pad. */
START_TEST(wrap_pads_to_start)
{
	struct ring *r = tring_new(256);
	void *first, *p;

	first = ring_reserve(r, 88); /* span 96 */
	trec_fill(first, 0, 88);
	ck_assert_int_eq(ring_commit(r, 88), 0);
	ck_assert_int_eq(trec_write(r, 1, 88), 0);
	ck_assert_int_eq(trec_read(r), 0);
	ck_assert_int_eq(trec_read(r), 1);
	/* At 192: 96 more would cross 256, so 64 of pad and then offset 0. */
	p = ring_reserve(r, 88);
	ck_assert_ptr_eq(p, first);
	trec_fill(p, 2, 88);
	ck_assert_int_eq(ring_commit(r, 88), 0);
	ck_assert_uint_eq(tstats(r).lag_bytes, 64 + 96);
	ck_assert_int_eq(trec_read(r), 2);
	ck_assert_uint_eq(tstats(r).lag_bytes, 0);
	ck_assert_uint_eq(tstats(r).records, 3);
	ck_assert_uint_eq(tstats(r).consumed, 3);
	tring_free(r);
}
END_TEST

/* The pad counts against free space: a record that would fit in the free
 * bytes, but not in those left at the start after padding, is dropped. */
START_TEST(wrap_needs_room_for_pad)
{
	struct ring *r = tring_new(256);

	ck_assert_int_eq(trec_write(r, 0, 56), 0); /* [0, 64) */
	ck_assert_int_eq(trec_write(r, 1, 120), 0); /* [64, 192) */
	ck_assert_int_eq(trec_write(r, 2, 24), 0); /* [192, 224) */
	ck_assert_int_eq(trec_read(r), 0); /* 96 free: 64 at start */
	/* Span 72 < 96 free, but pad 32 + 72 > 96: it would cover the
	 * unread record at 64. */
	ck_assert_ptr_null(ring_reserve(r, 64));
	ck_assert_uint_eq(tstats(r).drops, 1);
	ck_assert_uint_eq(tstats(r).drop_bytes, 64);
	/* Span 48: pad 32 + 48 fits, at the start. */
	ck_assert_int_eq(trec_write(r, 3, 40), 0);
	ck_assert_int_eq(trec_read(r), 1);
	ck_assert_int_eq(trec_read(r), 2);
	ck_assert_int_eq(trec_read(r), 3);
	ck_assert_uint_eq(tstats(r).lag_bytes, 0);
	tring_free(r);
}
END_TEST

/* A full ring refuses and counts; what it holds stays intact. */
START_TEST(full_drops_and_keeps_data)
{
	struct ring *r = tring_new(1024);
	uint64_t seq, written = 0, dropped = 0;
	int64_t got, next = 0;

	for (seq = 0; seq < 100; seq++) {
		if (trec_write(r, seq, trec_len(seq, 60)) == 0)
			written++;
		else
			dropped++;
	}
	ck_assert_uint_gt(dropped, 0);
	ck_assert_uint_eq(tstats(r).drops, dropped);
	ck_assert_uint_eq(tstats(r).records, written);
	while ((got = trec_read(r)) != -1)
		ck_assert_int_eq(got, next++);
	ck_assert_int_eq(next, (int64_t)written);
	tring_free(r);
}
END_TEST

/* ring_max_record() fits an empty ring at every offset; one more never. */
START_TEST(max_record_fits_anywhere)
{
	struct ring *r = tring_new(512);
	size_t max = ring_max_record(r);
	uint64_t seq = 0;
	int step;

	ck_assert_uint_eq(max, 248);
	for (step = 0; step < 512 / 8; step++) {
		ck_assert_ptr_null(ring_reserve(r, max + 1));
		ck_assert_int_eq(trec_write(r, seq, max), 0);
		ck_assert_int_eq(trec_read(r), (int64_t)seq++);
		/* Move the position on by 24 bytes (then wrap). */
		ck_assert_int_eq(trec_write(r, seq, 16), 0);
		ck_assert_int_eq(trec_read(r), (int64_t)seq++);
	}
	ck_assert_uint_eq(tstats(r).drops, 512 / 8);
	tring_free(r);
}
END_TEST

START_TEST(commit_abort_rules)
{
	struct ring *r = tring_new(256);
	void *p;
	size_t len;

	ck_assert_int_eq(ring_commit(r, 8), -1); /* no reservation */
	ck_assert_ptr_null(ring_reserve(r, 0));
	ck_assert_uint_eq(tstats(r).drops, 0);

	p = ring_reserve(r, 100);
	ck_assert_int_eq(ring_commit(r, 101), -1);
	ck_assert_int_eq(ring_commit(r, 0), -1);
	trec_fill(p, 1, 40);
	ck_assert_int_eq(ring_commit(r, 40), 0); /* shorter than reserved */
	ck_assert_int_eq(ring_commit(r, 40), -1); /* once only */
	ck_assert_ptr_nonnull(ring_peek(r, &len));
	ck_assert_uint_eq(len, 40);
	ck_assert_int_eq(trec_read(r), 1);

	ck_assert_ptr_nonnull(ring_reserve(r, 64));
	ring_abort(r);
	ck_assert_int_eq(ring_commit(r, 64), -1);
	ck_assert_ptr_null(ring_peek(r, &len));
	ck_assert_uint_eq(tstats(r).records, 1);
	ck_assert_uint_eq(tstats(r).bytes, 40);
	tring_free(r);
}
END_TEST

/* Reserve for a long record across the end, commit a short one: it stays
 * where the reservation put it (at the start, behind the pad). */
START_TEST(short_commit_after_wrap)
{
	struct ring *r = tring_new(256);
	void *first, *p;

	first = ring_reserve(r, 88);
	trec_fill(first, 0, 88);
	ck_assert_int_eq(ring_commit(r, 88), 0);
	ck_assert_int_eq(trec_write(r, 1, 88), 0);
	ck_assert_int_eq(trec_read(r), 0);
	ck_assert_int_eq(trec_read(r), 1);
	p = ring_reserve(r, 120); /* at 192: pads */
	ck_assert_ptr_eq(p, first);
	trec_fill(p, 2, 16); /* would have fit before the end */
	ck_assert_int_eq(ring_commit(r, 16), 0);
	ck_assert_int_eq(trec_read(r), 2);
	ck_assert_int_eq(trec_write(r, 3, 16), 0);
	ck_assert_int_eq(trec_read(r), 3);
	tring_free(r);
}
END_TEST

/* Random sizes and batch lengths against a model of what must come out. */
START_TEST(variable_sizes_model)
{
	struct ring *r = tring_new(2048);
	uint64_t seq = 0, expect_min = 0, written = 0, read = 0;
	int64_t got;
	unsigned seed = 12345;
	int round, k, n;

	for (round = 0; round < 2000; round++) {
		n = (int)(rand_r(&seed) % 12);
		for (k = 0; k < n; k++, seq++) {
			size_t len = 16 +
			    (size_t)rand_r(&seed) % (ring_max_record(r) - 15);

			if (trec_write(r, seq, len) == 0)
				written++;
		}
		n = (int)(rand_r(&seed) % 12);
		for (k = 0; k < n && (got = trec_read(r)) != -1; k++) {
			ck_assert_int_ge(got, (int64_t)expect_min);
			expect_min = (uint64_t)got + 1;
			read++;
		}
	}
	while ((got = trec_read(r)) != -1) {
		ck_assert_int_ge(got, (int64_t)expect_min);
		expect_min = (uint64_t)got + 1;
		read++;
	}
	ck_assert_uint_eq(read, written);
	ck_assert_uint_eq(tstats(r).drops + written, seq);
	ck_assert_uint_gt(tstats(r).drops, 0);
	ck_assert_uint_eq(tstats(r).corrupt, 0);
	tring_free(r);
}
END_TEST

START_TEST(reset_discards_unread)
{
	struct ring *r = tring_new(512);
	struct ring_stats st;
	int i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(trec_write(r, (uint64_t)i, 24), 0);
	ck_assert_int_eq(trec_read(r), 0);
	ck_assert_ptr_nonnull(ring_reserve(r, 40)); /* a dead writer's */
	ring_reset(r);
	st = tstats(r);
	ck_assert_uint_eq(st.lag_bytes, 0);
	ck_assert_uint_eq(st.discarded, 2 * 32);
	ck_assert_uint_eq(st.resets, 1);
	ck_assert_uint_eq(st.records, 3); /* totals kept */
	ck_assert_ptr_null(ring_peek(r, &(size_t){ 0 }));
	ck_assert_int_eq(ring_commit(r, 40), -1); /* reservation forgotten */
	ck_assert_int_eq(trec_write(r, 10, 24), 0);
	ck_assert_int_eq(trec_read(r), 10);
	tring_free(r);
}
END_TEST

/* ring_drain() callback: counts records and sees each intact. */
static void
drain_cb(const void *rec, size_t len, void *arg)
{
	uint64_t seq, *n = arg;

	ck_assert(trec_ok(rec, len, &seq));
	ck_assert_uint_eq(seq, *n);
	(*n)++;
}

START_TEST(drain_with_limit)
{
	struct ring *r = tring_new(4096);
	uint64_t n = 0;
	int i;

	for (i = 0; i < 20; i++)
		ck_assert_int_eq(trec_write(r, (uint64_t)i, 32), 0);
	ck_assert_uint_eq(ring_drain(r, 5, drain_cb, &n), 5);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(ring_drain(r, 0, drain_cb, &n), 15);
	ck_assert_uint_eq(n, 20);
	ck_assert_uint_eq(ring_drain(r, 0, drain_cb, &n), 0);
	tring_free(r);
}
END_TEST

/* ring_drain() callback: every record read makes the writer add one. */
static void
refill_cb(const void *rec, size_t len, void *arg)
{
	struct ring *r = arg;
	uint64_t seq;

	ck_assert(trec_ok(rec, len, &seq));
	ck_assert_int_eq(trec_write(r, seq + 100, 32), 0);
}

/* With max 0, a drain stops at what was there when it began, however fast
 * the writer refills. */
START_TEST(drain_stops_at_start_head)
{
	struct ring *r = tring_new(4096);
	int i;

	for (i = 0; i < 10; i++)
		ck_assert_int_eq(trec_write(r, (uint64_t)i, 32), 0);
	ck_assert_uint_eq(ring_drain(r, 0, refill_cb, r), 10);
	ck_assert_uint_eq(tstats(r).records, 20);
	ck_assert_int_eq(trec_read(r), 100);
	tring_free(r);
}
END_TEST

/* A frame the writer cannot have made is skipped, counted, never read
 * through; the ring goes on working. */
START_TEST(corrupt_frame_is_skipped)
{
	struct ring *r = tring_new(256);
	uint32_t *frame;
	void *p;

	p = ring_reserve(r, 24);
	trec_fill(p, 0, 24);
	ck_assert_int_eq(ring_commit(r, 24), 0);
	ck_assert_int_eq(trec_write(r, 1, 24), 0);
	frame = (uint32_t *)p - 2;
	frame[0] = 100000; /* length past everything published */
	ck_assert_ptr_null(ring_peek(r, &(size_t){ 0 }));
	ck_assert_uint_eq(tstats(r).corrupt, 1);
	ck_assert_uint_eq(tstats(r).lag_bytes, 0);
	ck_assert_int_eq(trec_write(r, 2, 24), 0);
	ck_assert_int_eq(trec_read(r), 2);

	p = ring_reserve(r, 24);
	trec_fill(p, 3, 24);
	ck_assert_int_eq(ring_commit(r, 24), 0);
	((uint32_t *)p)[-1] = 0x1234; /* unknown kind */
	ck_assert_ptr_null(ring_peek(r, &(size_t){ 0 }));
	ck_assert_uint_eq(tstats(r).corrupt, 2);
	tring_free(r);
}
END_TEST

/* ---- record formats -------------------------------------------------- */

START_TEST(sample_layouts)
{
	ck_assert_int_eq(SAMPLE_VERSION, 1);
	ck_assert_uint_eq(sizeof(struct sample_hdr), 16);
	ck_assert_uint_eq(offsetof(struct sample_hdr, type), 0);
	ck_assert_uint_eq(offsetof(struct sample_hdr, version), 2);
	ck_assert_uint_eq(offsetof(struct sample_hdr, flags), 3);
	ck_assert_uint_eq(offsetof(struct sample_hdr, fixed), 4);
	ck_assert_uint_eq(offsetof(struct sample_hdr, depth), 6);
	ck_assert_uint_eq(offsetof(struct sample_hdr, ts_ns), 8);
	ck_assert_uint_eq(offsetof(struct sample_cpu, weight_ns), 16);
	ck_assert_uint_eq(offsetof(struct sample_cpu, pkg_id), 24);
	ck_assert_uint_eq(offsetof(struct sample_cpu, pcs), 32);
	ck_assert_uint_eq(offsetof(struct sample_alloc, size), 16);
	ck_assert_uint_eq(offsetof(struct sample_alloc, addr), 24);
	ck_assert_uint_eq(offsetof(struct sample_alloc, weight), 32);
	ck_assert_uint_eq(offsetof(struct sample_alloc, pkg_id), 40);
	ck_assert_uint_eq(offsetof(struct sample_alloc, fn), 44);
	ck_assert_uint_eq(offsetof(struct sample_alloc, pcs), 48);
	ck_assert_uint_eq(offsetof(struct sample_free, pcs), 40);
	ck_assert_uint_eq(offsetof(struct sample_copy, pcs), 40);
	ck_assert_uint_eq(offsetof(struct sample_objects, pcs), 32);

	/* A default-depth CPU sample with its ring frame stays under 300. */
	ck_assert_uint_eq(sample_bytes(SAMPLE_CPU, SAMPLE_DEPTH_DEFAULT), 288);
	ck_assert_uint_eq(sample_bytes(SAMPLE_ALLOC, 32), 48 + 256);
	ck_assert_uint_eq(sample_bytes(SAMPLE_FREE, 0), 40);
	ck_assert_uint_eq(sample_bytes(SAMPLE_COPY, 1), 48);
	ck_assert_uint_eq(sample_bytes(SAMPLE_OBJECTS, 0), 32);
	ck_assert_uint_eq(sample_bytes(99, 1), 0);
	ck_assert_uint_eq(sample_bytes(SAMPLE_CPU, SAMPLE_DEPTH_MAX + 1), 0);
	ck_assert_str_eq(sample_type_name(SAMPLE_CPU), "cpu");
	ck_assert_str_eq(sample_type_name(SAMPLE_OBJECTS), "objects");
	ck_assert_str_eq(sample_type_name(0), "unknown");
	ck_assert_str_eq(sample_type_name(1000), "unknown");
}
END_TEST

START_TEST(sample_check_rules)
{
	uint64_t buf[64];
	struct sample_cpu *cpu = (struct sample_cpu *)buf;
	struct sample_hdr *h = &cpu->hdr;

	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(sample_check(buf, sizeof(buf)), -1); /* type 0 */
	sample_hdr_init(h, SAMPLE_CPU, 4, 123);
	ck_assert_int_eq(h->fixed, 32);
	ck_assert_int_eq(h->version, SAMPLE_VERSION);
	ck_assert_int_eq(sample_check(buf, 64), SAMPLE_CPU);
	ck_assert_int_eq(sample_check(buf, 63), -1); /* pcs past len */
	ck_assert_int_eq(sample_check(buf, 8), -1); /* shorter than hdr */
	h->fixed = 24; /* shorter than known */
	ck_assert_int_eq(sample_check(buf, 64), -1);
	h->fixed = 36; /* not aligned */
	ck_assert_int_eq(sample_check(buf, 72), -1);
	h->fixed = 40; /* a later version appended a field: fine */
	ck_assert_int_eq(sample_check(buf, 72), SAMPLE_CPU);
	ck_assert_ptr_eq(sample_pcs(h), buf + 5);
	h->type = 77; /* unknown type: well-formed, to be skipped */
	h->fixed = 48;
	ck_assert_int_eq(sample_check(buf, 80), 77);
}
END_TEST

/* Write one record of `type` with fixed part `fixed` and depth pcs. */
static void
sample_put(
    struct ring *r, unsigned type, size_t fixed, unsigned depth, uint64_t tag)
{
	size_t len = fixed + depth * sizeof(uint64_t), i;
	unsigned char *p = ring_reserve(r, len);
	struct sample_hdr *h = (struct sample_hdr *)(void *)p;
	uint64_t *pcs;

	ck_assert_ptr_nonnull(p);
	memset(p, 0xee, len);
	sample_hdr_init(h, type, depth, tag);
	h->fixed = (uint16_t)fixed;
	pcs = (uint64_t *)(void *)(p + fixed);
	for (i = 0; i < depth; i++)
		pcs[i] = tag * 1000 + i;
	if (type == SAMPLE_CPU)
		((struct sample_cpu *)h)->weight_ns = tag;
	ck_assert_int_eq(ring_commit(r, len), 0);
}

/* A reader of this version walks a stream with types it does not know and
 * a CPU sample from a later version with a longer fixed part. */
START_TEST(reader_skips_unknown_types)
{
	struct ring *r = tring_new(4096);
	const struct sample_hdr *h;
	const void *rec;
	size_t len;
	int cpu = 0, other = 0, unknown = 0;

	sample_put(r, SAMPLE_CPU, 32, SAMPLE_DEPTH_DEFAULT, 1);
	sample_put(r, 200, 64, 3, 2);
	sample_put(r, SAMPLE_ALLOC, 48, 5, 3);
	sample_put(r, SAMPLE_FREE, 40, 0, 4);
	sample_put(r, SAMPLE_COPY, 40, 2, 5);
	sample_put(r, SAMPLE_OBJECTS, 32, 0, 6);
	sample_put(r, SAMPLE_CPU, 48, 4, 7); /* v2: 16 bytes appended */
	while ((rec = ring_peek(r, &len)) != NULL) {
		int type = sample_check(rec, len);

		ck_assert_int_gt(type, 0);
		h = rec;
		if (type == SAMPLE_CPU) {
			const struct sample_cpu *c = rec;

			ck_assert_uint_eq(c->weight_ns, h->ts_ns);
			ck_assert_uint_eq(sample_pcs(h)[h->depth - 1],
			    h->ts_ns * 1000 + h->depth - 1);
			cpu++;
		} else if (sample_bytes((unsigned)type, 0) == 0) {
			unknown++;
		} else {
			other++;
		}
		ring_consume(r);
	}
	ck_assert_int_eq(cpu, 2);
	ck_assert_int_eq(other, 4);
	ck_assert_int_eq(unknown, 1);
	tring_free(r);
}
END_TEST

/* ---- a writer in another process ------------------------------------- */

/* Child: write up to n records as fast as it can, for at most 2 s (so the
 * test stays bounded on a loaded machine), store how many it tried in
 * *tried, exit. A dropped record stays dropped; the child yields then, or
 * it would race through the rest as drops before the reader runs. */
static void
flood_child(struct ring *r, uint64_t n, size_t range, uint64_t *tried)
{
	double deadline = now_s() + 2.0;
	uint64_t seq;

	for (seq = 0; seq < n; seq++) {
		if (seq % 1024 == 0 && now_s() > deadline)
			break;
		if (trec_write(r, seq, trec_len(seq, range)) != 0)
			sched_yield();
	}
	__atomic_store_n(tried, seq, __ATOMIC_RELEASE);
	_exit(0);
}

/* Parent: drain until the child is gone and the ring is empty; every
 * record intact and in order; seen + dropped == tried. */
static void
flood(size_t capacity, uint64_t n, size_t range)
{
	struct ring *r = tring_new(capacity);
	uint64_t seen = 0, next = 0, seq, *tried;
	const void *p;
	size_t len;
	int status = 0, done = 0;
	double t0 = now_s();
	pid_t pid;

	tried = mmap(NULL, sizeof(*tried), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(tried, MAP_FAILED);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0)
		flood_child(r, n, range, tried);
	for (;;) {
		while ((p = ring_peek(r, &len)) != NULL) {
			ck_assert(trec_ok(p, len, &seq));
			ck_assert_uint_ge(seq, next);
			next = seq + 1;
			seen++;
			ring_consume(r);
		}
		if (done)
			break;
		/* Reap first, drain after: nothing is written once reaped. */
		if (waitpid(pid, &status, WNOHANG) == pid)
			done = 1;
		else
			sched_yield();
	}
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_gt(seen, 0);
	ck_assert_uint_eq(tstats(r).records, seen);
	ck_assert_uint_eq(seen + tstats(r).drops, *tried);
	ck_assert_uint_eq(tstats(r).corrupt, 0);
	ck_assert_uint_eq(tstats(r).lag_bytes, 0);
	fprintf(stderr,
	    "# flood cap %zu: %llu of %llu written, %llu dropped, %.3f s\n",
	    capacity, (unsigned long long)seen, (unsigned long long)*tried,
	    (unsigned long long)tstats(r).drops, now_s() - t0);
	munmap(tried, sizeof(*tried));
	tring_free(r);
}

START_TEST(cross_process_flood)
{
	flood(64 * 1024, 200000, 240);
}
END_TEST

/* A tiny ring: constant wrapping, many drops. */
START_TEST(cross_process_flood_tiny)
{
	flood(1024, 200000, 200);
}
END_TEST

/* ---- a writer in a signal handler ------------------------------------ */

static struct ring *sig_ring; /* written by the handler only */
static volatile uint64_t sig_written; /* records the handler tried */
static volatile sig_atomic_t in_event_write; /* main flow mid-record */
static volatile uint64_t sig_saw_event_write; /* handler ran mid-record */

/* Handler: write one record to its own ring, as the SIGPROF sampler does. */
static void
sig_writer(int signo)
{
	int saved = errno;
	uint64_t seq = sig_written;

	(void)signo;
	if (in_event_write)
		sig_saw_event_write = sig_saw_event_write + 1;
	(void)trec_write(sig_ring, seq, trec_len(seq, 100));
	sig_written = seq + 1;
	errno = saved;
}

static void
sig_install(int signo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_writer;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	ck_assert_int_eq(sigaction(signo, &sa, NULL), 0);
}

/* Read up to max records (0: until empty) checking order; *next is the
 * lowest seq still allowed. Returns records read. A bound is needed while
 * a writer is live: it may refill as fast as we read. */
static uint64_t
drain_upto(struct ring *r, uint64_t *next, uint64_t max)
{
	uint64_t n = 0;
	int64_t got;

	while ((max == 0 || n < max) && (got = trec_read(r)) != -1) {
		ck_assert_int_ge(got, (int64_t)*next);
		*next = (uint64_t)got + 1;
		n++;
	}
	return n;
}

/* Read until empty, checking order (no live writer, or a paced one). */
static uint64_t
drain_checked(struct ring *r, uint64_t *next)
{
	return drain_upto(r, next, 0);
}

/* The main flow writes ring A (raising the signal mid-record now and then,
 * and under a fast interval timer) while the handler writes ring B; the
 * main flow also reads both, so B's reader is interrupted by B's writer. */
START_TEST(signal_reentry_two_rings)
{
	struct ring *a = tring_new(4096), *b = tring_new(2048);
	struct itimerspec it = { { 0, 200000 }, { 0, 200000 } };
	struct sigevent sev;
	timer_t timer;
	uint64_t seq, a_seen = 0, b_seen = 0, a_next = 0, b_next = 0, a_ok = 0;
	double t0 = now_s();

	sig_ring = b;
	sig_written = 0;
	sig_install(SIGUSR1);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	ck_assert_int_eq(timer_create(CLOCK_MONOTONIC, &sev, &timer), 0);
	ck_assert_int_eq(timer_settime(timer, 0, &it, NULL), 0);
	for (seq = 0; seq < 200000 && now_s() - t0 < 0.5; seq++) {
		size_t len = trec_len(seq, 200);
		unsigned char *p = ring_reserve(a, len);

		if (p != NULL) {
			trec_fill(p, seq, len);
			if (seq % 7 == 0)
				raise(SIGUSR1); /* between fill and commit */
			ck_assert_int_eq(ring_commit(a, len), 0);
			a_ok++;
		}
		if (seq % 5 == 0)
			raise(SIGUSR1); /* between records */
		if (seq % 3 == 0) {
			a_seen += drain_checked(a, &a_next);
			b_seen += drain_checked(b, &b_next);
		}
	}
	ck_assert_int_eq(timer_delete(timer), 0);
	signal(SIGUSR1, SIG_IGN);
	a_seen += drain_checked(a, &a_next);
	b_seen += drain_checked(b, &b_next);
	ck_assert_uint_eq(a_seen, a_ok);
	ck_assert_uint_eq(a_seen + tstats(a).drops, seq);
	ck_assert_uint_gt(sig_written, seq / 5);
	ck_assert_uint_eq(b_seen + tstats(b).drops, sig_written);
	ck_assert_uint_eq(tstats(b).records, b_seen);
	ck_assert_uint_eq(tstats(a).corrupt + tstats(b).corrupt, 0);
	fprintf(stderr, "# re-entry: %llu records in A, %llu by the handler\n",
	    (unsigned long long)a_ok, (unsigned long long)sig_written);
	tring_free(a);
	tring_free(b);
}
END_TEST

/* The event-ring writer blocks SIGPROF around reserve..commit, so the
 * sampler never runs mid-record; it runs right after the unblock. The
 * control half shows the check would notice if it did. */
START_TEST(event_writer_blocks_sigprof)
{
	struct ring *ev = tring_new(4096), *cpu = tring_new(4096);
	uint64_t i;
	sigset_t old;

	sig_ring = cpu;
	sig_written = 0;
	sig_saw_event_write = 0;
	sig_install(SIGPROF);
	for (i = 0; i < 1000; i++) {
		void *p;

		ring_writer_block(&old);
		in_event_write = 1;
		p = ring_reserve(ev, 32);
		ck_assert_ptr_nonnull(p);
		raise(SIGPROF); /* pending: delivered after the unblock */
		trec_fill(p, i, 32);
		ck_assert_int_eq(ring_commit(ev, 32), 0);
		in_event_write = 0;
		ring_writer_unblock(&old);
		ck_assert_uint_eq(sig_written, i + 1);
		ck_assert_int_eq(trec_read(ev), (int64_t)i);
		ck_assert_int_eq(trec_read(cpu), (int64_t)i);
	}
	ck_assert_uint_eq(sig_saw_event_write, 0);
	ck_assert_uint_eq(tstats(cpu).records, 1000);

	/* Control: without the block the handler lands mid-record. */
	in_event_write = 1;
	raise(SIGPROF);
	in_event_write = 0;
	ck_assert_uint_eq(sig_saw_event_write, 1);
	signal(SIGPROF, SIG_IGN);
	tring_free(ev);
	tring_free(cpu);
}
END_TEST

/* ---- writers killed mid-record --------------------------------------- */

/* Fork a writer that commits `committed` records (from seq first), then
 * reserves `len` bytes, half fills them, tells the parent and waits to be
 * killed. The parent kills and reaps it. */
static void
die_mid_write(struct ring *r, uint64_t first, int committed, size_t len)
{
	int fds[2], status, i;
	char c;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		unsigned char *p;

		for (i = 0; i < committed; i++)
			if (trec_write(r, first + (uint64_t)i, 40) != 0)
				_exit(2);
		p = ring_reserve(r, len);
		if (p == NULL)
			_exit(3);
		trec_fill(p, 999, len);
		memset(p + len / 2, 0xaa, len - len / 2); /* torn */
		if (write(fds[1], "r", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	close(fds[0]);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

START_TEST(killed_mid_write_never_read)
{
	struct ring *r = tring_new(1024);
	int i;

	die_mid_write(r, 0, 3, 100);
	/* Without reset: the three committed records, then nothing. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(trec_read(r), i);
	for (i = 0; i < 3; i++)
		ck_assert_ptr_null(ring_peek(r, &(size_t){ 0 }));
	ck_assert_uint_eq(tstats(r).records, 3);
	ck_assert_uint_eq(tstats(r).lag_bytes, 0);
	/* A successor even without reset writes over the torn bytes. */
	ck_assert_int_eq(trec_write(r, 10, 100), 0);
	ck_assert_int_eq(trec_read(r), 10);
	/* With reset, likewise; the dead reservation is forgotten. */
	die_mid_write(r, 20, 2, 60);
	ring_reset(r);
	ck_assert_uint_eq(tstats(r).discarded, 2 * 48);
	ck_assert_ptr_null(ring_peek(r, &(size_t){ 0 }));
	ck_assert_int_eq(trec_write(r, 30, 60), 0);
	ck_assert_int_eq(trec_read(r), 30);
	ck_assert_uint_eq(tstats(r).corrupt, 0);
	tring_free(r);
}
END_TEST

/* Killed after a reservation that wrote a pad at the end: the pad is as
 * invisible as the record. */
START_TEST(killed_mid_wrapping_write)
{
	struct ring *r = tring_new(256);

	ck_assert_int_eq(trec_write(r, 0, 88), 0);
	ck_assert_int_eq(trec_write(r, 1, 88), 0);
	ck_assert_int_eq(trec_read(r), 0);
	ck_assert_int_eq(trec_read(r), 1);
	die_mid_write(r, 0, 0, 88); /* at 192: pad, then record at 0 */
	ck_assert_ptr_null(ring_peek(r, &(size_t){ 0 }));
	ck_assert_uint_eq(tstats(r).lag_bytes, 0);
	ring_reset(r);
	ck_assert_int_eq(trec_write(r, 5, 24), 0); /* fits before the end */
	ck_assert_int_eq(trec_write(r, 6, 88), 0); /* wraps for real */
	ck_assert_int_eq(trec_read(r), 5);
	ck_assert_int_eq(trec_read(r), 6);
	ck_assert_uint_eq(tstats(r).corrupt, 0);
	tring_free(r);
}
END_TEST

/* Writers killed at random moments while flooding: the reader gets intact
 * records only, and after each reset the next writer's records. */
START_TEST(killed_at_random)
{
	struct ring *r = tring_new(4096);
	unsigned seed = 99;
	int round, status;

	for (round = 0; round < 20; round++) {
		uint64_t next = 0, base = (uint64_t)round << 32;
		pid_t pid = fork();

		ck_assert_int_ne(pid, -1);
		if (pid == 0) {
			uint64_t seq;

			for (seq = base;; seq++)
				if (trec_write(r, seq, trec_len(seq, 150)) != 0)
					sched_yield();
		}
		next = base;
		usleep((useconds_t)(rand_r(&seed) % 3000));
		(void)drain_upto(r, &next, 200);
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		(void)drain_checked(r, &next);
		ring_reset(r);
		ck_assert_ptr_null(ring_peek(r, &(size_t){ 0 }));
	}
	ck_assert_uint_eq(tstats(r).corrupt, 0);
	ck_assert_uint_eq(tstats(r).resets, 20);
	tring_free(r);
}
END_TEST

/* ---- cost (printed, never fails on speed) ---------------------------- */

static void
drain_nop_cb(const void *rec, size_t len, void *arg)
{
	(void)rec;
	(void)len;
	(void)arg;
}

START_TEST(bench_reserve_commit)
{
	struct ring *r = tring_new(1 << 20);
	size_t len = sample_bytes(SAMPLE_CPU, SAMPLE_DEPTH_DEFAULT);
	uint64_t n = 0;
	double spent = 0, t0;
	int round;

	for (round = 0; round < 50; round++) {
		void *p;

		t0 = now_s();
		while ((p = ring_reserve(r, len)) != NULL) {
			*(volatile uint64_t *)p = n;
			ring_commit(r, len);
			n++;
		}
		spent += now_s() - t0;
		ring_drain(r, 0, drain_nop_cb, NULL);
	}
	fprintf(stderr, "# ring: %.1f ns per reserve+commit of %zu bytes\n",
	    spent * 1e9 / (double)n, len);
	ck_assert_uint_gt(n, 0);
	tring_free(r);
}
END_TEST

static Suite *
ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc;

	tc = tcase_create("basics");
	tcase_add_test(tc, sizes_and_init);
	tcase_add_test(tc, fifo_order);
	tcase_add_test(tc, peek_is_stable);
	tcase_add_test(tc, exact_fit_wraps_without_pad);
	tcase_add_test(tc, wrap_pads_to_start);
	tcase_add_test(tc, wrap_needs_room_for_pad);
	tcase_add_test(tc, full_drops_and_keeps_data);
	tcase_add_test(tc, max_record_fits_anywhere);
	tcase_add_test(tc, commit_abort_rules);
	tcase_add_test(tc, short_commit_after_wrap);
	tcase_add_test(tc, variable_sizes_model);
	tcase_add_test(tc, reset_discards_unread);
	tcase_add_test(tc, drain_with_limit);
	tcase_add_test(tc, drain_stops_at_start_head);
	tcase_add_test(tc, corrupt_frame_is_skipped);
	suite_add_tcase(s, tc);

	tc = tcase_create("sample");
	tcase_add_test(tc, sample_layouts);
	tcase_add_test(tc, sample_check_rules);
	tcase_add_test(tc, reader_skips_unknown_types);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, cross_process_flood);
	tcase_add_test(tc, cross_process_flood_tiny);
	tcase_add_test(tc, signal_reentry_two_rings);
	tcase_add_test(tc, event_writer_blocks_sigprof);
	tcase_add_test(tc, killed_mid_write_never_read);
	tcase_add_test(tc, killed_mid_wrapping_write);
	tcase_add_test(tc, killed_at_random);
	tcase_add_test(tc, bench_reserve_commit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ring_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
