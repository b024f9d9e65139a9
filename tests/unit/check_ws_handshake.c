/* Unit tests for the upgrade parser: scripted byte feeds, no sockets. */
#include "autoconf.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws/ws_handshake.h"

#define H_HOST	"Host: server.example.com"
#define H_UPG	"Upgrade: websocket"
#define H_CONN	"Connection: Upgrade"
#define H_KEY	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
#define H_VER	"Sec-WebSocket-Version: 13"
#define GET	"GET /web HTTP/1.1"
#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static char	 reqbuf[16384];

/* A request head from its lines (NULL-terminated), CRLF after each and one
 * more at the end. The result lives in reqbuf. */
static const char *
head(const char *line, ...)
{
	va_list	 ap;
	size_t	 len = 0;

	va_start(ap, line);
	for (; line != NULL; line = va_arg(ap, const char *))
		len += (size_t)snprintf(reqbuf + len, sizeof reqbuf - len,
		    "%s\r\n", line);
	va_end(ap);
	snprintf(reqbuf + len, sizeof reqbuf - len, "\r\n");
	return reqbuf;
}

/* Parse len bytes of s in one call, from an exact-size heap copy so that
 * ASan catches any read past the end. The copy is returned in *keep (the
 * caller frees it) or freed when keep is NULL. */
static enum ws_handshake_result
parse_copy(struct ws_handshake *hs, const char *s, size_t len, char **keep)
{
	char	*copy = malloc(len > 0 ? len : 1);
	enum ws_handshake_result r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, s, len);
	r = ws_handshake_parse(hs, copy, len);
	if (keep != NULL)
		*keep = copy;
	else
		free(copy);
	return r;
}

static enum ws_handshake_result
parse_n(struct ws_handshake *hs, const char *s, size_t len)
{
	return parse_copy(hs, s, len, NULL);
}

/* Feed s one byte at a time, the buffer moving each time; returns the
 * result of the call that did not ask for more (or NEED_MORE at the end),
 * and in *last the buffer that call parsed (the caller frees it). */
static enum ws_handshake_result
feed_kept(struct ws_handshake *hs, const char *s, size_t len, char **last)
{
	enum ws_handshake_result r = WS_HANDSHAKE_NEED_MORE;
	size_t	 n;

	*last = NULL;
	ws_handshake_init(hs, NULL);
	for (n = 1; n <= len && r == WS_HANDSHAKE_NEED_MORE; n++) {
		free(*last);
		r = parse_copy(hs, s, n, last);
	}
	return r;
}

static enum ws_handshake_result
feed_bytewise(struct ws_handshake *hs, const char *s, size_t len)
{
	enum ws_handshake_result r;
	char	*last;

	r = feed_kept(hs, s, len, &last);
	free(last);
	return r;
}

/* Parse s in one shot with default limits, keeping s (spans point in it). */
static enum ws_handshake_result
parse_str(struct ws_handshake *hs, const char *s)
{
	ws_handshake_init(hs, NULL);
	return ws_handshake_parse(hs, s, strlen(s));
}

/* Both feeds refuse s for the same reason; returns that reason. */
static enum ws_handshake_refusal
refused(const char *s)
{
	struct ws_handshake one, bytes;

	ck_assert_int_eq(parse_str(&one, s), WS_HANDSHAKE_FAIL);
	ck_assert_int_eq(feed_bytewise(&bytes, s, strlen(s)),
	    WS_HANDSHAKE_FAIL);
	ck_assert_int_eq(one.refusal, bytes.refusal);
	ck_assert_str_eq(one.detail, bytes.detail);
	return one.refusal;
}

static void
accepted(const char *s)
{
	struct ws_handshake hs;

	ck_assert_int_eq(parse_str(&hs, s), WS_HANDSHAKE_DONE);
	ck_assert_int_eq(feed_bytewise(&hs, s, strlen(s)), WS_HANDSHAKE_DONE);
}

static void
span_is(const struct ws_handshake_span *span, const char *text)
{
	ck_assert_ptr_nonnull(span->ptr);
	ck_assert_uint_eq(span->len, strlen(text));
	ck_assert(memcmp(span->ptr, text, span->len) == 0);
}

#define BAD(...)	ck_assert_int_eq(refused(head(__VA_ARGS__, NULL)), \
			    WS_HANDSHAKE_REFUSE_BAD_REQUEST)
#define REFUSED(r, ...)	ck_assert_int_eq(refused(head(__VA_ARGS__, NULL)), r)
#define ACCEPTED(...)	accepted(head(__VA_ARGS__, NULL))

/* --- valid requests ------------------------------------------------------ */

/* RFC 6455 §1.2 and §4.2.2. */
START_TEST(test_rfc_example)
{
	struct ws_handshake hs;
	const char *s = head("GET /chat HTTP/1.1", "Host: server.example.com",
	    "Upgrade: websocket", "Connection: Upgrade",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
	    "Origin: http://example.com",
	    "Sec-WebSocket-Protocol: chat, superchat",
	    "Sec-WebSocket-Version: 13", NULL);

	ck_assert_int_eq(parse_str(&hs, s), WS_HANDSHAKE_DONE);
	ck_assert_int_eq(hs.refusal, WS_HANDSHAKE_REFUSE_NONE);
	span_is(&hs.request.path, "/chat");
	ck_assert_ptr_null(hs.request.query.ptr);
	span_is(&hs.request.host, "server.example.com");
	span_is(&hs.request.origin, "http://example.com");
	span_is(&hs.request.key, "dGhlIHNhbXBsZSBub25jZQ==");
	ck_assert_uint_eq(hs.request.nprotocols, 1);
	span_is(&hs.request.protocols[0], "chat, superchat");
	ck_assert_ptr_null(hs.request.authorization.ptr);
	ck_assert_uint_eq(hs.request.head_len, strlen(s));
}
END_TEST

START_TEST(test_accept_value)
{
	char	 out[WS_HANDSHAKE_ACCEPT_SIZE];

	ck_assert_int_eq(ws_handshake_accept("dGhlIHNhbXBsZSBub25jZQ==", 24,
	    out), 0);
	ck_assert_str_eq(out, RFC_ACCEPT);
	ck_assert_int_eq(ws_handshake_accept(NULL, 0, out), -1);
}
END_TEST

/* Two spans at the same offsets from their buffers. */
static void
span_same(const struct ws_handshake_span *a, const char *abase,
    const struct ws_handshake_span *b, const char *bbase)
{
	ck_assert_uint_eq(a->len, b->len);
	ck_assert_int_eq(a->ptr == NULL, b->ptr == NULL);
	if (a->ptr != NULL)
		ck_assert_int_eq(a->ptr - abase, b->ptr - bbase);
}

START_TEST(test_bytewise_same_as_one_shot)
{
	struct ws_handshake one, bytes;
	const char *s = head("GET /web?token=abc&x=1 HTTP/1.1", H_HOST, H_UPG,
	    H_CONN, H_KEY, H_VER, "Authorization: Bearer t", "Origin: o",
	    "Sec-WebSocket-Protocol: a, b", NULL);
	const struct ws_handshake_request *a = &one.request;
	const struct ws_handshake_request *b = &bytes.request;
	size_t	 len = strlen(s);
	char	*last;

	ck_assert_int_eq(parse_str(&one, s), WS_HANDSHAKE_DONE);
	ck_assert_int_eq(feed_kept(&bytes, s, len, &last), WS_HANDSHAKE_DONE);
	ck_assert_uint_eq(a->head_len, len);
	ck_assert_uint_eq(b->head_len, len);
	span_same(&a->path, s, &b->path, last);
	span_same(&a->query, s, &b->query, last);
	span_same(&a->host, s, &b->host, last);
	span_same(&a->origin, s, &b->origin, last);
	span_same(&a->authorization, s, &b->authorization, last);
	span_same(&a->key, s, &b->key, last);
	ck_assert_uint_eq(b->nprotocols, 1);
	span_same(&a->protocols[0], s, &b->protocols[0], last);
	free(last);
	span_is(&a->path, "/web");
	span_is(&a->query, "token=abc&x=1");
	span_is(&a->authorization, "Bearer t");
}
END_TEST

/* Bytes after CRLF CRLF are the client's first frames, not part of the head. */
START_TEST(test_bytes_after_head)
{
	struct ws_handshake hs;
	char	 buf[1024];
	size_t	 hlen;

	head(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, NULL);
	hlen = strlen(reqbuf);
	memcpy(buf, reqbuf, hlen);
	memcpy(buf + hlen, "\x81\x85\x00\x00", 4);
	ws_handshake_init(&hs, NULL);
	ck_assert_int_eq(ws_handshake_parse(&hs, buf, hlen + 4),
	    WS_HANDSHAKE_DONE);
	ck_assert_uint_eq(hs.request.head_len, hlen);
}
END_TEST

START_TEST(test_case_and_whitespace)
{
	struct ws_handshake hs;
	const char *s = head(GET, "HOST: \t h:8000 \t",
	    "upgrade: foo, WebSocket",
	    "CONNECTION: keep-alive,  Upgrade ", "sec-websocket-key:"
	    "dGhlIHNhbXBsZSBub25jZQ==", "SEC-WEBSOCKET-VERSION:  13",
	    "X-Empty:", "X-Tab: a\tb", "X-Utf8: caf\xc3\xa9", NULL);

	ck_assert_int_eq(parse_str(&hs, s), WS_HANDSHAKE_DONE);
	span_is(&hs.request.host, "h:8000");
	span_is(&hs.request.key, "dGhlIHNhbXBsZSBub25jZQ==");
	ACCEPTED(GET, H_HOST, "Upgrade: websocket", "Connection: upgrade",
	    H_KEY, H_VER, "Content-Length: 0");
	ACCEPTED(GET, H_HOST, H_UPG, "Connection: Upgrade", "Connection: x",
	    H_KEY, H_VER);
}
END_TEST

START_TEST(test_truncated)
{
	struct ws_handshake hs;
	const char *s = head(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, NULL);
	size_t	 n, len = strlen(s);

	for (n = 0; n < len; n++) {
		ws_handshake_init(&hs, NULL);
		ck_assert_int_eq(parse_n(&hs, s, n), WS_HANDSHAKE_NEED_MORE);
	}
}
END_TEST

/* --- limits -------------------------------------------------------------- */

START_TEST(test_too_large)
{
	static char big[9000];
	struct ws_handshake hs;
	char	 filler[8200];

	memset(filler, 'a', sizeof filler - 1);
	filler[sizeof filler - 1] = '\0';
	snprintf(big, sizeof big, "X-Big: %s", filler);
	REFUSED(WS_HANDSHAKE_REFUSE_TOO_LARGE, GET, H_HOST, big);
	/* No terminator at all: refused at the limit, not later. */
	memset(big, 'a', sizeof big);
	ws_handshake_init(&hs, NULL);
	ck_assert_int_eq(parse_n(&hs, big, WS_HANDSHAKE_DEFAULT_MAX_BYTES - 1),
	    WS_HANDSHAKE_NEED_MORE);
	ck_assert_int_eq(parse_n(&hs, big, WS_HANDSHAKE_DEFAULT_MAX_BYTES),
	    WS_HANDSHAKE_FAIL);
	ck_assert_int_eq(hs.refusal, WS_HANDSHAKE_REFUSE_TOO_LARGE);
	ck_assert_int_eq(ws_handshake_refusal_status(hs.refusal), 431);
}
END_TEST

/* A configured limit counts CRLF CRLF: a head of exactly max_bytes passes. */
START_TEST(test_configured_limit)
{
	struct ws_handshake_limits lim = { .max_bytes = 0 };
	struct ws_handshake hs;
	const char *s = head(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, NULL);
	size_t	 len = strlen(s);

	lim.max_bytes = len;
	ws_handshake_init(&hs, &lim);
	ck_assert_int_eq(ws_handshake_parse(&hs, s, len), WS_HANDSHAKE_DONE);
	lim.max_bytes = len - 1;
	ws_handshake_init(&hs, &lim);
	ck_assert_int_eq(ws_handshake_parse(&hs, s, len), WS_HANDSHAKE_FAIL);
	ck_assert_int_eq(hs.refusal, WS_HANDSHAKE_REFUSE_TOO_LARGE);
	ws_handshake_init(&hs, NULL);
	ck_assert_uint_eq(hs.limits.max_bytes, 8192);
	ck_assert_uint_eq(hs.limits.max_headers, 64);
}
END_TEST

START_TEST(test_too_many_headers)
{
	struct ws_handshake_limits lim = { .max_headers = 5 };
	struct ws_handshake hs;
	char	 line[32];
	size_t	 len;
	int	 i;

	head(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, NULL);
	ws_handshake_init(&hs, &lim);
	ck_assert_int_eq(ws_handshake_parse(&hs, reqbuf, strlen(reqbuf)),
	    WS_HANDSHAKE_DONE);
	head(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, "X-A: 1", NULL);
	ws_handshake_init(&hs, &lim);
	ck_assert_int_eq(ws_handshake_parse(&hs, reqbuf, strlen(reqbuf)),
	    WS_HANDSHAKE_FAIL);
	ck_assert_int_eq(hs.refusal, WS_HANDSHAKE_REFUSE_TOO_LARGE);
	/* The default: 65 fields are too many. */
	head(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, NULL);
	len = strlen(reqbuf) - 2;
	for (i = 0; i < 60; i++) {
		snprintf(line, sizeof line, "X-%d: y\r\n", i);
		memcpy(reqbuf + len, line, strlen(line));
		len += strlen(line);
	}
	memcpy(reqbuf + len, "\r\n", 3);
	ck_assert_int_eq(refused(reqbuf), WS_HANDSHAKE_REFUSE_TOO_LARGE);
}
END_TEST

/* --- request line -------------------------------------------------------- */

START_TEST(test_bad_method)
{
	REFUSED(WS_HANDSHAKE_REFUSE_BAD_METHOD, "POST /web HTTP/1.1", H_HOST,
	    H_UPG, H_CONN, H_KEY, H_VER);
	REFUSED(WS_HANDSHAKE_REFUSE_BAD_METHOD, "get /web HTTP/1.1", H_HOST,
	    H_UPG, H_CONN, H_KEY, H_VER);
	ck_assert_int_eq(ws_handshake_refusal_status(
	    WS_HANDSHAKE_REFUSE_BAD_METHOD), 405);
}
END_TEST

START_TEST(test_bad_request_line)
{
	BAD("GET /web HTTP/1.0", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("POST /web HTTP/1.0", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET /web http/1.1", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET /web HTTP/2.0", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET /web", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET  /web HTTP/1.1", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET /web HTTP/1.1 ", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET /a b HTTP/1.1", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("HELLO", H_HOST);
	BAD("G(T /web HTTP/1.1", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET http://h/web HTTP/1.1", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET * HTTP/1.1", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET /web#frag HTTP/1.1", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	BAD("GET /caf\xc3\xa9 HTTP/1.1", H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
	/* An empty line before the request line is not skipped. */
	ck_assert_int_eq(refused("\r\n" GET "\r\n" H_HOST "\r\n\r\n"),
	    WS_HANDSHAKE_REFUSE_BAD_REQUEST);
	ck_assert_int_eq(refused("\r\n\r\n"), WS_HANDSHAKE_REFUSE_BAD_REQUEST);
}
END_TEST

START_TEST(test_path_and_query)
{
	struct ws_handshake hs;

	ck_assert_int_eq(parse_str(&hs, head("GET /web? HTTP/1.1", H_HOST,
	    H_UPG, H_CONN, H_KEY, H_VER, NULL)), WS_HANDSHAKE_DONE);
	span_is(&hs.request.path, "/web");
	span_is(&hs.request.query, "");
	ck_assert_int_eq(parse_str(&hs, head("GET /a/%7e?b?c HTTP/1.1", H_HOST,
	    H_UPG, H_CONN, H_KEY, H_VER, NULL)), WS_HANDSHAKE_DONE);
	span_is(&hs.request.path, "/a/%7e");
	span_is(&hs.request.query, "b?c");
}
END_TEST

/* --- header syntax ------------------------------------------------------- */

START_TEST(test_control_chars)
{
	static const char *const bad[] = {
		"X-A: a\001b", "X-A: a\177b", "X-A: a\033b", "X-\001: v",
	};
	size_t	 i;
	char	 nul[256];
	size_t	 len;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, bad[i]);
	/* A NUL cannot go through the string helpers: splice it in. */
	head(GET, "Host: aXb", H_UPG, H_CONN, H_KEY, H_VER, NULL);
	len = strlen(reqbuf);
	memcpy(nul, reqbuf, len);
	*(char *)memchr(nul, 'X', len) = '\0';
	{
		struct ws_handshake a, b;

		ws_handshake_init(&a, NULL);
		ck_assert_int_eq(parse_n(&a, nul, len), WS_HANDSHAKE_FAIL);
		ck_assert_int_eq(feed_bytewise(&b, nul, len),
		    WS_HANDSHAKE_FAIL);
		ck_assert_int_eq(a.refusal, WS_HANDSHAKE_REFUSE_BAD_REQUEST);
		ck_assert_int_eq(b.refusal, WS_HANDSHAKE_REFUSE_BAD_REQUEST);
	}
}
END_TEST

START_TEST(test_obs_fold)
{
	BAD(GET, H_HOST, "X-A: one", " two", H_UPG, H_CONN, H_KEY, H_VER);
	BAD(GET, H_HOST, "X-A: one", "\ttwo", H_UPG, H_CONN, H_KEY, H_VER);
	BAD(GET, " " H_HOST, H_UPG, H_CONN, H_KEY, H_VER);
}
END_TEST

/* Bare LF and bare CR are refused, and as soon as they arrive. */
START_TEST(test_bare_lf_cr)
{
	struct ws_handshake hs;
	const char *lf = "GET /web HTTP/1.1\nHost: h\n\n";
	const char *cr = "GET /web HTTP/1.1\rHost: h\r\n\r\n";

	ck_assert_int_eq(refused(lf), WS_HANDSHAKE_REFUSE_BAD_REQUEST);
	ck_assert_int_eq(refused(cr), WS_HANDSHAKE_REFUSE_BAD_REQUEST);
	ws_handshake_init(&hs, NULL);
	ck_assert_int_eq(parse_n(&hs, lf, 18), WS_HANDSHAKE_FAIL);
	ck_assert_str_eq(hs.detail, "bare LF in request head");
	ws_handshake_init(&hs, NULL);
	ck_assert_int_eq(parse_n(&hs, cr, 18), WS_HANDSHAKE_NEED_MORE);
	ck_assert_int_eq(parse_n(&hs, cr, 19), WS_HANDSHAKE_FAIL);
	ck_assert_str_eq(hs.detail, "bare CR in request head");
	BAD(GET, H_HOST, "X-A: a\rb", H_UPG, H_CONN, H_KEY, H_VER);
	ck_assert_int_eq(refused("GET /web HTTP/1.1\r\nHost: h\r\n\n"),
	    WS_HANDSHAKE_REFUSE_BAD_REQUEST);
}
END_TEST

START_TEST(test_bad_field_names)
{
	BAD(GET, "Host : h", H_UPG, H_CONN, H_KEY, H_VER);
	BAD(GET, H_HOST, "NoColon", H_UPG, H_CONN, H_KEY, H_VER);
	BAD(GET, H_HOST, ": empty name", H_UPG, H_CONN, H_KEY, H_VER);
	BAD(GET, H_HOST, "X(A): v", H_UPG, H_CONN, H_KEY, H_VER);
}
END_TEST

/* A body would be misread as frames. */
START_TEST(test_body_refused)
{
	BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, "Content-Length: 5");
	BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, "Content-Length: 00");
	BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER,
	    "Transfer-Encoding: chunked");
}
END_TEST

/* --- required fields ----------------------------------------------------- */

START_TEST(test_host)
{
	BAD(GET, H_UPG, H_CONN, H_KEY, H_VER);
	BAD(GET, "Host:", H_UPG, H_CONN, H_KEY, H_VER);
	BAD(GET, H_HOST, "host: other", H_UPG, H_CONN, H_KEY, H_VER);
	BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, "Origin: a", "Origin: b");
	BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, "Authorization: a",
	    "Authorization: b");
}
END_TEST

START_TEST(test_upgrade)
{
	enum ws_handshake_refusal r = WS_HANDSHAKE_REFUSE_NO_UPGRADE;

	REFUSED(r, GET, H_HOST, H_CONN, H_KEY, H_VER);
	REFUSED(r, GET, H_HOST, "Upgrade: h2c", H_CONN, H_KEY, H_VER);
	REFUSED(r, GET, H_HOST, "Upgrade: websocket2", H_CONN, H_KEY, H_VER);
	REFUSED(r, GET, H_HOST, "Upgrade:", H_CONN, H_KEY, H_VER);
	ck_assert_int_eq(ws_handshake_refusal_status(r), 426);
	ACCEPTED(GET, H_HOST, "Upgrade: h2c", "Upgrade: WebSocket", H_CONN,
	    H_KEY, H_VER);
}
END_TEST

START_TEST(test_connection)
{
	BAD(GET, H_HOST, H_UPG, H_KEY, H_VER);
	BAD(GET, H_HOST, H_UPG, "Connection: keep-alive", H_KEY, H_VER);
	BAD(GET, H_HOST, H_UPG, "Connection: upgrades", H_KEY, H_VER);
	BAD(GET, H_HOST, H_UPG, "Connection: keep-alive Upgrade", H_KEY, H_VER);
	ACCEPTED(GET, H_HOST, H_UPG, "Connection: keep-alive, Upgrade", H_KEY,
	    H_VER);
	ACCEPTED(GET, H_HOST, H_UPG, "Connection: ,,Upgrade,", H_KEY, H_VER);
}
END_TEST

START_TEST(test_version)
{
	enum ws_handshake_refusal r = WS_HANDSHAKE_REFUSE_BAD_VERSION;

	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_KEY);
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    "Sec-WebSocket-Version: 8");
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    "Sec-WebSocket-Version: 13, 8");
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    "Sec-WebSocket-Version: 013");
	BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, H_VER);
	ck_assert_int_eq(ws_handshake_refusal_status(r), 426);
}
END_TEST

START_TEST(test_key)
{
	enum ws_handshake_refusal r = WS_HANDSHAKE_REFUSE_BAD_KEY;

	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER);
	/* 15 and 17 bytes. */
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER,
	    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA");
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER,
	    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=");
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER,
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==dGhl");
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER,
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZ!==");
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER,
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=A");
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER,
	    "Sec-WebSocket-Key: dGhlIHNhbXBs ZSBub25jZQ=");
	/* Non-zero padding bits: not the canonical encoding. */
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER,
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==");
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER, "Sec-WebSocket-Key:");
	REFUSED(r, GET, H_HOST, H_UPG, H_CONN, H_VER, H_KEY,
	    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==");
	ck_assert_int_eq(ws_handshake_refusal_status(r), 400);
	ACCEPTED(GET, H_HOST, H_UPG, H_CONN, H_VER,
	    "Sec-WebSocket-Key: ++++//////++++//////+w==");
}
END_TEST

/* Of the 64 characters before "==", exactly the four with zero low bits
 * make a canonical 16-byte key. */
START_TEST(test_key_last_char)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	struct ws_handshake hs;
	char	 line[64];
	int	 i, valid = 0;

	for (i = 0; i < 64; i++) {
		snprintf(line, sizeof line,
		    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAA%c==", b64[i]);
		if (parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_VER, line,
		    NULL)) == WS_HANDSHAKE_DONE)
			valid++;
		else
			ck_assert_int_eq(hs.refusal,
			    WS_HANDSHAKE_REFUSE_BAD_KEY);
	}
	ck_assert_int_eq(valid, 4);
}
END_TEST

/* A failed parse stays failed however many more bytes arrive. */
START_TEST(test_failure_is_sticky)
{
	struct ws_handshake hs;
	const char *ok = head(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, NULL);

	ws_handshake_init(&hs, NULL);
	ck_assert_int_eq(ws_handshake_parse(&hs, "GET \001", 5),
	    WS_HANDSHAKE_FAIL);
	ck_assert_int_eq(ws_handshake_parse(&hs, ok, strlen(ok)),
	    WS_HANDSHAKE_FAIL);
}
END_TEST

/* --- helpers ------------------------------------------------------------- */

START_TEST(test_origin)
{
	static const char *const allow[] = {
		"https://app.example.com", "http://localhost:8000",
	};
	struct ws_handshake hs;

	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, "Origin: HTTPS://App.Example.COM", NULL)),
	    WS_HANDSHAKE_DONE);
	ck_assert_int_eq(ws_handshake_origin_allowed(&hs.request, allow, 2), 1);
	ck_assert_int_eq(ws_handshake_origin_allowed(&hs.request, allow, 0), 1);
	ck_assert_int_eq(ws_handshake_origin_allowed(&hs.request, allow + 1, 1),
	    0);
	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, "Origin: https://app.example.com.evil", NULL)),
	    WS_HANDSHAKE_DONE);
	ck_assert_int_eq(ws_handshake_origin_allowed(&hs.request, allow, 2), 0);
	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, "Origin: null", NULL)), WS_HANDSHAKE_DONE);
	ck_assert_int_eq(ws_handshake_origin_allowed(&hs.request, allow, 2), 0);
	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, NULL)), WS_HANDSHAKE_DONE);
	ck_assert_int_eq(ws_handshake_origin_allowed(&hs.request, allow, 2), 1);
	ck_assert_int_eq(
	    ws_handshake_refusal_status(WS_HANDSHAKE_REFUSE_ORIGIN), 403);
}
END_TEST

START_TEST(test_subprotocol)
{
	static const char *const server[] = { "v2.hotline", "v1.hotline" };
	struct ws_handshake hs;

	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, "Sec-WebSocket-Protocol: v1.hotline, v2.hotline", NULL)),
	    WS_HANDSHAKE_DONE);
	ck_assert_str_eq(ws_handshake_select_protocol(&hs.request, server, 2),
	    "v2.hotline");
	ck_assert_str_eq(ws_handshake_select_protocol(&hs.request, server + 1,
	    1), "v1.hotline");
	ck_assert_ptr_null(ws_handshake_select_protocol(&hs.request, server,
	    0));
	/* Split over two fields, with empty list elements. */
	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, "Sec-WebSocket-Protocol: chat, ,", "Sec-WebSocket-Protocol: "
	    "v1.hotline", NULL)), WS_HANDSHAKE_DONE);
	ck_assert_uint_eq(hs.request.nprotocols, 2);
	ck_assert_str_eq(ws_handshake_select_protocol(&hs.request, server, 2),
	    "v1.hotline");
	/* Names compare exactly. */
	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, "Sec-WebSocket-Protocol: V2.hotline", NULL)),
	    WS_HANDSHAKE_DONE);
	ck_assert_ptr_null(ws_handshake_select_protocol(&hs.request, server,
	    2));
	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, NULL)), WS_HANDSHAKE_DONE);
	ck_assert_ptr_null(ws_handshake_select_protocol(&hs.request, server,
	    2));
	BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER,
	    "Sec-WebSocket-Protocol: a b");
	BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER,
	    "Sec-WebSocket-Protocol: a/b");
}
END_TEST

START_TEST(test_too_many_protocol_fields)
{
	const char *p = "Sec-WebSocket-Protocol: a";

	ACCEPTED(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, p, p, p, p, p, p, p,
	    p);
	BAD(GET, H_HOST, H_UPG, H_CONN, H_KEY, H_VER, p, p, p, p, p, p, p, p,
	    p);
}
END_TEST

/* The query of "GET /web?<query> HTTP/1.1", parsed into hs. */
static void
with_query(struct ws_handshake *hs, const char *query)
{
	static char line[512];

	snprintf(line, sizeof line, "GET /web?%s HTTP/1.1", query);
	ck_assert_int_eq(parse_str(hs, head(line, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, NULL)), WS_HANDSHAKE_DONE);
}

START_TEST(test_query_param)
{
	struct ws_handshake hs;
	char	 out[16];

	with_query(&hs, "a=1&token=abc&b=2");
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out,
	    sizeof out), 3);
	ck_assert_str_eq(out, "abc");
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "tok", out,
	    sizeof out), WS_HANDSHAKE_QUERY_ABSENT);
	ck_assert_str_eq(out, "");
	with_query(&hs, "xtoken=1&token=a%2Bb%20c+d%2f&token=second");
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out,
	    sizeof out), 8);
	ck_assert_str_eq(out, "a+b c d/");
	with_query(&hs, "token&x=1");
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out,
	    sizeof out), 0);
	with_query(&hs, "x=1&token=");
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out,
	    sizeof out), 0);
	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, NULL)), WS_HANDSHAKE_DONE);
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out,
	    sizeof out), WS_HANDSHAKE_QUERY_ABSENT);
	with_query(&hs, "");
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out,
	    sizeof out), WS_HANDSHAKE_QUERY_ABSENT);
}
END_TEST

START_TEST(test_query_bad_escape)
{
	static const char *const bad[] = {
		"token=%", "token=a%2", "token=%G1", "token=%1G", "token=%00",
		"token=ab%", "token=%%41",
	};
	struct ws_handshake hs;
	char	 out[16];
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		with_query(&hs, bad[i]);
		memset(out, 'z', sizeof out);
		ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token",
		    out, sizeof out), WS_HANDSHAKE_QUERY_INVALID);
		ck_assert_str_eq(out, "");
	}
}
END_TEST

/* A query ending in a cut escape, in an exact-size buffer: ASan builds
 * catch a read past it. */
START_TEST(test_query_cut_escape)
{
	static const char *const cut[] = { "token=%4", "token=%", "token=a%" };
	struct ws_handshake_request req;
	char	 out[16], *q;
	size_t	 i, len;

	for (i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		len = strlen(cut[i]);
		q = malloc(len);
		ck_assert_ptr_nonnull(q);
		memcpy(q, cut[i], len);
		memset(&req, 0, sizeof req);
		req.query.ptr = q;
		req.query.len = len;
		ck_assert_int_eq(ws_handshake_query_param(&req, "token", out,
		    sizeof out), WS_HANDSHAKE_QUERY_INVALID);
		free(q);
	}
}
END_TEST

START_TEST(test_query_overflow)
{
	struct ws_handshake hs;
	char	 out[8];

	with_query(&hs, "token=1234567");	/* 7 + NUL fits exactly */
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out,
	    sizeof out), 7);
	ck_assert_str_eq(out, "1234567");
	with_query(&hs, "token=12345678");
	memset(out, 'z', sizeof out);
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out,
	    sizeof out), WS_HANDSHAKE_QUERY_TOO_LONG);
	ck_assert_str_eq(out, "");
	/* Measured after decoding: 21 raw bytes are 7 decoded. */
	with_query(&hs, "token=%41%41%41%41%41%41%41");
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out,
	    sizeof out), 7);
	ck_assert_str_eq(out, "AAAAAAA");
	ck_assert_int_eq(ws_handshake_query_param(&hs.request, "token", out, 0),
	    WS_HANDSHAKE_QUERY_TOO_LONG);
}
END_TEST

/* --- responses ----------------------------------------------------------- */

START_TEST(test_response_101)
{
	static const char expect[] = "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"
	    "\r\n";
	static const char expect_proto[] =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"
	    "Sec-WebSocket-Protocol: chat\r\n"
	    "\r\n";
	struct ws_handshake hs;
	char	 out[256];
	size_t	 len = sizeof expect - 1;

	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    H_VER, NULL)), WS_HANDSHAKE_DONE);
	ck_assert_int_eq(ws_handshake_response_101(&hs.request, NULL, out,
	    sizeof out), (ssize_t)len);
	ck_assert(memcmp(out, expect, len) == 0);
	ck_assert_int_eq(ws_handshake_response_101(&hs.request, NULL, out, len),
	    (ssize_t)len);
	ck_assert_int_eq(ws_handshake_response_101(&hs.request, NULL, out,
	    len - 1), -1);
	len = sizeof expect_proto - 1;
	ck_assert_int_eq(ws_handshake_response_101(&hs.request, "chat", out,
	    sizeof out), (ssize_t)len);
	ck_assert(memcmp(out, expect_proto, len) == 0);
	ck_assert_int_eq(ws_handshake_response_101(&hs.request, "a\r\nX: y",
	    out, sizeof out), -1);
}
END_TEST

START_TEST(test_response_426)
{
	static const char expect[] = "HTTP/1.1 426 Upgrade Required\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 33\r\n"
	    "Connection: close\r\n"
	    "Upgrade: websocket\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "\r\n"
	    "Sec-WebSocket-Version must be 13\n";
	struct ws_handshake hs;
	char	 out[512];
	size_t	 len = sizeof expect - 1;

	ck_assert_int_eq(parse_str(&hs, head(GET, H_HOST, H_UPG, H_CONN, H_KEY,
	    "Sec-WebSocket-Version: 8", NULL)), WS_HANDSHAKE_FAIL);
	ck_assert_int_eq(ws_handshake_response_refuse(hs.refusal, hs.detail,
	    out, sizeof out), (ssize_t)len);
	ck_assert(memcmp(out, expect, len) == 0);
	ck_assert_int_eq(ws_handshake_response_refuse(hs.refusal, hs.detail,
	    out, len), (ssize_t)len);
	ck_assert_int_eq(ws_handshake_response_refuse(hs.refusal, hs.detail,
	    out, len - 1), -1);
}
END_TEST

START_TEST(test_response_refusals)
{
	static const char expect405[] = "HTTP/1.1 405 Method Not Allowed\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 19\r\n"
	    "Connection: close\r\n"
	    "Allow: GET\r\n"
	    "\r\n"
	    "Method Not Allowed\n";
	static const char expect403[] = "HTTP/1.1 403 Forbidden\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 19\r\n"
	    "Connection: close\r\n"
	    "\r\n"
	    "origin not allowed\n";
	char	 out[512];
	ssize_t	 n;

	n = ws_handshake_response_refuse(WS_HANDSHAKE_REFUSE_BAD_METHOD, NULL,
	    out, sizeof out);
	ck_assert_int_eq(n, (ssize_t)sizeof expect405 - 1);
	ck_assert(memcmp(out, expect405, (size_t)n) == 0);
	n = ws_handshake_response_refuse(WS_HANDSHAKE_REFUSE_ORIGIN,
	    "origin not allowed", out, sizeof out);
	ck_assert_int_eq(n, (ssize_t)sizeof expect403 - 1);
	ck_assert(memcmp(out, expect403, (size_t)n) == 0);
	n = ws_handshake_response_refuse(WS_HANDSHAKE_REFUSE_TOO_LARGE, NULL,
	    out, sizeof out);
	ck_assert_int_gt(n, 0);
	ck_assert(memcmp(out,
	    "HTTP/1.1 431 Request Header Fields Too Large\r\n", 46) == 0);
}
END_TEST

START_TEST(test_refusal_table)
{
	static const char *const names[] = {
		"none", "bad_request", "bad_method", "too_large", "no_upgrade",
		"bad_version", "bad_key", "origin", "not_found", "unauthorized",
		"timeout", "too_many",
	};
	static const int statuses[] = {
		500, 400, 405, 431, 426, 426, 400, 403, 404, 401, 408, 429,
	};
	int	 r;

	ck_assert_int_eq(WS_HANDSHAKE_REFUSE_COUNT,
	    (int)(sizeof names / sizeof names[0]));
	for (r = 0; r < WS_HANDSHAKE_REFUSE_COUNT; r++) {
		ck_assert_str_eq(ws_handshake_refusal_name(r), names[r]);
		ck_assert_int_eq(ws_handshake_refusal_status(r), statuses[r]);
		ck_assert_str_ne(ws_handshake_status_phrase(statuses[r]),
		    "Error");
	}
	ck_assert_str_eq(ws_handshake_refusal_name(WS_HANDSHAKE_REFUSE_COUNT),
	    "unknown");
	ck_assert_int_eq(ws_handshake_refusal_status(-1), 500);
	ck_assert_str_eq(ws_handshake_status_phrase(101),
	    "Switching Protocols");
	ck_assert_str_eq(ws_handshake_status_phrase(299), "Error");
}
END_TEST

static Suite *
ws_handshake_suite(void)
{
	Suite	*s = suite_create("ws_handshake");
	TCase	*parse = tcase_create("parse");
	TCase	*fields = tcase_create("fields");
	TCase	*helpers = tcase_create("helpers");
	TCase	*responses = tcase_create("responses");

	tcase_add_test(parse, test_rfc_example);
	tcase_add_test(parse, test_accept_value);
	tcase_add_test(parse, test_bytewise_same_as_one_shot);
	tcase_add_test(parse, test_bytes_after_head);
	tcase_add_test(parse, test_case_and_whitespace);
	tcase_add_test(parse, test_truncated);
	tcase_add_test(parse, test_too_large);
	tcase_add_test(parse, test_configured_limit);
	tcase_add_test(parse, test_too_many_headers);
	tcase_add_test(parse, test_bad_method);
	tcase_add_test(parse, test_bad_request_line);
	tcase_add_test(parse, test_path_and_query);
	tcase_add_test(parse, test_failure_is_sticky);
	tcase_add_test(fields, test_control_chars);
	tcase_add_test(fields, test_obs_fold);
	tcase_add_test(fields, test_bare_lf_cr);
	tcase_add_test(fields, test_bad_field_names);
	tcase_add_test(fields, test_body_refused);
	tcase_add_test(fields, test_host);
	tcase_add_test(fields, test_upgrade);
	tcase_add_test(fields, test_connection);
	tcase_add_test(fields, test_version);
	tcase_add_test(fields, test_key);
	tcase_add_test(fields, test_key_last_char);
	tcase_add_test(helpers, test_origin);
	tcase_add_test(helpers, test_subprotocol);
	tcase_add_test(helpers, test_too_many_protocol_fields);
	tcase_add_test(helpers, test_query_param);
	tcase_add_test(helpers, test_query_bad_escape);
	tcase_add_test(helpers, test_query_cut_escape);
	tcase_add_test(helpers, test_query_overflow);
	tcase_add_test(responses, test_response_101);
	tcase_add_test(responses, test_response_426);
	tcase_add_test(responses, test_response_refusals);
	tcase_add_test(responses, test_refusal_table);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, fields);
	suite_add_tcase(s, helpers);
	suite_add_tcase(s, responses);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(ws_handshake_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
