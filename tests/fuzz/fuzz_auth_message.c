/* libFuzzer harness for the first-message auth path: the message parser
 * ({"type":"auth","token":"Bearer ..."}) and then the verification of the
 * token it yields, as auth_conn.c runs them, without a socket. Built by
 * `make check` with tests/fuzz/driver.c, and by `make fuzz` with clang's
 * libFuzzer (docs/fuzzing.md).
 *
 * The input's first byte picks the opcode (bit 0: binary instead of text)
 * and a policy variant; the rest is the message. An HS256 key
 * "fuzz-secret-..." is configured, so seeds with real tokens reach the
 * claim checks. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_message.h"
#include "auth/jwt_verify.h"
#include "ws/ws_frame.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct jwk_set *fuzz_keys;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_identity *id = NULL;
	struct jwt_policy policy;
	struct jwt_result res;
	const char *token = NULL;
	size_t toklen = 0;
	char err[JWK_ERR_MAX];
	json_t *doc;

	if (size == 0)
		return 0;
	if (fuzz_keys == NULL) {
		fuzz_keys = jwk_set_new();
		if (jwk_set_add_secret(fuzz_keys, NULL,
		    "fuzz-secret-0123456789abcdef0123", 32, err,
		    sizeof err) < 0)
			abort();
	}
	doc = auth_message_parse((data[0] & 1) ? WS_OP_BINARY : WS_OP_TEXT,
	    data + 1, size - 1, &token, &toklen);
	if (doc == NULL)
		return 0;
	if ((data[0] & 1) || size - 1 > AUTH_MSG_MAX || token == NULL ||
	    toklen == 0)
		abort();
	jwt_policy_init(&policy, JWT_ALG_HS256);
	policy.issuer = (data[0] & 2) ? "test-iss" : NULL;
	policy.audience = (data[0] & 4) ? "hotline" : NULL;
	policy.leeway = (data[0] & 8) ? 60 : 0;
	policy.allow_no_exp = (data[0] & 16) != 0;
	if (jwt_verify_token(&policy, fuzz_keys, token, toklen, 1700000000,
	    &id, &res) == 0) {
		if (id == NULL || id->user == NULL || id->user[0] == '\0' ||
		    id->roles == NULL || id->roles[id->nroles] != NULL)
			abort();
	} else if (id != NULL || res.fail == JWT_FAIL_NONE ||
	    res.fail >= JWT_FAIL_COUNT || memchr(res.message, '\0',
	    sizeof res.message) == NULL) {
		abort();
	}
	auth_identity_free(id);
	json_decref(doc);
	return 0;
}
