/* Unit tests for broadcast: the topic registry, the shared-memory
 * outbox ring (wrap, overwrite of the oldest, a reader far behind, a
 * publisher that died, a producer racing a reader in another process), the
 * Redis wire format (signing, and every reason to drop a message) and
 * redis_url with its credentials. */
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

#include "bcast/bcast_ring.h"
#include "bcast/bcast_wire.h"
#include "core/config.h"
#include "core/redis_target.h"
#include "core/util.h"
#include "bcast/topic.h"
#include "hl_check.h"

/* --- topics --------------------------------------------------------------- */

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

/* --- the ring ------------------------------------------------------------- */

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
		memset(ring->data + off, 0xa5,
		    (CAP - off < 200 ? CAP - off : 200));
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

/* --- the Redis wire format ----------------------------------------------- */

static const struct bwire_limits wlim = { 1024, 128, 0 };
static const char wenv[] = "{\"pkg_id\":0,\"req_id\":\"b-i-1\",\"data\":{}}";

/* head + envelope of a message from instance "i" to topic, in out. */
static size_t
wire_msg(char *out, const char *topic, const char *env)
{
	size_t n = bwire_head(out, "i", 42, topic, strlen(topic), env,
	    strlen(env));

	memcpy(out + n, env, strlen(env));
	return n + strlen(env);
}

static enum bwire_verdict
wire_verdict(const char *p, size_t len)
{
	struct bwire_msg m;
	enum bwire_verdict v = bwire_parse(p, len, &m);

	return v != BWIRE_OK ? v : bwire_check(&m, &wlim);
}

START_TEST(wire_unsigned_round_trip)
{
	char buf[BWIRE_HEAD_MAX + 256];
	size_t n = wire_msg(buf, "news", wenv);
	struct bwire_msg m;

	ck_assert_int_eq(bwire_signed(), 0);
	ck_assert(memcmp(buf, "hl1 i 42 news\n", 14) == 0);
	ck_assert_int_eq(bwire_parse(buf, n, &m), BWIRE_OK);
	ck_assert_int_eq(bwire_check(&m, &wlim), BWIRE_OK);
	ck_assert_uint_eq(m.pub_ns, 42);
	ck_assert_uint_eq(m.tlen, 4);
	ck_assert_uint_eq(m.elen, strlen(wenv));
}
END_TEST

START_TEST(wire_checks_content)
{
	static const struct { const char *topic, *env; int want; } cases[] = {
		{ "x", "{\"pkg_id\":0,\"req_id\":\"a\",\"data\":\"\xff\"}",
		  BWIRE_UTF8 },
		{ "x", "{\"pkg_id\":0,\"req_id\":\"a\",\"data\":1",
		  BWIRE_JSON },
		{ "x", "{\"pkg_id\":5,\"req_id\":\"a\",\"data\":1}",
		  BWIRE_JSON },
		{ "x", "{\"pkg_id\":0,\"req_id\":1,\"data\":1}", BWIRE_JSON },
		{ "x", "{\"pkg_id\":0,\"req_id\":\"a\"}", BWIRE_JSON },
		{ "x", "{\"pkg_id\":0,\"req_id\":\"a\",\"data\":1,\"x\":2}",
		  BWIRE_JSON },
		{ "x", "[0]", BWIRE_JSON },
		{ "x\x01", wenv, BWIRE_TOPIC },
		{ "\xc3\x28", wenv, BWIRE_TOPIC },
		{ "x", "{\"pkg_id\":0,\"req_id\":\"a\",\"data\":null}",
		  BWIRE_OK },
	};
	char buf[BWIRE_HEAD_MAX + 256], big[1100];
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(cases); i++)
		ck_assert_msg((int)wire_verdict(buf, wire_msg(buf,
		    cases[i].topic, cases[i].env)) == cases[i].want,
		    "case %zu", i);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_assert_int_eq(wire_verdict(buf, wire_msg(buf, big, wenv)),
	    BWIRE_TOPIC);
	ck_assert_int_eq(wire_verdict("hl3 i 1 x\n{}", 12), BWIRE_MALFORMED);
	ck_assert_int_eq(wire_verdict("hl1 i x x\n{}", 12), BWIRE_MALFORMED);
	ck_assert_int_eq(wire_verdict("hl1 i 1 x", 9), BWIRE_MALFORMED);
	ck_assert_int_eq(wire_verdict("hl1 ", 4), BWIRE_MALFORMED);
	ck_assert_int_eq(wire_verdict("hl2 ab i 1 x\n{}", 15), BWIRE_MALFORMED);
}
END_TEST

START_TEST(wire_too_big)
{
	static char env[2048], buf[BWIRE_HEAD_MAX + sizeof env];

	memset(env, ' ', sizeof env - 1);
	memcpy(env, wenv, strlen(wenv));	/* JSON, padded with blanks */
	ck_assert_int_eq(wire_verdict(buf, wire_msg(buf, "x", env)),
	    BWIRE_TOO_BIG);
}
END_TEST

START_TEST(wire_signed)
{
	char buf[BWIRE_HEAD_MAX + 256], err[128];
	size_t n;

	ck_assert_int_eq(bwire_set_secret("short", 5, err, sizeof err), -1);
	ck_assert_int_eq(bwire_set_secret("0123456789abcdef0123456789abcdef",
	    32, err, sizeof err), 0);
	n = wire_msg(buf, "news", wenv);
	ck_assert(memcmp(buf, "hl2 ", 4) == 0 && buf[68] == ' ');
	ck_assert_int_eq(wire_verdict(buf, n), BWIRE_OK);
	buf[n - 2] ^= 1;		/* the envelope */
	ck_assert_int_eq(wire_verdict(buf, n), BWIRE_BAD_SIGNATURE);
	buf[n - 2] ^= 1;
	buf[70] ^= 1;			/* the instance */
	ck_assert_int_eq(wire_verdict(buf, n), BWIRE_BAD_SIGNATURE);
	buf[70] ^= 1;
	buf[4] = buf[4] == 'a' ? 'b' : 'a';	/* the HMAC */
	ck_assert_int_eq(wire_verdict(buf, n), BWIRE_BAD_SIGNATURE);
	ck_assert_int_eq(wire_verdict("hl1 i 1 x\n{}", 12), BWIRE_UNSIGNED);
	ck_assert_str_eq(bwire_reason(BWIRE_UNSIGNED), "redis_unsigned");
	bwire_free();
}
END_TEST

/* --- redis_url ------------------------------------------------------------ */

START_TEST(url_forms)
{
	struct redis_target t;
	char err[256];

	ck_assert_int_eq(redis_target_parse("redis://127.0.0.1", NULL, &t, err,
	    sizeof err), 0);
	ck_assert_str_eq(t.ip, "127.0.0.1");
	ck_assert_int_eq(t.port, 6379);
	ck_assert_int_eq(t.db, 0);
	ck_assert_str_eq(t.password, "");
	ck_assert_int_eq(redis_target_parse("redis://:p%40ss:w@[::1]:7000/3",
	    "", &t, err, sizeof err), 0);
	ck_assert_str_eq(t.ip, "::1");
	ck_assert_int_eq(t.port, 7000);
	ck_assert_int_eq(t.db, 3);
	ck_assert_str_eq(t.user, "");
	ck_assert_str_eq(t.password, "p@ss:w");
	ck_assert_int_eq(redis_target_parse("redis://bob:a@b@10.0.0.1:1/",
	    NULL, &t, err, sizeof err), 0);
	ck_assert_str_eq(t.user, "bob");
	ck_assert_str_eq(t.password, "a@b");
	ck_assert_str_eq(t.ip, "10.0.0.1");
}
END_TEST

START_TEST(url_refused)
{
	static const char *const bad[] = {
		"http://127.0.0.1", "redis://", "redis://pw@127.0.0.1",
		"redis://:@127.0.0.1", "redis://:a%zz@127.0.0.1",
		"redis://:a%00@127.0.0.1", "redis://localhost:6379",
		"redis://127.0.0.1:0", "redis://127.0.0.1:6379/x",
		"redis://127.0.0.1/-1", "redis://127.0.0.1:6379?db=1",
	};
	struct redis_target t;
	char err[256];
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(bad); i++)
		ck_assert_msg(redis_target_parse(bad[i], NULL, &t, err,
		    sizeof err) == -1, "%s", bad[i]);
	ck_assert_int_eq(redis_target_parse("redis://:secretpw@127.0.0.1",
	    "/nonexistent", &t, err, sizeof err), -1);
	ck_assert_ptr_null(strstr(err, "secretpw"));
	ck_assert_ptr_nonnull(strstr(err, "give one"));
}
END_TEST

START_TEST(url_password_file)
{
	char path[] = "/tmp/check_bcast_pw.XXXXXX", err[256];
	struct redis_target t;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "from-file\n", 10), 10);
	close(fd);
	ck_assert_int_eq(redis_target_parse("redis://127.0.0.1", path, &t, err,
	    sizeof err), 0);
	ck_assert_str_eq(t.password, "from-file");
	unlink(path);
	ck_assert_int_eq(redis_target_parse("redis://127.0.0.1", "/tmp", &t,
	    err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

START_TEST(url_redacted)
{
	char out[128];

	config_redact_url("redis://:pw@127.0.0.1:1/2", out, sizeof out);
	ck_assert_str_eq(out, "redis://:***@127.0.0.1:1/2");
	config_redact_url("redis://u:p@w@127.0.0.1", out, sizeof out);
	ck_assert_str_eq(out, "redis://u:***@127.0.0.1");
	config_redact_url("redis://127.0.0.1:1", out, sizeof out);
	ck_assert_str_eq(out, "redis://127.0.0.1:1");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bcast");
	TCase *tt = tcase_create("topics"), *tr = tcase_create("ring");
	TCase *tw = tcase_create("wire"), *tu = tcase_create("url");

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
	tcase_add_test(tw, wire_unsigned_round_trip);
	tcase_add_test(tw, wire_checks_content);
	tcase_add_test(tw, wire_too_big);
	tcase_add_test(tw, wire_signed);
	suite_add_tcase(s, tw);
	tcase_add_test(tu, url_forms);
	tcase_add_test(tu, url_refused);
	tcase_add_test(tu, url_password_file);
	tcase_add_test(tu, url_redacted);
	suite_add_tcase(s, tu);
	return hl_check_run(s);
}
