/*
 * Verification keys by kid: HMAC secrets, RSA/EC public keys from PEM, and
 * JWKS documents (Keycloak's realm "certs"). A set is built whole and then
 * read-only, so a refresh builds a new set and swaps the pointer; verifying
 * never keeps a pointer into a set past the call.
 */
#ifndef HL_JWK_H
#define HL_JWK_H

#include <stddef.h>

#include <jwt.h>

#include "auth/jwk_pem.h"

#define JWK_SET_MAX_KEYS	32		/* keys kept in one set */
#define JWKS_MAX_ENTRIES	128		/* entries a JWKS may list */
#define JWKS_TEXT_MAX		(256 * 1024)	/* JWKS document bytes */
#define JWK_KID_MAX		256		/* bytes of a kid */
#define JWK_SECRET_MIN		32		/* RFC 7518 3.2: >= hash size */
#define JWK_SECRET_MAX		1024
#define JWK_PEM_MAX		16384		/* PEM file bytes */
#define JWK_ERR_MAX		160		/* a useful err buffer size */

/* One verification key. Owned by its set. */
struct jwk_key {
	char		*kid;		/* NULL: the key has no kid */
	enum jwk_kind	 kind;
	jwt_alg_t	 alg;		/* the JWK's "alg", or JWT_ALG_INVAL */
	unsigned char	*material;	/* secret bytes, or PEM text */
	size_t		 len;		/* bytes of material (PEM: strlen) */
};

struct jwk_set;

/* The algorithm named name among those hotline verifies (HS256, HS384,
 * HS512, RS256, ES256), or JWT_ALG_INVAL; "none" is never one of them. */
jwt_alg_t	 jwk_alg_parse(const char *name);
/* The name of a supported algorithm, or NULL. */
const char	*jwk_alg_name(jwt_alg_t alg);
/* Whether key can verify signatures made with alg (kind and stated alg). */
int		 jwk_key_fits(const struct jwk_key *key, jwt_alg_t alg);

/* An empty set; the caller frees it with jwk_set_free. */
struct jwk_set	*jwk_set_new(void);
/* Free a set and wipe its key material; NULL is fine. */
void		 jwk_set_free(struct jwk_set *set);
size_t		 jwk_set_count(const struct jwk_set *set);
/* Entries jwks_load skipped (use other than sig, unsupported kty/crv/alg). */
size_t		 jwk_set_skipped(const struct jwk_set *set);
/* The i-th key, valid while the set lives. */
const struct jwk_key *jwk_set_key(const struct jwk_set *set, size_t i);

/*
 * The key for a token's kid (NULL: the token has none), valid while the set
 * lives, or NULL. A kid picks the key with that kid; failing that, and with
 * no kid, a set of exactly one key without a kid (resp. one key) is used.
 */
const struct jwk_key *jwk_set_find(const struct jwk_set *set, const char *kid);

/*
 * Adding keys: each copies its arguments (kid may be NULL) and returns 0, or
 * -1 with a cause in err (errlen bytes) when the key is refused: a duplicate
 * kid, a full set, a secret shorter than JWK_SECRET_MIN or longer than
 * JWK_SECRET_MAX, PEM that holds no accepted public key, an unreadable file.
 */
int	 jwk_set_add_secret(struct jwk_set *set, const char *kid,
	    const void *secret, size_t len, char *err, size_t errlen);
/* The secret is the file's content minus one trailing newline. */
int	 jwk_set_add_secret_file(struct jwk_set *set, const char *kid,
	    const char *path, char *err, size_t errlen);
/* An RSA or EC P-256 PUBLIC KEY or CERTIFICATE in PEM text. */
int	 jwk_set_add_pem(struct jwk_set *set, const char *kid, const char *pem,
	    size_t len, char *err, size_t errlen);
int	 jwk_set_add_pem_file(struct jwk_set *set, const char *kid,
	    const char *path, char *err, size_t errlen);

/*
 * A new set from a JWKS document of len bytes ({"keys": [...]}), or NULL
 * with a cause in err. Entries whose "use" is not "sig", whose kty/crv or
 * alg hotline does not verify are skipped (counted); a broken entry of a
 * supported type (bad base64url, point off the curve, short modulus, a
 * duplicate kid) fails the whole document, so a refresh never replaces a
 * good set with half of a bad one. A document with no usable key fails.
 */
struct jwk_set	*jwks_load(const char *json, size_t len, char *err,
		    size_t errlen);
/* jwks_load on a file's content (at most JWKS_TEXT_MAX bytes). */
struct jwk_set	*jwks_load_file(const char *path, char *err, size_t errlen);

#endif
