/* The HTTP/1.1 upgrade request of RFC 6455 §4: an incremental parser over
 * bytes the caller accumulates (never a socket), the refusal reasons, and
 * the 101 and refusal responses. Nothing here allocates.
 *
 * Ownership: every span in struct ws_handshake_request points into the buffer
 * passed to the ws_handshake_parse() call that returned WS_HANDSHAKE_DONE and
 * is valid only while that buffer is alive and unchanged. */
#ifndef HL_WS_HANDSHAKE_H
#define HL_WS_HANDSHAKE_H

#include <stddef.h>
#include <sys/types.h>

#define WS_HANDSHAKE_DEFAULT_MAX_BYTES		8192
#define WS_HANDSHAKE_DEFAULT_MAX_HEADERS	64
/* Sec-WebSocket-Protocol may repeat (RFC 6455 §11.3.4); more fields → 400. */
#define WS_HANDSHAKE_MAX_PROTOCOL_FIELDS	8
/* base64 of a SHA-1 digest (28 characters) and its NUL. */
#define WS_HANDSHAKE_ACCEPT_SIZE		29

/* What one ws_handshake_parse() call found. */
enum ws_handshake_result {
	WS_HANDSHAKE_NEED_MORE,	/* no end of head yet: append, call again */
	WS_HANDSHAKE_DONE,	/* a valid upgrade request; see hs->request */
	WS_HANDSHAKE_FAIL,	/* refuse it; see hs->refusal and hs->detail */
};

/* Why a handshake was refused; each maps to one HTTP status and one metric
 * label (ws_handshake_refusal_status(), ws_handshake_refusal_name()). The
 * parser produces the first six; the caller the rest. */
enum ws_handshake_refusal {
	WS_HANDSHAKE_REFUSE_NONE,
	WS_HANDSHAKE_REFUSE_BAD_REQUEST,	/* 400 bad_request */
	WS_HANDSHAKE_REFUSE_BAD_METHOD,		/* 405 bad_method, Allow: GET */
	WS_HANDSHAKE_REFUSE_TOO_LARGE,		/* 431 too_large */
	WS_HANDSHAKE_REFUSE_NO_UPGRADE,		/* 426 no_upgrade */
	WS_HANDSHAKE_REFUSE_BAD_VERSION,	/* 426 bad_version */
	WS_HANDSHAKE_REFUSE_BAD_KEY,		/* 400 bad_key */
	WS_HANDSHAKE_REFUSE_ORIGIN,		/* 403 origin */
	WS_HANDSHAKE_REFUSE_NOT_FOUND,		/* 404 not_found */
	WS_HANDSHAKE_REFUSE_UNAUTHORIZED,	/* 401 unauthorized */
	WS_HANDSHAKE_REFUSE_TIMEOUT,		/* 408 timeout */
	WS_HANDSHAKE_REFUSE_TOO_MANY,		/* 429 too_many */
	WS_HANDSHAKE_REFUSE_COUNT
};

/* Bytes inside the caller's buffer. ptr is NULL when the item was absent;
 * a present but empty item has a non-NULL ptr and len 0. */
struct ws_handshake_span {
	const char	*ptr;
	size_t		 len;
};

struct ws_handshake_limits {
	size_t		 max_bytes;	/* request line + headers + CRLF CRLF */
	unsigned	 max_headers;	/* fields, not the request line */
};

/* A valid upgrade request. The path is raw (not percent-decoded); the query
 * excludes its '?'; values have surrounding whitespace trimmed. */
struct ws_handshake_request {
	struct ws_handshake_span path;
	struct ws_handshake_span query;		/* absent without '?' */
	struct ws_handshake_span host;
	struct ws_handshake_span origin;
	struct ws_handshake_span authorization;
	struct ws_handshake_span key;		/* 24 base64 characters */
	/* Each Sec-WebSocket-Protocol field: a comma list of tokens. */
	struct ws_handshake_span protocols[WS_HANDSHAKE_MAX_PROTOCOL_FIELDS];
	unsigned	 nprotocols;
	/* Bytes of the request head, CRLF CRLF included. Bytes after it are
	 * the client's first frames and belong to the frame codec. */
	size_t		 head_len;
};

/* One connection's parse state. Plain data: no cleanup needed. */
struct ws_handshake {
	struct ws_handshake_limits limits;
	size_t		 scanned;	/* bytes already searched for the end */
	enum ws_handshake_refusal refusal;
	const char	*detail;	/* static text for the refusal body */
	struct ws_handshake_request request;
};

/* Start a parse; limits NULL (or a zero field) means the defaults. */
void	 ws_handshake_init(struct ws_handshake *hs,
	    const struct ws_handshake_limits *limits);

/* Parse the request bytes received so far. buf holds everything received on
 * the connection from its first byte; it may move between calls but must
 * begin with the same bytes each time (append only). Returns NEED_MORE,
 * DONE (hs->request filled, spans point into buf) or FAIL (hs->refusal and
 * the static hs->detail set; later calls keep returning FAIL).
 *
 * Deliberate strictness: a bare LF or bare CR anywhere in the head, a NUL
 * or other control character, obs-fold, whitespace before a colon, an
 * absolute-form target, a body (Content-Length other than 0, or
 * Transfer-Encoding) and repeated Host, Origin, Authorization,
 * Sec-WebSocket-Key or Sec-WebSocket-Version are all refused with 400.
 * Bare LF and CR fail as soon as they arrive rather than at the limit.
 * Sec-WebSocket-Extensions is ignored: hotline negotiates no extension, so
 * its 101 never names one. */
enum ws_handshake_result ws_handshake_parse(struct ws_handshake *hs,
	    const char *buf, size_t len);

/* The metric label ("bad_key", ...), the HTTP status and its reason phrase
 * ("Bad Request"); unknown values give "unknown", 500 and "Error". */
const char *ws_handshake_refusal_name(enum ws_handshake_refusal refusal);
int	 ws_handshake_refusal_status(enum ws_handshake_refusal refusal);
const char *ws_handshake_status_phrase(int status);

/* Write base64(SHA-1(key + RFC 6455 GUID)) and a NUL into out. Returns 0, or
 * -1 if key is NULL or longer than 64 bytes, or OpenSSL fails. */
int	 ws_handshake_accept(const char *key, size_t keylen,
	    char out[WS_HANDSHAKE_ACCEPT_SIZE]);

/* 1 if the request's Origin is in allowed (exact match, ASCII case folded,
 * so scheme and host compare case-insensitively), else 0. An empty list
 * allows all. A request without Origin is allowed: browsers, which the check
 * protects, always send one, and other clients can send anything. */
int	 ws_handshake_origin_allowed(const struct ws_handshake_request *req,
	    const char *const *allowed, size_t nallowed);

/* The first of the server's protocols (in its order of preference) that the
 * client offered, compared exactly; NULL when none matches. The result is
 * an element of server. */
const char *ws_handshake_select_protocol(
	    const struct ws_handshake_request *req,
	    const char *const *server, size_t nserver);

/* ws_handshake_query_param() results besides a length. */
#define WS_HANDSHAKE_QUERY_ABSENT	(-1)	/* no such parameter */
#define WS_HANDSHAKE_QUERY_INVALID	(-2)	/* bad %-escape, or %00 */
#define WS_HANDSHAKE_QUERY_TOO_LONG	(-3)	/* value + NUL exceeds size */

/* Find the first name=value in the query (name compared raw and exactly),
 * percent-decode value ('+' is a space, as in forms) into out and
 * NUL-terminate it. Returns the decoded length or one of the negative
 * results above; out holds no partial secret on failure (it is emptied). */
ssize_t	 ws_handshake_query_param(const struct ws_handshake_request *req,
	    const char *name, char *out, size_t size);

/* Write the 101 response for req into out, with Sec-WebSocket-Protocol when
 * protocol is not NULL. Returns its length, or -1 if size is too small or
 * the accept value cannot be computed. Not NUL-terminated. */
ssize_t	 ws_handshake_response_101(const struct ws_handshake_request *req,
	    const char *protocol, char *out, size_t size);

/* Write the refusal response into out: status line, text/plain body of
 * detail (or the reason phrase when NULL) and a newline, Connection: close,
 * and the headers the refusal implies (Allow, Upgrade,
 * Sec-WebSocket-Version). Returns its length, or -1 if size is too small.
 * Not NUL-terminated. */
ssize_t	 ws_handshake_response_refuse(enum ws_handshake_refusal refusal,
	    const char *detail, char *out, size_t size);

#endif
