/*
 * The router and the request/reply API without sockets: a reply target of
 * our own (struct reply_ops) collects every reply as text. Registration
 * rules, dispatch outcomes (unknown pkg_id, roles, schema, a handler that
 * forgets to answer or answers twice) and deferred replies to a target
 * that stays open or has closed.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/envelope.h"
#include "hl_check.h"
#include "app/request.h"
#include "app/router.h"
#include "core/util.h"

#define TARGET_REPLIES	8

/* A reply target: what it was sent, whether it is open, its references. */
struct target {
	char			 buf[4096];
	struct envelope_buf	 eb;
	char			*replies[TARGET_REPLIES];
	int			 n;
	int			 open;
	int			 refs;
	int			 dropped;
};

static struct envelope_buf *
t_begin(void *arg)
{
	struct target *t = arg;

	envelope_buf_init(&t->eb, t->buf, sizeof t->buf, 16);
	return &t->eb;
}

static void
t_commit(void *arg, struct envelope_buf *b)
{
	struct target *t = arg;

	ck_assert_int_lt(t->n, TARGET_REPLIES);
	t->replies[t->n++] = strndup(envelope_buf_text(b), b->len);
	envelope_buf_free(b);
}

static int
t_open(void *arg)
{
	return ((struct target *)arg)->open;
}

static void
t_ref(void *arg)
{
	((struct target *)arg)->refs++;
}

static void
t_unref(void *arg)
{
	((struct target *)arg)->refs--;
}

static void
t_dropped(void *arg)
{
	((struct target *)arg)->dropped++;
}

static const struct reply_ops t_ops = {
	t_begin, t_commit, t_open, t_ref, t_unref, t_dropped,
};

static void
target_init(struct target *t)
{
	memset(t, 0, sizeof *t);
	t->open = 1;
}

static void
target_free(struct target *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		free(t->replies[i]);
}

/* Scan text as a client's envelope and dispatch it to t. */
static void
send_to(struct target *t, const char *text,
    const struct request_identity *who)
{
	struct envelope_request env;
	struct hl_request req;

	ck_assert_int_eq(envelope_scan(text, strlen(text), &env), 0);
	request_init(&req, &t_ops, t, &env, who);
	router_dispatch(&req);
	request_done(&req);
}

static struct hl_deferred	*parked;

static void
h_echo(struct hl_request *req, void *arg)
{
	size_t len;
	const char *raw = hl_request_data_raw(req, &len);

	hl_reply_raw(req, HL_STATUS_OK, raw, len);
}

static void
h_silent(struct hl_request *req, void *arg)
{
}

static void
h_twice(struct hl_request *req, void *arg)
{
	ck_assert_int_eq(hl_reply(req, HL_STATUS_OK, json_integer(1)), 0);
	ck_assert_int_eq(hl_reply(req, HL_STATUS_OK, json_integer(2)), -1);
	ck_assert_ptr_null(hl_defer(req));
}

static void
h_park(struct hl_request *req, void *arg)
{
	parked = hl_defer(req);
	ck_assert_ptr_nonnull(parked);
}

static void
h_who(struct hl_request *req, void *arg)
{
	hl_reply(req, HL_STATUS_OK, json_pack("{s:s?}", "user",
	    hl_request_user(req)));
}

static const char *const admin_only[] = { "admin", NULL };

static void
setup(void)
{
	static const struct hl_handler hs[] = {
		{ .pkg_id = 1, .name = "echo", .fn = h_echo },
		{ .pkg_id = 2, .name = "silent", .fn = h_silent },
		{ .pkg_id = 3, .name = "twice", .fn = h_twice },
		{ .pkg_id = 4, .name = "park", .fn = h_park },
		{ .pkg_id = 5, .name = "who", .fn = h_who,
		  .roles = admin_only },
		{ .pkg_id = 6, .name = "typed", .fn = h_echo,
		  .schema = "{\"type\":\"object\",\"required\":[\"n\"],"
		      "\"properties\":{\"n\":{\"type\":\"integer\"}}}" },
	};
	char err[256];
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(hs); i++)
		ck_assert_msg(hl_register(&hs[i], err, sizeof err) == 0,
		    "%s", err);
	router_seal();
	parked = NULL;
}

static void
teardown(void)
{
	router_reset();
}

START_TEST(tc_register_rules)
{
	static const struct hl_handler dup = { .pkg_id = 1, .name = "again",
	    .fn = h_echo };
	char err[256];

	router_reset();
	ck_assert_int_eq(hl_register(&(struct hl_handler){ .pkg_id = 1,
	    .name = "echo", .fn = h_echo }, err, sizeof err), 0);
	ck_assert_int_eq(hl_register(&dup, err, sizeof err), -1);
	ck_assert_str_eq(err, "handler again: pkg_id 1 is taken by echo");
	ck_assert_int_eq(hl_register(&(struct hl_handler){ .pkg_id = 9,
	    .name = "nofn" }, err, sizeof err), -1);
	ck_assert_str_eq(err, "handler nofn: no name or function");
	ck_assert_int_eq(hl_register(&(struct hl_handler){ .pkg_id = 9,
	    .name = "badschema", .fn = h_echo, .schema = "{" }, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "handler badschema: schema is not JSON") ==
	    err, "%s", err);
	/* err is optional */
	ck_assert_int_eq(hl_register(&dup, NULL, 0), -1);
	router_seal();
	ck_assert_int_eq(hl_register(&(struct hl_handler){ .pkg_id = 10,
	    .name = "late", .fn = h_echo }, err, sizeof err), -1);
	ck_assert_str_eq(err,
	    "handler late: registration is closed after fork");
	ck_assert_uint_eq(router_count(), 1);
}
END_TEST

START_TEST(tc_sealed_table_is_sorted)
{
	size_t i;

	ck_assert_uint_eq(router_count(), 6);
	for (i = 0; i + 1 < router_count(); i++)
		ck_assert_int_lt(router_at(i)->pkg_id,
		    router_at(i + 1)->pkg_id);
	ck_assert_str_eq(router_find(4)->name, "park");
	ck_assert_ptr_null(router_find(7));
	ck_assert_ptr_null(router_at(6));
}
END_TEST

START_TEST(tc_dispatch_outcomes)
{
	struct target t;

	target_init(&t);
	send_to(&t, "{\"pkg_id\":1,\"req_id\":\"a\",\"data\":{\"x\":[1,2]}}",
	    NULL);
	send_to(&t, "{\"pkg_id\":77,\"req_id\":\"b\"}", NULL);
	send_to(&t, "{\"pkg_id\":2,\"req_id\":\"c\"}", NULL);
	send_to(&t, "{\"pkg_id\":3,\"req_id\":\"d\"}", NULL);
	send_to(&t, "{\"pkg_id\":5,\"req_id\":\"e\"}", NULL);
	send_to(&t, "{\"pkg_id\":6,\"req_id\":\"f\",\"data\":{\"n\":\"x\"}}",
	    NULL);
	ck_assert_int_eq(t.n, 6);
	ck_assert_str_eq(t.replies[0], "{\"pkg_id\":1,\"req_id\":\"a\","
	    "\"status_code\":0,\"data\":{\"x\":[1,2]}}");
	ck_assert_str_eq(t.replies[1], "{\"pkg_id\":77,\"req_id\":\"b\","
	    "\"status_code\":1,\"data\":{\"message\":"
	    "\"No handler found for pkg_id 77\"}}");
	ck_assert_msg(strstr(t.replies[2], "\"req_id\":\"c\",\"status_code\":1")
	    != NULL, "a silent handler gets ERROR: %s", t.replies[2]);
	ck_assert_str_eq(t.replies[3], "{\"pkg_id\":3,\"req_id\":\"d\","
	    "\"status_code\":0,\"data\":1}");
	ck_assert_str_eq(t.replies[4], "{\"pkg_id\":5,\"req_id\":\"e\","
	    "\"status_code\":3,\"data\":{\"message\":"
	    "\"No permission for pkg_id 5\"}}");
	ck_assert_msg(strstr(t.replies[5], "\"status_code\":2") != NULL &&
	    strstr(t.replies[5], "data.n") != NULL, "schema: %s",
	    t.replies[5]);
	ck_assert_int_eq(t.refs, 0);
	target_free(&t);
}
END_TEST

START_TEST(tc_roles_and_identity)
{
	static const char *const roles[] = { "viewer", "admin", NULL };
	static const struct request_identity who = { "ada", roles };
	struct target t;

	target_init(&t);
	send_to(&t, "{\"pkg_id\":5,\"req_id\":\"r\"}", &who);
	ck_assert_int_eq(t.n, 1);
	ck_assert_str_eq(t.replies[0], "{\"pkg_id\":5,\"req_id\":\"r\","
	    "\"status_code\":0,\"data\":{\"user\":\"ada\"}}");
	target_free(&t);
}
END_TEST

/* A deferred reply holds a reference to its target; it reaches an open
 * target with the request's ids, and is counted as dropped (never sent)
 * once the target has closed. Either way the reference goes. */
START_TEST(tc_deferred)
{
	struct target t;

	target_init(&t);
	send_to(&t, "{\"pkg_id\":4,\"req_id\":\"later\"}", NULL);
	ck_assert_int_eq(t.n, 0);
	ck_assert_int_eq(t.refs, 1);
	ck_assert_int_eq(hl_deferred_reply(parked, HL_STATUS_OK,
	    json_string("done")), 0);
	ck_assert_int_eq(t.n, 1);
	ck_assert_str_eq(t.replies[0], "{\"pkg_id\":4,\"req_id\":\"later\","
	    "\"status_code\":0,\"data\":\"done\"}");
	ck_assert_int_eq(t.refs, 0);

	send_to(&t, "{\"pkg_id\":4,\"req_id\":\"gone\"}", NULL);
	t.open = 0;
	ck_assert_int_eq(hl_deferred_reply(parked, HL_STATUS_OK, NULL), 1);
	ck_assert_int_eq(t.n, 1);
	ck_assert_int_eq(t.dropped, 1);
	ck_assert_int_eq(t.refs, 0);
	target_free(&t);
}
END_TEST

static Suite *
router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("dispatch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tc_register_rules);
	tcase_add_test(tc, tc_sealed_table_is_sorted);
	tcase_add_test(tc, tc_dispatch_outcomes);
	tcase_add_test(tc, tc_roles_and_identity);
	tcase_add_test(tc, tc_deferred);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return hl_check_run(router_suite());
}
