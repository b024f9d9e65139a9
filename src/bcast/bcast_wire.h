/*
 * Broadcasts on Redis, as written and as read. A message is
 *
 *   hl1 <instance> <publish ns> <topic>\n<envelope>            (unsigned)
 *   hl2 <hmac> <instance> <publish ns> <topic>\n<envelope>     (signed)
 *
 * where <hmac> is the lowercase hex HMAC-SHA256, keyed by
 * redis_broadcast_secret, of everything after "hl2 <hmac> ". Anyone who
 * can PUBLISH on the channel is a stranger until proven otherwise: a
 * message read back is checked like a client's (its size, its topic, its
 * bytes as UTF-8, the envelope as JSON) and, with a secret, its signature,
 * before any subscriber sees it. No sockets, no event base.
 */
#ifndef HL_BCAST_WIRE_H
#define HL_BCAST_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define BWIRE_HEAD_MAX	(4 + 65 + 24 + 21 + 1024 + 2)	/* with a topic */
#define BWIRE_SECRET_MIN	32

/* Why a message read from Redis was dropped (ws_broadcast_errors_total's
 * reasons, in this order). */
enum bwire_verdict {
	BWIRE_OK = -1,
	BWIRE_MALFORMED = 0,	/* not hl1/hl2, or a bad header */
	BWIRE_UNSIGNED,		/* hl1 while a secret is set */
	BWIRE_BAD_SIGNATURE,	/* hl2 whose HMAC does not match */
	BWIRE_TOO_BIG,		/* envelope over broadcast_max_bytes */
	BWIRE_TOPIC,		/* empty, too long or control characters */
	BWIRE_UTF8,		/* envelope is not UTF-8 */
	BWIRE_JSON,		/* not {"pkg_id": ours, "req_id": string,
				 * "data": ...} */
	BWIRE_STALE,		/* signed, but published too long ago or in
				 * the future (redis_broadcast_max_age) */
	BWIRE_NVERDICTS
};

/* A message taken apart: spans into the payload it was parsed from. */
struct bwire_msg {
	const char	*instance;
	size_t		 ilen;
	uint64_t	 pub_ns;
	const char	*topic;
	size_t		 tlen;
	const char	*envelope;
	size_t		 elen;
};

/* What a message must meet besides its signature. */
struct bwire_limits {
	size_t		 max_bytes;	/* broadcast_max_bytes */
	size_t		 max_topic;	/* broadcast_max_topic_bytes */
	int32_t		 pkg_id;	/* broadcast_pkg_id */
};

/* Master, before the first fork: the secret (copied; len 0: none) and
 * the HMAC it needs. 0, or -1 with a reason in err (too short). */
int	 bwire_set_secret(const void *secret, size_t len, char *err,
	    size_t errsize);
/* Read a secret file (one trailing newline ignored) into bwire_set_secret. */
int	 bwire_set_secret_file(const char *path, char *err, size_t errsize);
/* Whether a secret is set. */
int	 bwire_signed(void);
void	 bwire_free(void);

/* The "hl1 ... <topic>\n" or "hl2 <hmac> ... <topic>\n" head of a message
 * carrying envelope[0..elen) (signed when a secret is set). out holds
 * BWIRE_HEAD_MAX bytes. Returns the head's length, 0 when signing failed. */
size_t	 bwire_head(char *out, const char *instance, uint64_t pub_ns,
	    const char *topic, size_t tlen, const char *envelope, size_t elen);

/* Take payload[0..len) apart and check its signature (when a secret is
 * set): BWIRE_OK with *m pointing into payload, or why it must be
 * dropped. */
enum bwire_verdict bwire_parse(const char *payload, size_t len,
	    struct bwire_msg *m);
/* Check what a parsed message carries (size, topic, UTF-8, envelope):
 * BWIRE_OK or why it must be dropped. */
enum bwire_verdict bwire_check(const struct bwire_msg *m,
	    const struct bwire_limits *lim);
/* The metric label of a verdict ("redis_bad_signature", ...). */
const char *bwire_reason(enum bwire_verdict v);

#endif
