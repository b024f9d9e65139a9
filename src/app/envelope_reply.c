/* Reply and broadcast envelopes, written once into a buffer that lives on
 * caller storage and moves to the heap only when a reply outgrows it. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app/envelope.h"
#include "core/util.h"

void
envelope_buf_init(struct envelope_buf *b, char *storage, size_t cap,
    size_t head)
{
	b->base = storage;
	b->cap = cap;
	b->head = head;
	b->len = 0;
	b->owned = NULL;
	if (head > cap) {
		b->owned = xmalloc(head);
		b->base = b->owned;
		b->cap = head;
	}
}

void
envelope_buf_reset(struct envelope_buf *b)
{
	b->len = 0;
}

void
envelope_buf_free(struct envelope_buf *b)
{
	free(b->owned);
	b->owned = NULL;
	b->base = NULL;
	b->cap = b->len = 0;
}

char *
envelope_buf_text(const struct envelope_buf *b)
{
	return b->base + b->head;
}

/* Make room for n more bytes, moving to (or growing) heap storage. */
static void
buf_reserve(struct envelope_buf *b, size_t n)
{
	size_t need = b->head + b->len + n, cap;
	char *p;

	if (need <= b->cap)
		return;
	cap = HL_MAX(need, b->cap * 2);
	if (b->owned != NULL)
		p = xrealloc(b->owned, cap);
	else {
		p = xmalloc(cap);
		if (b->base != NULL)
			memcpy(p, b->base, b->head + b->len);
	}
	b->owned = b->base = p;
	b->cap = cap;
}

static void
buf_put(struct envelope_buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->base + b->head + b->len, s, n);
	b->len += n;
}

static void
buf_puts(struct envelope_buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* Append a raw JSON value, or null when absent. */
static void
buf_put_raw(struct envelope_buf *b, struct envelope_span v)
{
	if (v.ptr == NULL)
		buf_puts(b, "null");
	else
		buf_put(b, v.ptr, v.len);
}

/* Append a jansson tree compactly; -1 if jansson cannot serialize it. */
static int
buf_put_json(struct envelope_buf *b, const json_t *v)
{
	const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	size_t room, n;

	if (v == NULL) {
		buf_puts(b, "null");
		return 0;
	}
	room = b->cap - b->head - b->len;
	n = json_dumpb(v, room > 0 ? b->base + b->head + b->len : NULL, room,
	    flags);
	if (n == 0)
		return -1;
	if (n > room) {
		buf_reserve(b, n);
		if (json_dumpb(v, b->base + b->head + b->len, n, flags) != n)
			return -1;
	}
	b->len += n;
	return 0;
}

/* Length of a valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t
utf8_valid_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t v;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		v = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		v = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (len == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	return len;
}

/* Append one ASCII byte of a string, escaped as JSON needs. */
static void
buf_put_escaped_ascii(struct envelope_buf *b, unsigned char c)
{
	char esc[8];

	switch (c) {
	case '"': buf_puts(b, "\\\""); return;
	case '\\': buf_puts(b, "\\\\"); return;
	case '\b': buf_puts(b, "\\b"); return;
	case '\f': buf_puts(b, "\\f"); return;
	case '\n': buf_puts(b, "\\n"); return;
	case '\r': buf_puts(b, "\\r"); return;
	case '\t': buf_puts(b, "\\t"); return;
	default:
		if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			buf_puts(b, esc);
		} else
			buf_put(b, (const char *)&c, 1);
	}
}

/* Append s as a JSON string; invalid UTF-8 bytes become U+FFFD. */
static void
buf_put_string(struct envelope_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;

	buf_puts(b, "\"");
	while (i < n) {
		if (p[i] < 0x80) {
			buf_put_escaped_ascii(b, p[i++]);
			continue;
		}
		k = utf8_valid_len(p + i, n - i);
		if (k == 0) {
			buf_puts(b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_put(b, s + i, k);
			i += k;
		}
	}
	buf_puts(b, "\"");
}

/* {"pkg_id":N,"req_id":R  -- the common head of every envelope. */
static void
buf_put_ids(struct envelope_buf *b, const struct envelope_ids *ids)
{
	char num[16];

	buf_puts(b, "{\"pkg_id\":");
	if (ids->has_pkg_id) {
		snprintf(num, sizeof num, "%" PRId32, ids->pkg_id);
		buf_puts(b, num);
	} else
		buf_puts(b, "null");
	buf_puts(b, ",\"req_id\":");
	buf_put_raw(b, ids->req_id);
}

/* ,"status_code":S */
static void
buf_put_status(struct envelope_buf *b, enum envelope_status status)
{
	char num[32];

	snprintf(num, sizeof num, ",\"status_code\":%d", (int)status);
	buf_puts(b, num);
}

struct envelope_ids
envelope_ids_of(const struct envelope_request *req)
{
	struct envelope_ids ids;

	ids.pkg_id = req->pkg_id;
	ids.has_pkg_id = req->has_pkg_id;
	ids.req_id = req->req_id;
	return ids;
}

void
envelope_reply_raw(struct envelope_buf *b, const struct envelope_ids *ids,
    enum envelope_status status, const struct envelope_span *meta,
    struct envelope_span data)
{
	buf_put_ids(b, ids);
	buf_put_status(b, status);
	if (meta != NULL && meta->ptr != NULL) {
		buf_puts(b, ",\"meta\":");
		buf_put_raw(b, *meta);
	}
	buf_puts(b, ",\"data\":");
	buf_put_raw(b, data);
	buf_puts(b, "}");
}

int
envelope_reply_json(struct envelope_buf *b, const struct envelope_ids *ids,
    enum envelope_status status, const json_t *meta, const json_t *data)
{
	size_t mark = b->len;

	buf_put_ids(b, ids);
	buf_put_status(b, status);
	if (meta != NULL) {
		buf_puts(b, ",\"meta\":");
		if (buf_put_json(b, meta) == -1)
			goto fail;
	}
	buf_puts(b, ",\"data\":");
	if (buf_put_json(b, data) == -1)
		goto fail;
	buf_puts(b, "}");
	return 0;
fail:
	b->len = mark;
	return -1;
}

void
envelope_reply_error(struct envelope_buf *b, const struct envelope_ids *ids,
    enum envelope_status status, const char *message)
{
	buf_put_ids(b, ids);
	buf_put_status(b, status);
	buf_puts(b, ",\"data\":{\"message\":");
	buf_put_string(b, message);
	buf_puts(b, "}}");
}

void
envelope_broadcast_raw(struct envelope_buf *b, const struct envelope_ids *ids,
    struct envelope_span data)
{
	buf_put_ids(b, ids);
	buf_puts(b, ",\"data\":");
	buf_put_raw(b, data);
	buf_puts(b, "}");
}

int
envelope_broadcast_json(struct envelope_buf *b,
    const struct envelope_ids *ids, const json_t *data)
{
	size_t mark = b->len;

	buf_put_ids(b, ids);
	buf_puts(b, ",\"data\":");
	if (buf_put_json(b, data) == -1) {
		b->len = mark;
		return -1;
	}
	buf_puts(b, "}");
	return 0;
}

json_t *
envelope_data_load(const struct envelope_request *req, json_error_t *err)
{
	if (req->data.ptr == NULL) {
		memset(err, 0, sizeof *err);
		snprintf(err->text, sizeof err->text, "no data");
		return NULL;
	}
	/* The scanner already bounded the depth; JSON_ALLOW_NUL keeps "\u0000"
	 * in data acceptable, as it was to the scanner. */
	return json_loadb(req->data.ptr, req->data.len, JSON_ALLOW_NUL, err);
}
