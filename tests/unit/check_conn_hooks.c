/*
 * The connection layer's hooks (ws/conn.h), over a socketpair with no
 * daemon (conn_pair.c): two recording tables stand in for auth and
 * broadcast. They run in the order installed (closed in reverse); an
 * upgrade hook's refusal is the client's HTTP answer and stops the rest;
 * a message hook that takes a message stops it before the router, and
 * its rate error becomes an error envelope; each table's slot is its own;
 * /echo skips upgrade and message hooks.
 */
#include "autoconf.h"

#include <event2/event.h>
#include <string.h>

#include "core/config.h"
#include "conn_pair.h"
#include "app/handlers.h"
#include "hl_check.h"
#include "app/router.h"
#include "ws/conn.h"
#include "ws/ws_frame.h"

struct rec {
	char		 name;		/* 'a' or 'b' */
	int		 slot;
	int		 refuse;	/* upgrade says 401 */
	enum conn_verdict verdict;	/* what message answers */
};

static struct event_base	*base;
static struct config		 cf;
static struct rec		 recs[2] = { { 'a' }, { 'b' } };
static char			 calls[256];	/* "au bu ao bo ..." */
static int			 slot_ok;	/* closed saw opened's ptr */

static void
note(const struct rec *r, char what)
{
	size_t n = strlen(calls);

	if (n + 3 < sizeof calls) {
		calls[n] = r->name;
		calls[n + 1] = what;
		calls[n + 2] = ' ';
		calls[n + 3] = '\0';
	}
}

static int
rec_upgrade(const struct rec *r, struct conn *c,
    enum ws_handshake_refusal *why, const char **detail)
{
	note(r, 'u');
	if (!r->refuse)
		return 0;
	*why = WS_HANDSHAKE_REFUSE_UNAUTHORIZED;
	*detail = "hook said no";
	return -1;
}

static void
rec_opened(const struct rec *r, struct conn *c)
{
	note(r, 'o');
	conn_set_slot(c, r->slot, (void *)&recs[r->name - 'a']);
}

static enum conn_verdict
rec_message(const struct rec *r, struct conn *c, const char **refuse)
{
	note(r, 'm');
	*refuse = "slow down, says the hook";
	return r->verdict;
}

static void
rec_closed(const struct rec *r, struct conn *c)
{
	note(r, 'c');
	if (conn_slot(c, r->slot) == (void *)r)
		slot_ok++;
}

#define REC_HOOKS(i)							\
static int								\
upgrade_##i(struct conn *c, const struct ws_handshake_request *req,	\
    enum ws_handshake_refusal *why, const char **detail)		\
{									\
	return rec_upgrade(&recs[i], c, why, detail);			\
}									\
static void								\
opened_##i(struct conn *c)						\
{									\
	rec_opened(&recs[i], c);					\
}									\
static enum conn_verdict						\
message_##i(struct conn *c, uint8_t op, const uint8_t *p, size_t len,	\
    const char **refuse)						\
{									\
	return rec_message(&recs[i], c, refuse);			\
}									\
static void								\
closed_##i(struct conn *c)						\
{									\
	rec_closed(&recs[i], c);					\
}									\
static const struct conn_hooks hooks_##i = {				\
	upgrade_##i, opened_##i, message_##i, NULL, closed_##i,		\
};

REC_HOOKS(0)
REC_HOOKS(1)

static void
setup(void)
{
	char err[256];

	ck_assert_ptr_nonnull(base = event_base_new());
	pair_server_init(base, 1024 * 1024);
	memset(&cf, 0, sizeof cf);
	ck_assert_int_eq(config_load(&cf, NULL, 0, NULL, 0), 0);
	ck_assert_msg(handlers_register(&cf, err, sizeof err) == 0, "%s", err);
	router_seal();
	conn_hooks_clear();
	recs[0].slot = conn_hooks_add(&hooks_0);
	recs[1].slot = conn_hooks_add(&hooks_1);
	recs[0].refuse = recs[1].refuse = 0;
	recs[0].verdict = recs[1].verdict = CONN_ROUTE;
	calls[0] = '\0';
	slot_ok = 0;
}

static void
teardown(void)
{
	conn_hooks_clear();
	pair_server_free();
	handlers_release();
	router_reset();
	config_free(&cf);
	event_base_free(base);
}

/* Open path, send one echo envelope (when send), close everything. */
static void
run(const char *path, int send, struct conn_pair *p)
{
	static const char env[] =
	    "{\"pkg_id\":1,\"req_id\":\"r1\",\"data\":{\"message\":\"hi\"}}";
	struct pair_bytes in = { 0 };

	pair_open(p);
	bytes_upgrade(&in, path);
	if (send)
		bytes_client_frame(&in, 1, WS_OP_TEXT, (const uint8_t *)env,
		    strlen(env), 0x01020304);
	pair_feed(p, in.p, in.len);
	bytes_free(&in);
}

static int
said(const struct conn_pair *p, const char *s)
{
	return memmem(p->out.p, p->out.len, s, strlen(s)) != NULL;
}

START_TEST(hooks_run_in_order)
{
	struct conn_pair p;

	ck_assert_int_eq(conn_hooks_add(&hooks_0), -1);	/* CONN_HOOKS_MAX */
	run("/web", 1, &p);
	ck_assert_msg(said(&p, "\"message\":\"hi\""), "no echo reply");
	pair_server_free();	/* closes it: the closed hooks run */
	ck_assert_str_eq(calls, "au bu ao bo am bm bc ac ");
	ck_assert_int_eq(slot_ok, 2);
	pair_close(&p);
	pair_server_init(base, 1024 * 1024);
}
END_TEST

START_TEST(hooks_upgrade_refusal)
{
	struct conn_pair p;

	recs[0].refuse = 1;
	run("/web", 0, &p);
	ck_assert_msg(said(&p, "HTTP/1.1 401"), "not a 401");
	ck_assert_msg(said(&p, "hook said no"), "no detail in the body");
	pair_server_free();
	ck_assert_str_eq(calls, "au bc ac ");
	ck_assert_int_eq(slot_ok, 0);
	pair_close(&p);
	pair_server_init(base, 1024 * 1024);
}
END_TEST

START_TEST(hooks_message_taken)
{
	struct conn_pair p;

	recs[0].verdict = CONN_TAKEN;
	run("/web", 1, &p);
	ck_assert_msg(!said(&p, "\"req_id\":\"r1\""), "a taken message "
	    "was routed");
	ck_assert_str_eq(calls, "au bu ao bo am ");
	pair_close(&p);
}
END_TEST

START_TEST(hooks_message_rate_error)
{
	struct conn_pair p;

	recs[1].verdict = CONN_RATE_ERROR;
	run("/web", 1, &p);
	ck_assert_msg(said(&p, "slow down, says the hook"),
	    "no error envelope");
	ck_assert_msg(said(&p, "\"req_id\":\"r1\""), "req_id not echoed");
	ck_assert_msg(!said(&p, "\"message\":\"hi\""), "routed anyway");
	pair_close(&p);
}
END_TEST

START_TEST(hooks_echo_skips_upgrade_and_message)
{
	struct conn_pair p;

	run("/echo", 1, &p);
	ck_assert_str_eq(calls, "ao bo ");
	pair_close(&p);
}
END_TEST

static Suite *
hooks_suite(void)
{
	Suite *su = suite_create("conn_hooks");
	TCase *tc = tcase_create("hooks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hooks_run_in_order);
	tcase_add_test(tc, hooks_upgrade_refusal);
	tcase_add_test(tc, hooks_message_taken);
	tcase_add_test(tc, hooks_message_rate_error);
	tcase_add_test(tc, hooks_echo_skips_upgrade_and_message);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return hl_check_run(hooks_suite());
}
