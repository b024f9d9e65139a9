/* Unit tests for the frame codec (src/ws/ws_frame.c) and the UTF-8 validator
 * (src/ws/utf8.c): every header form, every split point, unmasking at every
 * offset and alignment, each protocol error with its close code,
 * fragmentation, UTF-8 and close payloads. */
#include "autoconf.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws/utf8.h"
#include "ws/ws_frame.h"

#define BIG 100000	/* max_message_bytes where the bound is not tested */

static const uint8_t mask_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* Build a masked client frame into out; fails the test if it does not fit. */
static size_t
client_frame(uint8_t *out, size_t size, uint8_t opcode, int fin,
    const void *payload, size_t len)
{
	size_t n;

	n = ws_frame_build_client(out, size, opcode, fin, payload, len,
	    mask_key);
	ck_assert_uint_gt(n, 0);
	return n;
}

/* Feed one complete frame; returns ws_msg_feed's result. */
static ssize_t
feed(struct ws_msg *msg, uint8_t *buf, size_t len, struct ws_frame *f,
    uint16_t *code)
{
	return ws_msg_feed(msg, buf, len, BIG, f, code);
}

/* Build one frame and feed it to msg; returns the result, *code on -1. */
static ssize_t
feed_frame(struct ws_msg *msg, uint8_t opcode, int fin, const void *payload,
    size_t len, uint16_t *code)
{
	static uint8_t buf[BIG + 32];
	struct ws_frame f;
	size_t n;

	n = client_frame(buf, sizeof(buf), opcode, fin, payload, len);
	*code = 0;
	return feed(msg, buf, n, &f, code);
}

/* --- header forms and split points --------------------------------- */

static const size_t form_lengths[] = { 0, 1, 125, 126, 127, 65535, 65536,
	70000 };

START_TEST(test_header_forms)
{
	static uint8_t buf[70100], payload[70000];
	size_t len = form_lengths[_i], n, hlen;
	struct ws_frame f;
	uint16_t code;

	for (size_t i = 0; i < len; i++)
		payload[i] = (uint8_t)(i * 7);
	n = client_frame(buf, sizeof(buf), WS_OP_BINARY, 1, payload, len);
	hlen = len < 126 ? 6 : len <= 0xffff ? 8 : 14;
	ck_assert_uint_eq(n, hlen + len);
	ck_assert_int_eq(ws_frame_parse(buf, n, &f, &code), (ssize_t)n);
	ck_assert_uint_eq(f.header_len, hlen);
	ck_assert_uint_eq(f.payload_len, len);
	ck_assert_uint_eq(f.frame_len, n);
	ck_assert_int_eq(f.fin, 1);
	ck_assert_int_eq(f.masked, 1);
	ck_assert_int_eq(f.opcode, WS_OP_BINARY);
	ck_assert_mem_eq(f.mask, mask_key, 4);
	ck_assert_ptr_eq(f.payload, buf + hlen);
}
END_TEST

/* Every prefix of a frame is "incomplete", with the size known once the
 * header is; then the whole frame parses and round-trips. */
START_TEST(test_split_points)
{
	static uint8_t buf[70100], copy[70100], payload[70000];
	size_t len = form_lengths[_i], n;
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code;

	for (size_t i = 0; i < len; i++)
		payload[i] = (uint8_t)('a' + i % 26);
	n = client_frame(buf, sizeof(buf), WS_OP_TEXT, 1, payload, len);
	ws_msg_init(&msg);
	for (size_t k = 0; k < n; k++) {
		/* Plain comparisons: ck_assert costs a pipe write per call. */
		if (ws_frame_parse(buf, k, &f, &code) != 0 ||
		    f.frame_len != (k >= n - len ? n : 0))
			ck_abort_msg("prefix %zu of %zu", k, n);
		if (ws_msg_feed(&msg, buf, k, BIG, &f, &code) != 0)
			ck_abort_msg("ws_msg_feed on prefix %zu of %zu", k, n);
	}
	memcpy(copy, buf, n);
	ck_assert_int_eq(ws_msg_feed(&msg, buf, n, BIG, &f, &code), (ssize_t)n);
	ck_assert_mem_eq(f.payload, payload, len);
	ck_assert_int_eq(f.msg_opcode, WS_OP_TEXT);
	/* Partial scans never touched the buffer: only the payload changed. */
	ck_assert_mem_eq(buf, copy, n - len);
}
END_TEST

/* Two frames back to back: the first parse consumes only the first. */
START_TEST(test_back_to_back)
{
	uint8_t buf[64];
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code;
	size_t a, b;

	a = client_frame(buf, sizeof(buf), WS_OP_TEXT, 1, "one", 3);
	b = client_frame(buf + a, sizeof(buf) - a, WS_OP_PING, 1, "2", 1);
	ws_msg_init(&msg);
	ck_assert_int_eq(feed(&msg, buf, a + b, &f, &code), (ssize_t)a);
	ck_assert_mem_eq(f.payload, "one", 3);
	ck_assert_int_eq(feed(&msg, buf + a, b, &f, &code), (ssize_t)b);
	ck_assert_int_eq(f.opcode, WS_OP_PING);
	ck_assert_mem_eq(f.payload, "2", 1);
}
END_TEST

START_TEST(test_server_header)
{
	uint8_t h[WS_SERVER_HEADER_MAX];
	static const uint8_t h64[] = { 0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0 };

	ck_assert_uint_eq(ws_frame_header(h, WS_OP_TEXT, 1, 5), 2);
	ck_assert_uint_eq(h[0], 0x81);
	ck_assert_uint_eq(h[1], 5);
	ck_assert_uint_eq(ws_frame_header(h, WS_OP_BINARY, 0, 125), 2);
	ck_assert_uint_eq(h[0], 0x02);
	ck_assert_uint_eq(h[1], 125);
	ck_assert_uint_eq(ws_frame_header(h, WS_OP_TEXT, 1, 126), 4);
	ck_assert_uint_eq(h[1], 126);
	ck_assert_uint_eq(h[2], 0);
	ck_assert_uint_eq(h[3], 126);
	ck_assert_uint_eq(ws_frame_header(h, WS_OP_CONT, 1, 65535), 4);
	ck_assert_uint_eq(h[0], 0x80);
	ck_assert_uint_eq(h[2], 0xff);
	ck_assert_uint_eq(h[3], 0xff);
	ck_assert_uint_eq(ws_frame_header(h, WS_OP_BINARY, 1, 1ULL << 32), 10);
	ck_assert_mem_eq(h, h64, sizeof(h64));
}
END_TEST

/* A server header with the mask bit and key spliced in must parse back as
 * the same frame: the two builders agree on every length form. */
START_TEST(test_builders_agree)
{
	static uint8_t payload[70000], c[70100], s[70100];
	size_t len = form_lengths[_i], cn, hn;

	memset(payload, 'x', len);
	cn = client_frame(c, sizeof(c), WS_OP_BINARY, 0, payload, len);
	hn = ws_frame_header(s, WS_OP_BINARY, 0, len);
	s[1] |= 0x80;
	memcpy(s + hn, mask_key, 4);
	ck_assert_uint_eq(hn + 4 + len, cn);
	ck_assert_mem_eq(s, c, hn + 4);
}
END_TEST

START_TEST(test_client_build_too_small)
{
	uint8_t buf[10];

	ck_assert_uint_eq(ws_frame_build_client(buf, sizeof(buf), WS_OP_TEXT,
	    1, (const uint8_t *)"12345", 5, mask_key), 0);
	ck_assert_uint_eq(ws_frame_build_client(buf, sizeof(buf), WS_OP_TEXT,
	    1, (const uint8_t *)"1234", 4, mask_key), 10);
}
END_TEST

/* Random frames through build and feed come back unchanged. */
START_TEST(test_round_trip_random)
{
	static uint8_t payload[3000], buf[3100];
	static const uint8_t ops[] = { WS_OP_BINARY, WS_OP_PING, WS_OP_PONG };
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code;
	unsigned seed = 42;

	ws_msg_init(&msg);
	for (int round = 0; round < 2000; round++) {
		uint8_t op = ops[rand_r(&seed) % 3], key[4];
		size_t len = (size_t)rand_r(&seed) %
		    (op == WS_OP_BINARY ? sizeof(payload) : 126);
		size_t n;

		for (size_t i = 0; i < len; i++)
			payload[i] = (uint8_t)rand_r(&seed);
		for (int i = 0; i < 4; i++)
			key[i] = (uint8_t)rand_r(&seed);
		n = ws_frame_build_client(buf, sizeof(buf), op, 1, payload,
		    len, key);
		ck_assert_int_eq(feed(&msg, buf, n, &f, &code), (ssize_t)n);
		ck_assert_int_eq(f.opcode, op);
		ck_assert_uint_eq(f.payload_len, len);
		ck_assert_mem_eq(f.payload, payload, len);
	}
}
END_TEST

/* --- unmasking --------------------------------------------------------- */

static void
unmask_reference(uint8_t *p, size_t len, const uint8_t key[4],
    uint64_t offset)
{
	for (size_t i = 0; i < len; i++)
		p[i] ^= key[(offset + i) % 4];
}

START_TEST(test_unmask_offsets)
{
	uint8_t base[128], fast[128 + 8], slow[128 + 8];

	for (size_t i = 0; i < sizeof(base); i++)
		base[i] = (uint8_t)(i * 31 + 5);
	for (size_t align = 0; align < 8; align++)
		for (uint64_t off = 0; off < 8; off++)
			for (size_t len = 0; len <= 100; len++) {
				memcpy(fast + align, base, len);
				memcpy(slow + align, base, len);
				ws_unmask(fast + align, len, mask_key, off);
				unmask_reference(slow + align, len, mask_key,
				    off);
				if (memcmp(fast + align, slow + align, len))
					ck_abort_msg("align %zu offset %d "
					    "len %zu", align, (int)off, len);
			}
}
END_TEST

/* Unmasking in random chunks with a running offset equals one pass. */
START_TEST(test_unmask_chunked)
{
	static uint8_t a[5000], b[5000];
	unsigned seed = 7;

	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)rand_r(&seed) % sizeof(a), done = 0;

		for (size_t i = 0; i < len; i++)
			a[i] = b[i] = (uint8_t)rand_r(&seed);
		unmask_reference(a, len, mask_key, 0);
		while (done < len) {
			size_t n = 1 + (size_t)rand_r(&seed) % 37;

			if (n > len - done)
				n = len - done;
			ws_unmask(b + done, n, mask_key, done);
			done += n;
		}
		ck_assert_mem_eq(a, b, len);
	}
}
END_TEST

/* --- protocol errors --------------------------------------------------- */

struct bad_frame {
	const char	*name;
	uint8_t		 bytes[16];
	size_t		 len;
	uint16_t	 code;
};

/* Raw headers; masked unless the case is about masking. Each must fail
 * with only the bytes given (errors are found from the header). */
static const struct bad_frame bad_frames[] = {
	{ "unmasked", { 0x81, 0x00 }, 2, 1002 },
	{ "unmasked with payload", { 0x81, 0x01, 'a' }, 3, 1002 },
	{ "rsv1", { 0xc1, 0x80 }, 2, 1002 },
	{ "rsv2", { 0xa1, 0x80 }, 2, 1002 },
	{ "rsv3", { 0x91, 0x80 }, 2, 1002 },
	{ "opcode 3", { 0x83, 0x80 }, 2, 1002 },
	{ "opcode 7", { 0x87, 0x80 }, 2, 1002 },
	{ "opcode B", { 0x8b, 0x80 }, 2, 1002 },
	{ "opcode F", { 0x8f, 0x80 }, 2, 1002 },
	{ "ping not final", { 0x09, 0x80 }, 2, 1002 },
	{ "close not final", { 0x08, 0x80 }, 2, 1002 },
	{ "pong not final", { 0x0a, 0x80 }, 2, 1002 },
	{ "ping 126 bytes", { 0x89, 0xfe, 0x00, 0x7e }, 2, 1002 },
	{ "close 64-bit length", { 0x88, 0xff }, 2, 1002 },
	{ "64-bit length top bit", { 0x82, 0xff, 0x80 }, 3, 1002 },
	{ "16-bit length below 126", { 0x82, 0xfe, 0x00, 0x7d }, 4, 1002 },
	{ "64-bit length below 65536",
	    { 0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 10, 1002 },
	{ "continuation first", { 0x80, 0x80, 1, 2, 3, 4 }, 6, 1002 },
	{ "too big, header only", { 0x82, 0xff, 0, 0, 0, 0, 0, 1, 0x86, 0xa1,
	    1, 2, 3, 4 }, 14, 1009 },
};

START_TEST(test_bad_frame)
{
	const struct bad_frame *b = &bad_frames[_i];
	uint8_t buf[16];
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code = 0;

	memcpy(buf, b->bytes, sizeof(buf));
	ws_msg_init(&msg);
	ck_assert_msg(ws_msg_feed(&msg, buf, b->len, BIG, &f, &code) == -1,
	    "%s accepted", b->name);
	ck_assert_msg(code == b->code, "%s: close code %u, want %u", b->name,
	    code, b->code);
}
END_TEST

/* 1009 for one frame over the bound; exactly at the bound is fine. */
START_TEST(test_too_big_frame)
{
	uint8_t buf[300], payload[200] = { 0 };
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code = 0;
	size_t n;

	n = client_frame(buf, sizeof(buf), WS_OP_BINARY, 1, payload, 200);
	ws_msg_init(&msg);
	ck_assert_int_eq(ws_msg_feed(&msg, buf, n, 200, &f, &code), (ssize_t)n);
	n = client_frame(buf, sizeof(buf), WS_OP_BINARY, 1, payload, 200);
	ck_assert_int_eq(ws_msg_feed(&msg, buf, 8, 199, &f, &code), -1);
	ck_assert_uint_eq(code, 1009);
}
END_TEST

/* 1009 when fragments add up past the bound, at the header of the
 * fragment that crosses it. */
START_TEST(test_too_big_message)
{
	uint8_t buf[300], payload[100] = { 0 };
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code = 0;
	size_t n;

	ws_msg_init(&msg);
	for (int i = 0; i < 2; i++) {
		n = client_frame(buf, sizeof(buf), i ? WS_OP_CONT :
		    WS_OP_BINARY, 0, payload, 100);
		ck_assert_int_eq(ws_msg_feed(&msg, buf, n, 250, &f, &code),
		    (ssize_t)n);
	}
	n = client_frame(buf, sizeof(buf), WS_OP_CONT, 1, payload, 51);
	ck_assert_int_eq(ws_msg_feed(&msg, buf, 2, 250, &f, &code), 0);
	ck_assert_int_eq(ws_msg_feed(&msg, buf, 6, 250, &f, &code), -1);
	ck_assert_uint_eq(code, 1009);
	/* One byte less would have fit. */
	ws_msg_init(&msg);
	msg.opcode = WS_OP_BINARY;
	msg.len = 200;
	n = client_frame(buf, sizeof(buf), WS_OP_CONT, 1, payload, 50);
	ck_assert_int_eq(ws_msg_feed(&msg, buf, n, 250, &f, &code), (ssize_t)n);
}
END_TEST

/* --- fragmentation ----------------------------------------------------- */

START_TEST(test_fragments_with_pings)
{
	struct ws_msg msg;
	uint16_t code;

	ws_msg_init(&msg);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_TEXT, 0, "Hel", 3, &code), 0);
	ck_assert_int_eq(msg.opcode, WS_OP_TEXT);
	ck_assert_uint_eq(msg.len, 3);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_PING, 1, "p", 1, &code), 0);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_CONT, 0, "", 0, &code), 0);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_PONG, 1, "", 0, &code), 0);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_CONT, 1, "lo", 2, &code), 0);
	ck_assert_int_eq(msg.opcode, 0);
	ck_assert_uint_eq(msg.len, 0);
	/* A new message may start now. */
	ck_assert_int_gt(feed_frame(&msg, WS_OP_BINARY, 1, "x", 1, &code), 0);
}
END_TEST

START_TEST(test_fragment_msg_opcode)
{
	uint8_t buf[32];
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code;
	size_t n;

	ws_msg_init(&msg);
	n = client_frame(buf, sizeof(buf), WS_OP_BINARY, 0, "ab", 2);
	ck_assert_int_eq(feed(&msg, buf, n, &f, &code), (ssize_t)n);
	ck_assert_int_eq(f.msg_opcode, WS_OP_BINARY);
	n = client_frame(buf, sizeof(buf), WS_OP_PING, 1, "", 0);
	ck_assert_int_eq(feed(&msg, buf, n, &f, &code), (ssize_t)n);
	ck_assert_int_eq(f.msg_opcode, WS_OP_PING);
	n = client_frame(buf, sizeof(buf), WS_OP_CONT, 1, "cd", 2);
	ck_assert_int_eq(feed(&msg, buf, n, &f, &code), (ssize_t)n);
	ck_assert_int_eq(f.opcode, WS_OP_CONT);
	ck_assert_int_eq(f.msg_opcode, WS_OP_BINARY);
	ck_assert_int_eq(f.fin, 1);
}
END_TEST

START_TEST(test_continuation_without_message)
{
	struct ws_msg msg;
	uint16_t code;

	ws_msg_init(&msg);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_TEXT, 1, "done", 4, &code), 0);
	ck_assert_int_eq(feed_frame(&msg, WS_OP_CONT, 1, "x", 1, &code), -1);
	ck_assert_uint_eq(code, 1002);
}
END_TEST

START_TEST(test_new_message_inside_fragmented)
{
	struct ws_msg msg;
	uint16_t code;

	ws_msg_init(&msg);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_BINARY, 0, "a", 1, &code), 0);
	ck_assert_int_eq(feed_frame(&msg, WS_OP_TEXT, 1, "b", 1, &code), -1);
	ck_assert_uint_eq(code, 1002);
	ws_msg_init(&msg);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_TEXT, 0, "a", 1, &code), 0);
	ck_assert_int_eq(feed_frame(&msg, WS_OP_BINARY, 0, "b", 1, &code),
	    -1);
	ck_assert_uint_eq(code, 1002);
}
END_TEST

/* --- UTF-8 ------------------------------------------------------------- */

/* Straightforward reference: decode and check every rule explicitly. */
static int
utf8_reference(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 2;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 3;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 4;
			cp = p[i] & 0x07;
		} else
			return 0;
		if (len - i < n)
			return 0;
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
		    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

static int
utf8_ok(const void *p, size_t len)
{
	return utf8_validate(UTF8_ACCEPT, p, len) == UTF8_ACCEPT;
}

/* Every 1-, 2- and 3-byte string, and every 4-byte string whose bytes
 * come from the interesting boundaries, agree with the reference. */
START_TEST(test_utf8_exhaustive)
{
	static const uint8_t edge[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
		0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec,
		0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xff };
	size_t e = sizeof(edge);
	uint8_t b[4];

	/* Plain comparisons: ck_assert costs a pipe write per call. */
	for (uint32_t v = 0; v < (1U << 24); v++) {
		size_t n = v < 0x100 ? 1 : v < 0x10000 ? 2 : 3;

		/* The low n bytes of v, most significant first. */
		b[0] = (uint8_t)(v >> 16);
		b[1] = (uint8_t)(v >> 8);
		b[2] = (uint8_t)v;
		if (utf8_ok(b + 3 - n, n) != utf8_reference(b + 3 - n, n))
			ck_abort_msg("disagree on %06x (%zu bytes)", v, n);
	}
	for (uint32_t v = 0; v < e * e * e * e; v++) {
		b[0] = edge[v % e];
		b[1] = edge[v / e % e];
		b[2] = edge[v / e / e % e];
		b[3] = edge[v / e / e / e];
		if (utf8_ok(b, 4) != utf8_reference(b, 4))
			ck_abort_msg("disagree on %02x %02x %02x %02x", b[0],
			    b[1], b[2], b[3]);
	}
}
END_TEST

struct utf8_case {
	const char	*name;
	const char	*bytes;
	int		 valid;
};

static const struct utf8_case utf8_cases[] = {
	{ "ascii", "Hello-\x7f", 1 },
	{ "2-byte", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 1 },
	{ "3-byte", "\xe2\x82\xac \xef\xbf\xbf", 1 },
	{ "4-byte", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", 1 },
	{ "U+FFFE/FFFF are valid", "\xef\xbf\xbe\xef\xbf\xbf", 1 },
	{ "lone continuation", "\x80", 0 },
	{ "overlong /", "\xc0\xaf", 0 },
	{ "overlong 2-byte max", "\xc1\xbf", 0 },
	{ "overlong 3-byte", "\xe0\x80\xaf", 0 },
	{ "overlong 3-byte max", "\xe0\x9f\xbf", 0 },
	{ "overlong 4-byte", "\xf0\x80\x80\xaf", 0 },
	{ "overlong 4-byte max", "\xf0\x8f\xbf\xbf", 0 },
	{ "surrogate D800", "\xed\xa0\x80", 0 },
	{ "surrogate DBFF", "\xed\xaf\xbf", 0 },
	{ "surrogate DC00", "\xed\xb0\x80", 0 },
	{ "surrogate DFFF", "\xed\xbf\xbf", 0 },
	{ "surrogate pair", "\xed\xa0\x80\xed\xb0\x80", 0 },
	{ "U+D7FF valid", "\xed\x9f\xbf", 1 },
	{ "U+E000 valid", "\xee\x80\x80", 1 },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", 0 },
	{ "F5 lead", "\xf5\x80\x80\x80", 0 },
	{ "5-byte form", "\xf8\x88\x80\x80\x80", 0 },
	{ "FE", "\xfe", 0 },
	{ "FF", "\xff", 0 },
	{ "truncated 2-byte", "\xce", 0 },
	{ "truncated 3-byte", "\xe2\x82", 0 },
	{ "truncated 4-byte", "\xf0\x90\x80", 0 },
	{ "truncated then ascii", "\xe2\x82" "a", 0 },
	{ "valid then bad", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
	    "\xf4\x90\x80\x80" "edited", 0 },
};

/* Each classic case as a text message: whole, and split at every byte
 * into two fragments; also the validator split at every point. */
START_TEST(test_utf8_case)
{
	const struct utf8_case *c = &utf8_cases[_i];
	size_t len = strlen(c->bytes);
	struct ws_msg msg;
	uint16_t code;
	ssize_t r;

	ck_assert_msg(utf8_ok(c->bytes, len) == c->valid, "%s", c->name);
	for (size_t k = 0; k <= len; k++) {
		uint8_t s = utf8_validate(UTF8_ACCEPT,
		    (const uint8_t *)c->bytes, k);

		s = utf8_validate(s, (const uint8_t *)c->bytes + k, len - k);
		ck_assert_msg((s == UTF8_ACCEPT) == c->valid, "%s split %zu",
		    c->name, k);
	}
	ws_msg_init(&msg);
	r = feed_frame(&msg, WS_OP_TEXT, 1, c->bytes, len, &code);
	ck_assert_msg((r > 0) == c->valid, "%s as one frame", c->name);
	if (!c->valid)
		ck_assert_uint_eq(code, 1007);
	for (size_t k = 0; k <= len; k++) {
		ws_msg_init(&msg);
		r = feed_frame(&msg, WS_OP_TEXT, 0, c->bytes, k, &code);
		if (r > 0)
			r = feed_frame(&msg, WS_OP_CONT, 1, c->bytes + k,
			    len - k, &code);
		ck_assert_msg((r > 0) == c->valid, "%s split %zu", c->name,
		    k);
		if (!c->valid)
			ck_assert_uint_eq(code, 1007);
	}
}
END_TEST

/* An invalid byte fails its own fragment, not only the final one. */
START_TEST(test_utf8_fail_fast_fragment)
{
	struct ws_msg msg;
	uint16_t code;

	ws_msg_init(&msg);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_TEXT, 0, "ok\xed", 3, &code),
	    0);
	/* ED A0 is a surrogate: known at this fragment's first byte. */
	ck_assert_int_eq(feed_frame(&msg, WS_OP_CONT, 0, "\xa0\x80", 2, &code),
	    -1);
	ck_assert_uint_eq(code, 1007);
	ws_msg_init(&msg);
	ck_assert_int_eq(feed_frame(&msg, WS_OP_TEXT, 0, "\xc0", 1, &code),
	    -1);
	ck_assert_uint_eq(code, 1007);
}
END_TEST

/* Invalid bytes fail a text frame before its payload has all arrived,
 * and a sequence split across reads of one frame is followed. */
START_TEST(test_utf8_fail_fast_partial)
{
	static uint8_t payload[1000], buf[1100];
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code = 0;
	size_t n;

	memset(payload, 'a', sizeof(payload));
	memcpy(payload + 300, "\xf0\x9f\x98\x80", 4);	/* valid, U+1F600 */
	payload[700] = 0xff;
	n = client_frame(buf, sizeof(buf), WS_OP_TEXT, 1, payload,
	    sizeof(payload));
	ws_msg_init(&msg);
	for (size_t k = 0; k < 8 + 700; k += 3)
		ck_assert_int_eq(ws_msg_feed(&msg, buf, k, BIG, &f, &code), 0);
	ck_assert_int_eq(ws_msg_feed(&msg, buf, 8 + 701, BIG, &f, &code), -1);
	ck_assert_uint_eq(code, 1007);
	ck_assert_uint_lt(n, sizeof(buf));
}
END_TEST

/* The scan state of a frame that ended mid-read inside a character must
 * not leak into the next frame's partial scan. */
START_TEST(test_utf8_partial_state_reset)
{
	uint8_t buf[64];
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code;
	size_t n;

	ws_msg_init(&msg);
	n = client_frame(buf, sizeof(buf), WS_OP_TEXT, 1, "x\xe2\x82\xac", 4);
	ck_assert_int_eq(feed(&msg, buf, 6 + 2, &f, &code), 0);
	ck_assert_int_eq(feed(&msg, buf, n, &f, &code), (ssize_t)n);
	n = client_frame(buf, sizeof(buf), WS_OP_TEXT, 1, "abc", 3);
	ck_assert_int_eq(feed(&msg, buf, 6 + 2, &f, &code), 0);
	ck_assert_int_eq(feed(&msg, buf, n, &f, &code), (ssize_t)n);
}
END_TEST

/* A ping arriving in pieces inside a fragmented text message does not
 * disturb the message's UTF-8 state. */
START_TEST(test_utf8_state_across_control)
{
	uint8_t buf[64];
	struct ws_frame f;
	struct ws_msg msg;
	uint16_t code;
	size_t n;

	ws_msg_init(&msg);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_TEXT, 0, "\xe2\x82", 2, &code),
	    0);
	n = client_frame(buf, sizeof(buf), WS_OP_CLOSE, 1, "\x03\xe8" "bye",
	    5);
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(feed(&msg, buf, k, &f, &code), 0);
	ck_assert_int_eq(feed(&msg, buf, n, &f, &code), (ssize_t)n);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_CONT, 1, "\xac", 1, &code), 0);
}
END_TEST

/* --- close frames ------------------------------------------------------ */

static const uint16_t close_valid[] = { 1000, 1001, 1002, 1003, 1007, 1008,
	1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999 };
static const uint16_t close_invalid[] = { 0, 1, 999, 1004, 1005, 1006, 1015,
	1016, 1100, 2000, 2999, 5000, 65535 };

START_TEST(test_close_codes)
{
	struct ws_msg msg;
	uint16_t code;
	uint8_t p[2];

	for (size_t i = 0; i < sizeof(close_valid) / 2; i++) {
		ck_assert_msg(ws_close_code_valid(close_valid[i]), "%u",
		    close_valid[i]);
		p[0] = (uint8_t)(close_valid[i] >> 8);
		p[1] = (uint8_t)close_valid[i];
		ws_msg_init(&msg);
		ck_assert_int_gt(feed_frame(&msg, WS_OP_CLOSE, 1, p, 2, &code),
		    0);
	}
	for (size_t i = 0; i < sizeof(close_invalid) / 2; i++) {
		ck_assert_msg(!ws_close_code_valid(close_invalid[i]), "%u",
		    close_invalid[i]);
		p[0] = (uint8_t)(close_invalid[i] >> 8);
		p[1] = (uint8_t)close_invalid[i];
		ws_msg_init(&msg);
		ck_assert_int_eq(feed_frame(&msg, WS_OP_CLOSE, 1, p, 2, &code),
		    -1);
		ck_assert_uint_eq(code, 1002);
	}
}
END_TEST

START_TEST(test_close_payloads)
{
	const uint8_t *reason;
	size_t reason_len;
	uint16_t code, err = 0;

	ck_assert_int_eq(ws_close_parse(NULL, 0, &code, &reason, &reason_len,
	    &err), 0);
	ck_assert_uint_eq(code, 1005);
	ck_assert_int_eq(ws_close_parse((const uint8_t *)"\x03", 1, &code,
	    &reason, &reason_len, &err), -1);
	ck_assert_uint_eq(err, 1002);
	ck_assert_int_eq(ws_close_parse((const uint8_t *)"\x03\xe8ok", 4,
	    &code, &reason, &reason_len, &err), 0);
	ck_assert_uint_eq(code, 1000);
	ck_assert_uint_eq(reason_len, 2);
	ck_assert_mem_eq(reason, "ok", 2);
	ck_assert_int_eq(ws_close_parse((const uint8_t *)"\x03\xe8\xce", 3,
	    &code, &reason, &reason_len, &err), -1);
	ck_assert_uint_eq(err, 1007);
	ck_assert_int_eq(ws_close_parse((const uint8_t *)"\x03\xe8\xed\xa0\x80",
	    5, &code, &reason, &reason_len, &err), -1);
	ck_assert_uint_eq(err, 1007);
}
END_TEST

/* Through the message layer: empty close is fine, 1 byte is not, a bad
 * reason fails even before the frame is complete. */
START_TEST(test_close_frames)
{
	uint8_t buf[64];
	struct ws_frame f;
	static const char bad_reason[] = "\x03\xe8\xc0\xaf and more";
	struct ws_msg msg;
	uint16_t code;
	size_t n;

	ws_msg_init(&msg);
	ck_assert_int_gt(feed_frame(&msg, WS_OP_CLOSE, 1, "", 0, &code), 0);
	ck_assert_int_eq(feed_frame(&msg, WS_OP_CLOSE, 1, "\x03", 1, &code),
	    -1);
	ck_assert_uint_eq(code, 1002);
	n = client_frame(buf, sizeof(buf), WS_OP_CLOSE, 1, bad_reason,
	    sizeof(bad_reason) - 1);
	ck_assert_int_eq(feed(&msg, buf, 9, &f, &code), -1);
	ck_assert_uint_eq(code, 1007);
	ck_assert_uint_gt(n, 9);
}
END_TEST

START_TEST(test_close_build)
{
	uint8_t out[WS_CONTROL_MAX];
	char reason[300];
	const uint8_t *r;
	size_t n, rl;
	uint16_t code, err;

	n = ws_close_build(out, 1001, "bye", 3);
	ck_assert_uint_eq(n, 5);
	ck_assert_mem_eq(out, "\x03\xe9" "bye", 5);
	/* 61 two-byte characters plus one: the cut must not split one. */
	for (int shift = 0; shift < 3; shift++) {
		memset(reason, 'a', (size_t)shift);
		for (int i = 0; i < 100; i++)
			memcpy(reason + shift + 2 * i, "\xce\xba", 2);
		n = ws_close_build(out, 1000, reason, (size_t)shift + 200);
		ck_assert_uint_le(n, WS_CONTROL_MAX);
		ck_assert_uint_ge(n, WS_CONTROL_MAX - 1);
		ck_assert_int_eq(ws_close_parse(out, n, &code, &r, &rl, &err),
		    0);
		ck_assert_uint_eq(code, 1000);
	}
}
END_TEST

static Suite *
ws_frame_suite(void)
{
	Suite *s = suite_create("ws_frame");
	TCase *tc;

	tc = tcase_create("framing");
	tcase_add_loop_test(tc, test_header_forms, 0,
	    sizeof(form_lengths) / sizeof(form_lengths[0]));
	tcase_add_loop_test(tc, test_split_points, 0,
	    sizeof(form_lengths) / sizeof(form_lengths[0]));
	tcase_add_loop_test(tc, test_builders_agree, 0,
	    sizeof(form_lengths) / sizeof(form_lengths[0]));
	tcase_add_test(tc, test_back_to_back);
	tcase_add_test(tc, test_server_header);
	tcase_add_test(tc, test_client_build_too_small);
	tcase_add_test(tc, test_round_trip_random);
	tcase_add_test(tc, test_unmask_offsets);
	tcase_add_test(tc, test_unmask_chunked);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad_frame, 0,
	    sizeof(bad_frames) / sizeof(bad_frames[0]));
	tcase_add_test(tc, test_too_big_frame);
	tcase_add_test(tc, test_too_big_message);
	suite_add_tcase(s, tc);

	tc = tcase_create("fragmentation");
	tcase_add_test(tc, test_fragments_with_pings);
	tcase_add_test(tc, test_fragment_msg_opcode);
	tcase_add_test(tc, test_continuation_without_message);
	tcase_add_test(tc, test_new_message_inside_fragmented);
	suite_add_tcase(s, tc);

	tc = tcase_create("utf8");
	tcase_add_test(tc, test_utf8_exhaustive);
	tcase_add_loop_test(tc, test_utf8_case, 0,
	    sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_test(tc, test_utf8_fail_fast_fragment);
	tcase_add_test(tc, test_utf8_fail_fast_partial);
	tcase_add_test(tc, test_utf8_state_across_control);
	tcase_add_test(tc, test_utf8_partial_state_reset);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("close");
	tcase_add_test(tc, test_close_codes);
	tcase_add_test(tc, test_close_payloads);
	tcase_add_test(tc, test_close_frames);
	tcase_add_test(tc, test_close_build);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ws_frame_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
