/* Claim checks and the claims-to-identity mapping of jwt_verify (internal;
 * declared apart so unit tests can drive it with plain JSON). */
#ifndef HL_JWT_CLAIMS_H
#define HL_JWT_CLAIMS_H

#include <time.h>

#include <jansson.h>

#include "auth/jwt_verify.h"

/* Set res to fail with a printf-style message; returns -1. */
int	jwt_result_fail(struct jwt_result *res, enum jwt_fail fail,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Check the verified claims object (exp, nbf, iss, aud) against policy at
 * now and map it to an identity. Returns 0 with *out set (caller frees),
 * or -1 with res set. Borrows claims. */
int	jwt_claims_check(const struct jwt_policy *policy, const json_t *claims,
	    time_t now, struct auth_identity **out, struct jwt_result *res);

#endif
