/* The request/response envelope: a zero-allocation scan of a request and
 * the serializers for replies and broadcasts. No sockets, no event base.
 *
 * Request:   {"pkg_id": int, "req_id": string, "method"?: string,
 *             "data"?: object}   (other top-level keys are ignored)
 * Response:  {"pkg_id":N,"req_id":R,"status_code":S,"meta"?:M,"data":D}
 * Broadcast: {"pkg_id":N,"req_id":R,"data":D}
 */
#ifndef HL_ENVELOPE_H
#define HL_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Status codes of the original service; the numbers are the wire values. */
enum envelope_status {
	ENVELOPE_OK = 0,
	ENVELOPE_ERROR = 1,
	ENVELOPE_INVALID_DATA = 2,
	ENVELOPE_PERMISSION_DENIED = 3,
};

/* Nesting bound of a request, counting the top-level object as 1. */
#define ENVELOPE_MAX_DEPTH	64
/* Bound on req_id: bytes between its quotes as sent (escapes not decoded). */
#define ENVELOPE_REQ_ID_MAX	256
/* Size of the error text kept in a request (longer text is truncated). */
#define ENVELOPE_ERROR_MAX	160

/* Why a scan failed; ENVELOPE_FAIL_NONE after a successful scan. */
enum envelope_fail {
	ENVELOPE_FAIL_NONE,
	ENVELOPE_FAIL_SYNTAX,	/* not JSON (RFC 8259): the text says where */
	ENVELOPE_FAIL_DEPTH,	/* valid so far but nested too deep */
	ENVELOPE_FAIL_FIELD,	/* valid JSON, but not a valid envelope */
};

/* A byte range inside the caller's message. ptr == NULL means absent. */
struct envelope_span {
	const char	*ptr;
	size_t		 len;
};

/*
 * The result of envelope_scan. Every span points into the message that was
 * scanned and is valid only as long as those bytes are; a reply sent later
 * (after the message buffer is reused) must copy req_id first, which is at
 * most ENVELOPE_REQ_ID_MAX + 2 bytes.
 *
 * On failure, has_pkg_id and req_id still hold whatever was complete and
 * valid before the failure (the first valid occurrence when a key
 * repeats), so the error reply can echo them; absent ones are written as
 * null.
 */
struct envelope_request {
	int32_t			 pkg_id;
	bool			 has_pkg_id;
	struct envelope_span	 req_id;	/* raw token, quotes included */
	struct envelope_span	 method;	/* raw token, quotes included */
	/* raw object bytes; absent or null in the request: ptr NULL */
	struct envelope_span	 data;
	enum envelope_fail	 fail;
	size_t			 fail_offset;	/* byte offset of a syntax/depth
						 * failure */
	char			 error[ENVELOPE_ERROR_MAX]; /* "" on success */
};

/*
 * Scan msg[0..len) (need not be NUL-terminated). Validates the whole text as
 * JSON and extracts the envelope fields; allocates nothing and recurses at
 * most ENVELOPE_MAX_DEPTH levels. Returns 0, or -1 with req->fail and
 * req->error set; the status of the error reply is ENVELOPE_INVALID_DATA.
 *
 * Deliberate choices:
 *  - pkg_id must be an integer token (no fraction, no exponent: 1.0 and 1e3
 *    are refused) within int32; -0 is 0; out-of-range values are refused
 *    without being converted.
 *  - "data": null and "method": null are treated as absent; data of any
 *    other non-object type is refused.
 *  - Repeating pkg_id, req_id, method or data is refused; other repeated
 *    keys are allowed and ignored (JSON permits them; tracking them would
 *    need memory).
 *  - Keys are compared after unescaping ("pkg\u005fid" is pkg_id).
 *  - \u escapes must form valid scalar values: a lone surrogate is refused
 *    (as jansson does), as is invalid UTF-8 anywhere in a string.
 *  - A syntax or depth failure anywhere wins over an envelope failure, so
 *    fail == SYNTAX exactly when the text is not JSON.
 */
int	 envelope_scan(const char *msg, size_t len,
	    struct envelope_request *req);

/*
 * Decode the JSON string token tok (quotes included, as in req_id or
 * method) into out[0..outsz), NUL-terminated; *outlen gets the decoded
 * length. The token must come from envelope_scan (it is not revalidated).
 * Returns -1 when the decoded text and its NUL do not fit.
 */
int	 envelope_unescape(const struct envelope_span *tok, char *out,
	    size_t outsz, size_t *outlen);

/*
 * Parse req->data into a new jansson tree (the caller owns the reference),
 * or return NULL with err filled when there is no data. No per-message
 * arena: json_set_alloc_funcs is process-global in jansson 2.14, and a
 * handler may keep a reference to part of the tree past the message (the
 * delay handler replies later), so resetting an arena at the end of the
 * message could free memory still in use, and every other jansson free in
 * the worker would pay a range check. Revisit with measurements.
 */
json_t	*envelope_data_load(const struct envelope_request *req,
	    json_error_t *err);

/*
 * An output buffer that starts on caller storage and moves to the heap only
 * if a reply outgrows it. `head` bytes are kept free in front of the JSON
 * text so a frame header can be written there without a copy.
 */
struct envelope_buf {
	char	*base;		/* storage: the caller's, then owned heap */
	size_t	 cap;		/* size of base */
	size_t	 head;		/* bytes reserved before the JSON text */
	size_t	 len;		/* bytes of JSON text after head */
	char	*owned;		/* heap storage to free, or NULL */
};

/* Start an empty buffer on storage[0..cap) (storage may be NULL when cap
 * is 0) keeping head bytes free in front. The storage must outlive b. */
void	 envelope_buf_init(struct envelope_buf *b, char *storage, size_t cap,
	    size_t head);
/* Forget the text, keep the storage (and any heap storage) for reuse. */
void	 envelope_buf_reset(struct envelope_buf *b);
/* Free any heap storage; b must be initialised again before reuse. */
void	 envelope_buf_free(struct envelope_buf *b);
/* The JSON text written so far: envelope_buf_text(b)[0..b->len). The
 * pointer is valid until the next write, reset or free. */
char	*envelope_buf_text(const struct envelope_buf *b);

/*
 * The reply identity: pkg_id and the raw req_id token to echo. Spans point
 * into caller memory that must live until the serializer returns.
 * has_pkg_id false or req_id.ptr NULL writes null.
 */
struct envelope_ids {
	int32_t			 pkg_id;
	bool			 has_pkg_id;
	struct envelope_span	 req_id;
};

/* The identity of a scanned request (spans into its message). */
struct envelope_ids envelope_ids_of(const struct envelope_request *req);

/*
 * Response with data copied verbatim from data (raw JSON bytes, never
 * parsed; data.ptr NULL writes null) and an optional raw meta value
 * (meta == NULL or meta->ptr NULL omits the key). The caller guarantees the
 * raw bytes are JSON. Appends to b; cannot fail (it may allocate only when b
 * outgrows its storage, and dies on OOM).
 */
void	 envelope_reply_raw(struct envelope_buf *b,
	    const struct envelope_ids *ids, enum envelope_status status,
	    const struct envelope_span *meta, struct envelope_span data);

/*
 * Response with data (and meta when not NULL) serialized compactly by
 * jansson with json_dumpb; data NULL writes null. Borrows both trees.
 * Returns -1 if jansson cannot serialize one of them (b is then left as
 * it was).
 */
int	 envelope_reply_json(struct envelope_buf *b,
	    const struct envelope_ids *ids, enum envelope_status status,
	    const json_t *meta, const json_t *data);

/* Error response {"pkg_id","req_id","status_code","data":{"message":M}};
 * message is escaped as a JSON string (invalid UTF-8 becomes U+FFFD). */
void	 envelope_reply_error(struct envelope_buf *b,
	    const struct envelope_ids *ids, enum envelope_status status,
	    const char *message);

/* Broadcast {"pkg_id","req_id","data"} with raw data bytes (as in
 * envelope_reply_raw). */
void	 envelope_broadcast_raw(struct envelope_buf *b,
	    const struct envelope_ids *ids, struct envelope_span data);

/* Broadcast with data serialized by jansson; -1 as in envelope_reply_json. */
int	 envelope_broadcast_json(struct envelope_buf *b,
	    const struct envelope_ids *ids, const json_t *data);

#endif
