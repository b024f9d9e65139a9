/* Unit tests for broadcast: the topic registry and the shared-memory
 * outbox ring (wrap, overwrite of the oldest, a reader far behind, a
 * publisher that died, a producer racing a reader in another process). */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bcast_ring.h"
#include "topic.h"
#include "hl_check.h"

/* --- topics ---------------------------------------------------------------- */

struct member {
	struct topic_member	 tm;
	int			 visits;
	struct topic_registry	*reg;
	struct member		*victim;	/* leaves all during a visit */
	int			 join_on_visit;
};

static struct topic_registry reg;

static void
topics_setup(void)
{
	topic_registry_init(&reg);
}

static void
topics_teardown(void)
{
	topic_registry_free(&reg);
}

#define JOIN(m, name, max) \
	topic_join(&reg, &(m)->tm, (m), (name), strlen(name), (max))
#define LEAVE(m, name) topic_leave(&reg, &(m)->tm, (name), strlen(name))
#define COUNT(name) topic_count(&reg, (name), strlen(name))

static void
visit(void *owner, void *arg)
{
	struct member *m = owner;

	m->visits++;
	if (m->victim != NULL)
		topic_leave_all(m->reg, &m->victim->tm);
	if (m->join_on_visit)
		topic_join(m->reg, &m->victim->tm, m->victim, "news", 4, 32);
	(void)arg;
}

START_TEST(topics_join_leave_limits)
{
	struct member a = { 0 }, b = { 0 };

	ck_assert_int_eq(JOIN(&a, "news", 2), TOPIC_OK);
	ck_assert_int_eq(JOIN(&a, "news", 2), TOPIC_ALREADY);
	ck_assert_int_eq(JOIN(&b, "news", 2), TOPIC_OK);
	ck_assert_int_eq(JOIN(&a, "sport", 2), TOPIC_OK);
	ck_assert_int_eq(JOIN(&a, "weather", 2), TOPIC_LIMIT);
	ck_assert_uint_eq(a.tm.nsubs, 2);
	ck_assert_uint_eq(COUNT("news"), 2);
	ck_assert_uint_eq(COUNT("sport"), 1);
	ck_assert_uint_eq(COUNT("weather"), 0);
	ck_assert_int_eq(LEAVE(&a, "news"), TOPIC_OK);
	ck_assert_int_eq(LEAVE(&a, "news"), TOPIC_ALREADY);
	ck_assert_int_eq(LEAVE(&a, "nothing"), TOPIC_ALREADY);
	ck_assert_uint_eq(COUNT("news"), 1);
	ck_assert_int_eq(JOIN(&a, "weather", 2), TOPIC_OK);
	/* Names are byte strings: a prefix is another topic. */
	ck_assert_uint_eq(topic_count(&reg, "new", 3), 0);
	ck_assert_uint_eq(reg.ntopics, 3);
}
END_TEST

START_TEST(topics_leave_all_frees_empty_topics)
{
	struct member a = { 0 }, b = { 0 };

	JOIN(&a, "x", 8);
	JOIN(&a, "y", 8);
	JOIN(&b, "y", 8);
	topic_leave_all(&reg, &a.tm);
	ck_assert_ptr_null(a.tm.subs);
	ck_assert_uint_eq(a.tm.nsubs, 0);
	ck_assert_uint_eq(COUNT("x"), 0);
	ck_assert_uint_eq(COUNT("y"), 1);
	ck_assert_uint_eq(reg.ntopics, 1);
	topic_leave_all(&reg, &b.tm);
	ck_assert_uint_eq(reg.ntopics, 0);
	ck_assert_uint_eq(reg.nsubs, 0);
}
END_TEST

START_TEST(topics_walk_visits_each_once)
{
	struct member m[10];
	int i;

	memset(m, 0, sizeof m);
	for (i = 0; i < 10; i++)
		JOIN(&m[i], "t", 4);
	ck_assert_uint_eq(topic_each(&reg, "t", 1, visit, NULL), 10);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(m[i].visits, 1);
	ck_assert_uint_eq(topic_each(&reg, "none", 4, visit, NULL), 0);
}
END_TEST

/* A visit may close members: itself, the next one, or all of them, and
 * the last one leaving must not free the topic under the walk. */
START_TEST(topics_leave_during_walk)
{
	struct member m[4];
	int i;

	memset(m, 0, sizeof m);
	for (i = 0; i < 4; i++) {
		m[i].reg = &reg;
		JOIN(&m[i], "t", 4);
		JOIN(&m[i], "u", 4);
	}
	m[0].victim = &m[1];	/* the next one */
	m[2].victim = &m[2];	/* itself */
	ck_assert_uint_eq(topic_each(&reg, "t", 1, visit, NULL), 3);
	ck_assert_int_eq(m[1].visits, 0);
	ck_assert_uint_eq(COUNT("t"), 2);
	ck_assert_uint_eq(COUNT("u"), 2);
	/* Everyone leaves during the walk: the topic goes after it. */
	memset(m, 0, sizeof m);
	for (i = 0; i < 4; i++) {
		m[i].reg = &reg;
		m[i].victim = &m[i];
		JOIN(&m[i], "v", 4);
	}
	ck_assert_uint_eq(topic_each(&reg, "v", 1, visit, NULL), 4);
	ck_assert_uint_eq(COUNT("v"), 0);
	ck_assert_uint_eq(topic_each(&reg, "v", 1, visit, NULL), 0);
}
END_TEST

START_TEST(topics_join_during_walk_not_visited)
{
	struct member a = { 0 }, b = { 0 };

	a.reg = &reg;
	a.victim = &b;
	a.join_on_visit = 1;
	JOIN(&a, "news", 4);
	ck_assert_uint_eq(topic_each(&reg, "news", 4, visit, NULL), 1);
	ck_assert_int_eq(b.visits, 0);
	ck_assert_uint_eq(COUNT("news"), 2);
	a.victim = NULL;
	a.join_on_visit = 0;
	ck_assert_uint_eq(topic_each(&reg, "news", 4, visit, NULL), 2);
}
END_TEST

START_TEST(topics_many_grow_the_table)
{
	struct member *m = calloc(2000, sizeof *m);
	char name[32];
	int i;

	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof name, "topic-%d", i);
		ck_assert_int_eq(JOIN(&m[i], name, 1), TOPIC_OK);
		ck_assert_int_eq(JOIN(&m[0], name, 1), i == 0 ? TOPIC_ALREADY :
		    TOPIC_LIMIT);
	}
	ck_assert_uint_eq(reg.ntopics, 2000);
	ck_assert_uint_ge(reg.nbuckets, 2000);
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof name, "topic-%d", i);
		ck_assert_uint_eq(COUNT(name), 1);
	}
	for (i = 0; i < 2000; i++)
		topic_leave_all(&reg, &m[i].tm);
	ck_assert_uint_eq(reg.ntopics, 0);
	free(m);
}
END_TEST

/* --- the ring -------------------------------------------------------------- */

#define CAP	4096

static struct bcast_ring *ring;

static void
ring_setup(void)
{
	ring = mmap(NULL, bcast_ring_size(CAP), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ring, MAP_FAILED);
	bcast_ring_init(ring, CAP);
}

static void
ring_teardown(void)
{
	munmap(ring, bcast_ring_size(CAP));
}

struct copy {
	uint32_t	len;
	uint8_t		data[];
};

static void *
peek_copy(const uint8_t *p, uint32_t len, void *arg)
{
	struct copy *c = malloc(sizeof *c + len);

	c->len = len;
	memcpy(c->data, p, len);
	return c;
}

static void
drop_copy(void *handle, void *arg)
{
	free(handle);
}

/* A record whose bytes all derive from n, so a torn one shows. */
static size_t
make_record(uint8_t *out, uint64_t n)
{
	size_t len = 8 + (n * 37) % 400, i;

	memcpy(out, &n, 8);
	for (i = 8; i < len; i++)
		out[i] = (uint8_t)(n * 131 + i);
	return len;
}

static int
record_ok(const struct copy *c, uint64_t *n)
{
	uint8_t want[512];

	if (c->len < 8)
		return 0;
	memcpy(n, c->data, 8);
	return make_record(want, *n) == c->len &&
	    memcmp(want, c->data, c->len) == 0;
}

static void
put_n(uint64_t n)
{
	uint8_t rec[512];
	size_t len = make_record(rec, n);

	ck_assert_int_ge(bcast_ring_put(ring, rec, 8, rec + 8, len - 8), 0);
}

/* Read everything; returns the records got, checking they are intact and
 * numbered from *next on (gaps allowed only where lost says). */
static uint64_t
read_all(struct bcast_cursor *cur, uint64_t *next, uint64_t *lost)
{
	struct bcast_record rec;
	uint64_t got = 0, n;
	void *h;

	while (bcast_ring_get(ring, cur, peek_copy, drop_copy, NULL, &rec, &h,
	    lost) == 1) {
		ck_assert_ptr_nonnull(h);
		ck_assert_msg(record_ok(h, &n), "record %llu is torn",
		    (unsigned long long)rec.seq);
		ck_assert_uint_ge(n, *next);
		*next = n + 1;
		free(h);
		got++;
	}
	return got;
}

START_TEST(ring_in_order_from_attach)
{
	struct bcast_cursor cur;
	uint64_t next = 0, lost = 0;

	put_n(100);	/* before the reader: not seen */
	bcast_ring_attach(ring, &cur);
	ck_assert_int_eq(bcast_ring_pending(ring, &cur), 0);
	put_n(0);
	put_n(1);
	put_n(2);
	ck_assert_int_eq(bcast_ring_pending(ring, &cur), 1);
	ck_assert_uint_eq(read_all(&cur, &next, &lost), 3);
	ck_assert_uint_eq(next, 3);
	ck_assert_uint_eq(lost, 0);
	ck_assert_int_eq(bcast_ring_pending(ring, &cur), 0);
	ck_assert_uint_eq(ring->published, 4);
}
END_TEST

/* Many laps of the ring, read as it goes: pads at the end, nothing lost. */
START_TEST(ring_wraps)
{
	struct bcast_cursor cur;
	uint64_t next = 0, lost = 0, got = 0, n;

	bcast_ring_attach(ring, &cur);
	for (n = 0; n < 2000; n++) {
		put_n(n);
		if (n % 3 == 2)
			got += read_all(&cur, &next, &lost);
	}
	got += read_all(&cur, &next, &lost);
	ck_assert_uint_eq(got, 2000);
	ck_assert_uint_eq(lost, 0);
	ck_assert_uint_gt(ring->head, 50 * CAP);	/* many laps */
}
END_TEST

START_TEST(ring_too_big_refused)
{
	uint8_t big[CAP];

	memset(big, 1, sizeof big);
	ck_assert_uint_eq(bcast_ring_max_record(ring), CAP / 4 - 16);
	ck_assert_int_eq(bcast_ring_put(ring, big, CAP / 4 - 15, NULL, 0), -1);
	ck_assert_int_ge(bcast_ring_put(ring, big, CAP / 4 - 16, NULL, 0), 0);
	ck_assert_uint_eq(ring->refused, 1);
}
END_TEST

/* Full: the producer never waits; the oldest records are overwritten and
 * the reader that had not read them counts exactly what it lost. */
START_TEST(ring_full_drops_oldest)
{
	struct bcast_cursor cur;
	uint64_t next = 0, lost = 0, got, n;

	bcast_ring_attach(ring, &cur);
	for (n = 0; n < 100; n++)
		put_n(n);
	got = read_all(&cur, &next, &lost);
	ck_assert_uint_eq(got + lost, 100);
	ck_assert_uint_gt(lost, 0);
	ck_assert_uint_gt(got, 0);
	ck_assert_uint_eq(next, 100);	/* the newest survived */
	/* It keeps up again from here. */
	put_n(100);
	lost = 0;
	ck_assert_uint_eq(read_all(&cur, &next, &lost), 1);
	ck_assert_uint_eq(lost, 0);
}
END_TEST

/* A reader a thousand laps behind (a stopped worker) skips to the oldest
 * intact record; two readers do not disturb each other. */
START_TEST(ring_reader_far_behind)
{
	struct bcast_cursor slow, fast;
	uint64_t nslow = 0, nfast = 0, lslow = 0, lfast = 0, got = 0, n;

	bcast_ring_attach(ring, &slow);
	bcast_ring_attach(ring, &fast);
	for (n = 0; n < 20000; n++) {
		put_n(n);
		got += read_all(&fast, &nfast, &lfast);
	}
	ck_assert_uint_eq(got, 20000);
	ck_assert_uint_eq(lfast, 0);
	got = read_all(&slow, &nslow, &lslow);
	ck_assert_uint_eq(got + lslow, 20000);
	ck_assert_uint_lt(got, 40);
	ck_assert_uint_eq(nslow, 20000);
}
END_TEST

/* A publisher dies after publishing some records and scribbling half of
 * the next one; readers see the published ones, never the half record,
 * and a successor in the same slot continues the sequence. */
START_TEST(ring_dead_publisher)
{
	struct bcast_cursor cur;
	uint64_t next = 0, lost = 0, got, n;
	int status;
	pid_t pid;

	bcast_ring_attach(ring, &cur);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		uint8_t rec[512];
		uint64_t off;

		for (n = 0; n < 10; n++) {	/* no wrap yet */
			size_t len = make_record(rec, n);
			bcast_ring_put(ring, rec, len, NULL, 0);
		}
		off = ring->head & (CAP - 1);
		memset(ring->data + off, 0xa5, (CAP - off < 200 ? CAP - off : 200));
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	got = read_all(&cur, &next, &lost);
	ck_assert_uint_eq(got, 10);
	ck_assert_uint_eq(lost, 0);
	ck_assert_uint_eq(next, 10);
	/* The successor laps the ring several times over the half record. */
	for (n = 10; n < 200; n++) {
		put_n(n);
		ck_assert_uint_eq(read_all(&cur, &next, &lost), 1);
	}
	ck_assert_uint_eq(lost, 0);
	ck_assert_uint_eq(next, 200);
}
END_TEST

/* A producer in another process floods the ring while this one reads:
 * every record read is intact (torn copies are detected and dropped),
 * and read + lost is everything published. */
START_TEST(ring_concurrent_reader)
{
	const uint64_t total = 300000;
	struct bcast_cursor cur;
	uint64_t next = 0, lost = 0, got = 0;
	struct timespec t0, t;
	int status;
	pid_t pid;

	bcast_ring_attach(ring, &cur);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		uint8_t rec[512];
		uint64_t n;

		for (n = 0; n < total; n++) {
			size_t len = make_record(rec, n);
			bcast_ring_put(ring, rec, len, NULL, 0);
		}
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		got += read_all(&cur, &next, &lost);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (next < total && t.tv_sec - t0.tv_sec < 30);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	got += read_all(&cur, &next, &lost);
	ck_assert_uint_eq(next, total);
	ck_assert_uint_eq(got + lost, total);
	ck_assert_uint_gt(got, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bcast");
	TCase *tt = tcase_create("topics"), *tr = tcase_create("ring");

	tcase_add_checked_fixture(tt, topics_setup, topics_teardown);
	tcase_add_test(tt, topics_join_leave_limits);
	tcase_add_test(tt, topics_leave_all_frees_empty_topics);
	tcase_add_test(tt, topics_walk_visits_each_once);
	tcase_add_test(tt, topics_leave_during_walk);
	tcase_add_test(tt, topics_join_during_walk_not_visited);
	tcase_add_test(tt, topics_many_grow_the_table);
	suite_add_tcase(s, tt);
	tcase_add_checked_fixture(tr, ring_setup, ring_teardown);
	tcase_set_timeout(tr, 60);
	tcase_add_test(tr, ring_in_order_from_attach);
	tcase_add_test(tr, ring_wraps);
	tcase_add_test(tr, ring_too_big_refused);
	tcase_add_test(tr, ring_full_drops_oldest);
	tcase_add_test(tr, ring_reader_far_behind);
	tcase_add_test(tr, ring_dead_publisher);
	tcase_add_test(tr, ring_concurrent_reader);
	suite_add_tcase(s, tr);
	return hl_check_run(s);
}
