/* The request envelope scanner: validates a message as JSON (RFC 8259) and
 * finds pkg_id, req_id, method and data at the top level, in one pass,
 * without allocating. Recursion is bounded by ENVELOPE_MAX_DEPTH. */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/envelope.h"
#include "core/log.h"
#include "core/util.h"

/* The envelope keys, recognised after unescaping. */
enum envelope_key {
	KEY_OTHER,
	KEY_PKG_ID,
	KEY_REQ_ID,
	KEY_METHOD,
	KEY_DATA,
};

/* Enough of a decoded key to tell the envelope keys apart. */
#define KEY_NAME_MAX 8

struct envelope_keybuf {
	char	 name[KEY_NAME_MAX];
	size_t	 len;
	bool	 overflow;	/* longer than any envelope key, or non-ASCII */
};

/* What a number token looked like; the value is kept only while it fits. */
struct envelope_number {
	bool	 negative;
	bool	 integer;	/* no fraction, no exponent */
	bool	 too_big;	/* magnitude above 2^31 */
	uint32_t magnitude;
};

/* Scanner state: the input, the cursor and the request being filled. */
struct envelope_scanner {
	const unsigned char	*buf;
	size_t			 len;
	size_t			 pos;
	unsigned		 depth;
	bool			 seen[KEY_DATA + 1];
	struct envelope_request	*req;
};

static int	scan_value(struct envelope_scanner *);

/* Record a syntax or depth failure at the cursor; always returns -1. */
static int HL_PRINTF(3, 4)
scan_fail(struct envelope_scanner *s, enum envelope_fail kind,
    const char *fmt, ...)
{
	struct envelope_request *req = s->req;
	va_list ap;
	int n;

	req->fail = kind;
	req->fail_offset = s->pos;
	n = snprintf(req->error, sizeof req->error,
	    "invalid JSON at byte %zu: ", s->pos);
	if (n < 0 || (size_t)n >= sizeof req->error)
		return -1;
	va_start(ap, fmt);
	vsnprintf(req->error + n, sizeof req->error - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Record an envelope failure unless an earlier one is kept; scanning goes
 * on so a later syntax error still wins. */
static void HL_PRINTF(2, 3)
scan_field_error(struct envelope_scanner *s, const char *fmt, ...)
{
	struct envelope_request *req = s->req;
	va_list ap;

	if (req->fail != ENVELOPE_FAIL_NONE)
		return;
	req->fail = ENVELOPE_FAIL_FIELD;
	va_start(ap, fmt);
	vsnprintf(req->error, sizeof req->error, fmt, ap);
	va_end(ap);
}

/* The byte at the cursor, or -1 at the end of input. */
static int
scan_peek(const struct envelope_scanner *s)
{
	return s->pos < s->len ? s->buf[s->pos] : -1;
}

static void
scan_skip_ws(struct envelope_scanner *s)
{
	while (s->pos < s->len) {
		unsigned char c = s->buf[s->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		s->pos++;
	}
}

/* Fail on an unexpected byte (or the end), naming it readably. */
static int
scan_unexpected(struct envelope_scanner *s, const char *expected)
{
	int c = scan_peek(s);

	if (c < 0)
		return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
		    "unexpected end of input, expected %s", expected);
	if (c >= 0x20 && c < 0x7f)
		return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
		    "unexpected '%c', expected %s", c, expected);
	return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
	    "unexpected byte 0x%02x, expected %s", (unsigned)c, expected);
}

/* Consume the byte c (after whitespace) or fail. */
static int
scan_expect(struct envelope_scanner *s, char c, const char *expected)
{
	scan_skip_ws(s);
	if (scan_peek(s) != (unsigned char)c)
		return scan_unexpected(s, expected);
	s->pos++;
	return 0;
}

/* Read the four hex digits of a \u escape (cursor after the 'u'). */
static int
scan_hex4(struct envelope_scanner *s, uint32_t *out)
{
	uint32_t v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		d = hl_hex_digit(scan_peek(s));
		if (d < 0)
			return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
			    "\\u must be followed by four hex digits");
		v = v << 4 | (uint32_t)d;
		s->pos++;
	}
	*out = v;
	return 0;
}

/* Decode a \u escape, joining a surrogate pair (cursor after the 'u'). */
static int
scan_unicode_escape(struct envelope_scanner *s, uint32_t *cp)
{
	uint32_t lo;

	if (scan_hex4(s, cp) == -1)
		return -1;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
		    "lone low surrogate \\u%04x", (unsigned)*cp);
	if (*cp < 0xd800 || *cp > 0xdbff)
		return 0;
	if (s->len - s->pos < 2 || s->buf[s->pos] != '\\' ||
	    s->buf[s->pos + 1] != 'u')
		return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
		    "high surrogate \\u%04x not followed by a low one",
		    (unsigned)*cp);
	s->pos += 2;
	if (scan_hex4(s, &lo) == -1)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff)
		return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
		    "high surrogate \\u%04x not followed by a low one",
		    (unsigned)*cp);
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* Decode the escape after a backslash (cursor on the backslash). */
static int
scan_escape(struct envelope_scanner *s, uint32_t *cp)
{
	int c;

	s->pos++;
	c = scan_peek(s);
	s->pos++;
	switch (c) {
	case '"':
	case '\\':
	case '/':
		*cp = (uint32_t)c;
		return 0;
	case 'b': *cp = '\b'; return 0;
	case 'f': *cp = '\f'; return 0;
	case 'n': *cp = '\n'; return 0;
	case 'r': *cp = '\r'; return 0;
	case 't': *cp = '\t'; return 0;
	case 'u':
		return scan_unicode_escape(s, cp);
	default:
		s->pos--;
		return scan_unexpected(s, "an escape character");
	}
}

/* Decode one UTF-8 sequence (cursor on its lead byte), refusing overlong
 * forms, surrogates and values above U+10FFFF. */
static int
scan_utf8(struct envelope_scanner *s, uint32_t *cp)
{
	static const uint32_t min[4] = { 0, 0x80, 0x800, 0x10000 };
	unsigned char c = s->buf[s->pos];
	size_t n, i;
	uint32_t v;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		v = c & 0x07;
	} else
		return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
		    "invalid UTF-8 lead byte 0x%02x in string", c);
	for (i = 1; i <= n; i++) {
		if (s->pos + i >= s->len || (s->buf[s->pos + i] & 0xc0) != 0x80)
			return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
			    "truncated UTF-8 sequence in string");
		v = v << 6 | (s->buf[s->pos + i] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
		    "invalid UTF-8 sequence in string");
	s->pos += n + 1;
	*cp = v;
	return 0;
}

/* Append a decoded code point to a key being collected. */
static void
key_put(struct envelope_keybuf *k, uint32_t cp)
{
	if (k->overflow || cp > 0x7f || k->len == KEY_NAME_MAX) {
		k->overflow = true;
		return;
	}
	k->name[k->len++] = (char)cp;
}

/* Scan a string token (cursor on the opening quote); when k is not NULL,
 * collect its decoded text there. */
static int
scan_string(struct envelope_scanner *s, struct envelope_keybuf *k)
{
	uint32_t cp;
	int c;

	s->pos++;
	for (;;) {
		c = scan_peek(s);
		if (c == '"') {
			s->pos++;
			return 0;
		}
		if (c < 0)
			return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
			    "unterminated string");
		if (c < 0x20)
			return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
			    "unescaped control character 0x%02x in string", c);
		if (c == '\\') {
			if (scan_escape(s, &cp) == -1)
				return -1;
		} else if (c >= 0x80) {
			if (scan_utf8(s, &cp) == -1)
				return -1;
		} else {
			cp = (uint32_t)c;
			s->pos++;
		}
		if (k != NULL)
			key_put(k, cp);
	}
}

/* Consume a run of digits, accumulating them into n when it is given. */
static size_t
scan_digits(struct envelope_scanner *s, struct envelope_number *n)
{
	size_t start = s->pos;
	int c;

	while ((c = scan_peek(s)) >= '0' && c <= '9') {
		if (n != NULL && !n->too_big) {
			uint64_t v = (uint64_t)n->magnitude * 10 +
			    (uint64_t)(c - '0');

			if (v > (uint64_t)INT32_MAX + 1)
				n->too_big = true;
			else
				n->magnitude = (uint32_t)v;
		}
		s->pos++;
	}
	return s->pos - start;
}

/* Scan a number token per the RFC 8259 grammar:
 * -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int
scan_number(struct envelope_scanner *s, struct envelope_number *n)
{
	struct envelope_number scratch;

	memset(&scratch, 0, sizeof scratch);
	scratch.integer = true;
	if (scan_peek(s) == '-') {
		scratch.negative = true;
		s->pos++;
	}
	if (scan_peek(s) == '0')
		s->pos++;
	else if (scan_digits(s, &scratch) == 0)
		return scan_unexpected(s, "a digit");
	if (scan_peek(s) == '.') {
		s->pos++;
		scratch.integer = false;
		if (scan_digits(s, NULL) == 0)
			return scan_unexpected(s, "a digit after '.'");
	}
	if (scan_peek(s) == 'e' || scan_peek(s) == 'E') {
		s->pos++;
		scratch.integer = false;
		if (scan_peek(s) == '+' || scan_peek(s) == '-')
			s->pos++;
		if (scan_digits(s, NULL) == 0)
			return scan_unexpected(s, "a digit in the exponent");
	}
	if (n != NULL)
		*n = scratch;
	return 0;
}

/* Scan one of true, false, null (cursor on its first letter). */
static int
scan_literal(struct envelope_scanner *s)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i, n;

	for (i = 0; i < 3; i++) {
		if (words[i][0] != s->buf[s->pos])
			continue;
		n = strlen(words[i]);
		if (s->len - s->pos < n ||
		    memcmp(s->buf + s->pos, words[i], n) != 0)
			return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
			    "invalid literal, expected %s", words[i]);
		s->pos += n;
		return 0;
	}
	return scan_unexpected(s, "a value");
}

/* Enter a container (cursor on its bracket), enforcing the depth bound. */
static int
scan_enter(struct envelope_scanner *s)
{
	if (s->depth >= ENVELOPE_MAX_DEPTH)
		return scan_fail(s, ENVELOPE_FAIL_DEPTH,
		    "nested deeper than %d levels", ENVELOPE_MAX_DEPTH);
	s->depth++;
	s->pos++;
	return 0;
}

/* After a member or element: consume ',' (returns 1) or the closing
 * bracket (returns 0). */
static int
scan_next(struct envelope_scanner *s, char close, const char *expected)
{
	scan_skip_ws(s);
	if (scan_peek(s) == ',') {
		s->pos++;
		return 1;
	}
	if (scan_peek(s) == (unsigned char)close) {
		s->pos++;
		s->depth--;
		return 0;
	}
	return scan_unexpected(s, expected);
}

static int
scan_array(struct envelope_scanner *s)
{
	int more;

	if (scan_enter(s) == -1)
		return -1;
	scan_skip_ws(s);
	if (scan_peek(s) == ']') {
		s->pos++;
		s->depth--;
		return 0;
	}
	do {
		scan_skip_ws(s);
		if (scan_value(s) == -1)
			return -1;
	} while ((more = scan_next(s, ']', "',' or ']'")) == 1);
	return more;
}

/* Which envelope key a decoded top-level key is. */
static enum envelope_key
key_classify(const struct envelope_keybuf *k)
{
	static const struct {
		const char		*name;
		enum envelope_key	 key;
	} keys[] = {
		{ "pkg_id", KEY_PKG_ID },
		{ "req_id", KEY_REQ_ID },
		{ "method", KEY_METHOD },
		{ "data", KEY_DATA },
	};
	size_t i;

	if (k->overflow)
		return KEY_OTHER;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i].name) == k->len &&
		    memcmp(keys[i].name, k->name, k->len) == 0)
			return keys[i].key;
	return KEY_OTHER;
}

/* The JSON type a value starting with c has, for messages. */
static const char *
value_type(int c)
{
	switch (c) {
	case '{': return "object";
	case '[': return "array";
	case '"': return "string";
	case 't':
	case 'f': return "boolean";
	case 'n': return "null";
	default: return "number";
	}
}

/* Scan any value, then report it as ill-typed for field name. */
static int
scan_wrong_type(struct envelope_scanner *s, const char *name,
    const char *expected)
{
	const char *got = value_type(scan_peek(s));

	if (scan_value(s) == -1)
		return -1;
	scan_field_error(s, "%s must be %s, got %s", name, expected, got);
	return 0;
}

/* The value of pkg_id: an integer token within int32. */
static int
scan_pkg_id(struct envelope_scanner *s)
{
	struct envelope_request *req = s->req;
	struct envelope_number n;
	int c = scan_peek(s);

	if (c != '-' && (c < '0' || c > '9'))
		return scan_wrong_type(s, "pkg_id", "an integer");
	if (scan_number(s, &n) == -1)
		return -1;
	if (!n.integer)
		scan_field_error(s, "pkg_id must be an integer, got a number "
		    "with a fraction or exponent");
	else if (n.too_big || (!n.negative && n.magnitude > INT32_MAX))
		scan_field_error(s, "pkg_id is out of range (32-bit integer)");
	else if (!req->has_pkg_id) {
		req->has_pkg_id = true;
		req->pkg_id = n.negative ? (int32_t)-(int64_t)n.magnitude :
		    (int32_t)n.magnitude;
	}
	return 0;
}

/* A string-valued envelope field: record its raw token in *span unless an
 * earlier occurrence was kept. null is accepted as absent if nullable. */
static int
scan_string_field(struct envelope_scanner *s, const char *name,
    struct envelope_span *span, bool nullable)
{
	size_t start = s->pos;

	if (nullable && scan_peek(s) == 'n')
		return scan_literal(s);
	if (scan_peek(s) != '"')
		return scan_wrong_type(s, name, "a string");
	if (scan_string(s, NULL) == -1)
		return -1;
	if (span == &s->req->req_id &&
	    s->pos - start - 2 > ENVELOPE_REQ_ID_MAX) {
		scan_field_error(s, "req_id is longer than %d bytes",
		    ENVELOPE_REQ_ID_MAX);
		return 0;
	}
	if (span->ptr == NULL) {
		span->ptr = (const char *)s->buf + start;
		span->len = s->pos - start;
	}
	return 0;
}

/* The value of data: an object (its bytes are kept) or null (absent). */
static int
scan_data(struct envelope_scanner *s)
{
	struct envelope_request *req = s->req;
	size_t start = s->pos;

	if (scan_peek(s) == 'n')
		return scan_literal(s);
	if (scan_peek(s) != '{')
		return scan_wrong_type(s, "data", "an object");
	if (scan_value(s) == -1)
		return -1;
	if (req->data.ptr == NULL) {
		req->data.ptr = (const char *)s->buf + start;
		req->data.len = s->pos - start;
	}
	return 0;
}

/* The value of a top-level member, dispatched on its key. */
static int
scan_top_value(struct envelope_scanner *s, enum envelope_key key)
{
	static const char *const names[] = {
		[KEY_PKG_ID] = "pkg_id", [KEY_REQ_ID] = "req_id",
		[KEY_METHOD] = "method", [KEY_DATA] = "data",
	};

	if (key != KEY_OTHER && s->seen[key])
		scan_field_error(s, "duplicate key \"%s\"", names[key]);
	s->seen[key] = true;
	switch (key) {
	case KEY_PKG_ID:
		return scan_pkg_id(s);
	case KEY_REQ_ID:
		return scan_string_field(s, "req_id", &s->req->req_id, false);
	case KEY_METHOD:
		return scan_string_field(s, "method", &s->req->method, true);
	case KEY_DATA:
		return scan_data(s);
	case KEY_OTHER:
		break;
	}
	return scan_value(s);
}

/* One "key": value member of an object (cursor before the key). */
static int
scan_member(struct envelope_scanner *s, bool top)
{
	struct envelope_keybuf k;

	scan_skip_ws(s);
	if (scan_peek(s) != '"')
		return scan_unexpected(s, "a string key");
	memset(&k, 0, sizeof k);
	if (scan_string(s, top ? &k : NULL) == -1)
		return -1;
	if (scan_expect(s, ':', "':' after the key") == -1)
		return -1;
	scan_skip_ws(s);
	if (top)
		return scan_top_value(s, key_classify(&k));
	return scan_value(s);
}

/* An object (cursor on '{'); top selects envelope field extraction. */
static int
scan_object(struct envelope_scanner *s, bool top)
{
	int more;

	if (scan_enter(s) == -1)
		return -1;
	scan_skip_ws(s);
	if (scan_peek(s) == '}') {
		s->pos++;
		s->depth--;
		return 0;
	}
	do {
		if (scan_member(s, top) == -1)
			return -1;
	} while ((more = scan_next(s, '}', "',' or '}'")) == 1);
	return more;
}

/* Any JSON value (cursor on its first byte, whitespace skipped). */
static int
scan_value(struct envelope_scanner *s)
{
	int c = scan_peek(s);

	switch (c) {
	case '{':
		return scan_object(s, false);
	case '[':
		return scan_array(s);
	case '"':
		return scan_string(s, NULL);
	case 't':
	case 'f':
	case 'n':
		return scan_literal(s);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return scan_number(s, NULL);
		return scan_unexpected(s, "a value");
	}
}

/* The whole text: one value, an object for an envelope, then only
 * whitespace. */
static int
scan_document(struct envelope_scanner *s)
{
	int c;

	scan_skip_ws(s);
	c = scan_peek(s);
	if (c == '{') {
		if (scan_object(s, true) == -1)
			return -1;
	} else {
		if (scan_value(s) == -1)
			return -1;
		scan_field_error(s, "the message must be a JSON object, got %s",
		    value_type(c));
	}
	scan_skip_ws(s);
	if (s->pos != s->len)
		return scan_fail(s, ENVELOPE_FAIL_SYNTAX,
		    "unexpected data after the top-level value");
	return 0;
}

int
envelope_scan(const char *msg, size_t len, struct envelope_request *req)
{
	struct envelope_scanner s;

	memset(req, 0, sizeof *req);
	memset(&s, 0, sizeof s);
	s.buf = (const unsigned char *)msg;
	s.len = len;
	s.req = req;
	if (scan_document(&s) == -1)
		return -1;
	if (!s.seen[KEY_PKG_ID])
		scan_field_error(&s, "missing pkg_id");
	else if (!s.seen[KEY_REQ_ID])
		scan_field_error(&s, "missing req_id");
	return req->fail == ENVELOPE_FAIL_NONE ? 0 : -1;
}

/* Decode the code point at src[*i] of a token the scanner validated (so
 * no failure is possible) and advance *i; end bounds the token. */
static uint32_t
unescape_one(const unsigned char *src, size_t end, size_t *i)
{
	struct envelope_scanner s;
	struct envelope_request scratch;
	uint32_t cp = 0xfffd;

	memset(&s, 0, sizeof s);
	s.buf = src;
	s.len = end;
	s.pos = *i;
	s.req = &scratch;
	if (src[s.pos] == '\\')
		(void)scan_escape(&s, &cp);
	else if (src[s.pos] >= 0x80)
		(void)scan_utf8(&s, &cp);
	else
		cp = src[s.pos++];
	*i = s.pos;
	return cp;
}

/* Encode cp as UTF-8 into out; returns the byte count (1-4). */
static size_t
utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int
envelope_unescape(const struct envelope_span *tok, char *out, size_t outsz,
    size_t *outlen)
{
	const unsigned char *src = (const unsigned char *)tok->ptr;
	size_t i = 1, o = 0, end;
	char enc[4];
	size_t n;

	if (tok->ptr == NULL || tok->len < 2)
		return -1;
	end = tok->len - 1;
	while (i < end) {
		n = utf8_put(unescape_one(src, end, &i), enc);
		if (o + n >= outsz)
			return -1;
		memcpy(out + o, enc, n);
		o += n;
	}
	if (o >= outsz)
		return -1;
	out[o] = '\0';
	*outlen = o;
	return 0;
}
