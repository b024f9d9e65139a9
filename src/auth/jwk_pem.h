/*
 * Public keys as PEM text, the form libjwt 1.x verifies with: built from
 * JWK parameters (RSA n/e, EC P-256 x/y) or read from PEM/certificate text
 * and written back as a normalized SubjectPublicKeyInfo.
 */
#ifndef HL_JWK_PEM_H
#define HL_JWK_PEM_H

#include <stddef.h>

enum jwk_kind {
	JWK_KIND_HMAC,		/* shared secret bytes */
	JWK_KIND_RSA,		/* RSA public key, PEM */
	JWK_KIND_EC_P256,	/* EC public key on P-256, PEM */
};

/* Accepted RSA modulus sizes, in bytes without leading zeros. */
#define JWK_RSA_MIN_BYTES	256	/* 2048 bits */
#define JWK_RSA_MAX_BYTES	1024	/* 8192 bits */
#define JWK_RSA_E_MAX_BYTES	8
#define JWK_P256_COORD_BYTES	32

/* PEM for the RSA key with big-endian modulus n and exponent e. Returns a
 * NUL-terminated string the caller frees, or NULL with a cause in err. */
char	*jwk_pem_from_rsa(const unsigned char *n, size_t nlen,
	    const unsigned char *e, size_t elen, char *err, size_t errlen);

/* PEM for the P-256 point (x, y), 32 bytes each; the point must lie on the
 * curve. Returns a string the caller frees, or NULL with a cause in err. */
char	*jwk_pem_from_p256(const unsigned char *x, const unsigned char *y,
	    char *err, size_t errlen);

/* Read a public key (or an X.509 certificate's key) from PEM text of len
 * bytes. Only RSA of the sizes above and EC P-256 are accepted; private keys
 * are refused. Returns normalized PUBLIC KEY PEM the caller frees and sets
 * *kind, or NULL with a cause in err. */
char	*jwk_pem_normalize(const char *pem, size_t len, enum jwk_kind *kind,
	    char *err, size_t errlen);

#endif
