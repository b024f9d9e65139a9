/* Test keys made with OpenSSL at run time (no files, no network), and the
 * JWK form of their public halves. Shared by check_jwt and check_jwk. */
#ifndef HL_TEST_AUTH_KEYS_H
#define HL_TEST_AUTH_KEYS_H

#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth/auth_b64.h"

/* Not every test file uses every helper. */
#define TEST_FN static __attribute__((unused))

/* Keys are made in main(), outside any test, where check's ck_assert
 * cannot report: abort loudly instead. */
#define TEST_REQUIRE(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,	\
		    #cond);						\
		abort();						\
	}								\
} while (0)

/* A key pair as PEM texts (owned, NUL-terminated). */
struct test_pair {
	EVP_PKEY	*pkey;
	char		*priv;
	char		*pub;
};

/* The contents of a memory BIO as a new string. */
TEST_FN char *
test_bio_string(BIO *bio)
{
	char *data, *s;
	long len = BIO_get_mem_data(bio, &data);

	s = malloc((size_t)len + 1);
	TEST_REQUIRE(s != NULL);
	memcpy(s, data, (size_t)len);
	s[len] = '\0';
	return s;
}

/* Generate a pair: ("RSA", bits) or ("EC", curve name). */
TEST_FN void
test_pair_make(struct test_pair *p, const char *type, const char *curve,
    size_t bits)
{
	BIO *bio;

	p->pkey = curve != NULL ? EVP_PKEY_Q_keygen(NULL, NULL, type, curve) :
				  EVP_PKEY_Q_keygen(NULL, NULL, type, bits);
	TEST_REQUIRE(p->pkey != NULL);
	bio = BIO_new(BIO_s_mem());
	TEST_REQUIRE(PEM_write_bio_PrivateKey(bio, p->pkey, NULL, NULL, 0, NULL,
	    NULL) == 1);
	p->priv = test_bio_string(bio);
	BIO_free(bio);
	bio = BIO_new(BIO_s_mem());
	TEST_REQUIRE(PEM_write_bio_PUBKEY(bio, p->pkey) == 1);
	p->pub = test_bio_string(bio);
	BIO_free(bio);
}

TEST_FN void
test_pair_free(struct test_pair *p)
{
	EVP_PKEY_free(p->pkey);
	free(p->priv);
	free(p->pub);
	memset(p, 0, sizeof *p);
}

/* base64url of len bytes as a jansson string. */
TEST_FN json_t *
test_b64_json(const unsigned char *bytes, size_t len)
{
	char *text = malloc(AUTH_B64_ENCODED_SIZE(len));
	json_t *s;

	auth_b64url_encode(bytes, len, text);
	s = json_string(text);
	free(text);
	return s;
}

/* base64url of a BIGNUM parameter of pkey. */
TEST_FN json_t *
test_bn_json(EVP_PKEY *pkey, const char *param)
{
	unsigned char buf[1024];
	BIGNUM *bn = NULL;
	int n;

	TEST_REQUIRE(EVP_PKEY_get_bn_param(pkey, param, &bn) == 1);
	n = BN_bn2bin(bn, buf);
	BN_free(bn);
	return test_b64_json(buf, (size_t)n);
}

/* The JWK (an object the caller owns) for the public half of p, with kid
 * and (when not NULL) use and alg. */
TEST_FN json_t *
test_pair_jwk(const struct test_pair *p, const char *kid, const char *use,
    const char *alg)
{
	unsigned char point[65];
	size_t len = 0;
	json_t *jwk = json_object();

	if (EVP_PKEY_is_a(p->pkey, "RSA")) {
		json_object_set_new(jwk, "kty", json_string("RSA"));
		json_object_set_new(jwk, "n",
		    test_bn_json(p->pkey, OSSL_PKEY_PARAM_RSA_N));
		json_object_set_new(jwk, "e",
		    test_bn_json(p->pkey, OSSL_PKEY_PARAM_RSA_E));
	} else {
		TEST_REQUIRE(EVP_PKEY_get_octet_string_param(p->pkey,
		    OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len) == 1);
		TEST_REQUIRE(len == 65);
		json_object_set_new(jwk, "kty", json_string("EC"));
		json_object_set_new(jwk, "crv", json_string("P-256"));
		json_object_set_new(jwk, "x", test_b64_json(point + 1, 32));
		json_object_set_new(jwk, "y", test_b64_json(point + 33, 32));
	}
	if (kid != NULL)
		json_object_set_new(jwk, "kid", json_string(kid));
	if (use != NULL)
		json_object_set_new(jwk, "use", json_string(use));
	if (alg != NULL)
		json_object_set_new(jwk, "alg", json_string(alg));
	return jwk;
}

#endif
