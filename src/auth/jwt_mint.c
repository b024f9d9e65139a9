/* Signing tokens with libjwt: claims built with jansson, then encoded. */
#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth/jwk.h"
#include "auth/jwt_mint.h"
#include "core/util.h"

/* The algorithm for a private key PEM's type, or JWT_ALG_INVAL. */
static jwt_alg_t
jwt_mint_pem_alg(const unsigned char *pem, size_t len)
{
	jwt_alg_t alg = JWT_ALG_INVAL;
	EVP_PKEY *key = NULL;
	BIO *bio;

	if (len <= INT_MAX && (bio = BIO_new_mem_buf(pem, (int)len)) != NULL) {
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (key != NULL && EVP_PKEY_is_a(key, "RSA"))
		alg = JWT_ALG_RS256;
	else if (key != NULL && EVP_PKEY_is_a(key, "EC") &&
	    EVP_PKEY_get_bits(key) == 256)
		alg = JWT_ALG_ES256;
	EVP_PKEY_free(key);
	ERR_clear_error();
	return alg;
}

/* The algorithm to sign with, checked against the key; or INVAL. */
static jwt_alg_t
jwt_mint_alg(const struct jwt_mint *m, char *err, size_t errlen)
{
	jwt_alg_t from_key;

	if (!m->key_is_pem) {
		if (m->key_len < JWK_SECRET_MIN) {
			snprintf(err, errlen, "secret shorter than %d bytes",
			    JWK_SECRET_MIN);
			return JWT_ALG_INVAL;
		}
		from_key = m->alg == JWT_ALG_INVAL ? JWT_ALG_HS256 : m->alg;
		if (from_key != JWT_ALG_HS256 && from_key != JWT_ALG_HS384 &&
		    from_key != JWT_ALG_HS512) {
			snprintf(err, errlen, "a secret signs HS256/384/512");
			return JWT_ALG_INVAL;
		}
		return from_key;
	}
	if ((from_key = jwt_mint_pem_alg(m->key, m->key_len)) ==
	    JWT_ALG_INVAL) {
		snprintf(err, errlen,
		    "no RSA or EC P-256 private key in the PEM text");
		return JWT_ALG_INVAL;
	}
	if (m->alg != JWT_ALG_INVAL && m->alg != from_key) {
		snprintf(err, errlen, "the key signs %s, not %s",
		    jwk_alg_name(from_key), jwk_alg_name(m->alg));
		return JWT_ALG_INVAL;
	}
	return from_key;
}

/* Set one "name=value" claim on claims; -1 with err if malformed. */
static int
jwt_mint_extra(json_t *claims, const char *spec, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	char name[256];
	json_t *value;

	if (eq == NULL || eq == spec || (size_t)(eq - spec) >= sizeof name) {
		snprintf(err, errlen, "claim \"%.40s\" is not name=value",
		    spec);
		return -1;
	}
	memcpy(name, spec, (size_t)(eq - spec));
	name[eq - spec] = '\0';
	value = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
	if (value == NULL)
		value = json_string(eq + 1);
	if (value == NULL) {
		snprintf(err, errlen, "claim %.40s: not UTF-8", name);
		return -1;
	}
	json_object_set_new(claims, name, value);
	return 0;
}

/* Set a string claim unless value is NULL. */
static void
jwt_mint_string(json_t *claims, const char *name, const char *value)
{
	if (value != NULL)
		json_object_set_new(claims, name, json_string(value));
}

/* The claims object for m, or NULL with err. */
static json_t *
jwt_mint_claims(const struct jwt_mint *m, char *err, size_t errlen)
{
	json_t *claims = json_object(), *roles;
	size_t i;

	json_object_set_new(claims, "iat", json_integer((json_int_t)m->now));
	if (m->has_exp)
		json_object_set_new(claims, "exp",
		    json_integer((json_int_t)m->now + m->exp));
	if (m->has_nbf)
		json_object_set_new(claims, "nbf",
		    json_integer((json_int_t)m->now + m->nbf));
	jwt_mint_string(claims, "sub", m->sub);
	jwt_mint_string(claims, "iss", m->iss);
	jwt_mint_string(claims, "aud", m->aud);
	if (m->roles != NULL) {
		roles = json_array();
		for (i = 0; i < m->nroles; i++)
			json_array_append_new(roles, json_string(m->roles[i]));
		json_object_set_new(claims, "realm_access",
		    json_pack("{s:o}", "roles", roles));
	}
	for (i = 0; i < m->nclaims; i++) {
		if (jwt_mint_extra(claims, m->claims[i], err, errlen) < 0) {
			json_decref(claims);
			return NULL;
		}
	}
	return claims;
}

char *
jwt_mint_token(const struct jwt_mint *m, char *err, size_t errlen)
{
	json_t *claims = NULL;
	char *text = NULL, *token = NULL;
	jwt_t *jwt = NULL;
	jwt_alg_t alg;

	if (m->nclaims > JWT_MINT_CLAIMS_MAX) {
		snprintf(err, errlen, "more than %d extra claims",
		    JWT_MINT_CLAIMS_MAX);
		return NULL;
	}
	if ((alg = jwt_mint_alg(m, err, errlen)) == JWT_ALG_INVAL ||
	    (claims = jwt_mint_claims(m, err, errlen)) == NULL)
		goto out;
	text = json_dumps(claims, JSON_COMPACT);
	if (jwt_new(&jwt) != 0 || text == NULL ||
	    jwt_add_grants_json(jwt, text) != 0 ||
	    (m->kid != NULL && jwt_add_header(jwt, "kid", m->kid) != 0) ||
	    jwt_set_alg(jwt, alg, m->key, (int)m->key_len) != 0 ||
	    (token = jwt_encode_str(jwt)) == NULL)
		snprintf(err, errlen, "libjwt could not sign the token");
out:
	ERR_clear_error();
	jwt_free(jwt);
	free(text);
	json_decref(claims);
	return token;
}
