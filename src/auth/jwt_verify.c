/* JWT verification: shape, JOSE header, pinned algorithm, key by kid, the
 * libjwt signature check, then the claims (jwt_claims.c). */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "auth/auth_b64.h"
#include "auth/jwt_claims.h"
#include "auth/jwt_verify.h"
#include "core/util.h"

/* Metric labels, indexed by enum jwt_fail. */
static const char *const jwt_fail_names[JWT_FAIL_COUNT] = {
	[JWT_FAIL_NONE] = "ok",
	[JWT_FAIL_MALFORMED] = "malformed",
	[JWT_FAIL_TOO_LARGE] = "too_large",
	[JWT_FAIL_BAD_ALG] = "bad_alg",
	[JWT_FAIL_UNKNOWN_KID] = "unknown_kid",
	[JWT_FAIL_NO_KEYS] = "no_keys",
	[JWT_FAIL_BAD_SIGNATURE] = "bad_signature",
	[JWT_FAIL_EXPIRED] = "expired",
	[JWT_FAIL_NOT_YET_VALID] = "not_yet_valid",
	[JWT_FAIL_NO_EXPIRY] = "no_expiry",
	[JWT_FAIL_BAD_ISSUER] = "bad_issuer",
	[JWT_FAIL_BAD_AUDIENCE] = "bad_audience",
	[JWT_FAIL_NO_SUBJECT] = "no_subject",
	[JWT_FAIL_BAD_ROLES] = "bad_roles",
};

/* Where the three segments of a compact token lie. */
struct jwt_segments {
	size_t	 header_len;
	size_t	 payload_off, payload_len;
	size_t	 sig_off, sig_len;
};

const char *
jwt_fail_name(enum jwt_fail fail)
{
	if ((unsigned)fail >= JWT_FAIL_COUNT)
		return "unknown";
	return jwt_fail_names[fail];
}

void
jwt_policy_init(struct jwt_policy *policy, jwt_alg_t alg)
{
	memset(policy, 0, sizeof *policy);
	policy->alg = alg;
}

/* Whether a roles path has 1..JWT_ROLES_PATH_DEPTH non-empty names. */
static int
jwt_policy_path_ok(const char *path)
{
	size_t len = strlen(path), dots = 0, i;

	if (len == 0 || len >= JWT_ROLE_MAX || path[0] == '.' ||
	    path[len - 1] == '.' || strstr(path, "..") != NULL)
		return 0;
	for (i = 0; i < len; i++)
		dots += path[i] == '.';
	return dots < JWT_ROLES_PATH_DEPTH;
}

int
jwt_policy_check(const struct jwt_policy *policy, char *err, size_t errlen)
{
	if (jwk_alg_name(policy->alg) == NULL) {
		snprintf(err, errlen, "algorithm must be one of HS256, HS384, "
				      "HS512, RS256, ES256");
		return -1;
	}
	if (policy->leeway > JWT_LEEWAY_MAX) {
		snprintf(err, errlen, "leeway over %d seconds", JWT_LEEWAY_MAX);
		return -1;
	}
	if (policy->user_claim != NULL && *policy->user_claim == '\0') {
		snprintf(err, errlen, "empty user claim name");
		return -1;
	}
	if (policy->roles_claim != NULL &&
	    !jwt_policy_path_ok(policy->roles_claim)) {
		snprintf(err, errlen, "roles claim path must be 1 to 8 "
				      "non-empty names joined by dots");
		return -1;
	}
	return 0;
}

/* Split a token into its three segments, checking size and alphabet. */
static int
jwt_verify_shape(const char *token, size_t len, struct jwt_segments *seg,
    struct jwt_result *res)
{
	size_t i, dot[2], dots = 0;

	if (len > JWT_TOKEN_MAX)
		return jwt_result_fail(res, JWT_FAIL_TOO_LARGE,
		    "token over %d bytes", JWT_TOKEN_MAX);
	for (i = 0; i < len; i++) {
		if (token[i] == '.') {
			if (dots == 2)
				return jwt_result_fail(res, JWT_FAIL_MALFORMED,
				    "more than three segments");
			dot[dots++] = i;
		} else if (!auth_b64url_char((unsigned char)token[i]))
			return jwt_result_fail(res, JWT_FAIL_MALFORMED,
			    "character outside base64url");
	}
	if (dots != 2)
		return jwt_result_fail(res, JWT_FAIL_MALFORMED,
		    "not three segments");
	seg->header_len = dot[0];
	seg->payload_off = dot[0] + 1;
	seg->payload_len = dot[1] - dot[0] - 1;
	seg->sig_off = dot[1] + 1;
	seg->sig_len = len - dot[1] - 1;
	if (seg->header_len == 0 || seg->payload_len == 0)
		return jwt_result_fail(res, JWT_FAIL_MALFORMED,
		    "empty header or payload");
	return 0;
}

/* Read alg, kid and crit from a parsed header object. */
static int
jwt_header_fields(const json_t *obj, struct jwt_header *h,
    struct jwt_result *res)
{
	const json_t *alg = json_object_get(obj, "alg");
	const json_t *kid = json_object_get(obj, "kid");
	size_t len;

	if (!json_is_string(alg))
		return jwt_result_fail(res, JWT_FAIL_MALFORMED,
		    "header \"alg\" missing or not a string");
	/* We understand no extension, so any "crit" must fail (RFC 7515). */
	if (json_object_get(obj, "crit") != NULL)
		return jwt_result_fail(res, JWT_FAIL_MALFORMED,
		    "header has \"crit\" extensions");
	if (kid != NULL) {
		len = json_string_length(kid);
		if (!json_is_string(kid) || len == 0 || len > JWK_KID_MAX ||
		    strlen(json_string_value(kid)) != len)
			return jwt_result_fail(res, JWT_FAIL_MALFORMED,
			    "header \"kid\" is not a short string");
		memcpy(h->kid, json_string_value(kid), len + 1);
		h->has_kid = 1;
	}
	h->alg = jwk_alg_parse(json_string_value(alg));
	if (h->alg == JWT_ALG_INVAL)
		return jwt_result_fail(res, JWT_FAIL_BAD_ALG,
		    "algorithm not accepted");
	return 0;
}

int
jwt_header_parse(const char *seg, size_t len, struct jwt_header *h,
    struct jwt_result *res)
{
	unsigned char text[JWT_HEADER_MAX];
	json_error_t jerr;
	json_t *obj;
	long n;
	int rc;

	memset(h, 0, sizeof *h);
	h->alg = JWT_ALG_INVAL;
	/* Every 4 characters carry 3 bytes: len * 3 / 4 is what it decodes
	 * to, for any valid length. */
	if (len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > JWT_HEADER_MAX)
		return jwt_result_fail(res, JWT_FAIL_TOO_LARGE,
		    "header over %d bytes", JWT_HEADER_MAX);
	if ((n = auth_b64url_decode(seg, len, text, sizeof text)) < 0)
		return jwt_result_fail(res, JWT_FAIL_MALFORMED,
		    "header is not base64url");
	obj = json_loadb((const char *)text, (size_t)n,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL || !json_is_object(obj))
		rc = jwt_result_fail(res, JWT_FAIL_MALFORMED,
		    "header is not a JSON object");
	else
		rc = jwt_header_fields(obj, h, res);
	json_decref(obj);
	return rc;
}

/* The key for the token: by kid, suited to the pinned algorithm. */
static const struct jwk_key *
jwt_verify_key(const struct jwt_policy *policy, const struct jwk_set *keys,
    const struct jwt_header *h, struct jwt_result *res)
{
	const struct jwk_key *key;

	if (keys == NULL || jwk_set_count(keys) == 0) {
		jwt_result_fail(res, JWT_FAIL_NO_KEYS, "no keys configured");
		return NULL;
	}
	if ((key = jwk_set_find(keys, h->has_kid ? h->kid : NULL)) == NULL) {
		jwt_result_fail(res, JWT_FAIL_UNKNOWN_KID,
		    h->has_kid ? "no key with the token's kid" :
				 "token has no kid and several keys exist");
		return NULL;
	}
	/* An RSA PEM handed to HMAC is the classic confusion: refuse. */
	if (!jwk_key_fits(key, policy->alg)) {
		jwt_result_fail(res, JWT_FAIL_BAD_ALG,
		    "the key does not suit the configured algorithm");
		return NULL;
	}
	return key;
}

/* Whether len base64url characters decode to a JSON object. */
static int
jwt_verify_is_object(const char *seg, size_t len)
{
	size_t cap = AUTH_B64_DECODED_MAX(len);
	unsigned char *text = xmalloc(cap);
	json_t *obj = NULL;
	long n;
	int ok;

	if ((n = auth_b64url_decode(seg, len, text, cap)) >= 0)
		obj = json_loadb((const char *)text, (size_t)n, 0, NULL);
	ok = json_is_object(obj);
	json_decref(obj);
	free(text);
	return ok;
}

/* Let libjwt check the signature over a NUL-terminated copy of the token;
 * returns the decoded jwt or NULL with res set. */
static jwt_t *
jwt_verify_signature(const struct jwt_policy *policy,
    const struct jwk_key *key, const char *token, size_t len,
    const struct jwt_segments *seg, struct jwt_result *res)
{
	char *text = xmalloc(len + 1);
	jwt_t *jwt = NULL;
	int rc;

	memcpy(text, token, len);
	text[len] = '\0';
	rc = jwt_decode(&jwt, text, key->material, (int)key->len);
	/* libjwt's OpenSSL calls may leave errors behind for the next TLS
	 * call on this thread to trip over. */
	ERR_clear_error();
	free(text);
	if (rc != 0 || jwt == NULL) {
		jwt_free(jwt);
		if (!jwt_verify_is_object(token + seg->payload_off,
			seg->payload_len))
			jwt_result_fail(res, JWT_FAIL_MALFORMED,
			    "payload is not a JSON object");
		else
			jwt_result_fail(res, JWT_FAIL_BAD_SIGNATURE,
			    "signature does not verify");
		return NULL;
	}
	if (jwt_get_alg(jwt) != policy->alg) {
		jwt_free(jwt);
		jwt_result_fail(res, JWT_FAIL_BAD_ALG,
		    "libjwt verified another algorithm");
		return NULL;
	}
	return jwt;
}

/* The verified claims as a JSON object, or NULL with res set. */
static json_t *
jwt_verify_claims(jwt_t *jwt, struct jwt_result *res)
{
	char *text = jwt_get_grants_json(jwt, NULL);
	json_t *claims = NULL;

	if (text != NULL)
		claims = json_loads(text, 0, NULL);
	free(text);
	if (!json_is_object(claims)) {
		json_decref(claims);
		jwt_result_fail(res, JWT_FAIL_MALFORMED,
		    "payload is not a JSON object");
		return NULL;
	}
	return claims;
}

int
jwt_verify_token(const struct jwt_policy *policy, const struct jwk_set *keys,
    const char *token, size_t len, time_t now, struct auth_identity **out,
    struct jwt_result *res)
{
	const struct jwk_key *key;
	struct jwt_segments seg = { 0 };
	struct jwt_header h;
	json_t *claims;
	jwt_t *jwt;
	int rc;

	*out = NULL;
	res->fail = JWT_FAIL_NONE;
	res->message[0] = '\0';
	if (jwt_verify_shape(token, len, &seg, res) < 0 ||
	    jwt_header_parse(token, seg.header_len, &h, res) < 0)
		return -1;
	/* Pinned: the token's own alg only has to agree with the config. */
	if (h.alg != policy->alg || jwk_alg_name(policy->alg) == NULL)
		return jwt_result_fail(res, JWT_FAIL_BAD_ALG,
		    "algorithm is not the configured one");
	if (seg.sig_len == 0)
		return jwt_result_fail(res, JWT_FAIL_MALFORMED,
		    "no signature");
	if ((key = jwt_verify_key(policy, keys, &h, res)) == NULL ||
	    (jwt = jwt_verify_signature(policy, key, token, len, &seg, res)) ==
		NULL)
		return -1;
	claims = jwt_verify_claims(jwt, res);
	jwt_free(jwt);
	if (claims == NULL)
		return -1;
	rc = jwt_claims_check(policy, claims, now, out, res);
	json_decref(claims);
	return rc;
}

int
jwt_bearer(const char *value, size_t len, const char **token,
    size_t *toklen)
{
	/* Header values may carry surrounding blanks (RFC 9110 5.5). */
	while (len > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		len--;
	}
	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	if (len > 7 && strncasecmp(value, "Bearer", 6) == 0 &&
	    (value[6] == ' ' || value[6] == '\t')) {
		value += 7;
		len -= 7;
		while (len > 0 && (*value == ' ' || *value == '\t')) {
			value++;
			len--;
		}
	}
	/* A bare token has no blank; "Basic xyz" and the like are refused. */
	if (len == 0 || memchr(value, ' ', len) != NULL ||
	    memchr(value, '\t', len) != NULL)
		return -1;
	*token = value;
	*toklen = len;
	return 0;
}

void
auth_identity_free(struct auth_identity *id)
{
	size_t i;

	if (id == NULL)
		return;
	for (i = 0; i < id->nroles; i++)
		free(id->roles[i]);
	free(id->roles);
	free(id->user);
	free(id);
}
