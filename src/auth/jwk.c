/* Verification key sets: secrets, PEM public keys and JWKS documents. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "auth/auth_b64.h"
#include "auth/jwk.h"
#include "core/util.h"

struct jwk_set {
	struct jwk_key	 keys[JWK_SET_MAX_KEYS];
	size_t		 count;
	size_t		 skipped;
};

/* The algorithms hotline verifies, and the key kind each needs. */
static const struct {
	const char	*name;
	jwt_alg_t	 alg;
	enum jwk_kind	 kind;
} jwk_algs[] = {
	{ "HS256", JWT_ALG_HS256, JWK_KIND_HMAC },
	{ "HS384", JWT_ALG_HS384, JWK_KIND_HMAC },
	{ "HS512", JWT_ALG_HS512, JWK_KIND_HMAC },
	{ "RS256", JWT_ALG_RS256, JWK_KIND_RSA },
	{ "ES256", JWT_ALG_ES256, JWK_KIND_EC_P256 },
};

jwt_alg_t
jwk_alg_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < HL_ARRAY_LEN(jwk_algs); i++)
		if (strcmp(name, jwk_algs[i].name) == 0)
			return jwk_algs[i].alg;
	return JWT_ALG_INVAL;
}

const char *
jwk_alg_name(jwt_alg_t alg)
{
	size_t i;

	for (i = 0; i < HL_ARRAY_LEN(jwk_algs); i++)
		if (jwk_algs[i].alg == alg)
			return jwk_algs[i].name;
	return NULL;
}

int
jwk_key_fits(const struct jwk_key *key, jwt_alg_t alg)
{
	size_t i;

	if (key->alg != JWT_ALG_INVAL && key->alg != alg)
		return 0;
	for (i = 0; i < HL_ARRAY_LEN(jwk_algs); i++)
		if (jwk_algs[i].alg == alg)
			return jwk_algs[i].kind == key->kind;
	return 0;
}

struct jwk_set *
jwk_set_new(void)
{
	return xcalloc(1, sizeof(struct jwk_set));
}

/* Wipe and free one key's fields. */
static void
jwk_key_clear(struct jwk_key *key)
{
	if (key->material != NULL) {
		OPENSSL_cleanse(key->material, key->len);
		free(key->material);
	}
	free(key->kid);
	memset(key, 0, sizeof *key);
}

void
jwk_set_free(struct jwk_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->count; i++)
		jwk_key_clear(&set->keys[i]);
	free(set);
}

size_t
jwk_set_count(const struct jwk_set *set)
{
	return set->count;
}

size_t
jwk_set_skipped(const struct jwk_set *set)
{
	return set->skipped;
}

const struct jwk_key *
jwk_set_key(const struct jwk_set *set, size_t i)
{
	return i < set->count ? &set->keys[i] : NULL;
}

const struct jwk_key *
jwk_set_find(const struct jwk_set *set, const char *kid)
{
	size_t i;

	if (set == NULL)
		return NULL;
	for (i = 0; kid != NULL && i < set->count; i++)
		if (set->keys[i].kid != NULL &&
		    strcmp(set->keys[i].kid, kid) == 0)
			return &set->keys[i];
	/* One key and nothing to tell keys apart: the operator meant it. */
	if (set->count == 1 && (kid == NULL || set->keys[0].kid == NULL))
		return &set->keys[0];
	return NULL;
}

/* Whether a new key with kid may join set; sets err if not. */
static int
jwk_set_room(const struct jwk_set *set, const char *kid, char *err,
    size_t errlen)
{
	size_t i;

	if (set->count == JWK_SET_MAX_KEYS) {
		snprintf(err, errlen, "more than %d keys", JWK_SET_MAX_KEYS);
		return 0;
	}
	if (kid != NULL && (*kid == '\0' || strlen(kid) > JWK_KID_MAX)) {
		snprintf(err, errlen, "kid empty or longer than %d bytes",
		    JWK_KID_MAX);
		return 0;
	}
	for (i = 0; i < set->count; i++) {
		if ((kid == NULL) != (set->keys[i].kid == NULL))
			continue;
		if (kid == NULL || strcmp(kid, set->keys[i].kid) == 0) {
			snprintf(err, errlen, "duplicate kid \"%.64s\"",
			    kid != NULL ? kid : "(none)");
			return 0;
		}
	}
	return 1;
}

/* Append a key that takes ownership of material (len bytes). */
static void
jwk_set_push(struct jwk_set *set, const char *kid, enum jwk_kind kind,
    jwt_alg_t alg, unsigned char *material, size_t len)
{
	struct jwk_key *key = &set->keys[set->count++];

	key->kid = kid != NULL ? xstrdup(kid) : NULL;
	key->kind = kind;
	key->alg = alg;
	key->material = material;
	key->len = len;
}

int
jwk_set_add_secret(struct jwk_set *set, const char *kid, const void *secret,
    size_t len, char *err, size_t errlen)
{
	unsigned char *copy;

	if (len < JWK_SECRET_MIN || len > JWK_SECRET_MAX) {
		snprintf(err, errlen,
		    "secret of %zu bytes (must be %d to %d bytes)", len,
		    JWK_SECRET_MIN, JWK_SECRET_MAX);
		return -1;
	}
	if (!jwk_set_room(set, kid, err, errlen))
		return -1;
	copy = xmalloc(len);
	memcpy(copy, secret, len);
	jwk_set_push(set, kid, JWK_KIND_HMAC, JWT_ALG_INVAL, copy, len);
	return 0;
}

int
jwk_set_add_pem(struct jwk_set *set, const char *kid, const char *pem,
    size_t len, char *err, size_t errlen)
{
	enum jwk_kind kind;
	char *norm;

	if (len > JWK_PEM_MAX) {
		snprintf(err, errlen, "PEM text over %d bytes", JWK_PEM_MAX);
		return -1;
	}
	if (!jwk_set_room(set, kid, err, errlen))
		return -1;
	if ((norm = jwk_pem_normalize(pem, len, &kind, err, errlen)) == NULL)
		return -1;
	jwk_set_push(set, kid, kind, JWT_ALG_INVAL, (unsigned char *)norm,
	    strlen(norm));
	return 0;
}

/* Read at most max bytes of path into a NUL-terminated buffer the caller
 * wipes and frees; NULL with a cause in err. */
static char *
jwk_read_file(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen)
{
	char *buf = xmalloc(max + 2);
	size_t len = 0;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto fail;
	while ((n = read(fd, buf + len, max + 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if ((len += (size_t)n) > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	OPENSSL_cleanse(buf, max + 2);
	free(buf);
	snprintf(err, errlen, "%s: %s", path,
	    saved == EFBIG ? "file too large" : strerror(saved));
	return NULL;
}

int
jwk_set_add_secret_file(struct jwk_set *set, const char *kid,
    const char *path, char *err, size_t errlen)
{
	size_t len;
	char *buf;
	int rc;

	if ((buf = jwk_read_file(path, JWK_SECRET_MAX + 2, &len, err,
		 errlen)) == NULL)
		return -1;
	/* `echo secret > file` adds a newline nobody means as key. */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	rc = jwk_set_add_secret(set, kid, buf, len, err, errlen);
	OPENSSL_cleanse(buf, JWK_SECRET_MAX + 4);
	free(buf);
	return rc;
}

int
jwk_set_add_pem_file(struct jwk_set *set, const char *kid, const char *path,
    char *err, size_t errlen)
{
	size_t len;
	char *buf;
	int rc;

	if ((buf = jwk_read_file(path, JWK_PEM_MAX, &len, err, errlen)) ==
	    NULL)
		return -1;
	rc = jwk_set_add_pem(set, kid, buf, len, err, errlen);
	free(buf);
	return rc;
}

/* Decode the base64url string member name of jwk into out; the decoded
 * length, or -1 with a cause in err. */
static long
jwks_member(const json_t *jwk, const char *name, unsigned char *out,
    size_t outcap, char *err, size_t errlen)
{
	const json_t *v = json_object_get(jwk, name);
	long n = -1;

	if (json_is_string(v))
		n = auth_b64url_decode(json_string_value(v),
		    json_string_length(v), out, outcap);
	if (n < 0)
		snprintf(err, errlen, "\"%s\" missing or not base64url", name);
	return n;
}

/* PEM for an RSA JWK, or NULL with a cause in err. */
static char *
jwks_rsa_pem(const json_t *jwk, char *err, size_t errlen)
{
	/* One spare byte: a modulus may carry a leading zero. */
	unsigned char n[JWK_RSA_MAX_BYTES + 1], e[JWK_RSA_E_MAX_BYTES + 1];
	long nlen, elen;

	if ((nlen = jwks_member(jwk, "n", n, sizeof n, err, errlen)) < 0 ||
	    (elen = jwks_member(jwk, "e", e, sizeof e, err, errlen)) < 0)
		return NULL;
	return jwk_pem_from_rsa(n, (size_t)nlen, e, (size_t)elen, err,
	    errlen);
}

/* PEM for an EC P-256 JWK, or NULL with a cause in err. */
static char *
jwks_p256_pem(const json_t *jwk, char *err, size_t errlen)
{
	unsigned char x[JWK_P256_COORD_BYTES], y[JWK_P256_COORD_BYTES];

	if (jwks_member(jwk, "x", x, sizeof x, err, errlen) !=
		JWK_P256_COORD_BYTES ||
	    jwks_member(jwk, "y", y, sizeof y, err, errlen) !=
		JWK_P256_COORD_BYTES) {
		snprintf(err, errlen, "\"x\"/\"y\" must be 32 bytes each");
		return NULL;
	}
	return jwk_pem_from_p256(x, y, err, errlen);
}

/* The string member name, or NULL when absent or not a string. */
static const char *
jwks_string(const json_t *jwk, const char *name)
{
	return json_string_value(json_object_get(jwk, name));
}

/* Which kind a JWK is (and its stated alg), or -1 when hotline skips it:
 * not for signatures, a kty/crv we do not verify, an alg that does not
 * suit the key. */
static int
jwks_kind(const json_t *jwk, jwt_alg_t *alg)
{
	const char *use = jwks_string(jwk, "use");
	const char *kty = jwks_string(jwk, "kty");
	const char *crv = jwks_string(jwk, "crv");
	const char *name = jwks_string(jwk, "alg");
	int kind = -1;

	*alg = JWT_ALG_INVAL;
	if (use != NULL && strcmp(use, "sig") != 0)
		return -1;
	if (kty != NULL && strcmp(kty, "RSA") == 0)
		kind = JWK_KIND_RSA;
	else if (kty != NULL && strcmp(kty, "EC") == 0 && crv != NULL &&
	    strcmp(crv, "P-256") == 0)
		kind = JWK_KIND_EC_P256;
	if (kind < 0 || name == NULL)
		return kind;
	*alg = jwk_alg_parse(name);
	if (!jwk_key_fits(&(struct jwk_key){ .kind = (enum jwk_kind)kind,
			      .alg = JWT_ALG_INVAL },
		*alg))
		return -1;
	return kind;
}

/* Add one JWKS entry to set (or count it skipped); -1 with err if broken. */
static int
jwks_add(struct jwk_set *set, const json_t *jwk, char *err, size_t errlen)
{
	const json_t *kidv = json_object_get(jwk, "kid");
	const char *kid = json_string_value(kidv);
	jwt_alg_t alg;
	char *pem;
	int kind;

	if (!json_is_object(jwk) || (kind = jwks_kind(jwk, &alg)) < 0) {
		set->skipped++;
		return 0;
	}
	if ((kidv != NULL && kid == NULL) ||
	    (kid != NULL && strlen(kid) != json_string_length(kidv))) {
		snprintf(err, errlen, "\"kid\" is not a string");
		return -1;
	}
	if (!jwk_set_room(set, kid, err, errlen))
		return -1;
	pem = kind == JWK_KIND_RSA ? jwks_rsa_pem(jwk, err, errlen) :
				     jwks_p256_pem(jwk, err, errlen);
	if (pem == NULL)
		return -1;
	jwk_set_push(set, kid, (enum jwk_kind)kind, alg, (unsigned char *)pem,
	    strlen(pem));
	return 0;
}

/* Fill set from the parsed document; -1 with a cause in err. */
static int
jwks_fill(struct jwk_set *set, const json_t *doc, char *err, size_t errlen)
{
	const json_t *keys = json_object_get(doc, "keys");
	char why[JWK_ERR_MAX];
	size_t i;

	if (!json_is_array(keys)) {
		snprintf(err, errlen, "no \"keys\" array");
		return -1;
	}
	if (json_array_size(keys) > JWKS_MAX_ENTRIES) {
		snprintf(err, errlen, "more than %d keys", JWKS_MAX_ENTRIES);
		return -1;
	}
	for (i = 0; i < json_array_size(keys); i++) {
		if (jwks_add(set, json_array_get(keys, i), why, sizeof why) <
		    0) {
			snprintf(err, errlen, "key %zu: %s", i, why);
			return -1;
		}
	}
	if (set->count == 0) {
		snprintf(err, errlen, "no usable signing key (%zu skipped)",
		    set->skipped);
		return -1;
	}
	return 0;
}

struct jwk_set *
jwks_load(const char *json, size_t len, char *err, size_t errlen)
{
	struct jwk_set *set = NULL;
	json_error_t jerr;
	json_t *doc;

	if (len > JWKS_TEXT_MAX) {
		snprintf(err, errlen, "JWKS over %d bytes", JWKS_TEXT_MAX);
		return NULL;
	}
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL || !json_is_object(doc)) {
		snprintf(err, errlen, "JWKS is not a JSON object: %s",
		    doc == NULL ? jerr.text : "wrong type");
		goto out;
	}
	set = jwk_set_new();
	if (jwks_fill(set, doc, err, errlen) < 0) {
		jwk_set_free(set);
		set = NULL;
	}
out:
	json_decref(doc);
	return set;
}

struct jwk_set *
jwks_load_file(const char *path, char *err, size_t errlen)
{
	struct jwk_set *set;
	size_t len;
	char *buf;

	if ((buf = jwk_read_file(path, JWKS_TEXT_MAX, &len, err, errlen)) ==
	    NULL)
		return NULL;
	set = jwks_load(buf, len, err, errlen);
	free(buf);
	return set;
}
