/*
 * Differential test: the same client byte streams go to hotline's codec
 * (ws_msg_feed plus a test-side message assembler) and to a wslay server
 * context reading from memory; both must deliver the same messages
 * (opcode and payload) and fail, or not, with the same close code.
 *
 * Streams are valid random conversations (random sizes in every length
 * form, fragmentation split anywhere, including inside UTF-8 characters,
 * interleaved pings and pongs, a final close) and mutations of them (bit
 * flips in headers and payloads, truncation, random overwrites and
 * insertions), with a fixed seed and a bounded count.
 *
 * Known differences, by design; each is recognised exactly (the rest of
 * the outcome must still match) and counted, never ignored wholesale:
 *
 *  D1 close payload of one byte: RFC 6455 5.5.1 says a close body starts
 *     with a 2-byte code, so hotline fails with 1002; wslay treats it as
 *     a close without a code.
 *  D2 close codes 1012-1014: registered with IANA (service restart, try
 *     again later, bad gateway) and accepted by hotline as by Python
 *     websockets; wslay only knows codes up to 1011 and fails with 1002.
 *  D3 early header errors: wslay checks RSV, masking, opcode sequence and
 *     the size bound only when the header and one payload byte have
 *     arrived; hotline fails from the header bytes alone. Visible only
 *     when a stream ends between the two points.
 *  D4 frame-layer errors (a control frame not final or over 125 bytes, a
 *     length not in its shortest form or with the top bit set): wslay's
 *     wslay_event_recv returns WSLAY_ERR_CALLBACK_FAILURE and sends a
 *     close frame with no status code (1005 here); hotline sends 1002.
 *
 * Where they agree by construction it is still checked: wslay also
 * validates UTF-8 of text messages across fragments and of close reasons,
 * refuses non-minimal length encodings, and bounds message size.
 *
 * wslay's reads are cut at frame boundaries (see wslay_recv_cb), because
 * wslay restarts its close-reason UTF-8 check at byte 2 of every read
 * chunk: a close frame split across two reads would be judged on the
 * wrong bytes. That is wslay's limitation, not a difference in rules.
 */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wslay/wslay.h>

#include "ws/utf8.h"
#include "ws/ws_frame.h"

#define VALID_CASES	1000
#define MUTATED_CASES	3000
#define STREAM_MAX	(1 << 20)

/* A growable byte buffer: the message log, streams and assembly. */
struct bytes {
	uint8_t	*p;
	size_t	 len, cap;
};

static void
bytes_put(struct bytes *b, const void *p, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
}

/* What one side made of a stream. */
struct outcome {
	/* records: opcode, 8-byte length, payload */
	struct bytes	log;
	size_t		last;		/* offset of the last record in log */
	uint16_t	fail;		/* close code of a failure, or 0 */
	/* hotline only: where it failed and what it knew of that frame. */
	size_t		fail_off;
	struct ws_frame	fail_frame;
};

static void
outcome_reset(struct outcome *o)
{
	o->log.len = 0;
	o->last = 0;
	o->fail = 0;
	o->fail_off = 0;
	memset(&o->fail_frame, 0, sizeof(o->fail_frame));
}

static void
log_msg(struct outcome *o, uint8_t opcode, const uint8_t *p, uint64_t len)
{
	uint8_t head[9];

	head[0] = opcode;
	for (int i = 0; i < 8; i++)
		head[1 + i] = (uint8_t)(len >> (56 - 8 * i));
	o->last = o->log.len;
	bytes_put(&o->log, head, sizeof(head));
	bytes_put(&o->log, p, (size_t)len);
}

/* --- hotline side ------------------------------------------------------ */

/* Run a stream through ws_msg_feed, assembling data messages. */
static void
run_hotline(const uint8_t *stream, size_t len, uint64_t max,
    struct outcome *o)
{
	static struct bytes work, assembly;
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code;
	size_t off = 0;
	ssize_t n;

	outcome_reset(o);
	work.len = assembly.len = 0;
	bytes_put(&work, stream, len);	/* unmasked in place */
	ws_msg_init(&msg);
	while (off < len) {
		n = ws_msg_feed(&msg, work.p + off, len - off, max, &f, &code);
		if (n <= 0) {
			if (n < 0) {
				o->fail = code;
				o->fail_off = off;
				o->fail_frame = f;
			}
			return;
		}
		off += (size_t)n;
		if (f.opcode >= WS_OP_CLOSE) {
			log_msg(o, f.opcode, f.payload, f.payload_len);
			if (f.opcode == WS_OP_CLOSE)
				return;
			continue;
		}
		bytes_put(&assembly, f.payload, (size_t)f.payload_len);
		if (f.fin) {
			log_msg(o, f.msg_opcode, assembly.p, assembly.len);
			assembly.len = 0;
		}
	}
}

/* --- wslay side -------------------------------------------------------- */

struct wslay_feed {
	const uint8_t	*stream;
	size_t		 len, off;
	struct outcome	*o;
};

/* Read a frame header's sizes, rules aside: *hdr (with the mask key if
 * the mask bit is set) and *plen. Returns 0 while the length bytes are
 * incomplete. */
static int
raw_header(const uint8_t *p, size_t avail, size_t *hdr, uint64_t *plen)
{
	size_t ext;

	if (avail < 2)
		return 0;
	ext = (p[1] & 0x7f) == 126 ? 2 : (p[1] & 0x7f) == 127 ? 8 : 0;
	if (avail < 2 + ext)
		return 0;
	*hdr = 2 + ext + ((p[1] & 0x80) ? 4 : 0);
	*plen = ext == 0 ? (p[1] & 0x7fu) : 0;
	for (size_t i = 0; i < ext; i++)
		*plen = *plen << 8 | p[2 + i];
	return 1;
}

/* The size of the frame at p as its header says; 0 when unknown or
 * beyond any stream here. */
static uint64_t
raw_frame_len(const uint8_t *p, size_t avail)
{
	size_t hdr;
	uint64_t plen;

	if (!raw_header(p, avail, &hdr, &plen) || plen > STREAM_MAX)
		return 0;
	return hdr + plen;
}

/* Serve the stream, each read ending at the next frame boundary. */
static ssize_t
wslay_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    int flags, void *user_data)
{
	struct wslay_feed *in = user_data;
	size_t end = in->len, off = 0;
	uint64_t flen;

	/* Find the first frame boundary past the read position. */
	while (off <= in->off) {
		flen = raw_frame_len(in->stream + off, in->len - off);
		if (flen == 0 || flen > in->len - off)
			break;
		off += flen;
		if (off > in->off) {
			end = off;
			break;
		}
	}
	if (end - in->off < len)
		len = end - in->off;
	if (len == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	memcpy(buf, in->stream + in->off, len);
	in->off += len;
	return (ssize_t)len;
}

static ssize_t
wslay_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *user_data)
{
	return (ssize_t)len;	/* replies (pongs, close) are not compared */
}

static void
wslay_msg_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *arg, void *user_data)
{
	struct wslay_feed *in = user_data;

	log_msg(in->o, arg->opcode, arg->msg, arg->msg_length);
}

static void
run_wslay(const uint8_t *stream, size_t len, uint64_t max, struct outcome *o)
{
	struct wslay_event_callbacks cb = {
		.recv_callback = wslay_recv_cb,
		.send_callback = wslay_send_cb,
		.on_msg_recv_callback = wslay_msg_cb,
	};
	struct wslay_feed in = { stream, len, 0, o };
	wslay_event_context_ptr ctx;
	int r;

	outcome_reset(o);
	ck_assert_int_eq(wslay_event_context_server_init(&ctx, &cb, &in), 0);
	wslay_event_config_set_max_recv_msg_length(ctx, max);
	r = wslay_event_recv(ctx);
	if (r == WSLAY_ERR_CALLBACK_FAILURE) {
		/* Our callbacks never fail: this is a frame-layer protocol
		 * error, answered with a close without a code (D4). */
		ck_assert_int_eq(wslay_event_send(ctx), 0);
		ck_assert_uint_eq(wslay_event_get_status_code_sent(ctx),
		    WS_CLOSE_NO_STATUS);
		o->fail = WS_CLOSE_NO_STATUS;
	} else if (r != 0)
		o->fail = 1;	/* never a close code: always a mismatch */
	else if (!wslay_event_get_read_enabled(ctx) &&
	    !wslay_event_get_close_received(ctx)) {
		/* wslay queued a close with its code; send it to learn it. */
		ck_assert_int_eq(wslay_event_send(ctx), 0);
		o->fail = wslay_event_get_status_code_sent(ctx);
	}
	wslay_event_context_free(ctx);
}

/* --- comparison -------------------------------------------------------- */

enum verdict { SAME, D1_CLOSE_1BYTE, D2_CLOSE_IANA, D3_EARLY_HEADER,
	D4_FRAME_LAYER, MISMATCH, VERDICTS };

static const char *verdict_names[] = { "same", "D1 close 1 byte",
	"D2 close 1012-1014", "D3 early header", "D4 frame layer",
	"MISMATCH" };

static int
log_eq(const struct bytes *a, size_t alen, const struct bytes *b,
    size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a->p, b->p, alen) == 0);
}

/* The code of the close record at the end of o's log, 0 if none. */
static uint16_t
last_close_code(const struct outcome *o)
{
	const uint8_t *r = o->log.p + o->last;

	if (o->log.len == 0 || r[0] != WS_OP_CLOSE || o->log.len - o->last < 11)
		return 0;
	return (uint16_t)(r[9] << 8 | r[10]);
}

/* Whether wslay has seen enough of the frame at off to run its event
 * layer checks (D3): the whole header and one payload byte, if any. */
static int
wslay_saw_frame(const uint8_t *stream, size_t len, size_t off)
{
	size_t hdr;
	uint64_t plen;

	if (!raw_header(stream + off, len - off, &hdr, &plen))
		return 0;
	return len - off >= hdr + (plen > 0 ? 1 : 0);
}

/* Whether the frame at p breaks a rule wslay's frame layer enforces
 * (D4), judged from the header bytes present. */
static int
frame_layer_error(const uint8_t *p, size_t avail)
{
	size_t hdr;
	uint64_t plen;
	uint8_t len7;

	if (avail < 2)
		return 0;
	len7 = p[1] & 0x7f;
	if ((p[0] & 0x08) && (!(p[0] & 0x80) || len7 > WS_CONTROL_MAX))
		return 1;
	if (!raw_header(p, avail, &hdr, &plen))
		return 0;
	return (len7 == 126 && plen < 126) ||
	    (len7 == 127 && (plen >> 63 || plen <= 0xffff));
}

static enum verdict
compare(const uint8_t *stream, size_t len, const struct outcome *h,
    const struct outcome *w)
{
	const struct ws_frame *hf = &h->fail_frame;

	if (h->fail == w->fail && log_eq(&h->log, h->log.len, &w->log,
	    w->log.len))
		return SAME;
	if (h->fail == 1002 && w->fail == 0 && hf->opcode == WS_OP_CLOSE &&
	    hf->payload_len == 1 && hf->frame_len <= len - h->fail_off &&
	    log_eq(&h->log, h->log.len, &w->log, w->last) &&
	    w->log.len - w->last == 10 && w->log.p[w->last] == WS_OP_CLOSE)
		return D1_CLOSE_1BYTE;
	if (h->fail == 0 && w->fail == 1002 && last_close_code(h) >= 1012 &&
	    last_close_code(h) <= 1014 &&
	    log_eq(&h->log, h->last, &w->log, w->log.len))
		return D2_CLOSE_IANA;
	if (h->fail != 0 && w->fail == 0 &&
	    !wslay_saw_frame(stream, len, h->fail_off) &&
	    log_eq(&h->log, h->log.len, &w->log, w->log.len))
		return D3_EARLY_HEADER;
	if (h->fail == 1002 && w->fail == WS_CLOSE_NO_STATUS &&
	    frame_layer_error(stream + h->fail_off, len - h->fail_off) &&
	    log_eq(&h->log, h->log.len, &w->log, w->log.len))
		return D4_FRAME_LAYER;
	return MISMATCH;
}

/* --- stream generation ------------------------------------------------- */

struct gen {
	unsigned	seed;
	int		wild;		/* also make bad codes, bad UTF-8 */
	uint64_t	max;		/* the case's max_message_bytes */
	struct bytes	stream;
	struct outcome	expect;		/* the messages put in */
};

static uint32_t
gen_rand(struct gen *g)
{
	return (uint32_t)rand_r(&g->seed);
}

static void
gen_frame(struct gen *g, uint8_t opcode, int fin, const uint8_t *p,
    size_t len)
{
	uint8_t key[4];
	size_t n;

	for (int i = 0; i < 4; i++)
		key[i] = (uint8_t)gen_rand(g);
	while (g->stream.cap - g->stream.len < len + WS_CLIENT_HEADER_MAX) {
		g->stream.cap = g->stream.cap * 2 + len + 64;
		g->stream.p = realloc(g->stream.p, g->stream.cap);
		ck_assert_ptr_nonnull(g->stream.p);
	}
	n = ws_frame_build_client(g->stream.p + g->stream.len,
	    g->stream.cap - g->stream.len, opcode, fin, p, len, key);
	ck_assert_uint_gt(n, 0);
	g->stream.len += n;
}

/* Fill p with len bytes of random valid UTF-8 (1- to 4-byte characters). */
static void
gen_utf8(struct gen *g, uint8_t *p, size_t len)
{
	static const uint32_t samples[] = { 'a', 'Z', 0x7f, 0x80, 0x3ba,
		0x7ff, 0x800, 0x20ac, 0xd7ff, 0xe000, 0xfffd, 0xffff,
		0x10000, 0x1f600, 0x10ffff };
	size_t i = 0;

	while (i < len) {
		uint32_t cp = samples[gen_rand(g) % 15];
		size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 :
		    cp < 0x10000 ? 3 : 4;

		if (n > len - i)
			cp = 'x', n = 1;
		if (n == 1)
			p[i] = (uint8_t)cp;
		else {
			p[i] = (uint8_t)((0xf00 >> n) | (cp >> (6 * (n - 1))));
			for (size_t k = 1; k < n; k++)
				p[i + k] = (uint8_t)(0x80 |
				    ((cp >> (6 * (n - 1 - k))) & 0x3f));
		}
		i += n;
	}
}

/* Sizes that visit every length form, mostly small. */
static size_t
gen_size(struct gen *g)
{
	uint32_t r = gen_rand(g) % 100;

	/* Right at the bound, one below and one above. */
	if (r < 5 && g->max < 65536)
		return (size_t)g->max - 1 + gen_rand(g) % 3;

	if (r < 60)
		return gen_rand(g) % 130;
	if (r < 90)
		return gen_rand(g) % 3000;
	if (r < 98)
		return gen_rand(g) % 20000;
	return 65536 + gen_rand(g) % 5000;
}

static void
gen_control(struct gen *g)
{
	uint8_t p[WS_CONTROL_MAX];
	uint8_t op = gen_rand(g) % 2 ? WS_OP_PING : WS_OP_PONG;
	size_t len = gen_rand(g) % 3 ? gen_rand(g) % 16 : WS_CONTROL_MAX;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)gen_rand(g);
	gen_frame(g, op, 1, p, len);
	log_msg(&g->expect, op, p, len);
}

/* One data message, split into 1-4 fragments at random points (text
 * fragments may end inside a character), with control frames between. */
static void
gen_message(struct gen *g)
{
	static uint8_t p[65536 + 5000];
	uint8_t op = gen_rand(g) % 2 ? WS_OP_TEXT : WS_OP_BINARY;
	size_t len = gen_size(g), nfrag = 1 + gen_rand(g) % 4, off = 0;

	static const char *bad[] = {
		"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xff", "\x80", "\xe2\x82", "\xf0\x9f\x98" };

	if (op == WS_OP_TEXT)
		gen_utf8(g, p, len);
	else
		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)gen_rand(g);
	/* Wild: a bad sequence somewhere, often across a fragment edge. */
	if (op == WS_OP_TEXT && g->wild && len >= 4 && gen_rand(g) % 4 == 0) {
		const char *b = bad[gen_rand(g) % 7];

		memcpy(p + gen_rand(g) % (len - 3), b, strlen(b));
	}
	for (size_t k = 0; k < nfrag; k++) {
		size_t n = k + 1 == nfrag ? len - off :
		    gen_rand(g) % (len - off + 1);

		gen_frame(g, k == 0 ? op : WS_OP_CONT, k + 1 == nfrag, p + off,
		    n);
		off += n;
		if (k + 1 < nfrag && gen_rand(g) % 3 == 0)
			gen_control(g);
	}
	log_msg(&g->expect, op, p, len);
}

static void
gen_close(struct gen *g)
{
	static const uint16_t codes[] = { 1000, 1001, 1003, 1008, 1011, 3000,
		4999, 1012 };
	static const uint16_t wild[] = { 0, 999, 1004, 1005, 1006, 1013,
		1014, 1015, 1016, 2999, 5000, 65535 };
	uint8_t p[WS_CONTROL_MAX], reason[200];
	size_t rlen = gen_rand(g) % 140, n;
	uint16_t code = codes[gen_rand(g) % 8];

	if (g->wild && gen_rand(g) % 3 == 0)
		code = wild[gen_rand(g) % 12];
	gen_utf8(g, reason, rlen);
	if (g->wild && rlen > 2 && gen_rand(g) % 4 == 0)
		reason[gen_rand(g) % rlen] = 0xff;
	n = gen_rand(g) % 10 == 0 ? 0 : ws_close_build(p, code,
	    (const char *)reason, rlen);
	if (g->wild && gen_rand(g) % 10 == 0)
		n = 1;
	gen_frame(g, WS_OP_CLOSE, 1, p, n);
	log_msg(&g->expect, WS_OP_CLOSE, p, n);
}

static void
gen_stream(struct gen *g)
{
	size_t nmsg = 1 + gen_rand(g) % 5;

	g->stream.len = 0;
	outcome_reset(&g->expect);
	for (size_t i = 0; i < nmsg; i++) {
		if (gen_rand(g) % 4 == 0)
			gen_control(g);
		gen_message(g);
	}
	if (gen_rand(g) % 2)
		gen_close(g);
}

/* Flip bits of a frame's first two header bytes (start from the stream
 * walk) or anywhere; truncate; overwrite or insert random bytes. */
static void
gen_mutate(struct gen *g)
{
	struct bytes *s = &g->stream;
	size_t pos = s->len ? gen_rand(g) % s->len : 0, n;
	uint64_t flen;
	uint8_t junk[16];

	switch (gen_rand(g) % 6) {
	case 0:		/* a header bit of a random frame */
		for (size_t off = 0, k = gen_rand(g) % 8; k > 0 && off < s->len;
		    k--, off += (size_t)flen) {
			flen = raw_frame_len(s->p + off, s->len - off);
			pos = off + gen_rand(g) % 2;
			if (flen == 0)
				break;
		}
		if (pos < s->len)
			s->p[pos] ^= (uint8_t)(1u << (gen_rand(g) % 8));
		break;
	case 1:		/* bits anywhere */
		for (n = 1 + gen_rand(g) % 3; n > 0 && s->len > 0; n--)
			s->p[gen_rand(g) % s->len] ^=
			    (uint8_t)(1u << (gen_rand(g) % 8));
		break;
	case 2:		/* truncation */
		s->len = pos;
		break;
	case 3:		/* random overwrite */
		for (n = 1 + gen_rand(g) % 8; n > 0 && pos < s->len; n--)
			s->p[pos++] = (uint8_t)gen_rand(g);
		break;
	case 4:		/* random insertion */
		n = 1 + gen_rand(g) % sizeof(junk);
		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)gen_rand(g);
		bytes_put(s, junk, n);
		memmove(s->p + pos + n, s->p + pos, s->len - n - pos);
		memcpy(s->p + pos, junk, n);
		break;
	default:	/* a whole random stream */
		s->len = gen_rand(g) % 64;
		for (size_t i = 0; i < s->len; i++)
			s->p[i] = (uint8_t)gen_rand(g);
		break;
	}
}

static void
dump(const char *what, const uint8_t *p, size_t len)
{
	fprintf(stderr, "%s (%zu bytes):", what, len);
	for (size_t i = 0; i < len && i < 64; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "%s\n", len > 64 ? " ..." : "");
}

static const uint64_t bounds[] = { 125, 1000, 20000, 1 << 20 };

/* Run n cases (mutated or not) and tally the verdicts. */
static void
run_cases(unsigned seed, int n, int mutate, int *tally)
{
	static struct gen g;
	static struct outcome h, w;
	int shown = 0;

	g.seed = seed;
	g.wild = mutate;
	for (int i = 0; i < n; i++) {
		uint64_t max = bounds[gen_rand(&g) % 4];
		enum verdict v;

		g.max = max;
		gen_stream(&g);
		if (mutate)
			gen_mutate(&g);
		run_hotline(g.stream.p, g.stream.len, max, &h);
		run_wslay(g.stream.p, g.stream.len, max, &w);
		v = compare(g.stream.p, g.stream.len, &h, &w);
		tally[v]++;
		if (v == MISMATCH && shown++ < 5) {
			fprintf(stderr, "case %d max %llu: hotline fail %u "
			    "(%zu log bytes), wslay fail %u (%zu log bytes)\n",
			    i, (unsigned long long)max, h.fail, h.log.len,
			    w.fail, w.log.len);
			dump("stream", g.stream.p, g.stream.len);
		}
		/* Unmutated and within bounds: exactly what was put in. */
		if (!mutate && max == bounds[3])
			ck_assert_msg(h.fail == 0 && log_eq(&h.log, h.log.len,
			    &g.expect.log, g.expect.log.len),
			    "case %d: hotline fail %u", i, h.fail);
	}
}

static void
report(const char *name, const int *tally)
{
	fprintf(stderr, "%s:", name);
	for (int v = 0; v < VERDICTS; v++)
		fprintf(stderr, " %s=%d", verdict_names[v], tally[v]);
	fprintf(stderr, "\n");
}

START_TEST(test_valid_streams)
{
	int tally[VERDICTS] = { 0 };

	run_cases(1, VALID_CASES, 0, tally);
	report("valid", tally);
	ck_assert_int_eq(tally[MISMATCH], 0);
	ck_assert_int_eq(tally[D1_CLOSE_1BYTE] + tally[D3_EARLY_HEADER] +
	    tally[D4_FRAME_LAYER], 0);
}
END_TEST

START_TEST(test_mutated_streams)
{
	int tally[VERDICTS] = { 0 };

	run_cases(2, MUTATED_CASES, 1, tally);
	report("mutated", tally);
	ck_assert_int_eq(tally[MISMATCH], 0);
}
END_TEST

/* --- each known difference and some agreements, pinned down --------- */

struct pinned {
	const char	*name;
	uint8_t		 bytes[24];
	size_t		 len;
	uint16_t	 hotline, wslay;	/* failure codes, 0 for none */
	enum verdict	 verdict;
};

/* Masked with key 00 00 00 00 so payloads read plainly. */
static const struct pinned pinned[] = {
	{ "D1 close with 1-byte payload", { 0x88, 0x81, 0, 0, 0, 0, 0x03 },
	    7, 1002, 0, D1_CLOSE_1BYTE },
	{ "D2 close 1012", { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xf4 }, 8, 0,
	    1002, D2_CLOSE_IANA },
	{ "D2 close 1014", { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xf6 }, 8, 0,
	    1002, D2_CLOSE_IANA },
	{ "D3 unmasked, header only", { 0x81, 0x05 }, 2, 1002, 0,
	    D3_EARLY_HEADER },
	{ "D3 rsv1, mask key cut", { 0xc1, 0x85, 0, 0 }, 4, 1002, 0,
	    D3_EARLY_HEADER },
	{ "rsv1 with a payload byte", { 0xc1, 0x85, 0, 0, 0, 0, 'a' }, 7,
	    1002, 1002, SAME },
	{ "close 1015", { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xf7 }, 8, 1002, 1002,
	    SAME },
	{ "close reason not UTF-8", { 0x88, 0x83, 0, 0, 0, 0, 0x03, 0xe8,
	    0xff }, 9, 1007, 1007, SAME },
	{ "text surrogate", { 0x81, 0x83, 0, 0, 0, 0, 0xed, 0xa0, 0x80 }, 9,
	    1007, 1007, SAME },
	{ "text cut sequence at FIN", { 0x01, 0x81, 0, 0, 0, 0, 0xe2, 0x80,
	    0x81, 0, 0, 0, 0, 0x82 }, 14, 1007, 1007, SAME },
	{ "D4 non-minimal 16-bit length", { 0x82, 0xfe, 0x00, 0x05, 0, 0, 0, 0,
	    1, 2, 3, 4, 5 }, 13, 1002, 1005, D4_FRAME_LAYER },
	{ "D4 fragmented ping", { 0x09, 0x80, 0, 0, 0, 0 }, 6, 1002, 1005,
	    D4_FRAME_LAYER },
	{ "D4 ping of 126 bytes", { 0x89, 0xfe, 0, 126 }, 4, 1002, 1005,
	    D4_FRAME_LAYER },
	{ "D4 64-bit length top bit", { 0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 'a' }, 15, 1002, 1005, D4_FRAME_LAYER },
	{ "continuation first", { 0x80, 0x81, 0, 0, 0, 0, 'a' }, 7, 1002,
	    1002, SAME },
};

START_TEST(test_pinned)
{
	const struct pinned *p = &pinned[_i];
	static struct outcome h, w;

	run_hotline(p->bytes, p->len, 1000, &h);
	run_wslay(p->bytes, p->len, 1000, &w);
	ck_assert_msg(h.fail == p->hotline && w.fail == p->wslay,
	    "%s: hotline %u wslay %u", p->name, h.fail, w.fail);
	ck_assert_msg(compare(p->bytes, p->len, &h, &w) == p->verdict, "%s",
	    p->name);
}
END_TEST

static Suite *
ws_frame_wslay_suite(void)
{
	Suite *s = suite_create("ws_frame_wslay");
	TCase *tc = tcase_create("differential");

	tcase_add_loop_test(tc, test_pinned, 0,
	    sizeof(pinned) / sizeof(pinned[0]));
	tcase_add_test(tc, test_valid_streams);
	tcase_add_test(tc, test_mutated_streams);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ws_frame_wslay_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
