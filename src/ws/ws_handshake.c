/* The HTTP/1.1 upgrade request (RFC 6455 §4.2, RFC 9112): find the end of
 * the head in bytes the caller accumulates, validate it, answer with a 101
 * or a refusal. No sockets and no allocation. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/util.h"
#include "ws/ws_handshake.h"

#define WS_HANDSHAKE_GUID	"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_HANDSHAKE_KEY_LEN	24	/* base64 of a 16-byte nonce */
#define WS_HANDSHAKE_KEY_MAX	64	/* longest key for _accept() */

/* A refusal's label for metrics, its status and the headers it implies. */
struct ws_handshake_refusal_row {
	const char	*name;
	int		 status;
	const char	*headers;
};

static const struct ws_handshake_refusal_row ws_handshake_refusals[] = {
	[WS_HANDSHAKE_REFUSE_NONE] = { "none", 500, "" },
	[WS_HANDSHAKE_REFUSE_BAD_REQUEST] = { "bad_request", 400, "" },
	[WS_HANDSHAKE_REFUSE_BAD_METHOD] = { "bad_method", 405,
	    "Allow: GET\r\n" },
	[WS_HANDSHAKE_REFUSE_TOO_LARGE] = { "too_large", 431, "" },
	[WS_HANDSHAKE_REFUSE_NO_UPGRADE] = { "no_upgrade", 426,
	    "Upgrade: websocket\r\n" },
	[WS_HANDSHAKE_REFUSE_BAD_VERSION] = { "bad_version", 426,
	    "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" },
	[WS_HANDSHAKE_REFUSE_BAD_KEY] = { "bad_key", 400, "" },
	[WS_HANDSHAKE_REFUSE_ORIGIN] = { "origin", 403, "" },
	[WS_HANDSHAKE_REFUSE_NOT_FOUND] = { "not_found", 404, "" },
	[WS_HANDSHAKE_REFUSE_UNAUTHORIZED] = { "unauthorized", 401, "" },
	[WS_HANDSHAKE_REFUSE_TIMEOUT] = { "timeout", 408, "" },
	[WS_HANDSHAKE_REFUSE_TOO_MANY] = { "too_many", 429, "" },
};

/* The one status → reason phrase table (RFC 9110 §15, RFC 6585 §5). */
static const struct {
	int		 status;
	const char	*phrase;
} ws_handshake_phrases[] = {
	{ 101, "Switching Protocols" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 426, "Upgrade Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
};

/* Accumulated while the header fields are read. */
struct ws_handshake_ctx {
	struct ws_handshake *hs;
	int		 upgrade;	/* Upgrade listed websocket */
	int		 connection;	/* Connection listed upgrade */
	int		 version;	/* Sec-WebSocket-Version fields seen */
	unsigned	 nfields;
};

typedef int (*ws_handshake_field_fn)(struct ws_handshake_ctx *,
    const struct ws_handshake_span *, size_t);

static int ws_handshake_field_once(struct ws_handshake_ctx *,
    const struct ws_handshake_span *, size_t);
static int ws_handshake_field_key(struct ws_handshake_ctx *,
    const struct ws_handshake_span *, size_t);
static int ws_handshake_field_version(struct ws_handshake_ctx *,
    const struct ws_handshake_span *, size_t);
static int ws_handshake_field_upgrade(struct ws_handshake_ctx *,
    const struct ws_handshake_span *, size_t);
static int ws_handshake_field_connection(struct ws_handshake_ctx *,
    const struct ws_handshake_span *, size_t);
static int ws_handshake_field_protocol(struct ws_handshake_ctx *,
    const struct ws_handshake_span *, size_t);
static int ws_handshake_field_length(struct ws_handshake_ctx *,
    const struct ws_handshake_span *, size_t);
static int ws_handshake_field_body(struct ws_handshake_ctx *,
    const struct ws_handshake_span *, size_t);

#define WS_HANDSHAKE_AT(f) offsetof(struct ws_handshake_request, f)

/* The header fields the handshake reads; all others are ignored. */
static const struct {
	const char		*name;
	ws_handshake_field_fn	 fn;
	size_t			 offset;	/* span captured, for _once */
} ws_handshake_fields[] = {
	{ "Host", ws_handshake_field_once, WS_HANDSHAKE_AT(host) },
	{ "Origin", ws_handshake_field_once, WS_HANDSHAKE_AT(origin) },
	{ "Authorization", ws_handshake_field_once,
	    WS_HANDSHAKE_AT(authorization) },
	{ "Sec-WebSocket-Key", ws_handshake_field_key, WS_HANDSHAKE_AT(key) },
	{ "Sec-WebSocket-Version", ws_handshake_field_version, 0 },
	{ "Sec-WebSocket-Protocol", ws_handshake_field_protocol, 0 },
	{ "Upgrade", ws_handshake_field_upgrade, 0 },
	{ "Connection", ws_handshake_field_connection, 0 },
	{ "Content-Length", ws_handshake_field_length, 0 },
	{ "Transfer-Encoding", ws_handshake_field_body, 0 },
};

/* --- characters and spans ------------------------------------------------ */

static int
ws_handshake_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* RFC 9110 tchar. */
static int
ws_handshake_is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
ws_handshake_is_token(const struct ws_handshake_span *s)
{
	size_t	 i;

	for (i = 0; i < s->len; i++) {
		if (!ws_handshake_is_tchar((unsigned char)s->ptr[i]))
			return 0;
	}
	return s->len > 0;
}

/* Case-insensitive (ASCII only, whatever the locale) span == text. */
static int
ws_handshake_span_ieq(const struct ws_handshake_span *s, const char *text)
{
	size_t	 i;

	if (strlen(text) != s->len)
		return 0;
	for (i = 0; i < s->len; i++) {
		if (ws_handshake_lower((unsigned char)s->ptr[i]) !=
		    ws_handshake_lower((unsigned char)text[i]))
			return 0;
	}
	return 1;
}

static int
ws_handshake_span_eq(const struct ws_handshake_span *s, const char *text)
{
	return strlen(text) == s->len && memcmp(s->ptr, text, s->len) == 0;
}

/* Drop optional whitespace (SP, HTAB) from both ends. */
static struct ws_handshake_span
ws_handshake_trim(const char *p, const char *end)
{
	struct ws_handshake_span s;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	s.ptr = p;
	s.len = (size_t)(end - p);
	return s;
}

/* Next non-empty element of a comma list (RFC 9110 §5.6.1) starting at *p;
 * returns 0 at the end of the list. */
static int
ws_handshake_list_next(const char **p, const char *end,
    struct ws_handshake_span *elem)
{
	const char	*comma;

	while (*p < end) {
		comma = memchr(*p, ',', (size_t)(end - *p));
		if (comma == NULL)
			comma = end;
		*elem = ws_handshake_trim(*p, comma);
		*p = comma < end ? comma + 1 : end;
		if (elem->len > 0)
			return 1;
	}
	return 0;
}

/* Whether a comma list holds token, compared case-insensitively. */
static int
ws_handshake_list_has(const struct ws_handshake_span *list, const char *token)
{
	const char	*p = list->ptr, *end = list->ptr + list->len;
	struct ws_handshake_span elem;

	while (ws_handshake_list_next(&p, end, &elem)) {
		if (ws_handshake_span_ieq(&elem, token))
			return 1;
	}
	return 0;
}

/* --- refusal ------------------------------------------------------------- */

/* Record why the request is refused; returns -1 for the caller to pass on. */
static int
ws_handshake_fail(struct ws_handshake *hs, enum ws_handshake_refusal refusal,
    const char *detail)
{
	hs->refusal = refusal;
	hs->detail = detail;
	return -1;
}

static int
ws_handshake_bad(struct ws_handshake *hs, const char *detail)
{
	return ws_handshake_fail(hs, WS_HANDSHAKE_REFUSE_BAD_REQUEST, detail);
}

/* --- header fields ------------------------------------------------------- */

/* A field that may appear once, captured at offset in the request. */
static int
ws_handshake_field_once(struct ws_handshake_ctx *ctx,
    const struct ws_handshake_span *value, size_t offset)
{
	struct ws_handshake_span *slot;

	slot = (struct ws_handshake_span *)(void *)
	    ((char *)&ctx->hs->request + offset);
	if (slot->ptr != NULL)
		return ws_handshake_bad(ctx->hs, "repeated header field");
	*slot = *value;
	return 0;
}

/* A key must be the canonical base64 of 16 bytes: 21 free characters, one
 * whose low four bits are zero, then "==". */
static int
ws_handshake_key_valid(const struct ws_handshake_span *key)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t	 i;

	if (key->len != WS_HANDSHAKE_KEY_LEN)
		return 0;
	for (i = 0; i < 21; i++) {
		if (key->ptr[i] == '\0' ||
		    strchr(alphabet, key->ptr[i]) == NULL)
			return 0;
	}
	return key->ptr[21] != '\0' && strchr("AQgw", key->ptr[21]) != NULL &&
	    key->ptr[22] == '=' && key->ptr[23] == '=';
}

static int
ws_handshake_field_key(struct ws_handshake_ctx *ctx,
    const struct ws_handshake_span *value, size_t offset)
{
	struct ws_handshake *hs = ctx->hs;

	if (hs->request.key.ptr != NULL)
		return ws_handshake_fail(hs, WS_HANDSHAKE_REFUSE_BAD_KEY,
		    "repeated Sec-WebSocket-Key");
	if (!ws_handshake_key_valid(value))
		return ws_handshake_fail(hs, WS_HANDSHAKE_REFUSE_BAD_KEY,
		    "Sec-WebSocket-Key is not base64 of 16 bytes");
	hs->request.key = *value;
	return 0;
}

static int
ws_handshake_field_version(struct ws_handshake_ctx *ctx,
    const struct ws_handshake_span *value, size_t offset)
{
	if (ctx->version++ > 0)
		return ws_handshake_bad(ctx->hs,
		    "repeated Sec-WebSocket-Version");
	if (!ws_handshake_span_eq(value, "13"))
		return ws_handshake_fail(ctx->hs,
		    WS_HANDSHAKE_REFUSE_BAD_VERSION,
		    "Sec-WebSocket-Version must be 13");
	return 0;
}

static int
ws_handshake_field_upgrade(struct ws_handshake_ctx *ctx,
    const struct ws_handshake_span *value, size_t offset)
{
	if (ws_handshake_list_has(value, "websocket"))
		ctx->upgrade = 1;
	return 0;
}

static int
ws_handshake_field_connection(struct ws_handshake_ctx *ctx,
    const struct ws_handshake_span *value, size_t offset)
{
	if (ws_handshake_list_has(value, "upgrade"))
		ctx->connection = 1;
	return 0;
}

/* Keep each Sec-WebSocket-Protocol field, checked to be a list of tokens. */
static int
ws_handshake_field_protocol(struct ws_handshake_ctx *ctx,
    const struct ws_handshake_span *value, size_t offset)
{
	struct ws_handshake_request *req = &ctx->hs->request;
	const char	*p = value->ptr, *end = value->ptr + value->len;
	struct ws_handshake_span elem;

	while (ws_handshake_list_next(&p, end, &elem)) {
		if (!ws_handshake_is_token(&elem))
			return ws_handshake_bad(ctx->hs,
			    "Sec-WebSocket-Protocol is not a list of tokens");
	}
	if (req->nprotocols == WS_HANDSHAKE_MAX_PROTOCOL_FIELDS)
		return ws_handshake_bad(ctx->hs,
		    "too many Sec-WebSocket-Protocol fields");
	req->protocols[req->nprotocols++] = *value;
	return 0;
}

/* Bytes after the head are frames, so a request body cannot be allowed. */
static int
ws_handshake_field_length(struct ws_handshake_ctx *ctx,
    const struct ws_handshake_span *value, size_t offset)
{
	if (!ws_handshake_span_eq(value, "0"))
		return ws_handshake_field_body(ctx, value, offset);
	return 0;
}

static int
ws_handshake_field_body(struct ws_handshake_ctx *ctx,
    const struct ws_handshake_span *value, size_t offset)
{
	return ws_handshake_bad(ctx->hs, "a request body is not allowed");
}

/* Split "name: value" and hand the value to the field's row, if any. */
static int
ws_handshake_header(struct ws_handshake_ctx *ctx, const char *line,
    const char *end)
{
	struct ws_handshake_span name, value;
	const char	*colon;
	size_t		 i;

	if (++ctx->nfields > ctx->hs->limits.max_headers)
		return ws_handshake_fail(ctx->hs, WS_HANDSHAKE_REFUSE_TOO_LARGE,
		    "too many header fields");
	if (*line == ' ' || *line == '\t')
		return ws_handshake_bad(ctx->hs, "obsolete line folding");
	colon = memchr(line, ':', (size_t)(end - line));
	if (colon == NULL)
		return ws_handshake_bad(ctx->hs, "header line without a colon");
	name.ptr = line;
	name.len = (size_t)(colon - line);
	if (!ws_handshake_is_token(&name))
		return ws_handshake_bad(ctx->hs, "invalid header field name");
	value = ws_handshake_trim(colon + 1, end);
	for (i = 0; i < HL_ARRAY_LEN(ws_handshake_fields); i++) {
		if (ws_handshake_span_ieq(&name, ws_handshake_fields[i].name))
			return ws_handshake_fields[i].fn(ctx, &value,
			    ws_handshake_fields[i].offset);
	}
	return 0;
}

/* --- request line -------------------------------------------------------- */

/* origin-form only: "/" then visible ASCII without '#'; split off "?query". */
static int
ws_handshake_target(struct ws_handshake *hs, const char *p, const char *end)
{
	struct ws_handshake_request *req = &hs->request;
	const char	*q;
	unsigned char	 c;

	if (p == end || *p != '/')
		return ws_handshake_bad(hs, "request target must start with /");
	for (q = p; q < end; q++) {
		c = (unsigned char)*q;
		if (c <= ' ' || c >= 0x7f || c == '#')
			return ws_handshake_bad(hs,
			    "invalid character in request target");
	}
	q = memchr(p, '?', (size_t)(end - p));
	req->path.ptr = p;
	req->path.len = (size_t)((q != NULL ? q : end) - p);
	if (q != NULL) {
		req->query.ptr = q + 1;
		req->query.len = (size_t)(end - q - 1);
	}
	return 0;
}

/* "GET SP target SP HTTP/1.1", single spaces; the version is checked before
 * the method so that garbage is a 400 rather than a 405. */
static int
ws_handshake_request_line(struct ws_handshake *hs, const char *line,
    const char *end)
{
	const char	*sp1, *sp2;
	struct ws_handshake_span method, version;

	sp1 = memchr(line, ' ', (size_t)(end - line));
	if (sp1 == NULL)
		return ws_handshake_bad(hs, "malformed request line");
	sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
	if (sp2 == NULL || memchr(sp2 + 1, ' ', (size_t)(end - sp2 - 1)))
		return ws_handshake_bad(hs, "malformed request line");
	method.ptr = line;
	method.len = (size_t)(sp1 - line);
	version.ptr = sp2 + 1;
	version.len = (size_t)(end - sp2 - 1);
	if (!ws_handshake_is_token(&method))
		return ws_handshake_bad(hs, "malformed request line");
	if (!ws_handshake_span_eq(&version, "HTTP/1.1"))
		return ws_handshake_bad(hs, "HTTP/1.1 required");
	if (!ws_handshake_span_eq(&method, "GET"))
		return ws_handshake_fail(hs, WS_HANDSHAKE_REFUSE_BAD_METHOD,
		    "only GET can upgrade");
	return ws_handshake_target(hs, sp1 + 1, sp2);
}

/* --- the head ------------------------------------------------------------ */

/* Search buf[hs->scanned..len) for CRLF CRLF, refusing bare CR, bare LF and
 * control characters on the way. Returns the head's length, 0 if more bytes
 * are needed, or -1. Only the new bytes are read on each call. */
static ssize_t
ws_handshake_scan(struct ws_handshake *hs, const char *buf, size_t len)
{
	size_t		 i, stop = HL_MIN(len, hs->limits.max_bytes);
	unsigned char	 c;

	for (i = hs->scanned; i < stop; i++) {
		c = (unsigned char)buf[i];
		if (i > 0 && buf[i - 1] == '\r' && c != '\n')
			return ws_handshake_bad(hs, "bare CR in request head");
		if (c == '\n' && (i == 0 || buf[i - 1] != '\r'))
			return ws_handshake_bad(hs, "bare LF in request head");
		if (c == '\n' && i >= 3 && buf[i - 2] == '\n')
			return (ssize_t)(i + 1);
		if ((c < ' ' && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			return ws_handshake_bad(hs,
			    "control character in request head");
	}
	hs->scanned = stop;
	if (stop == hs->limits.max_bytes)
		return ws_handshake_fail(hs, WS_HANDSHAKE_REFUSE_TOO_LARGE,
		    "request head too large");
	return 0;
}

/* Fields every upgrade needs, checked once all are read. */
static int
ws_handshake_required(struct ws_handshake_ctx *ctx)
{
	struct ws_handshake *hs = ctx->hs;

	if (hs->request.host.ptr == NULL || hs->request.host.len == 0)
		return ws_handshake_bad(hs, "missing or empty Host");
	if (!ctx->upgrade)
		return ws_handshake_fail(hs, WS_HANDSHAKE_REFUSE_NO_UPGRADE,
		    "Upgrade: websocket required");
	if (!ctx->connection)
		return ws_handshake_bad(hs, "Connection: Upgrade required");
	if (ctx->version == 0)
		return ws_handshake_fail(hs, WS_HANDSHAKE_REFUSE_BAD_VERSION,
		    "Sec-WebSocket-Version must be 13");
	if (hs->request.key.ptr == NULL)
		return ws_handshake_fail(hs, WS_HANDSHAKE_REFUSE_BAD_KEY,
		    "missing Sec-WebSocket-Key");
	return 0;
}

/* The CR ending the line at line; the scan proved every LF follows a CR. */
static const char *
ws_handshake_eol(const char *line, const char *end)
{
	const char	*lf = memchr(line, '\n', (size_t)(end - line));

	return lf - 1;
}

/* Validate a complete head of head_len bytes (every line ends in CRLF). */
static int
ws_handshake_head(struct ws_handshake *hs, const char *buf, size_t head_len)
{
	struct ws_handshake_ctx ctx = { .hs = hs };
	const char	*line = buf, *end = buf + head_len, *eol;

	eol = ws_handshake_eol(line, end);
	if (ws_handshake_request_line(hs, line, eol) == -1)
		return -1;
	for (line = eol + 2; line < end - 2; line = eol + 2) {
		eol = ws_handshake_eol(line, end);
		if (ws_handshake_header(&ctx, line, eol) == -1)
			return -1;
	}
	if (ws_handshake_required(&ctx) == -1)
		return -1;
	hs->request.head_len = head_len;
	return 0;
}

void
ws_handshake_init(struct ws_handshake *hs,
    const struct ws_handshake_limits *limits)
{
	memset(hs, 0, sizeof *hs);
	hs->limits.max_bytes = WS_HANDSHAKE_DEFAULT_MAX_BYTES;
	hs->limits.max_headers = WS_HANDSHAKE_DEFAULT_MAX_HEADERS;
	if (limits != NULL && limits->max_bytes > 0)
		hs->limits.max_bytes = limits->max_bytes;
	if (limits != NULL && limits->max_headers > 0)
		hs->limits.max_headers = limits->max_headers;
}

enum ws_handshake_result
ws_handshake_parse(struct ws_handshake *hs, const char *buf, size_t len)
{
	ssize_t	 head_len;

	if (hs->refusal != WS_HANDSHAKE_REFUSE_NONE)
		return WS_HANDSHAKE_FAIL;
	if (len < hs->scanned)
		hs->scanned = 0;	/* not append-only: start again */
	head_len = ws_handshake_scan(hs, buf, len);
	if (head_len == 0)
		return WS_HANDSHAKE_NEED_MORE;
	memset(&hs->request, 0, sizeof hs->request);
	if (head_len == -1 ||
	    ws_handshake_head(hs, buf, (size_t)head_len) == -1)
		return WS_HANDSHAKE_FAIL;
	return WS_HANDSHAKE_DONE;
}

/* --- tables -------------------------------------------------------------- */

static const struct ws_handshake_refusal_row *
ws_handshake_refusal_row(enum ws_handshake_refusal refusal)
{
	static const struct ws_handshake_refusal_row unknown =
	    { "unknown", 500, "" };

	if ((unsigned)refusal >= HL_ARRAY_LEN(ws_handshake_refusals))
		return &unknown;
	return &ws_handshake_refusals[refusal];
}

const char *
ws_handshake_refusal_name(enum ws_handshake_refusal refusal)
{
	return ws_handshake_refusal_row(refusal)->name;
}

int
ws_handshake_refusal_status(enum ws_handshake_refusal refusal)
{
	return ws_handshake_refusal_row(refusal)->status;
}

const char *
ws_handshake_status_phrase(int status)
{
	size_t	 i;

	for (i = 0; i < HL_ARRAY_LEN(ws_handshake_phrases); i++) {
		if (ws_handshake_phrases[i].status == status)
			return ws_handshake_phrases[i].phrase;
	}
	return "Error";
}

/* --- helpers for later layers -------------------------------------------- */

int
ws_handshake_accept(const char *key, size_t keylen,
    char out[WS_HANDSHAKE_ACCEPT_SIZE])
{
	unsigned char	 input[WS_HANDSHAKE_KEY_MAX + sizeof WS_HANDSHAKE_GUID];
	unsigned char	 digest[EVP_MAX_MD_SIZE];
	unsigned int	 dlen;
	size_t		 glen = sizeof WS_HANDSHAKE_GUID - 1;

	if (key == NULL || keylen > WS_HANDSHAKE_KEY_MAX)
		return -1;
	memcpy(input, key, keylen);
	memcpy(input + keylen, WS_HANDSHAKE_GUID, glen);
	if (!EVP_Digest(input, keylen + glen, digest, &dlen, EVP_sha1(), NULL)
	    || dlen != 20)
		return -1;
	EVP_EncodeBlock((unsigned char *)out, digest, (int)dlen);
	return 0;
}

int
ws_handshake_origin_allowed(const struct ws_handshake_request *req,
    const char *const *allowed, size_t nallowed)
{
	size_t	 i;

	if (nallowed == 0 || req->origin.ptr == NULL)
		return 1;
	for (i = 0; i < nallowed; i++) {
		if (ws_handshake_span_ieq(&req->origin, allowed[i]))
			return 1;
	}
	return 0;
}

/* Whether any of the client's Sec-WebSocket-Protocol fields lists name. */
static int
ws_handshake_offered(const struct ws_handshake_request *req, const char *name)
{
	const char	*p, *end;
	struct ws_handshake_span elem;
	unsigned	 i;

	for (i = 0; i < req->nprotocols; i++) {
		p = req->protocols[i].ptr;
		end = p + req->protocols[i].len;
		while (ws_handshake_list_next(&p, end, &elem)) {
			if (ws_handshake_span_eq(&elem, name))
				return 1;
		}
	}
	return 0;
}

const char *
ws_handshake_select_protocol(const struct ws_handshake_request *req,
    const char *const *server, size_t nserver)
{
	size_t	 i;

	for (i = 0; i < nserver; i++) {
		if (ws_handshake_offered(req, server[i]))
			return server[i];
	}
	return NULL;
}

/* Percent-decode v into out when out is not NULL; returns the decoded
 * length, or WS_HANDSHAKE_QUERY_INVALID. */
static ssize_t
ws_handshake_decode(const struct ws_handshake_span *v, char *out)
{
	size_t	 i, n = 0;
	int	 hi, lo, c;

	for (i = 0; i < v->len; i++, n++) {
		c = (unsigned char)v->ptr[i];
		if (c == '%') {
			if (i + 2 >= v->len)
				return WS_HANDSHAKE_QUERY_INVALID;
			hi = hl_hex_digit((unsigned char)v->ptr[i + 1]);
			lo = hl_hex_digit((unsigned char)v->ptr[i + 2]);
			if (hi < 0 || lo < 0 || (c = hi << 4 | lo) == 0)
				return WS_HANDSHAKE_QUERY_INVALID;
			i += 2;
		} else if (c == '+')
			c = ' ';
		if (out != NULL)
			out[n] = (char)c;
	}
	return (ssize_t)n;
}

/* The raw value of the first name=value pair in the query, if any. */
static int
ws_handshake_query_find(const struct ws_handshake_request *req,
    const char *name, struct ws_handshake_span *value)
{
	const char	*p = req->query.ptr, *end, *amp, *eq;
	struct ws_handshake_span key;

	if (p == NULL)
		return 0;
	end = p + req->query.len;
	for (;; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		key.ptr = p;
		key.len = (size_t)((eq != NULL ? eq : amp) - p);
		if (ws_handshake_span_eq(&key, name)) {
			value->ptr = eq != NULL ? eq + 1 : amp;
			value->len = (size_t)(amp - value->ptr);
			return 1;
		}
		if (amp == end)
			return 0;
	}
}

ssize_t
ws_handshake_query_param(const struct ws_handshake_request *req,
    const char *name, char *out, size_t size)
{
	struct ws_handshake_span value;
	ssize_t	 n;

	if (size > 0)
		out[0] = '\0';
	if (!ws_handshake_query_find(req, name, &value))
		return WS_HANDSHAKE_QUERY_ABSENT;
	n = ws_handshake_decode(&value, NULL);	/* measure before writing */
	if (n < 0)
		return n;
	if ((size_t)n >= size)
		return WS_HANDSHAKE_QUERY_TOO_LONG;
	ws_handshake_decode(&value, out);
	out[n] = '\0';
	return n;
}

/* --- responses ----------------------------------------------------------- */

/* A bounded writer: once something does not fit, it stays failed. */
struct ws_handshake_out {
	char		*buf;
	size_t		 size;
	size_t		 len;
	int		 overflow;
};

static void
ws_handshake_put(struct ws_handshake_out *o, const char *s)
{
	size_t	 n = strlen(s);

	if (o->overflow || n > o->size - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static ssize_t
ws_handshake_out_result(const struct ws_handshake_out *o)
{
	return o->overflow ? -1 : (ssize_t)o->len;
}

ssize_t
ws_handshake_response_101(const struct ws_handshake_request *req,
    const char *protocol, char *out, size_t size)
{
	struct ws_handshake_out o = { .buf = out, .size = size };
	struct ws_handshake_span proto;
	char		 accept[WS_HANDSHAKE_ACCEPT_SIZE];

	if (ws_handshake_accept(req->key.ptr, req->key.len, accept) == -1)
		return -1;
	ws_handshake_put(&o, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: ");
	ws_handshake_put(&o, accept);
	ws_handshake_put(&o, "\r\n");
	if (protocol != NULL) {
		proto.ptr = protocol;
		proto.len = strlen(protocol);
		if (!ws_handshake_is_token(&proto))
			return -1;	/* would break the header */
		ws_handshake_put(&o, "Sec-WebSocket-Protocol: ");
		ws_handshake_put(&o, protocol);
		ws_handshake_put(&o, "\r\n");
	}
	ws_handshake_put(&o, "\r\n");
	return ws_handshake_out_result(&o);
}

ssize_t
ws_handshake_response_refuse(enum ws_handshake_refusal refusal,
    const char *detail, char *out, size_t size)
{
	const struct ws_handshake_refusal_row *row;
	struct ws_handshake_out o = { .buf = out, .size = size };
	const char	*phrase;
	char		 line[96];

	row = ws_handshake_refusal_row(refusal);
	phrase = ws_handshake_status_phrase(row->status);
	if (detail == NULL)
		detail = phrase;
	snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\n", row->status, phrase);
	ws_handshake_put(&o, line);
	snprintf(line, sizeof line, "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n", strlen(detail) + 1);
	ws_handshake_put(&o, line);
	ws_handshake_put(&o, "Connection: close\r\n");
	ws_handshake_put(&o, row->headers);
	ws_handshake_put(&o, "\r\n");
	ws_handshake_put(&o, detail);
	ws_handshake_put(&o, "\n");
	return ws_handshake_out_result(&o);
}
