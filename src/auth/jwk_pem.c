/* JWK parameters and PEM text to normalized PEM public keys (OpenSSL 3). */
#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "auth/jwk_pem.h"
#include "core/util.h"

/* Write key as PUBLIC KEY PEM into a fresh string, or NULL. */
static char *
jwk_pem_write(EVP_PKEY *key, char *err, size_t errlen)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long len;

	if (bio == NULL || PEM_write_bio_PUBKEY(bio, key) != 1) {
		snprintf(err, errlen, "cannot write the key as PEM");
		goto out;
	}
	len = BIO_get_mem_data(bio, &data);
	pem = xmalloc((size_t)len + 1);
	memcpy(pem, data, (size_t)len);
	pem[len] = '\0';
out:
	BIO_free(bio);
	return pem;
}

/* Build a public key of type name ("RSA", "EC") from params. */
static EVP_PKEY *
jwk_pem_fromdata(const char *name, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	EVP_PKEY *key = NULL;

	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* Skip leading zero bytes of a big-endian integer. */
static const unsigned char *
jwk_pem_strip(const unsigned char *p, size_t *len)
{
	while (*len > 0 && *p == 0) {
		p++;
		(*len)--;
	}
	return p;
}

char *
jwk_pem_from_rsa(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen, char *err, size_t errlen)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	EVP_PKEY *key = NULL;
	char *pem = NULL;

	n = jwk_pem_strip(n, &nlen);
	e = jwk_pem_strip(e, &elen);
	if (nlen < JWK_RSA_MIN_BYTES || nlen > JWK_RSA_MAX_BYTES) {
		snprintf(err, errlen, "RSA modulus of %zu bits not accepted",
		    nlen * 8);
		return NULL;
	}
	/* Even or tiny exponents are not RSA keys anyone should sign with. */
	if (elen == 0 || elen > JWK_RSA_E_MAX_BYTES || (e[elen - 1] & 1) == 0 ||
	    (elen == 1 && e[0] < 3)) {
		snprintf(err, errlen, "bad RSA exponent");
		return NULL;
	}
	bn_n = BN_bin2bn(n, (int)nlen, NULL);
	bn_e = BN_bin2bn(e, (int)elen, NULL);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL || bn_n == NULL ||
	    bn_e == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (key = jwk_pem_fromdata("RSA", params)) == NULL)
		snprintf(err, errlen, "cannot build the RSA key");
	else
		pem = jwk_pem_write(key, err, errlen);
	EVP_PKEY_free(key);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	ERR_clear_error();
	return pem;
}

/* Whether key's public part is valid (for EC: the point is on the curve). */
static int
jwk_pem_check(EVP_PKEY *key)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	int ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;

	EVP_PKEY_CTX_free(ctx);
	return ok;
}

char *
jwk_pem_from_p256(const unsigned char *x, const unsigned char *y, char *err,
    size_t errlen)
{
	unsigned char point[1 + 2 * JWK_P256_COORD_BYTES];
	char group[] = "prime256v1";
	OSSL_PARAM params[3];
	EVP_PKEY *key;
	char *pem = NULL;

	/* Uncompressed SEC1 encoding: 0x04 || x || y. */
	point[0] = 0x04;
	memcpy(point + 1, x, JWK_P256_COORD_BYTES);
	memcpy(point + 1 + JWK_P256_COORD_BYTES, y, JWK_P256_COORD_BYTES);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    point, sizeof point);
	params[2] = OSSL_PARAM_construct_end();
	key = jwk_pem_fromdata("EC", params);
	if (key == NULL || !jwk_pem_check(key))
		snprintf(err, errlen, "EC point is not on P-256");
	else
		pem = jwk_pem_write(key, err, errlen);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return pem;
}

/* The kind of key, or -1 if hotline does not verify with such keys. */
static int
jwk_pem_kind(EVP_PKEY *key, char *err, size_t errlen)
{
	char group[32];
	int bits = EVP_PKEY_get_bits(key);

	if (EVP_PKEY_is_a(key, "RSA")) {
		if (bits < JWK_RSA_MIN_BYTES * 8 ||
		    bits > JWK_RSA_MAX_BYTES * 8) {
			snprintf(err, errlen, "RSA key of %d bits not accepted",
			    bits);
			return -1;
		}
		return JWK_KIND_RSA;
	}
	if (EVP_PKEY_is_a(key, "EC") &&
	    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
		group, sizeof group, NULL) == 1 &&
	    strcmp(group, "prime256v1") == 0)
		return JWK_KIND_EC_P256;
	snprintf(err, errlen, "only RSA and EC P-256 public keys are accepted");
	return -1;
}

/* The public key in PEM text: a PUBLIC KEY block or a certificate. */
static EVP_PKEY *
jwk_pem_read(const char *pem, size_t len)
{
	EVP_PKEY *key;
	X509 *cert;
	BIO *bio;

	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (key == NULL && BIO_reset(bio) == 1) {
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		key = cert != NULL ? X509_get_pubkey(cert) : NULL;
		X509_free(cert);
	}
	BIO_free(bio);
	/* A failed read leaves errors that would confuse the next TLS call. */
	ERR_clear_error();
	return key;
}

char *
jwk_pem_normalize(const char *pem, size_t len, enum jwk_kind *kind, char *err,
    size_t errlen)
{
	EVP_PKEY *key;
	char *out = NULL;
	int k;

	if (len > INT_MAX || (key = jwk_pem_read(pem, len)) == NULL) {
		snprintf(err, errlen,
		    "no PUBLIC KEY or CERTIFICATE block in the PEM text");
		return NULL;
	}
	if ((k = jwk_pem_kind(key, err, errlen)) >= 0 &&
	    (out = jwk_pem_write(key, err, errlen)) != NULL)
		*kind = (enum jwk_kind)k;
	EVP_PKEY_free(key);
	return out;
}
