/* Broadcast messages on Redis: signing and checking (see bcast_wire.h). */
#include "autoconf.h"

#include <inttypes.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "bcast/bcast_wire.h"
#include "core/redis_target.h"
#include "ws/utf8.h"
#include "core/util.h"

#define BWIRE_MAC_HEX	64
#define BWIRE_SECRET_MAX	1024

/* The keyed HMAC-SHA256, re-initialized per message with the same key.
 * Fetched in the master before the first fork (DESIGN §1: nothing loads
 * lazily in a worker); each process then owns its copy. */
static EVP_MAC_CTX *bw_mac;

static const char *const bw_reasons[BWIRE_NVERDICTS] = {
	"redis_malformed", "redis_unsigned", "redis_bad_signature",
	"redis_too_big", "redis_topic", "redis_utf8", "redis_json",
	"redis_stale",
};

const char *
bwire_reason(enum bwire_verdict v)
{
	return v >= 0 && v < BWIRE_NVERDICTS ? bw_reasons[v] : "ok";
}

void
bwire_free(void)
{
	EVP_MAC_CTX_free(bw_mac);
	bw_mac = NULL;
}

int
bwire_signed(void)
{
	return bw_mac != NULL;
}

int
bwire_set_secret(const void *secret, size_t len, char *err, size_t errsize)
{
	OSSL_PARAM params[2];
	EVP_MAC *mac;

	bwire_free();
	if (len == 0)
		return 0;
	if (len < BWIRE_SECRET_MIN)
		return snprintf(err, errsize, "redis_broadcast_secret must be "
		    "at least %d bytes", BWIRE_SECRET_MIN), -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	bw_mac = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac);	/* the context holds its own reference */
	if (bw_mac == NULL || !EVP_MAC_init(bw_mac, secret, len, params)) {
		bwire_free();
		return snprintf(err, errsize, "redis_broadcast_secret: "
		    "HMAC-SHA256 is not available from OpenSSL"), -1;
	}
	return 0;
}

int
bwire_set_secret_file(const char *path, char *err, size_t errsize)
{
	char buf[BWIRE_SECRET_MAX];
	size_t len;
	int rc = -1;

	if (redis_secret_file("redis_broadcast_secret_file", path, buf,
	    sizeof buf, &len, err, errsize) == 0)
		rc = bwire_set_secret(buf, len, err, errsize);
	OPENSSL_cleanse(buf, sizeof buf);
	return rc;
}

/* The hex HMAC of a then b. */
static int
bwire_mac(const void *a, size_t alen, const void *b, size_t blen,
    char hex[BWIRE_MAC_HEX + 1])
{
	unsigned char md[32];
	size_t n = 0, i;

	if (!EVP_MAC_init(bw_mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(bw_mac, a, alen) ||
	    (blen > 0 && !EVP_MAC_update(bw_mac, b, blen)) ||
	    !EVP_MAC_final(bw_mac, md, &n, sizeof md) || n != sizeof md)
		return -1;
	for (i = 0; i < sizeof md; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

size_t
bwire_head(char *out, const char *instance, uint64_t pub_ns,
    const char *topic, size_t tlen, const char *envelope, size_t elen)
{
	char *rest = out + 4 + (bw_mac != NULL ? BWIRE_MAC_HEX + 1 : 0);
	char hex[BWIRE_MAC_HEX + 1];
	int n;

	tlen = HL_MIN(tlen, (size_t)1024);
	n = snprintf(rest, 24 + 22, "%.23s %" PRIu64 " ", instance, pub_ns);
	memcpy(rest + n, topic, tlen);
	rest[(size_t)n + tlen] = '\n';
	if (bw_mac == NULL) {
		memcpy(out, "hl1 ", 4);
		return 4 + (size_t)n + tlen + 1;
	}
	if (bwire_mac(rest, (size_t)n + tlen + 1, envelope, elen, hex) == -1)
		return 0;
	memcpy(out, "hl2 ", 4);
	memcpy(out + 4, hex, BWIRE_MAC_HEX);
	out[4 + BWIRE_MAC_HEX] = ' ';
	return (size_t)(rest - out) + (size_t)n + tlen + 1;
}

/* "<instance> <ns> <topic>\n<envelope>" at p (end is the payload's). */
static enum bwire_verdict
bwire_fields(const char *p, const char *end, struct bwire_msg *m)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp, *d;
	uint64_t ns = 0;

	if (nl == NULL || (sp = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
	    sp == p)
		return BWIRE_MALFORMED;
	for (d = sp + 1; d < nl && *d >= '0' && *d <= '9' && d - sp <= 19; d++)
		ns = ns * 10 + (uint64_t)(*d - '0');
	if (d == sp + 1 || d >= nl || *d != ' ')
		return BWIRE_MALFORMED;
	*m = (struct bwire_msg){ p, (size_t)(sp - p), ns, d + 1,
	    (size_t)(nl - d - 1), nl + 1, (size_t)(end - nl - 1) };
	return BWIRE_OK;
}

enum bwire_verdict
bwire_parse(const char *payload, size_t len, struct bwire_msg *m)
{
	const char *end = payload + len, *rest = payload + 4;
	char hex[BWIRE_MAC_HEX + 1];
	int sig;

	if (len < 4 || (memcmp(payload, "hl1 ", 4) != 0 &&
	    memcmp(payload, "hl2 ", 4) != 0))
		return BWIRE_MALFORMED;
	sig = payload[2] == '2';
	if (sig && (len < 4 + BWIRE_MAC_HEX + 1 || rest[BWIRE_MAC_HEX] != ' '))
		return BWIRE_MALFORMED;
	rest += sig ? BWIRE_MAC_HEX + 1 : 0;
	if (bw_mac != NULL && !sig)
		return BWIRE_UNSIGNED;
	if (bw_mac != NULL && (bwire_mac(rest, (size_t)(end - rest), NULL, 0,
	    hex) == -1 || CRYPTO_memcmp(hex, payload + 4, BWIRE_MAC_HEX) != 0))
		return BWIRE_BAD_SIGNATURE;
	return bwire_fields(rest, end, m);
}

/* {"pkg_id": ours, "req_id": a string, "data": anything}, nothing else. */
static int
bwire_envelope_ok(const struct bwire_msg *m, const struct bwire_limits *lim)
{
	json_t *doc = json_loadb(m->envelope, m->elen, JSON_ALLOW_NUL |
	    JSON_REJECT_DUPLICATES, NULL);
	json_t *pkg = json_object_get(doc, "pkg_id");
	int ok = json_is_object(doc) && json_object_size(doc) == 3 &&
	    json_is_integer(pkg) && json_integer_value(pkg) == lim->pkg_id &&
	    json_is_string(json_object_get(doc, "req_id")) &&
	    json_object_get(doc, "data") != NULL;

	json_decref(doc);
	return ok;
}

/* The rules of bcast_topic_check, and UTF-8. */
static int
bwire_topic_ok(const char *t, size_t len, size_t max)
{
	size_t i;

	if (len == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if ((uint8_t)t[i] < 0x20 || t[i] == 0x7f)
			return 0;
	return utf8_validate(UTF8_ACCEPT, (const uint8_t *)t, len) ==
	    UTF8_ACCEPT;
}

enum bwire_verdict
bwire_check(const struct bwire_msg *m, const struct bwire_limits *lim)
{
	if (m->elen > lim->max_bytes)
		return BWIRE_TOO_BIG;
	if (!bwire_topic_ok(m->topic, m->tlen, lim->max_topic))
		return BWIRE_TOPIC;
	if (utf8_validate(UTF8_ACCEPT, (const uint8_t *)m->envelope,
	    m->elen) != UTF8_ACCEPT)
		return BWIRE_UTF8;
	return bwire_envelope_ok(m, lim) ? BWIRE_OK : BWIRE_JSON;
}
