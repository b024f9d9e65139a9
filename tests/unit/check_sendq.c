/* Unit tests for refcounted buffers and the send queue (over a socketpair). */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ws/sendq.h"
#include "hl_check.h"

static int sv[2];

static void
setup(void)
{
	int small = 4096;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
}

static void
teardown(void)
{
	close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
}

static struct hl_buf *
buf_of(const char *s)
{
	struct hl_buf *b = hl_buf_new(strlen(s));

	memcpy(b->data, s, strlen(s));
	return b;
}

/* Read exactly n bytes from the peer. */
static void
read_exact(char *out, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(sv[1], out + got, n - got);
		ck_assert_int_gt(r, 0);
		got += (size_t)r;
	}
	out[n] = '\0';
}

START_TEST(empty_queue_owns_nothing)
{
	struct sendq q = { 0 };

	ck_assert_uint_le(sizeof q, 24);
	ck_assert(sendq_empty(&q));
	ck_assert_int_eq(sendq_flush(&q, sv[0]), 0);
	sendq_clear(&q);
	ck_assert_ptr_null(q.ring);
}
END_TEST

START_TEST(slices_in_order)
{
	struct sendq q = { 0 };
	struct hl_buf *a = buf_of("hello "), *b = buf_of("xxworldxx");
	char got[64];

	ck_assert_int_eq(sendq_push(&q, a, 0, 6, 1024), 0);
	ck_assert_int_eq(sendq_push(&q, b, 2, 5, 1024), 0);
	ck_assert_int_eq(sendq_push_copy(&q, "!", 1, 1024), 0);
	ck_assert_uint_eq(q.bytes, 12);
	ck_assert_int_eq(sendq_flush(&q, sv[0]), 12);
	read_exact(got, 12);
	ck_assert_str_eq(got, "hello world!");
	ck_assert(sendq_empty(&q));
	ck_assert_ptr_null(q.ring);	/* drained: the ring is freed */
	ck_assert_uint_eq(a->refs, 1);
	hl_buf_unref(a);
	hl_buf_unref(b);
}
END_TEST

/* One buffer on many queues: each holds a reference until it is written. */
START_TEST(shared_buffer_refcount)
{
	struct sendq q[3] = { { 0 } };
	struct hl_buf *frame = buf_of("broadcast");
	char got[16];
	int i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(sendq_push(&q[i], frame, 0, 9, 1024), 0);
	ck_assert_uint_eq(frame->refs, 4);
	hl_buf_unref(frame);		/* the builder lets go */
	ck_assert_int_eq(sendq_flush(&q[0], sv[0]), 9);
	read_exact(got, 9);
	ck_assert_str_eq(got, "broadcast");
	ck_assert_uint_eq(frame->refs, 2);
	sendq_clear(&q[1]);
	ck_assert_uint_eq(frame->refs, 1);
	sendq_clear(&q[2]);		/* frees it; ASan checks */
}
END_TEST

START_TEST(byte_limit)
{
	struct sendq q = { 0 };
	struct hl_buf *b = buf_of("0123456789");

	ck_assert_int_eq(sendq_push(&q, b, 0, 10, 25), 0);
	ck_assert_int_eq(sendq_push(&q, b, 0, 10, 25), 0);
	ck_assert_int_eq(sendq_push(&q, b, 0, 10, 25), -1);
	ck_assert_int_eq(sendq_push_copy(&q, "abcdef", 6, 25), -1);
	ck_assert_int_eq(sendq_push_copy(&q, "abcde", 5, 25), 0);
	ck_assert_uint_eq(q.bytes, 25);
	ck_assert_uint_eq(q.count, 3);
	sendq_clear(&q);
	ck_assert_uint_eq(b->refs, 1);
	hl_buf_unref(b);
}
END_TEST

/* A reader slower than the writer: partial writes resume mid-slice, the
 * ring grows past its first size and wraps, and bytes arrive in order. */
START_TEST(partial_writes_resume)
{
	enum { N = 300, LEN = 1000 };
	struct sendq q = { 0 };
	struct hl_buf *b = hl_buf_new(LEN);
	static char got[N * LEN + 1];
	size_t received = 0;
	int i, j;

	for (i = 0; i < N; i++) {
		for (j = 0; j < LEN; j++)
			b->data[j] = (uint8_t)('a' + i % 26);
		ck_assert_int_eq(sendq_push_copy(&q, b->data, LEN, 1 << 20),
		    0);
	}
	while (!sendq_empty(&q) || received < N * LEN) {
		ssize_t n = sendq_flush(&q, sv[0]);
		ck_assert_int_ge(n, 0);
		n = read(sv[1], got + received, sizeof got - 1 - received);
		if (n > 0)
			received += (size_t)n;
	}
	for (i = 0; i < N; i++)
		ck_assert_int_eq(got[i * LEN + LEN - 1], 'a' + i % 26);
	hl_buf_unref(b);
}
END_TEST

/* Every queue is charged to the worker's sum (bytes + SENDQ_SLICE_COST a
 * slice, a shared buffer once per queue); a push past its bound fails
 * apart from the queue's own, push_last may use a sixteenth more, and
 * writes and clears give it all back. */
START_TEST(worker_sum_bounded)
{
	struct sendq q[2] = { { 0 }, { 0 } };
	struct hl_buf *b = hl_buf_new(100);
	char got[1024];

	memset(b->data, 'w', 100);
	sendq_worker_bound(4 * (100 + SENDQ_SLICE_COST));
	ck_assert_int_eq(sendq_push(&q[0], b, 0, 100, 1 << 20), SENDQ_OK);
	ck_assert_int_eq(sendq_push(&q[1], b, 0, 100, 1 << 20), SENDQ_OK);
	ck_assert_int_eq(sendq_push(&q[1], b, 0, 100, 1 << 20), SENDQ_OK);
	ck_assert_uint_eq(sendq_worker_held(), 3 * (100 + SENDQ_SLICE_COST));
	ck_assert_int_eq(sendq_push(&q[0], b, 0, 100, 150), SENDQ_FULL);
	ck_assert_int_eq(sendq_push_copy(&q[0], b->data, 100, 1 << 20),
	    SENDQ_OK);
	ck_assert_int_eq(sendq_push(&q[0], b, 0, 1, 1 << 20),
	    SENDQ_WORKER_FULL);
	ck_assert_int_eq(sendq_push_copy(&q[1], "x", 1, 1 << 20),
	    SENDQ_WORKER_FULL);
	/* the reserve: 592 / 16 = 37 bytes, less the slice's 48: none left */
	ck_assert_int_eq(sendq_push_last(&q[0], b, 0, 1), SENDQ_WORKER_FULL);
	sendq_worker_bound(16 * (100 + SENDQ_SLICE_COST));
	ck_assert_int_eq(sendq_push_last(&q[0], b, 0, 100), SENDQ_OK);
	ck_assert_uint_eq(q[0].count, 3);
	ck_assert_int_eq(sendq_flush(&q[0], sv[0]), 300);
	ck_assert_int_eq(read(sv[1], got, sizeof got), 300);
	ck_assert_uint_eq(sendq_worker_held(), 2 * (100 + SENDQ_SLICE_COST));
	sendq_clear(&q[1]);
	ck_assert_uint_eq(sendq_worker_held(), 0);
	ck_assert_uint_eq(b->refs, 1);
	hl_buf_unref(b);
	sendq_worker_bound(UINT64_MAX / 2);
}
END_TEST

START_TEST(write_error_reported)
{
	struct sendq q = { 0 };

	close(sv[1]);
	sv[1] = -1;
	ck_assert_int_eq(sendq_push_copy(&q, "x", 1, 10), 0);
	ck_assert_int_eq(sendq_flush(&q, sv[0]), -1);
	ck_assert_int_eq(errno, EPIPE);
	sendq_clear(&q);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sendq");
	TCase *tc = tcase_create("queue");

	signal(SIGPIPE, SIG_IGN);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, empty_queue_owns_nothing);
	tcase_add_test(tc, slices_in_order);
	tcase_add_test(tc, shared_buffer_refcount);
	tcase_add_test(tc, byte_limit);
	tcase_add_test(tc, partial_writes_resume);
	tcase_add_test(tc, write_error_reported);
	tcase_add_test(tc, worker_sum_bounded);
	suite_add_tcase(s, tc);
	return hl_check_run(s);
}
