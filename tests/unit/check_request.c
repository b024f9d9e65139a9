/* Unit tests for deferred replies (src/app/request.c) against a fake reply
 * target: the per-target cap, cancellation when the target closes, and the
 * module API's promise that a handle stays safe after its connection. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "app/envelope.h"
#include "hl_check.h"
#include "app/request.h"

/* A target that records its replies, in place of a connection. */
struct fake {
	struct deferred_set	 set;
	struct envelope_buf	 eb;
	uint32_t		 max;
	int			 open;
	int			 refs;
	int			 dropped;
	int			 replies;
	char			 last[512];
	char			 storage[1024];
};

static struct envelope_buf *
fake_begin(void *target)
{
	struct fake *f = target;

	envelope_buf_init(&f->eb, f->storage, sizeof f->storage, 0);
	return &f->eb;
}

static void
fake_commit(void *target, struct envelope_buf *b)
{
	struct fake *f = target;
	size_t n = b->len < sizeof f->last - 1 ? b->len : sizeof f->last - 1;

	memcpy(f->last, envelope_buf_text(b), n);
	f->last[n] = '\0';
	f->replies++;
	envelope_buf_free(b);
}

static int
fake_open(void *target)
{
	return ((struct fake *)target)->open;
}

static void
fake_ref(void *target)
{
	((struct fake *)target)->refs++;
}

static void
fake_unref(void *target)
{
	((struct fake *)target)->refs--;
}

static void
fake_dropped(void *target)
{
	((struct fake *)target)->dropped++;
}

static struct deferred_set *
fake_pending(void *target, uint32_t *max)
{
	struct fake *f = target;

	*max = f->max;
	return &f->set;
}

static const struct reply_ops fake_ops = {
	fake_begin, fake_commit, fake_open, fake_ref, fake_unref,
	fake_dropped, fake_pending,
};

static void
fake_init(struct fake *f, uint32_t max)
{
	memset(f, 0, sizeof *f);
	LIST_INIT(&f->set.list);
	f->max = max;
	f->open = 1;
}

/* Defer one request {"pkg_id":7,"req_id":"<id>"} to f. */
static struct hl_deferred *
defer_one(struct fake *f, const char *id)
{
	static char text[128];
	struct envelope_request env;
	struct hl_request req;
	struct hl_deferred *d;

	snprintf(text, sizeof text, "{\"pkg_id\":7,\"req_id\":\"%s\"}", id);
	ck_assert_int_eq(envelope_scan(text, strlen(text), &env), 0);
	request_init(&req, &fake_ops, f, &env, NULL);
	d = hl_defer(&req);
	request_done(&req);
	return d;
}

static int cancelled;

static void
cancel_cb(void *arg)
{
	cancelled += *(int *)arg;
}

START_TEST(cap_answers_at_once)
{
	struct fake f;
	struct hl_deferred *a, *b;

	fake_init(&f, 2);
	a = defer_one(&f, "a");
	b = defer_one(&f, "b");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(f.replies, 0);
	ck_assert_ptr_null(defer_one(&f, "c"));
	ck_assert_int_eq(f.replies, 1);
	ck_assert_ptr_nonnull(strstr(f.last, "\"req_id\":\"c\""));
	ck_assert_ptr_nonnull(strstr(f.last, "\"status_code\":1"));
	ck_assert_ptr_nonnull(strstr(f.last, "too many deferred replies"));
	ck_assert_uint_eq(f.set.count, 2);
	ck_assert_int_eq(f.refs, 2);
	/* a reply makes room again */
	ck_assert_int_eq(hl_deferred_reply(a, 0, json_object()), 0);
	ck_assert_uint_eq(f.set.count, 1);
	ck_assert_ptr_nonnull(strstr(f.last, "\"req_id\":\"a\""));
	a = defer_one(&f, "d");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(hl_deferred_reply(a, 0, NULL), 0);
	ck_assert_int_eq(hl_deferred_reply(b, 0, NULL), 0);
	ck_assert_uint_eq(f.set.count, 0);
	ck_assert_int_eq(f.refs, 0);
}
END_TEST

START_TEST(close_cancels_or_detaches)
{
	struct fake f;
	struct hl_deferred *a, *b, *c;
	int one = 1;

	fake_init(&f, 8);
	a = defer_one(&f, "a");
	b = defer_one(&f, "b");
	c = defer_one(&f, "c");
	hl_deferred_on_cancel(a, cancel_cb, &one);
	hl_deferred_on_cancel(c, cancel_cb, &one);
	hl_deferred_on_cancel(c, NULL, NULL);	/* removed again */
	cancelled = 0;
	f.open = 0;
	request_deferred_closed(&f.set);
	ck_assert_int_eq(cancelled, 1);		/* a, freed with its ref */
	ck_assert_uint_eq(f.set.count, 0);
	ck_assert_int_eq(f.refs, 2);		/* b and c live on */
	/* the module answers later: dropped, counted, handle freed */
	ck_assert_int_eq(hl_deferred_reply(b, 0, json_object()), 1);
	ck_assert_int_eq(hl_deferred_reply(c, 0, NULL), 1);
	ck_assert_int_eq(f.dropped, 2);
	ck_assert_int_eq(f.replies, 0);
	ck_assert_int_eq(f.refs, 0);
}
END_TEST

/* The worker's bound counts every target's pending replies. */
START_TEST(worker_bound_spans_targets)
{
	struct fake f, g;
	struct hl_deferred *d[3];
	int one = 1;

	fake_init(&f, 8);
	fake_init(&g, 8);
	request_deferred_bound(3);
	d[0] = defer_one(&f, "f1");
	d[1] = defer_one(&f, "f2");
	d[2] = defer_one(&g, "g1");
	ck_assert_ptr_null(defer_one(&g, "g2"));
	ck_assert_ptr_nonnull(strstr(g.last, "on this worker"));
	ck_assert_ptr_nonnull(strstr(g.last, "\"req_id\":\"g2\""));
	f.open = 0;
	hl_deferred_on_cancel(d[0], cancel_cb, &one);
	request_deferred_closed(&f.set);	/* f1 cancelled, f2 detached */
	ck_assert_ptr_nonnull(d[0] = defer_one(&g, "g3"));
	ck_assert_ptr_null(defer_one(&g, "g4"));
	ck_assert_int_eq(hl_deferred_reply(d[1], 0, NULL), 1);
	ck_assert_int_eq(hl_deferred_reply(d[0], 0, NULL), 0);
	ck_assert_int_eq(hl_deferred_reply(d[2], 0, NULL), 0);
	ck_assert_int_eq(g.refs, 0);
	request_deferred_bound(UINT32_MAX);
}
END_TEST

START_TEST(null_handle_is_safe)
{
	hl_deferred_on_cancel(NULL, cancel_cb, NULL);
	ck_assert_int_eq(hl_deferred_reply(NULL, 0, json_object()), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("deferred");

	tcase_add_test(tc, cap_answers_at_once);
	tcase_add_test(tc, close_cancels_or_detaches);
	tcase_add_test(tc, worker_bound_spans_targets);
	tcase_add_test(tc, null_handle_is_safe);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
