/* Minting tokens for load tests, examples and docs (hotline-token, unit
 * tests). Not used by the daemon's verification path. */
#ifndef HL_JWT_MINT_H
#define HL_JWT_MINT_H

#include <stddef.h>
#include <time.h>

#include <jwt.h>

#define JWT_MINT_CLAIMS_MAX 64	/* extra claims */

/* What to put in a token. All pointers are borrowed. */
struct jwt_mint {
	jwt_alg_t		 alg;	/* JWT_ALG_INVAL: HS256 with a secret,
					 * else from the private key's type */
	const unsigned char	*key;	/* HMAC secret, or private key PEM */
	size_t			 key_len;
	int			 key_is_pem;
	const char		*sub, *iss, *aud, *kid;	/* NULL: left out */
	const char *const	*roles;	/* realm_access.roles; NULL: none */
	size_t			 nroles;
	time_t			 now;	/* "iat"; exp and nbf count from it */
	int			 has_exp;
	long			 exp;	/* seconds after now (may be < 0) */
	int			 has_nbf;
	long			 nbf;	/* seconds after now */
	/* "name=value" each; value is taken as JSON when it parses as
	 * JSON (42, true, ["a"], "quoted"), else as a string. Extra claims
	 * override the ones above. */
	const char *const	*claims;
	size_t			 nclaims;
};

/* Sign a token. Returns a NUL-terminated compact token the caller frees
 * with free(), or NULL with a cause in err (errlen bytes): a secret shorter
 * than 32 bytes, a key that does not suit alg, a bad --claim. */
char	*jwt_mint_token(const struct jwt_mint *m, char *err, size_t errlen);

#endif
