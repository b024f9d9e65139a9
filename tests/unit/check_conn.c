/*
 * The connection layer's read path, over a socketpair with no daemon
 * (conn_pair.c): pipelined bursts of messages of every size class, text and
 * binary, fragmented into 1-200 frames with pings between fragments, are
 * written cut at every offset around the handshake, the keep threshold
 * (4 KiB) and the read size (64 KiB), at two cuts, at random cuts and a
 * byte at a time; every answer is compared byte for byte with what the
 * client is owed. The frame parser has its own tests (check_ws_frame); what
 * these see is the code that feeds it: the bytes a connection keeps between
 * reads.
 */
#include "autoconf.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "conn_pair.h"
#include "app/handlers.h"
#include "hl_check.h"
#include "app/router.h"
#include "core/util.h"
#include "ws/ws_frame.h"

#define READ_SIZE	(64 * 1024)	/* CONN_READ_BYTES in src/ws/conn.c */
#define KEEP_MIN	4096		/* CONN_KEEP_MIN */
#define MAX_MESSAGE	(1024 * 1024)

/* A client's stream and what the server owes it. */
struct script {
	struct pair_bytes	 in;
	struct pair_bytes	 want;
	size_t			 head;	/* bytes of the upgrade request */
	uint32_t		 key;
	int			 closes; /* the server ends the connection */
};

static struct event_base	*base;
static struct config		 cf;

static const size_t sizes[] = { 0, 1, 125, 126, 65535, 65536, 70000 };
static const unsigned frags[] = { 1, 2, 7, 200 };

static void
setup(void)
{
	char err[256];

	ck_assert_ptr_nonnull(base = event_base_new());
	pair_server_init(base, MAX_MESSAGE);
	memset(&cf, 0, sizeof cf);
	ck_assert_int_eq(config_load(&cf, NULL, 0, NULL, 0), 0);
	ck_assert_msg(handlers_register(&cf, err, sizeof err) == 0, "%s", err);
	router_seal();
}

static void
teardown(void)
{
	pair_server_free();
	handlers_release();
	router_reset();
	config_free(&cf);
	event_base_free(base);
}

static void
script_init(struct script *s, const char *path)
{
	memset(s, 0, sizeof *s);
	s->key = 0x12345678;
	bytes_upgrade(&s->in, path);
	s->head = s->in.len;
}

static void
script_free(struct script *s)
{
	bytes_free(&s->in);
	bytes_free(&s->want);
}

static uint32_t
script_key(struct script *s)
{
	s->key = s->key * 1103515245u + 12345u;
	return s->key;
}

/* A message of len bytes (ASCII for text, every byte value for binary) in
 * nfrag frames, a ping after each fragment but the last when pings is set;
 * /echo owes the pongs, then the message whole in one frame. */
static void
script_message(struct script *s, uint8_t opcode, size_t len, unsigned nfrag,
    int pings)
{
	uint8_t *p = malloc(len + 1), ping[16];
	size_t i, off = 0, piece;
	unsigned f;
	int n;

	for (i = 0; i < len; i++)
		p[i] = opcode == WS_OP_TEXT ?
		    (uint8_t)('a' + (i * 7 + len) % 26) :
		    (uint8_t)(i * 31 + len);
	for (f = 0; f < nfrag; f++) {
		piece = f + 1 < nfrag ? len / nfrag : len - off;
		bytes_client_frame(&s->in, f + 1 == nfrag,
		    f == 0 ? opcode : WS_OP_CONT, p + off, piece,
		    script_key(s));
		off += piece;
		if (pings && f + 1 < nfrag) {
			n = snprintf((char *)ping, sizeof ping, "p%u", f);
			bytes_client_frame(&s->in, 1, WS_OP_PING, ping,
			    (size_t)n, script_key(s));
			bytes_server_frame(&s->want, 1, WS_OP_PONG, ping,
			    (size_t)n);
		}
	}
	bytes_server_frame(&s->want, 1, opcode, p, len);
	free(p);
}

/* Every size, text and binary, fragmented 1, 2, 7 and 200 ways in turn,
 * pings between the fragments of every other message. */
static void
script_burst(struct script *s)
{
	size_t i, k = 0;
	int op;

	for (i = 0; i < HL_ARRAY_LEN(sizes); i++)
		for (op = 0; op < 2; op++, k++)
			script_message(s, op ? WS_OP_BINARY : WS_OP_TEXT,
			    sizes[i], frags[k % HL_ARRAY_LEN(frags)], k & 1);
}

/* Run the script cut at cuts and check the answer byte for byte. */
static void
script_run(const struct script *s, const size_t *cuts, size_t ncuts)
{
	struct conn_pair p;
	size_t body, i;

	pair_open(&p);
	pair_feed_cut(&p, s->in.p, s->in.len, cuts, ncuts);
	body = pair_body(&p);
	ck_assert_msg(body > 0 && memcmp(p.out.p, "HTTP/1.1 101", 12) == 0,
	    "no 101 (cuts %zu at %zu)", ncuts, ncuts ? cuts[0] : 0);
	if (p.out.len - body != s->want.len ||
	    memcmp(p.out.p + body, s->want.p, s->want.len) != 0) {
		for (i = 0; i < s->want.len && body + i < p.out.len; i++)
			if (p.out.p[body + i] != s->want.p[i])
				break;
		ck_abort_msg("answer differs at byte %zu of %zu (got %zu) "
		    "with %zu cuts, first at %zu, second at %zu", i,
		    s->want.len, p.out.len - body, ncuts,
		    ncuts ? cuts[0] : 0, ncuts > 1 ? cuts[1] : 0);
	}
	ck_assert_int_eq(p.eof, s->closes);
	pair_close(&p);
}

static void
run_one_cut(const struct script *s, size_t at)
{
	script_run(s, &at, 1);
}

START_TEST(tc_whole)
{
	struct script s;

	script_init(&s, "/echo");
	script_burst(&s);
	script_run(&s, NULL, 0);
	script_free(&s);
}
END_TEST

/* The stream cut once at every offset near the end of the upgrade request
 * (the first frames' headers), near the keep threshold and near the read
 * size, and every 997th offset elsewhere; the rest comes in 64 KiB reads,
 * so later reads end at every kind of place too. */
START_TEST(tc_every_offset)
{
	static const size_t around[] = { KEEP_MIN, READ_SIZE, READ_SIZE * 2 };
	struct script s;
	size_t at, i;

	script_init(&s, "/echo");
	script_burst(&s);
	for (at = s.head - 8; at < s.head + 320; at++)
		run_one_cut(&s, at);
	for (i = 0; i < HL_ARRAY_LEN(around); i++)
		for (at = around[i] - 48; at <= around[i] + 48; at++)
			run_one_cut(&s, at);
	for (at = 1; at < s.in.len; at += 997)
		run_one_cut(&s, at);
	script_free(&s);
}
END_TEST

/* Two cuts: the second read lands in the connection's own buffer (the
 * rest kept from the first), a byte short of, at, and past the keep
 * threshold and the read size. */
START_TEST(tc_two_cuts)
{
	static const size_t gaps[] = { 1, KEEP_MIN - 1, KEEP_MIN, KEEP_MIN + 1,
	    READ_SIZE - 1, READ_SIZE, READ_SIZE + 1 };
	struct script s;
	size_t cuts[2], i;

	script_init(&s, "/echo");
	script_burst(&s);
	for (cuts[0] = s.head + 1; cuts[0] < s.in.len; cuts[0] += 4099)
		for (i = 0; i < HL_ARRAY_LEN(gaps); i++) {
			cuts[1] = cuts[0] + gaps[i];
			script_run(&s, cuts, 2);
		}
	script_free(&s);
}
END_TEST

/* Random cuts, from single bytes to more than two reads. */
START_TEST(tc_random_cuts)
{
	struct script s;
	size_t cuts[512], n, at;
	unsigned run;
	uint64_t r = 0x9e3779b97f4a7c15ull;

	script_init(&s, "/echo");
	script_burst(&s);
	for (run = 0; run < 60; run++) {
		for (n = 0, at = 0; n < HL_ARRAY_LEN(cuts); n++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			at += 1 + (r >> 8) % ((size_t)1 << (1 + (r & 15) % 18));
			if (at >= s.in.len)
				break;
			cuts[n] = at;
		}
		script_run(&s, cuts, n);
	}
	script_free(&s);
}
END_TEST

/* A small burst a byte at a time: every read is one byte. */
START_TEST(tc_byte_at_a_time)
{
	struct script s;
	size_t *cuts, i;

	script_init(&s, "/echo");
	script_message(&s, WS_OP_TEXT, 0, 1, 0);
	script_message(&s, WS_OP_TEXT, 125, 3, 1);
	script_message(&s, WS_OP_BINARY, 126, 1, 0);
	script_message(&s, WS_OP_BINARY, 300, 5, 1);
	cuts = malloc(s.in.len * sizeof *cuts);
	for (i = 0; i + 1 < s.in.len; i++)
		cuts[i] = i + 1;
	script_run(&s, cuts, s.in.len - 1);
	free(cuts);
	script_free(&s);
}
END_TEST

/* The cases that were garbled: 3,000 pipelined 100-byte messages in one
 * write; a small message then a 70 KB one; a 202 KiB binary message in 101
 * fragments with a ping between each. */
START_TEST(tc_reported)
{
	struct script s;
	unsigned i;

	script_init(&s, "/echo");
	for (i = 0; i < 3000; i++)
		script_message(&s, WS_OP_TEXT, 100, 1, 0);
	script_run(&s, NULL, 0);
	script_free(&s);

	script_init(&s, "/echo");
	script_message(&s, WS_OP_TEXT, 5, 1, 0);
	script_message(&s, WS_OP_TEXT, 70000, 1, 0);
	script_run(&s, NULL, 0);
	script_free(&s);

	script_init(&s, "/echo");
	script_message(&s, WS_OP_BINARY, 101 * 2048, 101, 1);
	script_run(&s, NULL, 0);
	script_free(&s);
}
END_TEST

/* n small messages, then a frame that ends the connection: a protocol
 * error (an unmasked frame) or the peer's close. However full the output
 * batch is when the close frame joins it, every echo and then the close
 * frame must leave before the socket is closed. */
START_TEST(tc_close_after_burst)
{
	static const uint8_t unmasked[] = { 0x81, 0x02, 'n', 'o' };
	static const uint8_t proto[] = { 0x03, 0xea, 'p', 'r', 'o', 't', 'o',
	    'c', 'o', 'l', ' ', 'e', 'r', 'r', 'o', 'r' };
	static const uint8_t normal[] = { 0x03, 0xe8 };
	struct script s;
	unsigned n, i;
	int peer;

	for (peer = 0; peer < 2; peer++)
		for (n = 0; n < 80; n++) {
			script_init(&s, "/echo");
			for (i = 0; i < n; i++)
				script_message(&s, WS_OP_TEXT, 7 + i % 3, 1, 0);
			if (peer) {
				bytes_client_frame(&s.in, 1, WS_OP_CLOSE,
				    normal, sizeof normal, script_key(&s));
				bytes_server_frame(&s.want, 1, WS_OP_CLOSE,
				    normal, sizeof normal);
			} else {
				bytes_add(&s.in, unmasked, sizeof unmasked);
				bytes_server_frame(&s.want, 1, WS_OP_CLOSE,
				    proto, sizeof proto);
			}
			s.closes = 1;
			script_run(&s, NULL, 0);
			script_free(&s);
		}
}
END_TEST

/* An envelope request for the echo handler, padded to pad bytes of
 * message, and the reply it is owed. */
static void
script_envelope(struct script *s, unsigned seq, size_t pad)
{
	struct pair_bytes req = { 0 }, rep = { 0 };
	char head[64], *msg = malloc(pad + 1);
	int n;

	memset(msg, 'x', pad);
	msg[pad] = '\0';
	n = snprintf(head, sizeof head, "\"req_id\":\"r%u\"", seq);
	bytes_add(&req, "{\"pkg_id\":1,", 12);
	bytes_add(&req, head, (size_t)n);
	bytes_add(&req, ",\"data\":{\"message\":\"", 20);
	bytes_add(&req, msg, pad);
	bytes_add(&req, "\"}}", 3);
	bytes_client_frame(&s->in, 1, WS_OP_TEXT, req.p, req.len,
	    script_key(s));
	bytes_add(&rep, "{\"pkg_id\":1,", 12);
	bytes_add(&rep, head, (size_t)n);
	bytes_add(&rep, ",\"status_code\":0,\"data\":{\"message\":\"", 36);
	bytes_add(&rep, msg, pad);
	bytes_add(&rep, "\"}}", 3);
	bytes_server_frame(&s->want, 1, WS_OP_TEXT, rep.p, rep.len);
	bytes_free(&req);
	bytes_free(&rep);
	free(msg);
}

/* The application path: envelopes pipelined to /web, routed to echo. */
START_TEST(tc_web_pipelined)
{
	struct script s;
	size_t at;
	unsigned i;

	script_init(&s, "/web");
	for (i = 0; i < 3000; i++)
		script_envelope(&s, i, 50);
	script_run(&s, NULL, 0);
	script_free(&s);

	script_init(&s, "/web");
	script_envelope(&s, 0, 10);
	script_envelope(&s, 1, 70000);
	script_envelope(&s, 2, 10);
	for (at = s.head; at < s.in.len; at += 211)
		run_one_cut(&s, at);
	script_free(&s);
}
END_TEST

static Suite *
conn_suite(void)
{
	Suite *su = suite_create("conn");
	TCase *tc = tcase_create("read path");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, tc_whole);
	tcase_add_test(tc, tc_every_offset);
	tcase_add_test(tc, tc_two_cuts);
	tcase_add_test(tc, tc_random_cuts);
	tcase_add_test(tc, tc_byte_at_a_time);
	tcase_add_test(tc, tc_reported);
	tcase_add_test(tc, tc_close_after_burst);
	tcase_add_test(tc, tc_web_pipelined);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return hl_check_run(conn_suite());
}
