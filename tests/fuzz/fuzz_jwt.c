/* libFuzzer harness for token verification: the shape and JOSE header
 * parser, key selection and the claim checks. `make check` runs it with
 * tests/fuzz/driver.c; `make fuzz` builds it with clang's libFuzzer
 * (docs/fuzzing.md).
 *
 * The input's first byte picks a policy variant; the rest is the token.
 * Inputs that start with a real header exercise the claim checks too:
 * an HS256 key "fuzz..." is configured, and libFuzzer's CMP tracing finds
 * the header alg. The harness also checks the claims mapping directly by
 * feeding the rest as a claims object when it parses as JSON. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/jwt_claims.h"
#include "auth/jwt_verify.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct jwk_set *fuzz_keys;

/* A policy varied by one byte of input. */
static void
fuzz_policy(struct jwt_policy *p, uint8_t v)
{
	jwt_policy_init(p, (v & 1) ? JWT_ALG_HS256 : JWT_ALG_RS256);
	p->issuer = (v & 2) ? "iss" : NULL;
	p->audience = (v & 4) ? "aud" : NULL;
	p->audience_azp = (v & 8) != 0;
	p->leeway = (v & 16) ? 60 : 0;
	p->allow_no_exp = (v & 32) != 0;
	p->roles_claim = (v & 64) ? "a.b.c" : NULL;
	p->roles_client = (v & 128) ? "client" : NULL;
}

/* Abort unless an identity is well formed. */
static void
fuzz_check_identity(const struct auth_identity *id)
{
	size_t i;

	if (id->user == NULL || id->user[0] == '\0' ||
	    id->nroles > JWT_ROLES_MAX || id->roles[id->nroles] != NULL)
		abort();
	for (i = 0; i < id->nroles; i++)
		if (id->roles[i] == NULL || id->roles[i][0] == '\0')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_identity *id = NULL;
	struct jwt_policy policy;
	struct jwt_result res;
	json_t *claims;
	char err[JWK_ERR_MAX];

	if (size == 0)
		return 0;
	if (fuzz_keys == NULL) {
		fuzz_keys = jwk_set_new();
		if (jwk_set_add_secret(fuzz_keys, NULL,
			"fuzz-secret-0123456789abcdef0123", 32, err,
			sizeof err) < 0)
			abort();
	}
	fuzz_policy(&policy, data[0]);
	if (jwt_verify_token(&policy, fuzz_keys, (const char *)data + 1,
		size - 1, 1700000000, &id, &res) == 0)
		fuzz_check_identity(id);
	else if (id != NULL || res.fail == JWT_FAIL_NONE ||
	    res.fail >= JWT_FAIL_COUNT)
		abort();
	auth_identity_free(id);
	id = NULL;
	claims = json_loadb((const char *)data + 1, size - 1, 0, NULL);
	if (json_is_object(claims) &&
	    jwt_claims_check(&policy, claims, 1700000000, &id, &res) == 0)
		fuzz_check_identity(id);
	auth_identity_free(id);
	json_decref(claims);
	return 0;
}
