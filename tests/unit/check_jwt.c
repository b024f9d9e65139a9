/* Unit tests for token verification: algorithm pinning and confusion,
 * alg none, every claim check, malformed input, kid selection, the
 * claims-to-identity mapping, minting and the hotline-token round trip. */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/hmac.h>

#include "auth_keys.h"
#include "auth/auth_message.h"
#include "auth/jwk.h"
#include "auth/jwt_mint.h"
#include "auth/jwt_verify.h"
#include "core/util.h"
#include "ws/ws_frame.h"

#define NOW	1700000000
#define SECRET	"hotline-unit-test-secret-0123456789abcdef"

static struct test_pair rsa, rsa2, ec;
static struct jwk_set *hs_set, *rs_set, *es_set;
static struct jwt_policy policy;
static struct auth_identity *id;
static struct jwt_result res;

/* --- helpers -------------------------------------------------------------- */

/* A token signed by jwt_mint with alg and key, claims {"sub":"alice",
 * "exp":NOW+60} overridden by each member of the JSON object extra_json
 * (passed as name=value claims, as hotline-token's --claim). Caller frees. */
static char *
mint_with(jwt_alg_t alg, const char *key, int is_pem, const char *kid,
    const char *extra_json)
{
	char err[JWK_ERR_MAX], *token, *specs[8];
	const char *claims[8];
	struct jwt_mint m = {
		.alg = alg, .key = (const unsigned char *)key,
		.key_len = strlen(key), .key_is_pem = is_pem, .sub = "alice",
		.kid = kid, .now = NOW, .has_exp = 1, .exp = 60,
		.claims = claims,
	};
	json_t *extra, *value;
	const char *name;
	size_t i;

	extra = json_loads(extra_json != NULL ? extra_json : "{}", 0, NULL);
	ck_assert_ptr_nonnull(extra);
	ck_assert_uint_le(json_object_size(extra), HL_ARRAY_LEN(specs));
	json_object_foreach(extra, name, value) {
		char *v = json_dumps(value, JSON_ENCODE_ANY);

		specs[m.nclaims] = malloc(strlen(name) + strlen(v) + 2);
		sprintf(specs[m.nclaims], "%s=%s", name, v);
		claims[m.nclaims] = specs[m.nclaims];
		m.nclaims++;
		free(v);
	}
	token = jwt_mint_token(&m, err, sizeof err);
	for (i = 0; i < m.nclaims; i++)
		free(specs[i]);
	json_decref(extra);
	ck_assert_msg(token != NULL, "mint: %s", err);
	return token;
}

/* An HS256 token with SECRET and one extra claim (or none). */
static char *
hs_token(const char *extra_json)
{
	return mint_with(JWT_ALG_HS256, SECRET, 0, NULL, extra_json);
}

/* "header.payload.sig" from JSON texts and a literal signature segment. */
static char *
forge(const char *header, const char *payload, const char *sig)
{
	size_t hl = strlen(header), pl = strlen(payload);
	char *t = malloc(AUTH_B64_ENCODED_SIZE(hl) + AUTH_B64_ENCODED_SIZE(pl) +
	    strlen(sig) + 3);
	size_t n;

	n = auth_b64url_encode((const unsigned char *)header, hl, t);
	t[n++] = '.';
	n += auth_b64url_encode((const unsigned char *)payload, pl, t + n);
	t[n++] = '.';
	strcpy(t + n, sig);
	return t;
}

/* forge() with a real HMAC-SHA256 signature under key. */
static char *
forge_hs256(const char *header, const char *payload, const char *key)
{
	unsigned char mac[32];
	char sig[64], *t = forge(header, payload, "");
	unsigned int maclen = sizeof mac;

	HMAC(EVP_sha256(), key, (int)strlen(key), (unsigned char *)t,
	    strlen(t) - 1, mac, &maclen);
	auth_b64url_encode(mac, maclen, sig);
	t = realloc(t, strlen(t) + strlen(sig) + 1);
	strcat(t, sig);
	return t;
}

/* Verify token (NUL-terminated) with the current policy and keys; returns
 * the failure, keeps the identity in id. */
static enum jwt_fail
verify_len(const struct jwk_set *keys, const char *token, size_t len)
{
	auth_identity_free(id);
	id = NULL;
	if (jwt_verify_token(&policy, keys, token, len, NOW, &id, &res) == 0) {
		ck_assert_ptr_nonnull(id);
		ck_assert_int_eq(res.fail, JWT_FAIL_NONE);
		return JWT_FAIL_NONE;
	}
	ck_assert_ptr_null(id);
	ck_assert_int_ne(res.fail, JWT_FAIL_NONE);
	ck_assert_msg(res.message[0] != '\0', "no message for %s",
	    jwt_fail_name(res.fail));
	return res.fail;
}

static enum jwt_fail
verify(const struct jwk_set *keys, const char *token)
{
	return verify_len(keys, token, strlen(token));
}

/* Verify and free token; assert the outcome. */
#define ck_verify(keys, token, want) do {				\
	char *tok_ = (token);						\
	enum jwt_fail got_ = verify((keys), tok_);			\
	ck_assert_msg(got_ == (want), "%s: got %s (%s), want %s", tok_,	\
	    jwt_fail_name(got_), res.message, jwt_fail_name(want));	\
	free(tok_);							\
} while (0)

/* Claims JSON with exp/sub defaults for forged tokens. */
#define CLAIMS	"{\"sub\":\"alice\",\"exp\":1700000060}"
#define HS_HDR	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

static void
setup(void)
{
	char err[JWK_ERR_MAX];

	jwt_policy_init(&policy, JWT_ALG_HS256);
	hs_set = jwk_set_new();
	ck_assert_int_eq(jwk_set_add_secret(hs_set, NULL, SECRET,
	    strlen(SECRET), err, sizeof err), 0);
	rs_set = jwk_set_new();
	ck_assert_int_eq(jwk_set_add_pem(rs_set, "rsa1", rsa.pub,
	    strlen(rsa.pub), err, sizeof err), 0);
	es_set = jwk_set_new();
	ck_assert_int_eq(jwk_set_add_pem(es_set, "ec1", ec.pub, strlen(ec.pub),
	    err, sizeof err), 0);
}

static void
teardown(void)
{
	auth_identity_free(id);
	id = NULL;
	jwk_set_free(hs_set);
	jwk_set_free(rs_set);
	jwk_set_free(es_set);
}

/* --- algorithms ----------------------------------------------------------- */

START_TEST(test_hs256_ok)
{
	ck_verify(hs_set, hs_token(NULL), JWT_FAIL_NONE);
	ck_assert_str_eq(id->user, "alice");
	ck_assert_ptr_null(id->roles[0]);
	ck_assert_uint_eq(id->nroles, 0);
	ck_assert_int_eq(id->exp, NOW + 60);
}
END_TEST

START_TEST(test_hs384_hs512_pinned)
{
	policy.alg = JWT_ALG_HS384;
	ck_verify(hs_set, mint_with(JWT_ALG_HS384, SECRET, 0, NULL, NULL),
	    JWT_FAIL_NONE);
	ck_verify(hs_set, hs_token(NULL), JWT_FAIL_BAD_ALG);
	policy.alg = JWT_ALG_HS512;
	ck_verify(hs_set, mint_with(JWT_ALG_HS512, SECRET, 0, NULL, NULL),
	    JWT_FAIL_NONE);
	ck_verify(hs_set, mint_with(JWT_ALG_HS384, SECRET, 0, NULL, NULL),
	    JWT_FAIL_BAD_ALG);
}
END_TEST

START_TEST(test_rs256_es256_ok)
{
	policy.alg = JWT_ALG_RS256;
	ck_verify(rs_set, mint_with(JWT_ALG_RS256, rsa.priv, 1, "rsa1", NULL),
	    JWT_FAIL_NONE);
	policy.alg = JWT_ALG_ES256;
	ck_verify(es_set, mint_with(JWT_ALG_ES256, ec.priv, 1, "ec1", NULL),
	    JWT_FAIL_NONE);
	/* Signed by another key of the same type: the signature fails. */
	policy.alg = JWT_ALG_RS256;
	ck_verify(rs_set, mint_with(JWT_ALG_RS256, rsa2.priv, 1, "rsa1", NULL),
	    JWT_FAIL_BAD_SIGNATURE);
}
END_TEST

/* HS256 signed with the RSA public key's PEM text as the HMAC secret. */
START_TEST(test_confusion_hs_with_rsa_pem)
{
	char *token = mint_with(JWT_ALG_HS256, rsa.pub, 0, "rsa1", NULL);
	jwt_t *raw = NULL;

	/* The fact this guards against: bare libjwt accepts the token. */
	ck_assert_int_eq(jwt_decode(&raw, token, (unsigned char *)rsa.pub,
	    (int)strlen(rsa.pub)), 0);
	ck_assert_int_eq(jwt_get_alg(raw), JWT_ALG_HS256);
	jwt_free(raw);

	policy.alg = JWT_ALG_RS256;
	ck_verify(rs_set, token, JWT_FAIL_BAD_ALG);
	/* Misconfigured HS256 pin over an RSA key set: the key does not fit. */
	policy.alg = JWT_ALG_HS256;
	ck_verify(rs_set, mint_with(JWT_ALG_HS256, rsa.pub, 0, "rsa1", NULL),
	    JWT_FAIL_BAD_ALG);
	/* Same with the PEM our set stores (normalized text). */
	ck_verify(rs_set,
	    mint_with(JWT_ALG_HS256,
		(const char *)jwk_set_key(rs_set, 0)->material, 0, "rsa1",
		NULL),
	    JWT_FAIL_BAD_ALG);
}
END_TEST

START_TEST(test_confusion_rs_when_hs_pinned)
{
	char err[JWK_ERR_MAX];

	ck_verify(hs_set, mint_with(JWT_ALG_RS256, rsa.priv, 1, NULL, NULL),
	    JWT_FAIL_BAD_ALG);
	ck_verify(hs_set, mint_with(JWT_ALG_ES256, ec.priv, 1, NULL, NULL),
	    JWT_FAIL_BAD_ALG);
	/* A set mixing a secret and an RSA key, HS256 pinned: an RS256 token
	 * naming the RSA key still fails. */
	ck_assert_int_eq(jwk_set_add_pem(hs_set, "rsa1", rsa.pub,
	    strlen(rsa.pub), err, sizeof err), 0);
	ck_verify(hs_set, mint_with(JWT_ALG_RS256, rsa.priv, 1, "rsa1", NULL),
	    JWT_FAIL_BAD_ALG);
	/* And an ES256 token under an RS256 pin. */
	policy.alg = JWT_ALG_RS256;
	ck_verify(rs_set, mint_with(JWT_ALG_ES256, ec.priv, 1, "rsa1", NULL),
	    JWT_FAIL_BAD_ALG);
}
END_TEST

START_TEST(test_alg_none)
{
	static const char *const hdrs[] = {
		"{\"alg\":\"none\"}", "{\"alg\":\"none\",\"typ\":\"JWT\"}",
		"{\"alg\":\"None\"}", "{\"alg\":\"NONE\"}", "{\"alg\":\"\"}",
		"{\"alg\":\"hs256\"}", "{\"alg\":\"HS256 \"}",
		"{\"alg\":\"RS384\"}", "{\"alg\":\"PS256\"}",
	};
	char *token;
	jwt_t *raw = NULL;
	size_t i;

	/* The fact this guards against: a NULL key takes alg none. */
	token = forge(hdrs[0], CLAIMS, "");
	ck_assert_int_eq(jwt_decode(&raw, token, NULL, 0), 0);
	jwt_free(raw);
	free(token);
	for (i = 0; i < HL_ARRAY_LEN(hdrs); i++) {
		ck_verify(hs_set, forge(hdrs[i], CLAIMS, ""), JWT_FAIL_BAD_ALG);
		ck_verify(hs_set, forge(hdrs[i], CLAIMS, "c2lnbmF0dXJl"),
		    JWT_FAIL_BAD_ALG);
		ck_verify(NULL, forge(hdrs[i], CLAIMS, ""), JWT_FAIL_BAD_ALG);
	}
	/* Signed with the secret as if it were HS256: still refused. */
	ck_verify(hs_set, forge_hs256(hdrs[0], CLAIMS, SECRET),
	    JWT_FAIL_BAD_ALG);
	/* A pinned "none" is refused by policy and by verification. */
	policy.alg = JWT_ALG_NONE;
	ck_assert_int_eq(jwt_policy_check(&policy, res.message,
	    sizeof res.message), -1);
	ck_verify(hs_set, forge(hdrs[0], CLAIMS, ""), JWT_FAIL_BAD_ALG);
}
END_TEST

START_TEST(test_header_variants)
{
	/* No typ is fine; a duplicate alg (parsers disagree on which wins)
	 * and crit extensions are not. */
	ck_verify(hs_set, forge_hs256("{\"alg\":\"HS256\"}", CLAIMS, SECRET),
	    JWT_FAIL_NONE);
	ck_verify(hs_set,
	    forge_hs256("{\"alg\":\"HS256\",\"alg\":\"none\"}", CLAIMS, SECRET),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set,
	    forge_hs256("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}",
		CLAIMS, SECRET),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set,
	    forge_hs256("{\"alg\":\"HS256\",\"kid\":7}", CLAIMS, SECRET),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set,
	    forge_hs256("{\"alg\":\"HS256\",\"kid\":\"\"}", CLAIMS, SECRET),
	    JWT_FAIL_MALFORMED);
}
END_TEST

/* --- malformed input ------------------------------------------------------ */

START_TEST(test_malformed_shapes)
{
	char *good = hs_token(NULL), *t;
	size_t len = strlen(good);

	ck_assert_int_eq(verify(hs_set, good), JWT_FAIL_NONE);
	ck_assert_int_eq(verify(hs_set, ""), JWT_FAIL_MALFORMED);
	ck_assert_int_eq(verify(hs_set, "."), JWT_FAIL_MALFORMED);
	ck_assert_int_eq(verify(hs_set, ".."), JWT_FAIL_MALFORMED);
	ck_assert_int_eq(verify(hs_set, "a.b"), JWT_FAIL_MALFORMED);
	ck_assert_int_eq(verify(hs_set, "a.b.c.d"), JWT_FAIL_MALFORMED);
	ck_assert_int_eq(verify(hs_set, "a..c"), JWT_FAIL_MALFORMED);
	t = malloc(len + 32);
	/* Two and four segments of a real token. */
	memcpy(t, good, (size_t)(strrchr(good, '.') - good));
	t[strrchr(good, '.') - good] = '\0';
	ck_assert_int_eq(verify(hs_set, t), JWT_FAIL_MALFORMED);
	snprintf(t, len + 32, "%s.e30", good);
	ck_assert_int_eq(verify(hs_set, t), JWT_FAIL_MALFORMED);
	/* Whitespace, padding, standard base64 characters, a NUL. */
	snprintf(t, len + 32, " %s", good);
	ck_assert_int_eq(verify(hs_set, t), JWT_FAIL_MALFORMED);
	snprintf(t, len + 32, "%s=", good);
	ck_assert_int_eq(verify(hs_set, t), JWT_FAIL_MALFORMED);
	strcpy(t, good);
	t[3] = '+';
	ck_assert_int_eq(verify(hs_set, t), JWT_FAIL_MALFORMED);
	strcpy(t, good);
	t[len - 3] = '\0';
	ck_assert_int_eq(verify_len(hs_set, t, len), JWT_FAIL_MALFORMED);
	/* Empty signature. */
	snprintf(t, len + 32, "%s", good);
	strrchr(t, '.')[1] = '\0';
	ck_assert_int_eq(verify(hs_set, t), JWT_FAIL_MALFORMED);
	free(t);
	free(good);
}
END_TEST

START_TEST(test_malformed_truncated)
{
	char *good = hs_token("{\"aud\":\"x\"}");
	size_t len = strlen(good), cut;

	/* Every proper prefix fails, and never crashes. */
	for (cut = 0; cut < len; cut++)
		ck_assert_int_ne(verify_len(hs_set, good, cut), JWT_FAIL_NONE);
	free(good);
}
END_TEST

START_TEST(test_malformed_header)
{
	/* Bad base64 (a lone character, non-zero spare bits), not JSON, not
	 * an object, alg missing or not a string. */
	ck_assert_int_eq(verify(hs_set, "e.e30.c2ln"), JWT_FAIL_MALFORMED);
	ck_assert_int_eq(verify(hs_set, "e30B.e30.c2ln"), JWT_FAIL_MALFORMED);
	ck_assert_int_eq(verify(hs_set, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"),
	    JWT_FAIL_BAD_SIGNATURE);
	ck_assert_int_eq(verify(hs_set, "eyJhbGciOiJIUzI1NiJ8.e30.c2ln"),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge("not json", CLAIMS, "c2ln"),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge("{\"alg\":\"HS256\"", CLAIMS, "c2ln"),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge("[\"HS256\"]", CLAIMS, "c2ln"),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge("\"HS256\"", CLAIMS, "c2ln"),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge("{}", CLAIMS, "c2ln"), JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge("{\"alg\":256}", CLAIMS, "c2ln"),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge("{\"alg\":null}", CLAIMS, "c2ln"),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge("{\"alg\":[\"HS256\"]}", CLAIMS, "c2ln"),
	    JWT_FAIL_MALFORMED);
}
END_TEST

START_TEST(test_malformed_payload)
{
	/* Correctly signed, but the payload is not a JSON object. */
	ck_verify(hs_set, forge_hs256(HS_HDR, "not json", SECRET),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge_hs256(HS_HDR, "[1,2]", SECRET),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge_hs256(HS_HDR, "\"alice\"", SECRET),
	    JWT_FAIL_MALFORMED);
	/* Forged signature over garbage: malformed beats bad_signature. */
	ck_verify(hs_set, forge(HS_HDR, "nope", "c2ln"), JWT_FAIL_MALFORMED);
}
END_TEST

START_TEST(test_tampered)
{
	char *good = hs_token(NULL), *t = strdup(good), *evil;

	/* A flipped signature character and a swapped payload. */
	t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(verify(hs_set, t), JWT_FAIL_BAD_SIGNATURE);
	evil = forge(HS_HDR, "{\"sub\":\"root\",\"exp\":1700000060}",
	    strrchr(good, '.') + 1);
	ck_assert_int_eq(verify(hs_set, evil), JWT_FAIL_BAD_SIGNATURE);
	/* Signed with another secret. */
	ck_verify(hs_set, forge_hs256(HS_HDR, CLAIMS,
	    "another-secret-0123456789abcdef012345"), JWT_FAIL_BAD_SIGNATURE);
	free(evil);
	free(t);
	free(good);
}
END_TEST

START_TEST(test_too_large)
{
	char *big = malloc(JWT_TOKEN_MAX + 2), *hdr;
	size_t i;

	memset(big, 'A', JWT_TOKEN_MAX + 1);
	big[10] = '.';
	big[20] = '.';
	big[JWT_TOKEN_MAX + 1] = '\0';
	ck_assert_int_eq(verify(hs_set, big), JWT_FAIL_TOO_LARGE);
	free(big);
	/* A header over JWT_HEADER_MAX within a token under the limit. */
	hdr = malloc(JWT_HEADER_MAX + 64);
	i = (size_t)snprintf(hdr, JWT_HEADER_MAX + 64,
	    "{\"alg\":\"HS256\",\"x\":\"");
	memset(hdr + i, 'x', JWT_HEADER_MAX);
	strcpy(hdr + i + JWT_HEADER_MAX - 20, "\"}");
	ck_verify(hs_set, forge_hs256(hdr, CLAIMS, SECRET), JWT_FAIL_TOO_LARGE);
	free(hdr);
}
END_TEST

/* --- keys by kid ---------------------------------------------------------- */

START_TEST(test_kid_selection)
{
	char err[JWK_ERR_MAX];

	policy.alg = JWT_ALG_RS256;
	ck_verify(rs_set, mint_with(JWT_ALG_RS256, rsa.priv, 1, "other", NULL),
	    JWT_FAIL_UNKNOWN_KID);
	/* One key in the set and no kid in the token: that key. */
	ck_verify(rs_set, mint_with(JWT_ALG_RS256, rsa.priv, 1, NULL, NULL),
	    JWT_FAIL_NONE);
	ck_assert_int_eq(jwk_set_add_pem(rs_set, "rsa2", rsa2.pub,
	    strlen(rsa2.pub), err, sizeof err), 0);
	ck_verify(rs_set, mint_with(JWT_ALG_RS256, rsa.priv, 1, "rsa1", NULL),
	    JWT_FAIL_NONE);
	ck_verify(rs_set, mint_with(JWT_ALG_RS256, rsa2.priv, 1, "rsa2", NULL),
	    JWT_FAIL_NONE);
	ck_verify(rs_set, mint_with(JWT_ALG_RS256, rsa2.priv, 1, "rsa1", NULL),
	    JWT_FAIL_BAD_SIGNATURE);
	/* Two keys now: a token without kid cannot pick one. */
	ck_verify(rs_set, mint_with(JWT_ALG_RS256, rsa.priv, 1, NULL, NULL),
	    JWT_FAIL_UNKNOWN_KID);
}
END_TEST

START_TEST(test_no_keys)
{
	struct jwk_set *empty = jwk_set_new();

	ck_verify(NULL, hs_token(NULL), JWT_FAIL_NO_KEYS);
	ck_verify(empty, hs_token(NULL), JWT_FAIL_NO_KEYS);
	jwk_set_free(empty);
}
END_TEST

/* --- time ----------------------------------------------------------------- */

START_TEST(test_expired)
{
	ck_verify(hs_set, hs_token("{\"exp\":1699999990}"), JWT_FAIL_EXPIRED);
	/* exp == now is already expired (valid while now < exp). */
	ck_verify(hs_set, hs_token("{\"exp\":1700000000}"), JWT_FAIL_EXPIRED);
	ck_verify(hs_set, hs_token("{\"exp\":1700000001}"), JWT_FAIL_NONE);
	policy.leeway = 10;
	ck_verify(hs_set, hs_token("{\"exp\":1699999991}"), JWT_FAIL_NONE);
	ck_verify(hs_set, hs_token("{\"exp\":1699999990}"), JWT_FAIL_EXPIRED);
	policy.leeway = 30;
	ck_verify(hs_set, hs_token("{\"exp\":1699999990}"), JWT_FAIL_NONE);
	/* Dates far out of range do not overflow. */
	ck_verify(hs_set, hs_token("{\"exp\":9223372036854775807}"),
	    JWT_FAIL_NONE);
	ck_verify(hs_set, hs_token("{\"exp\":-9223372036854775807}"),
	    JWT_FAIL_EXPIRED);
	/* Fractional dates are allowed; non-numbers are not. */
	ck_verify(hs_set, hs_token("{\"exp\":1700000100.5}"), JWT_FAIL_NONE);
	ck_assert_int_eq(id->exp, 1700000100);
	ck_verify(hs_set, hs_token("{\"exp\":1e300}"), JWT_FAIL_MALFORMED);
	ck_verify(hs_set, hs_token("{\"exp\":\"1700000100\"}"),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, hs_token("{\"exp\":true}"), JWT_FAIL_MALFORMED);
}
END_TEST

START_TEST(test_not_yet_valid)
{
	ck_verify(hs_set, hs_token("{\"nbf\":1700000060}"),
	    JWT_FAIL_NOT_YET_VALID);
	ck_verify(hs_set, hs_token("{\"nbf\":1700000000}"), JWT_FAIL_NONE);
	ck_verify(hs_set, hs_token("{\"nbf\":1700000001}"),
	    JWT_FAIL_NOT_YET_VALID);
	policy.leeway = 59;
	ck_verify(hs_set, hs_token("{\"nbf\":1700000060}"),
	    JWT_FAIL_NOT_YET_VALID);
	policy.leeway = 60;
	ck_verify(hs_set, hs_token("{\"nbf\":1700000060}"), JWT_FAIL_NONE);
	ck_verify(hs_set, hs_token("{\"nbf\":\"soon\"}"), JWT_FAIL_MALFORMED);
}
END_TEST

START_TEST(test_missing_exp)
{
	char *t = forge_hs256(HS_HDR, "{\"sub\":\"alice\"}", SECRET);

	ck_assert_int_eq(verify(hs_set, t), JWT_FAIL_NO_EXPIRY);
	policy.allow_no_exp = 1;
	ck_assert_int_eq(verify(hs_set, t), JWT_FAIL_NONE);
	ck_assert_int_eq(id->exp, 0);
	free(t);
	/* An explicit null is not a missing exp. */
	ck_verify(hs_set, hs_token("{\"exp\":null}"), JWT_FAIL_MALFORMED);
}
END_TEST

/* --- issuer and audience -------------------------------------------------- */

START_TEST(test_issuer)
{
	policy.issuer = "https://sso.example/realms/demo";
	ck_verify(hs_set,
	    hs_token("{\"iss\":\"https://sso.example/realms/demo\"}"),
	    JWT_FAIL_NONE);
	ck_verify(hs_set,
	    hs_token("{\"iss\":\"https://sso.example/realms/demo/\"}"),
	    JWT_FAIL_BAD_ISSUER);
	ck_verify(hs_set,
	    hs_token("{\"iss\":\"https://sso.example/realms/dem\"}"),
	    JWT_FAIL_BAD_ISSUER);
	ck_verify(hs_set, hs_token("{\"iss\":\"https://evil.example\"}"),
	    JWT_FAIL_BAD_ISSUER);
	ck_verify(hs_set,
	    hs_token("{\"iss\":[\"https://sso.example/realms/demo\"]}"),
	    JWT_FAIL_BAD_ISSUER);
	/* jansson (so libjwt) refuses \u0000 outright. */
	ck_verify(hs_set,
	    forge_hs256(HS_HDR,
		"{\"sub\":\"a\",\"exp\":1700000060,"
		"\"iss\":\"https://sso.example/realms/demo\\u0000x\"}",
		SECRET),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, hs_token(NULL), JWT_FAIL_BAD_ISSUER);
}
END_TEST

START_TEST(test_audience)
{
	char many[2048];
	size_t n, i;

	/* Not configured: anything goes. */
	ck_verify(hs_set, hs_token("{\"aud\":\"whatever\"}"), JWT_FAIL_NONE);
	policy.audience = "hotline";
	ck_verify(hs_set, hs_token("{\"aud\":\"hotline\"}"), JWT_FAIL_NONE);
	ck_verify(hs_set, hs_token("{\"aud\":\"account\"}"),
	    JWT_FAIL_BAD_AUDIENCE);
	ck_verify(hs_set, hs_token("{\"aud\":[\"account\",\"hotline\"]}"),
	    JWT_FAIL_NONE);
	ck_verify(hs_set, hs_token("{\"aud\":[\"account\",\"hotlinex\"]}"),
	    JWT_FAIL_BAD_AUDIENCE);
	ck_verify(hs_set, hs_token("{\"aud\":[]}"), JWT_FAIL_BAD_AUDIENCE);
	ck_verify(hs_set, hs_token("{\"aud\":[1,null,{\"a\":\"hotline\"}]}"),
	    JWT_FAIL_BAD_AUDIENCE);
	ck_verify(hs_set, hs_token("{\"aud\":{\"hotline\":1}}"),
	    JWT_FAIL_BAD_AUDIENCE);
	ck_verify(hs_set, hs_token(NULL), JWT_FAIL_BAD_AUDIENCE);
	/* An array over the bound is refused even if it names us. */
	n = (size_t)snprintf(many, sizeof many, "{\"aud\":[");
	for (i = 0; i < JWT_AUD_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "\"a%zu\",",
		    i);
	snprintf(many + n, sizeof many - n, "\"hotline\"]}");
	ck_verify(hs_set, hs_token(many), JWT_FAIL_BAD_AUDIENCE);
}
END_TEST

START_TEST(test_audience_azp)
{
	policy.audience = "hotline";
	/* Keycloak access token: aud "account", azp the client. */
	ck_verify(hs_set, hs_token("{\"azp\":\"hotline\"}"),
	    JWT_FAIL_BAD_AUDIENCE);
	policy.audience_azp = 1;
	ck_verify(hs_set, hs_token("{\"azp\":\"hotline\"}"), JWT_FAIL_NONE);
	ck_verify(hs_set, hs_token("{\"azp\":\"other\"}"),
	    JWT_FAIL_BAD_AUDIENCE);
	ck_verify(hs_set, hs_token("{\"aud\":\"hotline\"}"), JWT_FAIL_NONE);
}
END_TEST

/* --- identity ------------------------------------------------------------- */

START_TEST(test_subject)
{
	char long_sub[JWT_USER_MAX + 32];

	ck_verify(hs_set, hs_token("{\"sub\":null}"), JWT_FAIL_NO_SUBJECT);
	ck_verify(hs_set, hs_token("{\"sub\":\"\"}"), JWT_FAIL_NO_SUBJECT);
	ck_verify(hs_set, hs_token("{\"sub\":42}"), JWT_FAIL_NO_SUBJECT);
	ck_verify(hs_set, hs_token("{\"sub\":\"a\\nb\"}"), JWT_FAIL_NO_SUBJECT);
	ck_verify(hs_set,
	    forge_hs256(HS_HDR, "{\"sub\":\"a\\u0000b\",\"exp\":1700000060}",
		SECRET),
	    JWT_FAIL_MALFORMED);
	ck_verify(hs_set, forge_hs256(HS_HDR, "{\"exp\":1700000060}", SECRET),
	    JWT_FAIL_NO_SUBJECT);
	snprintf(long_sub, sizeof long_sub, "{\"sub\":\"%0*d\"}",
	    JWT_USER_MAX + 1, 7);
	ck_verify(hs_set, hs_token(long_sub), JWT_FAIL_NO_SUBJECT);
	ck_verify(hs_set, hs_token("{\"sub\":\"f:0e2e\\u00e9\"}"),
	    JWT_FAIL_NONE);
	ck_assert_str_eq(id->user, "f:0e2e\xc3\xa9");
}
END_TEST

START_TEST(test_preferred_username)
{
	policy.user_claim = "preferred_username";
	ck_verify(hs_set, hs_token("{\"preferred_username\":\"bob\"}"),
	    JWT_FAIL_NONE);
	ck_assert_str_eq(id->user, "bob");
	ck_verify(hs_set, hs_token(NULL), JWT_FAIL_NO_SUBJECT);
}
END_TEST

START_TEST(test_roles_keycloak)
{
	ck_verify(hs_set, hs_token("{\"realm_access\":{\"roles\":"
				   "[\"user\",\"admin\",\"user\"]}}"),
	    JWT_FAIL_NONE);
	ck_assert_uint_eq(id->nroles, 2);
	ck_assert_str_eq(id->roles[0], "user");
	ck_assert_str_eq(id->roles[1], "admin");
	ck_assert_ptr_null(id->roles[2]);
	/* Client roles only with a client configured; dotted client ids. */
	policy.roles_client = "web.app";
	ck_verify(hs_set, hs_token("{\"resource_access\":{\"web.app\":"
	    "{\"roles\":[\"writer\"]},\"other\":{\"roles\":[\"x\"]}}}"),
	    JWT_FAIL_NONE);
	ck_assert_uint_eq(id->nroles, 1);
	ck_assert_str_eq(id->roles[0], "writer");
	/* Realm and client roles together, deduplicated. */
	ck_verify(hs_set,
	    forge_hs256(HS_HDR,
		"{\"sub\":\"a\",\"exp\":1700000060,\"realm_access\":{\"roles\":"
		"[\"user\"]},\"resource_access\":{\"web.app\":{\"roles\":"
		"[\"user\",\"writer\"]}}}",
		SECRET),
	    JWT_FAIL_NONE);
	ck_assert_uint_eq(id->nroles, 2);
	ck_assert_str_eq(id->roles[1], "writer");
	ck_verify(hs_set, hs_token("{\"realm_access\":[\"user\"]}"),
	    JWT_FAIL_NONE);
	ck_assert_uint_eq(id->nroles, 0);
}
END_TEST

START_TEST(test_roles_bad)
{
	char many[8192];
	size_t n, i;

	ck_verify(hs_set, hs_token("{\"realm_access\":{\"roles\":\"admin\"}}"),
	    JWT_FAIL_BAD_ROLES);
	ck_verify(hs_set, hs_token("{\"realm_access\":{\"roles\":[\"a\",1]}}"),
	    JWT_FAIL_BAD_ROLES);
	ck_verify(hs_set, hs_token("{\"realm_access\":{\"roles\":[\"\"]}}"),
	    JWT_FAIL_BAD_ROLES);
	ck_verify(hs_set,
	    hs_token("{\"realm_access\":{\"roles\":[\"a\\tb\"]}}"),
	    JWT_FAIL_BAD_ROLES);
	n = (size_t)snprintf(many, sizeof many,
	    "{\"realm_access\":{\"roles\":[");
	for (i = 0; i <= JWT_ROLES_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "%s\"r%zu\"",
		    i > 0 ? "," : "", i);
	snprintf(many + n, sizeof many - n, "]}}");
	ck_verify(hs_set, hs_token(many), JWT_FAIL_BAD_ROLES);
}
END_TEST

START_TEST(test_roles_claim_path)
{
	policy.roles_claim = "groups";
	ck_verify(hs_set, hs_token("{\"groups\":[\"ops\",\"dev\"]}"),
	    JWT_FAIL_NONE);
	ck_assert_uint_eq(id->nroles, 2);
	ck_assert_str_eq(id->roles[1], "dev");
	policy.roles_claim = "app.authz.roles";
	ck_verify(hs_set, hs_token("{\"app\":{\"authz\":{\"roles\":[\"r\"]}},"
				   "\"realm_access\":{\"roles\":[\"no\"]}}"),
	    JWT_FAIL_NONE);
	ck_assert_uint_eq(id->nroles, 1);
	ck_assert_str_eq(id->roles[0], "r");
	ck_verify(hs_set, hs_token("{\"app\":{\"authz\":[]}}"), JWT_FAIL_NONE);
	ck_assert_uint_eq(id->nroles, 0);
	ck_verify(hs_set, hs_token("{\"app\":{\"authz\":{\"roles\":{}}}}"),
	    JWT_FAIL_BAD_ROLES);
}
END_TEST

/* --- policy, names, bearer ------------------------------------------------ */

START_TEST(test_policy_check)
{
	char err[JWK_ERR_MAX];
	static const char *const bad_paths[] = { "", ".a", "a.", "a..b",
		"a.b.c.d.e.f.g.h.i" };
	size_t i;

	ck_assert_int_eq(jwt_policy_check(&policy, err, sizeof err), 0);
	policy.alg = JWT_ALG_RS384;
	ck_assert_int_eq(jwt_policy_check(&policy, err, sizeof err), -1);
	policy.alg = JWT_ALG_ES256;
	policy.leeway = JWT_LEEWAY_MAX + 1;
	ck_assert_int_eq(jwt_policy_check(&policy, err, sizeof err), -1);
	policy.leeway = 5;
	policy.user_claim = "";
	ck_assert_int_eq(jwt_policy_check(&policy, err, sizeof err), -1);
	policy.user_claim = "preferred_username";
	policy.roles_claim = "a.b.c.d.e.f.g.h";
	ck_assert_int_eq(jwt_policy_check(&policy, err, sizeof err), 0);
	for (i = 0; i < HL_ARRAY_LEN(bad_paths); i++) {
		policy.roles_claim = bad_paths[i];
		ck_assert_msg(jwt_policy_check(&policy, err, sizeof err) == -1,
		    "%s", bad_paths[i]);
	}
}
END_TEST

START_TEST(test_fail_names)
{
	int i, j;

	ck_assert_str_eq(jwt_fail_name(JWT_FAIL_NONE), "ok");
	ck_assert_str_eq(jwt_fail_name(JWT_FAIL_BAD_ALG), "bad_alg");
	ck_assert_str_eq(jwt_fail_name(JWT_FAIL_COUNT), "unknown");
	for (i = 0; i < JWT_FAIL_COUNT; i++) {
		ck_assert_ptr_nonnull(jwt_fail_name(i));
		for (j = 0; j < i; j++)
			ck_assert_str_ne(jwt_fail_name(i), jwt_fail_name(j));
	}
}
END_TEST

/* The first message of in-band auth (auth_message.c). */
START_TEST(test_auth_message)
{
	static const struct {
		uint8_t		 opcode;
		const char	*in;
		const char	*want;	/* NULL: refused */
	} cases[] = {
		{ WS_OP_TEXT, "{\"type\":\"auth\",\"token\":\"Bearer a.b.c\"}",
		  "a.b.c" },
		{ WS_OP_TEXT, "{\"token\":\"a.b.c\",\"type\":\"auth\",\"x\":1}",
		  "a.b.c" },
		{ WS_OP_BINARY, "{\"type\":\"auth\",\"token\":\"a.b.c\"}",
		  NULL },
		{ WS_OP_TEXT, "{\"type\":\"auth\"}", NULL },
		{ WS_OP_TEXT, "{\"type\":\"Auth\",\"token\":\"a.b.c\"}", NULL },
		{ WS_OP_TEXT, "{\"type\":\"auth\",\"token\":7}", NULL },
		{ WS_OP_TEXT, "{\"type\":\"auth\",\"token\":\"Basic eA==\"}",
		  NULL },
		{ WS_OP_TEXT, "{\"type\":\"auth\",\"token\":\"\"}", NULL },
		{ WS_OP_TEXT, "[\"auth\"]", NULL },
		{ WS_OP_TEXT, "{\"type\":\"auth\",", NULL },
		{ WS_OP_TEXT, "", NULL },
	};
	const char *tok;
	size_t i, len;
	json_t *doc;
	char *big;

	for (i = 0; i < HL_ARRAY_LEN(cases); i++) {
		doc = auth_message_parse(cases[i].opcode,
		    (const uint8_t *)cases[i].in, strlen(cases[i].in), &tok,
		    &len);
		if (cases[i].want == NULL) {
			ck_assert_msg(doc == NULL, "accepted %s", cases[i].in);
			continue;
		}
		ck_assert_msg(doc != NULL, "refused %s", cases[i].in);
		ck_assert_uint_eq(len, strlen(cases[i].want));
		ck_assert(memcmp(tok, cases[i].want, len) == 0);
		json_decref(doc);
	}
	/* Over AUTH_MSG_MAX bytes: refused before parsing. */
	big = malloc(AUTH_MSG_MAX + 64);
	len = (size_t)snprintf(big, AUTH_MSG_MAX + 64,
	    "{\"type\":\"auth\",\"token\":\"%0*d\"}", AUTH_MSG_MAX, 0);
	ck_assert_ptr_null(auth_message_parse(WS_OP_TEXT, (uint8_t *)big, len,
	    &tok, &len));
	free(big);
}
END_TEST

START_TEST(test_bearer)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: refused */
	} cases[] = {
		{ "Bearer abc.def.ghi", "abc.def.ghi" },
		{ "bearer abc", "abc" },
		{ "BEARER\tabc", "abc" },
		{ "  Bearer   abc  ", "abc" },
		{ "abc.def.ghi", "abc.def.ghi" },
		{ "Bearer", "Bearer" },
		{ "Bearer ", "Bearer" },
		{ "Basic dXNlcjpwYXNz", NULL },
		{ "Bearer a b", NULL },
		{ "", NULL },
		{ "   ", NULL },
	};
	const char *tok;
	size_t i, len;
	int rc;

	for (i = 0; i < HL_ARRAY_LEN(cases); i++) {
		rc = jwt_bearer(cases[i].in, strlen(cases[i].in), &tok, &len);
		if (cases[i].want == NULL) {
			ck_assert_msg(rc == -1, "accepted \"%s\"", cases[i].in);
			continue;
		}
		ck_assert_msg(rc == 0, "refused \"%s\"", cases[i].in);
		ck_assert_uint_eq(len, strlen(cases[i].want));
		ck_assert(memcmp(tok, cases[i].want, len) == 0);
	}
}
END_TEST

/* --- minting and the CLI -------------------------------------------------- */

START_TEST(test_mint_errors)
{
	char err[JWK_ERR_MAX];
	const char *bad_claims[] = { "novalue" };
	struct jwt_mint m = { .alg = JWT_ALG_INVAL, .sub = "a", .now = NOW };

	m.key = (const unsigned char *)"short";
	m.key_len = 5;
	ck_assert_ptr_null(jwt_mint_token(&m, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "32 bytes"));
	m.key = (const unsigned char *)SECRET;
	m.key_len = strlen(SECRET);
	m.alg = JWT_ALG_RS256;
	ck_assert_ptr_null(jwt_mint_token(&m, err, sizeof err));
	m.alg = JWT_ALG_INVAL;
	m.claims = bad_claims;
	m.nclaims = 1;
	ck_assert_ptr_null(jwt_mint_token(&m, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "name=value"));
	m.nclaims = 0;
	m.key = (const unsigned char *)ec.priv;
	m.key_len = strlen(ec.priv);
	m.key_is_pem = 1;
	m.alg = JWT_ALG_RS256;
	ck_assert_ptr_null(jwt_mint_token(&m, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "ES256"));
	m.key = (const unsigned char *)ec.pub;
	m.key_len = strlen(ec.pub);
	m.alg = JWT_ALG_INVAL;
	ck_assert_ptr_null(jwt_mint_token(&m, err, sizeof err));
}
END_TEST

START_TEST(test_mint_roundtrip)
{
	const char *roles[] = { "admin", "user" };
	const char *claims[] = { "azp=web", "nbf=1699999990", "n=\"42\"" };
	char err[JWK_ERR_MAX], *token;
	struct jwt_mint m = {
		.alg = JWT_ALG_INVAL, .key = (const unsigned char *)rsa.priv,
		.key_len = strlen(rsa.priv), .key_is_pem = 1, .sub = "carol",
		.iss = "https://sso", .aud = "account", .kid = "rsa1",
		.roles = roles, .nroles = 2, .now = NOW, .has_exp = 1,
		.exp = 300, .claims = claims, .nclaims = 3,
	};

	token = jwt_mint_token(&m, err, sizeof err);
	ck_assert_msg(token != NULL, "%s", err);
	policy.alg = JWT_ALG_RS256;
	policy.issuer = "https://sso";
	policy.audience = "web";
	policy.audience_azp = 1;
	ck_verify(rs_set, token, JWT_FAIL_NONE);
	ck_assert_str_eq(id->user, "carol");
	ck_assert_uint_eq(id->nroles, 2);
	ck_assert_str_eq(id->roles[0], "admin");
	ck_assert_int_eq(id->exp, NOW + 300);
}
END_TEST

/* Write text to a new temporary file; returns its path (static buffer). */
static const char *
write_temp(const char *text, char *path, size_t size)
{
	FILE *fp;
	int fd;

	snprintf(path, size, "/tmp/check_jwt.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Run the built hotline-token with args; returns its output line. */
static char *
run_cli(const char *args)
{
	const char *top = getenv("top_builddir");
	char cmd[1024], line[JWT_TOKEN_MAX + 2];
	FILE *fp;

	snprintf(cmd, sizeof cmd, "'%s/tools/hotline-token' %s", top, args);
	ck_assert_ptr_nonnull(fp = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof line, fp));
	ck_assert_int_eq(pclose(fp), 0);
	line[strcspn(line, "\n")] = '\0';
	return strdup(line);
}

START_TEST(test_cli_roundtrip)
{
	char secret_path[64], key_path[64], args[512], *token;

	if (getenv("top_builddir") == NULL)
		return;	/* run outside make check: nothing to run */
	write_temp(SECRET "\n", secret_path, sizeof secret_path);
	write_temp(rsa.priv, key_path, sizeof key_path);
	snprintf(args, sizeof args,
	    "--secret-file %s --sub dave --roles ops,dev --aud hotline "
	    "--iss me --exp 120 --claim 'n=[1]'", secret_path);
	token = run_cli(args);
	policy.audience = "hotline";
	policy.issuer = "me";
	/* The CLI stamps the real time: verify at its time, not NOW. */
	ck_assert_int_eq(jwt_verify_token(&policy, hs_set, token,
	    strlen(token), time(NULL), &id, &res), 0);
	ck_assert_str_eq(id->user, "dave");
	ck_assert_uint_eq(id->nroles, 2);
	ck_assert_str_eq(id->roles[1], "dev");
	free(token);
	snprintf(args, sizeof args, "--key %s --kid rsa1 --sub erin --exp 60",
	    key_path);
	token = run_cli(args);
	policy.alg = JWT_ALG_RS256;
	policy.audience = NULL;
	policy.issuer = NULL;
	auth_identity_free(id);
	ck_assert_int_eq(jwt_verify_token(&policy, rs_set, token,
	    strlen(token), time(NULL), &id, &res), 0);
	ck_assert_str_eq(id->user, "erin");
	free(token);
	unlink(secret_path);
	unlink(key_path);
}
END_TEST

static Suite *
jwt_suite(void)
{
	Suite *s = suite_create("jwt");
	TCase *tc;

	tc = tcase_create("alg");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hs256_ok);
	tcase_add_test(tc, test_hs384_hs512_pinned);
	tcase_add_test(tc, test_rs256_es256_ok);
	tcase_add_test(tc, test_confusion_hs_with_rsa_pem);
	tcase_add_test(tc, test_confusion_rs_when_hs_pinned);
	tcase_add_test(tc, test_alg_none);
	tcase_add_test(tc, test_header_variants);
	tcase_add_test(tc, test_kid_selection);
	tcase_add_test(tc, test_no_keys);
	suite_add_tcase(s, tc);
	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_malformed_shapes);
	tcase_add_test(tc, test_malformed_truncated);
	tcase_add_test(tc, test_malformed_header);
	tcase_add_test(tc, test_malformed_payload);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_too_large);
	suite_add_tcase(s, tc);
	tc = tcase_create("claims");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_not_yet_valid);
	tcase_add_test(tc, test_missing_exp);
	tcase_add_test(tc, test_issuer);
	tcase_add_test(tc, test_audience);
	tcase_add_test(tc, test_audience_azp);
	tcase_add_test(tc, test_subject);
	tcase_add_test(tc, test_preferred_username);
	tcase_add_test(tc, test_roles_keycloak);
	tcase_add_test(tc, test_roles_bad);
	tcase_add_test(tc, test_roles_claim_path);
	suite_add_tcase(s, tc);
	tc = tcase_create("api");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_policy_check);
	tcase_add_test(tc, test_fail_names);
	tcase_add_test(tc, test_bearer);
	tcase_add_test(tc, test_auth_message);
	tcase_add_test(tc, test_mint_errors);
	tcase_add_test(tc, test_mint_roundtrip);
	tcase_add_test(tc, test_cli_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	/* Keys are made once, before check forks a child per test. */
	test_pair_make(&rsa, "RSA", NULL, 2048);
	test_pair_make(&rsa2, "RSA", NULL, 2048);
	test_pair_make(&ec, "EC", "P-256", 0);
	sr = srunner_create(jwt_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	test_pair_free(&rsa);
	test_pair_free(&rsa2);
	test_pair_free(&ec);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
