/*
 * Unit tests for hotline-bench's message templates (bench_msg.c): the
 * placeholders, the req_id it inserts, the bound on an expansion, the
 * weighted choice, and the refusals of bad templates and mix files.
 */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_msg.h"
#include "core/util.h"
#include "hl_check.h"

static struct bench_msgset set;

static void
reset(void)
{
	bench_msg_free(&set);
	memset(&set, 0, sizeof set);
}

/* Expand template i for (seq, conn) with a fixed generator state. */
static const char *
expand(unsigned i, uint64_t seq, unsigned conn)
{
	static char out[BENCH_MAX_MSG + 1];
	uint64_t rng = 88172645463325252ULL;

	ck_assert_uint_le(set.tmpl[i].max_len, BENCH_MAX_MSG);
	out[bench_msg_expand(&set.tmpl[i], out, seq, conn, &rng)] = '\0';
	ck_assert_uint_le(strlen(out), set.tmpl[i].max_len);
	return out;
}

START_TEST(placeholders_and_req_id)
{
	reset();
	ck_assert_int_eq(bench_msg_add(&set, "{\"pkg_id\":3,\"data\":{\"s\":"
	    "\"c{conn}-m{seq}\",\"n\":{seq}}}", 1, "t"), 0);
	ck_assert_str_eq(expand(0, 42, 7), "{\"req_id\":\"req-0000000042\","
	    "\"pkg_id\":3,\"data\":{\"s\":\"c7-m42\",\"n\":42}}");
	ck_assert_int_eq(set.tmpl[0].own_id, 0);
	ck_assert_uint_eq(set.npkgs, 1);
	ck_assert_int_eq(set.pkg_ids[0], 3);
	/* a template's own req_id is kept as written */
	ck_assert_int_eq(bench_msg_add(&set, "{\"pkg_id\":1,\"req_id\":"
	    "\"mine-{seq}\"}", 1, "t"), 0);
	ck_assert_str_eq(expand(1, 5, 0),
	    "{\"pkg_id\":1,\"req_id\":\"mine-5\"}");
	ck_assert_int_eq(set.tmpl[1].own_id, 1);
	ck_assert_uint_eq(set.npkgs, 2);
}
END_TEST

START_TEST(rand_stays_in_range)
{
	uint64_t rng = 1;
	char out[128];
	unsigned i, seen[3] = { 0 };

	reset();
	ck_assert_int_eq(bench_msg_add(&set, "{\"pkg_id\":3,\"data\":"
	    "{\"a\":{rand:3}}}", 1, "t"), 0);
	for (i = 0; i < 3000; i++) {
		size_t n = bench_msg_expand(&set.tmpl[0], out, i, 0, &rng);
		char *p;

		out[n] = '\0';
		p = strstr(out, "\"a\":");
		ck_assert_ptr_nonnull(p);
		ck_assert(p[4] >= '0' && p[4] <= '2' && p[5] == '}');
		seen[p[4] - '0']++;
	}
	for (i = 0; i < 3; i++)
		ck_assert_uint_gt(seen[i], 800);	/* about 1000 each */
}
END_TEST

START_TEST(weighted_pick)
{
	uint64_t rng = 1;
	unsigned i, first = 0;

	reset();
	ck_assert_int_eq(bench_msg_add(&set, "{\"pkg_id\":1}", 3, "t"), 0);
	ck_assert_int_eq(bench_msg_add(&set, "{\"pkg_id\":2}", 1, "t"), 0);
	for (i = 0; i < 40000; i++)
		first += bench_msg_pick(&set, hl_xorshift64(&rng)) ==
		    &set.tmpl[0];
	/* 30000 expected; 5 binomial standard errors are 433 */
	ck_assert_uint_gt(first, 30000 - 433);
	ck_assert_uint_lt(first, 30000 + 433);
}
END_TEST

START_TEST(bad_templates)
{
	static const char *const bad[] = {
		"{\"pkg_id\":3,",			/* not JSON */
		"[1,2]",				/* not an object */
		"{\"data\":{}}",			/* no pkg_id */
		"{\"pkg_id\":\"3\"}",			/* pkg_id a string */
		"{\"pkg_id\":{seq}}",			/* a placeholder */
		"{\"pkg_id\":1,\"req_id\":7}",		/* req_id a number */
		"{\"pkg_id\":1,\"d\":{rand:0}}",	/* N out of range */
		"{\"pkg_id\":1,\"d\":\"{rand:x}\"}",	/* N not a number */
	};
	size_t i;

	reset();
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(bench_msg_add(&set, bad[i], 1, "t") == -1,
		    "accepted %s", bad[i]);
	ck_assert_uint_eq(set.n, 0);
}
END_TEST

/* Write text to a temporary mix file; its path in a static buffer. */
static const char *
mix_file(const char *text)
{
	static char path[] = "/tmp/check_bench_msg.XXXXXX";
	int fd;

	strcpy(path, "/tmp/check_bench_msg.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	return path;
}

START_TEST(mix_files)
{
	const char *p;

	reset();
	p = mix_file("# comment\n\n  3 {\"pkg_id\":4}\n1\t{\"pkg_id\":5}\r\n");
	ck_assert_int_eq(bench_msg_load_mix(&set, p), 0);
	unlink(p);
	ck_assert_uint_eq(set.n, 2);
	ck_assert_uint_eq(set.tmpl[0].cum, 3);
	ck_assert_uint_eq(set.tmpl[1].cum, 4);
	reset();
	p = mix_file("0 {\"pkg_id\":4}\n");
	ck_assert_int_eq(bench_msg_load_mix(&set, p), -1);
	unlink(p);
	p = mix_file("{\"pkg_id\":4}\n");
	ck_assert_int_eq(bench_msg_load_mix(&set, p), -1);
	unlink(p);
	p = mix_file("# only a comment\n");
	ck_assert_int_eq(bench_msg_load_mix(&set, p), -1);
	unlink(p);
	ck_assert_int_eq(bench_msg_load_mix(&set, "/nonexistent/mix"), -1);
}
END_TEST

START_TEST(expansion_bound)
{
	char *big = malloc(BENCH_MAX_MSG), *w;
	int i;

	reset();
	ck_assert_ptr_nonnull(big);
	/* 4000 {seq} placeholders may expand to 20 digits each, 80000
	 * bytes, past the 64 KiB bound: refused before anything is sent */
	w = big + sprintf(big, "{\"pkg_id\":1,\"d\":\"");
	for (i = 0; i < 4000; i++, w += 5)
		memcpy(w, "{seq}", 5);
	strcpy(w, "\"}");
	ck_assert_int_eq(bench_msg_add(&set, big, 1, "t"), -1);
	free(big);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bench_msg");
	TCase *tc = tcase_create("msg");

	tcase_add_test(tc, placeholders_and_req_id);
	tcase_add_test(tc, rand_stays_in_range);
	tcase_add_test(tc, weighted_pick);
	tcase_add_test(tc, bad_templates);
	tcase_add_test(tc, mix_files);
	tcase_add_test(tc, expansion_bound);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
