/* Unit tests for the envelope scanner and the reply serializers, with a
 * differential check of the scanner against jansson. */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/envelope.h"

static struct envelope_request req;

/* Scan a NUL-terminated text (the NUL is not passed to the scanner). */
static int
scan(const char *text)
{
	return envelope_scan(text, strlen(text), &req);
}

/* Whether a span holds exactly the text want. */
static int
span_is(struct envelope_span sp, const char *want)
{
	return sp.ptr != NULL && sp.len == strlen(want) &&
	    memcmp(sp.ptr, want, sp.len) == 0;
}

#define ck_scan_ok(text) do {						\
	ck_assert_msg(scan(text) == 0, "%s: %s", (text), req.error);	\
	ck_assert_int_eq(req.fail, ENVELOPE_FAIL_NONE);			\
	ck_assert_str_eq(req.error, "");				\
} while (0)

#define ck_scan_fails(text, kind, part) do {				\
	ck_assert_msg(scan(text) == -1, "accepted: %s", (text));	\
	ck_assert_msg(req.fail == (kind), "%s: kind %d (%s)", (text),	\
	    (int)req.fail, req.error);					\
	ck_assert_msg(strstr(req.error, (part)) != NULL,		\
	    "%s: error \"%s\" lacks \"%s\"", (text), req.error,	\
	    (part));							\
} while (0)

/* --- valid envelopes ------------------------------------------------------ */

START_TEST(test_basic)
{
	ck_scan_ok("{\"pkg_id\":1,\"req_id\":\"r1\","
	    "\"data\":{\"message\":\"hi\"}}");
	ck_assert(req.has_pkg_id);
	ck_assert_int_eq(req.pkg_id, 1);
	ck_assert(span_is(req.req_id, "\"r1\""));
	ck_assert(span_is(req.data, "{\"message\":\"hi\"}"));
	ck_assert_ptr_null(req.method.ptr);
}
END_TEST

START_TEST(test_order_and_whitespace)
{
	ck_scan_ok(" \t\r\n{ \"data\" :\n{ \"a\" : [ 1 , 2.5e-3 , true ] } ,"
	    "\"extra\":[{}, [], null, false, \"x\"],\t\"req_id\" : \"x\" ,"
	    " \"method\":\"echo\", \"pkg_id\" : -7 }\r\n ");
	ck_assert_int_eq(req.pkg_id, -7);
	ck_assert(span_is(req.req_id, "\"x\""));
	ck_assert(span_is(req.method, "\"echo\""));
	ck_assert(span_is(req.data, "{ \"a\" : [ 1 , 2.5e-3 , true ] }"));
}
END_TEST

START_TEST(test_escaped_keys)
{
	char out[64];
	size_t n;

	ck_scan_ok("{\"pkg\\u005fid\":3,\"req\\u005Fid\":\"a\\\"b\\\\\","
	    "\"\\u0064ata\":{},\"m\\u0065thod\":\"go\"}");
	ck_assert_int_eq(req.pkg_id, 3);
	ck_assert(span_is(req.req_id, "\"a\\\"b\\\\\""));
	ck_assert(span_is(req.data, "{}"));
	ck_assert(span_is(req.method, "\"go\""));
	ck_assert_int_eq(envelope_unescape(&req.req_id, out, sizeof out,
	    &n), 0);
	ck_assert_str_eq(out, "a\"b\\");
	ck_assert_uint_eq(n, 4);
	/* Near misses are other keys, so pkg_id is missing. */
	ck_scan_fails("{\"pkg_id\\u0000\":1,\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "missing pkg_id");
	ck_scan_fails("{\"pkg_idx\":1,\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "missing pkg_id");
	ck_scan_fails("{\"PKG_ID\":1,\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "missing pkg_id");
}
END_TEST

START_TEST(test_unicode)
{
	char out[64];
	size_t n;

	ck_scan_ok("{\"pkg_id\":1,\"req_id\":\"h\\u00e9\\ud83d\\ude00 h\xc3\xa9"
	    "\xf0\x9f\x98\x80\",\"data\":{\"\xe2\x82\xac\":\"\\u20AC\"}}");
	ck_assert_int_eq(envelope_unescape(&req.req_id, out, sizeof out,
	    &n), 0);
	ck_assert_str_eq(out,
	    "h\xc3\xa9\xf0\x9f\x98\x80 h\xc3\xa9\xf0\x9f\x98\x80");
	/* Too small an output buffer is refused, not overrun. */
	ck_assert_int_eq(envelope_unescape(&req.req_id, out, 5, &n), -1);
	/* Escaped NUL is valid JSON. */
	ck_scan_ok("{\"pkg_id\":1,\"req_id\":\"a\\u0000b\"}");
	ck_assert_int_eq(envelope_unescape(&req.req_id, out, sizeof out,
	    &n), 0);
	ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(test_optional_fields)
{
	ck_scan_ok("{\"pkg_id\":1,\"req_id\":\"\"}");
	ck_assert_ptr_null(req.data.ptr);
	ck_assert(span_is(req.req_id, "\"\""));
	ck_scan_ok("{\"pkg_id\":1,\"req_id\":\"r\",\"data\":null,"
	    "\"method\":null}");
	ck_assert_ptr_null(req.data.ptr);
	ck_assert_ptr_null(req.method.ptr);
	ck_scan_fails("{\"pkg_id\":1,\"req_id\":\"r\",\"method\":7}",
	    ENVELOPE_FAIL_FIELD, "method must be a string, got number");
}
END_TEST

START_TEST(test_not_nul_terminated)
{
	static const char text[] = "{\"pkg_id\":9,\"req_id\":\"r\"}GARBAGE";

	ck_assert_int_eq(envelope_scan(text, 25, &req), 0);
	ck_assert_int_eq(req.pkg_id, 9);
	ck_assert_int_eq(envelope_scan(text, 24, &req), -1);
	ck_assert_int_eq(req.fail, ENVELOPE_FAIL_SYNTAX);
	ck_assert_int_eq(envelope_scan(text, sizeof text - 1, &req), -1);
	ck_assert_int_eq(req.fail, ENVELOPE_FAIL_SYNTAX);
}
END_TEST

/* --- pkg_id and req_id ---------------------------------------------------- */

START_TEST(test_pkg_id_range)
{
	ck_scan_ok("{\"pkg_id\":2147483647,\"req_id\":\"r\"}");
	ck_assert_int_eq(req.pkg_id, 2147483647);
	ck_scan_ok("{\"pkg_id\":-2147483648,\"req_id\":\"r\"}");
	ck_assert_int_eq(req.pkg_id, INT32_MIN);
	ck_scan_ok("{\"pkg_id\":-0,\"req_id\":\"r\"}");
	ck_assert_int_eq(req.pkg_id, 0);
	ck_scan_fails("{\"pkg_id\":2147483648,\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "pkg_id is out of range");
	ck_scan_fails("{\"pkg_id\":-2147483649,\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "pkg_id is out of range");
	ck_scan_fails("{\"pkg_id\":123456789012345678901234567890,"
	    "\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "pkg_id is out of range");
	ck_assert(!req.has_pkg_id);
	ck_assert(span_is(req.req_id, "\"r\""));
}
END_TEST

START_TEST(test_pkg_id_types)
{
	ck_scan_fails("{\"pkg_id\":1.0,\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "fraction or exponent");
	ck_scan_fails("{\"pkg_id\":1e3,\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "fraction or exponent");
	ck_scan_fails("{\"pkg_id\":\"1\",\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "pkg_id must be an integer, got string");
	ck_scan_fails("{\"pkg_id\":null,\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "got null");
	ck_scan_fails("{\"pkg_id\":true,\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "got boolean");
	ck_scan_fails("{\"pkg_id\":{},\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "got object");
	ck_scan_fails("{\"pkg_id\":[1],\"req_id\":\"r\"}",
	    ENVELOPE_FAIL_FIELD, "got array");
	ck_scan_fails("{\"req_id\":\"r\"}", ENVELOPE_FAIL_FIELD,
	    "missing pkg_id");
}
END_TEST

START_TEST(test_req_id)
{
	char text[600];

	ck_scan_fails("{\"pkg_id\":1}", ENVELOPE_FAIL_FIELD, "missing req_id");
	ck_scan_fails("{\"pkg_id\":1,\"req_id\":5}", ENVELOPE_FAIL_FIELD,
	    "req_id must be a string, got number");
	ck_scan_fails("{\"pkg_id\":1,\"req_id\":null}", ENVELOPE_FAIL_FIELD,
	    "got null");
	snprintf(text, sizeof text, "{\"pkg_id\":1,\"req_id\":\"%0256d\"}", 0);
	ck_scan_ok(text);
	ck_assert_uint_eq(req.req_id.len, 258);
	snprintf(text, sizeof text, "{\"pkg_id\":1,\"req_id\":\"%0257d\"}", 0);
	ck_scan_fails(text, ENVELOPE_FAIL_FIELD, "req_id is longer than 256");
	ck_assert_ptr_null(req.req_id.ptr);
	ck_assert(req.has_pkg_id);
}
END_TEST

START_TEST(test_duplicates)
{
	ck_scan_fails("{\"pkg_id\":1,\"req_id\":\"a\",\"pkg_id\":2}",
	    ENVELOPE_FAIL_FIELD, "duplicate key \"pkg_id\"");
	ck_assert_int_eq(req.pkg_id, 1);
	ck_scan_fails("{\"pkg_id\":1,\"req_id\":\"a\",\"req_id\":\"b\"}",
	    ENVELOPE_FAIL_FIELD, "duplicate key \"req_id\"");
	ck_assert(span_is(req.req_id, "\"a\""));
	ck_scan_fails("{\"pkg_id\":1,\"req_id\":\"a\",\"data\":{},"
	    "\"data\":null}",
	    ENVELOPE_FAIL_FIELD, "duplicate key \"data\"");
	ck_scan_fails("{\"pkg_id\":1,\"req_id\":\"a\",\"method\":\"x\","
	    "\"method\":\"y\"}", ENVELOPE_FAIL_FIELD,
	    "duplicate key \"method\"");
	ck_scan_fails("{\"pkg_id\":1,\"req_id\":\"a\",\"pkg\\u005fid\":1}",
	    ENVELOPE_FAIL_FIELD, "duplicate key \"pkg_id\"");
	/* Other repeated keys, at any level, are JSON and are ignored. */
	ck_scan_ok("{\"x\":1,\"pkg_id\":1,\"x\":2,\"req_id\":\"a\","
	    "\"data\":{\"k\":1,\"k\":2}}");
}
END_TEST

/* --- shape errors --------------------------------------------------------- */

START_TEST(test_not_object)
{
	ck_scan_fails("[]", ENVELOPE_FAIL_FIELD,
	    "must be a JSON object, got array");
	ck_scan_fails(" 1 ", ENVELOPE_FAIL_FIELD, "got number");
	ck_scan_fails("\"s\"", ENVELOPE_FAIL_FIELD, "got string");
	ck_scan_fails("null", ENVELOPE_FAIL_FIELD, "got null");
	ck_scan_fails("true", ENVELOPE_FAIL_FIELD, "got boolean");
	/* Invalid JSON wins over the shape. */
	ck_scan_fails("[1,]", ENVELOPE_FAIL_SYNTAX, "invalid JSON at byte 3");
}
END_TEST

START_TEST(test_data_not_object)
{
	ck_scan_fails("{\"pkg_id\":4,\"req_id\":\"r\",\"data\":[1,2]}",
	    ENVELOPE_FAIL_FIELD, "data must be an object, got array");
	ck_assert_int_eq(req.pkg_id, 4);
	ck_scan_fails("{\"pkg_id\":4,\"req_id\":\"r\",\"data\":\"x\"}",
	    ENVELOPE_FAIL_FIELD, "got string");
	ck_scan_fails("{\"pkg_id\":4,\"req_id\":\"r\",\"data\":0}",
	    ENVELOPE_FAIL_FIELD, "got number");
	ck_scan_fails("{\"pkg_id\":4,\"req_id\":\"r\",\"data\":false}",
	    ENVELOPE_FAIL_FIELD, "got boolean");
}
END_TEST

/* Texts that are not JSON, each with a part of the expected message. */
static const struct {
	const char	*text;
	size_t		 len;		/* 0: strlen */
	const char	*part;
} invalid_json[] = {
	{ "", 0, "byte 0: unexpected end of input" },
	{ "   ", 0, "byte 3: unexpected end of input" },
	{ "{", 0, "byte 1: unexpected end of input, expected a string key" },
	{ "{\"pkg_id\":1,}", 0,
	  "byte 12: unexpected '}', expected a string key" },
	{ "{,}", 0, "unexpected ','" },
	{ "{\"a\" 1}", 0, "expected ':' after the key" },
	{ "{'a':1}", 0, "unexpected '''" },
	{ "{a:1}", 0, "expected a string key" },
	{ "{\"a\":01}", 0, "byte 6: unexpected '1', expected ',' or '}'" },
	{ "{\"a\":1.}", 0, "a digit after '.'" },
	{ "{\"a\":.5}", 0, "expected a value" },
	{ "{\"a\":-}", 0, "expected a digit" },
	{ "{\"a\":-a}", 0, "expected a digit" },
	{ "{\"a\":1e}", 0, "a digit in the exponent" },
	{ "{\"a\":1e+}", 0, "a digit in the exponent" },
	{ "{\"a\":+1}", 0, "expected a value" },
	{ "{\"a\":0x10}", 0, "unexpected 'x'" },
	{ "{\"a\":tru}", 0, "expected true" },
	{ "{\"a\":nul", 0, "expected null" },
	{ "{\"a\":True}", 0, "expected a value" },
	{ "{\"a\":NaN}", 0, "expected a value" },
	{ "{\"a\":Infinity}", 0, "expected a value" },
	{ "{\"a\":\"\\x\"}", 0, "expected an escape character" },
	{ "{\"a\":\"\\u12G4\"}", 0, "four hex digits" },
	{ "{\"a\":\"\\u12\"}", 0, "four hex digits" },
	{ "{\"a\":\"\\ud800\"}", 0, "not followed by a low one" },
	{ "{\"a\":\"\\ud800\\u0041\"}", 0, "not followed by a low one" },
	{ "{\"a\":\"\\ud800\\ud800\"}", 0, "not followed by a low one" },
	{ "{\"a\":\"\\udc00\"}", 0, "lone low surrogate" },
	{ "{\"a\":\"x\ty\"}", 0, "unescaped control character 0x09" },
	{ "{\"a\":\"x\ny\"}", 0, "unescaped control character 0x0a" },
	{ "{\"a\":\"x\0\"}", 9, "unescaped control character 0x00" },
	{ "{\"a\":\"\xff\"}", 0, "invalid UTF-8 lead byte 0xff" },
	{ "{\"a\":\"\xc0\xaf\"}", 0, "invalid UTF-8 lead byte 0xc0" },
	{ "{\"a\":\"\xe0\x80\xaf\"}", 0, "invalid UTF-8 sequence" },
	{ "{\"a\":\"\xed\xa0\x80\"}", 0, "invalid UTF-8 sequence" },
	{ "{\"a\":\"\xf4\x90\x80\x80\"}", 0, "invalid UTF-8 sequence" },
	{ "{\"a\":\"\xe2\x82\"}", 0, "truncated UTF-8" },
	{ "{\"a\":\"\x80\"}", 0, "invalid UTF-8 lead byte 0x80" },
	{ "{\"a\":\"abc", 0, "unterminated string" },
	{ "{\"a\":[1,2}", 0, "expected ',' or ']'" },
	{ "{\"a\":[1 2]}", 0, "expected ',' or ']'" },
	{ "{\"a\":[,]}", 0, "expected a value" },
	{ "{\"a\":1}}", 0, "unexpected data after the top-level value" },
	{ "{} {}", 0, "byte 3: unexpected data after" },
	{ "{}x", 0, "unexpected data after" },
	{ "{}\0", 3, "unexpected data after" },
	{ "\xef\xbb\xbf{}", 0, "unexpected byte 0xef" },
	{ "{\"a\":1}\x0b", 0, "unexpected data after" },
	{ "{\"pkg_id\":1,\"req_id\":\"r\"", 0, "expected ',' or '}'" },
	{ "{\"pkg_id\":1,\"req_id\":\"r\",\"data\":{\"a\":}}", 0,
	    "expected a value" },
};

START_TEST(test_invalid_json)
{
	const char *text = invalid_json[_i].text;
	size_t len = invalid_json[_i].len ? invalid_json[_i].len : strlen(text);

	ck_assert_int_eq(envelope_scan(text, len, &req), -1);
	ck_assert_msg(req.fail == ENVELOPE_FAIL_SYNTAX, "case %d: kind %d (%s)",
	    _i, (int)req.fail, req.error);
	ck_assert_msg(strncmp(req.error, "invalid JSON at byte ", 21) == 0,
	    "case %d: %s", _i, req.error);
	ck_assert_msg(strstr(req.error, invalid_json[_i].part) != NULL,
	    "case %d: \"%s\" lacks \"%s\"", _i, req.error,
	    invalid_json[_i].part);
}
END_TEST

/* Build n opening brackets inside an envelope's data, or bare. */
static char *
nested(size_t n, bool in_data)
{
	static const char head[] =
	    "{\"pkg_id\":1,\"req_id\":\"r\",\"data\":{\"x\":";
	size_t hl = in_data ? strlen(head) : 0;
	char *p = malloc(hl + n + 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, head, hl);
	memset(p + hl, '[', n);
	p[hl + n] = '\0';
	return p;
}

/* An envelope whose data holds `arrays` nested arrays around an empty
 * object: 3 + arrays levels in all. */
static void
deep_envelope(char *text, size_t size, size_t arrays)
{
	size_t i, o;

	o = (size_t)snprintf(text, size,
	    "{\"pkg_id\":1,\"req_id\":\"r\",\"data\":{\"a\":");
	ck_assert_uint_lt(o + 2 * arrays + 5, size);
	for (i = 0; i < arrays; i++)
		text[o++] = '[';
	text[o++] = '{';
	text[o++] = '}';
	for (i = 0; i < arrays; i++)
		text[o++] = ']';
	memcpy(text + o, "}}", 3);
}

START_TEST(test_depth_bound)
{
	size_t prefix =
	    strlen("{\"pkg_id\":1,\"req_id\":\"r\",\"data\":{\"a\":");
	char text[512];

	deep_envelope(text, sizeof text, 61);
	ck_scan_ok(text);
	deep_envelope(text, sizeof text, 62);
	ck_scan_fails(text, ENVELOPE_FAIL_DEPTH,
	    "nested deeper than 64 levels");
	ck_assert_uint_eq(req.fail_offset, prefix + 62);
	ck_assert(req.has_pkg_id);
	ck_assert(span_is(req.req_id, "\"r\""));
}
END_TEST

START_TEST(test_depth_bombs)
{
	char *p;

	p = nested(100000, false);
	ck_scan_fails(p, ENVELOPE_FAIL_DEPTH, "byte 64: nested deeper");
	free(p);
	p = nested(1000000, true);
	ck_scan_fails(p, ENVELOPE_FAIL_DEPTH, "nested deeper");
	ck_assert(span_is(req.req_id, "\"r\""));
	free(p);
	p = nested(1000000, false);
	memset(p, '{', 1);
	ck_scan_fails(p, ENVELOPE_FAIL_SYNTAX, "expected a string key");
	free(p);
}
END_TEST

/* --- replies -------------------------------------------------------------- */

/* The text of b as a NUL-terminated string (test helper, leaks nothing:
 * it is copied into a static buffer). */
static const char *
buf_str(const struct envelope_buf *b)
{
	static char out[65536];

	ck_assert_uint_lt(b->len, sizeof out);
	memcpy(out, envelope_buf_text(b), b->len);
	out[b->len] = '\0';
	return out;
}

START_TEST(test_reply_verbatim)
{
	static const char text[] = "{\"req_id\":\"q\\u00e9\",\"pkg_id\":12,"
	    "\"data\":{ \"b\" : [1,2.50,\"\\u0041\"],\n\"a\":null }}";
	struct envelope_ids ids;
	struct envelope_buf b;
	char storage[512];

	ck_assert_int_eq(scan(text), 0);
	ids = envelope_ids_of(&req);
	envelope_buf_init(&b, storage, sizeof storage, 0);
	envelope_reply_raw(&b, &ids, ENVELOPE_OK, NULL, req.data);
	ck_assert_str_eq(buf_str(&b), "{\"pkg_id\":12,\"req_id\":\"q\\u00e9\","
	    "\"status_code\":0,\"data\":{ \"b\" : [1,2.50,\"\\u0041\"],\n"
	    "\"a\":null }}");
	ck_assert_ptr_null(b.owned);
	envelope_buf_reset(&b);
	envelope_reply_raw(&b, &ids, ENVELOPE_OK,
	    &(struct envelope_span){ "{\"t\":1}", 7 },
	    (struct envelope_span){ NULL, 0 });
	ck_assert_str_eq(buf_str(&b), "{\"pkg_id\":12,\"req_id\":\"q\\u00e9\","
	    "\"status_code\":0,\"meta\":{\"t\":1},\"data\":null}");
	envelope_buf_reset(&b);
	envelope_broadcast_raw(&b, &ids, req.data);
	ck_assert_uint_eq(b.len,
	    strlen("{\"pkg_id\":12,\"req_id\":\"q\\u00e9\",\"data\":") +
	    req.data.len + 1);
	envelope_buf_free(&b);
}
END_TEST

START_TEST(test_reply_json)
{
	struct envelope_ids ids = { 5, true, { "\"r\"", 3 } };
	struct envelope_buf b;
	json_t *data, *meta;

	data = json_pack("{s:i,s:s}", "n", 3, "s", "x\"y");
	meta = json_pack("{s:b}", "cached", 1);
	envelope_buf_init(&b, NULL, 0, 0);
	ck_assert_int_eq(envelope_reply_json(&b, &ids, ENVELOPE_OK, meta,
	    data), 0);
	ck_assert_str_eq(buf_str(&b), "{\"pkg_id\":5,\"req_id\":\"r\","
	    "\"status_code\":0,\"meta\":{\"cached\":true},"
	    "\"data\":{\"n\":3,\"s\":\"x\\\"y\"}}");
	envelope_buf_reset(&b);
	ck_assert_int_eq(envelope_broadcast_json(&b, &ids, data), 0);
	ck_assert_str_eq(buf_str(&b), "{\"pkg_id\":5,\"req_id\":\"r\","
	    "\"data\":{\"n\":3,\"s\":\"x\\\"y\"}}");
	envelope_buf_reset(&b);
	ck_assert_int_eq(envelope_reply_json(&b, &ids, ENVELOPE_ERROR, NULL,
	    NULL), 0);
	ck_assert_str_eq(buf_str(&b), "{\"pkg_id\":5,\"req_id\":\"r\","
	    "\"status_code\":1,\"data\":null}");
	envelope_buf_free(&b);
	json_decref(data);
	json_decref(meta);
}
END_TEST

START_TEST(test_reply_error_escaping)
{
	struct envelope_ids ids = { 0, false, { NULL, 0 } };
	struct envelope_buf b;
	char storage[16];
	json_error_t jerr;
	json_t *doc;

	envelope_buf_init(&b, storage, sizeof storage, 0);
	envelope_reply_error(&b, &ids, ENVELOPE_INVALID_DATA,
	    "bad \"x\"\\ \n\t\x01\x7f caf\xc3\xa9 \xff\xc3 end");
	ck_assert_str_eq(buf_str(&b), "{\"pkg_id\":null,\"req_id\":null,"
	    "\"status_code\":2,\"data\":{\"message\":\"bad \\\"x\\\"\\\\ \\n\\t"
	    "\\u0001\\u007f caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd end\"}}");
	doc = json_loadb(envelope_buf_text(&b), b.len, 0, &jerr);
	ck_assert_msg(doc != NULL, "%s", jerr.text);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc,
	    "data"), "message")),
	    "bad \"x\"\\ \n\t\x01\x7f caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd"
	    " end");
	json_decref(doc);
	envelope_buf_free(&b);
}
END_TEST

START_TEST(test_error_reply_echoes_ids)
{
	struct envelope_ids ids;
	struct envelope_buf b;
	char storage[256];

	envelope_buf_init(&b, storage, sizeof storage, 0);
	ck_assert_int_eq(scan("{\"req_id\":\"r7\",\"pkg_id\":5,\"x\":tru}"),
	    -1);
	ids = envelope_ids_of(&req);
	envelope_reply_error(&b, &ids, ENVELOPE_INVALID_DATA, req.error);
	ck_assert_str_eq(buf_str(&b), "{\"pkg_id\":5,\"req_id\":\"r7\","
	    "\"status_code\":2,\"data\":{\"message\":\"invalid JSON at byte "
	    "30: invalid literal, expected true\"}}");
	envelope_buf_reset(&b);
	ck_assert_int_eq(scan("{\"pkg_id\":5,"), -1);
	ids = envelope_ids_of(&req);
	envelope_reply_error(&b, &ids, ENVELOPE_INVALID_DATA, "x");
	ck_assert_str_eq(buf_str(&b), "{\"pkg_id\":5,\"req_id\":null,"
	    "\"status_code\":2,\"data\":{\"message\":\"x\"}}");
	envelope_buf_free(&b);
}
END_TEST

START_TEST(test_buf_growth_and_head)
{
	struct envelope_ids ids = { 1, true, { "\"r\"", 3 } };
	struct envelope_buf b;
	char storage[32], *big;
	size_t n = 100000;

	big = malloc(n + 2);
	ck_assert_ptr_nonnull(big);
	big[0] = '"';
	memset(big + 1, 'z', n - 2);
	big[n - 1] = '"';
	memset(storage, 'H', sizeof storage);
	envelope_buf_init(&b, storage, sizeof storage, 10);
	envelope_reply_raw(&b, &ids, ENVELOPE_OK, NULL,
	    (struct envelope_span){ big, n });
	ck_assert_ptr_nonnull(b.owned);
	ck_assert_uint_eq(b.len, strlen("{\"pkg_id\":1,\"req_id\":\"r\","
	    "\"status_code\":0,\"data\":}") + n);
	ck_assert(memcmp(b.base, "HHHHHHHHHH{\"pkg_id\":1", 21) == 0);
	ck_assert(envelope_buf_text(&b)[b.len - 1] == '}');
	envelope_buf_free(&b);
	/* Head larger than the storage. */
	envelope_buf_init(&b, storage, 4, 10);
	envelope_reply_error(&b, &ids, ENVELOPE_ERROR, "m");
	ck_assert_str_eq(buf_str(&b), "{\"pkg_id\":1,\"req_id\":\"r\","
	    "\"status_code\":1,\"data\":{\"message\":\"m\"}}");
	envelope_buf_free(&b);
	free(big);
}
END_TEST

START_TEST(test_data_load)
{
	json_error_t jerr;
	json_t *data;

	ck_assert_int_eq(scan("{\"pkg_id\":1,\"req_id\":\"r\","
	    "\"data\":{\"n\":[1,2],\"s\":\"a\\u0000b\"}}"), 0);
	data = envelope_data_load(&req, &jerr);
	ck_assert_msg(data != NULL, "%s", jerr.text);
	ck_assert_int_eq(json_array_size(json_object_get(data, "n")), 2);
	ck_assert_uint_eq(json_string_length(json_object_get(data, "s")), 3);
	json_decref(data);
	ck_assert_int_eq(scan("{\"pkg_id\":1,\"req_id\":\"r\"}"), 0);
	ck_assert_ptr_null(envelope_data_load(&req, &jerr));
}
END_TEST

/* --- differential check against jansson ----------------------------------- */

/* A small deterministic generator (xorshift64*), fixed seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(uint32_t bound)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32) % bound;
}

struct gen {
	char	*p;
	size_t	 len, cap;
};

static void
gen_put(struct gen *g, const char *s)
{
	size_t n = strlen(s);

	if (g->len + n + 1 > g->cap) {
		g->cap = (g->len + n + 1) * 2;
		g->p = realloc(g->p, g->cap);
		ck_assert_ptr_nonnull(g->p);
	}
	memcpy(g->p + g->len, s, n + 1);
	g->len += n;
}

static void
gen_ws(struct gen *g)
{
	static const char *const ws[] = {
	    "", "", "", " ", "\n", "\t ", "\r\n"
	};

	gen_put(g, ws[rng(sizeof ws / sizeof ws[0])]);
}

static void
gen_string(struct gen *g)
{
	static const char *const parts[] = {
		"a", "pkg_id", "req_id", "data", "\\\"", "\\\\", "\\/", "\\n",
		"\\u0041", "\\u00e9", "\\ud83d\\ude00", "\\u0000", "\xc3\xa9",
		"\xe2\x82\xac", "\xf0\x9f\x98\x80", " ", "\\b\\f\\r\\t",
	};
	unsigned i, n = rng(4);

	gen_put(g, "\"");
	for (i = 0; i < n; i++)
		gen_put(g, parts[rng(sizeof parts / sizeof parts[0])]);
	gen_put(g, "\"");
}

static void
gen_number(struct gen *g)
{
	static const char *const nums[] = {
		"0", "-0", "1", "-17", "123456", "0.5", "-2.25e3", "1E+2",
		"3e-7", "2147483647", "-2147483648", "10.0",
	};

	gen_put(g, nums[rng(sizeof nums / sizeof nums[0])]);
}

static void gen_value(struct gen *, int);

static void
gen_container(struct gen *g, int depth, bool object)
{
	unsigned i, n = rng(4);

	gen_put(g, object ? "{" : "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			gen_put(g, ",");
		gen_ws(g);
		if (object) {
			gen_string(g);
			gen_ws(g);
			gen_put(g, ":");
			gen_ws(g);
		}
		gen_value(g, depth + 1);
		gen_ws(g);
	}
	gen_put(g, object ? "}" : "]");
}

static void
gen_value(struct gen *g, int depth)
{
	switch (rng(depth > 5 ? 6 : 8)) {
	case 0: gen_put(g, "true"); break;
	case 1: gen_put(g, "false"); break;
	case 2: gen_put(g, "null"); break;
	case 3: gen_number(g); break;
	case 4:
	case 5: gen_string(g); break;
	case 6: gen_container(g, depth, true); break;
	default: gen_container(g, depth, false); break;
	}
}

/* Mutate a few bytes: replace, insert, delete or truncate. */
static void
gen_mutate(struct gen *g)
{
	static const char alphabet[] = "{}[]:,\"\\ 0123456789.eE+-tfnul\x01"
	    "\xc3\xa9\xff\xed\xa0\0";
	unsigned i, n = 1 + rng(3);
	size_t at;

	for (i = 0; i < n && g->len > 0; i++) {
		at = rng((uint32_t)g->len);
		switch (rng(4)) {
		case 0:
			g->p[at] = alphabet[rng(sizeof alphabet - 1)];
			break;
		case 1:
			gen_put(g, " ");
			memmove(g->p + at + 1, g->p + at, g->len - at - 1);
			g->p[at] = alphabet[rng(sizeof alphabet - 1)];
			break;
		case 2:
			memmove(g->p + at, g->p + at + 1, g->len - at);
			g->len--;
			break;
		default:
			g->len = at;
			break;
		}
	}
}

/* Whether jansson refused the text for a reason the scanner deliberately
 * does not share: number ranges (it refuses integers beyond json_int_t and
 * reals beyond double) and NUL in object keys (\u0000 in a key). */
static bool
jansson_only_refusal(const json_error_t *jerr)
{
	return strstr(jerr->text, "too big") != NULL ||
	    strstr(jerr->text, "overflow") != NULL ||
	    strstr(jerr->text, "NUL byte in object key") != NULL;
}

/* jansson 2.14 skips a raw NUL byte right after a number or literal
 * ("[1\0]", "{\"a\":true\0}"); the scanner refuses it, as RFC 8259 does.
 * True when the scanner failed on such a byte. */
static bool
jansson_nul_quirk(const struct gen *g, const struct envelope_request *r)
{
	return r->fail == ENVELOPE_FAIL_SYNTAX && r->fail_offset < g->len &&
	    g->p[r->fail_offset] == '\0';
}

START_TEST(test_differential_jansson)
{
	unsigned i, compared = 0, both_ok = 0, both_bad = 0;
	struct gen g = { NULL, 0, 0 };
	json_error_t jerr;
	bool ours, theirs;
	json_t *doc;

	for (i = 0; i < 4000; i++) {
		g.len = 0;
		if (rng(2)) {
			gen_put(&g, "{\"pkg_id\":1,\"req_id\":");
			gen_string(&g);
			gen_put(&g, ",\"data\":");
			gen_container(&g, 1, true);
			gen_put(&g, "}");
		} else
			gen_value(&g, 0);
		if (i % 4 != 0)
			gen_mutate(&g);
		envelope_scan(g.p, g.len, &req);
		ours = req.fail != ENVELOPE_FAIL_SYNTAX &&
		    req.fail != ENVELOPE_FAIL_DEPTH;
		doc = json_loadb(g.p, g.len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
		    &jerr);
		theirs = doc != NULL;
		json_decref(doc);
		if (req.fail == ENVELOPE_FAIL_DEPTH ||
		    (!theirs && jansson_only_refusal(&jerr)) ||
		    (theirs && jansson_nul_quirk(&g, &req)))
			continue;
		ck_assert_msg(ours == theirs, "doc %u (%zu bytes) \"%.*s\": "
		    "scanner %s (%s), jansson %s (%s)", i, g.len, (int)g.len,
		    g.p, ours ? "accepts" : "refuses", req.error,
		    theirs ? "accepts" : "refuses", theirs ? "" : jerr.text);
		compared++;
		both_ok += ours;
		both_bad += !ours;
	}
	free(g.p);
	ck_assert_uint_ge(compared, 3500);
	ck_assert_uint_ge(both_ok, 1000);
	ck_assert_uint_ge(both_bad, 1000);
}
END_TEST

static Suite *
envelope_suite(void)
{
	Suite *s = suite_create("envelope");
	TCase *tc = tcase_create("scan");

	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_order_and_whitespace);
	tcase_add_test(tc, test_escaped_keys);
	tcase_add_test(tc, test_unicode);
	tcase_add_test(tc, test_optional_fields);
	tcase_add_test(tc, test_not_nul_terminated);
	tcase_add_test(tc, test_pkg_id_range);
	tcase_add_test(tc, test_pkg_id_types);
	tcase_add_test(tc, test_req_id);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_not_object);
	tcase_add_test(tc, test_data_not_object);
	tcase_add_loop_test(tc, test_invalid_json, 0,
	    (int)(sizeof invalid_json / sizeof invalid_json[0]));
	tcase_add_test(tc, test_depth_bound);
	tcase_add_test(tc, test_depth_bombs);
	suite_add_tcase(s, tc);
	tc = tcase_create("reply");
	tcase_add_test(tc, test_reply_verbatim);
	tcase_add_test(tc, test_reply_json);
	tcase_add_test(tc, test_reply_error_escaping);
	tcase_add_test(tc, test_error_reply_echoes_ids);
	tcase_add_test(tc, test_buf_growth_and_head);
	tcase_add_test(tc, test_data_load);
	suite_add_tcase(s, tc);
	tc = tcase_create("differential");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_differential_jansson);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(envelope_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
